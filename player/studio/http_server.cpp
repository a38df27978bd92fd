// The studio's HTTP layer: libmicrohttpd parses HTTP and TLS; this file routes, applies the
// sessions/CSRF/permission rules and the body limits, serves the page's files and adds the
// security headers.
#include "studio/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "files/files.h"

namespace signage::studio {
namespace fs = std::filesystem;

const char* role_name(Role role) {
  switch (role) {
    case Role::editor: return "editor";
    case Role::approver: return "approver";
    case Role::alert_sender: return "alert_sender";
    case Role::admin: return "admin";
  }
  return "editor";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::editor, Role::approver, Role::alert_sender, Role::admin}) {
    if (name == role_name(r)) return r;
  }
  return std::nullopt;
}

bool allows(Role role, Permission permission) {
  if (role == Role::admin) return true;
  switch (permission) {
    case Permission::open:
    case Permission::signed_in: return true;
    case Permission::edit: return role == Role::editor || role == Role::approver;
    case Permission::approve: return role == Role::approver;
    case Permission::send_alerts: return role == Role::alert_sender;
    case Permission::administer: return false;
  }
  return false;
}

Response json_error(int status, std::string message) {
  // Messages quote what the client sent (a path is decoded: %FF is the byte 0xFF), so bytes that
  // are not UTF-8 are replaced rather than thrown about.
  return json_response(nlohmann::json{{"error", std::move(message)}}.dump(
                           -1, ' ', false, nlohmann::json::error_handler_t::replace),
                       status);
}

Response json_response(std::string json_text, int status) {
  Response r;
  r.status = status;
  r.body = std::move(json_text);
  return r;
}

namespace {

// Refuses (returns false, which stops the parse) at the first value nested too deep.
struct DepthLimit : nlohmann::json::json_sax_t {
  std::size_t depth = 0;
  bool enter() { return ++depth <= kMaxBodyDepth; }
  bool leave() {
    --depth;
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

}  // namespace

nlohmann::json parse_json_body(std::string_view body) {
  DepthLimit limit;
  if (!nlohmann::json::sax_parse(body, &limit)) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(body, nullptr, false);
}

std::string language_of(std::string_view header) {
  // The language with the highest q; the first of equals. Tags are compared case-insensitively.
  std::string best;
  double best_q = -1;
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? "" : header.substr(comma + 1);
    auto semi = part.find(';');
    std::string_view tag = part.substr(0, semi);
    double q = 1;
    if (semi != std::string_view::npos) {
      auto qpos = part.find("q=", semi);
      if (qpos != std::string_view::npos) q = std::atof(std::string(part.substr(qpos + 2)).c_str());
    }
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (!tag.empty() && q > best_q) {
      best_q = q;
      best = tag;
    }
  }
  for (auto& c : best) c = char(std::tolower(static_cast<unsigned char>(c)));
  return best == "zh" || best.starts_with("zh-") ? "zh" : "en";
}

void add_security_headers(std::string_view path, Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'; "
                         "base-uri 'none'; form-action 'self'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  bool has_cache_control = false;
  for (auto& [name, value] : r.headers) {
    if (strcasecmp(name.c_str(), "Cache-Control") == 0) has_cache_control = true;
  }
  if ((path == "/api" || path.starts_with("/api/")) && !has_cache_control) {
    r.headers.emplace_back("Cache-Control", "no-store");
  }
}

namespace {

bool is_change(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "DELETE";
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? "" : path.substr(slash);
  }
  return out;
}

// {name} matches one non-empty segment; the rest must be equal.
bool matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string, std::less<>>& params) {
  auto want = segments(pattern), got = segments(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string, std::less<>> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (got[i].empty()) return false;
      found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::string(got[i]));
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

std::string header(const Request& r, std::string_view name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

}  // namespace

std::string request_cookie(const Request& r, std::string_view name) {
  std::string_view all = r.headers.count("cookie") ? std::string_view(r.headers.at("cookie")) : "";
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    all = semi == std::string_view::npos ? "" : all.substr(semi + 1);
    while (part.starts_with(' ')) part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
  }
  return "";
}

namespace {

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Admission admit(const Router& router, Request& r) {
  const bool api = r.path == "/api" || r.path.starts_with("/api/");
  const bool login = r.method == "POST" && r.path == "/api/login";
  if (api && !login) {
    std::optional<SessionView> session;
    if (auto token = request_cookie(r, kSessionCookie); !token.empty() && router.sessions) {
      session = router.sessions(token);
    }
    if (!session) {
      return {nullptr, json_error(401, say(r, "Please sign in first.", "请先登录。"))};
    }
    r.user = session->user;
    if (is_change(r.method) && !same_secret(header(r, "x-csrf-token"), session->csrf)) {
      return {nullptr, json_error(403, say(r,
                                           "The page's security token is missing or old: reload "
                                           "the page and try again.",
                                           "页面的安全令牌缺失或已过期：请刷新页面后重试。"))};
    }
  }
  bool path_known = false;
  for (const Route& route : router.routes) {
    std::map<std::string, std::string, std::less<>> params;
    if (!matches(route.pattern, r.path, params)) continue;
    path_known = true;
    if (route.method != r.method) continue;
    if (route.permission != Permission::open) {
      if (!r.user) {
        return {nullptr, json_error(401, say(r, "Please sign in first.", "请先登录。"))};
      }
      if (!allows(r.user->role, route.permission)) {
        return {nullptr,
                json_error(403, say(r, "Your account may not do this; ask an administrator.",
                                    "您的账户无权执行此操作，请联系管理员。"))};
      }
    }
    r.params = std::move(params);
    return {&route, std::nullopt};
  }
  if (path_known) {
    return {nullptr, json_error(405, say(r, "This address does not accept " + r.method + ".",
                                         "此地址不支持 " + r.method + " 请求。"))};
  }
  if (!api && r.method == "GET" && !router.web_dir.empty()) return {nullptr, std::nullopt};
  return {nullptr,
          json_error(404, say(r, "No such address: " + r.path, "没有这个地址：" + r.path))};
}

// ---------------------------------------------------------------------------------------------
// Static files

fs::path default_web_dir() {
  if (const char* env = std::getenv("SIGNAGE_STUDIO_WEB_DIR"); env && *env) return env;
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "signage-player" / "studio-web";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return SIGNAGE_SOURCE_STUDIO_WEB_DIR;
}

namespace {

std::string content_type_of(const fs::path& file) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto ext = file.extension().string();
  for (auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

constexpr std::uint64_t kMaxStaticBytes = 8 << 20;

}  // namespace

Response serve_static(const fs::path& web_dir, const Request& r) {
  auto not_found = [&] {
    return json_error(404, say(r, "No such page: " + r.path, "没有这个页面：" + r.path));
  };
  std::string rel = r.path == "/" ? "index.html" : r.path.substr(1);
  // Each segment a plain name: no "..", no ".", no dot files, no empty segments.
  const std::string rooted = "/" + rel;  // segments() views into it
  for (auto seg : segments(rooted)) {
    if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos) {
      return not_found();
    }
  }
  std::error_code ec;
  auto root = fs::canonical(web_dir, ec);
  if (ec) return not_found();
  auto file = fs::canonical(root / rel, ec);  // resolves symlinks: where it really is
  if (ec) return not_found();
  auto [end, _] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (end != root.end() || !fs::is_regular_file(file, ec)) return not_found();
  auto bytes = files::read_file(file, kMaxStaticBytes);
  if (!bytes) return not_found();
  Response out;
  out.content_type = content_type_of(file);
  out.body = std::move(*bytes);
  out.headers.emplace_back("Cache-Control", "no-cache");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sockets

int listen_socket(const ServerOptions& options, std::string* error) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (options.port < 0 || options.port > 65535) {
    if (error) *error = "the port must be 0..65535";
    return -1;
  }
  if (inet_pton(AF_INET, options.listen_address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(options.port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, options.listen_address.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(options.port));
    len = sizeof(*v6);
  } else {
    if (error) *error = "listen: '" + options.listen_address + "' is not an IPv4 or IPv6 address";
    return -1;
  }
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 64) != 0) {
    if (error) {
      *error = "cannot listen on " + options.listen_address + " port " +
               std::to_string(options.port) + ": " + std::strerror(errno);
    }
    close(fd);
    return -1;
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

// ---------------------------------------------------------------------------------------------
// libmicrohttpd

struct DaemonDeleter {
  void operator()(MHD_Daemon* d) const { MHD_stop_daemon(d); }
};

struct HttpServer::State {
  Router router;
  ServerLimits limits;
  std::string tls_cert, tls_key;  // MHD keeps pointers to these for the daemon's life
  std::unique_ptr<MHD_Daemon, DaemonDeleter> daemon;
};

namespace {

// One request's state across libmicrohttpd's calls (headers, then body pieces, then the end).
struct Exchange {
  Request request;
  const Route* route = nullptr;
  std::size_t body_limit = 0;
  bool too_large = false;
  bool answered = false;
};

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* headers = static_cast<std::map<std::string, std::string, std::less<>>*>(cls);
  std::string name(key);
  for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  auto [it, fresh] = headers->emplace(name, value ? value : "");
  if (!fresh) it->second += std::string(", ") + (value ? value : "");
  return MHD_YES;
}

MHD_Result collect_query(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* query = static_cast<std::map<std::string, std::string, std::less<>>*>(cls);
  query->emplace(key, value ? value : "");
  return MHD_YES;
}

std::string client_ip(MHD_Connection* c) {
  auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "";
  char text[INET6_ADDRSTRLEN] = "";
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  }
  return text;
}

// One line per request on stderr: never the body, the query, cookies or tokens. The path is
// decoded: its control characters are shown as '?', so a %0A cannot forge a line of the log.
void log_request(const Request& r, int status) {
  std::string path = r.path;
  for (char& c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  std::fprintf(stderr, "signage-studio: %s %s %d %s\n", r.method.c_str(), path.c_str(), status,
               r.user ? r.user->name.c_str() : "-");
}

MHD_Result send(MHD_Connection* c, Exchange& x, Response response) {
  x.answered = true;
  add_security_headers(x.request.path, response);
  log_request(x.request, response.status);
  MHD_Response* out = MHD_create_response_from_buffer(response.body.size(), response.body.data(),
                                                      MHD_RESPMEM_MUST_COPY);
  if (!out) return MHD_NO;
  MHD_add_response_header(out, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  for (auto& [name, value] : response.headers) {
    MHD_add_response_header(out, name.c_str(), value.c_str());
  }
  MHD_Result ok = MHD_queue_response(c, unsigned(response.status), out);
  MHD_destroy_response(out);
  return ok;
}

Response too_large(const Request& r, std::size_t limit) {
  return json_error(
      413,
      say(r, "What was sent is too large (at most " + std::to_string(limit / 1024) + " KB here).",
          "发送的内容太大（此处最多 " + std::to_string(limit / 1024) + " KB）。"));
}

Response run_handler(const Route& route, const Request& r) {
  try {
    return route.handler(r);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "signage-studio: %s %s failed: %s\n", r.method.c_str(), r.path.c_str(),
                 e.what());
    return json_error(500, say(r, "The studio failed to do this; the log says why.",
                               "工作室处理失败，原因见日志。"));
  }
}

MHD_Result answer(HttpServer::State& state, MHD_Connection* c, const char* url, const char* method,
                  const char* upload_data, size_t* upload_size, void** slot) {
  auto* x = static_cast<Exchange*>(*slot);
  if (!x) {  // the headers are in, the body is not read yet: judge the request now
    x = new Exchange;
    *slot = x;
    Request& r = x->request;
    r.method = method;
    r.path = url;
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &r.headers);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, &r.query);
    r.client_ip = client_ip(c);
    r.lang = language_of(r.headers.count("accept-language") ? r.headers["accept-language"] : "");
    Admission admission = admit(state.router, r);
    if (admission.refusal) return send(c, *x, std::move(*admission.refusal));
    x->route = admission.route;
    x->body_limit = x->route ? x->route->max_body_bytes : state.limits.max_request_bytes;
    if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
      char* end = nullptr;
      unsigned long long declared = std::strtoull(it->second.c_str(), &end, 10);
      if (declared > x->body_limit) return send(c, *x, too_large(r, x->body_limit));
    }
    return MHD_YES;
  }
  if (*upload_size > 0) {  // a piece of the body
    if (!x->answered && !x->too_large) {
      if (x->request.body.size() + *upload_size > x->body_limit) {
        x->too_large = true;  // the rest is read and dropped; 413 at the end
        x->request.body.clear();
        x->request.body.shrink_to_fit();
      } else {
        x->request.body.append(upload_data, *upload_size);
      }
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (x->answered) return MHD_YES;
  if (x->too_large) return send(c, *x, too_large(x->request, x->body_limit));
  if (!x->route) return send(c, *x, serve_static(state.router.web_dir, x->request));
  return send(c, *x, run_handler(*x->route, x->request));
}

// libmicrohttpd is C: an exception must not unwind through it (std::terminate would stop the
// studio). What a handler throws is answered in run_handler; this catches the rest.
MHD_Result on_request(void* cls, MHD_Connection* c, const char* url, const char* method,
                      const char*, const char* upload_data, size_t* upload_size, void** slot) {
  try {
    return answer(*static_cast<HttpServer::State*>(cls), c, url, method, upload_data, upload_size,
                  slot);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "signage-studio: %s %s failed: %s\n", method, url, e.what());
    return MHD_NO;  // libmicrohttpd closes the connection
  }
}

void on_completed(void*, MHD_Connection*, void** slot, MHD_RequestTerminationCode) {
  delete static_cast<Exchange*>(*slot);
  *slot = nullptr;
}

void on_mhd_error(void*, const char* format, va_list ap) {
  std::fputs("signage-studio: http: ", stderr);
  std::vfprintf(stderr, format, ap);
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
HttpServer::~HttpServer() = default;

std::optional<TlsPem> read_tls(const ServerOptions& options, std::string* error) {
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return std::nullopt;
  std::string why;
  auto cert = files::read_file(options.tls_cert_file, 1 << 20, &why);
  auto key = cert ? files::read_file(options.tls_key_file, 1 << 20, &why) : std::nullopt;
  if (!cert || !key) {
    if (error) *error = "TLS: " + why;
    return std::nullopt;
  }
  return TlsPem{std::move(*cert), std::move(*key)};
}

std::unique_ptr<HttpServer> HttpServer::start(int listen_fd, const ServerOptions& options,
                                              std::optional<TlsPem> tls_pem, Router router,
                                              std::string* error) {
  auto state = std::make_unique<State>();
  state->router = std::move(router);
  state->limits = options.limits;
  const bool tls = tls_pem.has_value();
  if (tls) {
    state->tls_cert = std::move(tls_pem->cert);
    state->tls_key = std::move(tls_pem->key);
  }
  // A small pool of threads rather than one polling thread: a login spends ~50 ms in Argon2 and
  // a preview renders for longer; with one thread every other request would wait behind them.
  // Four threads keep the memory small (their stacks are mostly untouched) on a 2-core Pi.
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
  if (tls) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> opts = {
      {MHD_OPTION_EXTERNAL_LOGGER, intptr_t(&on_mhd_error), nullptr},  // first: catches all
      {MHD_OPTION_LISTEN_SOCKET, listen_fd, nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, kServerThreads, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, intptr_t(options.limits.max_connections), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, intptr_t(options.limits.max_connections_per_ip),
       nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, options.limits.connection_timeout_s, nullptr},
      // The headers of one request must fit here (the body is handed over in pieces).
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 << 10, nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, intptr_t(&on_completed), nullptr},
  };
  if (tls) {
    opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, state->tls_cert.data()});
    opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, state->tls_key.data()});
  }
  opts.push_back({MHD_OPTION_END, 0, nullptr});
  MHD_Daemon* daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &on_request, state.get(),
                                        MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
  if (!daemon) {
    if (error) *error = "libmicrohttpd could not start (see the message above)";
    return nullptr;
  }
  state->daemon.reset(daemon);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

}  // namespace signage::studio
