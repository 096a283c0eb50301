#include "report_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "html_data.hpp"
#include "live_feed.hpp"
#include "signal_watcher.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;

std::string url_of(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
}

// The host part of a Host header: "localhost:8050" -> "localhost", "[::1]:8050" -> "::1".
std::string host_of_header(const std::string& header) {
  if (!header.empty() && header.front() == '[') return header.substr(1, header.find(']') - 1);
  return header.substr(0, header.find(':'));
}

// httplib's default socket options add SO_REUSEPORT, with which a second server binds the same
// port and the kernel splits the connections between the two. SO_REUSEADDR alone still lets a
// restarted server take its port back at once.
void reuse_address_only(socket_t socket) {
  int yes = 1;
  setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

void check_resolves(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int status = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (status != 0) throw ListenError("cannot listen on " + host + ": " + gai_strerror(status));
  freeaddrinfo(found);
}

std::string listen_failure(const std::string& host, int port, int error) {
  const std::string where = "cannot listen on " + host + " port " + std::to_string(port) + ": ";
  switch (error) {
    case EADDRINUSE:
      return where + "the port is in use (another server?); choose another with --port, or --port 0 for any free one";
    case EADDRNOTAVAIL: return where + host + " is not an address of this machine";
    case EACCES: return where + "permission denied (ports below 1024 need privileges)";
    default: return where + (error != 0 ? std::strerror(error) : "unknown error");
  }
}

std::optional<std::int64_t> parse_cursor(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end || value < 0) return std::nullopt;
  return value;
}

void send_json(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(json_for_script(body), "application/json");
}

}  // namespace

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

int serve_report(ResultsReader& db, const ServeOptions& options, std::ostream& out, std::ostream& err) {
  std::mutex reading;  // one SQLite connection, and the feed's state, for every request thread
  LiveFeed feed(db, options.page);
  const bool loopback = is_loopback(options.host);

  httplib::Server server;
  server.set_socket_options(reuse_address_only);
  server.set_default_headers({{"Cache-Control", "no-store"}});
  server.set_keep_alive_timeout(1);  // open connections would keep a stopping server waiting
  // A page another site serves may reach a loopback server through DNS rebinding (a name of the
  // site's that resolves to 127.0.0.1); its requests then carry that name, not a loopback one.
  server.set_pre_routing_handler([&](const httplib::Request& request, httplib::Response& response) {
    if (!loopback || is_loopback(host_of_header(request.get_header_value("Host"))))
      return httplib::Server::HandlerResponse::Unhandled;
    response.status = 403;
    response.set_content("this server answers only requests addressed to localhost\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  // A failure inside a request (the database went away) answers 500 and is printed once per kind.
  std::string last_failure;
  const auto guarded = [&](httplib::Response& response, auto&& answer) {
    const std::lock_guard lock(reading);
    try {
      answer();
    } catch (const std::exception& error) {
      if (error.what() != last_failure) err << "losslab-report: " << error.what() << std::endl;
      last_failure = error.what();
      send_json(response, 500, {{"error", error.what()}});
    }
  };
  server.Get("/", [&](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] {
      std::ostringstream page;
      write_html_page(feed.page_data(), page);
      response.set_content(page.str(), "text/html; charset=utf-8");
    });
  });
  server.Get("/api/updates", [&](const httplib::Request& request, httplib::Response& response) {
    const auto since = parse_cursor(request.get_param_value("since"));
    if (!since) {
      send_json(response, 400, {{"error", "since must be a cursor the page was given (a whole number, 0 or more)"}});
      return;
    }
    guarded(response, [&] { send_json(response, 200, feed.changes(*since, request.get_param_value("server"))); });
  });
  server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& response) { response.status = 204; });

  check_resolves(options.host);
  errno = 0;
  int port = options.port;
  const bool bound =
      port == 0 ? (port = server.bind_to_any_port(options.host)) > 0 : server.bind_to_port(options.host, port);
  if (!bound) throw ListenError(listen_failure(options.host, options.port, errno));

  if (!loopback)
    err << "losslab-report: warning: listening on " << options.host << ", not loopback: anyone who can reach this "
        << "machine on port " << port << " can read these results (the server asks for no password)" << std::endl;
  out << "serving " << db.path() << " at " << url_of(options.host, port) << " (Ctrl-C to stop)" << std::endl;

  std::atomic<bool> done{false};
  SignalWatcher signals([&](int) {
    // stop() only acts on a running server: a signal that came before it started waits for it.
    while (!server.is_running() && !done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.stop();
  });
  const bool listened = server.listen_after_bind();
  done = true;
  const int signal = signals.received();
  if (signal == 0) throw ListenError("stopped listening on " + url_of(options.host, port) + (listened ? "" : ": failed"));
  err << "losslab-report: stopped (" << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
  return 0;
}

}  // namespace losslab::report
