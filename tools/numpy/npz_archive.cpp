#include "npz_archive.hpp"

#include <zip.h>


namespace losslab::npy {

void write_npz(const std::string& path, const std::vector<std::pair<std::string, std::string>>& arrays) {
  int code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (archive == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw std::runtime_error("cannot write " + path + ": " + reason);
  }
  const auto fail = [&](const std::string& what) {
    const std::string reason = zip_strerror(archive);
    zip_discard(archive);  // nothing is written
    throw std::runtime_error("cannot write " + path + ": " + what + ": " + reason);
  };
  for (const auto& [name, bytes] : arrays) {
    // The buffers outlive zip_close, which reads them; libzip does not free them (last argument 0).
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    if (source == nullptr) fail(name);
    const zip_int64_t index = zip_file_add(archive, (name + ".npy").c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      fail(name);
    }
    if (zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0) fail(name);
  }
  if (zip_close(archive) != 0) fail("closing the archive");
}

}  // namespace losslab::npy
