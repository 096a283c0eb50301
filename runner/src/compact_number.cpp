#include "compact_number.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace losslab::runner::detail {
namespace {

std::string to_text(double value, std::chars_format format) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  return std::string(buffer, result.ptr);
}

// Significant digits of the shortest round-trip form ("0.00125" -> 3).
int significant_digits(double value) {
  const std::string text = to_text(value, std::chars_format::scientific);  // "1.25e-03"
  int digits = 0;
  for (char c : std::string_view(text).substr(0, text.find('e')))
    if (c >= '0' && c <= '9') ++digits;
  return digits;
}

double round_to_significant(double value, int digits) {
  char buffer[64];
  const auto printed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific, digits - 1);
  double rounded = value;
  std::from_chars(buffer, printed.ptr, rounded);
  return rounded;
}

// "1e-03" -> "1e-3", "1e+06" -> "1e6".
std::string bare_exponent(const std::string& scientific) {
  const std::size_t e = scientific.find('e');
  std::string mantissa = scientific.substr(0, e);
  std::string_view exponent = std::string_view(scientific).substr(e + 1);
  const bool negative = exponent.front() == '-';
  if (exponent.front() == '-' || exponent.front() == '+') exponent.remove_prefix(1);
  while (exponent.size() > 1 && exponent.front() == '0') exponent.remove_prefix(1);
  return mantissa + "e" + (negative ? "-" : "") + std::string(exponent);
}

}  // namespace

std::string compact_number(double value) {
  if (value == 0) return "0";
  if (!std::isfinite(value)) return to_text(value, std::chars_format::general);
  if (significant_digits(value) > 6) value = round_to_significant(value, 4);
  const double magnitude = std::fabs(value);
  if (magnitude < 1e-2 || magnitude >= 1e6) return bare_exponent(to_text(value, std::chars_format::scientific));
  return to_text(value, std::chars_format::fixed);
}

}  // namespace losslab::runner::detail
