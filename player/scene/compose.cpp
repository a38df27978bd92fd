// Per-frame work: arithmetic over prepared images into a reused DrawList. No layout, no
// rasterization, no allocation once the DrawList's capacity has grown to the frame's size.
#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <cstdint>
#include <utility>

#include "scene/scene.h"

namespace signage::scene {

std::vector<std::uint8_t> take_pixels(const Image& image) {
  return std::exchange(image.pixels.pixels, {});
}

std::int64_t ticker_step_px(double speed_px_per_s, double refresh_hz) {
  if (!std::isfinite(speed_px_per_s) || !std::isfinite(refresh_hz) || refresh_hz <= 0) return 1;
  double step = std::round(speed_px_per_s / refresh_hz);
  return std::int64_t(std::clamp(step, 1.0, 4096.0));
}

std::int64_t ticker_offset(std::int64_t frame, std::int64_t step_px, int loop_width) {
  if (loop_width <= 0) return 0;
  const std::int64_t l = loop_width;
  std::int64_t f = frame % l, s = step_px % l;
  if (f < 0) f += l;
  if (s < 0) s += l;
  return f * s % l;  // both below 2^31: no overflow, exact at any uptime
}

double count_up_progress(Nanos since_card_start, Nanos duration) {
  if (duration <= 0 || since_card_start >= duration) return 1;
  if (since_card_start <= 0) return 0;
  double x = double(since_card_start) / double(duration);
  double rest = 1 - x;
  return 1 - rest * rest * rest;  // ease-out cubic
}

double ticker_speed_px_per_s(const content::Playlist& playlist, Size screen) {
  if (!playlist.ticker) return 0;
  int unit = std::min(screen.width, screen.height);
  return playlist.ticker->speed_px_per_s * unit / 1080.0;
}

namespace {

content::Rgba with_alpha(content::Rgba rgb, int alpha) {
  return (rgb & 0xffffff00u) | content::Rgba(std::clamp(alpha, 0, 255));
}

void push_image(DrawList& out, const Image* image, RectI source, RectF target,
                content::Rgba color) {
  DrawCommand c;
  c.kind = DrawCommand::Kind::image;
  c.image = image;
  c.source = source;
  c.target = target;
  c.color = color;
  out.commands.push_back(c);
}

int glyph_index(char c) {
  for (int i = 0; i < kCounterGlyphCount; ++i) {
    if (kCounterGlyphs[i] == c) return i;
  }
  return -1;
}

// The counter's text at `progress`, right-aligned into buf; returns where it starts.
int format_counter(const Counter& counter, double progress, char (&buf)[64]) {
  int end = 64, pos = end;
  double value = std::abs(counter.target) * progress;
  int decimals = std::clamp(counter.decimals, 0, 6);
  double scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  auto scaled = std::int64_t(std::llround(std::min(value * scale, 1e17)));
  for (int i = 0; i < decimals; ++i, scaled /= 10) buf[--pos] = char('0' + scaled % 10);
  if (decimals > 0) buf[--pos] = '.';
  int digits = 0;
  do {
    if (counter.grouping && digits > 0 && digits % 3 == 0) buf[--pos] = ',';
    buf[--pos] = char('0' + scaled % 10);
    scaled /= 10;
    ++digits;
  } while (scaled > 0 && pos > 2);
  if (counter.target < 0)
    buf[--pos] = '-';
  else if (counter.plus)
    buf[--pos] = '+';
  return pos;
}

void draw_counter(const Counter& counter, double progress, float dx, int alpha, DrawList& out) {
  char buf[64];
  int begin = format_counter(counter, progress, buf);
  float x = float(counter.right);
  for (int i = 63; i >= begin; --i) {
    int g = glyph_index(buf[i]);
    if (g < 0 || std::size_t(g) >= counter.glyphs.size() || !counter.glyphs[g]) continue;
    const Image* glyph = counter.glyphs[g].get();
    const int w = counter.glyph_w[g], h = glyph->pixels.height;
    x -= float(w);
    push_image(out, glyph, RectI{0, 0, w, h}, RectF{x + dx, float(counter.top), float(w), float(h)},
               with_alpha(0xffffff00u, alpha));
  }
}

void draw_card(const PreparedCard& card, float dx, int alpha, double count_progress,
               DrawList& out) {
  const int background_alpha = int(card.background & 0xff) * alpha / 255;
  for (const RectI& r : card.background_rects) {
    DrawCommand fill;
    fill.target = RectF{float(r.x) + dx, float(r.y), float(r.w), float(r.h)};
    fill.color = with_alpha(card.background, background_alpha);
    out.commands.push_back(fill);
  }
  for (const PreparedCard::Solid& solid : card.solid_blocks) {
    DrawCommand fill;
    fill.target = RectF{float(solid.rect.x) + dx, float(solid.rect.y), float(solid.rect.w),
                        float(solid.rect.h)};
    fill.color = with_alpha(solid.color, alpha);
    out.commands.push_back(fill);
  }
  for (const auto& tile : card.tiles) {
    const auto& px = tile.image->pixels;
    push_image(out, tile.image.get(), RectI{0, 0, px.width, px.height},
               RectF{float(tile.x) + dx, float(tile.y), float(px.width), float(px.height)},
               with_alpha(0xffffff00u, alpha));
  }
  for (const auto& counter : card.counters) draw_counter(counter, count_progress, dx, alpha, out);
}

// A fade between two cards on the same opaque background, without blending background over
// background (the software renderer blends every such pixel on the CPU): the background once,
// the previous card, then the current card's tiles at `alpha` and its background at `alpha`
// only over the blocks where the previous card showed something (its tiles and counters).
// Both cards are cut on the same block grid, so a block is background, a solid block, or one
// tile over some of its rows and background in the others.
// false when the cards do not qualify (different backgrounds or grids, a grid too large).
bool fade_on_one_background(const PreparedCard& previous, const PreparedCard& current, int alpha,
                            double count_progress, Size screen, DrawList& out) {
  constexpr std::size_t kMaxBlocks = 1024;
  const int bw = current.block_width, bh = current.block_height;
  if (previous.background != current.background || (current.background & 0xff) != 0xff || bw <= 0 ||
      bh <= 0 || previous.block_width != bw || previous.block_height != bh) {
    return false;
  }
  const int columns = (screen.width + bw - 1) / bw, rows = (screen.height + bh - 1) / bh;
  if (std::size_t(columns) * std::size_t(rows) > kMaxBlocks) return false;
  std::bitset<kMaxBlocks> shown, covered;  // blocks the previous card drew on; current tiles
  auto mark = [&](std::bitset<kMaxBlocks>& set, const RectF& r) {
    const int x0 = std::max(0, int(r.x) / bw), x1 = std::min(columns - 1, int(r.x + r.w - 1) / bw);
    const int y0 = std::max(0, int(r.y) / bh), y1 = std::min(rows - 1, int(r.y + r.h - 1) / bh);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) set.set(std::size_t(y * columns + x));
    }
  };
  DrawCommand base;
  base.target = RectF{0, 0, float(screen.width), float(screen.height)};
  base.color = current.background;
  out.commands.push_back(base);
  const std::size_t first = out.commands.size();
  for (const auto& tile : previous.tiles) {
    const auto& px = tile.image->pixels;
    push_image(out, tile.image.get(), RectI{0, 0, px.width, px.height},
               RectF{float(tile.x), float(tile.y), float(px.width), float(px.height)}, 0xffffffffu);
  }
  for (const PreparedCard::Solid& solid : previous.solid_blocks) {
    DrawCommand fill;
    fill.target =
        RectF{float(solid.rect.x), float(solid.rect.y), float(solid.rect.w), float(solid.rect.h)};
    fill.color = solid.color;
    out.commands.push_back(fill);
  }
  for (const auto& counter : previous.counters) draw_counter(counter, 1, 0, 255, out);
  for (std::size_t i = first; i < out.commands.size(); ++i) mark(shown, out.commands[i].target);
  // A tile covers its block's rows from its top to its bottom (it keeps only the rows that are
  // not background, scene/cards.cpp); the block's other rows are background.
  std::array<std::pair<std::int16_t, std::int16_t>, kMaxBlocks> tile_rows{};  // in the block
  auto cover = [&](int left, int top, int h) {
    const int x = left / bw, y = top / bh;
    if (x < 0 || y < 0 || x >= columns || y >= rows) return;
    const auto b = std::size_t(y * columns + x);
    covered.set(b);
    tile_rows[b] = {std::int16_t(top - y * bh), std::int16_t(top - y * bh + h)};
  };
  for (const auto& tile : current.tiles) cover(tile.x, tile.y, tile.image->pixels.height);
  for (const PreparedCard::Solid& solid : current.solid_blocks) {
    cover(solid.rect.x, solid.rect.y, solid.rect.h);
  }
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < columns; ++x) {
      const auto b = std::size_t(y * columns + x);
      if (!shown[b]) continue;
      const int block_h = std::min(bh, screen.height - y * bh);
      auto fill_rows = [&](int from, int to) {
        if (to <= from) return;
        DrawCommand fill;
        fill.target = RectF{float(x * bw), float(y * bh + from),
                            float(std::min(bw, screen.width - x * bw)), float(to - from)};
        fill.color = with_alpha(current.background, alpha);
        out.commands.push_back(fill);
      };
      if (!covered[b]) {
        fill_rows(0, block_h);
      } else {
        fill_rows(0, tile_rows[b].first);
        fill_rows(tile_rows[b].second, block_h);
      }
    }
  }
  for (const auto& tile : current.tiles) {
    const auto& px = tile.image->pixels;
    push_image(out, tile.image.get(), RectI{0, 0, px.width, px.height},
               RectF{float(tile.x), float(tile.y), float(px.width), float(px.height)},
               with_alpha(0xffffff00u, alpha));
  }
  for (const PreparedCard::Solid& solid : current.solid_blocks) {
    DrawCommand fill;
    fill.target =
        RectF{float(solid.rect.x), float(solid.rect.y), float(solid.rect.w), float(solid.rect.h)};
    fill.color = with_alpha(solid.color, alpha);
    out.commands.push_back(fill);
  }
  for (const auto& counter : current.counters) draw_counter(counter, count_progress, 0, alpha, out);
  return true;
}

void draw_ticker(const PreparedTicker& ticker, const FrameInputs& in, DrawList& out) {
  if (ticker.tiles.empty() || ticker.loop_width <= 0) return;
  const float band_y = float(ticker.band_y), band_h = float(ticker.band_height);
  DrawCommand band;
  band.target = RectF{0, band_y, float(in.screen.width), band_h};
  band.color = ticker.background;
  out.commands.push_back(band);
  const std::int64_t offset = ticker_offset(in.frame, in.ticker_step_px, ticker.loop_width);
  for (std::int64_t base = -offset; base < in.screen.width; base += ticker.loop_width) {
    for (std::size_t i = 0; i < ticker.tiles.size(); ++i) {
      const auto& px = ticker.tiles[i]->pixels;
      std::int64_t x = base + ticker.tile_x[i];
      if (x + px.width <= 0 || x >= in.screen.width) continue;
      push_image(out, ticker.tiles[i].get(), RectI{0, 0, px.width, px.height},
                 RectF{float(x), band_y + float(ticker.tile_y), float(px.width), float(px.height)},
                 0xffffffffu);
    }
  }
  if (ticker.accent_height > 0) {
    DrawCommand line;
    float y = ticker.band_y == 0 ? band_y + band_h - float(ticker.accent_height) : band_y;
    line.target = RectF{0, y, float(in.screen.width), float(ticker.accent_height)};
    line.color = ticker.accent;
    out.commands.push_back(line);
  }
}

}  // namespace

void compose(const FrameInputs& in, DrawList& out) {
  out.commands.clear();
  out.clear = in.background;
  out.covers_screen = false;
  const Nanos since = in.t - in.current_start;
  const double counting = count_up_progress(since);
  const bool transitioning = in.previous && in.current &&
                             in.transition != content::Transition::cut &&
                             in.transition_length > 0 && since >= 0 && since < in.transition_length;
  if (transitioning) {
    double x = double(since) / double(in.transition_length);
    double eased = x * x * (3 - 2 * x);
    if (in.transition == content::Transition::slide) {
      float w = float(in.screen.width);
      // Whole pixels, so both cards move together without a seam between them.
      float shift = std::round(float(eased) * w);
      draw_card(*in.previous, -shift, 255, 1, out);
      draw_card(*in.current, w - shift, 255, counting, out);
    } else if (!fade_on_one_background(*in.previous, *in.current, int(std::lround(eased * 255)),
                                       counting, in.screen, out)) {
      draw_card(*in.previous, 0, 255, 1, out);
      draw_card(*in.current, 0, int(std::lround(eased * 255)), counting, out);
    }
  } else if (in.current) {
    draw_card(*in.current, 0, 255, counting, out);
    out.covers_screen = (in.current->background & 0xff) == 0xff;
  }
  if (in.ticker) draw_ticker(*in.ticker, in, out);
  if (in.clock && in.clock->image) {
    const auto& px = in.clock->image->pixels;
    push_image(out, in.clock->image.get(), RectI{0, 0, px.width, px.height},
               RectF{float(in.clock->x), float(in.clock->y), float(px.width), float(px.height)},
               0xffffffffu);
  }
  if (in.notice && in.notice->image) {
    const PreparedNotice& n = *in.notice;
    for (auto [r, color] : {std::pair{n.band, n.background}, std::pair{n.accent, n.accent_color}}) {
      DrawCommand fill;
      fill.target = RectF{float(r.x), float(r.y), float(r.w), float(r.h)};
      fill.color = color;
      out.commands.push_back(fill);
    }
    const auto& px = n.image->pixels;
    push_image(out, n.image.get(), RectI{0, 0, px.width, px.height},
               RectF{float(n.x), float(n.y), float(px.width), float(px.height)}, 0xffffffffu);
  }
}

}  // namespace signage::scene
