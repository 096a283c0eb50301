#include "params_json.hpp"

#include <algorithm>
#include <stdexcept>

namespace losslab::runner {
namespace detail {

using nlohmann::json;

json params_to_json(const ResolvedParams& params) {
  json object = json::object();
  for (const auto& [key, value] : params) object[key] = std::visit([](const auto& v) { return json(v); }, value);
  return object;
}

ResolvedParams params_from_json(const json& object) {
  if (!object.is_object()) throw std::invalid_argument(std::string("parameters: expected an object, got ") + object.type_name());
  ResolvedParams params;
  for (const auto& [key, value] : object.items()) {
    switch (value.type()) {
      case json::value_t::boolean: params[key] = value.get<bool>(); break;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned: params[key] = value.get<std::int64_t>(); break;
      case json::value_t::number_float: params[key] = value.get<double>(); break;
      case json::value_t::string: params[key] = value.get<std::string>(); break;
      case json::value_t::array:
        if (!std::all_of(value.begin(), value.end(), [](const json& item) { return item.is_string(); }))
          throw std::invalid_argument("parameter " + key + ": expected a list of names");
        params[key] = value.get<std::vector<std::string>>();
        break;
      default:
        throw std::invalid_argument("parameter " + key + " has an unexpected type " + value.type_name());
    }
  }
  return params;
}

}  // namespace detail

std::string params_to_json_text(const ResolvedParams& params) { return detail::params_to_json(params).dump(); }

ResolvedParams params_from_json_text(const std::string& text) {
  const nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
  if (object.is_discarded()) throw std::invalid_argument("parameters: not JSON: " + text.substr(0, 80));
  return detail::params_from_json(object);
}

}  // namespace losslab::runner
