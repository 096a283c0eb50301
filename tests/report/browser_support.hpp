// What the HTML report's end-to-end tests share: the JSON a page embeds, and the page opened in
// headless Chromium (Debian package chromium) with its DOM and console read back.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::report_test {

inline const std::string kChromium = "/usr/bin/chromium";

// The JSON of <script type="application/json" id="report-data">.
inline nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto begin = html.find(open);
  if (begin == std::string::npos) throw std::runtime_error("no report-data script in the page");
  const auto end = html.find("</script>", begin);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

struct BrowserRun {
  std::string out, err;
};

// Headless Chromium with a fresh profile in `profile_dir` (nothing cached, nothing shared between
// runs), no network of its own, and every console message logged on stderr (console_lines).
inline std::vector<std::string> chromium_command(const std::string& profile_dir) {
  return {kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + profile_dir, "--enable-logging=stderr", "--v=0", "--window-size=1400,3000"};
}

// Runs headless Chromium on `page` with `mode` (--dump-dom or --screenshot=FILE); fails the test
// when it is missing, hangs or fails.
inline BrowserRun run_chromium(const std::string& page, const std::string& mode) {
  if (!std::filesystem::exists(kChromium)) {
    ADD_FAILURE() << kChromium << " is missing: run scripts/install-deps.sh (Debian package chromium)";
    return {};
  }
  test_support::TempDir profile;
  std::vector<std::string> argv = chromium_command(profile.file("profile"));
  argv.insert(argv.end(), {"--virtual-time-budget=5000", mode, "file://" + page});
  test_support::ChildProcess browser(argv, profile.file("stdout.txt"), profile.file("stderr.txt"));
  const bool exited = test_support::wait_until([&] { return browser.has_exited(); }, std::chrono::seconds(60));
  if (!exited) {
    ADD_FAILURE() << "chromium did not finish within 60 s:\n" << browser.err();
    return {};
  }
  const int code = browser.wait();
  EXPECT_EQ(code, 0) << browser.err();
  return {browser.out(), browser.err()};
}

// The value of attribute `name` of the first <tag ...> in `dom`.
inline std::string attribute(const std::string& dom, const std::string& tag, const std::string& name) {
  std::smatch match;
  const std::regex element("<" + tag + "\\b[^>]*>");
  if (!std::regex_search(dom, match, element)) return "<no " + tag + ">";
  std::smatch value;
  const std::string text = match.str();
  if (!std::regex_search(text, value, std::regex("\\b" + name + "=\"([^\"]*)\""))) return "<no " + name + ">";
  return value[1];
}

// Chromium logs every console message (log, warning, error, uncaught exception alike) on stderr
// as "...:INFO:CONSOLE:LINE] ..." (older versions: "CONSOLE(LINE)"); the report logs nothing, so
// any such line is a failure. Chromium's own noise (D-Bus, VA-API, sandbox warnings) is ignored.
inline std::vector<std::string> console_lines(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  const std::regex console(":CONSOLE[:(]");
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, console)) lines.push_back(line);
  return lines;
}

}  // namespace losslab::report_test
