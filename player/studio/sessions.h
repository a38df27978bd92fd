// Sign-in sessions (in memory: a restart signs everyone out), the login rate limit, and
// POST /api/login, POST /api/logout, GET /api/me.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "studio/accounts.h"
#include "studio/http_server.h"

namespace signage::studio {

using SessionClock = std::chrono::steady_clock;

struct SessionLimits {
  std::chrono::seconds idle{8 * 3600};  // unused this long: signed out
  std::size_t max_sessions = 256;       // more: the longest unused one goes
};

// Sessions keyed by a hash of their token (the token itself is only in the browser's cookie).
// A session follows its account: a removed account or a changed password ends it, a changed role
// applies at the next request.
class Sessions {
 public:
  explicit Sessions(Accounts& accounts, SessionLimits limits = {})
      : accounts_(accounts), limits_(limits) {}

  struct Created {
    std::string token, csrf;
  };
  Created create(const Account& account);
  std::optional<SessionView> find(std::string_view token);
  void remove(std::string_view token);

 private:
  struct Session {
    std::string name, csrf, password_stamp;
    SessionClock::time_point last_used;
  };
  Accounts& accounts_;
  SessionLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
};

// Wrong passwords, counted per client address and per account name. The `free_failures`th
// wrong one in a row locks the key for 1 s, each further one for 2, 4, ... s (at most 15 min);
// while locked, logins answer 429 without trying the password. A right password clears both.
struct LoginLimits {
  int free_failures_per_name = 5;
  int free_failures_per_ip = 20;  // a community center's staff share one address
  std::chrono::seconds max_lock{900};
  std::size_t max_tracked = 4096;  // keys remembered; beyond, unlocked ones are forgotten
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {}) : limits_(limits) {}
  // 0, or the seconds until the address or the name may try again.
  long retry_after_s(std::string_view ip, std::string_view name);
  void failed(std::string_view ip, std::string_view name);
  void succeeded(std::string_view ip, std::string_view name);

 private:
  struct Strikes {
    int failures = 0;
    SessionClock::time_point locked_until{};
  };
  void strike(std::map<std::string, Strikes, std::less<>>& table, std::string_view key, int free);
  LoginLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Strikes, std::less<>> by_ip_, by_name_;
};

// POST /api/login, POST /api/logout, GET /api/me. `secure_cookie`: under TLS (the cookie's
// Secure attribute).
std::vector<Route> session_routes(Sessions& sessions, Accounts& accounts, LoginLimiter& limiter,
                                  bool secure_cookie);

}  // namespace signage::studio
