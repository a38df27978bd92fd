// Cards: every item type laid out ahead of time, then rasterized strip by strip into blocks.
// Sizes come from the theme as fractions of min(width, height); layouts switch between side by
// side (landscape) and stacked (portrait) on the aspect ratio.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "scene/draw.h"
#include "scene/scene.h"
#include "text/fonts.h"

namespace signage::scene {

using content::Rgba;
using detail::Canvas;
using detail::TextStyle;

Zones zones_for(const content::Playlist& playlist, Size screen) {
  Zones z;
  z.unit = std::max(1, std::min(screen.width, screen.height));
  const double unit = z.unit;
  z.margin = int(std::lround(unit * 0.055));
  int top = 0, bottom = screen.height;
  if (playlist.ticker && !playlist.ticker->items.empty()) {
    double size = std::clamp(playlist.theme.ticker_size, 0.01, 0.2);
    int band = int(std::lround(unit * size * 1.7));
    z.ticker = RectI{0, playlist.ticker->top ? 0 : screen.height - band, screen.width, band};
    (playlist.ticker->top ? top : bottom) = playlist.ticker->top ? band : screen.height - band;
  }
  int content_top = top + z.margin;
  if (playlist.show_clock) {
    z.clock_size = float(unit * std::clamp(playlist.theme.body_size, 0.01, 0.2) * 0.72);
    z.clock_top = top + z.margin / 2;
    z.clock_right = screen.width - z.margin;
    content_top = z.clock_top + int(std::ceil(z.clock_size * 1.45f)) + z.margin / 2;
  }
  if (!playlist.theme.logo.empty()) {
    // The logo shares the clock's row, at the left; the row grows to the logo's height.
    const int h = int(std::lround(unit * 0.07));
    const int w = std::min(int(std::lround(unit * 0.35)), screen.width / 3);
    z.logo = RectI{z.margin, top + z.margin / 2, w, h};
    content_top = std::max(content_top, z.logo.y + h + z.margin / 2);
  }
  z.content = RectI{z.margin, content_top, screen.width - 2 * z.margin,
                    std::max(1, bottom - z.margin - content_top)};
  return z;
}

namespace {

bool is_zh(const content::Playlist& p) {
  return p.lang.rfind("zh", 0) == 0 || p.lang.empty();
}

double frac(double v, double lo = 0.005, double hi = 0.5) {
  return std::clamp(v, lo, hi);
}

// The glyphs for counters at one size and colour, an image each (Counter::glyphs).
struct CounterGlyphs {
  std::vector<std::shared_ptr<const Image>> images;
  std::vector<int> w;
  int digit_width = 0;
  float ascent = 0;
  int height = 0;   // of the line the glyphs are drawn in
  int ink_top = 0;  // the images keep only rows ink_top.. of it: the rows any glyph inks
};

struct Ctx {
  Canvas& c;
  const content::Theme& theme;
  Zones z;
  Size screen;
  bool portrait;
  float unit;
  // Counter glyphs made for this card, by size: a statistic group's values share one size, so
  // its counters share one set of glyph images (and textures) instead of one set each.
  std::vector<std::pair<float, CounterGlyphs>> counter_glyphs = {};
  // The glyphs the card's numbers can show while they count ("." only with decimals, "," only
  // with grouping, a sign only when written): images are made for these alone.
  std::array<bool, kCounterGlyphCount> counter_needs = {};
  std::string item = "";  // JSON pointer of the item, e.g. "/items/3"; fields are under it
  float title() const { return unit * float(frac(theme.title_size)); }
  // The smallest sizes text shrinks to before it is cut with "……" (playlists/README.md).
  float min_title() const { return unit * 0.04f; }
  float min_body() const { return unit * 0.026f; }
  float min_label() const { return unit * 0.02f; }
  float body() const { return unit * float(frac(theme.body_size)); }
  float stat() const { return unit * float(frac(theme.statistic_size)); }
  int bar_width() const { return std::max(3, int(std::lround(unit * 0.009))); }
};

// A title with the accent bar to its left; returns its height.
int draw_title(Ctx& x, std::string_view title, RectI area, float size, float max_height, Rgba color,
               Rgba bar_color) {
  const int bar = x.bar_width(), gap = int(std::lround(x.unit * 0.022));
  TextStyle style{size, x.theme.title_weight, color, text::Wrap::balance};
  text::Layout l = detail::fit_text(x.c, title, float(area.w - bar - gap), max_height, style,
                                    x.min_title(), x.item + "/title");
  text::Extent e = detail::extent(l);
  if (l.lines.empty()) return 0;
  detail::add_fill(x.c, RectI{area.x, area.y + int(e.height * 0.06), bar, int(e.height * 0.88)},
                   bar_color);
  detail::draw_text(x.c, l, area.x + bar + gap, area.y, color);
  return e.height;
}

// ---------------------------------------------------------------------------------------------
// Statistic numbers: a numeric prefix that counts up, and the rest drawn as text.

struct Number {
  bool numeric = false;
  double value = 0;
  int decimals = 0;
  bool grouping = false;
  bool plus = false;
  std::string rest;  // what follows the number ("万余")
};

Number parse_number(const std::string& s) {
  Number n;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits_begin = i;
  std::string plain(s.substr(0, i));
  bool seen_dot = false, any_digit = false;
  for (; i < s.size(); ++i) {
    char ch = s[i];
    if (ch >= '0' && ch <= '9') {
      plain += ch, any_digit = true;
      if (seen_dot) ++n.decimals;
    } else if (ch == ',' && any_digit && !seen_dot && i + 1 < s.size() && s[i + 1] >= '0' &&
               s[i + 1] <= '9') {
      n.grouping = true;
    } else if (ch == '.' && !seen_dot && any_digit && i + 1 < s.size() && s[i + 1] >= '0' &&
               s[i + 1] <= '9') {
      plain += ch, seen_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit || i - digits_begin > 18 || n.decimals > 6)
    return Number{false, 0, 0, false, false, s};
  n.numeric = true;
  n.value = std::strtod(plain.c_str(), nullptr);
  n.plus = !s.empty() && s[0] == '+';
  n.rest = s.substr(i);
  return n;
}

CounterGlyphs make_counter_glyphs(Ctx& x, float size, Rgba color) {
  CounterGlyphs set;
  TextStyle style{size, x.theme.title_weight, color};
  std::vector<text::Layout> glyphs;
  int height = 1;
  for (int i = 0; i < kCounterGlyphCount; ++i) {
    glyphs.push_back(
        detail::lay_out_text(x.c, std::string_view(kCounterGlyphs + i, 1), 1e6f, style));
    const auto& l = glyphs.back();
    int advance = l.lines.empty() ? 0 : int(std::ceil(l.lines[0].width));
    if (i < 10) set.digit_width = std::max(set.digit_width, advance);
    if (!l.lines.empty()) {
      set.ascent = std::max(set.ascent, l.lines[0].ascent);
      height = std::max(height, int(std::ceil(l.lines[0].ascent + l.lines[0].descent)));
    }
    set.w.push_back(advance);
  }
  for (int i = 0; i < 10; ++i) set.w[i] = set.digit_width;  // tabular digits
  // The line's height is the font's ascent and descent; digits ink little more than half of
  // it. The images keep only the rows some glyph inks (the same rows for all: they line up),
  // found first by drawing into no rows: at a statistic card's size that is megabytes of
  // transparent pixels and textures less.
  int ink_begin = height, ink_end = 0;
  for (int i = 0; i < kCounterGlyphCount; ++i) {
    const auto& l = glyphs[std::size_t(i)];
    if (l.lines.empty() || !x.counter_needs[std::size_t(i)]) continue;
    text::RgbaImage none;
    none.width = std::max(1, set.w[i]);
    const float offset = (float(set.w[i]) - l.lines[0].width) / 2;
    const text::Rows rows = text::draw_layout(l, x.c.p.glyphs, none, offset, 0, {});
    if (rows.begin < rows.end) {
      ink_begin = std::min(ink_begin, std::max(0, rows.begin));
      ink_end = std::max(ink_end, std::min(height, rows.end));
    }
  }
  if (ink_end <= ink_begin) ink_begin = 0, ink_end = 1;
  set.height = height;
  set.ink_top = ink_begin;
  for (int i = 0; i < kCounterGlyphCount; ++i) {
    if (!x.counter_needs[std::size_t(i)]) {
      set.images.push_back(nullptr);  // never drawn on this card
      continue;
    }
    text::RgbaImage pixels(std::max(1, set.w[i]), ink_end - ink_begin);
    const auto& l = glyphs[std::size_t(i)];
    if (!l.lines.empty()) {
      float offset = (float(set.w[i]) - l.lines[0].width) / 2;
      text::draw_layout(l, x.c.p.glyphs, pixels, offset, 0, detail::to_color(color), ink_begin);
    }
    set.images.push_back(detail::make_image(std::move(pixels)));
  }
  return set;
}

int counter_width(const CounterGlyphs& s, const Number& n) {
  // The final text's width, as compose will draw it.
  char buf[64];
  int len = std::snprintf(buf, sizeof buf, "%.*f", n.decimals, std::abs(n.value));
  int width = 0, int_digits = 0;
  for (int i = 0; i < len && buf[i] != '.'; ++i) ++int_digits;
  for (int i = 0; i < len; ++i) width += buf[i] == '.' ? s.w[10] : s.digit_width;
  if (n.grouping) width += (std::max(0, int_digits - 1) / 3) * s.w[11];
  if (n.value < 0)
    width += s.w[12];
  else if (n.plus)
    width += s.w[13];
  return width;
}

struct ValueRow {
  int width = 0, height = 0;
  float ascent = 0;
};
// The accent-coloured counter glyphs at `size`, made once per card.
const CounterGlyphs& counter_glyphs(Ctx& x, float size) {
  for (const auto& [made_size, set] : x.counter_glyphs) {
    if (made_size == size) return set;
  }
  x.counter_glyphs.emplace_back(size, make_counter_glyphs(x, size, x.theme.accent));
  return x.counter_glyphs.back().second;
}

// The big number with its unit on one baseline, fitted to `max_width`. Draws when `draw`.
ValueRow value_row(Ctx& x, const content::StatisticValue& v, float size, int left, int top,
                   bool draw, std::vector<Counter>* counters) {
  const Number n = parse_number(v.value);
  TextStyle big{size, x.theme.title_weight, x.theme.accent};
  // The unit stays readable next to a small number and modest next to a big one.
  TextStyle unit_style{std::max(size * 0.38f, std::min(size * 0.6f, x.body() * 0.85f)),
                       x.theme.title_weight, x.theme.foreground};
  text::Layout rest = detail::lay_out_text(x.c, n.numeric ? n.rest : v.value, 1e6f, big);
  text::Layout unit = detail::lay_out_text(x.c, v.unit, 1e6f, unit_style);
  text::Layout zero = detail::lay_out_text(x.c, "0", 1e6f, big);
  float ascent = zero.lines.empty() ? size : zero.lines[0].ascent;
  float descent = zero.lines.empty() ? size * 0.3f : zero.lines[0].descent;
  int num_w = 0;
  CounterGlyphs glyph_set;
  if (n.numeric && draw) {
    glyph_set = counter_glyphs(x, size);
    num_w = counter_width(glyph_set, n);
  } else if (n.numeric) {
    // Measure without rasterizing: digits as wide as the widest digit.
    float widest = 0;
    for (char d = '0'; d <= '9'; ++d) {
      auto l = detail::lay_out_text(x.c, std::string_view(&d, 1), 1e6f, big);
      if (!l.lines.empty()) widest = std::max(widest, std::ceil(l.lines[0].width));
    }
    CounterGlyphs s;
    s.digit_width = int(widest);
    for (char ch : std::string_view(kCounterGlyphs + 10, 4)) {
      auto l = detail::lay_out_text(x.c, std::string_view(&ch, 1), 1e6f, big);
      s.w.push_back(l.lines.empty() ? 0 : int(std::ceil(l.lines[0].width)));
    }
    s.w.insert(s.w.begin(), 10, s.digit_width);
    num_w = counter_width(s, n);
  }
  const int rest_w = detail::extent(rest).width;
  const int gap = v.unit.empty() ? 0 : int(size * 0.12f);
  const int unit_w = detail::extent(unit).width;
  ValueRow row;
  row.width = num_w + rest_w + gap + unit_w;
  row.height = int(std::ceil(ascent + descent));
  row.ascent = ascent;
  if (!draw) return row;
  const float baseline = float(top) + ascent;
  if (n.numeric) {
    const int glyph_height = glyph_set.height;
    const int ink_top = glyph_set.ink_top;
    Counter c;
    c.glyphs = std::move(glyph_set.images);
    c.glyph_w = glyph_set.w;
    c.glyph_width = glyph_set.digit_width;
    c.target = n.value;
    c.decimals = n.decimals;
    c.grouping = n.grouping;
    c.plus = n.plus;
    c.right = left + num_w;
    const int line_top = int(std::lround(baseline - glyph_set.ascent));
    c.top = line_top + ink_top;
    counters->push_back(std::move(c));
    x.c.text_boxes.push_back(RectI{left, line_top, num_w, glyph_height});
  }
  if (!rest.lines.empty()) {
    detail::draw_text(x.c, rest, left + num_w, int(std::lround(baseline - rest.lines[0].ascent)),
                      x.theme.accent);
  }
  if (!unit.lines.empty()) {
    detail::draw_text(x.c, unit, left + num_w + rest_w + gap,
                      int(std::lround(baseline - unit.lines[0].ascent)), x.theme.foreground);
  }
  return row;
}

// The largest size not above `size` at which the value row fits `max_width`.
float fit_value_size(Ctx& x, const content::StatisticValue& v, float size, int max_width) {
  for (int i = 0; i < 30; ++i) {
    ValueRow r = value_row(x, v, size, 0, 0, false, nullptr);
    if (r.width <= max_width) break;
    size *= std::max(0.5f, float(max_width) / float(r.width) * 0.98f);
  }
  return size;
}

// A bar chart of the series in `area`: values above the bars, labels below, the last bar accented.
void draw_bars(Ctx& x, const content::StatisticValue& v, RectI area, const std::string& field) {
  const auto& series = v.series;
  if (series.empty() || area.w <= 0 || area.h <= 0) return;
  double max_value = 0;
  for (const auto& point : series) max_value = std::max(max_value, point.value);
  if (!(max_value > 0)) max_value = 1;
  const int n = int(series.size());
  const float slot = float(area.w) / float(n);
  const float label_size = std::min(x.body() * 0.72f, slot * 0.42f);
  TextStyle label_style{label_size, 400, x.theme.muted};
  TextStyle value_style{label_size, x.theme.title_weight, x.theme.foreground};
  const int label_h = int(std::ceil(label_size * 1.5f));
  const int plot_top = area.y + label_h,
            plot_bottom = area.y + area.h - label_h - int(x.unit * 0.01f);
  const int plot_h = std::max(1, plot_bottom - plot_top);
  detail::add_fill(x.c, RectI{area.x, plot_bottom, area.w, std::max(2, int(x.unit * 0.003f))},
                   detail::mix(x.theme.background, x.theme.muted, 0.6));
  for (int i = 0; i < n; ++i) {
    const auto& point = series[i];
    double share = std::clamp(point.value / max_value, 0.0, 1.0);
    int bar_h = std::max(2, int(std::lround(share * plot_h)));
    int bar_w = int(slot * 0.56f);
    int bx = area.x + int(slot * float(i) + (slot - float(bar_w)) / 2);
    Rgba color = i == n - 1 ? x.theme.accent : detail::mix(x.theme.background, x.theme.muted, 0.75);
    detail::add_fill(x.c, RectI{bx, plot_bottom - bar_h, bar_w, bar_h}, color);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", point.value);
    auto value =
        detail::fit_text(x.c, buf, slot * 0.96f, float(label_h), value_style, label_size * 0.5f);
    auto ev = detail::extent(value);
    detail::draw_text(x.c, value, bx + bar_w / 2 - ev.width / 2,
                      plot_bottom - bar_h - ev.height - 2, x.theme.foreground);
    auto label =
        detail::fit_text(x.c, point.label, slot * 0.96f, float(label_h), label_style,
                         label_size * 0.5f, field + "/series/" + std::to_string(i) + "/label");
    auto el = detail::extent(label);
    detail::draw_text(x.c, label, bx + bar_w / 2 - el.width / 2, plot_bottom + int(x.unit * 0.01f),
                      x.theme.muted);
  }
}

// ---------------------------------------------------------------------------------------------
// Item types

void placeholder(Ctx& x, RectI box, const std::filesystem::path& path);

void headline(Ctx& x, const content::Item& item) {
  RectI area = x.z.content;
  const Picture* picture = nullptr;
  if (!item.image.empty() && x.c.p.images) picture = x.c.p.images(item.image);
  RectI text_area = area, image_area{};
  const int gap = int(x.unit * 0.04f);
  if (!item.image.empty()) {
    if (x.portrait) {
      image_area = RectI{area.x, area.y, area.w, int(area.h * 0.42f)};
      text_area = RectI{area.x, area.y + image_area.h + gap, area.w, area.h - image_area.h - gap};
    } else {
      image_area =
          RectI{area.x + int(area.w * 0.56f), area.y, area.w - int(area.w * 0.56f), area.h};
      text_area = RectI{area.x, area.y, int(area.w * 0.56f) - gap, area.h};
    }
  }
  // Lay out the three blocks, then place them together, a little above the middle.
  const float h = float(text_area.h);
  const int bar = x.bar_width(), indent = bar + int(x.unit * 0.022f);
  TextStyle title{x.title() * 1.15f, x.theme.title_weight, x.theme.foreground, text::Wrap::balance};
  auto t = detail::fit_text(x.c, item.title, float(text_area.w - indent), h * 0.45f, title,
                            x.min_title(), x.item + "/title");
  TextStyle sub{x.body() * 1.12f, x.theme.title_weight, x.theme.accent, text::Wrap::balance};
  const float sub_space = item.body.empty() ? h * 0.3f : h * 0.18f;
  auto s = detail::fit_text(x.c, item.subtitle, float(text_area.w - indent), sub_space, sub,
                            x.min_body(), x.item + "/subtitle");
  const int spacing = int(x.unit * 0.03f);
  int used = detail::extent(t).height + (s.lines.empty() ? 0 : spacing + detail::extent(s).height);
  TextStyle body{x.body(), x.theme.body_weight,
                 detail::mix(x.theme.foreground, x.theme.muted, 0.25)};
  auto b = detail::fit_text(x.c, item.body, float(text_area.w - indent),
                            std::max(1.0f, h - float(used) - float(spacing) * 1.5f), body,
                            x.min_body(), x.item + "/body");
  int total = used + (b.lines.empty() ? 0 : int(spacing * 1.5f) + detail::extent(b).height);
  int y = text_area.y + std::max(0, int((text_area.h - total) * 0.42f));
  if (x.portrait && !item.image.empty()) y = text_area.y;
  const int et = detail::extent(t).height;
  detail::add_fill(x.c, RectI{text_area.x, y + int(et * 0.04f), bar, int(et * 0.92f)},
                   x.theme.accent);
  detail::draw_text(x.c, t, text_area.x + indent, y, x.theme.foreground);
  y += et;
  if (!s.lines.empty()) {
    y += spacing;
    detail::draw_text(x.c, s, text_area.x + indent, y, x.theme.accent);
    y += detail::extent(s).height;
  }
  if (!b.lines.empty()) {
    y += int(spacing * 1.5f);
    detail::draw_text(x.c, b, text_area.x + indent, y, body.color);
  }
  if (!item.image.empty()) {
    if (picture && picture->width > 0 && picture->height > 0) {
      // Cover (the default) fills its part of the card, cropped around the focus point.
      detail::add_picture(
          x.c, *picture,
          detail::fit_picture(*picture, image_area, item.fit.value_or(content::ImageFit::cover),
                              item.focus_x, item.focus_y),
          image_area);
    } else {
      placeholder(x, image_area, item.image);
    }
  }
}

void placeholder(Ctx& x, RectI box, const std::filesystem::path& path) {
  const Rgba fill = detail::mix(x.theme.background, x.theme.muted, 0.12);
  const Rgba line = detail::mix(x.theme.background, x.theme.muted, 0.5);
  const int t = std::max(2, int(x.unit * 0.003f));
  detail::add_fill(x.c, box, fill);
  detail::add_fill(x.c, RectI{box.x, box.y, box.w, t}, line);
  detail::add_fill(x.c, RectI{box.x, box.y + box.h - t, box.w, t}, line);
  detail::add_fill(x.c, RectI{box.x, box.y, t, box.h}, line);
  detail::add_fill(x.c, RectI{box.x + box.w - t, box.y, t, box.h}, line);
  std::string message = is_zh(x.c.playlist) ? "图片无法显示" : "Image unavailable";
  TextStyle big{x.body() * 1.1f, x.theme.title_weight, x.theme.muted};
  auto m = detail::fit_text(x.c, message, float(box.w) * 0.9f, float(box.h) * 0.5f, big,
                            big.size * 0.3f);
  TextStyle small{x.body() * 0.7f, 400, x.theme.muted};
  auto f = detail::fit_text(x.c, path.filename().string(), float(box.w) * 0.9f, float(box.h) * 0.3f,
                            small, small.size * 0.3f);
  auto em = detail::extent(m), ef = detail::extent(f);
  int total = em.height + int(x.unit * 0.015f) + ef.height;
  int y = box.y + (box.h - total) / 2;
  detail::draw_text(x.c, m, box.x + (box.w - em.width) / 2, y, x.theme.muted);
  detail::draw_text(x.c, f, box.x + (box.w - ef.width) / 2, y + em.height + int(x.unit * 0.015f),
                    x.theme.muted);
}

void image_card(Ctx& x, const content::Item& item) {
  RectI area = x.z.content;
  const Picture* picture = x.c.p.images ? x.c.p.images(item.image) : nullptr;
  text::Layout caption;
  if (!item.title.empty()) {
    TextStyle style{x.body(), 400, x.theme.foreground};
    caption = detail::fit_text(x.c, item.title, float(area.w), x.body() * 3.2f, style, x.min_body(),
                               x.item + "/title");
    int ch = detail::extent(caption).height + int(x.unit * 0.025f);
    area.h = std::max(1, area.h - ch);
    auto e = detail::extent(caption);
    detail::draw_text(x.c, caption, area.x + (area.w - e.width) / 2,
                      area.y + area.h + int(x.unit * 0.025f), x.theme.foreground);
  }
  if (!picture || picture->width <= 0 || picture->height <= 0) {
    placeholder(x, area, item.image);
    return;
  }
  detail::add_picture(
      x.c, *picture,
      detail::fit_picture(*picture, area, item.fit.value_or(content::ImageFit::contain),
                          item.focus_x, item.focus_y),
      area);
}

// The label, value row and comparison of one statistic in `area`.
struct Block {
  text::Layout label, comparison;
  text::Layout
      as_of;  // "截至 14:05" of a live value: beside the comparison when it fits, else under
  bool as_of_beside = false;
  float value_size = 0;
  int height = 0;
};

// Lays out the label and comparison and picks the largest value size up to `value_size` at which
// the row fits the width and the three rows fit the height together.
Block plan_block(Ctx& x, const content::StatisticValue& v, RectI area, float value_size,
                 float label_size, const std::string& field, float gap_share = 0.018f) {
  Block b;
  TextStyle label{label_size, x.theme.body_weight,
                  detail::mix(x.theme.foreground, x.theme.muted, 0.35)};
  TextStyle compare{label_size * 0.85f, x.theme.title_weight, x.theme.muted};
  const int gap = int(x.unit * gap_share);
  b.label = detail::fit_text(x.c, v.label, float(area.w), float(area.h) * 0.35f, label,
                             x.min_label(), field + "/label");
  b.comparison = detail::fit_text(x.c, v.comparison, float(area.w), float(area.h) * 0.2f, compare,
                                  x.min_label(), field + "/comparison");
  TextStyle as_of{label_size * 0.6f, x.theme.body_weight, x.theme.muted};
  b.as_of = detail::fit_text(x.c, v.as_of, float(area.w), float(area.h) * 0.2f, as_of,
                             x.min_label(), field + "/as_of");
  const int lh = detail::extent(b.label).height, ch = detail::extent(b.comparison).height;
  const int ah = detail::extent(b.as_of).height;
  // Beside the comparison when the row has room, so a grid's values need not shrink for it.
  b.as_of_beside =
      !b.as_of.lines.empty() && !b.comparison.lines.empty() &&
      detail::extent(b.comparison).width + gap + detail::extent(b.as_of).width <= area.w;
  const bool as_of_under = !b.as_of.lines.empty() && !b.as_of_beside;
  float size = fit_value_size(x, v, value_size, area.w);
  for (int i = 0; i < 20; ++i) {
    ValueRow r = value_row(x, v, size, 0, 0, false, nullptr);
    b.height = lh + gap + r.height + (b.comparison.lines.empty() ? 0 : gap + ch) +
               (as_of_under ? gap / 2 + ah : 0);
    if (b.height <= area.h) break;
    size *= 0.9f;
  }
  b.value_size = size;
  return b;
}

void statistic_block(Ctx& x, const content::StatisticValue& v, RectI area, float value_size,
                     float label_size, std::vector<Counter>& counters, const std::string& field,
                     float gap_share = 0.018f) {
  Block b = plan_block(x, v, area, value_size, label_size, field, gap_share);
  const int gap = int(x.unit * gap_share);
  int y = area.y + std::max(0, (area.h - b.height) / 2);
  detail::draw_text(x.c, b.label, area.x, y, detail::mix(x.theme.foreground, x.theme.muted, 0.35));
  y += detail::extent(b.label).height + gap;
  ValueRow r = value_row(x, v, b.value_size, area.x, y, true, &counters);
  y += r.height;
  // A live value says when it was fetched, small and muted.
  const text::Extent ce = detail::extent(b.comparison), ae = detail::extent(b.as_of);
  if (!b.comparison.lines.empty()) {
    detail::draw_text(x.c, b.comparison, area.x, y + gap, x.theme.muted);
    if (b.as_of_beside) {
      detail::draw_text(x.c, b.as_of, area.x + ce.width + gap, y + gap + ce.height - ae.height,
                        x.theme.muted);
    }
    y += gap + ce.height;
  }
  if (!b.as_of.lines.empty() && !b.as_of_beside) {
    detail::draw_text(x.c, b.as_of, area.x, y + gap / 2, x.theme.muted);
  }
}

void statistic(Ctx& x, const content::Item& item, std::vector<Counter>& counters) {
  if (item.statistics.empty()) return;
  const auto& v = item.statistics.front();
  RectI area = x.z.content;
  int y = area.y;
  if (!item.title.empty()) {
    y += draw_title(x, item.title, area, x.title() * 0.8f, float(area.h) * 0.2f, x.theme.foreground,
                    x.theme.accent) +
         int(x.unit * 0.04f);
  }
  RectI rest{area.x, y, area.w, area.y + area.h - y};
  RectI numbers = rest, chart{};
  if (!v.series.empty()) {
    const int gap = int(x.unit * 0.05f);
    if (x.portrait) {
      numbers.h = int(rest.h * 0.45f);
      chart = RectI{rest.x, rest.y + numbers.h + gap, rest.w, rest.h - numbers.h - gap};
    } else {
      numbers.w = int(rest.w * 0.5f);
      chart = RectI{rest.x + numbers.w + gap, rest.y + int(rest.h * 0.1f), rest.w - numbers.w - gap,
                    int(rest.h * 0.8f)};
    }
  }
  // An accent bar beside the whole block.
  const int bar = x.bar_width(), indent = bar + int(x.unit * 0.03f);
  RectI block{numbers.x + indent, numbers.y, numbers.w - indent, numbers.h};
  size_t before = x.c.text_boxes.size();
  if (v.series.empty()) {
    // One number alone on the card: it takes the space, up to twice the theme's size, with a
    // label at the title's size and room between the rows.
    statistic_block(x, v, block, x.stat() * 2.0f, x.title(), counters, x.item + "/statistics/0",
                    x.portrait ? 0.07f : 0.045f);
  } else {
    statistic_block(x, v, block, x.stat(), x.title() * 0.72f, counters, x.item + "/statistics/0");
  }
  int top = INT32_MAX, bottom = 0;
  for (size_t i = before; i < x.c.text_boxes.size(); ++i) {
    top = std::min(top, x.c.text_boxes[i].y);
    bottom = std::max(bottom, x.c.text_boxes[i].y + x.c.text_boxes[i].h);
  }
  if (bottom > top) detail::add_fill(x.c, RectI{numbers.x, top, bar, bottom - top}, x.theme.accent);
  draw_bars(x, v, chart, x.item + "/statistics/0");
}

void statistic_group(Ctx& x, const content::Item& item, std::vector<Counter>& counters) {
  RectI area = x.z.content;
  int y = area.y;
  if (!item.title.empty()) {
    y += draw_title(x, item.title, area, x.title(), float(area.h) * 0.22f, x.theme.foreground,
                    x.theme.accent) +
         int(x.unit * 0.04f);
  }
  const int n = int(std::min<std::size_t>(item.statistics.size(), 6));
  if (n == 0) return;
  int cols, rows;
  if (x.portrait) {
    cols = n <= 3 ? 1 : 2;
  } else {
    cols = n <= 3 ? n : (n == 4 ? 2 : 3);
  }
  rows = (n + cols - 1) / cols;
  const int gap = int(x.unit * 0.03f);
  RectI grid{area.x, y, area.w, area.y + area.h - y};
  const int cw = (grid.w - gap * (cols - 1)) / cols, ch = (grid.h - gap * (rows - 1)) / rows;
  const Rgba panel = detail::mix(x.theme.background, x.theme.foreground, 0.06);
  const int pad = int(x.unit * 0.03f), stripe = std::max(3, int(x.unit * 0.006f));
  // One value size for every cell, so the grid reads evenly: the smallest that fits them all.
  auto cell_rect = [&](int i) {
    int r = i / cols, c = i % cols;
    return RectI{grid.x + c * (cw + gap), grid.y + r * (ch + gap), cw, ch};
  };
  auto inner_rect = [&](RectI cell) {
    return RectI{cell.x + pad, cell.y + stripe + pad, cell.w - 2 * pad, cell.h - stripe - 2 * pad};
  };
  float size = x.stat() * (n <= 2 ? 0.8f : 0.62f);
  for (int i = 0; i < n; ++i) {
    size = plan_block(x, item.statistics[i], inner_rect(cell_rect(i)), size, x.body() * 0.95f,
                      x.item + "/statistics/" + std::to_string(i))
               .value_size;
  }
  for (int i = 0; i < n; ++i) {
    RectI cell = cell_rect(i);
    detail::add_fill(x.c, cell, panel);
    detail::add_fill(x.c, RectI{cell.x, cell.y, cell.w, stripe}, x.theme.accent);
    statistic_block(x, item.statistics[i], inner_rect(cell), size, x.body() * 0.95f, counters,
                    x.item + "/statistics/" + std::to_string(i));
  }
}

// The title with its accent bar and the body under it, the body's left edge on the title's.
// Both start large (the title up to 1.15 and the body up to 1.6 times the theme's sizes) and
// shrink to fit; the block sits a little above the middle of the content area.
void notice(Ctx& x, const content::Item& item) {
  const RectI area = x.z.content;
  const int bar = x.bar_width(), indent = bar + int(std::lround(x.unit * 0.022));
  const float width = float(area.w - indent), h = float(area.h);
  TextStyle title{x.title() * 1.15f, x.theme.title_weight, x.theme.foreground, text::Wrap::balance};
  auto t = item.title.empty() ? text::Layout{}
                              : detail::fit_text(x.c, item.title, width, h * 0.3f, title,
                                                 x.min_title(), x.item + "/title");
  const int th = t.lines.empty() ? 0 : detail::extent(t).height;
  const int gap = t.lines.empty() ? 0 : int(x.unit * 0.045f);
  TextStyle body{x.body() * 1.6f, x.theme.body_weight, x.theme.foreground};
  auto b = detail::fit_text(x.c, item.body, width, std::max(1.0f, h - float(th + gap)), body,
                            x.min_body(), x.item + "/body");
  const int total = th + gap + detail::extent(b).height;
  int y = area.y + std::max(0, int((area.h - total) * 0.42f));
  if (th > 0) {
    detail::add_fill(x.c, RectI{area.x, y + int(th * 0.04f), bar, int(th * 0.92f)}, x.theme.accent);
    detail::draw_text(x.c, t, area.x + indent, y, x.theme.foreground);
  }
  detail::draw_text(x.c, b, area.x + indent, y + th + gap, x.theme.foreground);
}

void alert(Ctx& x, const content::Item& item) {
  const Rgba fg = x.theme.alert_foreground;
  detail::add_fill(x.c, RectI{0, 0, x.screen.width, x.screen.height}, x.theme.alert_background);
  // A darker stripe across the top edge and a label.
  const int stripe = int(x.unit * 0.018f);
  detail::add_fill(x.c, RectI{0, 0, x.screen.width, stripe},
                   detail::mix(x.theme.alert_background, 0x000000ff, 0.35));
  RectI area = x.z.content;
  int y = area.y;
  TextStyle tag{x.body() * 0.9f, x.theme.title_weight, x.theme.alert_background};
  auto label =
      detail::lay_out_text(x.c, is_zh(x.c.playlist) ? "紧急通知" : "ALERT", float(area.w), tag);
  auto le = detail::extent(label);
  const int pad = int(x.unit * 0.012f);
  detail::add_fill(x.c, RectI{area.x, y, le.width + 4 * pad, le.height + 2 * pad}, fg);
  detail::draw_text(x.c, label, area.x + 2 * pad, y + pad, x.theme.alert_background);
  y += le.height + 2 * pad + int(x.unit * 0.04f);
  RectI rest{area.x, y, area.w, area.y + area.h - y};
  y += draw_title(x, item.title, rest, x.title() * 1.2f, float(rest.h) * 0.45f, fg, fg) +
       int(x.unit * 0.035f);
  // The body's left edge on the title's, as on a notice.
  const int indent = x.bar_width() + int(std::lround(x.unit * 0.022));
  TextStyle body{x.body() * 1.15f, x.theme.body_weight, fg};
  auto b = detail::fit_text(x.c, item.body, float(area.w - indent), float(area.y + area.h - y),
                            body, x.min_body(), x.item + "/body");
  detail::draw_text(x.c, b, area.x + indent, y, fg);
}

void fallback(Ctx& x) {
  RectI area = x.z.content;
  if (x.c.playlist.first_boot) {
    detail::lay_out_first_boot(x.c, *x.c.playlist.first_boot, area, x.portrait, x.unit);
    return;
  }
  std::string title = x.c.playlist.title;
  if (title.empty()) title = is_zh(x.c.playlist) ? "信息发布屏" : "Information screen";
  TextStyle ts{x.title() * 1.1f, x.theme.title_weight, x.theme.foreground, text::Wrap::balance};
  auto t = detail::fit_text(x.c, title, float(area.w) * 0.9f, float(area.h) * 0.45f, ts,
                            x.min_title(), "/title");
  TextStyle ms{x.body() * 1.1f, 400, x.theme.muted};
  auto m = detail::lay_out_text(x.c, is_zh(x.c.playlist) ? "暂无内容" : "Nothing to show right now",
                                float(area.w), ms);
  auto et = detail::extent(t), em = detail::extent(m);
  const int gap = int(x.unit * 0.045f), bar_h = std::max(3, int(x.unit * 0.008f));
  int total = et.height + gap + bar_h + gap + em.height;
  int y = area.y + std::max(0, (area.h - total) * 9 / 20);
  const int cx = area.x + area.w / 2;
  detail::draw_text(x.c, t, cx - et.width / 2, y, x.theme.foreground);
  y += et.height + gap;
  const int bar_w = int(x.unit * 0.09f);
  detail::add_fill(x.c, RectI{cx - bar_w / 2, y, bar_w, bar_h}, x.theme.accent);
  y += bar_h + gap;
  detail::draw_text(x.c, m, cx - em.width / 2, y, x.theme.muted);
}

// The theme's logo in its corner box, its proportions kept, at the box's left; nothing when it
// is missing or cannot be decoded (`check` has said why).
void logo(Ctx& x) {
  const RectI box = x.z.logo;
  if (box.h <= 0 || !x.c.p.images) return;
  const Picture* picture = x.c.p.images(x.theme.logo);
  if (!picture || picture->width <= 0 || picture->height <= 0) return;
  const float scale =
      std::min(float(box.w) / float(picture->width), float(box.h) / float(picture->height));
  const float w = float(picture->width) * scale, h = float(picture->height) * scale;
  detail::add_picture(x.c, *picture,
                      RectF{float(box.x), float(box.y) + (float(box.h) - h) / 2, w, h}, box);
}

// Cards are cut into blocks of kBlockWidth x kBlockHeight (smaller at the right and bottom
// edges); those that are not all `background` are kept as tiles, the rest of the screen becomes
// background rectangles (runs of empty blocks, merged down the rows). Blocks have a handful of
// sizes, so the renderer can reuse a retired card's textures for the next card instead of
// allocating (and page-faulting) fresh ones on the frame loop, and upload one block per frame.
constexpr int kBlockWidth = 256, kBlockHeight = 128;
// A tile keeps its block's rows from the first to the last that is not background, rounded out
// to multiples of this (within the block).
constexpr int kTileRowStep = 16;

// Cuts `strip`, rows top.. of the card (whole block rows, the last maybe shorter), into blocks.
// `open` carries the background runs of the block row above, still growing down.
void cut_tiles(const text::RgbaImage& strip, int top, Rgba background, PreparedCard& card,
               std::vector<RectI>& open) {
  const int bw = card.block_width, bh = card.block_height;
  const text::Color bg = detail::to_color(background);
  const std::uint8_t bg_px[4] = {bg.r, bg.g, bg.b, bg.a};
  // Whether the block is all the colour `px`.
  auto uniform = [&](int x0, int y0, int w, int h, const std::uint8_t* colour) {
    for (int y = y0; y < y0 + h; ++y) {
      const std::uint8_t* px = strip.at(x0, y);
      for (int x = 0; x < w; ++x, px += 4) {
        if (!std::equal(colour, colour + 4, px)) return false;
      }
    }
    return true;
  };
  auto empty = [&](int x0, int y0, int w, int h) { return uniform(x0, y0, w, h, bg_px); };
  for (int y = 0; y < strip.height; y += bh) {
    const int h = std::min(bh, strip.height - y);
    std::vector<RectI> runs;
    for (int x = 0; x < strip.width; x += bw) {
      const int w = std::min(bw, strip.width - x);
      if (empty(x, y, w, h)) {
        if (!runs.empty() && runs.back().x + runs.back().w == x) {
          runs.back().w += w;
        } else {
          runs.push_back(RectI{x, top + y, w, h});
        }
        continue;
      }
      const std::uint8_t* first = strip.at(x, y);
      if (first[3] == 255 && uniform(x, y, w, h, first)) {
        const Rgba colour =
            Rgba(first[0]) << 24 | Rgba(first[1]) << 16 | Rgba(first[2]) << 8 | 0xff;
        card.solid_blocks.push_back(PreparedCard::Solid{RectI{x, top + y, w, h}, colour});
        continue;
      }
      // Only the rows that differ from the background are kept (in steps of kTileRowStep, so
      // textures keep a few sizes the renderer can reuse): a line of text crossing a block leaves
      // most of its rows empty. The rows above and below become background rectangles.
      int first_row = 0, end_row = h;
      while (first_row < h && empty(x, y + first_row, w, 1)) ++first_row;
      while (end_row > first_row && empty(x, y + end_row - 1, w, 1)) --end_row;
      first_row = first_row / kTileRowStep * kTileRowStep;
      end_row = std::min(h, (end_row + kTileRowStep - 1) / kTileRowStep * kTileRowStep);
      if (first_row > 0) card.background_rects.push_back(RectI{x, top + y, w, first_row});
      if (end_row < h) {
        card.background_rects.push_back(RectI{x, top + y + end_row, w, h - end_row});
      }
      text::RgbaImage part(w, end_row - first_row);
      for (int row = first_row; row < end_row; ++row) {
        std::copy_n(strip.at(x, y + row), std::size_t(w) * 4, part.at(0, row - first_row));
      }
      card.tiles.push_back(CardTile{detail::make_image(std::move(part)), x, top + y + first_row});
    }
    // A run exactly below an open one extends it; open runs with nothing below are done.
    std::vector<RectI> next;
    for (RectI run : runs) {
      auto above = std::find_if(open.begin(), open.end(),
                                [&](const RectI& o) { return o.x == run.x && o.w == run.w; });
      if (above != open.end()) {
        run = RectI{above->x, above->y, above->w, above->h + run.h};
        open.erase(above);
      }
      next.push_back(run);
    }
    card.background_rects.insert(card.background_rects.end(), open.begin(), open.end());
    open = std::move(next);
  }
}

}  // namespace

namespace {

// Records the card's drawing on the canvas: the item's type decides the layout.
void lay_out_card(Ctx& x, const content::Playlist& playlist, std::optional<std::size_t> item,
                  PreparedCard& card) {
  detail::add_fill(x.c, RectI{0, 0, x.screen.width, x.screen.height}, playlist.theme.background);
  if (!item || *item >= playlist.items.size()) {
    fallback(x);
    logo(x);
    return;
  }
  card.item = *item;
  x.item = "/items/" + std::to_string(*item);
  const content::Item& it = playlist.items[*item];
  if (playlist.first_boot && it.id == kFirstBootItemId) {
    detail::lay_out_first_boot(x.c, *playlist.first_boot, x.z.content, x.portrait, x.unit);
    logo(x);
    return;
  }
  for (const content::StatisticValue& v : it.statistics) {
    const Number n = parse_number(v.value);
    if (!n.numeric) continue;
    for (int d = 0; d < 10; ++d) x.counter_needs[std::size_t(d)] = true;
    auto need = [&](char c) {
      x.counter_needs[std::size_t(std::strchr(kCounterGlyphs, c) - kCounterGlyphs)] = true;
    };
    if (n.decimals > 0) need('.');
    if (n.grouping) need(',');
    if (n.value < 0) need('-');
    if (n.plus && n.value >= 0) need('+');
  }
  switch (it.type) {
    case content::ItemType::headline: headline(x, it); break;
    case content::ItemType::statistic: statistic(x, it, card.counters); break;
    case content::ItemType::statistic_group: statistic_group(x, it, card.counters); break;
    case content::ItemType::notice: notice(x, it); break;
    case content::ItemType::image: image_card(x, it); break;
    case content::ItemType::alert: alert(x, it); break;
  }
  logo(x);
}

// The draw operations of one card laid out on `screen`, for what `check` and tests inspect.
Canvas laid_out_card(Preparer& p, const content::Playlist& playlist,
                     std::optional<std::size_t> item, Size screen) {
  screen.width = std::max(1, screen.width);
  screen.height = std::max(1, screen.height);
  Canvas canvas{p, playlist, {}, {}, 0};
  const Zones zones = zones_for(playlist, screen);
  Ctx x{canvas, playlist.theme, zones, screen, screen.height > screen.width, float(zones.unit)};
  PreparedCard card;
  lay_out_card(x, playlist, item, card);
  return canvas;
}

}  // namespace

std::vector<TextOverflow> text_overflows(Preparer& p, const content::Playlist& playlist,
                                         std::optional<std::size_t> item, Size screen) {
  Canvas canvas = laid_out_card(p, playlist, item, screen);
  // A statistic's label is fitted once to choose the value size and again to draw it.
  std::vector<TextOverflow> out;
  for (auto& overflow : canvas.overflows) {
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const TextOverflow& o) { return o.pointer == overflow.pointer; });
    if (same == out.end()) out.push_back(std::move(overflow));
  }
  return out;
}

std::vector<CardText> card_texts(Preparer& p, const content::Playlist& playlist,
                                 std::optional<std::size_t> item, Size screen) {
  Canvas canvas = laid_out_card(p, playlist, item, screen);
  std::vector<CardText> out;
  for (const detail::DrawOp& op : canvas.ops) {
    if (op.kind != detail::DrawOp::Kind::text) continue;
    const text::Extent e = detail::extent(op.layout);
    const auto& lines = op.layout.lines;
    const std::size_t begin = lines.front().begin, end = lines.back().end;
    out.push_back({op.layout.text.substr(begin, std::max(begin, end) - begin),
                   RectI{op.rect.x, op.rect.y, e.width, e.height}});
  }
  return out;
}

PreparedCard prepare_card(Preparer& p, const content::Playlist& playlist,
                          std::optional<std::size_t> item, Size screen) {
  screen.width = std::max(1, screen.width);
  screen.height = std::max(1, screen.height);
  const std::uint64_t rasterized_before = p.glyphs.counters().rasterizations;
  // Lay the card out into a list of drawing operations first.
  Canvas canvas{p, playlist, {}, {}, 0};
  const Zones zones = zones_for(playlist, screen);
  Ctx x{canvas, playlist.theme, zones, screen, screen.height > screen.width, float(zones.unit)};
  PreparedCard card;
  lay_out_card(x, playlist, item, card);
  card.text_boxes = std::move(canvas.text_boxes);
  card.missing_glyphs = canvas.missing_glyphs;
  // An alert paints the whole card in its own colour first.
  const bool alert = card.item != PreparedCard::kFallback &&
                     playlist.items[card.item].type == content::ItemType::alert;
  card.background = alert ? playlist.theme.alert_background : playlist.theme.background;
  // Then draw it in strips of whole block rows, each cut into blocks before the next is drawn
  // into the same buffer: about 1 MB at 1080p instead of a screen-sized 8 MB image.
  card.block_width = std::min(kBlockWidth, std::max(16, p.max_texture_size));
  card.block_height = std::min(kBlockHeight, std::max(16, p.max_texture_size));
  const int strip_rows = card.block_height * std::max(1, p.card_strip_blocks);
  text::RgbaImage strip;
  strip.width = screen.width;
  // Every glyph first (a strip of no rows draws nothing and records each text's rows), so that
  // FreeType can be let go before the strips and blocks take their memory.
  detail::draw_ops(canvas, strip, 0);
  if (p.close_fonts_before_drawing) p.engine.fonts().close_ft_faces();
  std::vector<RectI> open;
  for (int top = 0; top < screen.height; top += strip_rows) {
    strip.height = std::min(strip_rows, screen.height - top);
    strip.pixels.assign(std::size_t(strip.width) * strip.height * 4, 0);
    detail::draw_ops(canvas, strip, top);
    // Glyphs the cache let go since are rasterized again: FreeType is let go again too.
    if (p.close_fonts_before_drawing) p.engine.fonts().close_ft_faces();
    cut_tiles(strip, top, card.background, card, open);
  }
  card.background_rects.insert(card.background_rects.end(), open.begin(), open.end());
  card.glyph_rasterizations = p.glyphs.counters().rasterizations - rasterized_before;
  return card;
}

}  // namespace signage::scene
