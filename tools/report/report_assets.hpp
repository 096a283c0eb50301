// The HTML report's page skeleton, style sheet and script, compiled into the binary from
// tools/report/assets/ (CMake writes them into a generated .cpp as raw string literals), so
// losslab-report needs no files at run time and the report needs no network.
#pragma once

#include <string_view>

namespace losslab::report::assets {

extern const std::string_view kPage;    // report.html: {{title}}, {{source}}, {{style}}, {{data}}, {{script}}
extern const std::string_view kStyle;   // report.css
extern const std::string_view kScript;  // report.js

}  // namespace losslab::report::assets
