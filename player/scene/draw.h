// Drawing helpers for the worker: rectangles, text blocks and scaled images into RgbaImage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // Card text: no lone last character; titles ask for `balance`. An opening mark that starts a
  // line drops its blank half, so text aligns with the accent bar.
  text::Wrap wrap = text::Wrap::pretty;
  bool trim_line_start = true;
};

// One thing drawn on a card, in card (screen) coordinates: cards are laid out into a list of
// these first, then drawn strip by strip, so no screen-sized image is ever held.
struct DrawOp {
  enum class Kind : std::uint8_t { fill, text, picture } kind = Kind::fill;
  RectI rect;               // fill: the rectangle; text: top-left in x, y; picture: the clip
  content::Rgba color = 0;  // fill and text
  text::Layout layout;      // text
  const Picture* picture = nullptr;  // picture: kept alive by the ImageLookup
  RectF target;                      // picture: where it is scaled to
  std::optional<text::Rows> rows;    // text: rows its glyphs cover, once drawn
};

// Where a card's drawing is recorded, with the boxes text went into.
struct Canvas {
  Preparer& p;
  const content::Playlist& playlist;
  std::vector<DrawOp> ops;
  std::vector<RectI> text_boxes;
  int missing_glyphs = 0;
  std::vector<TextOverflow> overflows = {};  // fields fit_text had to cut, for `check`
};

// Records a solid rectangle (blended like fill_rect).
void add_fill(Canvas& c, RectI r, content::Rgba color);

// Records `src` scaled into `target` and clipped to `clip` (like draw_scaled).
void add_picture(Canvas& c, const Picture& src, RectF target, RectI clip);

// Where `src` goes to fill `box`: `contain` shows it whole, centred; `cover` fills the box,
// cropped, with the focus point (0..1 of the picture) as near the box's middle as the picture
// allows.
RectF fit_picture(const Picture& src, RectI box, content::ImageFit fit, double focus_x,
                  double focus_y);

// Runs every recorded operation on `strip`, whose row 0 is row `top` of the card. The pixels
// are those the whole card drawn into one image would have in those rows.
void draw_ops(Canvas& c, text::RgbaImage& strip, int top);

text::Layout lay_out_text(Canvas& c, std::string_view s, float width, const TextStyle& style);

// Lays `s` out into `width`, shrinking the size by steps from style.size down to `min_size` until
// it is at most `max_height` tall. At `min_size` a text that still does not fit keeps the lines
// that do, the last one cut at a break opportunity and ended with "……"; the cut is recorded in
// c.overflows under `field` (the JSON pointer of the text in the playlist; none: not recorded).
text::Layout fit_text(Canvas& c, std::string_view s, float width, float max_height, TextStyle style,
                      float min_size, std::string_view field = {});

// Drops trailing lines until the layout is at most `max_height` tall.
void trim_lines(text::Layout& layout, float max_height);

text::Extent extent(const text::Layout& layout);

// Records the block drawn with its top-left corner at (x, y), and its box.
void draw_text(Canvas& c, const text::Layout& layout, int x, int y, content::Rgba color);

// Scales `src` into the target rectangle (may extend past `clip`) and blends it, clipped. `dst`'s
// row 0 is row `dst_top` of the picture `target` and `clip` are in.
void draw_scaled(text::RgbaImage& dst, const Picture& src, RectF target, RectI clip,
                 int dst_top = 0);

std::shared_ptr<const Image> make_image(text::RgbaImage pixels);

// The first-boot screen (first_boot_screen's rows) in `area`: a table on a landscape screen, a
// column on a portrait one, shrunk to fit.
void lay_out_first_boot(Canvas& c, const content::FirstBoot& info, RectI area, bool portrait,
                        float unit);

}  // namespace signage::scene::detail
