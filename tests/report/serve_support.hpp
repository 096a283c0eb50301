// What the tests of `losslab-report serve` share: small sweeps recorded by the real losslab-run
// (the lecture's 2-D toy data, tiny blobs: milliseconds per trial), and the server started in the background
// on a free port, with a cpp-httplib client for it or its page open in headless Chromium.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "report/browser_support.hpp"
#include "report/cli_support.hpp"
#include "report/devtools_browser.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::report_test {

// Softmax on the toy data over `learning_rates` (a YAML list) x two regularization strengths.
// Running it again with more learning rates adds their trials to the same experiment.
inline std::string toy_sweep(const std::string& learning_rates, const std::string& name = "live") {
  return "name: " + name + "\n"
         "dataset: {kind: synthetic, synthetic: {shape: toy2d}, test: 0, validation: 0, preprocess: [bias]}\n"
         "loss: {kind: softmax}\n"
         "regularization: {kind: l2}\n"
         "optimizer: {kind: gd}\n"
         "training: {epochs: 100}\n"
         "sweep:\n"
         "  grid:\n"
         "    optimizer.learning_rate: " + learning_rates + "\n"
         "    regularization.strength: [1.0e-4, 1.0e-2]\n";
}

// Records the toy sweep over `learning_rates` in `db` (config and logs in `dir`).
inline void record_toy_sweep(const TempDir& dir, const std::string& db, const std::string& learning_rates,
                             const std::string& name = "live") {
  const std::string config = dir.write(name + ".yaml", toy_sweep(learning_rates, name));
  const auto run = run_in({kRun, config, "--db", db, "--no-progress"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
}

// A sweep where one parameter provably does not matter: softmax with L2 (strictly convex) on 3
// overlapping Gaussian blobs, full-batch gradient descent long enough to reach the minimum, over
// `strengths` (a YAML list) x seeds 0, 1, 2. The seed only draws the initial weights, so every seed
// ends at the same unique minimum and validation accuracy; the strength moves the minimum.
inline std::string seed_sweep(const std::string& strengths) {
  return "name: seeds\n"
         "dataset: {kind: synthetic, synthetic: {shape: blobs, classes: 3, per_class: 60, spread: 2.5}, "
         "validation: 0.5, test: 0, preprocess: [standardize, bias]}\n"
         "loss: {kind: softmax}\n"
         "regularization: {kind: l2}\n"
         "optimizer: {kind: gd, learning_rate: 0.2}\n"
         "training: {epochs: 3000}\n"
         "sweep:\n"
         "  grid:\n"
         "    regularization.strength: " + strengths + "\n"
         "  seeds: [0, 1, 2]\n";
}

inline void record_seed_sweep(const TempDir& dir, const std::string& db, const std::string& strengths) {
  const std::string config = dir.write("seeds.yaml", seed_sweep(strengths));
  const auto run = run_in({kRun, config, "--db", db, "--no-progress"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
}

// `losslab-report serve DB --port 0 ARGS...` in the background, until stop() or destruction.
class ServeProcess {
 public:
  ServeProcess(const std::string& db, const std::vector<std::string>& args, const TempDir& dir)
      : number_(++started_),
        process_(command(db, args), dir.file("serve" + std::to_string(number_) + ".out"),
                 dir.file("serve" + std::to_string(number_) + ".err")) {
    std::smatch match;
    const std::regex url("http://[^ ]*:([0-9]+)/");
    const bool started = test_support::wait_until(
        [&] {
          const std::string out = process_.out();
          if (!std::regex_search(out, match, url)) return process_.has_exited();
          url_ = match.str();
          port_ = std::stoi(match[1]);
          return true;
        },
        std::chrono::seconds(30));
    if (!started || url_.empty())
      throw std::runtime_error("losslab-report serve did not print its URL:\n" + process_.out() + process_.err());
  }

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  httplib::Client client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30);
    return client;
  }
  // Sends `signal` and returns the exit code.
  int stop(int signal) {
    process_.signal(signal);
    return process_.wait();
  }
  std::string err() const { return process_.err(); }

 private:
  static std::vector<std::string> command(const std::string& db, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kReport, "serve", db, "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  static inline int started_ = 0;  // each server's output goes to files of its own
  int number_;
  test_support::ChildProcess process_;
  std::string url_;
  int port_ = 0;
};

// A page served live and open in headless Chromium: `losslab-report serve DB` and a browser on its URL.
struct LivePage {
  LivePage(const std::string& db, const TempDir& dir) : server(db, {}, dir) { browser.navigate(server.url()); }
  ServeProcess server;
  DevToolsBrowser browser;
};

// The status of GET `path`, or -1 when the server did not answer.
inline int get_status(httplib::Client& client, const std::string& path, const httplib::Headers& headers = {}) {
  const auto response = client.Get(path, headers);
  return response ? response->status : -1;
}

// The body of GET `path`; fails the test on anything but 200, throws when there is no answer.
inline std::string get_body(httplib::Client& client, const std::string& path) {
  const auto response = client.Get(path);
  if (!response) throw std::runtime_error("GET " + path + ": " + httplib::to_string(response.error()));
  EXPECT_EQ(response->status, 200) << path << ": " << response->body;
  return response->body;
}

inline nlohmann::json get_json(httplib::Client& client, const std::string& path) {
  return nlohmann::json::parse(get_body(client, path));
}

}  // namespace losslab::report_test
