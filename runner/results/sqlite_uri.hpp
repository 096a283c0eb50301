// SQLite URI filenames (https://sqlite.org/uri.html) for opening a database with options.
#pragma once

#include <string>

namespace losslab::runner {

// "file:///ABSOLUTE/PATH?immutable=1": the database read as a file nothing will change, without
// locks and without the -wal / -shm files beside it. The path is made absolute and every byte
// but letters, digits, "-._~" and "/" is percent-encoded, so '?', '#' and '%' in a name survive.
// Open it with SQLite::OPEN_READONLY | SQLite::OPEN_URI.
std::string immutable_uri(const std::string& path);

}  // namespace losslab::runner
