#include "npy_format.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace losslab::npy {
namespace {

// The data is written as this machine holds it, and the descriptors say little-endian.
static_assert(std::endian::native == std::endian::little, "npy_format writes little-endian arrays");

constexpr std::size_t kAlignment = 64;
constexpr char kMagic[] = "\x93NUMPY\x01\x00";  // magic and version 1.0 (sizeof includes a final NUL)

std::size_t element_count(const std::vector<std::size_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

// (), (n,), (a, b): a Python tuple.
std::string shape_tuple(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

std::string array(const std::string& descr, const std::vector<std::size_t>& shape, bool fortran_order,
                  const void* data, std::size_t bytes) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran_order ? "True" : "False") +
                       ", 'shape': " + shape_tuple(shape) + ", }";
  const std::size_t preamble = sizeof kMagic - 1 + 2;
  header.append((kAlignment - (preamble + header.size() + 1) % kAlignment) % kAlignment, ' ');
  header += '\n';
  if (header.size() > 0xffff) throw std::invalid_argument("npy header of " + std::to_string(header.size()) + " bytes");
  std::string out(kMagic, sizeof kMagic - 1);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  if (bytes > 0) out.append(static_cast<const char*>(data), bytes);
  return out;
}

// The code points of UTF-8 text; throws for a malformed sequence.
std::u32string decode_utf8(const std::string& text) {
  std::u32string points;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size())
      throw std::invalid_argument("'" + text + "' is not UTF-8 text (byte " + std::to_string(i) + ")");
    char32_t point = length == 1 ? lead : lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next >> 6) != 0x2) throw std::invalid_argument("'" + text + "' is not UTF-8 text (byte " + std::to_string(i + k) + ")");
      point = (point << 6) | (next & 0x3f);
    }
    points += point;
    i += length;
  }
  return points;
}

}  // namespace

std::string floats(const std::vector<std::size_t>& shape, const float* data, bool fortran_order) {
  return array("<f4", shape, fortran_order, data, element_count(shape) * sizeof(float));
}

std::string int32s(const std::vector<std::size_t>& shape, const std::int32_t* data) {
  return array("<i4", shape, false, data, element_count(shape) * sizeof(std::int32_t));
}

std::string int64s(const std::vector<std::size_t>& shape, const std::int64_t* data) {
  return array("<i8", shape, false, data, element_count(shape) * sizeof(std::int64_t));
}

std::string boolean(bool value) {
  const char byte = value ? 1 : 0;
  return array("|b1", {}, false, &byte, 1);
}

std::string strings(const std::vector<std::size_t>& shape, const std::vector<std::string>& utf8) {
  if (element_count(shape) != utf8.size())
    throw std::invalid_argument("npy: " + std::to_string(utf8.size()) + " strings for shape " + shape_tuple(shape));
  std::vector<std::u32string> decoded;
  std::size_t width = 1;  // numpy has no '<U0' elements
  for (const std::string& text : utf8) width = std::max(width, decoded.emplace_back(decode_utf8(text)).size());
  std::u32string data;
  for (const std::u32string& points : decoded) data += points + std::u32string(width - points.size(), U'\0');
  return array("<U" + std::to_string(width), shape, false, data.data(), data.size() * sizeof(char32_t));
}

std::string string(const std::string& utf8) { return strings({}, {utf8}); }

}  // namespace losslab::npy
