// The studio's HTTP layer over libmicrohttpd: requests in, responses out, a routing table with the
// permission each route needs. Nothing here parses HTTP by hand; sessions, CSRF and limits are
// applied by the router before a handler runs, so a handler only does its job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signage::studio {

enum class Role { editor, approver, alert_sender, admin };
const char* role_name(Role role);                         // "editor", ...
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

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/revisions/{id}/restore": {name} matches one path segment
  Permission permission = Permission::signed_in;
  std::size_t max_body_bytes = 64 << 10;
  Handler handler;
};

struct ServerLimits {
  std::size_t max_connections = 64;
  std::size_t max_connections_per_ip = 16;
  int connection_timeout_s = 30;
  std::size_t max_request_bytes = 64 << 10;  // for routes that do not say otherwise
};

struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  int port = 8080;
  std::string tls_cert_file, tls_key_file;  // both set: HTTPS
  ServerLimits limits;
};
}  // namespace signage::studio
