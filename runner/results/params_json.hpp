// Resolved parameters <-> JSON, the one conversion: trials.params_json in the results database,
// the MPI sweep's messages (as CBOR) and the report all read and write parameters through it.
#pragma once

#include <nlohmann/json.hpp>

#include "losslab/runner/params.hpp"

namespace losslab::runner::detail {

nlohmann::json params_to_json(const ResolvedParams& params);
// The JSON type keeps the variant's alternative (an integer stays int64, 1.0 a double). Throws
// std::invalid_argument for a value that is no parameter (null, an object, a list of non-strings).
ResolvedParams params_from_json(const nlohmann::json& object);

}  // namespace losslab::runner::detail
