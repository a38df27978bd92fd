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

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
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

struct RectF {
  float x = 0, y = 0, w = 0, h = 0;
};
struct RectI {
  int x = 0, y = 0, w = 0, h = 0;
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
  bool alert = false;          // an alert pre-empting the loop
  // The playlist `item` indexes (a replaced playlist stays alive while its slots are referenced).
  std::shared_ptr<const content::Playlist> playlist;
};

// How long a card takes to fade or slide in over the previous one (cut: no time).
constexpr Nanos kTransitionLength = kSecond / 2;

// How long the fallback screen shows before eligibility is checked again.
constexpr Nanos kFallbackRecheck = 5 * kSecond;

// Walks the playlist's loop forward in time. Deterministic: the same playlist, start time and t
// give the same slot. Alerts pre-empt the loop while eligible, only those of the highest priority
// among the eligible ones (a higher one cuts a lower one short); an expired item is skipped at the
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

  // A new playlist takes over at `at`, cutting the current slot short (an alert that must show
  // at once): returns the slot starting at `at`, the one after the current slot.
  const Slot& cut_to(std::shared_ptr<const content::Playlist> playlist, Nanos at);

  const content::Playlist& playlist() const { return *cursor_.playlist; }

  // Where the walk stands between slots; copied to look ahead without changing anything.
  struct Cursor {
    std::shared_ptr<const content::Playlist> playlist;
    std::shared_ptr<const content::Playlist> pending;
    std::size_t loop_position = 0;   // next normal item to consider
    std::size_t alert_position = 0;  // next alert to consider (alerts take turns)
  };

 private:
  std::int64_t wall_clock_at_start_s_;
  Cursor cursor_;
  Slot current_;
  bool started_ = false;
};

// One round of the loop as the player plays it from t = 0 with this wall clock at start: the
// slots (alerts and the fallback screen included) until the first slot's item comes round again,
// at most `max_slots`. `length` is when it comes round; nullopt when it did not within max_slots
// (schedules changed on the way).
struct LoopRound {
  std::vector<Slot> slots;
  std::optional<Nanos> length;
};
LoopRound first_round(std::shared_ptr<const content::Playlist> playlist,
                      std::int64_t wall_clock_at_start_s, std::size_t max_slots);

// The first slot that shows `item` (an index into the playlist's items) within `within` of play
// from t = 0, else nullopt.
std::optional<Slot> first_slot_of(std::shared_ptr<const content::Playlist> playlist,
                                  std::int64_t wall_clock_at_start_s, std::size_t item,
                                  Nanos within);

// Whether `item` may show `t` after start. Uses content::is_eligible.
bool eligible_at(const content::Item& item, const content::Playlist& playlist,
                 std::int64_t wall_clock_at_start_s, Nanos t);

// The highest priority among the playlist's alerts eligible `t` after start (only alerts of that
// priority show, taking turns); 0 when none is eligible.
int top_alert_priority(const content::Playlist& playlist, std::int64_t wall_clock_at_start_s,
                       Nanos t);

// ---------------------------------------------------------------------------------------------
// Prepared content (built by the worker, read by the frame loop; immutable once built)

// An image plus the id the renderer caches its texture under. Never wider or taller than the
// renderer's maximum texture size: larger things are split into several images.
struct Image {
  std::uint64_t id = 0;  // unique for the process's lifetime
  // Once the renderer has a texture of the image, the frame loop takes the pixel buffer out
  // (take_pixels) so the pixels are not held twice; width and height stay. Only the frame loop
  // does this, after the worker has handed the image over, hence mutable.
  mutable text::RgbaImage pixels;
};

// Moves the pixel buffer out of `image`, leaving its width and height.
std::vector<std::uint8_t> take_pixels(const Image& image);

// A fresh Image::id, never handed out before in this process (any thread, any Preparer).
std::uint64_t new_image_id();

// A count-up number drawn from pre-rasterized digits, so it can change every frame without
// layout or rasterization.
constexpr const char* kCounterGlyphs = "0123456789.,-+";
constexpr int kCounterGlyphCount = 14;

struct Counter {
  // One image per glyph of kCounterGlyphs: each is small enough for its texture to be made in
  // a frame of its own and reused from the renderer's pool (one image of all of them at a big
  // size is a texture made anew for every statistic card, a slow frame).
  std::vector<std::shared_ptr<const Image>> glyphs;
  std::vector<int> glyph_w;  // width of each glyph's cell (its image's width)
  int glyph_width = 0;       // tabular: every digit is this wide
  double target = 0;         // the number the animation ends on
  int decimals = 0;
  bool grouping = false;   // "12,345": a comma every three digits
  bool plus = false;       // written with a leading "+"
  int right = 0, top = 0;  // the final number's right edge and top, screen px
};

// A piece of a card: cards larger than the maximum texture size are split into tiles.
struct CardTile {
  std::shared_ptr<const Image> image;
  int x = 0, y = 0;  // where its top-left corner goes on the screen
};

// A card is its background colour plus tiles of what differs from it: the text, bars, panels and
// pictures, cut out of the card drawn at screen size. Only those tiles are kept as images (a
// headline card is a few megabytes of pixels instead of a full screen's 8 MB at 1080p);
// `background_rects` are the rest of the screen, painted with `background`. Tiles and rects
// do not overlap, so a faded card blends every pixel exactly once.
struct PreparedCard {
  static constexpr std::size_t kFallback = SIZE_MAX;
  std::size_t item = kFallback;           // index into the playlist, or kFallback
  std::vector<CardTile> tiles;            // the parts of the card that are not background
  content::Rgba background = 0x000000ff;  // the colour of the rest of the card
  std::vector<RectI> background_rects;    // the screen minus the tiles and solid blocks
  // Blocks of one colour other than the background (a panel's inside): filled, not kept as
  // pixels.
  struct Solid {
    RectI rect;
    content::Rgba color = 0;
  };
  std::vector<Solid> solid_blocks;
  int block_width = 0, block_height = 0;   // the grid tiles are cut on (0: not cut on one)
  std::vector<Counter> counters;           // statistic numbers animated over the image
  std::vector<RectI> text_boxes;           // where text was drawn (tests check the bounds)
  int missing_glyphs = 0;                  // characters no font could draw
  std::uint64_t glyph_rasterizations = 0;  // what preparing it cost, for the stats
};

struct PreparedTicker {
  std::vector<std::shared_ptr<const Image>> tiles;  // the loop of headlines, left to right
  std::vector<int> tile_x;                          // left edge of each tile in the loop
  int loop_width = 0;                               // px of one full loop (sum of tile widths)
  int band_height = 0;
  int band_y = 0;
  int tile_y = 0;  // the tiles' top within the band (they hold only the rows text reaches)
  content::Rgba background = 0;
  content::Rgba accent = 0;  // the thin line along the band's inner edge
  int accent_height = 0;
  // The part of the loop the tiles cover: `window_width` px from `window_x` (a tile's left
  // edge), wrapping around the loop. The whole loop from prepare_ticker; a part of it from
  // ticker_window.
  int window_x = 0;
  int window_width = 0;
};

// The ticker's loop laid out once, with what it takes to draw any of its tiles later: the worker
// keeps it and draws only the tiles near the visible part of the band (ticker_window), instead of
// the whole loop (megabytes of textures for a long one).
struct TickerText {
  PreparedTicker band;  // the band's geometry, colours and loop_width; no tiles
  struct Segment {
    text::Layout layout;
    std::int64_t x = 0;  // left edge in the loop, whole px
    content::Rgba color = 0;
  };
  std::vector<Segment> segments;
  float size = 0;                       // font size, px
  float baseline = 0;                   // within the band
  int tile_width = 0, tile_height = 0;  // every tile but the loop's last is tile_width wide
};

struct PreparedClock {
  std::int64_t minute = 0;  // Unix minute it shows
  std::shared_ptr<const Image> image;
  int x = 0, y = 0;
};

// A message in a band along the top edge, over the content: a USB import's progress, its
// confirmation ("已从U盘载入 12 条内容") or the exact problem (in the alert colours).
struct PreparedNotice {
  std::shared_ptr<const Image> image;  // the text on the band's colour
  int x = 0, y = 0;                    // where the image goes
  RectI band, accent;                  // filled with `background` and `accent_color`
  content::Rgba background = 0, accent_color = 0;
};

// A decoded image asset, kept in the form the file decodes to: a paletted or grey PNG stays one
// byte a pixel (the demo's 1600x900 banner is 1.4 MB instead of 5.8 MB as RGBA), a JPEG three.
// Cards sample it pixel by pixel while they are drawn, so it is never converted whole.
struct Picture {
  enum class Format : std::uint8_t { rgba, rgb, indexed };
  int width = 0, height = 0;
  Format format = Format::rgba;
  std::vector<std::uint8_t> pixels;        // rows of `width` pixels, no padding
  std::array<text::Color, 256> palette{};  // indexed: each index's colour, straight alpha

  // The straight RGBA colour of a pixel.
  text::Color at(int x, int y) const {
    const std::size_t i = std::size_t(y) * std::size_t(width) + std::size_t(x);
    switch (format) {
      case Format::indexed: return palette[pixels[i]];
      case Format::rgb: return {pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2], 255};
      case Format::rgba: break;
    }
    return {pixels[i * 4], pixels[i * 4 + 1], pixels[i * 4 + 2], pixels[i * 4 + 3]};
  }
};
Picture to_picture(text::RgbaImage image);  // takes the pixels over
text::RgbaImage to_rgba(const Picture& picture);

// Decoded pixels of an image asset by its path (Item::image), or null when it is missing or could
// not be decoded. The caller decodes files (libpng, libjpeg) on the worker; scene never reads the
// disk.
// The returned picture must stay alive until prepare_card returns.
using ImageLookup = std::function<const Picture*(const std::filesystem::path&)>;

// What a worker thread prepares with. One per thread; not shared.
struct Preparer {
  text::TextEngine& engine;
  text::GlyphCache& glyphs;
  ImageLookup images;           // may be empty: every image counts as missing
  int max_texture_size = 2048;  // no prepared image is wider or taller
  // Block rows of a card drawn at a time (the buffer is this many rows x the screen width).
  // One is enough; tests draw whole cards at once to check strips change no pixel.
  int card_strip_blocks = 1;
  // prepare_card rasterizes the card's glyphs before it allocates any of its pixels; with this
  // set it then closes the FreeType faces (about 2 MB of heap each for a CJK font), so they and
  // the card's blocks are never held at once. They open again at the next glyph not cached.
  bool close_fonts_before_drawing = false;
};

// Where things go on a screen for a playlist: the ticker band, the clock and the card content.
struct Zones {
  int unit = 1080;  // min(width, height): theme sizes are fractions of it
  int margin = 64;
  RectI ticker;   // empty (h = 0) without a ticker
  RectI content;  // what cards lay their text out in
  RectI logo;     // the theme's logo goes in this top-left corner box; empty (h = 0) without one
  int clock_right = 0, clock_top = 0;
  float clock_size = 0;  // font size of the clock, 0 when the clock is off
};
Zones zones_for(const content::Playlist& playlist, Size screen);

// A text that does not fit its place even at the smallest size (see playlists/README.md, "Text
// that does not fit"): it is cut at a break opportunity and ends with "……".
struct TextOverflow {
  std::string pointer;  // JSON pointer of the field, e.g. "/items/3/title"
  std::size_t shown_characters = 0;
  std::size_t characters = 0;
};

// The texts of one card that are cut on `screen`: the card laid out as prepare_card lays it out,
// without drawing it. `item` = nullopt checks the fallback screen (the playlist's title).
std::vector<TextOverflow> text_overflows(Preparer& p, const content::Playlist& playlist,
                                         std::optional<std::size_t> item, Size screen);

// The texts a card draws (what each laid-out block's lines show, after punctuation
// normalization: a block cut short shows less than it was given) and their boxes, in drawing
// order: the card laid out as prepare_card lays it out, not drawn.
struct CardText {
  std::string text;
  RectI box;
};
std::vector<CardText> card_texts(Preparer& p, const content::Playlist& playlist,
                                 std::optional<std::size_t> item, Size screen);

// The first-boot screen: the fallback screen of a playlist with `first_boot` (the player's own
// waiting screen) says how to give the box content, a row per way, in Chinese and English.
struct FirstBootRow {
  std::string label;     // e.g. "U盘 USB stick"
  std::string value;     // what to open, make or tell: an address, a folder, the player id
  std::string note;      // how, in Chinese, then in English
  bool problem = false;  // drawn in the alert colour (a web source that fails)
};
struct FirstBootScreen {
  std::string heading, subheading;
  std::vector<FirstBootRow> rows;
};
FirstBootScreen first_boot_screen(const content::FirstBoot& info);
// In a playlist with `first_boot` and items (the demo after the card), the item with this id is
// drawn as the first-boot screen.
inline constexpr std::string_view kFirstBootItemId = "first-boot";

// Lays out and rasterizes one card for the screen. `item` = nullopt builds the fallback screen.
PreparedCard prepare_card(Preparer& p, const content::Playlist& playlist,
                          std::optional<std::size_t> item, Size screen);

// The ticker loop: every headline followed by the separator, in tiles no wider than
// p.max_texture_size. Empty (no tiles) without a ticker or headlines. The whole loop: the same as
// ticker_window(p, lay_out_ticker(...), 0, loop_width).
PreparedTicker prepare_ticker(Preparer& p, const content::Playlist& playlist, Size screen);

// The loop laid out, no tile drawn yet. loop_width 0 without a ticker or headlines.
TickerText lay_out_ticker(Preparer& p, const content::Playlist& playlist, Size screen);

// The tiles covering `width` px of the loop from `from` (any value: taken modulo the loop, and
// wrapping around its end), in the band's order from `from` on; the whole loop when `width`
// reaches it. Tiles `reuse` has (an earlier window of the same TickerText) are shared, not drawn
// again, so the renderer keeps their textures. Every tile is pixel for pixel the tile
// prepare_ticker draws at its place.
PreparedTicker ticker_window(Preparer& p, const TickerText& text, std::int64_t from,
                             std::int64_t width, const PreparedTicker* reuse = nullptr);

// Whether `ticker`'s tiles cover `width` px of the loop from `offset` (a ticker_offset).
bool ticker_covers(const PreparedTicker& ticker, std::int64_t offset, std::int64_t width);

// "2026年11月27日 星期五 14:05" for the playlist's language and time zone (empty: the system's).
std::string clock_text(std::int64_t unix_s, const std::string& timezone, const std::string& lang);
PreparedClock prepare_clock(Preparer& p, const content::Playlist& playlist,
                            std::int64_t unix_minute, Size screen);

// The notice band in the playlist's theme; at most three lines of text, fitted to the width.
PreparedNotice prepare_notice(Preparer& p, const content::Playlist& playlist,
                              const std::string& message, bool problem, Size screen);

// ---------------------------------------------------------------------------------------------
// Motion

// The ticker's offset in whole pixels at frame `frame` (frame = floor(t * refresh rate)): a
// constant integer step per refresh, speed_px_per_s / refresh_hz rounded, never 0.
std::int64_t ticker_step_px(double speed_px_per_s, double refresh_hz);
std::int64_t ticker_offset(std::int64_t frame, std::int64_t step_px, int loop_width);

// Eased progress 0..1 of a count-up that lasts `duration` from the card's start.
constexpr Nanos kCountUpLength = kSecond * 6 / 5;
double count_up_progress(Nanos since_card_start, Nanos duration = kCountUpLength);

// The ticker speed scaled to the screen (the playlist's speed is for a 1080 px high screen).
double ticker_speed_px_per_s(const content::Playlist& playlist, Size screen);

// ---------------------------------------------------------------------------------------------
// The draw list

struct DrawCommand {
  enum class Kind : std::uint8_t { fill, image } kind = Kind::fill;
  const Image* image = nullptr;  // kept alive by the prepared content the frame was composed from
  RectI source;
  RectF target;
  content::Rgba color = 0xffffffff;  // fill colour, or colour/alpha modulation of an image
};

struct DrawList {
  content::Rgba clear = 0x000000ff;
  // The commands paint every pixel opaquely (a card: its tiles, solid blocks and background
  // rects tile the screen), so the renderer need not clear first.
  bool covers_screen = false;
  std::vector<DrawCommand> commands;  // in painting order; reused across frames
};

struct FrameInputs {
  Size screen;
  Nanos t = 0;
  std::int64_t frame = 0;  // refresh count since start, for the ticker
  const PreparedCard* current = nullptr;
  const PreparedCard* previous = nullptr;  // during a transition, else null
  Nanos current_start = 0;                 // when `current` began
  content::Transition transition = content::Transition::fade;
  Nanos transition_length = kTransitionLength;
  const PreparedTicker* ticker = nullptr;
  std::int64_t ticker_step_px = 2;
  const PreparedClock* clock = nullptr;
  const PreparedNotice* notice = nullptr;  // drawn over everything else
  content::Rgba background = 0x000000ff;
};

// Fills `out` (cleared first, capacity kept) with what the frame shows.
void compose(const FrameInputs& in, DrawList& out);

}  // namespace signage::scene
