// The fleet view without a broker: topics, payloads, the table and alert progress (fleet/fleet.h).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fleet/fleet.h"
#include "sync/crypto.h"

namespace signage::fleet {
namespace {

constexpr std::int64_t kNow = 1796457600000;  // 2026-12-05T08:00:00Z

std::string status(const std::string& player, std::int64_t revision, std::int64_t time_ms,
                   std::vector<std::string> alerts = {}) {
  return nlohmann::json{{"player", player},
                        {"online", true},
                        {"groups", {"north"}},
                        {"revision", revision},
                        {"playing", {{"item", "h1"}, {"since_ms", 0}}},
                        {"download", {{"done_bytes", 5000000}, {"total_bytes", 20000000}}},
                        {"display", "on"},
                        {"dropped_frames", 3},
                        {"alerts", alerts},
                        {"time_ms", time_ms}}
      .dump();
}

std::string row_of(const std::string& table, const std::string& player) {
  auto at = table.find("\n" + player + " ");
  return at == std::string::npos ? "" : table.substr(at + 1, table.find('\n', at + 1) - at - 1);
}

TEST(FleetTopics, SplitsOnlyTheFleetsOwn) {
  EXPECT_EQ(split_topic("hexi", "signage/hexi/status/hall-1").kind, "status");
  EXPECT_EQ(split_topic("hexi", "signage/hexi/status/hall-1").name, "hall-1");
  EXPECT_EQ(split_topic("hexi", "signage/hexi/ack/hall-1").kind, "ack");
  EXPECT_EQ(split_topic("hexi", "signage/hexi/north/alert").name, "north");
  EXPECT_EQ(split_topic("hexi", "signage/other/status/hall-1").kind, "");
  EXPECT_EQ(split_topic("hexi", "signage/hexi/status/hall-1/x").kind, "");
  EXPECT_EQ(split_topic("hexi", "signage/hexi/north/update").kind, "");
  std::string why;
  EXPECT_TRUE(valid_name("hall-1.b_2", &why));
  EXPECT_FALSE(valid_name("north/+", &why));
  EXPECT_FALSE(valid_name("status", &why));
  EXPECT_FALSE(valid_name("", &why));
}

TEST(FleetView, TableShowsRevisionsLastSeenDownloadsAndOffline) {
  View view;
  apply_message(view, "hexi", "signage/hexi/status/hall-1", status("hall-1", 12, kNow - 14000),
                kNow);
  apply_message(view, "hexi", "signage/hexi/status/社区-2", status("社区-2", 11, kNow - 1000),
                kNow);
  apply_message(view, "hexi", "signage/hexi/status/hall-3", status("hall-3", 12, kNow - 1000),
                kNow - 300000);
  // hall-3's will arrives later: offline, its last revision and groups still shown.
  apply_message(view, "hexi", "signage/hexi/status/hall-3", R"({"player":"hall-3","online":false})",
                kNow - 300000);
  apply_message(view, "hexi", "signage/hexi/status/bad", "not json", kNow);
  std::string table = format_table(view, {12, kNow, ""});
  EXPECT_EQ(row_of(table, "hall-1"),
            "hall-1  yes     north   12 ok             14 s ago   h1       25% of 20.0 MB  on      "
            " 3        -");
  // Two terminal cells per Chinese character: the columns stay aligned.
  EXPECT_EQ(row_of(table, "社区-2"),
            "社区-2  yes     north   11 OLD (want 12)  1 s ago    h1       25% of 20.0 MB  on      "
            " 3        -");
  EXPECT_EQ(row_of(table, "hall-3"),
            "hall-3  NO      north   12 ok             5 min ago  -        -               -       "
            " -        -");
  EXPECT_NE(table.find("3 players: 2 online, 1 offline; 1 online playing a revision older than 12"),
            std::string::npos)
      << table;
  EXPECT_NE(
      table.find("unreadable message: signage/hexi/status/bad: the status is not a JSON object"),
      std::string::npos);
  // A cleared retained status takes the player out of the table.
  apply_message(view, "hexi", "signage/hexi/status/hall-3", "", kNow);
  EXPECT_EQ(view.players.count("hall-3"), 0u);
}

TEST(FleetView, AlertProgressTellsAcknowledgedHeldAndWaitingApart) {
  sync::crypto_init();
  auto keys = sync::generate_key_pair();
  std::string why;
  auto text = alert_from_file(
      R"({"id": "cold", "expires": "2026-12-06T00:00:00+08:00", "item": {"type": "alert", "title": "寒潮预警", "priority": 3}})",
      format_utc_ms(kNow), &why);
  ASSERT_TRUE(text) << why;
  auto message = signed_message(*text, keys.secret_key, &why);
  ASSERT_TRUE(message) << why;
  View view;
  apply_message(view, "hexi", "signage/hexi/north/alert", *message, kNow);
  apply_message(view, "hexi", "signage/hexi/status/a", status("a", 1, kNow), kNow);
  apply_message(view, "hexi", "signage/hexi/status/b", status("b", 1, kNow, {"cold"}), kNow);
  apply_message(view, "hexi", "signage/hexi/status/c", status("c", 1, kNow), kNow);
  apply_message(view, "hexi", "signage/hexi/ack/a",
                nlohmann::json{{"player", "a"},
                               {"alert", "cold"},
                               {"issued", format_utc_ms(kNow)},
                               {"shown_ms", kNow + 350}}
                    .dump(),
                kNow + 400);
  AlertProgress progress = alert_progress(view, "cold", {"north"});
  EXPECT_EQ(progress.acked, std::vector<std::string>{"a"});
  EXPECT_EQ(progress.holding, std::vector<std::string>{"b"});
  EXPECT_EQ(progress.waiting, std::vector<std::string>{"c"});
  EXPECT_TRUE(alert_progress(view, "cold", {"south"}).waiting.empty());
  EXPECT_TRUE(progress.offline.empty());
  // c's last will: not waiting any more, but offline in the alert's group (its last groups).
  apply_message(view, "hexi", "signage/hexi/status/c", R"({"player": "c", "online": false})",
                kNow + 500);
  EXPECT_TRUE(alert_progress(view, "cold", {"north"}).waiting.empty());
  EXPECT_EQ(alert_progress(view, "cold", {"north"}).offline, std::vector<std::string>{"c"});
  EXPECT_EQ(last_seen_ms(view.players.at("c"), kNow + 9000), kNow + 500);  // the will's time
  EXPECT_EQ(last_seen_ms(view.players.at("a"), kNow + 9000), kNow);        // its status's time
  apply_message(view, "hexi", "signage/hexi/status/c", status("c", 1, kNow), kNow);
  std::string table = format_table(view, {std::nullopt, kNow + 1000, ""});
  EXPECT_NE(table.find("alert cold (show, emergency, group north, expires "
                       "2026-12-06T00:00:00+08:00): 寒潮预警\n"
                       "  on screen (acknowledged): 1: a (shown 0.3 s after issue)\n"
                       "  holding it (in their status; no acknowledgement seen here): 1: b\n"
                       "  online and not yet: 1: c\n"),
            std::string::npos)
      << table;
}

TEST(FleetAlert, FromFileChecksWhatPlayersCheck) {
  std::string why;
  const std::string issued = format_utc_ms(kNow);
  EXPECT_EQ(issued, "2026-12-05T08:00:00.000Z");
  EXPECT_EQ(parse_time_ms("2026-12-05T16:00:00.250+08:00"), kNow + 250);
  auto ok = alert_from_file(
      R"({"id": "w", "expires": "2026-12-05T18:00:00+08:00", "item": {"type": "alert", "title": "停水"}})",
      issued, &why);
  ASSERT_TRUE(ok) << why;
  auto object = nlohmann::json::parse(*ok);
  EXPECT_EQ(object["action"], "show");
  EXPECT_EQ(object["issued"], issued);
  struct Case {
    const char* file;
    const char* error;
  } cases[] = {
      {R"([1])", "is not a JSON object"},
      {R"({"id": "a", "expires": "2026-12-06T00:00:00Z", "item": {"type": 5, "title": "t"}})",
       "\"item\" must be {\"type\": \"alert\""},
      {R"({"id": "a b", "expires": "2026-12-06T00:00:00Z", "item": {"type": "alert", "title": "t"}})",
       "\"id\" must be a text naming the alert"},
      {R"({"id": "a", "expires": "tomorrow", "item": {"type": "alert", "title": "t"}})",
       "\"expires\" must be a date and time with its offset"},
      {R"({"id": "a", "expires": "2026-12-05T07:00:00Z", "item": {"type": "alert", "title": "t"}})",
       "\"expires\" is not after \"issued\""},
      {R"({"id": "a", "expires": "2026-12-06T00:00:00Z", "item": {"type": "headline", "title": "t"}})",
       "\"item\" must be {\"type\": \"alert\""},
      {R"({"id": "a", "expires": "2026-12-06T00:00:00Z", "item": {"type": "alert", "title": "t", "priority": 5}})",
       "\"priority\" must be 1 (information), 2 (warning) or 3 (emergency)"},
      {R"({"id": "a", "expires": "2026-12-06T00:00:00Z", "colour": "red", "item": {"type": "alert", "title": "t"}})",
       "\"colour\" is not a field of an alert"},
      {R"({"id": "a", "action": "cancel", "expires": "2026-12-06T00:00:00Z", "item": {"type": "alert", "title": "t"}})",
       "use --cancel ID"},
  };
  for (const Case& c : cases) {
    why.clear();
    EXPECT_FALSE(alert_from_file(c.file, issued, &why)) << c.file;
    EXPECT_NE(why.find(c.error), std::string::npos) << c.file << ": " << why;
  }
}

TEST(FleetBroker, Urls) {
  std::string why;
  auto plain = parse_broker_url("mqtt://127.0.0.1", &why);
  ASSERT_TRUE(plain) << why;
  EXPECT_EQ(plain->port, 1883);
  EXPECT_FALSE(plain->tls);
  auto tls = parse_broker_url("mqtts://mqtt.example.org", &why);
  ASSERT_TRUE(tls) << why;
  EXPECT_EQ(tls->port, 8883);
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(parse_broker_url("mqtts://[::1]:9000", &why)->host, "::1");
  EXPECT_FALSE(parse_broker_url("https://example.org", &why));
  EXPECT_NE(why.find("give the broker as mqtt://HOST[:PORT]"), std::string::npos);
  EXPECT_FALSE(parse_broker_url("mqtt://", &why));
}

TEST(FleetView, HoldsAtMostMaxPlayers) {
  View view;
  for (std::size_t i = 0; i < kMaxPlayers + 3; ++i) {
    std::string name = "p" + std::to_string(i);
    apply_message(view, "hexi", "signage/hexi/status/" + name, status(name, 1, kNow), kNow);
  }
  EXPECT_EQ(view.players.size(), kMaxPlayers);
  ASSERT_FALSE(view.problems.empty());
  EXPECT_NE(view.problems.back().find("more than 5000 players"), std::string::npos);
  // A player already known still updates.
  apply_message(view, "hexi", "signage/hexi/status/p0", status("p0", 7, kNow), kNow);
  EXPECT_EQ(view.players.at("p0").status.revision, 7);
}

TEST(FleetView, AcksMustComeFromTheirTopicsPlayerAndGroupAlertsAreLimited) {
  View view;
  auto ack = [](const std::string& player, const std::string& alert) {
    return nlohmann::json{{"player", player}, {"alert", alert}, {"issued", ""}, {"shown_ms", kNow}}
        .dump();
  };
  apply_message(view, "hexi", "signage/hexi/ack/a", ack("b", "cold"), kNow);  // a posing as b
  apply_message(view, "hexi", "signage/hexi/ack/a", ack("a", std::string(65, 'x')), kNow);
  EXPECT_TRUE(view.acks.empty());
  ASSERT_EQ(view.problems.size(), 2u);
  EXPECT_NE(view.problems[0].find("not its topic's"), std::string::npos) << view.problems[0];
  EXPECT_NE(view.problems[1].find("too long"), std::string::npos) << view.problems[1];
  apply_message(view, "hexi", "signage/hexi/ack/a", ack("a", "cold"), kNow);
  EXPECT_EQ(view.acks.at("cold").count("a"), 1u);

  auto keys = sync::generate_key_pair();
  std::string why;
  auto text = alert_from_file(R"({"id": "cold", "expires": "2026-12-06T00:00:00+08:00",)"
                              R"( "item": {"type": "alert", "title": "寒潮预警"}})",
                              format_utc_ms(kNow), &why);
  ASSERT_TRUE(text) << why;
  auto message = signed_message(*text, keys.secret_key, &why);
  ASSERT_TRUE(message) << why;
  for (std::size_t i = 0; i < kMaxAckedAlerts + 2; ++i) {
    apply_message(view, "hexi", "signage/hexi/g" + std::to_string(i) + "/alert", *message, kNow);
  }
  EXPECT_EQ(view.group_alerts.size(), kMaxAckedAlerts);
  EXPECT_NE(view.problems.back().find("groups with an alert"), std::string::npos);
}

TEST(FleetScreenshot, RepliesArePngJpegOrAReason) {
  EXPECT_EQ(nlohmann::json::parse(screenshot_request("s1", 480)),
            (nlohmann::json{{"id", "s1"}, {"width", 480}}));
  std::string why;
  // "\x89PNG\r\n\x1a\n" + "abc" and "\xff\xd8\xff\xe0" in base64.
  auto png =
      parse_screenshot_reply(R"({"id": "s1", "player": "a", "png": "iVBORw0KGgphYmM="})", &why);
  ASSERT_TRUE(png) << why;
  EXPECT_EQ(png->content_type, "image/png");
  EXPECT_EQ(png->image, std::string("\x89PNG\r\n\x1a\nabc", 11));
  EXPECT_EQ(png->player, "a");
  auto jpeg = parse_screenshot_reply(R"({"id": "s2", "png": "/9j/4A=="})", &why);
  ASSERT_TRUE(jpeg) << why;
  EXPECT_EQ(jpeg->content_type, "image/jpeg");
  auto refused = parse_screenshot_reply(R"({"id": "s3", "error": "the screen is off"})", &why);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error, "the screen is off");
  EXPECT_TRUE(refused->image.empty());
  EXPECT_FALSE(parse_screenshot_reply(R"({"id": "s4", "png": "R0lGODlh"})", &why));  // a GIF
  EXPECT_NE(why.find("neither a PNG nor a JPEG"), std::string::npos) << why;
  EXPECT_FALSE(parse_screenshot_reply(R"({"id": "s5", "png": "not base64!"})", &why));
  EXPECT_FALSE(parse_screenshot_reply("[1]", &why));
  EXPECT_FALSE(parse_screenshot_reply(std::string(kMaxScreenshotReply + 1, ' '), &why));
  EXPECT_NE(why.find("larger than 8 MiB"), std::string::npos) << why;
}

}  // namespace
}  // namespace signage::fleet
