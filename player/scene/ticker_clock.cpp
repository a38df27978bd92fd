// The ticker loop in tiles and the clock image, prepared ahead of time by the worker.
#include <unicode/dtptngen.h>
#include <unicode/locid.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>

#include "scene/draw.h"
#include "scene/scene.h"

namespace signage::scene {

TickerText lay_out_ticker(Preparer& p, const content::Playlist& playlist, Size screen) {
  TickerText out;
  PreparedTicker& ticker = out.band;
  const Zones z = zones_for(playlist, screen);
  if (!playlist.ticker || playlist.ticker->items.empty() || z.ticker.h <= 0) return out;
  const auto& theme = playlist.theme;
  ticker.band_y = z.ticker.y;
  ticker.band_height = z.ticker.h;
  ticker.background = theme.ticker_background;
  ticker.accent = theme.accent;
  ticker.accent_height = std::max(2, int(std::lround(z.unit * 0.004)));

  detail::Canvas canvas{p, playlist, {}, {}, 0};
  const float size = float(z.unit * std::clamp(theme.ticker_size, 0.01, 0.2));
  // One line each: the headline starts where the separator ends, quote or not.
  detail::TextStyle text_style{size, 400, theme.foreground, text::Wrap::greedy, false};
  detail::TextStyle separator_style{size, 400, theme.accent, text::Wrap::greedy, false};
  using Segment = TickerText::Segment;
  std::vector<Segment>& segments = out.segments;
  text::Layout separator =
      detail::lay_out_text(canvas, playlist.ticker->separator, 1e7f, separator_style);
  // Whole-pixel positions: a glyph cut by a tile edge is drawn at the same phase in both tiles.
  double pen = 0;
  float ascent = size * 0.88f, descent = size * 0.25f;
  float max_ascent = ascent, max_descent = descent;  // over every segment: the tiles' rows
  for (const auto& headline : playlist.ticker->items) {
    std::string flat = headline;
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    Segment s{detail::lay_out_text(canvas, flat, 1e7f, text_style), std::llround(pen),
              theme.foreground};
    for (const auto& line : s.layout.lines) pen += line.width;
    if (!s.layout.lines.empty()) {
      ascent = s.layout.lines[0].ascent, descent = s.layout.lines[0].descent;
      max_ascent = std::max(max_ascent, ascent), max_descent = std::max(max_descent, descent);
    }
    segments.push_back(std::move(s));
    if (!separator.lines.empty()) {
      segments.push_back(Segment{separator, std::llround(pen), theme.accent});
      pen += separator.lines[0].width;
    }
  }
  const std::int64_t loop = std::max<std::int64_t>(1, std::llround(pen));
  ticker.loop_width = int(std::min<std::int64_t>(loop, INT32_MAX / 2));
  // Text centred in the band, clear of the accent line on its inner edge.
  const int line_room = playlist.ticker->top ? 0 : ticker.accent_height;
  const float baseline =
      float(line_room) + (float(ticker.band_height - line_room) + ascent - descent) / 2;
  if (!separator.lines.empty()) {
    max_ascent = std::max(max_ascent, separator.lines[0].ascent);
    max_descent = std::max(max_descent, separator.lines[0].descent);
  }
  // The tiles hold only the rows text can reach (with a margin); the band's fill is the rest.
  const int margin = int(std::ceil(size * 0.1f));
  ticker.tile_y =
      std::clamp(int(std::floor(baseline - max_ascent)) - margin, 0, ticker.band_height);
  out.tile_height = std::clamp(int(std::ceil(baseline + max_descent)) + margin, ticker.tile_y + 1,
                               ticker.band_height) -
                    ticker.tile_y;
  // Narrow tiles of one size: the frame loop uploads one per frame, and a replaced playlist's
  // ticker textures are reused for the next one's instead of being freed and allocated anew.
  constexpr int kTickerTileWidth = 256;
  out.tile_width = std::min(kTickerTileWidth, std::max(16, p.max_texture_size));
  out.size = size;
  out.baseline = baseline;
  return out;
}

namespace {

// Tile `index` of the loop: its left edge at index * tile_width.
std::shared_ptr<const Image> draw_ticker_tile(Preparer& p, const TickerText& text, int index) {
  const PreparedTicker& ticker = text.band;
  const int tile_x = index * text.tile_width;
  const int w = std::min(text.tile_width, ticker.loop_width - tile_x);
  text::RgbaImage pixels(w, text.tile_height);
  detail::fill_rect(pixels, RectI{0, 0, w, text.tile_height}, ticker.background);
  for (const auto& s : text.segments) {
    if (s.layout.lines.empty()) continue;
    const std::int64_t left = s.x - tile_x;
    const float width = s.layout.lines[0].width;
    if (left + std::int64_t(width) + text.size < 0 || left - text.size > w) continue;
    text::draw_layout(s.layout, p.glyphs, pixels, float(left),
                      text.baseline - s.layout.lines[0].ascent - float(ticker.tile_y),
                      detail::to_color(s.color));
  }
  return detail::make_image(std::move(pixels));
}

}  // namespace

PreparedTicker ticker_window(Preparer& p, const TickerText& text, std::int64_t from,
                             std::int64_t width, const PreparedTicker* reuse) {
  PreparedTicker window = text.band;
  window.tiles.clear();
  window.tile_x.clear();
  const std::int64_t loop = text.band.loop_width;
  if (loop <= 0 || text.tile_width <= 0) return window;
  const std::int64_t tile_count = (loop + text.tile_width - 1) / text.tile_width;
  const std::int64_t start = (from % loop + loop) % loop;  // from may be negative or huge
  const std::int64_t first = start / text.tile_width;
  // Tiles from the one holding `start` to the one holding start + width - 1, at most the loop.
  const std::int64_t last = (start + std::max<std::int64_t>(width, 1) - 1) / text.tile_width;
  const std::int64_t count = std::min(tile_count, last - first + 1);
  window.window_x = int(first * text.tile_width);
  for (std::int64_t k = 0; k < count; ++k) {
    const int index = int((first + k) % tile_count);
    const int tile_x = index * text.tile_width;
    std::shared_ptr<const Image> image;
    if (reuse) {
      for (std::size_t i = 0; i < reuse->tiles.size() && !image; ++i) {
        if (reuse->tile_x[i] == tile_x) image = reuse->tiles[i];
      }
    }
    if (!image) image = draw_ticker_tile(p, text, index);
    // Not image->pixels.width: the frame loop may be taking a shared tile's pixels right now.
    window.window_width += int(std::min<std::int64_t>(text.tile_width, loop - tile_x));
    window.tiles.push_back(std::move(image));
    window.tile_x.push_back(tile_x);
  }
  return window;
}

bool ticker_covers(const PreparedTicker& ticker, std::int64_t offset, std::int64_t width) {
  const std::int64_t loop = ticker.loop_width;
  if (loop <= 0 || ticker.window_width >= loop) return true;
  const std::int64_t into = ((offset - ticker.window_x) % loop + loop) % loop;
  return into + width <= ticker.window_width;
}

PreparedTicker prepare_ticker(Preparer& p, const content::Playlist& playlist, Size screen) {
  const TickerText text = lay_out_ticker(p, playlist, screen);
  return ticker_window(p, text, 0, text.band.loop_width);
}

std::string clock_text(std::int64_t unix_s, const std::string& timezone, const std::string& lang) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale = icu::Locale::forLanguageTag(lang.empty() ? "zh-Hans" : lang, status);
  if (U_FAILURE(status)) {
    status = U_ZERO_ERROR;
    locale = icu::Locale::getRoot();
  }
  std::unique_ptr<icu::DateTimePatternGenerator> generator(
      icu::DateTimePatternGenerator::createInstance(locale, status));
  if (U_FAILURE(status)) return {};
  // The date the locale's way ("2026年11月27日"), the weekday name, then 24-hour time.
  icu::UnicodeString pattern = generator->getBestPattern(icu::UnicodeString("yMMMd"), status);
  pattern += icu::UnicodeString(" EEEE ");
  pattern += generator->getBestPattern(icu::UnicodeString("Hm"), status);
  icu::SimpleDateFormat format(pattern, locale, status);
  if (U_FAILURE(status)) return {};
  format.setTimeZone(content::time_zone(timezone));  // the zone schedules use
  icu::UnicodeString out;
  format.format(double(unix_s) * 1000.0, out);
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

PreparedClock prepare_clock(Preparer& p, const content::Playlist& playlist,
                            std::int64_t unix_minute, Size screen) {
  PreparedClock clock;
  clock.minute = unix_minute;
  const Zones z = zones_for(playlist, screen);
  if (!playlist.show_clock || z.clock_size <= 0) return clock;
  detail::Canvas canvas{p, playlist, {}, {}, 0};
  detail::TextStyle style{z.clock_size, 400, playlist.theme.foreground};
  text::Layout l =
      detail::lay_out_text(canvas, clock_text(unix_minute * 60, playlist.timezone, playlist.lang),
                           float(screen.width) / 2, style);
  text::Extent e = detail::extent(l);
  text::RgbaImage pixels(std::max(1, e.width + 2), std::max(1, e.height));
  text::draw_layout(
      l, p.glyphs, pixels, 1, 0,
      detail::to_color(detail::mix(playlist.theme.foreground, playlist.theme.muted, 0.3)));
  clock.x = z.clock_right - pixels.width;
  clock.y = z.clock_top;
  clock.image = detail::make_image(std::move(pixels));
  return clock;
}

}  // namespace signage::scene
