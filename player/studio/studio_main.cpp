// signage-studio: serves the studio (the page and its API), or adds an account.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "files/files.h"
#include "run/player.h"
#include "run/service_manager.h"
#include "studio/accounts.h"
#include "studio/fleet_watch.h"
#include "studio/http_server.h"
#include "studio/previews.h"
#include "studio/sessions.h"
#include "studio/studio_settings.h"
#include "studio/uploads.h"
#include "studio/workspace.h"

namespace signage::studio {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "signage-studio: %s\n", message.c_str());
  return 2;
}

// Started as root: become `user` (its group, no supplementary groups). Not root: nothing to do,
// unless another user is asked for, which only root can become. "" or the problem.
std::string drop_privileges(const std::string& user) {
  if (geteuid() != 0) {
    if (user.empty()) return "";
    passwd* me = getpwuid(geteuid());
    if (me && user == me->pw_name) return "";
    return "run_as " + user + " needs the studio to be started as root";
  }
  if (user.empty()) {
    return "refusing to run as root: a bug in a web server run as root gives away the whole "
           "machine. Give --run-as USER (e.g. --run-as signage-studio), or start it as that user";
  }
  passwd* pw = getpwnam(user.c_str());
  if (!pw) return "run_as: there is no user \"" + user + "\"";
  if (pw->pw_uid == 0) return "run_as: " + user + " is root; name an unprivileged user";
  if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    return "cannot become " + user + ": " + std::strerror(errno);
  }
  if (setuid(0) == 0) return "still able to become root after switching to " + user;
  return "";
}

std::string make_data_dir(const std::filesystem::path& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return "cannot make the data dir " + dir.string() + ": " + std::strerror(errno);
  }
  if (access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return "the data dir " + dir.string() +
           " is not writable by this user: " + std::strerror(errno);
  }
  return "";
}

// One line from stdin; on a terminal asked twice, without echo.
std::optional<std::string> read_password(std::string* problem) {
  auto line = [] {
    std::string s;
    if (!std::getline(std::cin, s)) return std::optional<std::string>();
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return std::optional<std::string>(s);
  };
  if (!isatty(STDIN_FILENO)) {
    auto pw = line();
    if (!pw) *problem = "no password on stdin (one line)";
    return pw;
  }
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~tcflag_t(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::fputs("Password: ", stderr);
  auto first = line();
  std::fputs("\nAgain: ", stderr);
  auto second = line();
  std::fputs("\n", stderr);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  if (!first || !second || *first != *second) {
    *problem = "the two passwords differ";
    return std::nullopt;
  }
  return first;
}

int add_user(const std::vector<std::string>& args) {
  StudioSettings s;
  bool help = false;
  std::vector<std::string> rest;
  if (auto problem = load_studio_settings(args, s, &help, &rest); !problem.empty()) {
    return fail(problem);
  }
  if (help) {
    std::fputs(studio_usage().c_str(), stdout);
    return 0;
  }
  std::string name, role_text;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--role" && i + 1 < rest.size()) {
      role_text = rest[++i];
    } else if (rest[i].starts_with("--role=")) {
      role_text = rest[i].substr(7);
    } else if (name.empty() && !rest[i].starts_with("-")) {
      name = rest[i];
    } else {
      return fail("add-user: unexpected " + rest[i] + " (see --help)");
    }
  }
  auto role = parse_role(role_text);
  if (name.empty() || !role) {
    return fail("usage: signage-studio add-user NAME --role editor|approver|alert_sender|admin");
  }
  if (auto problem = drop_privileges(s.run_as); !problem.empty()) return fail(problem);
  if (auto problem = make_data_dir(s.paths.data_dir); !problem.empty()) return fail(problem);
  std::string problem;
  auto password = read_password(&problem);
  if (!password) return fail("add-user: " + problem);
  Accounts accounts(s.paths.users_file());
  auto added = accounts.add(name, *password, *role);
  if (added && added->status == 409) added = accounts.update(name, role, *password);
  if (added) return fail("add-user: " + added->text());
  std::fprintf(stderr, "signage-studio: %s is a user (%s) in %s\n", name.c_str(), role_name(*role),
               s.paths.users_file().c_str());
  return 0;
}

// Every part's routes. Each part adds one line here.
std::vector<Route> all_routes(const StudioSettings& s, Accounts& accounts, Sessions& sessions,
                              LoginLimiter& limiter, Workspace& workspace, Previews& previews,
                              FleetWatch* fleet) {
  std::vector<Route> routes;
  auto add = [&](std::vector<Route> more) {
    for (auto& r : more) routes.push_back(std::move(r));
  };
  const bool tls = !s.server.tls_cert_file.empty();
  add(session_routes(sessions, accounts, limiter, tls));
  add(account_routes(accounts, s.paths));
  add(upload_routes(
      std::make_shared<Uploads>(s.paths, UploadSettings{.max_bytes = s.max_upload_bytes})));
  add(workspace_routes(workspace));
  add(preview_routes(previews));
  add(fleet_routes(fleet, [&workspace] { return workspace.published_revision(); }));
  return routes;
}

int serve(const std::vector<std::string>& args) {
  StudioSettings s;
  bool help = false;
  if (auto problem = load_studio_settings(args, s, &help); !problem.empty()) return fail(problem);
  if (help) {
    std::fputs(studio_usage().c_str(), stdout);
    return 0;
  }
  if (s.server.tls_cert_file.empty() != s.server.tls_key_file.empty()) {
    return fail("TLS needs both tls_cert and tls_key");
  }
  if (geteuid() == 0 && s.run_as.empty()) return fail(drop_privileges(""));
  // Bound while still root (a port below 1024), then root is given up before any file of the
  // data dir is touched. The TLS files are read before, as nginx does (a key readable by root).
  std::string why;
  auto tls = read_tls(s.server, &why);
  if (!why.empty()) return fail(why);
  // The broker password is read as root too (it may be readable by root only).
  std::string fleet_password;
  if (!s.fleet.broker.empty()) {
    if (auto problem = fleet_settings_problem(s.fleet); !problem.empty()) return fail(problem);
    if (!s.fleet.password_file.empty()) {
      auto password = files::read_secret_line(s.fleet.password_file, "mqtt_password_file", &why);
      if (!password) return fail(why);
      fleet_password = *password;
    }
  }
  int fd = listen_socket(s.server, &why);
  if (fd < 0) return fail(why);
  if (auto problem = drop_privileges(s.run_as); !problem.empty()) return fail(problem);
  if (auto problem = make_data_dir(s.paths.data_dir); !problem.empty()) return fail(problem);

  // SIGTERM and SIGINT are blocked in every thread (the server's threads inherit the mask) and
  // waited for here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  Accounts accounts(s.paths.users_file());
  Sessions sessions(accounts);
  LoginLimiter limiter;
  WorkspaceOptions workspace_options;
  workspace_options.sign_key = s.sign_key;
  workspace_options.seed = s.seed;
  // With a broker: every new revision, alert and cancel is pushed to the screens at once.
  std::unique_ptr<FleetWatch> fleet;
  if (!s.fleet.broker.empty()) {
    fleet = std::make_unique<FleetWatch>(s.fleet, fleet_password, s.sign_key);
    FleetWatch* watch = fleet.get();
    workspace_options.on_published = [watch](std::int64_t r) { watch->push_update(r); };
    workspace_options.on_alert_sent = [watch](const SentAlert& a) {
      watch->push_alert(a.id, a.title, a.body, a.priority, a.until);
    };
    workspace_options.on_alert_removed = [watch](const std::string& id) { watch->push_cancel(id); };
  }
  auto workspace = Workspace::open(s.paths, workspace_options, &why);
  if (!workspace) return fail(why);
  Previews previews(workspace->draft_source(), s.paths);
  Router router{all_routes(s, accounts, sessions, limiter, *workspace, previews, fleet.get()),
                [&sessions](std::string_view token) { return sessions.find(token); },
                default_web_dir()};
  int port = bound_port(fd);
  auto server = HttpServer::start(fd, s.server, std::move(tls), std::move(router), &why);
  if (!server) return fail(why);
  if (accounts.list().empty()) {
    std::fprintf(stderr,
                 "signage-studio: no accounts yet: add one with `signage-studio add-user NAME "
                 "--role admin --data-dir %s`\n",
                 s.paths.data_dir.c_str());
  }
  bool v6 = s.server.listen_address.find(':') != std::string::npos;
  std::fprintf(stderr, "signage-studio: listening on %s://%s%s%s:%d/\n",
               s.server.tls_cert_file.empty() ? "http" : "https", v6 ? "[" : "",
               s.server.listen_address.c_str(), v6 ? "]" : "", port);
  // systemd (Type=notify): started once it listens.
  run::notify_service_manager("READY=1\nSTATUS=listening on port " + std::to_string(port));
  int signal = 0;
  sigwait(&stop, &signal);
  std::fprintf(stderr, "signage-studio: stopping (%s)\n", strsignal(signal));
  run::notify_service_manager("STOPPING=1");
  server.reset();
  return 0;
}

}  // namespace
}  // namespace signage::studio

int main(int argc, char** argv) {
  using namespace signage::studio;
  // Previews render as the player does: the same allocator settings keep big frames off the heap.
  signage::run::tune_allocator_for_playing();
  if (sodium_init() < 0) return fail("libsodium could not start");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--version") {
    std::printf("signage-studio %s\n", SIGNAGE_VERSION);
    return 0;
  }
  // "--add-user" as the issue spells it, "add-user" as the player's subcommands are spelled.
  if (!args.empty() && (args[0] == "add-user" || args[0] == "--add-user")) {
    return add_user({args.begin() + 1, args.end()});
  }
  return serve(args);
}
