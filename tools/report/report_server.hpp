// losslab-report serve: the HTML report over HTTP (Debian's cpp-httplib), following a sweep that
// is writing the database. GET / is the `html` command's page, plus a script that asks
// GET /api/updates?since=CURSOR&server=ID for what changed (LiveFeed) every few seconds.
#pragma once

#include <iosfwd>
#include <string>

#include "html_report.hpp"
#include "report_data.hpp"

namespace losslab::report {

struct ServeOptions {
  HtmlOptions page;
  std::string host = "127.0.0.1";  // loopback: only this machine can connect
  int port = 8050;                 // 0: a free port the system picks
};

// The address cannot be listened on: the port is taken, the host is not this machine's, or the
// port needs privileges. The message says which.
class ListenError : public ReportError {
 public:
  using ReportError::ReportError;
};

// True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1.
bool is_loopback(const std::string& host);

// Serves until SIGINT or SIGTERM, then returns 0. Prints the page's URL on `out` once it listens,
// and on `err` a warning first when `host` is not loopback. Throws ListenError when it cannot
// listen, UsageError for an unknown experiment or a bad --top.
int serve_report(ResultsReader& db, const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace losslab::report
