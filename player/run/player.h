// The frame loop and the worker that prepares content ahead of it.
//
//   render thread (Player::run: FrameLoop)      worker thread (Worker; owns the TextEngine)
//   -----------------------------------------   ---------------------------------------------
//   take_from_mailbox (try_lock, never waits)   take_requests (waits at most 50 ms)
//   upload_ahead: textures, a little a frame    reload_if_changed: the watched playlist file
//   switch_at_boundary, end_transition          prepare_next: Sequencer, prepare_card, ticker
//   compose_and_present (vsync), pace           keep_ahead (ticker windows), make_notice,
//                                               prepare_clocks, publish
//                                               decode images (libpng, libjpeg)
//                 <--- Mailbox: finished PreparedSlot and clocks, under one small mutex --->
//
// The frame loop never lays out text, rasterizes, reads files or waits for the worker: when the
// next card is not ready at a boundary it keeps showing the current one. A new playlist
// (submit_playlist, or the watched file changing) takes over at an item boundary, or at once
// for a new alert.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "content/content.h"
#include "render/render.h"
#include "run/display_power.h"
#include "run/stats.h"
#include "run/work_counters.h"
#include "scene/scene.h"
#include "text/text.h"

namespace signage::run {

using scene::Nanos;

// Where the demo bundle and the fonts are: $SIGNAGE_PLAYLISTS_DIR, else next to the installed
// program (../share/signage-player/playlists), else the source tree's playlists/.
std::filesystem::path default_playlists_dir();
std::filesystem::path demo_playlist_path();  // <playlists dir>/hexi-2024

// Loads a playlist, counting the read in this thread's WorkCounters. Prints the diagnostics
// (errors and warnings) to stderr. Null on errors.
std::shared_ptr<const content::Playlist> load_and_report(const std::filesystem::path& path);

// The screen shown when there is no valid playlist: the fallback screen with this title.
std::shared_ptr<const content::Playlist> empty_playlist(const std::string& title);

// Image assets decoded on the thread that prepares cards (scene::ImageLookup). Keeps the most
// recently used few; a missing or broken file is reported once and drawn as a placeholder.
class ImageFiles {
 public:
  // Pictures are decoded for this screen: a large JPEG no larger than it needs.
  explicit ImageFiles(scene::Size screen = {1920, 1080}) : screen_(screen) {}
  void set_screen(scene::Size screen) { screen_ = screen; }
  const scene::Picture* lookup(const std::filesystem::path& path);
  std::size_t cached() const { return entries_.size(); }
  // Frees the decoded pictures (a photo is megabytes; decoding it again for its next card is
  // cheaper than holding it between cards). Files that failed stay known, reported once.
  void drop_pixels();

 private:
  struct Entry {
    std::filesystem::path path;
    std::optional<scene::Picture> image;
    std::uint64_t last_used = 0;
  };
  // A list: a card looks up its picture and the logo, and the first pointer must survive the
  // second lookup (a vector would move the entries when it grows).
  std::list<Entry> entries_;
  scene::Size screen_;
  std::uint64_t tick_ = 0;
  static constexpr std::size_t kMaxEntries = 6;
};

// Everything the frame loop needs for one slot, prepared by the worker.
struct PreparedSlot {
  scene::Slot slot;
  std::shared_ptr<const scene::PreparedCard> card;
  // of slot.playlist: a window of its tiles, replaced as the band moves (PreparedTickerFor)
  std::shared_ptr<const scene::PreparedTicker> ticker;
  content::Transition transition = content::Transition::fade;
  std::int64_t ticker_step_px = 1;
  bool urgent = false;    // an alert of a new playlist: shown as soon as ready, not at a boundary
  bool replaces = false;  // of a new playlist: takes the place of the upcoming slot
};

// The ticker's tiles near the visible part of the band (scene::ticker_window), replaced by the
// worker as the band moves.
struct PreparedTickerFor {
  const content::Playlist* playlist = nullptr;  // identity only; the slot keeps it alive
  std::shared_ptr<const scene::PreparedTicker> ticker;
};

struct PreparedClockFor {
  const content::Playlist* playlist = nullptr;  // identity only; the slot keeps it alive
  std::shared_ptr<const scene::PreparedClock> clock;
};

struct PlayerOptions {
  std::filesystem::path fonts_dir;   // empty: text::default_fonts_dir()
  std::filesystem::path watch_path;  // reloaded when its modification time changes
  Nanos watch_interval = 2 * scene::kSecond;
  std::int64_t wall_clock_at_start_s = 0;  // Unix time at t = 0 (schedules, the clock)
  std::optional<Nanos> duration;           // stop after this long
  bool paced = true;                       // false: --unpaced, as fast as possible
  Nanos transition_length = scene::kTransitionLength;
  // How far past the visible part of the ticker band its tiles are drawn ahead, in time of
  // motion (plus a screen width): generous, so a worker busy with a card never leaves a gap.
  Nanos ticker_lookahead = 6 * scene::kSecond;
  // Display hours from player.conf, overriding the playlist's (content::display_decision).
  std::optional<content::DisplayHours> display_hours;
  DisplayCommands display_commands;  // player.conf only, never from a playlist
};

// Called on the render thread after each presented frame (tests and benchmarks); return false
// to stop. Must not block. While the screen is off (display hours) nothing is presented: it is
// called about four times a second with display_off set instead.
struct FrameInfo {
  std::uint64_t frame = 0;
  Nanos t = 0;
  std::uint64_t shown_sequence = 0;
  const content::Playlist* playlist = nullptr;
  bool transition = false;  // the frame blended the previous card into the current one
  Nanos work = 0;       // the frame loop's time for this frame up to its present, without pacing
  Nanos work_cpu = 0;   // the render thread's CPU time for the same (not counting preemption)
  bool notice = false;  // the frame showed the notice band (show_notice)
  ThreadEvents events;  // the render thread's page faults and context switches, same span
  std::optional<std::size_t> item;        // the item shown (nullopt: the fallback screen)
  bool alert = false;                     // it is an alert pre-empting the loop
  bool display_off = false;               // outside the display hours: nothing drawn (see above)
  std::uint64_t dropped_frames = 0;       // so far: intervals longer than 1.5 refresh periods
  const DisplayStats* display = nullptr;  // what presenting cost so far (summarize())
};
using FrameHook = std::function<bool(const FrameInfo&)>;

// Sets glibc's allocator up for playing (process-wide, so the command calls it once at its
// start, before any thread): big pixel buffers go back to the system when freed, freed texture
// blocks are kept for reuse, one heap for the worker and the frame loop.
void tune_allocator_for_playing();

class Player {
 public:
  // Starts the worker, which creates the text engine. `initial` may be null (no valid
  // playlist): the fallback screen shows until one arrives.
  static std::unique_ptr<Player> create(render::Renderer& renderer, const PlayerOptions& options,
                                        std::shared_ptr<const content::Playlist> initial,
                                        std::string* error);
  ~Player();  // stops and joins the worker
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  // Shows `text` in a band over the content for `duration`, from any thread (the worker lays it
  // out; the frame loop shows it when ready). A problem uses the alert colours. Empty: hides it.
  void show_notice(std::string text, bool problem, Nanos duration);

  // Hands in a new playlist from any thread; it takes over at the next item boundary (the one
  // after when that is less than a second away), or at once when it has an alert eligible now
  // that the playing one does not show (once the worker has prepared the alert's card: the
  // frame loop still never waits).
  void submit_playlist(std::shared_ptr<const content::Playlist> playlist);

  // Asks the frame loop for a copy of the next frame it draws, as the screen shows it
  // (Renderer::read_output; one copy, no encoding on the frame loop): `deliver` is called on the
  // render thread with it, so it must only hand the image over. A newer request replaces one not
  // yet served. Nothing is delivered while the screen is off (display hours).
  void request_frame_copy(std::function<void(text::RgbaImage)> deliver);

  // Runs frames until the duration is over, the user quits or `hook` returns false. Blocks
  // before the first frame until the first card is ready (startup, not a frame).
  RunStats run(const FrameHook& hook = {});

  struct Shared;

 private:
  Player(render::Renderer& renderer, const PlayerOptions& options);
  void worker_main();
  render::Renderer& renderer_;
  PlayerOptions options_;
  std::unique_ptr<Shared> shared_;
  std::unique_ptr<DisplayPower> power_;
  std::thread worker_;
};

// The refresh the frame loop shows at t: t in refreshes of `refresh_hz`, rounded to the nearest
// (the ticker's offset is a function of it). `render` draws the same frame.
std::int64_t frame_at(Nanos t, double refresh_hz);

// The frame `render` draws: the same preparation done synchronously, then frame `at` composed.
struct StillOptions {
  Nanos at = 0;
  std::int64_t wall_clock_at_start_s = 0;
  scene::Size size{1920, 1080};  // the output's size; rotate 90/270 swaps it
  int rotate = 0;
  int max_texture_size = 0;  // > 0: force a smaller limit
  std::filesystem::path fonts_dir;
  double refresh_hz = 60;
  std::string notice;  // a notice band over the frame (Player::show_notice), when not empty
  bool notice_problem = false;
};
std::optional<text::RgbaImage> render_still(std::shared_ptr<const content::Playlist> playlist,
                                            const StillOptions& options, std::string* error);

// Stills one after another (the studio's previews) with one text engine, glyph cache (bounded:
// one atlas page) and headless renderer kept between calls; render_still is one call of a fresh
// one, so both give the same pixels. The renderer is reopened when the size changes; textures
// and decoded pictures are dropped after each still. Use it from one thread.
class StillRenderer {
 public:
  StillRenderer();
  ~StillRenderer();
  StillRenderer(const StillRenderer&) = delete;
  StillRenderer& operator=(const StillRenderer&) = delete;
  std::optional<text::RgbaImage> render(std::shared_ptr<const content::Playlist> playlist,
                                        const StillOptions& options, std::string* error);
  // The same still handed to `use` as rows read from the renderer's surface a band at a time,
  // without a copy of the whole frame (8 MB at 1920x1080: the studio's peak). The rows are valid
  // only inside `use`. False and *error set when it cannot be drawn.
  bool render(std::shared_ptr<const content::Playlist> playlist, const StillOptions& options,
              const std::function<void(const render::RgbaRows&)>& use, std::string* error);
  std::uint64_t renders() const;  // stills drawn so far

  struct State;

 private:
  bool draw(std::shared_ptr<const content::Playlist> playlist, const StillOptions& options,
            std::string* error);
  std::unique_ptr<State> state_;
};

// How far ahead an item's first showing is looked for (`render --item`, thumbnails).
constexpr Nanos kItemSearch = 24 * 3600 * scene::kSecond;

// The item `which` names: its id, else its number counting from 1.
std::optional<std::size_t> find_item(const content::Playlist& playlist, std::string_view which);

// When the player started at `clock` first shows item `index` whole: after its transition in (a
// cut has none, nor has the first card), or `offset` after it starts. nullopt when it does not
// show within kItemSearch.
std::optional<Nanos> item_time(std::shared_ptr<const content::Playlist> playlist, std::size_t index,
                               std::int64_t clock, std::optional<Nanos> offset);

}  // namespace signage::run
