// Drawing helpers for the worker: rectangles, text blocks and scaled images into RgbaImage.
#pragma once

#include <string>
#include <string_view>

#include "scene/scene.h"

namespace signage::scene::detail {

text::Color to_color(content::Rgba c);
content::Rgba mix(content::Rgba a, content::Rgba b, double t);  // a..b, opaque result

// Blends a solid rectangle (clipped to the image).
void fill_rect(text::RgbaImage& image, RectI r, content::Rgba color);

struct TextStyle {
  float size = 40;
  int weight = 400;
  content::Rgba color = 0xffffffff;
};

// A laid-out block of text and the canvas that records where it went.
struct Canvas {
  Preparer& p;
  const content::Playlist& playlist;
  text::RgbaImage image;
  std::vector<RectI> text_boxes;
  int missing_glyphs = 0;
};

text::Layout lay_out_text(Canvas& c, std::string_view s, float width, const TextStyle& style);

// Lays `s` out into `width`, shrinking the size by steps from style.size down to `min_size` until
// it is at most `max_height` tall; at the smallest size, lines that still do not fit are dropped.
text::Layout fit_text(Canvas& c, std::string_view s, float width, float max_height, TextStyle style,
                      float min_size);

// Drops trailing lines until the layout is at most `max_height` tall.
void trim_lines(text::Layout& layout, float max_height);

text::Extent extent(const text::Layout& layout);

// Draws with the block's top-left corner at (x, y) and records its box.
void draw_text(Canvas& c, const text::Layout& layout, int x, int y, content::Rgba color);

// Scales `src` into the target rectangle (may extend past `clip`) and blends it, clipped.
void draw_scaled(text::RgbaImage& dst, const text::RgbaImage& src, RectF target, RectI clip);

std::shared_ptr<const Image> make_image(Preparer& p, text::RgbaImage pixels);

}  // namespace signage::scene::detail
