// losslab-report serve over HTTP (cpp-httplib's client), on a database the real losslab-run
// wrote: the page is the html command's, the updates endpoint sends only what changed after the
// page's cursor, and the command's failures and stops end with their documented exit codes.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <set>
#include <string>

#include "report/serve_support.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;

std::int64_t scalar(const std::string& db, const std::string& sql) {
  SQLite::Database reader(db, SQLite::OPEN_READONLY);
  return reader.execAndGet(sql).getInt64();
}

class ReportServe : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.file("results.db");
    record_toy_sweep(dir_, db_, "[0.1, 1.0]");
  }
  TempDir dir_;
  std::string db_;
};

TEST_F(ReportServe, ServesTheHtmlCommandsPageWithACursor) {
  const std::string before = fingerprint(db_);
  ServeProcess server(db_, {}, dir_);
  auto client = server.client();
  const auto page = client.Get("/");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-store");
  json served = embedded_data(page->body);
  const json live = served.at("live");
  EXPECT_GE(live.at("cursor").get<int>(), 1);
  EXPECT_EQ(live.at("endpoint"), "api/updates");
  EXPECT_EQ(live.at("interval_ms"), 2000);
  EXPECT_EQ(live.at("server").get<std::string>().size(), 16u);

  // Without "live", the data is what `losslab-report html` embeds for the same database.
  const auto html = run_report({"html", db_, "-o", "-"}, dir_);
  ASSERT_EQ(html.exit_code, 0) << html.err;
  served.erase("live");
  EXPECT_EQ(served, embedded_data(html.out));
  ASSERT_EQ(served.at("experiments").size(), 1u);
  EXPECT_EQ(served.at("experiments")[0].at("trials").size(), 4u);

  EXPECT_EQ(get_status(client, "/favicon.ico"), 204);
  EXPECT_EQ(get_status(client, "/nothing-here"), 404);
  EXPECT_EQ(server.stop(SIGINT), 0) << server.err();
  EXPECT_NE(server.err().find("stopped (SIGINT)"), std::string::npos) << server.err();
  EXPECT_EQ(fingerprint(db_), before) << "serving changed the database";
}

TEST_F(ReportServe, UpdatesCarryOnlyTheTrialsRecordedAfterTheCursor) {
  ServeProcess server(db_, {}, dir_);
  auto client = server.client();
  const json live = embedded_data(get_body(client, "/")).at("live");
  const std::int64_t cursor = live.at("cursor");
  const std::string id = live.at("server");
  const std::string since = "/api/updates?server=" + id + "&since=";
  EXPECT_EQ(get_json(client, since + std::to_string(cursor)),
            json({{"server", id}, {"cursor", cursor}, {"changes", nullptr}}));

  // One more learning rate: its two trials are recorded while the server runs.
  record_toy_sweep(dir_, db_, "[0.1, 1.0, 0.01]");
  const std::set<std::int64_t> added = {scalar(db_, "SELECT max(id) - 1 FROM trials"),
                                        scalar(db_, "SELECT max(id) FROM trials")};
  ASSERT_EQ(*added.begin(), 5);
  json answer;
  ASSERT_TRUE(test_support::wait_until(
      [&] {
        answer = get_json(client, since + std::to_string(cursor));
        return answer.at("cursor") > cursor;
      },
      std::chrono::seconds(30)));
  const json& changes = answer.at("changes");
  const json& experiments = changes.at("members").at("experiments");
  ASSERT_EQ(experiments.at("items").size(), 1u) << changes.dump(1);
  const json& experiment = experiments.at("items")[0].at(1).at("members");

  // The new trials' rows, whole; no other row.
  const json& rows = experiment.at("trials");
  EXPECT_EQ(rows.at("key"), json({"id"}));
  ASSERT_EQ(rows.at("items").size(), 2u);
  for (const auto& item : rows.at("items")) {
    EXPECT_TRUE(added.count(item.at(0).at(0).get<std::int64_t>())) << item.dump();
    EXPECT_EQ(item.at(1).at("set").at("status"), "completed");
  }
  // Of the other views, only what the new trials changed: their marginal points, their heatmap
  // cells (the new learning rate's), the counts.
  for (const auto& marginal : experiment.at("marginals").at("items")) {
    const json& points = marginal.at(1).at("members").at("points").at("items");
    EXPECT_EQ(points.size(), 2u) << marginal.dump();
    for (const auto& point : points) EXPECT_TRUE(added.count(point.at(0).at(0).get<std::int64_t>())) << point.dump();
  }
  const json& cells = experiment.at("heatmap").at("members").at("cells").at("items");
  ASSERT_EQ(cells.size(), 2u) << cells.dump();
  for (const auto& cell : cells) EXPECT_EQ(cell.at(0).at(0), 0.01) << cell.dump();
  EXPECT_EQ(experiment.at("trial_count").at("set"), 6);
  EXPECT_EQ(experiment.at("status_counts").at("members").at("completed").at("set"), 6);

  // Asked again from the new cursor: nothing.
  EXPECT_EQ(get_json(client, since + answer.at("cursor").dump()).at("changes"), nullptr);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.err();
  EXPECT_NE(server.err().find("stopped (SIGTERM)"), std::string::npos) << server.err();
}

TEST_F(ReportServe, AskingWithAnotherServersCursorOrNoCursor) {
  ServeProcess server(db_, {}, dir_);
  auto client = server.client();
  const json live = embedded_data(get_body(client, "/")).at("live");
  const json other = get_json(client, "/api/updates?since=1&server=0123456789abcdef");
  EXPECT_EQ(other.at("reload"), true);
  EXPECT_FALSE(other.contains("changes"));
  const json ahead =
      get_json(client, "/api/updates?since=" + std::to_string(live.at("cursor").get<int>() + 1) +
                           "&server=" + live.at("server").get<std::string>());
  EXPECT_EQ(ahead.at("reload"), true);
  for (const char* bad : {"/api/updates", "/api/updates?since=-1", "/api/updates?since=1x"}) {
    const auto response = client.Get(bad);
    ASSERT_TRUE(response) << bad;
    EXPECT_EQ(response->status, 400) << bad;
    EXPECT_NE(json::parse(response->body).at("error").get<std::string>().find("since"), std::string::npos);
  }
  EXPECT_EQ(server.stop(SIGINT), 0);
}

TEST_F(ReportServe, RefusesRequestsAddressedToAnotherHost) {
  ServeProcess server(db_, {}, dir_);
  auto client = server.client();
  for (const std::string& host : {"localhost:" + std::to_string(server.port()), std::string("[::1]:8050"), std::string("127.0.0.1")})
    EXPECT_EQ(get_status(client, "/", {{"Host", host}}), 200) << host;
  EXPECT_EQ(get_status(client, "/", {{"Host", "attacker.example:" + std::to_string(server.port())}}), 403);
  EXPECT_EQ(server.stop(SIGINT), 0);
}

TEST_F(ReportServe, AnotherHostOnlyWhenAskedAndWithAWarning) {
  ServeProcess quiet(db_, {}, dir_);
  EXPECT_NE(quiet.url().find("http://127.0.0.1:"), std::string::npos) << quiet.url();
  EXPECT_EQ(quiet.stop(SIGINT), 0);
  EXPECT_EQ(quiet.err().find("warning"), std::string::npos) << quiet.err();

  ServeProcess open(db_, {"--host", "0.0.0.0"}, dir_);
  EXPECT_NE(open.err().find("warning: listening on 0.0.0.0, not loopback"), std::string::npos) << open.err();
  auto client = open.client();
  EXPECT_EQ(get_status(client, "/"), 200);
  EXPECT_EQ(open.stop(SIGINT), 0);
}

TEST_F(ReportServe, ABusyPortIsExitCodeThree) {
  ServeProcess first(db_, {}, dir_);
  const auto second = run_report({"serve", db_, "--port", std::to_string(first.port())}, dir_);
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("cannot listen on 127.0.0.1 port " + std::to_string(first.port()) +
                            ": the port is in use"),
            std::string::npos)
      << second.err;
  // The first server still answers: the second did not share its port.
  auto client = first.client();
  EXPECT_EQ(get_status(client, "/"), 200);
  EXPECT_EQ(first.stop(SIGINT), 0);

  const auto foreign = run_report({"serve", db_, "--host", "192.0.2.1", "--port", "0"}, dir_);
  EXPECT_EQ(foreign.exit_code, 3) << foreign.err;
  EXPECT_NE(foreign.err.find("192.0.2.1 is not an address of this machine"), std::string::npos) << foreign.err;
}

TEST_F(ReportServe, AMissingOrNewerDatabaseOrUnknownExperimentIsRefusedBeforeListening) {
  const auto missing = run_report({"serve", dir_.file("missing.db"), "--port", "0"}, dir_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no results database at " + dir_.file("missing.db")), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("missing.db")));
  EXPECT_EQ(missing.out, "");

  const std::string newer = dir_.file("newer.db");
  std::filesystem::copy_file(db_, newer);
  SQLite::Database(newer, SQLite::OPEN_READWRITE).exec("PRAGMA user_version = 99");
  const auto refused = run_report({"serve", newer, "--port", "0"}, dir_);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("its schema version 99 is newer than this losslab's"), std::string::npos) << refused.err;

  const auto unknown = run_report({"serve", db_, "--experiment", "nope", "--port", "0"}, dir_);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no experiment 'nope'"), std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.out, "");
}

}  // namespace
}  // namespace losslab::report_test
