// The studio's router, languages, roles, login limiter and settings table, without a server.
#include <gtest/gtest.h>

#include "studio/http_server.h"
#include "studio/sessions.h"
#include "studio/studio_settings.h"

namespace signage::studio {
namespace {

Router test_router() {
  Router router;
  auto ok = [](const Request&) { return json_response("{}"); };
  router.routes = {
      {"POST", "/api/login", Permission::open, 4096, ok},
      {"GET", "/api/draft", Permission::signed_in, 0, ok},
      {"PUT", "/api/draft", Permission::edit, 1 << 16, ok},
      {"POST", "/api/revisions/{n}/restore", Permission::approve, 0, ok},
      {"DELETE", "/api/users/{name}", Permission::administer, 0, ok},
  };
  router.sessions = [](std::string_view token) -> std::optional<SessionView> {
    if (token == "tok-ed") return SessionView{{"ed", Role::editor}, "csrf-ed"};
    if (token == "tok-al") return SessionView{{"al", Role::alert_sender}, "csrf-al"};
    return std::nullopt;
  };
  router.web_dir = "/nonexistent";
  return router;
}

Request request(std::string method, std::string path, std::string token = "",
                std::string csrf = "") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  if (!token.empty()) r.headers["cookie"] = "other=1; studio_session=" + token;
  if (!csrf.empty()) r.headers["x-csrf-token"] = csrf;
  r.lang = "en";
  return r;
}

int status_of(const Router& router, Request r) {
  Admission a = admit(router, r);
  return a.refusal ? a.refusal->status : (a.route ? 200 : 0);
}

TEST(StudioRouter, AuthComesBeforeRouting) {
  Router router = test_router();
  EXPECT_EQ(status_of(router, request("GET", "/api/draft")), 401);
  EXPECT_EQ(status_of(router, request("GET", "/api/not-mounted")), 401);
  EXPECT_EQ(status_of(router, request("GET", "/api/draft", "tok-unknown")), 401);
  EXPECT_EQ(status_of(router, request("POST", "/api/login")), 200);
  EXPECT_EQ(status_of(router, request("GET", "/api/login")), 401);  // only POST is open
  EXPECT_EQ(status_of(router, request("GET", "/api/not-mounted", "tok-ed")), 404);
  EXPECT_EQ(status_of(router, request("POST", "/api/draft", "tok-ed", "csrf-ed")), 405);
}

TEST(StudioRouter, ChangesNeedTheSessionsCsrfToken) {
  Router router = test_router();
  EXPECT_EQ(status_of(router, request("PUT", "/api/draft", "tok-ed")), 403);
  EXPECT_EQ(status_of(router, request("PUT", "/api/draft", "tok-ed", "csrf-al")), 403);
  EXPECT_EQ(status_of(router, request("PUT", "/api/draft", "tok-ed", "csrf-ed")), 200);
  EXPECT_EQ(status_of(router, request("GET", "/api/draft", "tok-ed")), 200);  // reads need none
}

TEST(StudioRouter, RolesAndParameters) {
  Router router = test_router();
  EXPECT_EQ(status_of(router, request("PUT", "/api/draft", "tok-al", "csrf-al")), 403);
  EXPECT_EQ(status_of(router, request("POST", "/api/revisions/3/restore", "tok-ed", "csrf-ed")),
            403);
  Request r = request("DELETE", "/api/users/ed", "tok-ed", "csrf-ed");
  EXPECT_EQ(status_of(router, r), 403);
  router.sessions = [](std::string_view) -> std::optional<SessionView> {
    return SessionView{{"root", Role::admin}, "c"};
  };
  Request admin = request("POST", "/api/revisions/12/restore", "t", "c");
  Admission a = admit(router, admin);
  ASSERT_TRUE(a.route);
  EXPECT_EQ(admin.params.at("n"), "12");
  EXPECT_EQ(admin.user->name, "root");
  EXPECT_EQ(status_of(router, request("POST", "/api/revisions//restore", "t", "c")), 404);
  EXPECT_EQ(status_of(router, request("POST", "/api/revisions/1/restore/x", "t", "c")), 404);
}

TEST(StudioRouter, StaticFilesOnlyForGetOutsideApi) {
  Router router = test_router();
  EXPECT_EQ(status_of(router, request("GET", "/app.js")), 0);  // to serve_static
  EXPECT_EQ(status_of(router, request("POST", "/app.js")), 404);
}

TEST(StudioRouter, PermissionsOfRoles) {
  EXPECT_TRUE(allows(Role::approver, Permission::edit));
  EXPECT_FALSE(allows(Role::alert_sender, Permission::edit));
  EXPECT_FALSE(allows(Role::editor, Permission::approve));
  EXPECT_FALSE(allows(Role::approver, Permission::send_alerts));
  EXPECT_TRUE(allows(Role::alert_sender, Permission::send_alerts));
  EXPECT_FALSE(allows(Role::approver, Permission::administer));
  for (Permission p :
       {Permission::edit, Permission::approve, Permission::send_alerts, Permission::administer}) {
    EXPECT_TRUE(allows(Role::admin, p));
  }
}

TEST(StudioRouter, AcceptLanguage) {
  EXPECT_EQ(language_of("zh-CN,zh;q=0.9,en;q=0.8"), "zh");
  EXPECT_EQ(language_of("zh-TW"), "zh");
  EXPECT_EQ(language_of("en-US,en;q=0.9,zh-CN;q=0.8"), "en");
  EXPECT_EQ(language_of("en;q=0.5, ZH-Hans;q=0.9"), "zh");
  EXPECT_EQ(language_of("zhx"), "en");
  EXPECT_EQ(language_of(""), "en");
}

TEST(StudioLogin, LocksAfterFiveWrongPasswordsPerNameAndTwentyPerAddress) {
  LoginLimiter limiter;
  for (int i = 0; i < 4; ++i) limiter.failed("10.0.0.1", "ann");
  EXPECT_EQ(limiter.retry_after_s("10.0.0.1", "ann"), 0);
  limiter.failed("10.0.0.1", "ann");
  EXPECT_EQ(limiter.retry_after_s("10.0.0.1", "ann"), 1);
  EXPECT_EQ(limiter.retry_after_s("10.0.0.2", "ann"), 1);  // the account, from anywhere
  EXPECT_EQ(limiter.retry_after_s("10.0.0.1", "bo"), 0);   // the address is not locked yet
  limiter.succeeded("10.0.0.1", "ann");
  EXPECT_EQ(limiter.retry_after_s("10.0.0.1", "ann"), 0);
  for (int i = 0; i < 20; ++i) limiter.failed("10.0.0.9", "guess" + std::to_string(i));
  EXPECT_EQ(limiter.retry_after_s("10.0.0.9", "someone"), 1);
  for (int i = 0; i < 30; ++i) limiter.failed("10.0.0.9", "x" + std::to_string(i));
  EXPECT_EQ(limiter.retry_after_s("10.0.0.9", "someone"), 900);  // capped at 15 min
}

TEST(StudioSettings, ConfigThenCommandLine) {
  StudioSettings s;
  EXPECT_EQ(parse_studio_config("studio.conf",
                                "# comment\nlisten = 0.0.0.0\nport = 8443  # TLS\n"
                                "data_dir = \"/srv/studio\"\nrun_as = signage-studio\n",
                                s),
            "");
  EXPECT_EQ(s.server.listen_address, "0.0.0.0");
  EXPECT_EQ(s.server.port, 8443);
  EXPECT_EQ(s.paths.data_dir, "/srv/studio");
  EXPECT_EQ(s.origin["port"], "studio.conf:3");
  bool help = false;
  EXPECT_EQ(parse_studio_arguments({"--port=9000", "--tls-cert", "c.pem"}, s, &help), "");
  EXPECT_EQ(s.server.port, 9000);
  EXPECT_EQ(s.server.tls_cert_file, "c.pem");
  EXPECT_FALSE(help);
}

TEST(StudioSettings, MqttGroupsIsACommaListTheCommandLineReplaces) {
  StudioSettings s;
  EXPECT_TRUE(s.fleet.groups.empty());  // "all"
  EXPECT_EQ(parse_studio_config("f", "mqtt_groups = north, 河西-south\n", s), "");
  EXPECT_EQ(s.fleet.groups, (std::vector<std::string>{"north", "河西-south"}));
  bool help = false;
  EXPECT_EQ(parse_studio_arguments({"--mqtt-groups", "lobby"}, s, &help), "");
  EXPECT_EQ(s.fleet.groups, std::vector<std::string>{"lobby"});
  EXPECT_EQ(parse_studio_config("f", "mqtt_groups = north,,south\n", s),
            "f:1: error: mqtt_groups needs group names, comma-separated, got \"north,,south\"");
}

TEST(StudioSettings, ClearRefusals) {
  StudioSettings s;
  EXPECT_EQ(parse_studio_config("f", "port = 70000\n", s),
            "f:1: error: port needs a port number 0..65535, got \"70000\"");
  EXPECT_EQ(parse_studio_config("f", "\nconfig = x\n", s).substr(0, 27),
            "f:2: error: unknown key \"co");
  EXPECT_EQ(parse_studio_config("f", "listen\n", s),
            "f:1: error: expected \"key = value\", got \"listen\"");
  bool help = false;
  EXPECT_EQ(parse_studio_arguments({"--bogus"}, s, &help), "unknown option --bogus (see --help)");
  EXPECT_EQ(parse_studio_arguments({"--port"}, s, &help), "--port needs a value");
  std::vector<std::string> rest;
  EXPECT_EQ(parse_studio_arguments({"ann", "--role", "admin", "--data-dir", "/d"}, s, &help, &rest),
            "");
  EXPECT_EQ(rest, (std::vector<std::string>{"ann", "--role", "admin"}));
  EXPECT_EQ(s.paths.data_dir, "/d");
}

TEST(StudioSettings, UsageListsEverySetting) {
  std::string usage = studio_usage();
  for (const StudioSetting& s : studio_settings()) {
    std::string flag = "--" + std::string(s.key);
    for (char& c : flag) c = c == '_' ? '-' : c;
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace signage::studio
