// The MQTT source's pure parts: broker URLs, topic levels, the alert check (signature, fields,
// times, the item by the playlist rules), replay and cancel, the alert store, the merge.
#include "sync/mqtt_source.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "files/files.h"

namespace signage::sync {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1737331200;  // 2025-01-20T00:00:00Z

std::string at(std::int64_t unix_s, int ms = 0) {
  std::time_t t = std::time_t(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03d", ms);
  return std::string(buffer) + fraction + "Z";
}

Json show(const std::string& id, std::int64_t issued = kNow, std::int64_t expires = kNow + 3600) {
  return {
      {"id", id},
      {"action", "show"},
      {"issued", at(issued)},
      {"expires", at(expires)},
      {"item", {{"type", "alert"}, {"title", "停水"}, {"body", "今日停水。"}, {"priority", 3}}}};
}

struct Keys {
  KeyPair pair = generate_key_pair();
  std::vector<PublicKey> public_keys() const {
    std::string why;
    return {*parse_public_key(pair.public_key, &why)};
  }
  std::string sign(const Json& alert) const {
    std::string why;
    return *signed_alert_payload(alert.dump(), pair.secret_key, &why);
  }
};

std::string refused(const std::string& payload, const std::vector<PublicKey>& keys,
                    std::int64_t now = kNow) {
  std::string why;
  auto alert = check_alert(payload, keys, now, &why);
  return alert ? "accepted" : why;
}

TEST(MqttSource, BrokerUrls) {
  std::string why;
  auto plain = parse_broker_url("mqtt://broker.example.org", &why);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "broker.example.org");
  EXPECT_EQ(plain->port, 1883);
  EXPECT_FALSE(plain->tls);
  auto tls = parse_broker_url("mqtts://127.0.0.1:18883", &why);
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->port, 18883);
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(parse_broker_url("mqtts://[::1]:8883", &why)->host, "::1");
  for (const char* bad : {"http://broker", "mqtt://", "mqtt://host:0", "mqtt://host:99999",
                          "mqtt://host:", "mqtt://user@host", "mqtt://host/path", "tcp://h:1"}) {
    EXPECT_FALSE(parse_broker_url(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(MqttSource, TopicLevels) {
  EXPECT_EQ(topic_level_problem("hall-1.b_2"), "");
  for (const char* bad : {"", "a/b", "+", "#", "a b", "楼"}) {
    EXPECT_NE(topic_level_problem(bad), "") << bad;
  }
  EXPECT_NE(topic_level_problem(std::string(65, 'a')), "");
  EXPECT_EQ(alert_topic("hexi", "lobby"), "signage/hexi/lobby/alert");
  EXPECT_EQ(status_topic("hexi", "hall-1"), "signage/hexi/status/hall-1");
}

TEST(MqttSource, ASignedAlertIsAccepted) {
  Keys keys;
  std::string why;
  auto alert = check_alert(keys.sign(show("water")), keys.public_keys(), kNow, &why);
  ASSERT_TRUE(alert) << why;
  EXPECT_EQ(alert->id, "water");
  EXPECT_FALSE(alert->cancel);
  ASSERT_TRUE(alert->item);
  EXPECT_EQ(alert->item->id, "water");
  EXPECT_EQ(alert->item->type, content::ItemType::alert);
  EXPECT_EQ(alert->item->priority, 3);
  EXPECT_EQ(alert->item->schedule.valid_until, kNow + 3600);  // shown until it expires
  EXPECT_EQ(alert->issued_ms, kNow * 1000);
}

TEST(MqttSource, RefusedAlertsSayWhy) {
  Keys keys, other;
  auto trusted = keys.public_keys();
  EXPECT_NE(refused(keys.sign(show("a")), {}).find("no public_key"), std::string::npos);
  EXPECT_NE(refused(other.sign(show("a")), trusted).find("bad signature"), std::string::npos);
  Json envelope = Json::parse(keys.sign(show("a")));
  envelope["extra"] = 1;
  EXPECT_NE(refused(envelope.dump(), trusted).find("nothing more"), std::string::npos);
  Json tampered = Json::parse(keys.sign(show("a")));
  tampered["alert"] = show("a", kNow, kNow + 7200).dump();
  EXPECT_NE(refused(tampered.dump(), trusted).find("bad signature"), std::string::npos);
  Json extra = show("a");
  extra["colour"] = "red";
  EXPECT_NE(refused(keys.sign(extra), trusted).find("unknown field \"colour\""), std::string::npos);
  EXPECT_NE(refused(keys.sign(show("a", kNow - 7200, kNow - 1)), trusted).find("expired"),
            std::string::npos);
  EXPECT_NE(refused(keys.sign(show("a", kNow + 301)), trusted).find("in the future"),
            std::string::npos);
  EXPECT_EQ(refused(keys.sign(show("a", kNow + 299)), trusted), "accepted");
  Json untitled = show("a");
  untitled["item"].erase("title");
  EXPECT_NE(refused(keys.sign(untitled), trusted).find("item/title"), std::string::npos);
  Json headline = show("a");
  headline["item"]["type"] = "headline";
  EXPECT_NE(refused(keys.sign(headline), trusted).find("item/type"), std::string::npos);
  Json numeric_type = show("a");  // signed, yet not a string: refused, not an exception
  numeric_type["item"]["type"] = 5;
  EXPECT_NE(refused(keys.sign(numeric_type), trusted).find("item/type"), std::string::npos);
  Json priority = show("a");
  priority["item"]["priority"] = 9;
  EXPECT_NE(refused(keys.sign(priority), trusted).find("item/priority"), std::string::npos);
  Json other_id = show("a");
  other_id["item"]["id"] = "b";
  EXPECT_NE(refused(keys.sign(other_id), trusted).find("item/id"), std::string::npos);
  Json cancel = show("a");
  cancel["action"] = "cancel";
  EXPECT_NE(refused(keys.sign(cancel), trusted).find("no item"), std::string::npos);
  Json bad_id = show("a/b");
  EXPECT_NE(refused(keys.sign(bad_id), trusted).find("id"), std::string::npos);
  EXPECT_NE(refused("not json", trusted), "accepted");
  EXPECT_NE(refused(std::string(70000, ' '), trusted).find("bytes"), std::string::npos);
}

TEST(MqttSource, ReplaysAreRefusedDuplicatesIgnoredCancelsRemove) {
  Keys keys;
  auto trusted = keys.public_keys();
  std::string why;
  HeldAlerts held;
  auto first = check_alert(keys.sign(show("a", kNow - 10)), trusted, kNow, &why);
  ASSERT_TRUE(first);
  EXPECT_EQ(apply_alert(held, *first), "");
  EXPECT_EQ(apply_alert(held, *first), "duplicate");
  ASSERT_EQ(held.shown.size(), 1u);

  Json cancel = {{"id", "a"},
                 {"action", "cancel"},
                 {"issued", at(kNow - 10, 1)},
                 {"expires", at(kNow + 3600)}};
  auto cancelled = check_alert(keys.sign(cancel), trusted, kNow, &why);
  ASSERT_TRUE(cancelled) << why;
  EXPECT_EQ(apply_alert(held, *cancelled), "");  // a millisecond later is later
  EXPECT_TRUE(held.shown.empty());
  EXPECT_NE(apply_alert(held, *first).find("replay"), std::string::npos);
  EXPECT_TRUE(held.shown.empty());

  auto again = check_alert(keys.sign(show("a", kNow)), trusted, kNow, &why);
  EXPECT_EQ(apply_alert(held, *again), "");
  EXPECT_EQ(held.shown.size(), 1u);

  EXPECT_FALSE(prune_alerts(held, kNow + 3599));
  EXPECT_TRUE(prune_alerts(held, kNow + 3600));
  EXPECT_TRUE(held.shown.empty());
  EXPECT_TRUE(held.seen.empty());
}

TEST(MqttSource, TheStoreKeepsAlertsAndChecksThemAgain) {
  Keys keys, other;
  auto trusted = keys.public_keys();
  fs::path dir = fs::temp_directory_path() / ("mqtt_source_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "alerts.json";
  std::string why;
  HeldAlerts held;
  for (const char* id : {"a", "b"}) {
    auto alert = check_alert(keys.sign(show(id, kNow, kNow + (id[0] == 'a' ? 100 : 3600))), trusted,
                             kNow, &why);
    ASSERT_TRUE(alert) << why;
    apply_alert(held, *alert);
  }
  ASSERT_TRUE(save_alerts(file, held, &why)) << why;
  std::string problems;
  HeldAlerts loaded = load_alerts(file, trusted, kNow, &problems);
  EXPECT_EQ(problems, "");
  ASSERT_EQ(loaded.shown.size(), 2u);
  EXPECT_EQ(loaded.shown[1].item->title, "停水");
  EXPECT_EQ(loaded.seen.size(), 2u);
  // Later: "a" expired and is gone; with another key nothing loads, and it says so.
  EXPECT_EQ(load_alerts(file, trusted, kNow + 200, &problems).shown.size(), 1u);
  HeldAlerts untrusted = load_alerts(file, other.public_keys(), kNow, &problems);
  EXPECT_TRUE(untrusted.shown.empty());
  EXPECT_NE(problems.find("bad signature"), std::string::npos);
  // A damaged file (numbers as text) loads what it can rather than stopping the player.
  std::ofstream(file) << R"({"version": 1, "alerts": [],
    "seen": [{"id": "c", "issued_ms": "soon", "expires_s": []}]})";
  problems.clear();
  HeldAlerts damaged;
  EXPECT_NO_THROW(damaged = load_alerts(file, trusted, kNow, &problems));
  EXPECT_TRUE(damaged.shown.empty());
  EXPECT_EQ(problems, "");
  fs::remove_all(dir);
}

TEST(MqttSource, AlertsAreMergedAfterThePlaylistsItems) {
  Keys keys;
  std::string why;
  auto base = std::make_shared<content::Playlist>();
  base->revision = 7;
  base->items.resize(2);
  std::shared_ptr<const content::Playlist> shared = base;
  EXPECT_EQ(with_alerts(shared, {}), shared);
  auto alert = check_alert(keys.sign(show("water")), keys.public_keys(), kNow, &why);
  auto merged = with_alerts(shared, {*alert});
  ASSERT_EQ(merged->items.size(), 3u);
  EXPECT_EQ(merged->items[2].id, "water");
  EXPECT_EQ(merged->revision, 7);
  EXPECT_EQ(shared->items.size(), 2u);  // the base is not changed
  EXPECT_EQ(with_alerts(nullptr, {*alert})->items.size(), 1u);
}

TEST(MqttSource, AnAlertAlsoInThePlaylistShowsOnce) {
  // The studio pushes its alert and puts it in the next revision, with the same id.
  Keys keys;
  std::string why;
  auto alert = check_alert(keys.sign(show("water")), keys.public_keys(), kNow, &why);
  ASSERT_TRUE(alert) << why;
  auto base = std::make_shared<content::Playlist>();
  base->items.resize(2);
  base->items[0].id = "water";  // a headline of that id is not the alert: both show
  base->items[1] = *alert->item;
  auto merged = with_alerts(base, {*alert});
  ASSERT_EQ(merged->items.size(), 2u);
  base->items[1].id = "gas";
  EXPECT_EQ(with_alerts(base, {*alert})->items.size(), 3u);
}

}  // namespace
}  // namespace signage::sync
