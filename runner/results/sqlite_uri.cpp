#include "sqlite_uri.hpp"

#include <filesystem>

namespace losslab::runner {
namespace {

// RFC 3986's unreserved characters, plus '/' which separates the path's parts. Spelled out rather
// than std::isalnum, which depends on the locale.
bool kept_as_is(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '/';
}

}  // namespace

std::string immutable_uri(const std::string& path) {
  constexpr char kHex[] = "0123456789ABCDEF";
  // An empty authority ("file://" + "/...") so that the path is never read as a host name.
  std::string uri = "file://";
  for (const unsigned char c : std::filesystem::absolute(path).lexically_normal().string()) {
    if (kept_as_is(c)) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    }
  }
  return uri + "?immutable=1";
}

}  // namespace losslab::runner
