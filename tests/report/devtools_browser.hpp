// Headless Chromium driven over the DevTools protocol, for tests that watch an open page change
// (the live report): load a URL, evaluate JavaScript in it, wait for a condition. The protocol
// runs over pipes (--remote-debugging-pipe: Chromium reads commands on its fd 3 and writes
// answers and events on its fd 4, each one JSON text ended by '\0'), so no port and no WebSocket
// client are needed.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "report/browser_support.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::report_test {

class DevToolsBrowser {
 public:
  // Starts Chromium on about:blank and attaches to that page. Throws when Chromium is missing or
  // does not answer.
  DevToolsBrowser() {
    if (!std::filesystem::exists(kChromium))
      throw std::runtime_error(kChromium + " is missing: run scripts/install-deps.sh (Debian package chromium)");
    signal(SIGPIPE, SIG_IGN);  // a command to a Chromium that died fails; it must not end the test
    int commands[2], answers[2];
    if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv = chromium_command(profile_.file("profile"));
    argv.insert(argv.end(), {"--remote-debugging-pipe", "about:blank"});
    browser_ = std::make_unique<test_support::ChildProcess>(argv, profile_.file("stdout.txt"), profile_.file("stderr.txt"),
                                                            std::vector<std::pair<int, int>>{{3, commands[0]}, {4, answers[1]}});
    close(commands[0]);
    close(answers[1]);
    to_browser_ = commands[1];
    from_browser_ = answers[0];
    try {
      attach();
    } catch (...) {
      stop();
      throw;
    }
  }

  ~DevToolsBrowser() { stop(); }
  DevToolsBrowser(const DevToolsBrowser&) = delete;
  DevToolsBrowser& operator=(const DevToolsBrowser&) = delete;

  // Loads `url` and returns once its load event fired (the page's inline scripts have run).
  void navigate(const std::string& url) {
    loaded_ = false;
    const auto answer = command("Page.navigate", {{"url", url}});
    if (answer.contains("errorText")) throw std::runtime_error("cannot load " + url + ": " + answer.dump());
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!loaded_) read_message(deadline);
  }

  // The value of a JavaScript expression in the page (awaited when it is a promise).
  nlohmann::json evaluate(const std::string& expression) {
    const auto answer =
        command("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
    if (answer.contains("exceptionDetails"))
      throw std::runtime_error("evaluating " + expression + ": " + answer.at("exceptionDetails").dump());
    const auto& result = answer.at("result");
    return result.contains("value") ? result.at("value") : nlohmann::json();
  }

  // Evaluates `expression` until it is true; false when it is not within `timeout`.
  bool wait_for(const std::string& expression, std::chrono::milliseconds timeout) {
    return test_support::wait_until([&] { return evaluate("Boolean(" + expression + ")") == true; }, timeout);
  }

  // A left-button drag from (x0, y0) to (x1, y1), in CSS pixels of the viewport, as real mouse
  // events: pressed, moved in a few steps, released.
  void drag(double x0, double y0, double x1, double y1) {
    mouse("mousePressed", x0, y0, 1);
    for (int step = 1; step <= 4; ++step)
      mouse("mouseMoved", x0 + (x1 - x0) * step / 4, y0 + (y1 - y0) * step / 4, 1);
    mouse("mouseReleased", x1, y1, 0);
  }

  // What Chromium printed on stderr so far (console_lines finds the page's console messages in it).
  std::string err() const { return test_support::ChildProcess::slurp(profile_.file("stderr.txt")); }

 private:
  static constexpr std::chrono::seconds kTimeout{60};

  void attach() {
    const auto targets = command("Target.getTargets", nlohmann::json::object(), false);
    std::string page;
    for (const auto& target : targets.at("targetInfos"))
      if (target.at("type") == "page") page = target.at("targetId");
    if (page.empty()) throw std::runtime_error("chromium has no page to attach to");
    session_ = command("Target.attachToTarget", {{"targetId", page}, {"flatten", true}}, false).at("sessionId");
    command("Page.enable");
  }

  void mouse(const std::string& type, double x, double y, int buttons) {
    command("Input.dispatchMouseEvent",
            {{"type", type}, {"x", x}, {"y", y}, {"button", "left"}, {"buttons", buttons}, {"clickCount", 1}});
  }

  void stop() {
    try {
      send("Browser.close", nlohmann::json::object(), false);
      test_support::wait_until([&] { return browser_->has_exited(); }, std::chrono::seconds(10));
    } catch (const std::exception&) {  // gone already
    }
    browser_.reset();  // kills it if it is still there
    close(to_browser_);
    close(from_browser_);
  }

  int send(const std::string& method, const nlohmann::json& params, bool to_page) {
    nlohmann::json message = {{"id", ++last_id_}, {"method", method}, {"params", params}};
    if (to_page) message["sessionId"] = session_;
    const std::string text = message.dump() + '\0';
    for (std::size_t sent = 0; sent < text.size();) {
      const auto n = write(to_browser_, text.data() + sent, text.size() - sent);
      if (n <= 0) throw std::runtime_error("chromium stopped reading commands");
      sent += static_cast<std::size_t>(n);
    }
    return last_id_;
  }

  // Sends a command and returns its result, handling the events that come before it.
  nlohmann::json command(const std::string& method, const nlohmann::json& params = nlohmann::json::object(),
                         bool to_page = true) {
    const int id = send(method, params, to_page);
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (true) {
      const auto message = read_message(deadline);
      if (!message.contains("id") || message.at("id") != id) continue;
      if (message.contains("error")) throw std::runtime_error(method + ": " + message.at("error").dump());
      return message.at("result");
    }
  }

  nlohmann::json read_message(std::chrono::steady_clock::time_point deadline) {
    while (true) {
      const auto end = buffer_.find('\0');
      if (end != std::string::npos) {
        auto message = nlohmann::json::parse(buffer_.substr(0, end));
        buffer_.erase(0, end + 1);
        if (message.value("method", "") == "Page.loadEventFired") loaded_ = true;
        return message;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd readable{from_browser_, POLLIN, 0};
      if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) <= 0)
        throw std::runtime_error("chromium did not answer in time:\n" + err());
      char chunk[65536];
      const auto n = read(from_browser_, chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("chromium closed the DevTools pipe:\n" + err());
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  test_support::TempDir profile_;
  std::unique_ptr<test_support::ChildProcess> browser_;
  int to_browser_ = -1, from_browser_ = -1;
  int last_id_ = 0;
  std::string session_;
  std::string buffer_;
  bool loaded_ = false;
};

}  // namespace losslab::report_test
