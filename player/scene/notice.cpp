// The notice band: a message over the content (USB import progress, a confirmation, a problem).
#include <algorithm>
#include <cmath>

#include "scene/draw.h"
#include "scene/scene.h"

namespace signage::scene {

PreparedNotice prepare_notice(Preparer& p, const content::Playlist& playlist,
                              const std::string& message, bool problem, Size screen) {
  PreparedNotice notice;
  const Zones z = zones_for(playlist, screen);
  const auto& theme = playlist.theme;
  const content::Rgba background = problem ? theme.alert_background : theme.ticker_background;
  const content::Rgba foreground = problem ? theme.alert_foreground : theme.foreground;
  detail::Canvas canvas{p, playlist, {}, {}, 0};
  const float size = float(z.unit * std::clamp(theme.body_size, 0.02, 0.06));
  const float width = float(screen.width - 2 * z.margin);
  // A problem can be long (a file, a line, a field): at most three lines, then cut.
  text::Layout layout = detail::fit_text(canvas, message, width, size * 1.5f * 3,
                                         {size, 500, foreground}, size * 0.75f);
  text::Extent e = detail::extent(layout);
  const int pad = int(std::lround(size * 0.5f));
  const int band_h = std::min(screen.height / 3, e.height + 2 * pad);
  const int accent_h = std::max(2, int(std::lround(z.unit * 0.004)));
  const int image_w = std::clamp(e.width + 2, 1, std::max(16, p.max_texture_size));
  const int image_h = std::clamp(band_h, 1, std::max(16, p.max_texture_size));
  text::RgbaImage pixels(image_w, image_h);
  detail::fill_rect(pixels, RectI{0, 0, image_w, image_h}, background);
  text::draw_layout(layout, p.glyphs, pixels, 1, float(pad), detail::to_color(foreground));
  notice.band = RectI{0, 0, screen.width, band_h};
  notice.accent = RectI{0, band_h, screen.width, accent_h};
  notice.background = background;
  notice.accent_color = problem ? theme.alert_foreground : theme.accent;
  notice.x = z.margin;
  notice.y = 0;
  notice.image = detail::make_image(std::move(pixels));
  return notice;
}

}  // namespace signage::scene
