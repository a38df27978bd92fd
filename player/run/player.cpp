#include "player.h"

#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <utility>

#include "text/fonts.h"

namespace signage::run {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Files

fs::path default_playlists_dir() {
  if (const char* env = std::getenv("SIGNAGE_PLAYLISTS_DIR"); env && *env) return env;
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "signage-player" / "playlists";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return SIGNAGE_SOURCE_PLAYLISTS_DIR;
}

fs::path demo_playlist_path() {
  return default_playlists_dir() / "hexi-2024";
}

std::shared_ptr<const content::Playlist> load_and_report(const fs::path& path) {
  ++work_counters().file_reads;
  content::ParseResult result = content::load_playlist(path);
  for (const content::Diagnostic& d : result.diagnostics) {
    std::cerr << content::format_diagnostic(d) << "\n";
  }
  return result.playlist;
}

std::shared_ptr<const content::Playlist> empty_playlist(const std::string& title) {
  auto playlist = std::make_shared<content::Playlist>();
  playlist->title = title;
  return playlist;
}

const scene::Picture* ImageFiles::lookup(const fs::path& path) {
  ++tick_;
  for (Entry& e : entries_) {
    if (e.path == path) {
      e.last_used = tick_;
      return e.image ? &*e.image : nullptr;
    }
  }
  if (entries_.size() >= kMaxEntries) {
    entries_.erase(std::min_element(entries_.begin(), entries_.end(),
                                    [](auto& a, auto& b) { return a.last_used < b.last_used; }));
  }
  ++work_counters().file_reads;
  std::string error;
  Entry entry{path, render::load_picture(path, &error, screen_), tick_};
  if (!entry.image) std::cerr << "signage-player: " << error << "; showing a placeholder\n";
  entries_.push_back(std::move(entry));
  return entries_.back().image ? &*entries_.back().image : nullptr;
}

void ImageFiles::drop_pixels() {
  std::erase_if(entries_, [](const Entry& e) { return e.image.has_value(); });
}

// ---------------------------------------------------------------------------------------------
// Preparing (worker thread, or the calling thread for `render`)

namespace {

// Runs one scene::prepare_* call, counting it and the glyphs it rasterized on this thread.
template <class F>
auto counted(text::GlyphCache& glyphs, F&& prepare) {
  const std::uint64_t before = glyphs.counters().rasterizations;
  ++work_counters().text_layouts;
  auto result = prepare();
  work_counters().glyph_rasterizations += glyphs.counters().rasterizations - before;
  return result;
}

// How many pixel buffers the frame loop can hand to the worker at a time.
constexpr std::size_t kReleasedCapacity = 1024;

// The worker's glyph cache only speeds up drawing cards into images (the frame loop never
// sees it): one 1024 px page holds a card's glyphs; more pages saved almost no rasterizations.
text::AtlasLimits atlas_limits(int max_texture_size) {
  text::AtlasLimits limits;
  limits.page_size = std::min(limits.page_size, max_texture_size);
  limits.max_pages = 1;
  return limits;
}

content::Transition transition_of(const scene::Slot& slot) {
  if (slot.item && slot.playlist && *slot.item < slot.playlist->items.size()) {
    return slot.playlist->items[*slot.item].transition;
  }
  return content::Transition::fade;
}

std::int64_t unix_minute(std::int64_t wall_clock_at_start_s, Nanos t) {
  using namespace std::chrono;
  return floor<minutes>(seconds(wall_clock_at_start_s) + nanoseconds(t)).count();
}

// How the worker hands a slot over: after the one handed over before, instead of it (a new
// playlist at the next boundary), or instead of it and at once (a new alert).
enum class Handover { next, replacing, at_once };

// A new playlist replaces the slot prepared ahead only when that starts at least this much
// later: time for its card to be prepared and uploaded before the boundary.
constexpr Nanos kReplaceAhead = scene::kSecond;

// Loads what prepares cards: the text engine and a glyph cache of its own.
struct Preparation {
  std::unique_ptr<text::TextEngine> engine;
  std::unique_ptr<text::GlyphCache> glyphs;
  ImageFiles files;
  std::unique_ptr<scene::Preparer> preparer;

  bool open(const fs::path& fonts_dir, int max_texture_size, std::string* error) {
    engine =
        text::TextEngine::create(fonts_dir.empty() ? text::default_fonts_dir() : fonts_dir, error);
    if (!engine) return false;
    glyphs = std::make_unique<text::GlyphCache>(engine->fonts(), atlas_limits(max_texture_size));
    preparer.reset(new scene::Preparer{
        *engine, *glyphs, [this](const fs::path& p) { return files.lookup(p); }, max_texture_size});
    preparer->close_fonts_before_drawing = true;
    return true;
  }

  // FreeType's faces are opened again at the next glyph the cache does not have: between cards
  // (and ticker windows, clocks and notices) they would hold 2 MB each for nothing.
  void close_fonts() { engine->fonts().close_ft_faces(); }

  std::shared_ptr<const scene::PreparedCard> card(const scene::Slot& slot, scene::Size screen) {
    files.set_screen(screen);
    auto card = std::make_shared<const scene::PreparedCard>(counted(*glyphs, [&] {
      return scene::prepare_card(*preparer, *slot.playlist, slot.item, screen);
    }));
    files.drop_pixels();
    close_fonts();
    return card;
  }
  std::unique_ptr<const scene::TickerText> ticker_text(const content::Playlist& playlist,
                                                       scene::Size screen) {
    return std::make_unique<const scene::TickerText>(
        counted(*glyphs, [&] { return scene::lay_out_ticker(*preparer, playlist, screen); }));
  }
  std::shared_ptr<const scene::PreparedTicker> ticker_window(const scene::TickerText& text,
                                                             std::int64_t from, std::int64_t width,
                                                             const scene::PreparedTicker* reuse) {
    auto window = std::make_shared<const scene::PreparedTicker>(counted(
        *glyphs, [&] { return scene::ticker_window(*preparer, text, from, width, reuse); }));
    close_fonts();
    return window;
  }
  std::shared_ptr<const scene::PreparedClock> clock(const content::Playlist& playlist,
                                                    std::int64_t minute, scene::Size screen) {
    auto clock = std::make_shared<const scene::PreparedClock>(counted(
        *glyphs, [&] { return scene::prepare_clock(*preparer, playlist, minute, screen); }));
    close_fonts();
    return clock;
  }
  std::shared_ptr<const scene::PreparedNotice> notice(const content::Playlist& playlist,
                                                      const std::string& text, bool problem,
                                                      scene::Size screen) {
    auto notice = std::make_shared<const scene::PreparedNotice>(counted(*glyphs, [&] {
      return scene::prepare_notice(*preparer, playlist, text, problem, screen);
    }));
    close_fonts();
    return notice;
  }
};

// One playlist's ticker on the worker: the loop laid out once, kept to draw tiles as the band
// moves, and the window of tiles last handed to the frame loop.
struct TickerState {
  std::shared_ptr<const content::Playlist> playlist;
  std::unique_ptr<const scene::TickerText> text;
  std::shared_ptr<const scene::PreparedTicker> window;
  std::int64_t step = 1;
  Nanos from = 0;                    // its first slot's start: it shows from then on
  std::uint64_t first_sequence = 0;  // that slot's sequence
};

// Keeps `s`'s window ahead of the band at t (or at its first slot's start, if later): from the
// visible part to a lookahead (seconds of motion plus a screen) past it. Draws a new window,
// sharing the tiles that stay, once less than half the lookahead is left. Whether it changed.
bool keep_ahead(Preparation& prep, TickerState& s, Nanos t, scene::Size screen, double refresh_hz,
                Nanos lookahead) {
  if (!s.text) return false;
  const std::int64_t offset = scene::ticker_offset(frame_at(std::max(t, s.from), refresh_hz),
                                                   s.step, s.text->band.loop_width);
  const std::int64_t ahead =
      s.step * frame_at(std::clamp(lookahead, Nanos(0), 600 * scene::kSecond), refresh_hz) +
      screen.width;
  if (s.window && scene::ticker_covers(*s.window, offset, screen.width + ahead / 2)) return false;
  s.window = prep.ticker_window(*s.text, offset, screen.width + ahead, s.window.get());
  return true;
}

}  // namespace

std::int64_t frame_at(Nanos t, double refresh_hz) {
  const auto hz_milli = std::int64_t(refresh_hz * 1000 + 0.5);
  return std::int64_t((__int128(t) * hz_milli + 500'000'000'000) / 1'000'000'000'000);
}

// ---------------------------------------------------------------------------------------------
// The mailbox between the worker and the frame loop

struct Player::Shared {
  std::mutex mutex;
  std::condition_variable wake_worker;
  std::condition_variable wake_starter;  // create() and the first frame wait on this

  // worker -> frame loop
  std::optional<PreparedSlot> ready;
  // frame loop -> worker: a slot no longer shown, and pixel buffers already uploaded to
  // textures, destroyed by the worker (freeing megabytes is not the frame loop's job)
  std::optional<PreparedSlot> retired;
  std::vector<std::vector<std::uint8_t>> released;
  // worker -> frame loop: let go of the upcoming slot, a replacement is about to be drawn (so the
  // two cards are never held beside the one on screen); the frame loop clears it and notifies.
  bool drop_upcoming = false;
  std::condition_variable upcoming_dropped;
  std::array<PreparedClockFor, 4> clocks;
  std::uint64_t clocks_version = 0;
  // The newest ticker windows (worker -> frame loop). The frame loop swaps its previous ones in,
  // so the worker frees them when it next publishes.
  std::array<PreparedTickerFor, 2> tickers;
  std::uint64_t tickers_version = 0;
  bool engine_ready = false;
  std::string error;  // the worker could not start
  WorkCounters worker_counters;
  std::uint64_t glyph_rasterizations = 0;
  std::uint64_t atlas_pages = 0;
  std::uint64_t cards_prepared = 0;

  // frame loop (or any thread) -> worker
  bool stop = false;
  bool showing = false;  // the loop has started showing slot `shown_sequence`
  std::uint64_t shown_sequence = 0;
  std::shared_ptr<const content::Playlist> submitted;
  std::atomic<Nanos> loop_t{0};
  struct NoticeRequest {
    std::string text;  // empty: hide the notice
    bool problem = false;
    Nanos duration = 0;
  };
  std::optional<NoticeRequest> notice_request;
  // request_frame_copy: the frame loop looks at the flag (no lock) and takes the function.
  std::atomic<bool> copy_wanted{false};
  std::function<void(text::RgbaImage)> copy_to;

  // worker -> frame loop: the notice band and when it ends (loop time)
  std::shared_ptr<const scene::PreparedNotice> notice;
  Nanos notice_until = 0;
  std::uint64_t notice_version = 0;

  // Display hours. frame loop -> worker: the screen is off (draw no ticker windows or clocks);
  // turned on again (count): cut to the slot at loop_t. worker -> frame loop: the newest
  // playlist taken, whose hours and alerts decide.
  std::atomic<bool> display_off{false};
  std::atomic<std::uint64_t> display_resumes{0};
  std::shared_ptr<const content::Playlist> newest;
  std::uint64_t newest_version = 0;

  // set before the worker starts, read-only afterwards
  std::shared_ptr<const content::Playlist> initial;
  scene::Size screen;
  int max_texture_size = 2048;
  double refresh_hz = 60;
};

void tune_allocator_for_playing() {
  // Large pixel buffers (a card drawn at screen size, decoded pictures) are mmapped and given
  // back to the system when freed, instead of glibc raising its mmap threshold past them and
  // keeping them in the heap, where they fragment and the resident size creeps up.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  // Smaller blocks (card and ticker textures, 128 KB) are freed and allocated again all the
  // time: keep a few megabytes of freed heap instead of returning it and page-faulting it back
  // in on the frame loop.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  // One heap for all threads: the worker allocates a card's blocks and frees them once the
  // frame loop has made textures of them, and the frame loop's textures then reuse that
  // memory. With an arena per thread (glibc's default) each thread's heap keeps its own
  // high-water mark and the two add up. The frame loop allocates only when it makes a texture,
  // so the shared lock is rarely contended.
  mallopt(M_ARENA_MAX, 1);
}

Player::Player(render::Renderer& renderer, const PlayerOptions& options)
    : renderer_(renderer), options_(options), shared_(std::make_unique<Shared>()) {}

std::unique_ptr<Player> Player::create(render::Renderer& renderer, const PlayerOptions& options,
                                       std::shared_ptr<const content::Playlist> initial,
                                       std::string* error) {
  std::unique_ptr<Player> player(new Player(renderer, options));
  Shared& sh = *player->shared_;
  sh.initial = initial ? std::move(initial) : empty_playlist("signage-player");
  sh.released.reserve(kReleasedCapacity);
  sh.screen = renderer.scene_size();
  sh.max_texture_size = renderer.max_texture_size();
  sh.refresh_hz = renderer.refresh_hz();
  sh.newest = sh.initial;
  player->power_ = std::make_unique<DisplayPower>(options.display_commands);
  player->worker_ = std::thread([p = player.get()] { p->worker_main(); });
  std::unique_lock lock(sh.mutex);
  sh.wake_starter.wait(lock, [&] { return sh.engine_ready || !sh.error.empty(); });
  if (!sh.error.empty()) {
    *error = sh.error;
    lock.unlock();
    return nullptr;  // the destructor joins the worker, which has returned
  }
  return player;
}

Player::~Player() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stop = true;
  }
  shared_->wake_worker.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Player::show_notice(std::string text, bool problem, Nanos duration) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->notice_request = Shared::NoticeRequest{std::move(text), problem, duration};
  }
  shared_->wake_worker.notify_all();
}

void Player::request_frame_copy(std::function<void(text::RgbaImage)> deliver) {
  std::lock_guard lock(shared_->mutex);
  shared_->copy_to = std::move(deliver);
  shared_->copy_wanted = true;
}

void Player::submit_playlist(std::shared_ptr<const content::Playlist> playlist) {
  if (!playlist) return;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->submitted = std::move(playlist);
  }
  shared_->wake_worker.notify_all();
}

namespace {

// The modification time of the watched playlist (the folder's playlist.json for a bundle).
std::optional<fs::file_time_type> modified(const fs::path& path) {
  std::error_code ec;
  fs::path file = fs::is_directory(path, ec) ? path / "playlist.json" : path;
  auto time = fs::last_write_time(file, ec);
  if (ec) return std::nullopt;
  return time;
}

// What one round of the worker took from the mailbox. What it holds is freed when the round
// ends, outside the lock.
struct WorkerRound {
  std::shared_ptr<const content::Playlist> submitted;
  std::optional<PreparedSlot> retired;
  std::optional<Player::Shared::NoticeRequest> notice_request;
  std::shared_ptr<const scene::PreparedNotice> expired_notice;
  std::array<PreparedTickerFor, 2> expired_tickers;  // the frame loop's old windows
  bool need_card = false;
  bool tickers_changed = false;
  bool clocks_changed = false;
  bool newest_changed = false;
  std::optional<std::uint64_t> shown;  // the sequence the frame loop shows
};

// The worker thread's state between rounds. Each round takes the requests from the mailbox,
// reloads the watched file when it changed, prepares the next slot when the frame loop is ready
// for it, keeps the ticker windows ahead of the band, makes a requested notice and the clocks,
// and publishes what changed.
struct Worker {
  Player::Shared& sh;
  const PlayerOptions& options;
  Preparation& prep;
  std::vector<std::vector<std::uint8_t>> released;  // pixel buffers taken from the frame loop
  scene::Sequencer sequencer;
  std::optional<scene::Slot> last;  // the slot most recently handed over
  // The tickers that may be on screen: the last prepared slot's playlist's, and the one before
  // it until the frame loop shows the newer one.
  std::array<TickerState, 2> tickers;
  // Playlists whose clocks may be needed: the last prepared slot's and the one before it.
  std::array<std::shared_ptr<const content::Playlist>, 2> clock_playlists;
  std::array<PreparedClockFor, 4> clocks;
  std::optional<fs::file_time_type> watched_time;
  Clock::time_point next_watch;
  std::shared_ptr<const content::Playlist> newest;  // the playlist taken last
  std::uint64_t resumes_seen = 0;

  Worker(Player::Shared& shared, const PlayerOptions& opts, Preparation& preparation)
      : sh(shared),
        options(opts),
        prep(preparation),
        sequencer(shared.initial, opts.wall_clock_at_start_s),
        newest(shared.initial) {
    released.reserve(kReleasedCapacity);
    if (!options.watch_path.empty()) watched_time = modified(options.watch_path);
    next_watch = Clock::now() + std::chrono::nanoseconds(options.watch_interval);
  }

  // One round; false once asked to stop.
  bool round() {
    WorkerRound r;
    released.clear();  // the buffers taken last time, freed here
    if (!take_requests(r)) return false;
    // The older playlist's ticker is not needed once the newer one's slots show.
    if (tickers[0].playlist && r.shown && *r.shown >= tickers[1].first_sequence) {
      tickers[0] = {};
      r.tickers_changed = true;
    }
    reload_if_changed(r);
    // Free what the frame loop handed back before drawing the next card into the same memory.
    const bool freed = r.retired || !released.empty();
    r.retired.reset();
    released.clear();
    // Give the pages of the free heap back before drawing the next card (once a card, here on
    // the worker, never on the frame loop): freed chunks otherwise stay resident beside the new
    // card's blocks and textures and raise the peak.
    if (freed && r.need_card) malloc_trim(0);
    if (r.submitted) take_playlist(r);
    resume_display(r);
    if (r.need_card) prepare(last ? sequencer.slot_at(last->end) : sequencer.slot_at(0), r);
    // While the screen is off nothing moves on it: no ticker windows, no clocks.
    const bool display_off = sh.display_off.load();
    // The ticker windows ahead of the band (take_requests wakes this at least every 50 ms).
    for (TickerState& ticker : tickers) {
      if (!display_off && keep_ahead(prep, ticker, sh.loop_t.load(), sh.screen, sh.refresh_hz,
                                     options.ticker_lookahead)) {
        r.tickers_changed = true;
      }
    }
    if (r.notice_request) make_notice(r);
    if (!display_off) prepare_clocks(r);
    publish(r);
    return true;
  }

  // Waits (at most 50 ms) for something to do, then takes it from the mailbox.
  bool take_requests(WorkerRound& r) {
    std::unique_lock lock(sh.mutex);
    auto card_wanted = [&] {
      return !sh.ready && (!last || (sh.showing && sh.shown_sequence == last->sequence));
    };
    sh.wake_worker.wait_for(lock, std::chrono::milliseconds(50), [&] {
      return sh.stop || sh.submitted || sh.notice_request || card_wanted() ||
             sh.display_resumes.load() != resumes_seen;
    });
    if (sh.stop) return false;
    r.submitted = std::move(sh.submitted);
    sh.submitted.reset();
    r.retired = std::move(sh.retired);
    sh.retired.reset();
    if (!sh.released.empty()) sh.released.swap(released);
    r.notice_request = std::move(sh.notice_request);
    sh.notice_request.reset();
    if (sh.notice && sh.loop_t.load() >= sh.notice_until) {
      r.expired_notice = std::move(sh.notice);  // freed here rather than on the frame loop
      sh.notice.reset();
    }
    r.need_card = card_wanted();
    if (sh.showing) r.shown = sh.shown_sequence;
    return true;
  }

  // Reloads the watched playlist file when its modification time changed.
  void reload_if_changed(WorkerRound& r) {
    if (options.watch_path.empty() || Clock::now() < next_watch) return;
    next_watch = Clock::now() + std::chrono::nanoseconds(options.watch_interval);
    auto time = modified(options.watch_path);
    if (!time || time == watched_time) return;
    watched_time = time;
    std::cerr << "signage-player: " << options.watch_path.string() << " changed; reloading\n";
    if (auto reloaded = load_and_report(options.watch_path)) {
      r.submitted = std::move(reloaded);
    } else {
      std::cerr << "signage-player: the new playlist is not valid; still playing the "
                   "previous one\n";
    }
  }

  // A new playlist: at the next boundary, or at once when it brings an alert that the playing
  // one does not show, or when the screen shows the fallback (waiting) screen, or content comes
  // while the first-boot loop (its card and the demo) plays. Either way it replaces the slot
  // handed over ahead, if any (for the next boundary only while that is far enough away for the
  // new card to be ready before it).
  void take_playlist(WorkerRound& r) {
    newest = r.submitted;
    r.newest_changed = true;
    const Nanos now = sh.loop_t.load();
    const bool first_boot_loop = last && last->item && last->playlist &&
                                 last->playlist->first_boot && !r.submitted->first_boot;
    const bool waiting = last && (!last->item || first_boot_loop);
    if (last && last->playlist &&
        (waiting || brings_new_alert(*r.submitted, *last->playlist, now))) {
      // (A new waiting screen, e.g. the first-boot screen with a new address, is not content.)
      if (!waiting || (!r.submitted->items.empty() && !r.submitted->first_boot)) {
        std::cerr << (waiting ? "signage-player: content to show; it replaces the waiting screen\n"
                              : "signage-player: a new alert; it takes over at once\n");
      }
      prepare(sequencer.cut_to(std::move(r.submitted), now), r, Handover::at_once);
      r.need_card = false;  // the next card is the alert's
    } else if (last && r.shown != last->sequence && last->start - now > kReplaceAhead) {
      let_go_of_upcoming();
      prepare(sequencer.cut_to(std::move(r.submitted), last->start), r, Handover::replacing);
      r.need_card = false;
    } else {
      sequencer.replace_playlist(std::move(r.submitted));
    }
  }

  // Before a replacement is drawn, the slot it replaces is let go of: the one not taken yet here,
  // the frame loop's upcoming one (its card's textures) there. Waits at most 100 ms for the frame
  // loop; one that is late only holds both cards a little longer, as before.
  void let_go_of_upcoming() {
    std::optional<PreparedSlot> untaken;  // freed after the lock
    std::unique_lock lock(sh.mutex);
    untaken = std::move(sh.ready);
    sh.ready.reset();
    sh.drop_upcoming = true;
    sh.upcoming_dropped.wait_for(lock, std::chrono::milliseconds(100),
                                 [&] { return !sh.drop_upcoming || sh.stop; });
    sh.drop_upcoming = false;
  }

  // The screen turned on again after display hours: what shows is cut to now (the slots prepared
  // before it went off are hours old), its ticker window first, so the frame loop draws no stale
  // frame.
  void resume_display(WorkerRound& r) {
    const std::uint64_t resumes = sh.display_resumes.load();
    if (resumes == resumes_seen) return;
    resumes_seen = resumes;
    const Nanos now = sh.loop_t.load();
    if (keep_ahead(prep, tickers[1], now, sh.screen, sh.refresh_hz, options.ticker_lookahead)) {
      r.tickers_changed = true;
    }
    prepare(sequencer.cut_to(newest, now), r, Handover::at_once);
    r.need_card = false;
  }

  // `next` shows an alert at t that `playing` does not (the same id, title and body): one of the
  // highest priority eligible in `next` (a lower one would stay hidden anyway).
  bool brings_new_alert(const content::Playlist& next, const content::Playlist& playing,
                        Nanos t) const {
    const std::int64_t wall = options.wall_clock_at_start_s;
    const int next_top = scene::top_alert_priority(next, wall, t);
    const int playing_top = scene::top_alert_priority(playing, wall, t);
    auto shows = [&](const content::Item& item, const content::Playlist& in, int top) {
      return item.type == content::ItemType::alert && item.priority == top &&
             scene::eligible_at(item, in, wall, t);
    };
    for (const content::Item& alert : next.items) {
      if (!shows(alert, next, next_top)) continue;
      bool shown = std::any_of(playing.items.begin(), playing.items.end(), [&](const auto& old) {
        return shows(old, playing, playing_top) && old.id == alert.id && old.title == alert.title &&
               old.body == alert.body;
      });
      if (!shown) return true;
    }
    return false;
  }

  // Prepares `slot` (its card, and its playlist's ticker when that is new) and hands it to the
  // frame loop, replacing one not taken yet (and, unless `next`, the frame loop's upcoming one).
  void prepare(scene::Slot slot, WorkerRound& r, Handover handover = Handover::next) {
    if (!slot.playlist) slot.playlist = sh.initial;
    if (slot.playlist != tickers[1].playlist) {
      // A new playlist's ticker (or the older one's again): laid out once, then drawn a window
      // at a time from when its first slot starts.
      std::swap(tickers[0], tickers[1]);
      if (slot.playlist != tickers[1].playlist) {
        tickers[1] = {};
        tickers[1].playlist = slot.playlist;
        tickers[1].text = prep.ticker_text(*slot.playlist, sh.screen);
        tickers[1].step = scene::ticker_step_px(
            scene::ticker_speed_px_per_s(*slot.playlist, sh.screen), sh.refresh_hz);
      }
      tickers[1].from = slot.start;
      tickers[1].first_sequence = slot.sequence;
      keep_ahead(prep, tickers[1], sh.loop_t.load(), sh.screen, sh.refresh_hz,
                 options.ticker_lookahead);
      r.tickers_changed = true;
    }
    PreparedSlot prepared{slot, prep.card(slot, sh.screen), tickers[1].window, transition_of(slot),
                          tickers[1].step};
    prepared.urgent = handover == Handover::at_once;
    prepared.replaces = handover != Handover::next;
    if (clock_playlists[1] != slot.playlist) {
      clock_playlists[0] = clock_playlists[1];
      clock_playlists[1] = slot.playlist;
    }
    last = slot;
    std::optional<PreparedSlot> replaced;  // freed after the lock
    {
      std::lock_guard lock(sh.mutex);
      replaced = std::move(sh.ready);
      sh.ready = std::move(prepared);
      ++sh.cards_prepared;
    }
    sh.wake_starter.notify_all();  // the first frame waits for the first card
  }

  // Lays out the requested notice (or none, to hide it) and hands it over.
  void make_notice(WorkerRound& r) {
    std::shared_ptr<const scene::PreparedNotice> made;
    if (!r.notice_request->text.empty()) {
      const auto& playlist = last && last->playlist ? last->playlist : sh.initial;
      made = prep.notice(*playlist, r.notice_request->text, r.notice_request->problem, sh.screen);
    }
    std::lock_guard lock(sh.mutex);
    r.expired_notice = std::move(sh.notice);
    sh.notice = std::move(made);
    sh.notice_until = sh.loop_t.load() + r.notice_request->duration;
    ++sh.notice_version;
  }

  // Clocks for this minute and the next, for each playlist that may be on screen.
  void prepare_clocks(WorkerRound& r) {
    const std::int64_t minute = unix_minute(options.wall_clock_at_start_s, sh.loop_t.load());
    for (std::size_t p = 0; p < clock_playlists.size(); ++p) {
      const auto& playlist = clock_playlists[p];
      for (std::int64_t m = 0; m < 2; ++m) {
        PreparedClockFor& entry = clocks[p * 2 + std::size_t(m)];
        if (!playlist || !playlist->show_clock) {
          r.clocks_changed = r.clocks_changed || entry.clock;
          entry = {};
          continue;
        }
        if (entry.playlist == playlist.get() && entry.clock && entry.clock->minute == minute + m) {
          continue;
        }
        // Reuse the one already made for the next minute when the minute turns.
        std::shared_ptr<const scene::PreparedClock> made;
        for (const PreparedClockFor& other : clocks) {
          if (other.playlist == playlist.get() && other.clock &&
              other.clock->minute == minute + m) {
            made = other.clock;
          }
        }
        if (!made) made = prep.clock(*playlist, minute + m, sh.screen);
        entry = {playlist.get(), std::move(made)};
        r.clocks_changed = true;
      }
    }
  }

  // Hands the changed clocks and ticker windows and the counters to the frame loop.
  void publish(WorkerRound& r) {
    std::lock_guard lock(sh.mutex);
    if (r.newest_changed) {
      sh.newest = newest;
      ++sh.newest_version;
    }
    if (r.clocks_changed) {
      sh.clocks = clocks;
      ++sh.clocks_version;
    }
    if (r.tickers_changed) {
      for (std::size_t i = 0; i < tickers.size(); ++i) {
        // The windows replaced here are freed with the round, after the lock.
        r.expired_tickers[i] =
            std::exchange(sh.tickers[i], {tickers[i].playlist.get(), tickers[i].window});
      }
      ++sh.tickers_version;
    }
    sh.worker_counters = work_counters();
    sh.glyph_rasterizations = prep.glyphs->counters().rasterizations;
    sh.atlas_pages = prep.glyphs->pages().size();
  }
};

}  // namespace

void Player::worker_main() {
  Shared& sh = *shared_;
  Preparation prep;
  {
    std::string error;
    bool ok = prep.open(options_.fonts_dir, sh.max_texture_size, &error);
    std::lock_guard lock(sh.mutex);
    if (ok) {
      sh.engine_ready = true;
    } else {
      sh.error = "cannot start the text engine: " + error;
    }
  }
  sh.wake_starter.notify_all();
  if (!prep.engine) return;
  Worker worker(sh, options_, prep);
  while (worker.round()) {
  }
}

// ---------------------------------------------------------------------------------------------
// The frame loop

namespace {

void collect_ids(const scene::PreparedCard* card, std::vector<std::uint64_t>& ids) {
  if (!card) return;
  for (const scene::CardTile& tile : card->tiles) {
    if (tile.image) ids.push_back(tile.image->id);
  }
  for (const scene::Counter& counter : card->counters) {
    for (const auto& glyph : counter.glyphs) {
      if (glyph) ids.push_back(glyph->id);
    }
  }
}

void collect_ids(const scene::PreparedTicker* ticker, std::vector<std::uint64_t>& ids) {
  if (!ticker) return;
  for (const auto& tile : ticker->tiles) {
    if (tile) ids.push_back(tile->id);
  }
}

// Textures are made a little per frame, so a new card or ticker window is spread over the
// frames ahead of its use instead of converted all at once: chunks of kUploadChunkBytes, at
// least kUploadMinBytes a frame, then more while the frame has spent under kUploadTimePerFrame
// on them, up to kUploadMaxBytes. (Writing into a texture SDL has just made costs page faults,
// several times the copy: a fixed byte budget made those frames the slowest.)
constexpr std::size_t kUploadChunkBytes = 16 * 1024;
constexpr std::size_t kUploadMinBytes = 32 * 1024;
constexpr std::size_t kUploadMaxBytes = 128 * 1024;
constexpr auto kUploadTimePerFrame = std::chrono::microseconds(150);
constexpr int kUploadRowsPerFrame = 128;  // rows of one other image (the notice) per frame
constexpr Nanos kMaxUploadWait = scene::kSecond;

struct UploadBudget {
  Clock::time_point started = Clock::now();
  std::size_t spent = 0;
  bool left() const {
    return spent < kUploadMaxBytes &&
           (spent < kUploadMinBytes || Clock::now() - started < kUploadTimePerFrame);
  }
  // Uploads `image` chunk by chunk while the budget lasts; true once it has its texture (or has
  // nothing to make one from: drawn without it).
  bool upload(render::Renderer& renderer, const scene::Image& image) {
    if (image.pixels.pixels.empty()) return true;
    while (!renderer.has_texture(image)) {
      if (!left()) return false;
      const std::size_t row_bytes = std::size_t(std::max(1, image.pixels.width)) * 4;
      const int rows = int(std::max<std::size_t>(1, kUploadChunkBytes / row_bytes));
      renderer.upload(image, rows);
      spent += std::size_t(rows) * row_bytes;
    }
    return true;
  }
};

// Uploads what `slot` shows that has no texture yet: its card's tiles, counters, then its
// ticker's tiles. `done` counts the images already complete, so each frame starts where the
// last one stopped. True once everything has its texture.
bool upload_slot(render::Renderer& renderer, const PreparedSlot& slot, std::size_t& done,
                 UploadBudget& budget) {
  std::size_t index = 0;
  auto step = [&](const scene::Image* image) {
    if (index++ < done) return true;
    if (image && !budget.upload(renderer, *image)) return false;
    done = index;  // complete, and everything before it is too
    return true;
  };
  if (slot.card) {
    for (const scene::CardTile& tile : slot.card->tiles) {
      if (!step(tile.image.get())) return false;
    }
    for (const scene::Counter& counter : slot.card->counters) {
      for (const auto& glyph : counter.glyphs) {
        if (!step(glyph.get())) return false;
      }
    }
  }
  if (slot.ticker) {
    for (const auto& tile : slot.ticker->tiles) {
      if (!step(tile.get())) return false;
    }
  }
  return true;
}

// Uploads the tiles of the shown ticker's window that have no texture yet, nearest the visible
// part first (the window lists them in the band's order). `done` counts the tiles complete.
void upload_ticker(render::Renderer& renderer, const scene::PreparedTicker& ticker,
                   std::size_t& done, UploadBudget& budget) {
  while (done < ticker.tiles.size() && budget.upload(renderer, *ticker.tiles[done])) ++done;
}

// Points the slot at the newest window of its playlist's ticker; whether that changed it.
bool use_newest_ticker(PreparedSlot& slot, const std::array<PreparedTickerFor, 2>& tickers) {
  for (const PreparedTickerFor& entry : tickers) {
    if (entry.ticker && entry.playlist == slot.slot.playlist.get() && entry.ticker != slot.ticker) {
      slot.ticker = entry.ticker;  // the old window stays referenced by the mailbox
      return true;
    }
  }
  return false;
}

// The CPU copies of images the renderer has complete textures of are not needed any more: they
// go to `released` (capacity reserved, so no allocation), which the worker frees.
using Buffers = std::vector<std::vector<std::uint8_t>>;
void release(const render::Renderer& renderer, const scene::Image* image, Buffers& released) {
  if (!image || image->pixels.pixels.empty() || released.size() == released.capacity()) return;
  if (!renderer.has_texture(*image)) return;
  released.push_back(scene::take_pixels(*image));
}

void release(const render::Renderer& renderer, const PreparedSlot& slot, Buffers& released) {
  if (slot.card) {
    for (const scene::CardTile& tile : slot.card->tiles) {
      release(renderer, tile.image.get(), released);
    }
    for (const scene::Counter& counter : slot.card->counters) {
      for (const auto& glyph : counter.glyphs) release(renderer, glyph.get(), released);
    }
  }
  if (slot.ticker) {
    for (const auto& tile : slot.ticker->tiles) release(renderer, tile.get(), released);
  }
}

// The frame loop's state between frames (Player::run). A frame takes what the mailbox has,
// uploads textures ahead, switches cards at the boundary, composes, draws and presents, then
// hands back what it no longer needs and waits for the next refresh.
struct FrameLoop {
  render::Renderer& renderer;
  const PlayerOptions& options;
  Player::Shared& sh;
  RunStats stats;
  const WorkCounters render_before = work_counters();
  const double cpu_before = cpu_seconds();
  const std::uint64_t uploads_before;
  const Nanos period;

  std::optional<PreparedSlot> current, previous, upcoming, retiring;

  std::array<PreparedClockFor, 4> clocks;
  std::uint64_t clocks_version = 0;
  bool clocks_to_upload = false;  // a clock the mailbox brought has no texture yet
  std::array<PreparedTickerFor, 2> tickers;
  std::uint64_t tickers_version = 0;
  const scene::PreparedTicker* ticker_uploading = nullptr;  // the window upload_ticker works on
  std::size_t ticker_upload_done = 0;                       // its tiles already uploaded
  std::shared_ptr<const scene::PreparedClock> clock;
  std::shared_ptr<const scene::PreparedNotice> notice;
  Nanos notice_until = 0;
  std::uint64_t notice_version = 0;
  Nanos current_start = 0;
  bool publish_shown = false;
  bool live_changed = true;
  const content::Playlist* last_playlist = nullptr;
  std::vector<std::uint64_t> live;
  Buffers released;
  std::uint64_t uploads_seen = ~std::uint64_t(0);
  std::size_t upload_done = 0;  // images of `upcoming` already uploaded (upload_some)
  bool upcoming_uploaded = false;
  scene::DrawList list;
  scene::FrameInputs in;
  // Frame intervals in microseconds and what presenting cost (33 kB: not on the stack).
  std::unique_ptr<Histogram> intervals_us = std::make_unique<Histogram>();
  std::unique_ptr<DisplayStats> display = std::make_unique<DisplayStats>();
  std::uint64_t late_sequence = ~std::uint64_t(0);
  Clock::time_point start, last_present, deadline;

  // Display hours (display_step): decided once a second from the newest playlist.
  DisplayPower& power;
  std::shared_ptr<const content::Playlist> newest;
  std::uint64_t newest_version = 0;
  std::optional<std::int64_t> display_checked_s;
  content::DisplayDecision decision;
  bool display_off = false;  // blanked: nothing composed, drawn or presented
  bool resuming = false;     // on again: waiting for the worker's fresh slot
  Nanos resume_t = 0;
  Clock::time_point off_since;

  FrameLoop(render::Renderer& r, const PlayerOptions& opts, Player::Shared& shared,
            DisplayPower& display_power)
      : renderer(r),
        options(opts),
        sh(shared),
        uploads_before(r.uploads()),
        period(Nanos(1e9 / r.refresh_hz())),
        power(display_power) {
    stats.refresh_hz = renderer.refresh_hz();
    live.reserve(4096);
    released.reserve(kReleasedCapacity);
    list.commands.reserve(2048);  // two cards of blocks in a fade, at 4K too
    in.screen = renderer.scene_size();
    in.transition_length = options.transition_length;
    display->output_pixels =
        std::int64_t(renderer.output_size().width) * renderer.output_size().height;
  }

  // Startup: waits for the first card (not frames yet).
  void wait_for_first_card() {
    {
      sh.wake_worker.notify_all();
      std::unique_lock lock(sh.mutex);
      sh.wake_starter.wait(lock, [&] { return sh.ready.has_value(); });
      current = std::move(sh.ready);
      sh.ready.reset();
      sh.showing = true;
      sh.shown_sequence = current->slot.sequence;
    }
    stats.fallback_slots += !current->slot.item;
    sh.wake_worker.notify_all();
    last_playlist = current->slot.playlist.get();
    newest = current->slot.playlist;
    start = last_present = deadline = Clock::now();
  }

  // One frame; false when it is time to stop.
  bool frame(std::uint64_t frame, const FrameHook& hook) {
    const auto frame_start = Clock::now();
    const Nanos frame_start_cpu = thread_cpu_ns();
    // Faults and context switches explain odd frames in tests and benchmarks (two system calls).
    const ThreadEvents frame_start_events = hook ? thread_events() : ThreadEvents{};
    const Nanos t =
        std::chrono::duration_cast<std::chrono::nanoseconds>(frame_start - start).count();
    if (options.duration && t >= *options.duration) return false;
    if (renderer.poll_quit()) return false;
    sh.loop_t.store(t, std::memory_order_relaxed);

    take_from_mailbox();
    if (!display_step(t)) return idle(frame, t, hook);
    UploadBudget upload;
    upload_ahead(upload);
    switch_at_boundary(t);
    choose_clock(t);
    if (resuming && !resumed(t)) return idle(frame, t, hook);
    end_transition(t);
    if (live_changed) keep_live_textures();
    compose_and_present(t);
    release_uploaded(upload);
    const Nanos work =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - frame_start).count();
    const Nanos work_cpu = thread_cpu_ns() - frame_start_cpu;
    const ThreadEvents events = hook ? thread_events() - frame_start_events : ThreadEvents{};
    pace(frame);
    return !hook || hook(FrameInfo{frame, t, current->slot.sequence, current->slot.playlist.get(),
                                   in.previous != nullptr, work, work_cpu, in.notice != nullptr,
                                   events, current->slot.item, current->slot.alert, false,
                                   stats.dropped_frames, display.get()});
  }

  // The mailbox: take what is ready, say what is shown. Never waits for the worker.
  void take_from_mailbox() {
    std::unique_lock lock(sh.mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;
    const bool dropping = sh.drop_upcoming;
    if (dropping) {
      if (upcoming) drop_upcoming();
      sh.drop_upcoming = false;
    }
    bool new_upcoming = false;
    if (sh.ready && (!upcoming || sh.ready->replaces)) {
      if (upcoming) drop_upcoming();
      upcoming = std::move(sh.ready);
      sh.ready.reset();
      upload_done = 0;
      upcoming_uploaded = false;
      new_upcoming = true;
    }
    if (sh.tickers_version != tickers_version || new_upcoming) take_tickers();
    if (sh.clocks_version != clocks_version) {
      clocks = sh.clocks;
      clocks_version = sh.clocks_version;
      clocks_to_upload = true;
      live_changed = true;
    }
    if (sh.notice_version != notice_version) {
      notice = sh.notice;  // the worker keeps a reference too, and frees it
      notice_until = sh.notice_until;
      notice_version = sh.notice_version;
      live_changed = true;
    }
    if (retiring && !sh.retired) {
      sh.retired = std::move(retiring);
      retiring.reset();
    }
    if (!released.empty() && sh.released.empty()) {
      sh.released.swap(released);  // both keep a reserved capacity: no allocation
    }
    if (sh.newest_version != newest_version) {
      newest = sh.newest;  // the worker keeps a reference too, and frees the old one
      newest_version = sh.newest_version;
    }
    if (publish_shown) {
      sh.showing = true;
      sh.shown_sequence = current->slot.sequence;
      publish_shown = false;
      lock.unlock();
      sh.wake_worker.notify_all();
    }
    if (lock.owns_lock()) lock.unlock();
    if (dropping) sh.upcoming_dropped.notify_all();
  }

  // ---- Display hours: whether this frame is drawn. Decided when the second changes; turning off
  // blanks the output once and stops drawing, turning on has the worker cut to fresh content.
  bool display_step(Nanos t) {
    const std::int64_t now_s = options.wall_clock_at_start_s + t / scene::kSecond;
    if (display_checked_s == now_s) return !display_off;
    const bool first = !display_checked_s;
    display_checked_s = now_s;
    const content::DisplayDecision d =
        content::display_decision(options.display_hours, *newest, now_s);
    if (first || d.on == display_off || (d.on && d.why != decision.why)) {
      log_display(d, now_s, first);
    }
    if (d.on && display_off) turn_display_on(t);
    if (!d.on && !display_off) turn_display_off();
    power.set(d.on);  // runs a command only when the state changed (and once at start)
    decision = d;
    return !display_off;
  }

  void log_display(const content::DisplayDecision& d, std::int64_t now_s, bool first) {
    const std::string& zone = newest->timezone;
    const content::DisplayHours& hours =
        options.display_hours ? *options.display_hours : newest->display_hours;
    if (first && d.why == content::DisplayReason::always) return;  // no hours: nothing to say
    std::cerr << "signage-player: display " << (d.on ? "on" : "off") << " at "
              << content::format_instant(now_s, zone) << ": " << content::to_string(d.why) << " ("
              << content::format_display_hours(hours) << ", "
              << (options.display_hours ? "player.conf" : "the playlist") << ", "
              << (zone.empty() ? "the system's time zone" : zone) << ")\n";
  }

  // A black frame presented once; then nothing is drawn until the screen is on again.
  void turn_display_off() {
    drop_previous();
    list.commands.clear();
    list.clear = 0x000000ff;
    list.covers_screen = true;
    list.commands.push_back({scene::DrawCommand::Kind::fill,
                             nullptr,
                             {},
                             {0, 0, float(in.screen.width), float(in.screen.height)},
                             0x000000ff});
    renderer.draw(list);
    renderer.present();
    display_off = true;
    resuming = false;
    sh.display_off.store(true);
    ++stats.display_offs;
    off_since = Clock::now();
  }

  void turn_display_on(Nanos t) {
    display_off = false;
    resuming = true;
    resume_t = t;
    stats.display_off_s += std::chrono::duration<double>(Clock::now() - off_since).count();
    sh.display_off.store(false);
    sh.display_resumes.fetch_add(1);
    sh.wake_worker.notify_all();
  }

  // On again: drawing resumes once the worker's slot cut at resume_t is current with its
  // textures and this minute's clock (or after two seconds whatever there is), never with the
  // frame from before the screen went off.
  bool resumed(Nanos t) {
    drop_previous();  // no transition from the card shown before the screen went off
    const bool clock_fresh =
        !current->slot.playlist->show_clock ||
        (clock && clock->minute == unix_minute(options.wall_clock_at_start_s, t));
    const bool fresh = current->slot.start >= resume_t && clock_fresh;
    if (!fresh && t - resume_t < 2 * scene::kSecond) return false;
    resuming = false;
    last_present = Clock::now();  // the dark time is not a frame interval
    return true;
  }

  // The previous card of a transition is not shown any more (the screen goes off or comes back
  // with fresh content): back to the worker as end_transition hands it.
  void drop_previous() {
    if (!previous) return;
    if (!retiring) retiring = std::move(previous);
    previous.reset();
    publish_shown = true;
    live_changed = true;
  }

  // No frame: the screen is off, or waits for fresh content. Sleeps (a quarter second when off,
  // a refresh period when waiting), then tells the hook.
  bool idle(std::uint64_t frame, Nanos t, const FrameHook& hook) {
    const Nanos nap = display_off ? scene::kSecond / 4 : period;
    Nanos until = t + nap;
    if (options.duration) until = std::min(until, *options.duration);
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(until));
    deadline = Clock::now();
    if (!hook) return true;
    FrameInfo info;
    info.frame = frame;
    info.t = t;
    info.shown_sequence = current->slot.sequence;
    info.playlist = current->slot.playlist.get();
    info.item = current->slot.item;
    info.alert = current->slot.alert;
    info.display_off = true;
    info.dropped_frames = stats.dropped_frames;
    info.display = display.get();
    return hook(info);
  }

  // A replacing slot takes the upcoming one's place, which goes back to the worker to be freed
  // (under the mailbox's lock).
  void drop_upcoming() {
    if (!sh.retired) {
      sh.retired = std::move(upcoming);
    } else if (!retiring) {
      retiring = std::move(upcoming);
    }
    upcoming.reset();     // freed here only when both ways back are taken (rare)
    live_changed = true;  // its textures can be recycled
  }

  // Points the slots at the newest ticker windows (under the mailbox's lock).
  void take_tickers() {
    if (sh.tickers_version != tickers_version) {
      std::swap(tickers, sh.tickers);  // the worker frees the windows swapped out
      tickers_version = sh.tickers_version;
    }
    for (auto* slot : {&current, &previous, &upcoming}) {
      if (*slot && use_newest_ticker(**slot, tickers)) {
        live_changed = true;
        if (slot == &current) {
          ticker_upload_done = 0;
          ++stats.ticker_windows;
        }
        if (slot == &upcoming) upload_done = 0;
      }
    }
  }

  // Textures for what comes next, a little per frame, ahead of the boundary: the next card's
  // after the transition (so the previous card's textures can be reused for it), then the
  // ticker tiles the band moves into next (the worker draws them seconds ahead).
  void upload_ahead(UploadBudget& upload) {
    if (upcoming && !previous)
      upcoming_uploaded = upload_slot(renderer, *upcoming, upload_done, upload);
    if (!previous && current->ticker && upload.left()) {
      if (current->ticker.get() != ticker_uploading) {
        ticker_uploading = current->ticker.get();
        ticker_upload_done = 0;
      }
      upload_ticker(renderer, *current->ticker, ticker_upload_done, upload);
    }
  }

  // The boundary: switch when the next card is ready and uploaded, else keep the current one.
  // draw() makes missing textures at once after kMaxUploadWait, or when a transition longer
  // than the card left no time to upload ahead.
  // An urgent slot (a new alert) switches as soon as it is uploaded, before the boundary.
  void switch_at_boundary(Nanos t) {
    const bool urgent = upcoming && upcoming->urgent;
    if (t < current->slot.end && !urgent) return;
    const bool ready = urgent ? upcoming_uploaded || t - upcoming->slot.start >= kMaxUploadWait
                              : upcoming && (upcoming_uploaded || previous ||
                                             t - current->slot.end >= kMaxUploadWait);
    if (ready) {
      previous = std::move(current);
      current = std::move(upcoming);
      upcoming.reset();
      // On time: the card starts at its slot's start; late (or urgent): now.
      current_start = !urgent && t - current->slot.start < 2 * period ? current->slot.start : t;
      stats.fallback_slots += !current->slot.item;
      if (current->slot.playlist.get() != last_playlist) {
        ++stats.playlist_swaps;
        last_playlist = current->slot.playlist.get();
      }
      live_changed = true;
    } else if (!urgent && !resuming && late_sequence != current->slot.sequence) {
      late_sequence = current->slot.sequence;  // counted once per boundary
      ++stats.late_boundaries;
    }
  }

  // Once the transition is over the worker frees the previous card (a card is megabytes) and,
  // told so, prepares the next card: at most two cards' pixels are alive at any time.
  void end_transition(Nanos t) {
    if (!previous || (t - current_start < options.transition_length &&
                      current->transition != content::Transition::cut)) {
      return;
    }
    if (!retiring) retiring = std::move(previous);
    previous.reset();
    publish_shown = true;
    live_changed = true;
  }

  // The clock for this minute of the shown playlist, uploaded as soon as it is prepared (the
  // worker makes the next minute's ahead).
  void choose_clock(Nanos t) {
    if (clocks_to_upload) {
      clocks_to_upload = false;
      for (const PreparedClockFor& entry : clocks) {
        if (entry.clock && entry.clock->image && !renderer.has_texture(*entry.clock->image)) {
          clocks_to_upload |= !renderer.upload(*entry.clock->image, kUploadRowsPerFrame);
        }
      }
    }
    const std::int64_t minute = unix_minute(options.wall_clock_at_start_s, t);
    const content::Playlist* shown = current->slot.playlist.get();
    if (clock && clock->minute == minute && shown->show_clock) return;
    for (const PreparedClockFor& entry : clocks) {
      if (entry.playlist == shown && entry.clock && entry.clock->minute == minute &&
          entry.clock != clock) {
        clock = entry.clock;
        live_changed = true;
      }
    }
    if (!shown->show_clock && clock) {
      clock.reset();
      live_changed = true;
    }
  }

  // Tells the renderer which textures are still needed; it recycles the others.
  void keep_live_textures() {
    live.clear();
    const scene::PreparedTicker* tickers_seen[3] = {};
    int ticker_count = 0;
    for (const auto* slot : {&current, &previous, &upcoming}) {
      if (!*slot) continue;
      collect_ids((*slot)->card.get(), live);
      const scene::PreparedTicker* ticker = (*slot)->ticker.get();
      if (std::find(tickers_seen, tickers_seen + ticker_count, ticker) ==
          tickers_seen + ticker_count) {
        tickers_seen[ticker_count++] = ticker;  // slots of one playlist share their ticker
        collect_ids(ticker, live);
      }
    }
    for (const PreparedClockFor& entry : clocks) {
      if (entry.clock && entry.clock->image) live.push_back(entry.clock->image->id);
    }
    if (clock && clock->image) live.push_back(clock->image->id);
    if (notice && notice->image) live.push_back(notice->image->id);
    std::sort(live.begin(), live.end());  // in place: no allocation
    renderer.retain_only(live);
    note_texture_bytes();
    live_changed = false;
  }

  // A requested copy of the frame just drawn (before present: a GPU's buffer is undefined
  // after the flip). The mailbox busy: next frame.
  void copy_frame() {
    std::unique_lock lock(sh.mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;
    auto deliver = std::move(sh.copy_to);
    sh.copy_to = nullptr;
    sh.copy_wanted = false;
    lock.unlock();
    if (deliver) deliver(renderer.read_output());
  }

  void compose_and_present(Nanos t) {
    in.t = t;
    in.frame = frame_at(t, stats.refresh_hz);
    in.current = current->card.get();
    in.previous = previous ? previous->card.get() : nullptr;
    in.current_start = current_start;
    in.transition = current->transition;
    in.ticker = current->ticker.get();
    in.ticker_step_px = current->ticker_step_px;
    if (in.ticker && in.ticker->loop_width > 0) {
      // A part of the band without tiles shows its background: counted, never expected.
      const std::int64_t offset =
          scene::ticker_offset(in.frame, in.ticker_step_px, in.ticker->loop_width);
      if (!scene::ticker_covers(*in.ticker, offset, in.screen.width)) ++stats.ticker_gaps;
      stats.ticker_tiles_max =
          std::max<std::uint64_t>(stats.ticker_tiles_max, in.ticker->tiles.size());
    }
    in.clock = clock.get();
    // The notice shows once its texture is complete, until its time is up.
    in.notice = nullptr;
    if (notice && notice->image && t < notice_until) {
      if (renderer.has_texture(*notice->image)) {
        in.notice = notice.get();
      } else {
        renderer.upload(*notice->image, kUploadRowsPerFrame);
      }
    }
    in.background = current->slot.playlist->theme.background;
    scene::compose(in, list);
    renderer.draw(list);
    if (sh.copy_wanted.load(std::memory_order_relaxed)) copy_frame();
    const auto present_start = Clock::now();
    renderer.present();
    display->present_us.add(std::uint64_t((Clock::now() - present_start).count() / 1000));
    display->presented_pixels.add(std::uint64_t(renderer.presented_pixels()));
  }

  // Texture memory changes only when a texture is made (uploads) or let go (retain_only): read
  // then, not every frame (texture_bytes() walks the cache).
  void note_texture_bytes() {
    display->texture_bytes = renderer.texture_bytes();
    display->texture_bytes_peak = std::max(display->texture_bytes_peak, display->texture_bytes);
  }

  // The CPU copies of what now has textures go back to the worker. Only after textures were
  // made or completed (a search through the cache per image).
  void release_uploaded(const UploadBudget& upload) {
    if (upload.spent == 0 && renderer.uploads() == uploads_seen) return;
    uploads_seen = renderer.uploads();
    note_texture_bytes();
    release(renderer, *current, released);
    if (upcoming) release(renderer, *upcoming, released);
    if (clock) release(renderer, clock->image.get(), released);
  }

  // Waits for the next refresh when the renderer does not (no vsync), and times the frame.
  void pace(std::uint64_t frame) {
    if (options.paced && !renderer.vsync()) {
      deadline += std::chrono::nanoseconds(period);
      auto now = Clock::now();
      if (deadline < now - std::chrono::nanoseconds(period)) deadline = now;
      std::this_thread::sleep_until(deadline);
    }
    const auto presented = Clock::now();
    if (frame > 0) {
      const Nanos interval = (presented - last_present).count();
      intervals_us->add(std::uint64_t(interval / 1000));
      stats.dropped_frames += interval > period * 3 / 2;  // a missed refresh
    }
    last_present = presented;
    ++stats.frames;
  }

  RunStats finish() {
    if (display_off)
      stats.display_off_s += std::chrono::duration<double>(Clock::now() - off_since).count();
    stats.frame_ms_p50 = intervals_us->percentile(50) / 1e3;
    stats.frame_ms_p99 = intervals_us->percentile(99) / 1e3;
    stats.frame_ms_max = double(intervals_us->max()) / 1e3;
    stats.renderer = renderer.driver();
    stats.accelerated = renderer.accelerated();
    stats.display = summarize(*display);
    stats.peak_rss_mb = peak_rss_mb();
    stats.cpu_s = cpu_seconds() - cpu_before;
    stats.texture_uploads = renderer.uploads() - uploads_before;
    const WorkCounters& now = work_counters();
    stats.render_thread = {now.text_layouts - render_before.text_layouts,
                           now.glyph_rasterizations - render_before.glyph_rasterizations,
                           now.file_reads - render_before.file_reads};
    std::lock_guard lock(sh.mutex);
    stats.worker_thread = sh.worker_counters;
    stats.glyph_rasterizations = sh.glyph_rasterizations;
    stats.atlas_pages = sh.atlas_pages;
    stats.cards_prepared = sh.cards_prepared;
    return stats;
  }
};

}  // namespace

RunStats Player::run(const FrameHook& hook) {
  FrameLoop loop(renderer_, options_, *shared_, *power_);
  loop.wait_for_first_card();
  for (std::uint64_t frame = 0; loop.frame(frame, hook); ++frame) {
  }
  return loop.finish();
}

// ---------------------------------------------------------------------------------------------
// One frame, synchronously (`render`)

struct StillRenderer::State {
  std::unique_ptr<render::Renderer> renderer;
  render::RendererOptions opened;  // what `renderer` was opened with
  Preparation prep;
  bool prep_open = false;
  fs::path prep_fonts;
  int prep_max_texture = 0;
  std::uint64_t renders = 0;

  bool same(const render::RendererOptions& a, const render::RendererOptions& b) const {
    return a.size.width == b.size.width && a.size.height == b.size.height &&
           a.max_texture_size == b.max_texture_size;
  }

  // The headless renderer for `options`, reopened only when the size or the limit changes.
  bool ensure(const StillOptions& options, std::string* error) {
    render::RendererOptions ro;
    ro.output = render::Output::headless;
    // The PNG is the image laid out for the rotated screen (1080x1920 for --rotate 90).
    ro.size = options.size;
    if (options.rotate == 90 || options.rotate == 270) std::swap(ro.size.width, ro.size.height);
    ro.max_texture_size = options.max_texture_size;
    // Every frame painted whole: a still never depends on the one drawn before, and no copy of
    // the last frame is kept.
    ro.repaint_everything = true;
    ro.keep_textures = false;  // dropped after the still anyway: one at a time, not a card's
    if (!renderer || !same(ro, opened)) {
      renderer.reset();  // one screen's pixels at a time
      renderer = render::Renderer::open(ro, error);
      if (!renderer) return false;
      opened = ro;
    }
    const int max_texture = renderer->max_texture_size();
    if (!prep_open || prep_fonts != options.fonts_dir || prep_max_texture != max_texture) {
      // Before a new engine: the preparer and the glyphs refer to the old one.
      prep.preparer.reset();
      prep.glyphs.reset();
      prep.engine.reset();
      prep_open = prep.open(options.fonts_dir, max_texture, error);
      if (!prep_open) return false;
      prep_fonts = options.fonts_dir;
      prep_max_texture = max_texture;
    }
    return true;
  }
};

StillRenderer::StillRenderer() : state_(std::make_unique<State>()) {}
StillRenderer::~StillRenderer() = default;
std::uint64_t StillRenderer::renders() const {
  return state_->renders;
}

std::optional<text::RgbaImage> StillRenderer::render(
    std::shared_ptr<const content::Playlist> playlist, const StillOptions& options,
    std::string* error) {
  if (!draw(std::move(playlist), options, error)) return std::nullopt;
  return state_->renderer->read_frame();
}

bool StillRenderer::render(std::shared_ptr<const content::Playlist> playlist,
                           const StillOptions& options,
                           const std::function<void(const render::RgbaRows&)>& use,
                           std::string* error) {
  if (!draw(std::move(playlist), options, error)) return false;
  use(state_->renderer->frame_rows());
  return true;
}

bool StillRenderer::draw(std::shared_ptr<const content::Playlist> playlist,
                         const StillOptions& options, std::string* error) {
  if (!state_->ensure(options, error)) return false;
  render::Renderer* renderer = state_->renderer.get();
  Preparation& prep = state_->prep;
  ++state_->renders;
  const scene::Size screen = renderer->scene_size();
  if (!playlist) playlist = empty_playlist("signage-player");

  // Walk the timeline to `at`, remembering the slot before (for a transition in progress).
  scene::Sequencer sequencer(playlist, options.wall_clock_at_start_s);
  scene::Slot slot = sequencer.slot_at(0);
  std::optional<scene::Slot> before;
  while (slot.end <= options.at && slot.end > slot.start) {
    before = slot;
    slot = sequencer.slot_at(slot.end);
  }
  if (!slot.playlist) slot.playlist = playlist;
  const Nanos transition_length = scene::kTransitionLength;
  const content::Transition transition = transition_of(slot);

  auto card = prep.card(slot, screen);
  std::shared_ptr<const scene::PreparedCard> previous_card;
  if (before && options.at - slot.start < transition_length &&
      transition != content::Transition::cut) {
    if (!before->playlist) before->playlist = playlist;
    previous_card = prep.card(*before, screen);
  }
  std::shared_ptr<const scene::PreparedClock> clock;
  if (slot.playlist->show_clock) {
    clock =
        prep.clock(*slot.playlist, unix_minute(options.wall_clock_at_start_s, options.at), screen);
  }

  scene::FrameInputs in;
  in.screen = screen;
  in.t = options.at;
  in.frame = frame_at(options.at, options.refresh_hz);  // the frame loop's choice
  in.current = card.get();
  in.previous = previous_card.get();
  in.current_start = slot.start;
  in.transition = transition;
  in.transition_length = transition_length;
  in.ticker_step_px = scene::ticker_step_px(scene::ticker_speed_px_per_s(*slot.playlist, screen),
                                            options.refresh_hz);
  // Only the ticker's tiles this frame shows, as the player has them around its offset.
  auto ticker_text = prep.ticker_text(*slot.playlist, screen);
  auto ticker = prep.ticker_window(
      *ticker_text, scene::ticker_offset(in.frame, in.ticker_step_px, ticker_text->band.loop_width),
      screen.width, nullptr);
  in.ticker = ticker.get();
  in.clock = clock.get();
  std::shared_ptr<const scene::PreparedNotice> notice;
  if (!options.notice.empty()) {
    notice = prep.notice(*slot.playlist, options.notice, options.notice_problem, screen);
    in.notice = notice.get();
  }
  in.background = slot.playlist->theme.background;
  scene::DrawList list;
  scene::compose(in, list);
  renderer->draw(list);
  // The card's pixels and textures go before the frame is read out: a still's peak memory is
  // the drawn screen (plus its copy for read_frame), not four screens' worth.
  list.commands.clear();
  card.reset();
  previous_card.reset();
  ticker.reset();
  ticker_text.reset();
  clock.reset();
  notice.reset();
  renderer->retain_only({});
  return true;
}

std::optional<text::RgbaImage> render_still(std::shared_ptr<const content::Playlist> playlist,
                                            const StillOptions& options, std::string* error) {
  StillRenderer still;
  return still.render(std::move(playlist), options, error);
}

std::optional<std::size_t> find_item(const content::Playlist& playlist, std::string_view which) {
  for (std::size_t i = 0; i < playlist.items.size(); ++i) {
    if (playlist.items[i].id == which) return i;
  }
  std::size_t number = 0;
  auto [end, error] = std::from_chars(which.data(), which.data() + which.size(), number);
  if (error != std::errc() || end != which.data() + which.size() || number < 1 ||
      number > playlist.items.size()) {
    return std::nullopt;
  }
  return number - 1;
}

std::optional<Nanos> item_time(std::shared_ptr<const content::Playlist> playlist, std::size_t index,
                               std::int64_t clock, std::optional<Nanos> offset) {
  const bool cut = playlist->items[index].transition == content::Transition::cut;
  auto slot = scene::first_slot_of(std::move(playlist), clock, index, kItemSearch);
  if (!slot) return std::nullopt;
  if (offset) return slot->start + *offset;
  const Nanos in = slot->sequence == 0 || cut ? 0 : scene::kTransitionLength;
  return std::min(slot->start + in, slot->end - 1);
}

}  // namespace signage::run
