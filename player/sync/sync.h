// Sync: where content comes from. Sources (a web server over HTTP, a USB stick) produce candidate
// bundles; the store checks them (signature, playlist rules, sizes, hashes) and switches the
// current bundle atomically; the player is handed the new playlist. Nothing from outside is
// trusted until the store has checked it, and the last good bundle always remains playable.
//
//   HTTP thread: poll --source (conditional GET, backoff) -> fetch missing assets -> store
//   USB thread:  watch /proc/self/mountinfo -> a stick with signage/playlist.json -> store
//   local thread: a folder on this machine (the studio's published revision), looked at every
//                second -> store
//   MQTT thread: a broker (libmosquitto; docs/fleet.md): `update` wakes the HTTP thread (after a
//                random jitter); signed `alert`s are checked, kept in STATE/alerts.json and merged
//                into the playlist handed over; status (retained, with a last will), acks;
//                screenshot requests -> on_screenshot, answered with screenshot_ready
//   all:         status.json, replaced atomically; on_playlist(new content) for the player
//
// Which content wins, whatever the source: the higher "revision" in playlist.json. An equal
// revision with other bytes is refused (a revision names one content), and a bundle that does
// not load never decides. See docs/sources.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "content/content.h"
#include "sync/crypto.h"

namespace signage::sync {

enum class Source { local, http, usb };
const char* source_name(Source source);  // "local", "http", "usb"

// A bundle as the store keeps it.
struct BundleInfo {
  std::string id;  // the playlist's "id"
  std::int64_t revision = 0;
  std::string sha256;  // of playlist.json's exact bytes
  Source source = Source::local;
  std::string origin;        // the URL or the stick's folder it came from
  std::int64_t since_s = 0;  // Unix time it became current
  std::size_t items = 0;
  std::optional<std::int64_t> expires;  // the playlist's "expires", Unix seconds
  std::filesystem::path dir;            // the bundle folder in the store (playlist.json + assets)
  // sha256 -> "inode size mtime_ns" of each object when the store verified it at commit: a file
  // that still matches is not hashed again at startup (a background pass checks every byte).
  std::map<std::string, std::string> verified;
};

struct HttpSettings {
  std::string url;                // of a playlist.json; empty: no remote source
  double poll_interval_s = 60;    // +-10% jitter
  double backoff_cap_s = 900;     // failures back off exponentially up to this
  std::filesystem::path ca_file;  // extra CA for HTTPS; verification is always on
  double connect_timeout_s = 15;  //
  double low_speed_time_s = 30;   // abort when slower than low_speed_bytes_per_s this long
  std::int64_t low_speed_bytes_per_s = 100;
  // Every transfer ends within transfer_base_s + its size / min_rate_bytes_per_s (the size the
  // playlist declares for an asset, the limit for the playlist and its signature).
  double transfer_base_s = 60;
  double min_rate_bytes_per_s = 4096;
  std::uint64_t max_playlist_bytes = 4 << 20;
  std::uint64_t max_asset_bytes = 256ull << 20;
  int max_redirects = 5;
  std::string heartbeat_url;  // POST status.json here on its own schedule; empty: none
  double heartbeat_interval_s = 60;
};

// The MQTT client (sync/mqtt_source.h; topics and payloads in docs/fleet.md).
struct MqttSettings {
  std::string broker;  // mqtt://host:port or mqtts://host:port; empty: no MQTT
  std::string fleet = "default";
  std::vector<std::string> groups = {"all"};
  std::string username;
  std::filesystem::path password_file;        // must not be readable by group or others
  std::filesystem::path ca_file;              // mqtts: the CA; empty: the system's
  std::filesystem::path cert_file, key_file;  // a client certificate
  int keepalive_s = 60;
  double status_interval_s = 60;  // the retained status is published at least this often
  double update_jitter_s = 5;     // an `update` waits a random 0..this before the web check
};

struct SyncOptions {
  std::filesystem::path state_dir = "/var/lib/signage-player";
  std::uint64_t store_max_bytes = 1ull << 30;  // assets of the current and previous bundle
  std::vector<PublicKey> public_keys;  // not empty: every bundle must be signed with one of them
  std::string channel;                 // not empty: only playlists with this "id"
  HttpSettings http;
  bool watch_usb = true;
  std::vector<std::filesystem::path> usb_roots = {"/media", "/run/media", "/mnt"};
  // A bundle folder on this machine (the studio's <data dir>/published); empty: none.
  std::filesystem::path local_source;
  std::string player_id;  // in the User-Agent and status; empty: made once, kept in the state dir
  MqttSettings mqtt;
};

// What the player shows about sync on screen: import progress, a confirmation, a problem.
struct Notice {
  std::string text;  // e.g. "已从U盘载入 12 条内容", or the exact problem
  bool problem = false;
  double show_for_s = 10;
};

// A screenshot asked for over MQTT: the frame on screen, `width` pixels wide (16..960).
struct ScreenshotRequest {
  std::string id;
  int width = 480;
};

struct SyncCallbacks {
  // A new bundle became current: the playlist loaded from the store (called on a sync thread).
  std::function<void(std::shared_ptr<const content::Playlist>)> on_playlist;
  std::function<void(const Notice&)> on_notice;
  // Called on the MQTT thread; answer with Sync::screenshot_ready (from any thread).
  std::function<void(const ScreenshotRequest&)> on_screenshot;
  // After every poll of the web source (HTTP thread): whether it worked, and the error or note
  // (credentials hidden; empty after a plain success). The first-boot screen shows it.
  std::function<void(bool ok, const std::string& text)> on_web_poll;
};

// The player's own numbers for status.json.
struct PlayerCounters {
  std::uint64_t frames = 0;
  std::uint64_t dropped_frames = 0;
  bool display_on = true;  // false outside the display hours
  // What putting frames on the screen costs (run::DisplaySummary): milliseconds in the
  // renderer's present, the share of the screen's pixels one present sends, texture memory.
  double present_ms_p50 = 0, present_ms_p99 = 0;
  double damaged_mean = 0, damaged_p99 = 0;
  std::uint64_t texture_bytes = 0, texture_bytes_peak = 0;
};

// The item on screen now, for status.json's "playing" (what the studio shows as "on screen").
struct PlayingNow {
  std::string item;                  // the item's id; empty: the fallback screen
  std::optional<std::size_t> index;  // in the playlist's items
  std::int64_t since_ms = 0;         // Unix time, milliseconds, when it came on screen
  std::int64_t revision = 0;         // the playlist's
};

class Sync {
 public:
  // Opens (creates) the state directory, recovers it after a crash and loads the current bundle
  // (verified: signature, every asset's size and sha256). Starts no thread yet. With a web
  // source or heartbeat it sets GNUTLS_NO_IMPLICIT_INIT (setenv): call it before other threads.
  static std::unique_ptr<Sync> open(const SyncOptions& options, std::string* error);
  ~Sync();  // stops and joins the threads
  Sync(const Sync&) = delete;
  Sync& operator=(const Sync&) = delete;

  // The playlist of the stored current bundle (or the previous one when the current fails its
  // check), with the stored MQTT alerts that have not expired merged in; null when the store has
  // no bundle. Available right after open, with no network at all.
  std::shared_ptr<const content::Playlist> stored_playlist() const;

  // This player's id (SyncOptions::player_id, else the one kept in the state directory).
  const std::string& player_id() const;

  // Starts the HTTP, USB, local and MQTT threads. `playing`: what the player starts with when
  // the store had no bundle (a PATH or the waiting screen): MQTT alerts are merged into it until
  // a source delivers.
  void start(SyncCallbacks callbacks, std::shared_ptr<const content::Playlist> playing = nullptr);

  // Called by the frame loop's owner now and then (cheap; never blocks on I/O).
  void report_player(const PlayerCounters& counters);
  // The renderer drawing the frames (Renderer::driver(), accelerated()): once, before frames.
  void report_renderer(const std::string& driver, bool accelerated);
  // Called by the frame loop when the item on screen changed: never waits (false: the status
  // was busy, call again next frame). status.json is written by a sync thread, at most once a
  // second.
  bool report_playing(PlayingNow playing);
  // The answer to on_screenshot: PNG bytes, or nullopt and what went wrong.
  void screenshot_ready(const std::string& request_id, std::optional<std::string> png,
                        const std::string& error = "");

  struct State;

 private:
  explicit Sync(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace signage::sync
