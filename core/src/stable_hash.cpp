#include "losslab/stable_hash.hpp"

#include <cstdint>
#include <cstdio>

namespace losslab {

std::string stable_hash_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace losslab
