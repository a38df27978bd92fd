// The MQTT source: one connection to a broker (libmosquitto, MQTT 3.1.1) on its own thread. The
// topics and payloads are the contract in docs/fleet.md ("Topics and payloads"):
//
//   signage/<fleet>/<group>/update             -> hooks.on_update (the web source is checked)
//   signage/<fleet>/<group>/alert              -> checked (signature, fields, times, replay),
//                                                 kept in STATE/alerts.json, hooks.on_alerts
//   signage/<fleet>/status/<player>  <-         retained status; last will {"online": false}
//   signage/<fleet>/ack/<player>     <-         an alert first on screen (alert_on_screen)
//   signage/<fleet>/screenshot/<player>         -> hooks.on_screenshot; screenshot_ready
//                                                  answers on .../reply (a PNG, base64)
//
// Client id = player id, clean session off (QoS 1 alerts queued while offline arrive), reconnects
// with exponential backoff and jitter. Nothing here runs on the frame loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/content.h"
#include "sync/crypto.h"
#include "sync/sync.h"

namespace signage::sync {

// Topics of the contract.
std::string update_topic(const std::string& fleet, const std::string& group);
std::string alert_topic(const std::string& fleet, const std::string& group);
std::string status_topic(const std::string& fleet, const std::string& player);
std::string ack_topic(const std::string& fleet, const std::string& player);
std::string screenshot_topic(const std::string& fleet, const std::string& player);  // + "/reply"
constexpr int kMaxScreenshotWidth = 960;

// "mqtt://host:port" or "mqtts://host:port" (port defaults 1883 / 8883).
struct BrokerAddress {
  std::string host;
  int port = 1883;
  bool tls = false;
};
std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string* error);

// A fleet, group or player id as a topic level: 1-64 of [A-Za-z0-9._-]. "" or the problem.
std::string topic_level_problem(std::string_view level);

// An alert after its check. `text` and `signature` are what was signed, kept so the store can
// check it again at startup.
struct Alert {
  std::string id;
  bool cancel = false;
  std::int64_t issued_ms = 0;  // Unix milliseconds (orders two alerts within one second)
  std::int64_t expires_s = 0;
  std::string issued;                 // as written
  std::optional<content::Item> item;  // for "show": type alert; its id is the alert's id
  std::string text, signature;
};

// Checks an `alert` message payload ({"alert": TEXT, "signature": BASE64}): the signature of
// TEXT's bytes by one of `keys` (none: refused), the alert's fields (unknown ones refused), the
// item by the playlist checker's rules, not expired at `now_s`, not issued more than 5 minutes
// after it. nullopt with the reason in words for the log and status.
std::optional<Alert> check_alert(std::string_view payload, const std::vector<PublicKey>& keys,
                                 std::int64_t now_s, std::string* error);

// The payload of an alert message for `alert_text`, signed with `secret_key` (base64): what a
// publisher sends (tests, the fleet tool).
std::optional<std::string> signed_alert_payload(const std::string& alert_text,
                                                std::string_view secret_key, std::string* error);

// The alerts a player holds: shown until they expire or are cancelled, and the latest `issued`
// seen per id (cancels included) so a replayed older message is refused.
struct HeldAlerts {
  std::vector<Alert> shown;                                // action "show", not expired, by arrival
  std::vector<std::pair<std::string, std::int64_t>> seen;  // id -> latest issued_ms, until expiry
  std::vector<std::pair<std::string, std::int64_t>> seen_expires;  // id -> when forgotten
};

// Applies a checked alert: "" or why it is refused (a replay: not newer than the one held).
std::string apply_alert(HeldAlerts& held, const Alert& alert);
// Drops alerts and replay records past their expiry; true when the shown ones changed.
bool prune_alerts(HeldAlerts& held, std::int64_t now_s);
// STATE/alerts.json: the signed texts, checked again on load (a bad entry is dropped and logged).
HeldAlerts load_alerts(const std::filesystem::path& file, const std::vector<PublicKey>& keys,
                       std::int64_t now_s, std::string* problems);
bool save_alerts(const std::filesystem::path& file, const HeldAlerts& held, std::string* error);

// `base` with the alerts' items appended (after its own items); `base` itself when there are
// none. An alert whose id an item of `base` has is left out (the studio sends its alerts both
// pushed and in the next revision). Null base: an empty playlist (the fallback screen) with the
// alerts.
std::shared_ptr<const content::Playlist> with_alerts(std::shared_ptr<const content::Playlist> base,
                                                     const std::vector<Alert>& alerts);

struct MqttHooks {
  std::function<void()> on_update;  // an `update` arrived (the hook applies jitter)
  std::function<void(const std::vector<Alert>& shown)> on_alerts;  // the shown alerts changed
  // A JSON object with the status fields that are not the MQTT source's own (revision, playing,
  // sync, download, uptime_s, frames, dropped_frames, display; see docs/fleet.md); the source
  // adds player, online, groups, alerts, alert_refused and time_ms. Called on the MQTT thread.
  std::function<std::string()> status;
  // What status_json() says changed (connected, an error, an alert held or refused).
  std::function<void()> on_state_changed;
  // True while a bundle downloads: the status (its "download") is published every 5 s then.
  std::function<bool()> downloading;
  // A screenshot request; answered with MqttSource::screenshot_ready (else after 5 s: an error).
  std::function<void(const ScreenshotRequest&)> on_screenshot;
};

// The settings' problems that must stop the player at start ("" when none): the broker URL, the
// player id as a topic level, the password file readable by others.
std::string mqtt_settings_problem(const MqttSettings& settings, const std::string& player_id);

// The MQTT thread. start() returns null with the reason for bad settings; the connection itself
// is made in the background and retried for ever.
class MqttSource {
 public:
  static std::unique_ptr<MqttSource> start(const MqttSettings& settings,
                                           const std::string& player_id,
                                           const std::vector<PublicKey>& keys,
                                           const std::filesystem::path& state_dir, MqttHooks hooks,
                                           std::string* error);
  // Publishes {"online": false} (retained), disconnects and joins the thread (once).
  void stop();
  ~MqttSource();  // stop()
  MqttSource(const MqttSource&) = delete;
  MqttSource& operator=(const MqttSource&) = delete;

  // The alerts held now (from the store at start, then as messages arrive).
  std::vector<Alert> shown() const;
  // Something in the status changed: published soon (at most once a second). Thread-safe.
  void status_changed();
  // The alert `id` (the item's id) is on screen since `shown_ms`: logged, acknowledged once per
  // `issued`. Thread-safe, never blocks on I/O.
  void alert_on_screen(const std::string& id, std::int64_t shown_ms);
  // The answer to hooks.on_screenshot, published on the reply topic. Thread-safe.
  void screenshot_ready(const std::string& request_id, std::optional<std::string> png,
                        const std::string& error);
  // For status.json: "connected", "connecting", the last error, the last refused alert.
  std::string status_json() const;

  struct State;

 private:
  explicit MqttSource(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Loads STATE/alerts.json without starting anything (Sync::open: the first frame already shows
// a held alert).
std::vector<Alert> stored_alerts(const std::filesystem::path& state_dir,
                                 const std::vector<PublicKey>& keys);

}  // namespace signage::sync
