// The fleet page's server side: one connection to the fleet's MQTT broker (fleet/fleet.h, the
// same library as `signage-player fleet`), kept on a thread of its own with reconnects. It holds
// the fleet's view (retained statuses, last wills, acks, retained alerts) and the last screenshot
// of each player in memory, behind one mutex; the routes read snapshots of it. The same thread
// pushes what the studio publishes to its groups (mqtt_groups): an `update` after every new
// revision and, with a signing key, the Alerts page's alerts and cancels (retained, signed as
// `signage-player fleet --alert` does), so screens get them in seconds, not at their next poll.
//
//   GET  /api/fleet                              the players, alerts and the connection, as JSON
//   POST /api/fleet/players/{player}/screenshot  ask the player for a picture of its screen
//   GET  /api/fleet/players/{player}/screenshot  the picture (PNG or JPEG) once it came
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fleet/fleet.h"
#include "studio/http_server.h"
#include "studio/studio_settings.h"

namespace signage::studio {

// "" or what is wrong with the settings (a bad URL or fleet name, cert without key).
std::string fleet_settings_problem(const StudioFleetSettings& settings);

// The pictures kept stay well under the unit's MemoryMax beside previews (a 960 px PNG: < 2 MiB).
inline constexpr std::size_t kMaxScreenshots = 8;             // players with a picture kept
inline constexpr std::size_t kMaxScreenshotBytes = 2 << 20;   // one picture
inline constexpr std::int64_t kScreenshotPatienceMs = 20000;  // a request waits this long
inline constexpr std::size_t kMaxOutbox = 1000;  // messages queued while the broker is away
inline constexpr int kPushTries = 3;             // a message is sent at most this often

class FleetWatch {
 public:
  // Starts the connection thread. `password`: mqtt_password_file's first line ("" none);
  // `sign_key`: the studio's secret key file ("" none: alerts travel in revisions only).
  FleetWatch(StudioFleetSettings settings, std::string password, std::string sign_key = "");
  ~FleetWatch();
  FleetWatch(const FleetWatch&) = delete;
  FleetWatch& operator=(const FleetWatch&) = delete;

  // The page's JSON: {"configured", "broker", "fleet", "connected", "error", "expected_revision",
  // "now_ms", "players": [...], "alerts": [...], "problems"} (docs/studio-api.md: "The fleet").
  nlohmann::json snapshot(std::optional<std::int64_t> expected_revision) const;

  // Asks `player` for a screenshot: 202, or 404 (no such player), 409 (offline), 503 (no
  // connection to the broker).
  int request_screenshot(const std::string& player, int width = 480);

  struct Shot {
    std::string id;
    std::int64_t asked_ms = 0, received_ms = 0;
    std::string image, content_type, error;
  };
  std::optional<Shot> screenshot(const std::string& player) const;

  // Queued for the connection thread (never blocks; sent once connected). A failure is logged
  // and shown in the snapshot's "push", never reported to the caller.
  void push_update(std::int64_t revision);  // {"revision": N} on each group's update
  // With a signing key: the alert `id` (an alert item, until Unix seconds `until_s`) retained on
  // each group's alert topic; push_cancel its cancel.
  void push_alert(const std::string& id, const std::string& title, const std::string& body,
                  int priority, std::int64_t until_s);
  void push_cancel(const std::string& id);

 private:
  void run();
  void handle(const fleet::Message& message);
  void pause(double seconds);
  void push_signed(const std::string& what, const std::optional<std::string>& text,
                   const std::string& why);
  void push_failed(const std::string& why);
  std::vector<std::string> groups() const;

  struct Outgoing {
    std::string topic, payload;
    bool retain = false;
    int tries = 0;
  };

  StudioFleetSettings settings_;
  fleet::BrokerSettings broker_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  fleet::View view_;
  bool connected_ = false;
  std::string error_;
  std::string sign_key_;
  std::deque<Outgoing> outbox_;
  std::string push_error_;             // the last push that failed ("" after one went through)
  std::int64_t pushed_ms_ = 0;         // when the last push went through
  std::map<std::string, Shot> shots_;  // player -> the last one
  std::uint64_t next_id_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// The routes above; `watch` null: no broker set (GET answers {"configured": false}).
// `expected_revision`: what the studio has published (0: nothing yet).
std::vector<Route> fleet_routes(FleetWatch* watch, std::function<std::int64_t()> expected_revision);

}  // namespace signage::studio
