// The studio's HTTP layer over libmicrohttpd: requests in, responses out, a routing table with the
// permission each route needs. Nothing here parses HTTP by hand; sessions, CSRF and limits are
// applied by the router before a handler runs, so a handler only does its job.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signage::studio {

enum class Role { editor, approver, alert_sender, admin };
const char* role_name(Role role);  // "editor", ...
std::optional<Role> parse_role(std::string_view name);

// Who may call a route. `signed_in`: any account; the others: that role or admin.
enum class Permission { open, signed_in, edit, approve, send_alerts, administer };

struct User {
  std::string name;
  Role role = Role::editor;
};

struct Request {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // decoded, without the query: "/api/draft"
  std::map<std::string, std::string, std::less<>> query;    // decoded
  std::map<std::string, std::string, std::less<>> headers;  // names lower-case
  std::map<std::string, std::string, std::less<>> params;   // from the route pattern: {id}
  std::string body;  // at most the route's body limit (checked before it is read)
  std::string client_ip;
  std::optional<User> user;  // set by the router for routes that need a sign-in
  std::string lang;          // "zh" or "en", from Accept-Language (messages for people)
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Set-Cookie
};

// {"error": message} with `status`; `message` is for people, in the request's language.
Response json_error(int status, std::string message);
Response json_response(std::string json_text, int status = 200);

// A request body as JSON: a discarded value (is_discarded) when it is not JSON or is nested
// deeper than kMaxBodyDepth. Every route parses its body with it: nlohmann's dump() and the
// checker recurse, and a body of a million '[' would overflow a server thread's stack.
inline constexpr std::size_t kMaxBodyDepth = 64;
nlohmann::json parse_json_body(std::string_view body);

// Runs on one of the server's threads, maybe beside other handlers (guard shared state). An
// exception becomes a 500 whose reason goes to the log, not to the page.
using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/revisions/{id}/restore": {name} matches one path segment
  Permission permission = Permission::signed_in;
  std::size_t max_body_bytes = 64 << 10;
  Handler handler;
};

struct ServerLimits {
  // libmicrohttpd shares max_connections among its worker threads (64 each of 4); one address
  // may hold two browsers' 6 connections each, a phone, and closed ones not yet reaped.
  std::size_t max_connections = 256;
  std::size_t max_connections_per_ip = 32;
  int connection_timeout_s = 30;
  std::size_t max_request_bytes = 64 << 10;  // requests no route takes (the page's files)
};

struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  int port = 8080;
  std::string tls_cert_file, tls_key_file;  // both set: HTTPS
  ServerLimits limits;
};

// The router's question about a request's session cookie: who it is and the session's CSRF token
// (sessions.h answers it). nullopt: no such session, or it expired.
struct SessionView {
  User user;
  std::string csrf;
};
using SessionLookup = std::function<std::optional<SessionView>(std::string_view token)>;
inline constexpr const char* kSessionCookie = "studio_session";

// Whether `role` may call a route that needs `permission`: admin may do everything; `edit` is
// also the approver's (approvers edit and publish); `approve` and `send_alerts` are their role's.
bool allows(Role role, Permission permission);

// "zh" for an Accept-Language whose preferred language is Chinese (zh, zh-CN, zh-TW...), else "en".
std::string language_of(std::string_view accept_language);

// The words for people in the request's language.
inline std::string say(const Request& r, std::string en, std::string zh) {
  return r.lang == "zh" ? std::move(zh) : std::move(en);
}

// The routing table and what it needs to judge a request before its body is read.
struct Router {
  std::vector<Route> routes;
  SessionLookup sessions;
  std::filesystem::path web_dir;  // static files for GET outside /api; empty: none
};

// The first step, on the headers alone (method, path, headers, client_ip, lang filled in): for
// /api paths except POST /api/login a session (401), the CSRF token on POST/PUT/DELETE (403),
// then the route (404, 405) and its permission (403). Auth comes before routing, so an /api path
// that no part mounted answers 401 too. Sets request.user and request.params. Returns the route
// to run, or the refusal. A GET outside /api with no route is a static file (route null, no
// refusal).
struct Admission {
  const Route* route = nullptr;
  std::optional<Response> refusal;
};
Admission admit(const Router& router, Request& request);

// Serves a file of the web dir (GET outside /api): "/" is index.html; paths are confined to the
// dir (no "..", no dot files, no symlink leading out).
Response serve_static(const std::filesystem::path& web_dir, const Request& request);

// Where the page's files are: $SIGNAGE_STUDIO_WEB_DIR, else ../share/signage-player/studio-web
// next to the installed program, else the source tree's player/studio/web.
std::filesystem::path default_web_dir();

// The value of a cookie the request carries ("" when none).
std::string request_cookie(const Request& request, std::string_view name);

// The headers every response carries (CSP, no framing, nosniff, no referrer; no-store on /api).
void add_security_headers(std::string_view path, Response& response);

// A libmicrohttpd daemon on an already bound, listening socket (bound before the studio gives up
// root; the daemon owns the descriptor from then on). Handlers run on a small pool of threads
// (kServerThreads): a handler must guard what it shares with other requests.
inline constexpr unsigned kServerThreads = 4;

// The certificate (chain) and key, PEM, read as root before it gives them up: a key is often
// readable by root only, as for nginx.
struct TlsPem {
  std::string cert, key;
};
// nullopt without TLS (neither file set) or on error (`error` set: a file cannot be read).
std::optional<TlsPem> read_tls(const ServerOptions& options, std::string* error);

class HttpServer {
 public:
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // nullptr with the reason in `error`. `tls`: HTTPS with this certificate and key.
  static std::unique_ptr<HttpServer> start(int listen_fd, const ServerOptions& options,
                                           std::optional<TlsPem> tls, Router router,
                                           std::string* error);

  struct State;

 private:
  explicit HttpServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A TCP socket bound to options.listen_address:port and listening; -1 with the reason. Port 0
// picks a free port: bound_port() tells which.
int listen_socket(const ServerOptions& options, std::string* error);
int bound_port(int fd);

}  // namespace signage::studio
