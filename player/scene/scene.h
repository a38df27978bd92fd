// Scene: what is visible at time t. Content + clock in, a draw list out.
//
//   prepare_card(), prepare_ticker(), prepare_clock()   worker thread: text layout and
//                                                       rasterization into images, ahead of time
//   Sequencer::slot_at(t)                               which item shows when (schedules, alerts)
//   compose(frame inputs) -> DrawList                   per frame: pure arithmetic, no allocation
//                                                       once the DrawList has grown to size
//
// Nothing here touches SDL, the disk or the network; tests drive it with a fake clock. All times
// are 64-bit nanoseconds since the player started (monotonic), so nothing drifts after months.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "content/content.h"
#include "text/text.h"

namespace signage::scene {

using Nanos = std::int64_t;
constexpr Nanos kSecond = 1'000'000'000;

struct Size {
  int width = 1920;
  int height = 1080;
};

// ---------------------------------------------------------------------------------------------
// Timeline

// One entry of the timeline: an item (index into Playlist::items) or the fallback screen shown
// when nothing is eligible.
struct Slot {
  std::optional<std::size_t> item;  // nullopt: fallback screen (title and clock)
  Nanos start = 0;
  Nanos end = 0;
  std::uint64_t sequence = 0;  // counts slots since start; changes at every boundary
};

// Walks the playlist's loop forward in time. Deterministic: the same playlist, start time and t
// give the same slot. Alerts pre-empt the loop while eligible; an expired item is skipped at the
// next boundary; an alert whose validity ends mid-slot ends there.
class Sequencer {
 public:
  // `wall_clock_at_start_s`: Unix time when t = 0 (for schedules).
  Sequencer(std::shared_ptr<const content::Playlist> playlist, std::int64_t wall_clock_at_start_s);

  // The slot showing at t. Calls must not go backwards in t by more than one slot (the player
  // and `render` only go forwards); going back restarts the walk from t = 0.
  const Slot& slot_at(Nanos t);

  // The slot after the current one, assuming nothing changes eligibility before then (what the
  // worker prepares ahead).
  Slot peek_next() const;

  // A new playlist takes over at the current slot's end.
  void replace_playlist(std::shared_ptr<const content::Playlist> playlist);

  const content::Playlist& playlist() const { return *playlist_; }

 private:
  Slot next_after(const Slot& previous, Nanos from) const;
  std::shared_ptr<const content::Playlist> playlist_;
  std::shared_ptr<const content::Playlist> pending_;
  std::int64_t wall_clock_at_start_s_;
  Slot current_;
  std::size_t loop_position_ = 0;  // next normal item to consider
};

// ---------------------------------------------------------------------------------------------
// Prepared content (built by the worker, read by the frame loop; immutable once built)

// An image plus the id the renderer caches its texture under. Never wider or taller than the
// renderer's maximum texture size: larger things are split into several images.
struct Image {
  std::uint64_t id = 0;  // unique for the process's lifetime
  text::RgbaImage pixels;
};

// A count-up number drawn from a strip of pre-rasterized digits, so it can change every frame
// without layout or rasterization.
struct Counter {
  std::shared_ptr<const Image> digits;  // glyphs "0123456789.,-+" side by side
  std::vector<int> glyph_x;             // left edge of each strip glyph in `digits`
  int glyph_width = 0;                  // tabular: every glyph is this wide
  double target = 0;                    // the number the animation ends on
  int decimals = 0;
  int right = 0, top = 0;               // the final number's right edge and top, screen px
};

struct PreparedCard {
  std::size_t item = 0;                      // index into the playlist, or SIZE_MAX: fallback
  std::shared_ptr<const Image> image;        // the whole card at screen size
  std::vector<Counter> counters;             // statistic numbers animated over the image
  std::uint64_t glyph_rasterizations = 0;    // what preparing it cost, for the stats
};

struct PreparedTicker {
  std::vector<std::shared_ptr<const Image>> tiles;  // the loop of headlines, left to right
  int loop_width = 0;     // px of one full loop (sum of tile widths)
  int band_height = 0;
  int band_y = 0;
  content::Rgba background = 0;
};

struct PreparedClock {
  std::int64_t minute = 0;  // Unix minute it shows
  std::shared_ptr<const Image> image;
  int x = 0, y = 0;
};

// Lays out and rasterizes one card for the screen. `item` = nullopt builds the fallback screen.
PreparedCard prepare_card(text::TextEngine& engine, text::GlyphCache& glyphs,
                          const content::Playlist& playlist, std::optional<std::size_t> item,
                          Size screen, int max_texture_size);

PreparedTicker prepare_ticker(text::TextEngine& engine, text::GlyphCache& glyphs,
                              const content::Playlist& playlist, Size screen,
                              int max_texture_size);

// "2026年11月27日 星期五 14:05" for the playlist's language and time zone.
std::string clock_text(std::int64_t unix_s, const std::string& timezone, const std::string& lang);
PreparedClock prepare_clock(text::TextEngine& engine, text::GlyphCache& glyphs,
                            const content::Playlist& playlist, std::int64_t unix_minute,
                            Size screen);

// ---------------------------------------------------------------------------------------------
// Motion

// The ticker's offset in whole pixels at frame `frame` (frame = floor(t * refresh rate)): a
// constant integer step per refresh, speed_px_per_s / refresh_hz rounded, never 0.
std::int64_t ticker_step_px(double speed_px_per_s, double refresh_hz);
std::int64_t ticker_offset(std::int64_t frame, std::int64_t step_px, int loop_width);

// Eased progress 0..1 of a count-up that lasts `duration` from the card's start.
double count_up_progress(Nanos since_card_start, Nanos duration);

// ---------------------------------------------------------------------------------------------
// The draw list

struct RectF {
  float x = 0, y = 0, w = 0, h = 0;
};
struct RectI {
  int x = 0, y = 0, w = 0, h = 0;
};

struct DrawCommand {
  enum class Kind : std::uint8_t { fill, image } kind = Kind::fill;
  const Image* image = nullptr;  // kept alive by the prepared content the frame was composed from
  RectI source;
  RectF target;
  content::Rgba color = 0xffffffff;  // fill colour, or colour/alpha modulation of an image
};

struct DrawList {
  content::Rgba clear = 0x000000ff;
  std::vector<DrawCommand> commands;  // in painting order; reused across frames
};

struct FrameInputs {
  Size screen;
  Nanos t = 0;
  std::int64_t frame = 0;               // refresh count since start, for the ticker
  const PreparedCard* current = nullptr;
  const PreparedCard* previous = nullptr;  // during a transition, else null
  Nanos current_start = 0;              // when `current` began
  content::Transition transition = content::Transition::fade;
  Nanos transition_length = kSecond / 2;
  const PreparedTicker* ticker = nullptr;
  std::int64_t ticker_step_px = 2;
  const PreparedClock* clock = nullptr;
  content::Rgba background = 0x000000ff;
};

// Fills `out` (cleared first, capacity kept) with what the frame shows.
void compose(const FrameInputs& in, DrawList& out);

}  // namespace signage::scene
