// users.json and settings.json, and the admin's routes over them.
#include "studio/accounts.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "files/files.h"

namespace signage::studio {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uint64_t kMaxUsersFileBytes = 1 << 20;

Problem problem(int status, std::string en, std::string zh) {
  return Problem{status, std::move(en), std::move(zh)};
}

std::string file_stamp(const fs::path& file) {
  struct stat st {};
  if (stat(file.c_str(), &st) != 0) return "none";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::size_t admins(const std::vector<Account>& accounts) {
  return std::count_if(accounts.begin(), accounts.end(),
                       [](const Account& a) { return a.role == Role::admin; });
}

}  // namespace

std::optional<Problem> check_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return problem(400, "A user name has 1 to 64 characters.", "用户名须为 1 到 64 个字符。");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ' ' || c == '"') {
      return problem(400,
                     "A user name may not contain spaces, slashes, quotes or control characters.",
                     "用户名不能包含空格、斜杠、引号或控制字符。");
    }
  }
  try {
    (void)json(std::string(name)).dump();  // throws on bytes that are not UTF-8
  } catch (const json::exception&) {
    return problem(400, "A user name must be UTF-8 text.", "用户名必须是 UTF-8 文本。");
  }
  return std::nullopt;
}

std::optional<Problem> check_password(std::string_view password) {
  if (password.size() < kMinPasswordBytes) {
    return problem(400, "A password needs at least 8 characters.", "密码至少需要 8 个字符。");
  }
  if (password.size() > kMaxPasswordBytes) {
    return problem(400, "A password may have at most 1024 characters.", "密码最多 1024 个字符。");
  }
  return std::nullopt;
}

std::string Accounts::hash(std::string_view password) {
  std::lock_guard lock(hash_mutex_);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kPasswordOpsLimit,
                            kPasswordMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return "";  // out of memory
  }
  return out;
}

std::optional<Problem> Accounts::load_locked() {
  std::string stamp = file_stamp(file_);
  if (stamp == loaded_stamp_) return std::nullopt;
  std::vector<Account> loaded;
  if (stamp != "none") {
    std::string why;
    auto bytes = files::read_file(file_, kMaxUsersFileBytes, &why);
    if (!bytes) return problem(500, why, "无法读取账户文件：" + why);
    try {
      json doc = json::parse(*bytes);
      for (const json& u : doc.at("users")) {
        auto role = parse_role(u.at("role").get<std::string>());
        if (!role) throw std::runtime_error("unknown role " + u.at("role").dump());
        loaded.push_back(
            {u.at("name").get<std::string>(), *role, u.at("password_hash").get<std::string>()});
      }
    } catch (const std::exception& e) {
      return problem(500, file_.string() + " is damaged: " + e.what(),
                     file_.string() + " 已损坏：" + e.what());
    }
  }
  accounts_ = std::move(loaded);
  loaded_stamp_ = stamp;
  return std::nullopt;
}

std::optional<Problem> Accounts::save_locked() {
  json users = json::array();
  for (const Account& a : accounts_) {
    users.push_back(
        {{"name", a.name}, {"role", role_name(a.role)}, {"password_hash", a.password_hash}});
  }
  std::string why;
  if (!files::replace_file(file_, json{{"users", users}}.dump(2) + "\n", 0600, &why)) {
    return problem(500, "Cannot save the accounts: " + why, "无法保存账户：" + why);
  }
  loaded_stamp_ = file_stamp(file_);
  return std::nullopt;
}

std::optional<Account> Accounts::find(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (load_locked()) return std::nullopt;
  for (const Account& a : accounts_) {
    if (a.name == name) return a;
  }
  return std::nullopt;
}

std::vector<Account> Accounts::list() {
  std::lock_guard lock(mutex_);
  load_locked();
  return accounts_;
}

std::optional<Account> Accounts::verify(std::string_view name, std::string_view password) {
  auto account = find(name);
  std::string against;
  if (account) {
    against = account->password_hash;
  } else {
    std::lock_guard lock(mutex_);
    if (dummy_hash_.empty()) dummy_hash_ = hash("not a password of anyone");
    against = dummy_hash_;
  }
  if (password.size() > kMaxPasswordBytes) return std::nullopt;
  int verdict;
  {
    std::lock_guard lock(hash_mutex_);
    verdict = crypto_pwhash_str_verify(against.c_str(), password.data(), password.size());
  }
  if (verdict != 0 || !account) return std::nullopt;
  return account;
}

std::optional<Problem> Accounts::add(std::string_view name, std::string_view password, Role role) {
  if (auto p = check_user_name(name)) return p;
  if (auto p = check_password(password)) return p;
  std::string hashed = hash(password);  // before the lock: other requests go on meanwhile
  if (hashed.empty()) return problem(500, "Out of memory hashing the password.", "内存不足。");
  std::lock_guard lock(mutex_);
  if (auto p = load_locked()) return p;
  for (const Account& a : accounts_) {
    if (a.name == name) {
      return problem(409, "There is already a user named " + std::string(name) + ".",
                     "已有名为 " + std::string(name) + " 的用户。");
    }
  }
  accounts_.push_back({std::string(name), role, std::move(hashed)});
  if (auto p = save_locked()) {
    accounts_.pop_back();
    return p;
  }
  return std::nullopt;
}

std::optional<Problem> Accounts::update(std::string_view name, std::optional<Role> role,
                                        std::optional<std::string_view> password) {
  std::string hashed;
  if (password) {
    if (auto p = check_password(*password)) return p;
    hashed = hash(*password);
    if (hashed.empty()) return problem(500, "Out of memory hashing the password.", "内存不足。");
  }
  std::lock_guard lock(mutex_);
  if (auto p = load_locked()) return p;
  auto it = find_locked(name);
  if (it == accounts_.end()) return no_such_user(name);
  if (role && it->role == Role::admin && *role != Role::admin && admins(accounts_) == 1) {
    return problem(409, "This is the last administrator: make another user admin first.",
                   "这是最后一位管理员：请先把另一位用户设为管理员。");
  }
  Account before = *it;
  if (role) it->role = *role;
  if (password) it->password_hash = std::move(hashed);
  if (auto p = save_locked()) {
    *it = before;
    return p;
  }
  return std::nullopt;
}

std::vector<Account>::iterator Accounts::find_locked(std::string_view name) {
  return std::find_if(accounts_.begin(), accounts_.end(),
                      [&](const Account& a) { return a.name == name; });
}

Problem Accounts::no_such_user(std::string_view name) {
  return problem(404, "There is no user named " + std::string(name) + ".",
                 "没有名为 " + std::string(name) + " 的用户。");
}

std::optional<Problem> Accounts::remove(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto p = load_locked()) return p;
  auto it = find_locked(name);
  if (it == accounts_.end()) return no_such_user(name);
  if (it->role == Role::admin && admins(accounts_) == 1) {
    return problem(409, "This is the last administrator and cannot be removed.",
                   "这是最后一位管理员，不能删除。");
  }
  Account before = *it;
  auto at = accounts_.erase(it);
  if (auto p = save_locked()) {
    accounts_.insert(at, before);
    return p;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Settings

fs::path settings_file(const StudioPaths& paths) {
  return paths.data_dir / "settings.json";
}

Settings read_settings(const StudioPaths& paths) {
  Settings s;
  auto bytes = files::read_file(settings_file(paths), 64 << 10);
  if (!bytes) return s;
  json doc = json::parse(*bytes, nullptr, false);
  if (doc.is_object() && doc.contains("require_approval") && doc["require_approval"].is_boolean()) {
    s.require_approval = doc["require_approval"].get<bool>();
  }
  return s;
}

bool require_approval(const StudioPaths& paths) {
  return read_settings(paths).require_approval;
}

// ---------------------------------------------------------------------------------------------
// Routes

namespace {

std::optional<json> body_object(const Request& r) {
  json doc = parse_json_body(r.body);
  if (!doc.is_object()) return std::nullopt;
  return doc;
}

Response not_json(const Request& r) {
  return json_error(400, say(r, "The request is not a JSON object.", "请求不是 JSON 对象。"));
}

json user_json(const Account& a) {
  return {{"name", a.name}, {"role", role_name(a.role)}};
}

// A string field, or nullopt when absent; `bad` is set when present but not a string.
std::optional<std::string> string_field(const json& doc, const char* key, bool& bad) {
  if (!doc.contains(key)) return std::nullopt;
  if (!doc[key].is_string()) {
    bad = true;
    return std::nullopt;
  }
  return doc[key].get<std::string>();
}

Response wrong_field(const Request& r, const char* key) {
  return json_error(400, say(r, std::string("The field \"") + key + "\" is missing or not valid.",
                             std::string("字段 \"") + key + "\" 缺失或无效。"));
}

Response bad_role(const Request& r) {
  return json_error(400, say(r, "The role must be editor, approver, alert_sender or admin.",
                             "角色必须是 editor、approver、alert_sender 或 admin。"));
}

}  // namespace

std::vector<Route> account_routes(Accounts& accounts, const StudioPaths& paths) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/users", Permission::administer, 0, [&accounts](const Request&) {
                      json out = json::array();
                      for (const Account& a : accounts.list()) out.push_back(user_json(a));
                      return json_response(out.dump());
                    }});
  routes.push_back(
      {"POST", "/api/users", Permission::administer, 8 << 10, [&accounts](const Request& r) {
         auto doc = body_object(r);
         if (!doc) return not_json(r);
         bool bad = false;
         auto name = string_field(*doc, "name", bad);
         auto password = string_field(*doc, "password", bad);
         auto role_text = string_field(*doc, "role", bad);
         if (bad || !name) return wrong_field(r, "name");
         if (!password) return wrong_field(r, "password");
         auto role = parse_role(role_text.value_or(""));
         if (!role) return bad_role(r);
         if (auto p = accounts.add(*name, *password, *role)) return p->response(r);
         return json_response(json{{"name", *name}, {"role", role_name(*role)}}.dump(), 201);
       }});
  routes.push_back(
      {"PUT", "/api/users/{name}", Permission::administer, 8 << 10, [&accounts](const Request& r) {
         auto doc = body_object(r);
         if (!doc) return not_json(r);
         bool bad = false;
         auto password = string_field(*doc, "password", bad);
         auto role_text = string_field(*doc, "role", bad);
         if (bad) return wrong_field(r, "role/password");
         std::optional<Role> role;
         if (role_text) {
           role = parse_role(*role_text);
           if (!role) return bad_role(r);
         }
         std::optional<std::string_view> pw;
         if (password) pw = *password;
         const std::string& name = r.params.at("name");
         if (auto p = accounts.update(name, role, pw)) return p->response(r);
         auto now = accounts.find(name);
         if (!now) return json_error(404, "");
         return json_response(user_json(*now).dump());
       }});
  routes.push_back(
      {"DELETE", "/api/users/{name}", Permission::administer, 0, [&accounts](const Request& r) {
         const std::string& name = r.params.at("name");
         if (auto p = accounts.remove(name)) return p->response(r);
         return json_response(json{{"deleted", name}}.dump());
       }});
  routes.push_back({"GET", "/api/settings", Permission::administer, 0, [paths](const Request&) {
                      return json_response(
                          json{{"require_approval", read_settings(paths).require_approval}}.dump());
                    }});
  routes.push_back(
      {"PUT", "/api/settings", Permission::administer, 8 << 10, [paths](const Request& r) {
         auto doc = body_object(r);
         if (!doc) return not_json(r);
         if (!doc->contains("require_approval") || !(*doc)["require_approval"].is_boolean()) {
           return wrong_field(r, "require_approval");
         }
         json out{{"require_approval", (*doc)["require_approval"].get<bool>()}};
         std::string why;
         if (!files::replace_file(settings_file(paths), out.dump(2) + "\n", 0600, &why)) {
           return json_error(500,
                             say(r, "Cannot save the settings: " + why, "无法保存设置：" + why));
         }
         return json_response(out.dump());
       }});
  return routes;
}

}  // namespace signage::studio
