// Glyph rasterization (FreeType) and the atlas that keeps rasterized glyphs in square pages no
// larger than the renderer's texture limit. When every page is full, the least recently used page
// is emptied, so any number of distinct characters fits in bounded memory.
#include <algorithm>
#include <climits>
#include <cmath>

#include "fonts.h"
#include FT_OUTLINE_H

namespace signage::text {
namespace {

constexpr int kPadding = 1;  // blank pixels around each glyph so filtering never bleeds

struct Bitmap {
  int width = 0, height = 0;
  int left = 0, top = 0;  // from the pen to the top-left pixel, y down
  bool color = false;
  std::vector<std::uint8_t> rgba;
};

// Colour emoji come as fixed-size strikes (109 px for Noto Color Emoji): box-filter them down.
Bitmap scale_bitmap(const Bitmap& in, float factor) {
  Bitmap out;
  out.color = in.color;
  out.width = std::max(1, int(std::lround(in.width * factor)));
  out.height = std::max(1, int(std::lround(in.height * factor)));
  out.left = int(std::lround(in.left * factor));
  out.top = int(std::lround(in.top * factor));
  out.rgba.assign(std::size_t(out.width) * out.height * 4, 0);
  float step_x = float(in.width) / float(out.width), step_y = float(in.height) / float(out.height);
  for (int y = 0; y < out.height; ++y) {
    int y0 = int(float(y) * step_y), y1 = std::max(y0 + 1, int(float(y + 1) * step_y));
    for (int x = 0; x < out.width; ++x) {
      int x0 = int(float(x) * step_x), x1 = std::max(x0 + 1, int(float(x + 1) * step_x));
      float sum[4] = {0, 0, 0, 0};  // premultiplied, so transparent pixels add no colour
      int n = 0;
      for (int sy = y0; sy < std::min(y1, in.height); ++sy) {
        for (int sx = x0; sx < std::min(x1, in.width); ++sx, ++n) {
          const std::uint8_t* p = &in.rgba[(std::size_t(sy) * in.width + sx) * 4];
          float a = p[3] / 255.0f;
          for (int k = 0; k < 3; ++k) sum[k] += p[k] * a;
          sum[3] += p[3];
        }
      }
      std::uint8_t* q = &out.rgba[(std::size_t(y) * out.width + x) * 4];
      if (n == 0 || sum[3] == 0) continue;
      float alpha = sum[3] / float(n);
      for (int k = 0; k < 3; ++k)
        q[k] = std::uint8_t(std::clamp(sum[k] / n / (alpha / 255.0f), 0.0f, 255.0f));
      q[3] = std::uint8_t(std::clamp(alpha, 0.0f, 255.0f));
    }
  }
  return out;
}

// Turns the bitmap 90 degrees clockwise about the pen (for sideways text in vertical lines).
Bitmap rotate_clockwise(const Bitmap& in) {
  Bitmap out;
  out.color = in.color;
  out.width = in.height;
  out.height = in.width;
  // A glyph point (u right, v up) lands at (pen.x + v, pen.y + u).
  out.left = -(in.top + in.height);
  out.top = in.left;
  out.rgba.resize(in.rgba.size());
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const std::uint8_t* p = &in.rgba[(std::size_t(in.height - 1 - x) * in.width + y) * 4];
      std::copy(p, p + 4, &out.rgba[(std::size_t(y) * out.width + x) * 4]);
    }
  }
  return out;
}

}  // namespace

struct GlyphCache::Rasterizer {
  FontLibrary& fonts;

  std::optional<Bitmap> rasterize(const GlyphKey& key) {
    FT_Face face = fonts.ft_face(key.face, key.size_64);
    if (!face) return std::nullopt;
    bool color = fonts.face(key.face).info.color && FT_HAS_COLOR(face);
    FT_Int32 flags = color ? FT_LOAD_COLOR : (FT_LOAD_TARGET_LIGHT | FT_LOAD_NO_BITMAP);
    if (FT_Load_Glyph(face, key.glyph, flags)) return std::nullopt;
    FT_GlyphSlot slot = face->glyph;
    if (slot->format == FT_GLYPH_FORMAT_OUTLINE) {
      FT_Outline_Translate(&slot->outline, key.subpixel * 16, 0);
    }
    if (slot->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL)) {
      return std::nullopt;
    }
    const FT_Bitmap& source = slot->bitmap;
    Bitmap bitmap;
    bitmap.width = int(source.width);
    bitmap.height = int(source.rows);
    bitmap.left = slot->bitmap_left;
    bitmap.top = -slot->bitmap_top;
    bitmap.rgba.assign(std::size_t(bitmap.width) * bitmap.height * 4, 0);
    for (int y = 0; y < bitmap.height; ++y) {
      const unsigned char* row = source.buffer + std::ptrdiff_t(y) * source.pitch;
      for (int x = 0; x < bitmap.width; ++x) {
        std::uint8_t* q = &bitmap.rgba[(std::size_t(y) * bitmap.width + x) * 4];
        if (source.pixel_mode == FT_PIXEL_MODE_BGRA) {
          // FreeType's BGRA is premultiplied; the atlas holds straight alpha.
          const unsigned char* p = row + x * 4;
          std::uint8_t a = p[3];
          q[0] = a ? std::uint8_t(std::min(255, p[2] * 255 / a)) : 0;
          q[1] = a ? std::uint8_t(std::min(255, p[1] * 255 / a)) : 0;
          q[2] = a ? std::uint8_t(std::min(255, p[0] * 255 / a)) : 0;
          q[3] = a;
          bitmap.color = true;
        } else if (source.pixel_mode == FT_PIXEL_MODE_MONO) {
          bool on = (row[x / 8] >> (7 - x % 8)) & 1;
          q[0] = q[1] = q[2] = 255;
          q[3] = on ? 255 : 0;
        } else {
          q[0] = q[1] = q[2] = 255;
          q[3] = row[x];
        }
      }
    }
    if (!FT_IS_SCALABLE(face) && face->size->metrics.y_ppem > 0) {
      float factor = float(key.size_64) / 64.0f / float(face->size->metrics.y_ppem);
      if (std::abs(factor - 1) > 0.01f) bitmap = scale_bitmap(bitmap, factor);
    }
    if (key.sideways) bitmap = rotate_clockwise(bitmap);
    return bitmap;
  }
};

std::size_t GlyphKeyHash::operator()(const GlyphKey& k) const noexcept {
  std::uint64_t h = (std::uint64_t(k.face) << 48) ^ (std::uint64_t(k.size_64) << 32) ^ k.glyph;
  h ^= (std::uint64_t(k.subpixel) << 60) ^ (std::uint64_t(k.sideways) << 63);
  h *= 0x9E3779B97F4A7C15ull;
  return std::size_t(h ^ (h >> 29));
}

GlyphCache::GlyphCache(FontLibrary& fonts, AtlasLimits limits)
    : rasterizer_(new Rasterizer{fonts}), limits_(limits) {
  limits_.page_size = std::max(limits_.page_size, 16);
  limits_.max_pages = std::max(limits_.max_pages, 1);
}

GlyphCache::~GlyphCache() = default;

std::optional<AtlasSlot> GlyphCache::get(const GlyphKey& key) {
  ++tick_;
  if (auto found = slots_.find(key); found != slots_.end()) {
    ++counters_.hits;
    if (found->second.width) pages_[found->second.page].last_used = tick_;
    return found->second;
  }
  ++counters_.misses;
  ++counters_.rasterizations;
  auto bitmap = rasterizer_->rasterize(key);
  if (!bitmap) return std::nullopt;
  AtlasSlot slot;
  slot.left = std::int16_t(bitmap->left);
  slot.top = std::int16_t(bitmap->top);
  slot.color = bitmap->color;
  if (bitmap->width == 0 || bitmap->height == 0) return slots_[key] = slot;

  int w = bitmap->width + 2 * kPadding, h = bitmap->height + 2 * kPadding;
  const int size = limits_.page_size;
  if (w > size || h > size) {
    ++counters_.oversized;
    return std::nullopt;
  }
  // Shelf packing on the newest page of the glyph's kind; a new page while allowed, else reuse
  // the least recently used one of the kind.
  const bool color = bitmap->color;
  auto fits = [&](AtlasPage& page) {
    if (page.shelf_x + w > size) {
      page.shelf_y += page.shelf_height;
      page.shelf_x = page.shelf_height = 0;
    }
    return page.shelf_y + h <= size;
  };
  std::size_t& open = open_page_[color];
  const std::size_t of_kind = std::size_t(std::count_if(
      pages_.begin(), pages_.end(), [&](const AtlasPage& p) { return p.color == color; }));
  if (of_kind == 0 || !fits(pages_[open])) {
    if (int(of_kind) < limits_.max_pages) {
      AtlasPage& page = pages_.emplace_back();
      page.color = color;
      page.size = size;
      page.pixels.assign(std::size_t(size) * std::size_t(size) * std::size_t(page.channels()), 0);
      open = pages_.size() - 1;
    } else {
      std::size_t oldest = open;
      for (std::size_t i = 0; i < pages_.size(); ++i) {
        if (pages_[i].color == color && pages_[i].last_used < pages_[oldest].last_used) oldest = i;
      }
      AtlasPage& page = pages_[oldest];
      for (const auto& evicted : page.keys) slots_.erase(evicted);
      counters_.evictions += page.keys.size();
      page.keys.clear();
      std::fill(page.pixels.begin(), page.pixels.end(), 0);
      page.shelf_x = page.shelf_y = page.shelf_height = 0;
      open = oldest;
    }
  }
  AtlasPage& page = pages_[open];
  slot.page = std::uint16_t(open);
  slot.x = std::uint16_t(page.shelf_x + kPadding);
  slot.y = std::uint16_t(page.shelf_y + kPadding);
  slot.width = std::uint16_t(bitmap->width);
  slot.height = std::uint16_t(bitmap->height);
  for (int y = 0; y < bitmap->height; ++y) {
    const std::uint8_t* from = &bitmap->rgba[std::size_t(y) * std::size_t(bitmap->width) * 4];
    std::uint8_t* to = page.at(slot.x, slot.y + y);
    if (color) {
      std::copy_n(from, bitmap->width * 4, to);
    } else {
      for (int x = 0; x < bitmap->width; ++x) to[x] = from[x * 4 + 3];  // coverage is alpha
    }
  }
  page.shelf_x += w;
  page.shelf_height = std::max(page.shelf_height, h);
  page.last_used = tick_;
  page.keys.push_back(key);
  return slots_[key] = slot;
}

namespace {

// Rounded x / 255 for x <= 255 * 255, without a division.
inline unsigned div255(unsigned x) {
  x += 128;
  return (x + (x >> 8)) >> 8;
}

// "Source over" in straight alpha, in integers: the opaque and transparent destinations that text
// is nearly always drawn on take the short paths.
void blend(RgbaImage& image, int x0, int y0, const AtlasPage& page, const AtlasSlot& slot,
           Color color) {
  const int first_x = std::max(0, -x0), end_x = std::min<int>(slot.width, image.width - x0);
  const int first_y = std::max(0, -y0), end_y = std::min<int>(slot.height, image.height - y0);
  const int step = page.channels(), alpha = step - 1;  // coverage, or RGBA's alpha
  for (int y = first_y; y < end_y; ++y) {
    const std::uint8_t* s = page.at(slot.x + first_x, slot.y + y);
    std::uint8_t* d = image.at(x0 + first_x, y0 + y);
    for (int x = first_x; x < end_x; ++x, s += step, d += 4) {
      unsigned a = color.a == 255 ? s[alpha] : div255(unsigned(s[alpha]) * color.a);
      if (a == 0) continue;
      const std::uint8_t* src = slot.color ? s : &color.r;
      unsigned da = d[3];
      if (da == 255 || a == 255) {
        unsigned keep = 255 - a;
        d[0] = std::uint8_t(div255(src[0] * a + d[0] * keep));
        d[1] = std::uint8_t(div255(src[1] * a + d[1] * keep));
        d[2] = std::uint8_t(div255(src[2] * a + d[2] * keep));
        d[3] = 255;
      } else if (da == 0) {
        d[0] = src[0], d[1] = src[1], d[2] = src[2], d[3] = std::uint8_t(a);
      } else {
        unsigned out_a = a * 255 + da * (255 - a);  // x255
        for (int k = 0; k < 3; ++k) {
          d[k] = std::uint8_t((src[k] * a * 255 + d[k] * da * (255 - a) + out_a / 2) / out_a);
        }
        d[3] = std::uint8_t((out_a + 127) / 255);
      }
    }
  }
}

}  // namespace

Rows draw_layout(const Layout& layout, GlyphCache& cache, RgbaImage& image, float x, float y,
                 Color color, int image_top) {
  Rows rows{INT_MAX, INT_MIN};
  const auto& options = layout.options;
  auto size_64 = std::uint16_t(std::clamp(std::lround(options.font_size * 64), 1l, 65535l));
  for (std::size_t i = 0; i < layout.lines.size(); ++i) {
    const Line& line = layout.lines[i];
    float origin_x = options.vertical ? x - (float(i) + 0.5f) * layout.line_height : x;
    float origin_y =
        options.vertical ? y : y + layout.lines.front().ascent + float(i) * layout.line_height;
    for (const auto& glyph : line.glyphs) {
      float gx = origin_x + glyph.x, gy = origin_y + glyph.y;
      float whole_x = std::floor(gx);
      GlyphKey key{glyph.face, glyph.glyph, size_64, 0, glyph.sideways};
      if (!glyph.sideways)
        key.subpixel = std::uint8_t(std::min(3, int((gx - whole_x) * 4)));
      else
        whole_x = std::round(gx);
      auto slot = cache.get(key);
      if (!slot || slot->width == 0) continue;
      // The row is rounded in picture coordinates, then moved: the same pixels in any strip.
      const int top = int(std::lround(gy)) + slot->top;
      rows.begin = std::min(rows.begin, top);
      rows.end = std::max(rows.end, top + int(slot->height));
      blend(image, int(whole_x) + slot->left, top - image_top, cache.pages()[slot->page], *slot,
            color);
    }
  }
  if (rows.begin > rows.end) rows = Rows{};
  return rows;
}

Extent layout_extent(const Layout& layout) {
  float along = 0;
  for (const auto& line : layout.lines) along = std::max(along, line.width);
  float across = layout.line_height * float(layout.lines.size());
  if (!layout.lines.empty() && !layout.options.vertical) {
    across += layout.lines.back().descent - layout.line_height + layout.lines.front().ascent;
  }
  // Clamped: a 16 MiB text of forced breaks is taller than an int can count.
  auto up = [](float v) { return int(std::min(std::ceil(double(v)), double(INT_MAX / 4))); };
  return layout.options.vertical ? Extent{up(across), up(along)} : Extent{up(along), up(across)};
}

}  // namespace signage::text
