// A name-sized hash that is the same on every build and machine (std::hash is not): trial keys,
// the names of inflated dataset copies.
#pragma once

#include <string>
#include <string_view>

namespace losslab {

// 64-bit FNV-1a of `text`, as 16 lowercase hex digits.
std::string stable_hash_hex(std::string_view text);

}  // namespace losslab
