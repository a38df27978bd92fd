// Accounts (users.json) and the settings an admin changes in the page (settings.json).
//
// users.json: {"users": [{"name", "role", "password_hash": "$argon2id$..."}]}, mode 0600,
// replaced atomically. Passwords are hashed with libsodium's crypto_pwhash_str (Argon2id).
// settings.json: {"require_approval": bool}. Other parts read it with read_settings() or
// require_approval(paths).
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "studio/http_server.h"
#include "studio/studio.h"

namespace signage::studio {

// Argon2id at OWASP's minimum (m = 19 MiB, t = 2, one lane): a login costs ~19 MiB for a few
// tens of milliseconds, and Accounts hashes one password at a time, so logins never take the
// studio past its 64 MB goal even when several arrive together.
inline constexpr unsigned long long kPasswordOpsLimit = 2;
inline constexpr std::size_t kPasswordMemLimit = 19u << 20;
inline constexpr std::size_t kMinPasswordBytes = 8, kMaxPasswordBytes = 1024;

struct Account {
  std::string name;
  Role role = Role::editor;
  std::string password_hash;
};

// What went wrong, for people, in both languages, with the HTTP status it answers.
struct Problem {
  int status = 400;
  std::string en, zh;
  Response response(const Request& r) const { return json_error(status, say(r, en, zh)); }
  std::string text() const { return en; }
};

std::optional<Problem> check_user_name(std::string_view name);
std::optional<Problem> check_password(std::string_view password);

// The accounts in users.json. Thread-safe; re-reads the file when it changed on disk (add-user
// run beside a running studio).
class Accounts {
 public:
  explicit Accounts(std::filesystem::path users_file) : file_(std::move(users_file)) {}

  std::optional<Account> find(std::string_view name);
  std::vector<Account> list();
  // The account when `password` is its password; a name that does not exist costs the same.
  std::optional<Account> verify(std::string_view name, std::string_view password);

  std::optional<Problem> add(std::string_view name, std::string_view password, Role role);
  // Changes the role and/or the password; the last admin keeps the admin role.
  std::optional<Problem> update(std::string_view name, std::optional<Role> role,
                                std::optional<std::string_view> password);
  std::optional<Problem> remove(std::string_view name);  // not the last admin

 private:
  std::optional<Problem> load_locked();
  std::optional<Problem> save_locked();
  std::vector<Account>::iterator find_locked(std::string_view name);  // end() when none
  static Problem no_such_user(std::string_view name);
  std::string hash(std::string_view password);

  std::filesystem::path file_;
  std::mutex mutex_;       // the accounts
  std::mutex hash_mutex_;  // one Argon2 buffer at a time
  std::vector<Account> accounts_;
  std::string loaded_stamp_;  // inode, size and mtime of what accounts_ came from
  std::string dummy_hash_;    // verified against for unknown names
};

struct Settings {
  bool require_approval = false;
};
std::filesystem::path settings_file(const StudioPaths& paths);
Settings read_settings(const StudioPaths& paths);  // defaults when there is no file
bool require_approval(const StudioPaths& paths);

// GET/POST /api/users, PUT/DELETE /api/users/{name}, GET/PUT /api/settings (admin).
std::vector<Route> account_routes(Accounts& accounts, const StudioPaths& paths);

}  // namespace signage::studio
