#include "live_feed.hpp"

#include <cstdio>
#include <random>
#include <utility>

#include "html_data.hpp"
#include "trial_selection.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;

// A page made by an earlier run of the server holds an earlier run's cursor; a random name per
// run tells the two apart.
std::string random_server_id() {
  std::random_device device;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", device(), device());
  return text;
}

}  // namespace

const ArrayKeys& report_array_keys() {
  static const ArrayKeys keys = {{"experiments", {"id"}}, {"trials", {"id"}}, {"marginals", {"param"}},
                                 {"points", {"id"}},      {"cells", {"x", "y"}}, {"lines", {"trial_id"}},
                                 {"epoch_curves", {"trial_id"}}, {"shares", {"param"}}};
  return keys;
}

LiveFeed::LiveFeed(ResultsReader& db, HtmlOptions options)
    : db_(db), options_(std::move(options)), log_(report_array_keys()), server_id_(random_server_id()) {
  refresh();
}

void LiveFeed::refresh() {
  const auto start = std::chrono::steady_clock::now();
  if (start < next_read_) return;
  const std::int64_t version = db_.data_version();
  if (version == data_version_) return;
  {
    const ResultsReader::Snapshot snapshot(db_);
    log_.record(build_report_data(db_, select_experiments(db_, options_.experiment), options_));
  }
  data_version_ = version;
  const auto end = std::chrono::steady_clock::now();
  next_read_ = end + 2 * (end - start);
}

json LiveFeed::page_data() {
  refresh();
  json data = log_.current();
  data["live"] = {{"server", server_id_},
                  {"cursor", log_.cursor()},
                  {"endpoint", "api/updates"},
                  {"interval_ms", kPollInterval.count()}};
  return data;
}

json LiveFeed::changes(std::int64_t since, const std::string& server) {
  refresh();
  json answer = {{"server", server_id_}, {"cursor", log_.cursor()}};
  if (server != server_id_ || since < 0 || since > log_.cursor())
    answer["reload"] = true;
  else
    answer["changes"] = log_.changes_since(since);
  return answer;
}

}  // namespace losslab::report
