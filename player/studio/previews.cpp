#include "studio/previews.h"

#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "content/content.h"
#include "files/files.h"
#include "render/render.h"
#include "run/check.h"
#include "run/player.h"
#include "scene/scene.h"
#include "sync/crypto.h"

namespace signage::studio {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// A card as people remember it: after its transition in and its numbers' count-up (a statistic
// mid-count would show 1,031 for 1,286), or its first whole frame when it is shorter than that.
std::optional<scene::Nanos> settled_offset(const content::Item& item) {
  const scene::Nanos settled = std::max(scene::kTransitionLength, scene::kCountUpLength);
  if (item.duration_s * double(scene::kSecond) <= double(settled) * 1.5) return std::nullopt;
  return settled;
}

constexpr std::uint64_t kStatusLimit = 1 << 20;
constexpr scene::Size kLandscape{1920, 1080};

using Work = std::function<PreviewResult(run::StillRenderer&)>;

struct Job {
  std::string key;
  Work work;
  std::promise<PreviewResult> promise;
  std::shared_future<PreviewResult> result = promise.get_future().share();
};

// Query-string encoding for the contact sheet's thumbnail URLs (ids and "+08:00").
std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

PreviewResult failed(PreviewProblem problem, std::string detail = {}) {
  PreviewResult r;
  r.problem = problem;
  r.detail = std::move(detail);
  return r;
}

// A parsed playlist or the result that says why not.
std::shared_ptr<const content::Playlist> parse(const std::string& json, const fs::path& dir,
                                               PreviewResult* problem) {
  content::ParseResult parsed = content::parse_playlist(json, "playlist.json", dir);
  if (!parsed.playlist) {
    *problem = failed(PreviewProblem::bad_playlist);
    problem->diagnostics_json = run::diagnostics_json(parsed.diagnostics).dump();
  }
  return parsed.playlist;
}

// What one still needs: the playlist's text and folder, the item, the screen and the time.
struct StillRequest {
  std::string playlist_json;
  fs::path dir;
  std::string item;
  int rotate = 0;                  // 90: portrait
  int width = kLandscape.width;    // of the PNG (smaller: scaled down)
  std::int64_t clock = 0;          // the wall clock when the loop starts
  std::optional<scene::Nanos> at;  // unset: the item's first showing (render --item)
};

}  // namespace

struct Previews::Shared {
  DraftSource draft;
  StudioPaths paths;
  PreviewOptions options;

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::deque<std::shared_ptr<Job>> queue;
  std::unordered_map<std::string, std::shared_ptr<Job>> in_flight;
  // LRU: most recently used first.
  using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
  std::list<Entry> lru;
  std::unordered_map<std::string, std::list<Entry>::iterator> cached;
  PreviewStats stats;
  std::thread worker;

  std::int64_t now() const {
    return options.now ? options.now() : std::int64_t(std::time(nullptr));
  }

  static std::string etag_of(const std::string& key) { return "\"" + key.substr(0, 32) + "\""; }

  // The cached PNG for `key` or the result of `work`, rendered once however many ask at once.
  PreviewResult request(const std::string& key, Work work) {
    std::shared_future<PreviewResult> result;
    {
      std::lock_guard lock(mutex);
      if (auto hit = cached.find(key); hit != cached.end()) {
        lru.splice(lru.begin(), lru, hit->second);
        ++stats.cache_hits;
        PreviewResult r;
        r.png = hit->second->second;
        r.etag = etag_of(key);
        return r;
      }
      if (auto same = in_flight.find(key); same != in_flight.end()) {
        ++stats.merged;
        result = same->second->result;
      } else {
        auto job = std::make_shared<Job>();
        job->key = key;
        job->work = std::move(work);
        result = job->result;
        in_flight.emplace(key, job);
        queue.push_back(std::move(job));
        wake.notify_one();
      }
    }
    return result.get();
  }

  void keep(const std::string& key, const std::shared_ptr<const std::string>& png) {
    if (png->size() > options.cache_bytes || cached.count(key)) return;
    lru.emplace_front(key, png);
    cached.emplace(key, lru.begin());
    stats.cache_bytes += png->size();
    while (stats.cache_bytes > options.cache_bytes) {
      stats.cache_bytes -= lru.back().second->size();
      cached.erase(lru.back().first);
      lru.pop_back();
    }
    stats.cache_entries = lru.size();
  }

  void worker_main() {
    {
      run::StillRenderer still;  // the engine lives on this thread (SDL's renderer is per thread)
      serve(still);
    }
    render::release_thread_state();  // a std::thread: SDL would leave its state behind
  }

  void serve(run::StillRenderer& still) {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stop || !queue.empty(); });
      if (stop) break;
      std::shared_ptr<Job> job = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      PreviewResult result;
      try {
        result = job->work(still);
      } catch (const std::exception& e) {
        result = failed(PreviewProblem::render_failed, e.what());
      }
      if (result.png) result.etag = etag_of(job->key);
      job->work = nullptr;  // the request's copy of the playlist
      // A still leaves megabytes of freed heap between live blocks (the card's pixels, the PNG
      // as it grew): give those pages back now, as the player's frame loop need not.
      malloc_trim(0);
      lock.lock();
      stats.renders = still.renders();
      if (result.png) keep(job->key, result.png);
      in_flight.erase(job->key);
      job->promise.set_value(std::move(result));
    }
    for (auto& job : queue) {
      job->promise.set_value(failed(PreviewProblem::render_failed, "the studio is stopping"));
    }
    queue.clear();
  }

  // The PNG of one still, on the worker.
  PreviewResult draw(run::StillRenderer& still, const StillRequest& request) {
    PreviewResult result;
    auto playlist = parse(request.playlist_json, request.dir, &result);
    if (!playlist) return result;
    auto index = run::find_item(*playlist, request.item);
    if (!index) return failed(PreviewProblem::no_item, request.item);
    run::StillOptions options;
    options.size = kLandscape;
    options.rotate = request.rotate;
    options.fonts_dir = this->options.fonts_dir;
    options.wall_clock_at_start_s = request.clock;
    auto at = request.at;
    if (!at)
      at = run::item_time(playlist, *index, request.clock, settled_offset(playlist->items[*index]));
    if (!at) {
      return failed(PreviewProblem::not_shown,
                    content::format_instant(request.clock, playlist->timezone));
    }
    options.at = *at;
    std::string error;
    std::optional<std::string> png;
    // Encoded (or scaled down) from the renderer's surface: no 8 MB copy of the frame.
    const bool drawn = still.render(
        playlist, options,
        [&](const render::RgbaRows& frame) {
          if (request.width >= frame.width) {
            png = render::encode_png(frame, options_png_level());
            return;
          }
          const int height = int(std::lround(double(frame.height) * request.width / frame.width));
          png = render::encode_png(render::downscale(frame, request.width, std::max(1, height)),
                                   options_png_level());
        },
        &error);
    if (!drawn) return failed(PreviewProblem::render_failed, error);
    if (!png) return failed(PreviewProblem::render_failed, "the picture could not be encoded");
    result.png = std::make_shared<const std::string>(std::move(*png));
    return result;
  }
  int options_png_level() const { return std::clamp(options.png_level, 0, 9); }

  // A still through the cache: keyed by the playlist's bytes and everything else that changes
  // pixels.
  PreviewResult still(StillRequest request, const std::string& kind) {
    const std::string key = sync::sha256_hex(
        sync::sha256_hex(request.playlist_json) + "\n" + request.dir.string() + "\n" + kind + "\n" +
        request.item + "\n" + std::to_string(request.width) + "\n" +
        std::to_string(request.rotate) + "\n" + std::to_string(request.clock) + "\n" +
        (request.at ? std::to_string(*request.at) : "first"));
    return this->request(key, [this, request = std::move(request)](run::StillRenderer& r) {
      return draw(r, request);
    });
  }
};

Previews::Previews(DraftSource draft, StudioPaths paths, PreviewOptions options)
    : shared_(std::make_unique<Shared>()) {
  sync::crypto_init();
  shared_->draft = std::move(draft);
  shared_->paths = std::move(paths);
  shared_->options = std::move(options);
  shared_->worker = std::thread([s = shared_.get()] { s->worker_main(); });
}

Previews::~Previews() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stop = true;
  }
  shared_->wake.notify_all();
  shared_->worker.join();
}

PreviewStats Previews::stats() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->stats;
}

PreviewResult Previews::thumbnail(const std::string& version, const std::string& item, int width,
                                  std::optional<std::int64_t> at) {
  (void)version;  // the URL's; the draft as it is now is drawn (and keyed by its bytes)
  DraftSnapshot draft = shared_->draft();
  StillRequest request;
  request.playlist_json = std::move(draft.playlist_json);
  request.dir = draft.dir;
  request.item = item;
  request.width = std::clamp(width, 16, kLandscape.width);
  request.clock = at.value_or(shared_->now() / 60 * 60);
  return shared_->still(std::move(request), "thumbnail");
}

PreviewResult Previews::preview(const std::string& playlist_json, const std::string& item,
                                Orientation orientation, std::optional<std::int64_t> at) {
  StillRequest request;
  request.playlist_json = playlist_json;
  request.dir = shared_->draft().dir;
  request.item = item;
  request.rotate = orientation == Orientation::portrait ? 90 : 0;
  request.clock = at.value_or(shared_->now() / 60 * 60);
  return shared_->still(std::move(request), "preview");
}

std::optional<std::string> Previews::contact_sheet(std::optional<std::int64_t> when, int width,
                                                   PreviewResult* problem) {
  const std::int64_t at = when.value_or(shared_->now() / 60 * 60);
  DraftSnapshot draft = shared_->draft();
  auto playlist = parse(draft.playlist_json, draft.dir, problem);
  if (!playlist) return std::nullopt;
  const std::string iso = content::format_instant(at, playlist->timezone);
  Json out = run::loop_json(playlist, at);
  for (Json& slot : out["slots"]) {
    // The item's first showing in the loop started at `at` (render --item --clock).
    slot["thumbnail"] =
        slot["id"].is_string()
            ? Json("/api/thumbnail?item=" + url_encode(slot["id"].get<std::string>()) +
                   "&version=" + url_encode(draft.version) +
                   "&width=" + std::to_string(std::clamp(width, 16, kLandscape.width)) +
                   "&at=" + url_encode(iso))
            : Json();
  }
  return out.dump();
}

std::optional<std::string> Previews::player_status() const {
  return files::read_file(shared_->paths.player_state_dir / "status.json", kStatusLimit);
}

PreviewResult Previews::screen() {
  auto status_text = player_status();
  if (!status_text) return failed(PreviewProblem::nothing_playing);
  Json status = Json::parse(*status_text, nullptr, false);
  if (!status.is_object() || !status.contains("playing") || !status["playing"].is_object()) {
    return failed(PreviewProblem::nothing_playing);
  }
  const Json& playing = status["playing"];
  std::string item;
  if (playing.contains("item") && playing["item"].is_string()) {
    item = playing["item"].get<std::string>();
  } else if (playing.contains("index") && playing["index"].is_number_unsigned()) {
    item = std::to_string(playing["index"].get<std::uint64_t>() + 1);
  }
  std::optional<std::int64_t> since;
  if (playing.contains("since") && playing["since"].is_string()) {
    since = content::parse_instant(playing["since"].get<std::string>());
  }
  if (item.empty() || !since) return failed(PreviewProblem::nothing_playing);

  // The revision that plays when it is still kept, else the published one.
  fs::path dir = shared_->paths.published_link();
  if (playing.contains("revision") && playing["revision"].is_number_unsigned()) {
    fs::path exact = shared_->paths.revisions_dir() /
                     ("r" + std::to_string(playing["revision"].get<std::uint64_t>()));
    std::error_code ec;
    if (fs::is_directory(exact, ec)) dir = exact;
  }
  std::error_code ec;
  dir = fs::canonical(dir, ec);
  if (ec) return failed(PreviewProblem::no_published);
  content::Limits limits;
  auto json = files::read_file(dir / "playlist.json", limits.max_file_bytes);
  if (!json) return failed(PreviewProblem::no_published);

  const std::int64_t elapsed_s = std::max<std::int64_t>(0, shared_->now() - *since);
  StillRequest request;
  request.playlist_json = std::move(*json);
  request.dir = dir;
  request.item = item;
  // The loop started so that the item's showing began at `since`, drawn `elapsed` into it.
  PreviewResult result;
  auto playlist = parse(request.playlist_json, dir, &result);
  if (!playlist) return result;
  auto index = run::find_item(*playlist, item);
  if (!index) return failed(PreviewProblem::no_item, item);
  auto slot = scene::first_slot_of(playlist, *since, *index, run::kItemSearch);
  if (!slot) return failed(PreviewProblem::not_shown, playing["since"].get<std::string>());
  const std::int64_t start_s = slot->start / scene::kSecond;
  request.clock = *since - start_s;
  request.at = std::min(slot->start + elapsed_s * scene::kSecond, slot->end - 1);
  return shared_->still(std::move(request), "screen");
}

}  // namespace signage::studio
