// Sessions, the login rate limit and the sign-in routes.
#include "studio/sessions.h"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace signage::studio {
using nlohmann::json;

namespace {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

// The key a session is stored under: a lookup never compares the secret itself.
std::string digest(std::string_view text) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

}  // namespace

Sessions::Created Sessions::create(const Account& account) {
  Created made{random_hex(32), random_hex(32)};
  std::lock_guard lock(mutex_);
  auto now = SessionClock::now();
  std::erase_if(sessions_, [&](const auto& s) { return now - s.second.last_used > limits_.idle; });
  while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    sessions_.erase(oldest);
  }
  sessions_[digest(made.token)] = {account.name, made.csrf, digest(account.password_hash), now};
  return made;
}

std::optional<SessionView> Sessions::find(std::string_view token) {
  Session session;
  std::string key = digest(token);
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return std::nullopt;
    if (SessionClock::now() - it->second.last_used > limits_.idle) {
      sessions_.erase(it);
      return std::nullopt;
    }
    it->second.last_used = SessionClock::now();
    session = it->second;
  }
  auto account = accounts_.find(session.name);
  if (!account || digest(account->password_hash) != session.password_stamp) {
    remove(token);
    return std::nullopt;
  }
  return SessionView{{account->name, account->role}, session.csrf};
}

void Sessions::remove(std::string_view token) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(digest(token)); it != sessions_.end()) sessions_.erase(it);
}

// ---------------------------------------------------------------------------------------------

long LoginLimiter::retry_after_s(std::string_view ip, std::string_view name) {
  std::lock_guard lock(mutex_);
  auto now = SessionClock::now();
  SessionClock::time_point until{};
  for (auto* table : {&by_ip_, &by_name_}) {
    auto it = table->find(table == &by_ip_ ? ip : name);
    if (it != table->end()) until = std::max(until, it->second.locked_until);
  }
  if (until <= now) return 0;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
  return (ms + 999) / 1000;
}

void LoginLimiter::strike(std::map<std::string, Strikes, std::less<>>& table, std::string_view key,
                          int free) {
  auto now = SessionClock::now();
  if (table.size() >= limits_.max_tracked) {
    std::erase_if(table, [&](const auto& e) { return e.second.locked_until <= now; });
    if (table.size() >= limits_.max_tracked) table.clear();  // a flood: forget rather than grow
  }
  Strikes& s = table[std::string(key)];
  ++s.failures;
  int over = s.failures - free;  // the free'th failure locks for 1 s, the next for 2 s, ...
  if (over >= 0) {
    auto lock = std::chrono::seconds(1LL << std::min(over, 20));
    s.locked_until = now + std::min<std::chrono::seconds>(lock, limits_.max_lock);
  }
}

void LoginLimiter::failed(std::string_view ip, std::string_view name) {
  std::lock_guard lock(mutex_);
  strike(by_ip_, ip, limits_.free_failures_per_ip);
  strike(by_name_, name, limits_.free_failures_per_name);
}

void LoginLimiter::succeeded(std::string_view ip, std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto it = by_ip_.find(ip); it != by_ip_.end()) by_ip_.erase(it);
  if (auto it = by_name_.find(name); it != by_name_.end()) by_name_.erase(it);
}

// ---------------------------------------------------------------------------------------------

namespace {

std::string session_cookie(std::string_view token, bool secure, bool expire) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(token) +
                  "; HttpOnly; SameSite=Strict; Path=/";
  if (secure) c += "; Secure";
  if (expire) c += "; Max-Age=0";
  return c;
}

Response me(const Account& a, const std::string& csrf) {
  return json_response(json{{"name", a.name}, {"role", role_name(a.role)}, {"csrf", csrf}}.dump());
}

}  // namespace

std::vector<Route> session_routes(Sessions& sessions, Accounts& accounts, LoginLimiter& limiter,
                                  bool secure) {
  std::vector<Route> routes;
  routes.push_back(
      {"POST", "/api/login", Permission::open, 4 << 10, [&, secure](const Request& r) {
         // The one change without a CSRF token: JSON only, which a form on another site
         // cannot send without the browser asking this server first (and it never agrees).
         auto type = r.headers.find("content-type");
         if (type == r.headers.end() || !type->second.starts_with("application/json")) {
           return json_error(415, say(r, "A login is sent as JSON.", "登录请求须为 JSON。"));
         }
         json doc = parse_json_body(r.body);
         if (!doc.is_object() || !doc.contains("name") || !doc["name"].is_string() ||
             !doc.contains("password") || !doc["password"].is_string()) {
           return json_error(400, say(r, "Give a name and a password.", "请输入用户名和密码。"));
         }
         std::string name = doc["name"], password = doc["password"];
         if (long wait = limiter.retry_after_s(r.client_ip, name); wait > 0) {
           Response out = json_response(
               json{{"error", say(r,
                                  "Too many wrong passwords. Try again in " + std::to_string(wait) +
                                      " seconds.",
                                  "密码错误次数过多，请 " + std::to_string(wait) + " 秒后再试。")},
                    {"retry_after_s", wait}}
                   .dump(),
               429);
           out.headers.emplace_back("Retry-After", std::to_string(wait));
           return out;
         }
         auto account = accounts.verify(name, password);
         if (!account) {
           limiter.failed(r.client_ip, name);
           return json_error(401, say(r, "Wrong name or password.", "用户名或密码错误。"));
         }
         limiter.succeeded(r.client_ip, name);
         auto made = sessions.create(*account);
         Response out = me(*account, made.csrf);
         out.headers.emplace_back("Set-Cookie", session_cookie(made.token, secure, false));
         return out;
       }});
  routes.push_back(
      {"POST", "/api/logout", Permission::signed_in, 4 << 10, [&, secure](const Request& r) {
         sessions.remove(request_cookie(r, kSessionCookie));
         Response out = json_response("{}");
         out.headers.emplace_back("Set-Cookie", session_cookie("", secure, true));
         return out;
       }});
  routes.push_back({"GET", "/api/me", Permission::signed_in, 0, [&](const Request& r) {
                      auto view = sessions.find(request_cookie(r, kSessionCookie));
                      auto account = accounts.find(r.user->name);
                      if (!view || !account)
                        return json_error(401, say(r, "Please sign in first.", "请先登录。"));
                      return me(*account, view->csrf);
                    }});
  return routes;
}

}  // namespace signage::studio
