#include "scene/draw.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace signage::scene::detail {

text::Color to_color(content::Rgba c) {
  return text::Color{std::uint8_t(c >> 24), std::uint8_t(c >> 16), std::uint8_t(c >> 8),
                     std::uint8_t(c)};
}

content::Rgba mix(content::Rgba a, content::Rgba b, double t) {
  content::Rgba out = 0xff;
  for (int shift = 8; shift <= 24; shift += 8) {
    double ca = (a >> shift) & 0xff, cb = (b >> shift) & 0xff;
    out |= content::Rgba(std::lround(ca + (cb - ca) * t)) << shift;
  }
  return out;
}

void fill_rect(text::RgbaImage& image, RectI r, content::Rgba color) {
  const int x0 = std::max(0, r.x), x1 = std::min(image.width, r.x + r.w);
  const int y0 = std::max(0, r.y), y1 = std::min(image.height, r.y + r.h);
  const text::Color c = to_color(color);
  for (int y = y0; y < y1; ++y) {
    std::uint8_t* d = image.at(x0, y);
    for (int x = x0; x < x1; ++x, d += 4) {
      if (c.a == 255 || d[3] == 0) {
        d[0] = c.r, d[1] = c.g, d[2] = c.b, d[3] = std::max(c.a, d[3]);
        if (c.a != 255) d[3] = c.a;
        continue;
      }
      unsigned a = c.a, keep = 255 - a;
      d[0] = std::uint8_t((c.r * a + d[0] * keep + 127) / 255);
      d[1] = std::uint8_t((c.g * a + d[1] * keep + 127) / 255);
      d[2] = std::uint8_t((c.b * a + d[2] * keep + 127) / 255);
      d[3] = std::uint8_t(std::min(255u, a + d[3] * keep / 255));
    }
  }
}

text::Layout lay_out_text(Canvas& c, std::string_view s, float width, const TextStyle& style) {
  text::LayoutOptions options;
  options.width = std::max(1.0f, width);
  options.font_size = std::max(1.0f, style.size);
  options.lang = c.playlist.lang.empty() ? "zh-Hans" : c.playlist.lang;
  options.weight = style.weight;
  options.normalize_punctuation = true;
  options.wrap = style.wrap;
  options.trim_line_start = style.trim_line_start;
  if (!text::check_utf8(s).empty()) s = {};
  return text::lay_out(c.p.engine, s, options);
}

text::Extent extent(const text::Layout& layout) {
  return text::layout_extent(layout);
}

void trim_lines(text::Layout& layout, float max_height) {
  while (!layout.lines.empty() && float(extent(layout).height) > max_height) {
    layout.lines.pop_back();
  }
}

namespace {

std::size_t count_code_points(std::string_view s) {
  return std::size_t(std::count_if(s.begin(), s.end(), [](char b) { return (b & 0xC0) != 0x80; }));
}

}  // namespace

text::Layout fit_text(Canvas& c, std::string_view s, float width, float max_height, TextStyle style,
                      float min_size, std::string_view field) {
  min_size = std::min(min_size, style.size);
  for (;;) {
    text::Layout layout = lay_out_text(c, s, width, style);
    text::Extent e = extent(layout);
    if (float(e.height) <= max_height && float(e.width) <= width) return layout;
    if (style.size > min_size) {
      style.size = std::max(min_size, style.size * 0.92f);
      continue;
    }
    // Too long even at the smallest size: the lines that fit, the last ended with "……".
    text::Layout kept = layout;
    trim_lines(kept, max_height);
    if (!kept.lines.empty()) {
      text::LayoutOptions options = layout.options;
      options.max_lines = int(kept.lines.size());
      kept = text::lay_out(c.p.engine, layout.text, options);
    }
    std::size_t shown =
        kept.lines.empty() ? 0 : count_code_points(kept.text.substr(0, kept.shown_bytes));
    // (A text whose lines all fit the height but whose extent rounds up past the width is kept.)
    const bool cut = kept.truncated || kept.lines.empty();
    if (cut && !field.empty())
      c.overflows.push_back({std::string(field), shown, count_code_points(s)});
    return kept;
  }
}

void draw_text(Canvas& c, const text::Layout& layout, int x, int y, content::Rgba color) {
  if (layout.lines.empty()) return;
  DrawOp op;
  op.kind = DrawOp::Kind::text;
  op.rect = RectI{x, y, 0, 0};
  op.color = color;
  op.layout = layout;
  c.ops.push_back(std::move(op));
  text::Extent e = extent(layout);
  c.text_boxes.push_back(RectI{x, y, e.width, e.height});
  c.missing_glyphs += layout.missing_glyphs;
}

namespace {

// Bilinear sample of straight RGBA at (fx, fy) in source pixel coordinates, premultiplied out.
void sample(const Picture& src, float fx, float fy, float out[4]) {
  fx = std::clamp(fx - 0.5f, 0.0f, float(src.width - 1));
  fy = std::clamp(fy - 0.5f, 0.0f, float(src.height - 1));
  int x0 = int(fx), y0 = int(fy);
  int x1 = std::min(x0 + 1, src.width - 1), y1 = std::min(y0 + 1, src.height - 1);
  float tx = fx - float(x0), ty = fy - float(y0);
  const text::Color p[4] = {src.at(x0, y0), src.at(x1, y0), src.at(x0, y1), src.at(x1, y1)};
  float w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
  for (int k = 0; k < 4; ++k) out[k] = 0;
  for (int i = 0; i < 4; ++i) {
    float a = float(p[i].a) * w[i];
    out[0] += float(p[i].r) * a, out[1] += float(p[i].g) * a, out[2] += float(p[i].b) * a;
    out[3] += a;
  }
}

}  // namespace

void draw_scaled(text::RgbaImage& dst, const Picture& src, RectF target, RectI clip, int dst_top) {
  if (src.width <= 0 || src.height <= 0 || target.w <= 0 || target.h <= 0) return;
  // x and y are picture coordinates throughout, so every strip samples exactly as a whole
  // picture would.
  const int x0 = std::max({0, clip.x, int(std::floor(target.x))});
  const int x1 = std::min({dst.width, clip.x + clip.w, int(std::ceil(target.x + target.w))});
  const int y0 = std::max({dst_top, clip.y, int(std::floor(target.y))});
  const int y1 =
      std::min({dst_top + dst.height, clip.y + clip.h, int(std::ceil(target.y + target.h))});
  const float sx = float(src.width) / target.w, sy = float(src.height) / target.h;
  // Several samples per pixel when shrinking a lot, so photos do not alias.
  const int n = std::clamp(int(std::ceil(std::max(sx, sy))), 1, 4);
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      float acc[4] = {0, 0, 0, 0};
      for (int j = 0; j < n; ++j) {
        for (int i = 0; i < n; ++i) {
          float px = (float(x) + (float(i) + 0.5f) / float(n) - target.x) * sx;
          float py = (float(y) + (float(j) + 0.5f) / float(n) - target.y) * sy;
          float s[4];
          sample(src, px, py, s);
          for (int k = 0; k < 4; ++k) acc[k] += s[k];
        }
      }
      float alpha = acc[3] / float(n * n);  // 0..255
      if (alpha <= 0.5f) continue;
      std::uint8_t* d = dst.at(x, y - dst_top);
      float a = alpha / 255.0f;
      for (int k = 0; k < 3; ++k) {
        float colour = acc[k] / acc[3];
        d[k] = std::uint8_t(std::lround(colour * a + d[k] * (1 - a)));
      }
      d[3] = std::uint8_t(std::lround(std::min(255.0f, alpha + d[3] * (1 - a))));
    }
  }
}

void add_fill(Canvas& c, RectI r, content::Rgba color) {
  DrawOp op;
  op.kind = DrawOp::Kind::fill;
  op.rect = r;
  op.color = color;
  c.ops.push_back(std::move(op));
}

void add_picture(Canvas& c, const Picture& src, RectF target, RectI clip) {
  DrawOp op;
  op.kind = DrawOp::Kind::picture;
  op.rect = clip;
  op.picture = &src;
  op.target = target;
  c.ops.push_back(std::move(op));
}

void draw_ops(Canvas& c, text::RgbaImage& strip, int top) {
  const int bottom = top + strip.height;
  for (DrawOp& op : c.ops) {
    switch (op.kind) {
      case DrawOp::Kind::fill:
        fill_rect(strip, RectI{op.rect.x, op.rect.y - top, op.rect.w, op.rect.h}, op.color);
        break;
      case DrawOp::Kind::picture: draw_scaled(strip, *op.picture, op.target, op.rect, top); break;
      case DrawOp::Kind::text:
        // Drawn whole in the first strip, in the order a whole card would look its glyphs up;
        // that tells the rows they cover, and after that it is drawn only in strips those rows
        // cross (looking its glyphs up again: hits, unless the atlas was emptied meanwhile).
        if (!op.rows || (op.rows->begin < bottom && op.rows->end > top)) {
          text::Rows rows = text::draw_layout(op.layout, c.p.glyphs, strip, float(op.rect.x),
                                              float(op.rect.y), to_color(op.color), top);
          if (!op.rows) op.rows = rows;
        }
        break;
    }
  }
}

RectF fit_picture(const Picture& src, RectI box, content::ImageFit fit, double focus_x,
                  double focus_y) {
  const float sx = float(box.w) / float(src.width), sy = float(box.h) / float(src.height);
  const float scale = fit == content::ImageFit::cover ? std::max(sx, sy) : std::min(sx, sy);
  const float w = float(src.width) * scale, h = float(src.height) * scale;
  // Centred; a cropped side is centred on the focus point instead, then moved back so no edge of
  // the box is left uncovered.
  auto place = [](int start, int box_size, float size, double focus) {
    const float centred = float(start) + (float(box_size) - size) / 2;
    if (size <= float(box_size) || focus == 0.5) return centred;
    const float on_focus = float(start) + float(box_size) / 2 - float(focus) * size;
    return std::clamp(on_focus, float(start + box_size) - size, float(start));
  };
  return RectF{place(box.x, box.w, w, focus_x), place(box.y, box.h, h, focus_y), w, h};
}

std::shared_ptr<const Image> make_image(text::RgbaImage pixels) {
  auto image = std::make_shared<Image>();
  image->id = new_image_id();
  image->pixels = std::move(pixels);
  return image;
}

}  // namespace signage::scene::detail

namespace signage::scene {

std::uint64_t new_image_id() {
  // The one piece of process-wide state: the renderer caches textures by id, and several
  // preparers (workers, or players sharing a renderer) must never hand out the same id.
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Picture to_picture(text::RgbaImage image) {
  Picture picture;
  picture.width = image.width;
  picture.height = image.height;
  picture.pixels = std::move(image.pixels);
  return picture;
}

text::RgbaImage to_rgba(const Picture& picture) {
  text::RgbaImage image(picture.width, picture.height);
  for (int y = 0; y < picture.height; ++y) {
    for (int x = 0; x < picture.width; ++x) {
      const text::Color c = picture.at(x, y);
      std::uint8_t* d = image.at(x, y);
      d[0] = c.r, d[1] = c.g, d[2] = c.b, d[3] = c.a;
    }
  }
  return image;
}

}  // namespace signage::scene
