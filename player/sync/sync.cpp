#include "sync/sync.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "files/files.h"
#include "sync/http_source.h"
#include "sync/iso_time.h"
#include "sync/live_worker.h"
#include "sync/local_source.h"
#include "sync/mqtt_source.h"
#include "sync/store.h"
#include "sync/usb_source.h"

namespace signage::sync {

using files::read_file;
using files::replace_file;
namespace fs = std::filesystem;
using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

// With milliseconds: the studio draws the item on screen at its elapsed time.
std::string iso_time_ms(std::int64_t unix_ms) {
  std::string seconds = iso_time(unix_ms / 1000);
  if (seconds.empty()) return "";
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", int(unix_ms % 1000));
  return seconds.substr(0, seconds.size() - 1) + ms;
}

Json or_null(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(s);
}

// `text` with every copy of `url` redacted.
std::string scrubbed(std::string text, const std::string& url) {
  if (url.empty()) return text;
  std::string safe = redacted(url);
  for (std::size_t at = 0; (at = text.find(url, at)) != std::string::npos; at += safe.size()) {
    text.replace(at, url.size(), safe);
  }
  return text;
}

bool same_sha256(const std::optional<BundleInfo>& a, const std::optional<BundleInfo>& b) {
  return a ? b && a->sha256 == b->sha256 : !b;
}

// A random id made once and kept in the state directory, so a screen keeps its name.
std::string player_id(const SyncOptions& options) {
  if (!options.player_id.empty()) return options.player_id;
  fs::path file = options.state_dir / "player-id";
  std::string id = read_file(file, 64).value_or("");
  id = id.substr(0, id.find('\n'));
  if (id.size() == 16) return id;
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  replace_file(file, std::string(hex) + "\n", 0644);
  return hex;
}

HttpValidators read_validators(const fs::path& file, const std::string& url) {
  HttpValidators v;
  v.url = url;
  auto json = Json::parse(read_file(file, 1 << 16).value_or(""), nullptr, false);
  if (json.is_object() && json.value("url", "") == url) {
    v.etag = json.value("etag", "");
    v.last_modified = json.value("last_modified", "");
    v.bundle_sha256 = json.value("bundle_sha256", "");
  }
  return v;
}

void write_validators(const fs::path& file, const HttpValidators& v) {
  // The URL may carry credentials: readable by the player's user only.
  replace_file(file,
               Json{{"url", v.url},
                    {"etag", v.etag},
                    {"last_modified", v.last_modified},
                    {"bundle_sha256", v.bundle_sha256}}
                       .dump(2) +
                   "\n",
               0600);
}

// The first line of a message, for the screen (the log gets all of it).
std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

void log(const std::string& message) {
  std::cerr << "signage-player: " << message << "\n";
}

}  // namespace

struct Sync::State {
  SyncOptions options;
  std::unique_ptr<Store> store;
  std::shared_ptr<const content::Playlist> stored;
  SyncCallbacks callbacks;
  std::string id;  // this player's, in the User-Agent and status
  std::string user_agent;
  std::int64_t started_s = std::int64_t(std::time(nullptr));

  std::atomic<bool> stop{false};
  std::atomic<bool> poll_now{false};  // the HTTP thread polls at once (the store lost content)
  // Under wake_mutex: an MQTT `update` asks for a poll at this time (jittered), and when the
  // last poll started (polls are at least kMinPollSpacing apart, whatever arrives).
  std::optional<SteadyClock::time_point> update_at;
  SteadyClock::time_point last_poll_start{};
  static constexpr auto kMinPollSpacing = std::chrono::seconds(2);
  std::mutex wake_mutex;
  std::condition_variable wake;
  bool playing_changed = false;  // under wake_mutex: status.json does not show `playing` yet
  bool mqtt_changed = false;     // under wake_mutex: nor the MQTT source's state
  std::vector<std::thread> threads;

  std::atomic<std::uint64_t> frames{0}, dropped_frames{0};
  std::atomic<bool> display_on{true};
  std::atomic<double> present_ms_p50{0}, present_ms_p99{0}, damaged_mean{0}, damaged_p99{0};
  std::atomic<std::uint64_t> texture_bytes{0}, texture_bytes_peak{0};
  std::string renderer;  // under status_mutex; empty until report_renderer
  bool accelerated = false;

  // status.json, under status_mutex.
  std::mutex status_mutex;
  std::optional<BundleInfo> content;
  std::string content_problem;  // why nothing plays from the store, or what it fell back from
  std::int64_t last_check_s = 0, next_check_s = 0;
  std::string last_result, last_error, last_note;
  std::int64_t consecutive_failures = 0;
  std::int64_t usb_last_s = 0;
  std::string usb_result, usb_error;
  std::int64_t local_last_s = 0;
  std::string local_result, local_error;
  std::optional<PlayingNow> playing;
  std::unique_ptr<LiveWorker> live;  // feeds and live values (sync/live_worker.h)

  // Under switch_mutex: the playlist the sources delivered (or the player started with) and the
  // MQTT alerts merged into what is handed over.
  std::shared_ptr<const content::Playlist> base;
  std::vector<Alert> alerts;
  std::unique_ptr<MqttSource> mqtt;
  DownloadProgress download;  // the HTTP thread's assets in flight

  // Sleeps until `deadline` or stop; true when stopping.
  bool sleep_until(SteadyClock::time_point deadline) {
    std::unique_lock lock(wake_mutex);
    return wake.wait_until(lock, deadline, [&] { return stop.load(); });
  }

  std::string status_json() {
    std::lock_guard lock(status_mutex);
    Json status;
    if (content) {
      status["content"] = {{"id", content->id},
                           {"revision", content->revision},
                           {"sha256", content->sha256},
                           {"source", source_name(content->source)},
                           {"origin", content->origin},
                           {"items", content->items},
                           {"since", iso_time(content->since_s)}};
      status["content"]["expires"] = content->expires ? Json(iso_time(*content->expires)) : Json();
      status["content"]["stale"] = stale(*content);
    } else {
      status["content"] = nullptr;
    }
    status["content_problem"] = or_null(content_problem);
    status["store"] = {{"dir", options.state_dir.string()},
                       {"writable", !store->read_only()},
                       {"problem", or_null(store->read_only_reason())}};
    status["sync"] = {{"url", or_null(redacted(options.http.url))},
                      {"last_check", or_null(iso_time(last_check_s))},
                      {"last_result", or_null(last_result)},
                      {"last_error", or_null(scrubbed(last_error, options.http.url))},
                      {"note", or_null(scrubbed(last_note, options.http.url))},
                      {"consecutive_failures", consecutive_failures},
                      {"next_check", or_null(iso_time(next_check_s))}};
    status["usb"] = {{"roots", Json::array()},
                     {"last_import", or_null(iso_time(usb_last_s))},
                     {"last_result", or_null(usb_result)},
                     {"last_error", or_null(usb_error)}};
    for (const auto& root : options.usb_roots) status["usb"]["roots"].push_back(root.string());
    if (!options.watch_usb) status["usb"]["roots"] = Json::array();
    status["local"] = {{"dir", or_null(options.local_source.string())},
                       {"last_import", or_null(iso_time(local_last_s))},
                       {"last_result", or_null(local_result)},
                       {"last_error", or_null(local_error)}};
    if (playing) {
      status["playing"] = {{"item", or_null(playing->item)},
                           {"index", playing->index ? Json(*playing->index) : Json()},
                           {"since", iso_time_ms(playing->since_ms)},
                           {"revision", playing->revision}};
    } else {
      status["playing"] = nullptr;
    }
    status["player"] = {{"id", id},
                        {"version", SIGNAGE_VERSION},
                        {"uptime_s", std::int64_t(std::time(nullptr)) - started_s},
                        {"frames", frames.load()},
                        {"dropped_frames", dropped_frames.load()},
                        {"display", display_json()}};
    status["display"] = display_on.load() ? "on" : "off";
    status["mqtt"] = mqtt ? Json::parse(mqtt->status_json(), nullptr, false) : Json();
    status["feeds"] = live ? live->status() : Json::array();
    return status.dump(2) + "\n";
  }

  // The status topic's fields that sync knows (docs/fleet.md; the MQTT source adds the rest).
  std::string mqtt_status() {
    std::lock_guard lock(status_mutex);
    Json status;
    status["revision"] = content ? Json(content->revision) : Json();
    status["playing"] = playing ? Json{{"item", or_null(playing->item)},
                                       {"since_ms", playing->since_ms},
                                       {"revision", playing->revision}}
                                : Json();
    std::string state = options.http.url.empty() ? "no-source"
                        : last_result.empty()    ? "starting"
                                                 : last_result;
    status["sync"] = {{"state", state},
                      {"last_error", or_null(scrubbed(last_error, options.http.url))}};
    std::uint64_t total = download.total, done = download.done;
    status["download"] =
        total ? Json{{"done_bytes", std::min(done, total)}, {"total_bytes", total}} : Json();
    status["uptime_s"] = std::int64_t(std::time(nullptr)) - started_s;
    status["frames"] = frames.load();
    status["dropped_frames"] = dropped_frames.load();
    status["display"] = display_on.load() ? "on" : "off";
    return status.dump();
  }

  // Under switch_mutex: `base` with its live data and the alerts to the player.
  void hand_over() {
    if (callbacks.on_playlist && base) callbacks.on_playlist(with_alerts(live->fill(base), alerts));
  }

  // The MQTT thread: the alerts held changed.
  void alerts_changed(const std::vector<Alert>& now) {
    std::lock_guard switching(switch_mutex);
    alerts = now;
    hand_over();
  }

  // The MQTT thread: an `update` message. The web source is checked after a random delay, so
  // a fleet told at once does not hit the server at once.
  void update_requested() {
    if (options.http.url.empty()) {
      log("mqtt: update ignored: there is no web source (source)");
      return;
    }
    double jitter = options.mqtt.update_jitter_s * double(randombytes_uniform(1001)) / 1000.0;
    auto at = SteadyClock::now() + std::chrono::milliseconds(std::llround(jitter * 1000));
    {
      std::lock_guard lock(wake_mutex);
      if (!update_at || at < *update_at) update_at = at;
    }
    wake.notify_all();
  }

  // Under status_mutex.
  Json display_json() const {
    auto round = [](double v, double unit) { return std::round(v / unit) * unit; };
    return {{"renderer", or_null(renderer)},
            {"accelerated", accelerated},
            {"present_ms_p50", round(present_ms_p50.load(), 1e-3)},
            {"present_ms_p99", round(present_ms_p99.load(), 1e-3)},
            {"damaged_mean", round(damaged_mean.load(), 1e-4)},
            {"damaged_p99", round(damaged_p99.load(), 1e-4)},
            {"texture_bytes", texture_bytes.load()},
            {"texture_bytes_peak", texture_bytes_peak.load()}};
  }

  // Serializes write_status: the HTTP, USB and status threads (and the destructor) share one
  // temporary file, and the newest status must be the one left in place.
  std::mutex status_file_mutex;
  bool status_unwritable = false;  // said once in the log, not every minute

  void write_status() {
    std::lock_guard lock(status_file_mutex);
    std::string why;
    // 0640: the player's group (an admin tool) may read it, others not.
    if (replace_file(options.state_dir / "status.json", status_json(), 0640, &why)) {
      status_unwritable = false;
    } else if (!status_unwritable) {
      status_unwritable = true;
      log("status.json is not updated: " + why);
    }
  }

  static bool stale(const BundleInfo& info) {
    return info.expires && *info.expires <= std::int64_t(std::time(nullptr));
  }

  // Serializes "is this still the current bundle? hand it over" across the HTTP, USB and check
  // threads, so the player never ends on an older playlist than the store's current one.
  std::mutex switch_mutex;

  // A bundle became current: check it once more as the player will read it, and hand it over
  // unless another one became current meanwhile (its own switch hands that one over).
  void switched(const BundleInfo& info) {
    std::string problem;
    auto playlist = store->load_bundle(info, &problem);
    std::lock_guard switching(switch_mutex);
    auto now = store->current();
    if (!now || now->sha256 != info.sha256) return;
    {
      std::lock_guard lock(status_mutex);
      // status.json names only content that plays.
      if (playlist) content = info;
      content_problem = playlist ? "" : problem;
    }
    if (!playlist) {
      log("the stored bundle does not load: " + problem);
      return;
    }
    log("now playing " + info.id + " revision " + std::to_string(info.revision) + " from " +
        source_name(info.source) + " " + info.origin + " (" + std::to_string(info.items) +
        " items)");
    base = playlist;
    hand_over();
    if (mqtt) mqtt->status_changed();
  }

  // The live data changed: the current playlist again, filled with it.
  void live_changed() {
    std::lock_guard switching(switch_mutex);
    auto playlist = live->filled_current();
    if (playlist && callbacks.on_playlist) callbacks.on_playlist(with_alerts(playlist, alerts));
  }

  void notice(const std::string& text, bool problem) {
    if (callbacks.on_notice) callbacks.on_notice(Notice{text, problem, problem ? 30.0 : 10.0});
  }

  void http_main();
  void wait_for_poll(SteadyClock::time_point deadline);
  void usb_main();
  void local_main();
  void status_main();
  void heartbeat_main();
  void verify_main();
  void warn_if_stale();
};

void Sync::State::http_main() {
  const HttpSettings& http = options.http;
  fs::path validators_file = options.state_dir / "http.json";
  HttpValidators validators = read_validators(validators_file, http.url);
  while (!stop) {
    {
      std::lock_guard lock(wake_mutex);
      last_poll_start = SteadyClock::now();
      update_at.reset();  // this poll answers the updates so far
    }
    HttpValidators before = validators;
    PollOutcome outcome = poll_http(*store, http, user_agent, validators, stop, &download);
    if (stop) break;
    if (validators.etag != before.etag || validators.last_modified != before.last_modified ||
        validators.bundle_sha256 != before.bundle_sha256) {
      write_validators(validators_file, validators);
    }
    double delay = http.poll_interval_s;
    {
      std::lock_guard lock(status_mutex);
      last_check_s = std::int64_t(std::time(nullptr));
      last_note = outcome.note;
      switch (outcome.result) {
        case PollOutcome::Result::updated: last_result = "updated"; break;
        case PollOutcome::Result::not_modified: last_result = "not-modified"; break;
        case PollOutcome::Result::error: last_result = "error"; break;
      }
      if (outcome.result == PollOutcome::Result::error) {
        ++consecutive_failures;
        last_error = outcome.error;
        // Exponential backoff, so thousands of screens do not hammer a server that is down.
        delay = std::min(
            http.backoff_cap_s,
            http.poll_interval_s *
                std::pow(2.0, double(std::min<std::int64_t>(consecutive_failures, 30) - 1)));
      } else {
        consecutive_failures = 0;
        last_error.clear();
      }
      delay *= 0.9 + 0.2 * double(randombytes_uniform(1001)) / 1000.0;  // +-10% jitter
      next_check_s = last_check_s + std::int64_t(std::llround(delay));
    }
    if (outcome.result == PollOutcome::Result::error) {
      char next[32];
      std::snprintf(next, sizeof next, "%.1f", delay);
      log("sync: " + scrubbed(outcome.error, http.url) + " (next try in " + next + " s)");
    } else if (!outcome.note.empty()) {
      log("sync: " + redacted(http.url) + ": " + scrubbed(outcome.note, http.url));
    }
    if (callbacks.on_web_poll) {
      const bool ok = outcome.result != PollOutcome::Result::error;
      callbacks.on_web_poll(ok, scrubbed(ok ? outcome.note : outcome.error, http.url));
    }
    if (outcome.installed) switched(*outcome.installed);
    write_status();
    if (mqtt) mqtt->status_changed();
    wait_for_poll(SteadyClock::now() + std::chrono::milliseconds(std::llround(delay * 1000)));
  }
}

// Until `deadline`, an MQTT update's time (never sooner than kMinPollSpacing after the last
// poll started), a request to poll at once, or stop.
void Sync::State::wait_for_poll(SteadyClock::time_point deadline) {
  std::unique_lock lock(wake_mutex);
  while (!stop && !poll_now.exchange(false)) {
    auto until = deadline;
    if (update_at) until = std::min(until, std::max(*update_at, last_poll_start + kMinPollSpacing));
    if (SteadyClock::now() >= until) break;
    wake.wait_until(lock, until);
  }
}

void Sync::State::usb_main() {
  std::string error;
  auto watcher = MountWatcher::open(options.usb_roots, &error);
  if (!watcher) {
    log("USB sticks will not be noticed: " + error);
    return;
  }
  // Mounts looked at, with what their playlist was then: forgotten when unmounted, and looked at
  // again when the playlist differs (a stick swapped at the same place while this thread was
  // busy importing: the kernel reuses mount ids, so the path alone cannot tell).
  std::map<fs::path, std::string> seen;
  while (!stop) {
    auto mounts = watcher->mounts();
    std::set<fs::path> present(mounts.begin(), mounts.end());
    for (const fs::path& mount : mounts) {
      std::string playlist = file_identity(mount / "signage" / "playlist.json");
      auto [it, added] = seen.try_emplace(mount, playlist);
      if (!added && it->second == playlist) continue;
      it->second = playlist;
      if (stop) continue;
      auto last_progress = SteadyClock::now() - std::chrono::seconds(1);
      bool copying = false;
      auto progress = [&](const ImportProgress& p) {
        if (!copying && p.files_total > 0) {
          copying = true;
          char size[32];
          std::snprintf(size, sizeof size, "%.1f", double(p.bytes_total) / double(1 << 20));
          log("USB: copying " + std::to_string(p.files_total) + " files (" + size + " MB) from " +
              mount.string());
        }
        if (SteadyClock::now() - last_progress < std::chrono::milliseconds(500)) return;
        last_progress = SteadyClock::now();
        int percent = p.bytes_total ? int(100 * p.bytes_done / p.bytes_total) : 0;
        notice("正在从U盘复制内容… " + std::to_string(percent) + "%（" +
                   std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " 个文件）",
               false);
      };
      ImportOutcome outcome = import_stick(*store, mount, progress, stop);
      if (!outcome.found) continue;
      {
        std::lock_guard lock(status_mutex);
        usb_last_s = std::int64_t(std::time(nullptr));
        usb_result = outcome.imported          ? "imported"
                     : outcome.already_current ? "already-current"
                                               : "error";
        usb_error = outcome.error;
      }
      if (outcome.imported && outcome.installed) {
        log("USB: imported " + mount.string());
        notice("已从U盘载入 " + std::to_string(outcome.installed->items) + " 条内容", false);
        switched(*outcome.installed);
      } else if (outcome.already_current) {
        notice("U盘中的内容正在播放，无需载入", false);
      } else {
        log("USB: " + mount.string() + ": " + outcome.error);
        notice("U盘内容未载入：" + first_line(outcome.error), true);
      }
      write_status();
    }
    for (auto it = seen.begin(); it != seen.end();) {
      it = present.count(it->first) ? std::next(it) : seen.erase(it);
    }
    watcher->wait(5000, stop);
  }
}

// The local folder, looked at every second: a few stat calls, so it may run all day. A changed
// folder is imported once; one that failed is tried again when it changes (a hand-made folder
// still being copied: its playlist, its signature, where the link leads or a listed file).
void Sync::State::local_main() {
  const fs::path& dir = options.local_source;
  std::optional<LocalIdentity> attempted;
  std::vector<std::string> watched;  // the assets of a failed import
  while (!stop) {
    LocalIdentity before = local_identity(dir, watched);
    if (before != attempted) {
      ImportOutcome outcome = import_local(*store, dir, stop);
      if (stop) break;
      bool ok = outcome.imported || outcome.already_current;
      attempted = before;
      if (ok) attempted->assets.clear();
      watched = ok ? std::vector<std::string>() : outcome.assets;
      {
        std::lock_guard lock(status_mutex);
        local_last_s = std::int64_t(std::time(nullptr));
        local_result = outcome.imported          ? "imported"
                       : outcome.already_current ? "already-current"
                       : outcome.found           ? "error"
                                                 : "missing";
        local_error = outcome.error;
      }
      if (outcome.imported && outcome.installed) {
        log("local: imported " + outcome.installed->origin);
        switched(*outcome.installed);
      } else if (!ok) {
        log("local: " + outcome.error);
      }
      write_status();
    }
    sleep_until(SteadyClock::now() + std::chrono::seconds(1));
  }
}

void Sync::State::status_main() {
  // Uptime and frame counts once a minute (that spares an SD card); the item on screen when it
  // changes, at most once a second.
  auto next_minute = SteadyClock::now() + std::chrono::seconds(60);
  warn_if_stale();
  for (int minute = 0;;) {
    bool changed = false, played = false;
    {
      std::unique_lock lock(wake_mutex);
      wake.wait_until(lock, next_minute,
                      [&] { return stop.load() || playing_changed || mqtt_changed; });
      if (stop) break;
      played = std::exchange(playing_changed, false);
      changed = std::exchange(mqtt_changed, false) || played;
    }
    if (played && mqtt) {
      std::optional<PlayingNow> now;
      {
        std::lock_guard lock(status_mutex);
        now = playing;
      }
      if (now && !now->item.empty()) mqtt->alert_on_screen(now->item, now->since_ms);
      mqtt->status_changed();
    }
    write_status();
    if (!changed || SteadyClock::now() >= next_minute) {
      next_minute = SteadyClock::now() + std::chrono::seconds(60);
      if (++minute % 30 == 0) warn_if_stale();  // every half hour, not at every item
    }
    if (changed && sleep_until(SteadyClock::now() + std::chrono::seconds(1))) break;
  }
}

// Content past its "expires" keeps playing (better than a black screen) but says so: in
// status.json, and in the notice band for a few seconds every half hour.
void Sync::State::warn_if_stale() {
  std::optional<BundleInfo> playing;
  {
    std::lock_guard lock(status_mutex);
    playing = content;
  }
  if (!playing || !stale(*playing)) return;
  if (callbacks.on_notice) {
    callbacks.on_notice(Notice{
        "内容已过期（" + iso_time(*playing->expires).substr(0, 10) + "），等待更新", false, 8});
  }
}

// On its own schedule, so a slow transfer on the HTTP thread does not silence it.
void Sync::State::heartbeat_main() {
  const HttpSettings& http = options.http;
  do {
    std::string why;
    if (!post_json(http, user_agent, http.heartbeat_url, status_json(), &why, stop)) {
      if (!stop) log("heartbeat to " + redacted(http.heartbeat_url) + " failed: " + why);
    }
  } while (!sleep_until(SteadyClock::now() +
                        std::chrono::milliseconds(std::llround(http.heartbeat_interval_s * 1000))));
}

// Startup trusted the record made when the objects were verified; now every byte is checked.
// Damage found: the previous bundle takes over, or nothing plays from the store and the web
// source is asked at once (the damaged objects are gone, so they are fetched again).
void Sync::State::verify_main() {
  auto before = store->current();
  if (!before) return;
  std::string problem;
  std::optional<BundleInfo> loaded;
  auto playlist = store->load_current(&problem, Verify::full, &loaded);
  if (problem.empty() || stop) return;
  {
    std::lock_guard switching(switch_mutex);
    auto now = store->current();
    // A switch since the check hands over its own, newer content.
    if (!same_sha256(now, loaded)) return;
    log("stored content: " + problem);
    {
      std::lock_guard lock(status_mutex);
      content = now;
      content_problem = problem;
    }
    notice("存储的内容已损坏：" + first_line(problem), true);
    if (playlist) {
      base = playlist;
      hand_over();
    }
  }
  write_status();
  {
    std::lock_guard lock(wake_mutex);
    poll_now = true;
  }
  wake.notify_all();
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<Sync> Sync::open(const SyncOptions& options, std::string* error) {
  if (!options.http.url.empty() || !options.http.heartbeat_url.empty()) {
    // libcurl, loaded at the first transfer, pulls in GnuTLS through librtmp (RTMP is never
    // allowed here), and GnuTLS initializes itself on load: 0.9 MB resident for nothing. Set
    // now, before the player starts its threads (setenv is not thread-safe); a value the user
    // set is kept.
    ::setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0);
  }
  if (!crypto_init()) {
    if (error) *error = "libsodium failed to initialize";
    return nullptr;
  }
  auto state = std::make_unique<State>();
  state->options = options;
  StoreOptions store_options;
  store_options.dir = options.state_dir;
  store_options.max_bytes = options.store_max_bytes;
  store_options.public_keys = options.public_keys;
  store_options.channel = options.channel;
  state->store = Store::open(store_options, error);
  if (!state->store) return nullptr;
  state->id = sync::player_id(options);  // (not the member Sync::player_id)
  if (!options.mqtt.broker.empty()) {
    if (std::string problem = mqtt_settings_problem(options.mqtt, state->id); !problem.empty()) {
      if (error) *error = problem;
      return nullptr;
    }
  }
  state->user_agent = std::string("signage-player/") + SIGNAGE_VERSION + " (" + state->id + ")";
  if (state->store->read_only()) log(state->store->read_only_reason());
  std::string problem;
  // The first frame must not wait for hashing a large store: verify_main checks it all later.
  state->stored = state->store->load_current(&problem, Verify::quick);
  if (!problem.empty()) log("stored content: " + problem);
  state->content = state->store->current();
  state->content_problem = problem;
  if (!state->stored) state->content.reset();
  state->base = state->stored;
  State* s = state.get();
  state->live = std::make_unique<LiveWorker>(
      options, state->user_agent, [s] { s->live_changed(); }, [s] { s->write_status(); });
  state->stored = state->live->fill(state->stored);
  if (!options.mqtt.broker.empty()) {
    // A held alert shows from the first frame, even with no broker reachable.
    state->alerts = stored_alerts(options.state_dir, options.public_keys);
    if (state->stored) state->stored = with_alerts(state->stored, state->alerts);
  }
  state->write_status();
  return std::unique_ptr<Sync>(new Sync(std::move(state)));
}

Sync::Sync(std::unique_ptr<State> state) : state_(std::move(state)) {}

Sync::~Sync() {
  {
    std::lock_guard lock(state_->wake_mutex);
    state_->stop = true;
  }
  state_->store->stop_checks();
  state_->wake.notify_all();
  for (auto& thread : state_->threads) thread.join();
  if (state_->mqtt) state_->mqtt->stop();  // publishes "offline" (retained)
  state_->live->stop();
  state_->write_status();
  // The last word: the final status, with a limit of its own so a dead server cannot hold up
  // the exit (systemd waits 90 s).
  const HttpSettings& http = state_->options.http;
  if (!http.heartbeat_url.empty()) {
    constexpr double kLastHeartbeatLimitS = 3;
    const std::atomic<bool> never{false};
    std::string why;
    if (!post_json(http, state_->user_agent, http.heartbeat_url, state_->status_json(), &why, never,
                   kLastHeartbeatLimitS)) {
      log("last heartbeat to " + redacted(http.heartbeat_url) + " failed: " + why);
    }
  }
}

std::shared_ptr<const content::Playlist> Sync::stored_playlist() const {
  return state_->stored;
}

const std::string& Sync::player_id() const {
  return state_->id;
}

void Sync::start(SyncCallbacks callbacks, std::shared_ptr<const content::Playlist> playing) {
  state_->callbacks = std::move(callbacks);
  State* s = state_.get();
  if (!s->options.mqtt.broker.empty()) {
    {
      std::lock_guard switching(s->switch_mutex);
      if (!s->base) s->base = playing;
      // Alerts held for a player that started without a stored bundle: on screen at once.
      if (!s->stored && !s->alerts.empty()) s->hand_over();
    }
    MqttHooks hooks;
    hooks.on_update = [s] { s->update_requested(); };
    hooks.on_alerts = [s](const std::vector<Alert>& now) { s->alerts_changed(now); };
    hooks.status = [s] { return s->mqtt_status(); };
    hooks.downloading = [s] { return s->download.total > 0; };
    if (s->callbacks.on_screenshot) hooks.on_screenshot = s->callbacks.on_screenshot;
    hooks.on_state_changed = [s] {
      {
        std::lock_guard lock(s->wake_mutex);
        s->mqtt_changed = true;
      }
      s->wake.notify_all();
    };
    std::string error;
    s->mqtt = MqttSource::start(s->options.mqtt, s->id, s->options.public_keys,
                                s->options.state_dir, std::move(hooks), &error);
    if (!s->mqtt) log("mqtt: " + error);
  }
  if (!s->options.http.url.empty()) s->threads.emplace_back([s] { s->http_main(); });
  if (s->options.watch_usb && !s->options.usb_roots.empty()) {
    s->threads.emplace_back([s] { s->usb_main(); });
  }
  if (!s->options.local_source.empty()) s->threads.emplace_back([s] { s->local_main(); });
  s->threads.emplace_back([s] { s->status_main(); });
  s->live->start();
  s->threads.emplace_back([s] { s->verify_main(); });
  if (!s->options.http.heartbeat_url.empty()) {
    s->threads.emplace_back([s] { s->heartbeat_main(); });
  }
}

bool Sync::report_playing(PlayingNow now) {
  State& s = *state_;
  std::unique_lock wake_lock(s.wake_mutex, std::try_to_lock);
  if (!wake_lock.owns_lock()) return false;
  std::unique_lock status_lock(s.status_mutex, std::try_to_lock);
  if (!status_lock.owns_lock()) return false;
  s.playing = std::move(now);
  s.playing_changed = true;
  status_lock.unlock();
  wake_lock.unlock();
  s.wake.notify_all();
  return true;
}

void Sync::screenshot_ready(const std::string& request_id, std::optional<std::string> png,
                            const std::string& error) {
  if (state_->mqtt) state_->mqtt->screenshot_ready(request_id, std::move(png), error);
}

void Sync::report_player(const PlayerCounters& counters) {
  state_->frames = counters.frames;
  state_->dropped_frames = counters.dropped_frames;
  state_->display_on = counters.display_on;
  state_->present_ms_p50 = counters.present_ms_p50;
  state_->present_ms_p99 = counters.present_ms_p99;
  state_->damaged_mean = counters.damaged_mean;
  state_->damaged_p99 = counters.damaged_p99;
  state_->texture_bytes = counters.texture_bytes;
  state_->texture_bytes_peak = counters.texture_bytes_peak;
}

void Sync::report_renderer(const std::string& driver, bool accelerated) {
  std::lock_guard lock(state_->status_mutex);
  state_->renderer = driver;
  state_->accelerated = accelerated;
}

}  // namespace signage::sync
