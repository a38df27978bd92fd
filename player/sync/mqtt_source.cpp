#include "sync/mqtt_source.h"

#include <mosquitto.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "files/files.h"
#include "sync/iso_time.h"

namespace signage::sync {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxAlertPayload = 64 << 10;
constexpr std::int64_t kFutureSlackS = 300;  // clocks of publisher and player may differ this much

void log(const std::string& message) {
  std::cerr << "signage-player: mqtt: " << message << "\n";
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Milliseconds of an ISO 8601 instant: parse_instant's seconds plus the fraction written, so two
// alerts issued within one second are ordered.
std::optional<std::int64_t> instant_ms(const std::string& text) {
  auto seconds = content::parse_instant(text);
  if (!seconds) return std::nullopt;
  std::int64_t ms = 0;
  auto t = text.find('T');
  auto dot = t == std::string::npos ? t : text.find('.', t);
  if (dot != std::string::npos) {
    int digits = 0;
    for (std::size_t i = dot + 1;
         i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      if (digits++ < 3) ms = ms * 10 + (text[i] - '0');
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  return *seconds * 1000 + ms;
}

// The item of an alert, by the playlist checker's rules: checked inside a one-item playlist, the
// diagnostics named by the item's own fields ("item/title: ...").
std::optional<content::Item> check_item(Json item, const std::string& id, std::string* error) {
  if (!item.is_object()) {
    *error = "\"item\" must be an object (an alert item as in playlists/README.md)";
    return std::nullopt;
  }
  if (item.value("type", Json()) != "alert") {  // a Json default: a number is refused, not thrown
    *error = "item/type must be \"alert\"";
    return std::nullopt;
  }
  if (item.contains("id") && item["id"] != id) {
    *error = "item/id must be the alert's id \"" + id + "\" (or left out)";
    return std::nullopt;
  }
  item["id"] = id;
  Json playlist = {{"version", 1}, {"id", "mqtt-alert"}, {"revision", 1}, {"items", {item}}};
  content::Limits limits;
  limits.max_items = 1;
  auto result = content::parse_playlist(playlist.dump(), "alert", fs::path("/nonexistent"), limits,
                                        content::AssetFiles::not_yet);
  std::string problems;
  for (const auto& d : result.diagnostics) {
    if (d.severity != content::Severity::error) continue;
    std::string where =
        d.pointer.starts_with("/items/0") ? "item" + d.pointer.substr(8) : d.pointer;
    problems += (problems.empty() ? "" : "; ") + where + ": " + d.message;
  }
  if (!result.playlist || result.playlist->items.size() != 1) {
    *error = problems.empty() ? "the item is not a valid alert item" : problems;
    return std::nullopt;
  }
  content::Item out = result.playlist->items[0];
  if (!out.image.empty()) {
    *error = "item: an alert item carries no picture";
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::string update_topic(const std::string& fleet, const std::string& group) {
  return "signage/" + fleet + "/" + group + "/update";
}
std::string alert_topic(const std::string& fleet, const std::string& group) {
  return "signage/" + fleet + "/" + group + "/alert";
}
std::string status_topic(const std::string& fleet, const std::string& player) {
  return "signage/" + fleet + "/status/" + player;
}
std::string ack_topic(const std::string& fleet, const std::string& player) {
  return "signage/" + fleet + "/ack/" + player;
}

std::string screenshot_topic(const std::string& fleet, const std::string& player) {
  return "signage/" + fleet + "/screenshot/" + player;
}

std::string topic_level_problem(std::string_view level) {
  if (level.empty() || level.size() > 64) return "needs 1 to 64 characters";
  for (char c : level) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "may hold only letters, digits, '.', '_' and '-'";
    }
  }
  return "";
}

std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string* error) {
  BrokerAddress out;
  std::string_view rest;
  if (url.starts_with("mqtt://")) {
    rest = url.substr(7);
  } else if (url.starts_with("mqtts://")) {
    rest = url.substr(8);
    out.tls = true;
    out.port = 8883;
  } else {
    *error = "needs mqtt://host:port or mqtts://host:port";
    return std::nullopt;
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) {
      *error = "needs a closing ] after the IPv6 address";
      return std::nullopt;
    }
    out.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (rest.starts_with(':'))
      port = rest.substr(1);
    else if (!rest.empty()) {
      *error = "needs host:port, nothing more";
      return std::nullopt;
    }
  } else {
    auto colon = rest.find(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (out.host.empty() || out.host.find_first_of("/@?# ") != std::string::npos) {
    *error = "needs a host name after the scheme (mqtt://host:port; no path or user)";
    return std::nullopt;
  }
  if (!port.empty() || rest.ends_with(':')) {
    int value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || value > 65535) value = -1;
      if (value >= 0) value = value * 10 + (c - '0');
    }
    if (port.empty() || value < 1 || value > 65535) {
      *error = "needs a port 1..65535 after the host";
      return std::nullopt;
    }
    out.port = value;
  }
  return out;
}

std::optional<Alert> check_alert(std::string_view payload, const std::vector<PublicKey>& keys,
                                 std::int64_t now_s, std::string* error) {
  auto refuse = [&](const std::string& why) {
    *error = why;
    return std::nullopt;
  };
  if (payload.size() > kMaxAlertPayload) {
    return refuse("the message has " + std::to_string(payload.size()) + " bytes, more than " +
                  std::to_string(kMaxAlertPayload));
  }
  Json envelope = Json::parse(payload, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("alert") || !envelope["alert"].is_string() ||
      !envelope.contains("signature") || !envelope["signature"].is_string() ||
      envelope.size() != 2) {
    return refuse(
        "the message must be {\"alert\": \"<alert JSON text>\", \"signature\": \"<base64>\"} and "
        "nothing more");
  }
  Alert alert;
  alert.text = envelope["alert"].get<std::string>();
  alert.signature = envelope["signature"].get<std::string>();
  if (keys.empty()) {
    return refuse("no public_key is configured, so no alert can be trusted (set public_key)");
  }
  std::string why;
  if (!verify_any(alert.text, alert.signature, keys, &why)) {
    return refuse("bad signature: the alert is not signed with a configured public_key");
  }
  Json a = Json::parse(alert.text, nullptr, false);
  if (!a.is_object()) return refuse("the signed alert is not a JSON object");
  static const std::set<std::string> known = {"id", "action", "issued", "expires", "item"};
  for (const auto& [key, value] : a.items()) {
    if (!known.count(key)) return refuse("unknown field \"" + key + "\" in the alert");
  }
  if (!a.contains("id") || !a["id"].is_string()) return refuse("the alert needs an \"id\" string");
  alert.id = a["id"].get<std::string>();
  if (std::string p = topic_level_problem(alert.id); !p.empty()) {
    return refuse("the alert's id " + p);
  }
  std::string action =
      a.contains("action") && a["action"].is_string() ? a["action"].get<std::string>() : "";
  if (action != "show" && action != "cancel") {
    return refuse("alert " + alert.id + ": \"action\" must be \"show\" or \"cancel\"");
  }
  alert.cancel = action == "cancel";
  auto instant = [&](const char* key) -> std::optional<std::int64_t> {
    if (!a.contains(key) || !a[key].is_string()) return std::nullopt;
    return instant_ms(a[key].get<std::string>());
  };
  auto issued = instant("issued");
  auto expires = instant("expires");
  if (!issued || !expires) {
    return refuse("alert " + alert.id +
                  ": \"issued\" and \"expires\" must be ISO 8601 times with a UTC offset, e.g. "
                  "2025-01-20T08:00:00+08:00");
  }
  alert.issued = a["issued"].get<std::string>();
  alert.issued_ms = *issued;
  alert.expires_s = *expires / 1000;
  if (alert.expires_s <= now_s) {
    return refuse("alert " + alert.id + " expired at " + a["expires"].get<std::string>());
  }
  if (*issued / 1000 > now_s + kFutureSlackS) {
    return refuse("alert " + alert.id + " is issued at " + alert.issued +
                  ", more than 5 minutes in the future (is this player's clock right?)");
  }
  if (alert.cancel) {
    if (a.contains("item")) return refuse("alert " + alert.id + ": a cancel carries no item");
    return alert;
  }
  if (!a.contains("item")) return refuse("alert " + alert.id + ": \"show\" needs an \"item\"");
  auto item = check_item(a["item"], alert.id, &why);
  if (!item) return refuse("alert " + alert.id + ": " + why);
  // It shows until it expires (or its own schedule ends first).
  auto& until = item->schedule.valid_until;
  if (!until || *until > alert.expires_s) until = alert.expires_s;
  alert.item = std::move(*item);
  return alert;
}

std::optional<std::string> signed_alert_payload(const std::string& alert_text,
                                                std::string_view secret_key, std::string* error) {
  auto signature = sign_detached(alert_text, secret_key, error);
  if (!signature) return std::nullopt;
  return Json{{"alert", alert_text}, {"signature", *signature}}.dump();
}

namespace {

std::int64_t* seen_issued(HeldAlerts& held, const std::string& id) {
  for (auto& [key, issued] : held.seen) {
    if (key == id) return &issued;
  }
  return nullptr;
}

}  // namespace

std::string apply_alert(HeldAlerts& held, const Alert& alert) {
  if (std::int64_t* issued = seen_issued(held, alert.id)) {
    if (alert.issued_ms < *issued) {
      return "alert " + alert.id + " issued " + alert.issued +
             " is older than the one held for that id (a replay)";
    }
    if (alert.issued_ms == *issued) {
      // QoS 1 delivers twice at times, and the retained alert comes again on every connect.
      bool same = std::any_of(held.shown.begin(), held.shown.end(), [&](const Alert& a) {
        return a.id == alert.id && a.text == alert.text;
      });
      return same || alert.cancel ? "duplicate"
                                  : "alert " + alert.id + " issued " + alert.issued +
                                        " differs from the one held with the same time";
    }
    *issued = alert.issued_ms;
  } else {
    held.seen.emplace_back(alert.id, alert.issued_ms);
  }
  bool recorded = false;
  for (auto& [key, expires] : held.seen_expires) {
    if (key == alert.id) {
      expires = std::max(expires, alert.expires_s);
      recorded = true;
    }
  }
  if (!recorded) held.seen_expires.emplace_back(alert.id, alert.expires_s);
  std::erase_if(held.shown, [&](const Alert& a) { return a.id == alert.id; });
  if (!alert.cancel) held.shown.push_back(alert);
  return "";
}

bool prune_alerts(HeldAlerts& held, std::int64_t now_s) {
  std::size_t before = held.shown.size();
  std::erase_if(held.shown, [&](const Alert& a) { return a.expires_s <= now_s; });
  std::set<std::string> gone;
  for (const auto& [id, expires] : held.seen_expires) {
    if (expires <= now_s) gone.insert(id);
  }
  std::erase_if(held.seen_expires, [&](const auto& e) { return gone.count(e.first) > 0; });
  std::erase_if(held.seen, [&](const auto& e) { return gone.count(e.first) > 0; });
  return held.shown.size() != before;
}

HeldAlerts load_alerts(const fs::path& file, const std::vector<PublicKey>& keys, std::int64_t now_s,
                       std::string* problems) {
  HeldAlerts held;
  std::error_code ec;
  if (!fs::exists(file, ec)) return held;
  std::string why;
  auto text = files::read_file(file, 16 << 20, &why);
  Json json = text ? Json::parse(*text, nullptr, false) : Json();
  if (!json.is_object()) {
    *problems += file.string() + ": " + (text ? "not a JSON object" : why) + "; alerts dropped\n";
    return held;
  }
  if (json.contains("seen") && json["seen"].is_array()) {
    for (const auto& s : json["seen"]) {
      if (!s.is_object() || !s.value("id", Json()).is_string()) continue;
      // A damaged number reads as 0 (value() with an int64 default would throw at startup).
      auto number = [&](const char* key) {
        const Json n = s.value(key, Json());
        return n.is_number_integer() ? n.get<std::int64_t>() : std::int64_t(0);
      };
      held.seen.emplace_back(s["id"].get<std::string>(), number("issued_ms"));
      held.seen_expires.emplace_back(s["id"].get<std::string>(), number("expires_s"));
    }
  }
  if (json.contains("alerts") && json["alerts"].is_array()) {
    for (const auto& entry : json["alerts"]) {
      auto alert = check_alert(entry.is_object() ? entry.dump() : "", keys, now_s, &why);
      if (!alert) {
        if (why.find("expired") == std::string::npos) *problems += "stored alert: " + why + "\n";
        continue;
      }
      std::erase_if(held.shown, [&](const Alert& a) { return a.id == alert->id; });
      if (!alert->cancel) held.shown.push_back(std::move(*alert));
    }
  }
  prune_alerts(held, now_s);
  return held;
}

bool save_alerts(const fs::path& file, const HeldAlerts& held, std::string* error) {
  Json json = {{"version", 1}, {"alerts", Json::array()}, {"seen", Json::array()}};
  for (const Alert& a : held.shown) {
    json["alerts"].push_back({{"alert", a.text}, {"signature", a.signature}});
  }
  for (const auto& [id, issued] : held.seen) {
    std::int64_t expires = 0;
    for (const auto& [key, e] : held.seen_expires) {
      if (key == id) expires = e;
    }
    json["seen"].push_back({{"id", id}, {"issued_ms", issued}, {"expires_s", expires}});
  }
  return files::replace_file(file, json.dump(1) + "\n", 0640, error);
}

std::vector<Alert> stored_alerts(const fs::path& state_dir, const std::vector<PublicKey>& keys) {
  std::string problems;
  HeldAlerts held =
      load_alerts(state_dir / "alerts.json", keys, std::int64_t(std::time(nullptr)), &problems);
  if (!problems.empty()) log(problems.substr(0, problems.size() - 1));
  return held.shown;
}

std::shared_ptr<const content::Playlist> with_alerts(std::shared_ptr<const content::Playlist> base,
                                                     const std::vector<Alert>& alerts) {
  if (alerts.empty() && base) return base;
  auto merged =
      base ? std::make_shared<content::Playlist>(*base) : std::make_shared<content::Playlist>();
  for (const Alert& alert : alerts) {
    // The studio sends its alert both ways (pushed, and in the next revision): shown once.
    bool in_base =
        std::any_of(merged->items.begin(), merged->items.end(), [&](const content::Item& item) {
          return item.type == content::ItemType::alert && item.id == alert.id;
        });
    if (alert.item && !in_base) merged->items.push_back(*alert.item);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// The connection.

namespace {

struct MosquittoLibrary {
  MosquittoLibrary() { mosquitto_lib_init(); }
};

void init_library() {
  static MosquittoLibrary library;  // once per process, never cleaned up (other clients may live)
  (void)library;
}

struct MosquittoDeleter {
  void operator()(mosquitto* m) const { mosquitto_destroy(m); }
};

}  // namespace

std::string mqtt_settings_problem(const MqttSettings& settings, const std::string& player_id) {
  std::string error;
  if (!parse_broker_url(settings.broker, &error))
    return "mqtt_broker " + settings.broker + ": " + error;
  if (std::string why = topic_level_problem(player_id); !why.empty()) {
    return "the player id \"" + player_id + "\" cannot be an MQTT topic level: it " + why;
  }
  if (!settings.password_file.empty() &&
      !files::read_secret_line(settings.password_file, "mqtt_password_file", &error))
    return error;
  if (!settings.cert_file.empty() && !settings.broker.starts_with("mqtts://")) {
    return "mqtt_cert_file needs an mqtts:// broker";
  }
  return "";
}

struct MqttSource::State {
  MqttSettings settings;
  BrokerAddress broker;
  std::string player_id;
  std::vector<PublicKey> keys;
  fs::path alerts_file;
  MqttHooks hooks;
  std::unique_ptr<mosquitto, MosquittoDeleter> mosq;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> connected{false};
  std::atomic<bool> status_dirty{true};

  mutable std::mutex mutex;  // what follows
  HeldAlerts held;
  std::set<std::pair<std::string, std::int64_t>> acked;  // (id, issued ms) on screen already
  std::vector<std::string> pending_acks;                 // payloads not yet published
  std::string last_error;
  Json last_refused;               // {"id", "reason", "time_ms"} or null
  std::string last_library_error;  // libmosquitto's last error line (OpenSSL's reason for TLS)
  struct PendingShot {
    std::string id;
    SteadyClock::time_point deadline;
  };
  std::vector<PendingShot> shots;    // asked for, not answered yet
  std::vector<std::string> replies;  // screenshot replies not yet published
  std::condition_variable wake;

  std::string status_topic() const { return sync::status_topic(settings.fleet, player_id); }

  std::vector<std::string> alert_ids() const {  // under mutex
    std::vector<std::string> ids;
    for (const Alert& a : held.shown) ids.push_back(a.id);
    return ids;
  }

  void set_error(const std::string& error) {
    {
      std::lock_guard lock(mutex);
      if (error == last_error) return;
      log(error);
      last_error = error;
    }
    changed();
  }

  void changed() {
    if (hooks.on_state_changed) hooks.on_state_changed();
  }

  void on_connect(int rc) {
    if (rc != 0) {
      set_error("the broker " + settings.broker +
                " refused the connection: " + mosquitto_connack_string(rc) +
                (rc == 4 || rc == 5 ? " (check mqtt_username and mqtt_password_file)" : ""));
      return;
    }
    {
      std::lock_guard lock(mutex);
      last_error.clear();
    }
    log("connected to " + settings.broker + " as " + player_id);
    connected = true;
    changed();
    mosquitto_subscribe(mosq.get(), nullptr, screenshot_topic(settings.fleet, player_id).c_str(),
                        1);
    for (const std::string& group : settings.groups) {
      mosquitto_subscribe(mosq.get(), nullptr, update_topic(settings.fleet, group).c_str(), 1);
      mosquitto_subscribe(mosq.get(), nullptr, alert_topic(settings.fleet, group).c_str(), 1);
    }
    status_dirty = true;
  }

  void on_message(const mosquitto_message& message) {
    std::string topic = message.topic ? message.topic : "";
    std::string_view payload(static_cast<const char*>(message.payload),
                             std::size_t(std::max(message.payloadlen, 0)));
    if (topic == screenshot_topic(settings.fleet, player_id)) {
      if (!message.retain) screenshot_request(payload);
      return;
    }
    for (const std::string& group : settings.groups) {
      if (topic == update_topic(settings.fleet, group)) {
        if (!message.retain) {
          log("update on " + topic);
          if (hooks.on_update) hooks.on_update();
        }
        return;
      }
      if (topic == alert_topic(settings.fleet, group)) {
        if (!payload.empty()) alert_message(topic, payload);  // empty: the retained one cleared
        return;
      }
    }
  }

  void alert_message(const std::string& topic, std::string_view payload) {
    std::string why;
    std::int64_t now_s = std::int64_t(std::time(nullptr));
    auto alert = check_alert(payload, keys, now_s, &why);
    std::vector<Alert> shown;
    {
      std::lock_guard lock(mutex);
      if (alert) why = apply_alert(held, *alert);
      if (why == "duplicate") return;
      if (!why.empty()) {
        log("alert refused (" + topic + "): " + why);
        last_refused = {
            {"id", alert ? Json(alert->id) : Json()}, {"reason", why}, {"time_ms", unix_ms()}};
        status_dirty = true;
      }
    }
    if (!why.empty()) {
      changed();
      return;
    }
    {
      std::lock_guard lock(mutex);
      prune_alerts(held, now_s);
      std::string error;
      if (!save_alerts(alerts_file, held, &error)) {
        log("the alert is shown but not kept for a restart: " + error);
      }
      shown = held.shown;
    }
    log("alert " + alert->id +
        (alert->cancel ? " cancelled" : " held until " + iso_time(alert->expires_s)) + " (issued " +
        alert->issued + ")");
    status_dirty = true;
    if (hooks.on_alerts) hooks.on_alerts(shown);
    changed();
  }

  // {"id": "<request id>", "width": 480}: handed to the player; a bad request is answered
  // with what is wrong.
  void screenshot_request(std::string_view payload) {
    Json request = Json::parse(payload.substr(0, 4096), nullptr, false);
    std::string id = request.is_object() && request.contains("id") && request["id"].is_string()
                         ? request["id"].get<std::string>()
                         : "";
    int width = 480;
    std::string error;
    if (id.empty() || id.size() > 128) {
      error = "a screenshot request needs {\"id\": \"<1 to 128 characters>\", \"width\": N}";
    } else if (request.contains("width")) {
      if (!request["width"].is_number_integer() || request["width"].get<std::int64_t>() < 16 ||
          request["width"].get<std::int64_t>() > kMaxScreenshotWidth) {
        error = "\"width\" must be a whole number of pixels, 16 to " +
                std::to_string(kMaxScreenshotWidth);
      } else {
        width = request["width"].get<int>();
      }
    }
    if (error.empty() && hooks.on_screenshot) {
      std::lock_guard lock(mutex);
      if (shots.size() >= 8) error = "too many screenshot requests at once; ask again later";
    }
    if (!error.empty() || !hooks.on_screenshot) {
      reply(id, std::nullopt, error.empty() ? "this player takes no screenshots" : error);
      return;
    }
    {
      std::lock_guard lock(mutex);
      shots.push_back({id, SteadyClock::now() + std::chrono::seconds(5)});
    }
    log("screenshot " + id + " asked for, " + std::to_string(width) + " px wide");
    hooks.on_screenshot(ScreenshotRequest{id, width});
  }

  // Queues the reply to request `id` (one reply per request: a late one is dropped).
  void reply(const std::string& id, const std::optional<std::string>& png,
             const std::string& error) {
    Json j = {{"id", id}, {"player", player_id}, {"time_ms", unix_ms()}};
    if (png) {
      std::string text(sodium_base64_encoded_len(png->size(), sodium_base64_VARIANT_ORIGINAL),
                       '\0');
      sodium_bin2base64(text.data(), text.size(),
                        reinterpret_cast<const unsigned char*>(png->data()), png->size(),
                        sodium_base64_VARIANT_ORIGINAL);
      text.resize(std::strlen(text.c_str()));
      j["png"] = std::move(text);
    } else {
      j["error"] = error;
    }
    std::lock_guard lock(mutex);
    replies.push_back(j.dump());
  }

  void publish(const std::string& topic, const std::string& payload, bool retain) {
    int rc = mosquitto_publish(mosq.get(), nullptr, topic.c_str(), int(payload.size()),
                               payload.data(), 1, retain);
    if (rc != MOSQ_ERR_SUCCESS) log("publish to " + topic + ": " + mosquitto_strerror(rc));
  }

  void publish_status() {
    Json status = Json::parse(hooks.status ? hooks.status() : "{}", nullptr, false);
    if (!status.is_object()) status = Json::object();
    status["player"] = player_id;
    status["online"] = true;
    status["groups"] = settings.groups;
    {
      std::lock_guard lock(mutex);
      status["alerts"] = alert_ids();
      status["alert_refused"] = last_refused;
    }
    status["time_ms"] = unix_ms();
    publish(status_topic(), status.dump(), true);
  }

  // Expired alerts leave the screen by their schedule; here they leave the store and the status.
  void prune() {
    std::vector<Alert> shown;
    {
      std::lock_guard lock(mutex);
      if (!prune_alerts(held, std::int64_t(std::time(nullptr)))) return;
      std::string error;
      save_alerts(alerts_file, held, &error);
      shown = held.shown;
    }
    status_dirty = true;
    if (hooks.on_alerts) hooks.on_alerts(shown);
    changed();
  }

  // Waits up to `seconds` unless stopping; true when stopping.
  bool pause(double seconds) {
    std::unique_lock lock(mutex);
    return wake.wait_for(lock, std::chrono::milliseconds(std::int64_t(seconds * 1000)),
                         [&] { return stop.load(); });
  }

  // Why a call failed, in words: OpenSSL's reason for a TLS error, errno's for a socket.
  std::string reason(int rc) {
    const int error_number = errno;
    std::string why = rc == MOSQ_ERR_ERRNO ? std::strerror(error_number) : mosquitto_strerror(rc);
    if (rc == MOSQ_ERR_TLS) {
      std::lock_guard lock(mutex);
      if (!last_library_error.empty()) why += " (" + last_library_error + ")";
      if (last_library_error.find("certificate verify failed") != std::string::npos) {
        why += ": the broker's certificate is not trusted; set mqtt_ca_file to its CA";
      }
    }
    // Under TLS 1.3 a broker that wants a client certificate only drops the connection: lost,
    // or a protocol error (EPROTO) when that comes during the handshake.
    const bool dropped = rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_PROTOCOL ||
                         (rc == MOSQ_ERR_ERRNO && error_number == EPROTO);
    if (dropped && broker.tls && settings.cert_file.empty()) {
      why +=
          " (a broker that requires client certificates does this: set mqtt_cert_file and "
          "mqtt_key_file)";
    }
    return why;
  }

  void main();
  void say_goodbye();
};

void MqttSource::State::main() {
  double backoff_s = 1;
  bool need_connect = true, first = true;
  auto next_status = SteadyClock::now();
  auto last_status = SteadyClock::now() - std::chrono::seconds(10);
  auto next_prune = SteadyClock::now();
  while (!stop) {
    if (need_connect) {
      int rc = first ? mosquitto_connect_async(mosq.get(), broker.host.c_str(), broker.port,
                                               settings.keepalive_s)
                     : mosquitto_reconnect_async(mosq.get());
      if (rc == MOSQ_ERR_SUCCESS) {
        first = false;
        need_connect = false;
      } else {
        set_error("cannot reach " + settings.broker + ": " + reason(rc));
      }
    }
    int rc = need_connect ? MOSQ_ERR_NO_CONN : mosquitto_loop(mosq.get(), 100, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      if (connected.exchange(false)) {
        set_error("lost the broker " + settings.broker + ": " + reason(rc));
      } else if (rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_CONN_REFUSED) {  // on_connect said why
        set_error("cannot connect to " + settings.broker + ": " + reason(rc));
      }
      // Exponential backoff with jitter, so a fleet does not reconnect in step after an outage.
      double delay = backoff_s * (0.5 + double(randombytes_uniform(1001)) / 1000.0);
      backoff_s = std::min(backoff_s * 2, 60.0);
      if (pause(delay)) break;
      need_connect = true;
      continue;
    }
    if (connected) backoff_s = 1;
    auto now = SteadyClock::now();
    if (now >= next_prune) {
      prune();
      next_prune = now + std::chrono::seconds(1);
    }
    if (!connected) continue;
    if (hooks.downloading && now - last_status >= std::chrono::seconds(5) && hooks.downloading()) {
      status_dirty = true;
    }
    if ((status_dirty && now - last_status >= std::chrono::seconds(1)) || now >= next_status) {
      status_dirty = false;
      publish_status();
      last_status = now;
      next_status =
          now + std::chrono::milliseconds(std::int64_t(settings.status_interval_s * 1000));
    }
    std::vector<std::string> acks;
    {
      std::lock_guard lock(mutex);
      acks.swap(pending_acks);
    }
    for (const std::string& ack : acks) publish(ack_topic(settings.fleet, player_id), ack, false);
    std::vector<std::string> shots_due, out;
    {
      std::lock_guard lock(mutex);
      out.swap(replies);
      for (const auto& shot : shots) {
        if (now >= shot.deadline) shots_due.push_back(shot.id);
      }
      std::erase_if(shots, [&](const PendingShot& shot) { return now >= shot.deadline; });
    }
    for (const std::string& r : out) {
      publish(screenshot_topic(settings.fleet, player_id) + "/reply", r, false);
    }
    for (const std::string& id : shots_due) {
      reply(id, std::nullopt, "no frame within 5 s (the screen is off outside its display hours?)");
    }
  }
  say_goodbye();
}

// On a clean exit: the retained status says offline (as the last will would), then disconnect.
void MqttSource::State::say_goodbye() {
  if (!connected) return;
  log("disconnecting: the status says offline");
  int mid = 0;
  std::string offline = Json{{"player", player_id}, {"online", false}}.dump();
  if (mosquitto_publish(mosq.get(), &mid, status_topic().c_str(), int(offline.size()),
                        offline.data(), 1, true) != MOSQ_ERR_SUCCESS) {
    return;
  }
  // Until the broker has it (PUBACK) or 2 s: a dead broker must not hold up the exit.
  auto deadline = SteadyClock::now() + std::chrono::seconds(2);
  while (SteadyClock::now() < deadline && mosquitto_want_write(mosq.get())) {
    if (mosquitto_loop(mosq.get(), 100, 1) != MOSQ_ERR_SUCCESS) return;
  }
  for (int i = 0; i < 5 && SteadyClock::now() < deadline; ++i) {
    if (mosquitto_loop(mosq.get(), 50, 1) != MOSQ_ERR_SUCCESS) return;
  }
  mosquitto_disconnect(mosq.get());
  mosquitto_loop(mosq.get(), 50, 1);
  connected = false;
}

std::unique_ptr<MqttSource> MqttSource::start(const MqttSettings& settings,
                                              const std::string& player_id,
                                              const std::vector<PublicKey>& keys,
                                              const fs::path& state_dir, MqttHooks hooks,
                                              std::string* error) {
  if (std::string why = mqtt_settings_problem(settings, player_id); !why.empty()) {
    *error = why;
    return nullptr;
  }
  auto broker = parse_broker_url(settings.broker, error);
  init_library();
  auto state = std::make_unique<State>();
  state->settings = settings;
  state->broker = *broker;
  state->player_id = player_id;
  state->keys = keys;
  state->alerts_file = state_dir / "alerts.json";
  state->hooks = std::move(hooks);
  if (keys.empty()) log("no public_key is configured: alerts will be refused");
  std::string problems;
  state->held = load_alerts(state->alerts_file, keys, std::int64_t(std::time(nullptr)), &problems);
  if (!problems.empty()) log(problems.substr(0, problems.size() - 1));
  // Clean session off: the broker keeps the subscriptions and queues QoS 1 alerts while offline.
  state->mosq.reset(mosquitto_new(player_id.c_str(), false, state.get()));
  if (!state->mosq) {
    *error = "cannot make an MQTT client: " + std::string(std::strerror(errno));
    return nullptr;
  }
  mosquitto* m = state->mosq.get();
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  if (!settings.username.empty() || !settings.password_file.empty()) {
    std::optional<std::string> password;
    if (!settings.password_file.empty()) {
      password = files::read_secret_line(settings.password_file, "mqtt_password_file", error);
      if (!password) return nullptr;
    }
    mosquitto_username_pw_set(m, settings.username.empty() ? nullptr : settings.username.c_str(),
                              password ? password->c_str() : nullptr);
  }
  if (broker->tls) {
    const char* ca = settings.ca_file.empty() ? nullptr : settings.ca_file.c_str();
    int rc =
        mosquitto_tls_set(m, ca, ca ? nullptr : "/etc/ssl/certs",
                          settings.cert_file.empty() ? nullptr : settings.cert_file.c_str(),
                          settings.key_file.empty() ? nullptr : settings.key_file.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      *error = "mqtt TLS settings (mqtt_ca_file, mqtt_cert_file, mqtt_key_file): " +
               std::string(mosquitto_strerror(rc));
      return nullptr;
    }
  } else if (!settings.cert_file.empty()) {
    *error = "mqtt_cert_file needs an mqtts:// broker";
    return nullptr;
  }
  std::string offline = Json{{"player", player_id}, {"online", false}}.dump();
  mosquitto_will_set(m, state->status_topic().c_str(), int(offline.size()), offline.data(), 1,
                     true);
  mosquitto_connect_callback_set(
      m, [](mosquitto*, void* obj, int rc) { static_cast<State*>(obj)->on_connect(rc); });
  mosquitto_log_callback_set(m, [](mosquitto*, void* obj, int level, const char* text) {
    if (level != MOSQ_LOG_ERR || !text) return;
    auto* s = static_cast<State*>(obj);
    std::lock_guard lock(s->mutex);
    s->last_library_error = text;
  });
  mosquitto_message_callback_set(m, [](mosquitto*, void* obj, const mosquitto_message* message) {
    static_cast<State*>(obj)->on_message(*message);
  });
  State* s = state.get();
  state->thread = std::thread([s] { s->main(); });
  return std::unique_ptr<MqttSource>(new MqttSource(std::move(state)));
}

MqttSource::MqttSource(std::unique_ptr<State> state) : state_(std::move(state)) {}

void MqttSource::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
}

MqttSource::~MqttSource() {
  stop();
}

std::vector<Alert> MqttSource::shown() const {
  std::lock_guard lock(state_->mutex);
  return state_->held.shown;
}

void MqttSource::status_changed() {
  state_->status_dirty = true;
}

void MqttSource::alert_on_screen(const std::string& id, std::int64_t shown_ms) {
  std::lock_guard lock(state_->mutex);
  for (const Alert& a : state_->held.shown) {
    if (a.id != id || !state_->acked.insert({a.id, a.issued_ms}).second) continue;
    log("alert " + id + " on screen " + std::to_string(shown_ms));
    state_->pending_acks.push_back(Json{
        {"player", state_->player_id},
        {"alert", id},
        {"issued", a.issued},
        {"shown_ms", shown_ms}}.dump());
  }
}

void MqttSource::screenshot_ready(const std::string& request_id, std::optional<std::string> png,
                                  const std::string& error) {
  {
    std::lock_guard lock(state_->mutex);
    auto& shots = state_->shots;
    auto it = std::find_if(shots.begin(), shots.end(),
                           [&](const State::PendingShot& s) { return s.id == request_id; });
    if (it == shots.end()) return;  // answered already (timed out)
    shots.erase(it);
  }
  state_->reply(request_id, png, error);
}

std::string MqttSource::status_json() const {
  std::lock_guard lock(state_->mutex);
  Json j = {{"broker", state_->settings.broker},
            {"fleet", state_->settings.fleet},
            {"groups", state_->settings.groups},
            {"connected", state_->connected.load()},
            {"last_error", state_->last_error.empty() ? Json() : Json(state_->last_error)},
            {"alerts", state_->alert_ids()},
            {"alert_refused", state_->last_refused}};
  return j.dump();
}

}  // namespace signage::sync
