// What `losslab-report serve` serves: the HTML report's data as the database is now, and what
// changed in it since a page was generated, so that the page can follow a sweep without
// reloading. The data is the `html` command's, built by the same code; only its changes travel.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "change_log.hpp"
#include "html_report.hpp"
#include "report_data.hpp"

namespace losslab::report {

// The arrays of the report's data a page updates element by element (html_data.hpp): one
// experiment, trial row, marginal point, heatmap cell, epoch line or trial's epoch curves changes
// without the rest.
const ArrayKeys& report_array_keys();

class LiveFeed {
 public:
  // How often a page asks for changes.
  static constexpr std::chrono::milliseconds kPollInterval{2000};

  // Reads the database once: an unknown --experiment is a UsageError here, before anything is served.
  LiveFeed(ResultsReader& db, HtmlOptions options);

  // The report's data as of now, with {"live": {"server", "cursor", "endpoint", "interval_ms"}}
  // telling the page where to ask for changes.
  nlohmann::json page_data();

  // {"server", "cursor", "changes"}: the changes after `since` (ChangeLog's format, null when
  // none) and the cursor they lead to. {"server", "cursor", "reload": true} when `server` is
  // another server's (this one was restarted) or `since` is ahead of this server's cursor.
  nlohmann::json changes(std::int64_t since, const std::string& server);

  const std::string& server_id() const { return server_id_; }

 private:
  // Re-reads the database when a sweep committed since the last read. A read of a large database
  // takes a while, so reads are at least twice their own duration apart: however many pages poll,
  // the server spends at most a third of its time reading.
  void refresh();

  ResultsReader& db_;
  HtmlOptions options_;
  ChangeLog log_;
  std::string server_id_;
  std::optional<std::int64_t> data_version_;  // of the last read
  std::chrono::steady_clock::time_point next_read_{};
};

}  // namespace losslab::report
