// The first-boot screen: with no content yet, the waiting screen says how to give the box some
// (the studio's address, the USB folder, the web source and its state, the player id), in
// Chinese and English, laid out as a table (landscape) or a column (portrait).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "scene/draw.h"
#include "scene/scene.h"

namespace signage::scene {

FirstBootScreen first_boot_screen(const content::FirstBoot& info) {
  FirstBootScreen s;
  s.heading = "还没有播放内容，请用下面任一方式提供";
  s.subheading = "No content yet. Give this screen content in one of these ways:";
  if (!info.studio_urls.empty()) {
    std::string urls;
    for (const auto& url : info.studio_urls) urls += (urls.empty() ? "" : "   ") + url;
    s.rows.push_back({"内容编辑器 Studio", urls,
                      "在同一网络的电脑或手机上用浏览器打开，编辑并发布内容。\n"
                      "Open it in a browser on a computer or phone on the same network."});
  }
  if (!info.usb_folder.empty()) {
    s.rows.push_back({"U盘 USB stick", info.usb_folder + "/playlist.json",
                      "在U盘最外层建 " + info.usb_folder +
                          " 文件夹，放入 playlist.json 和图片，插到本机上。\n"
                          "A folder named " +
                          info.usb_folder +
                          " at the top of the stick, with playlist.json and its pictures; plug "
                          "it in here."});
  }
  if (!info.web_url.empty()) {
    std::string note;
    if (info.web_state.empty()) {
      note = "正在连接…… Connecting…";
    } else if (info.web_problem) {
      note =
          "暂时取不到内容，稍后自动重试。Cannot get content yet; trying again.\n" + info.web_state;
    } else {
      note = "已连接，服务器上还没有可播放的内容。Connected; nothing to play there yet.\n" +
             info.web_state;
    }
    s.rows.push_back({"网络来源 Web source", info.web_url, note, info.web_problem});
  }
  if (!info.player_id.empty()) {
    s.rows.push_back({"本机编号 Player ID", info.player_id,
                      "登记这块屏幕时，请把编号告诉管理员。\n"
                      "Tell the office this number to register this screen."});
  }
  return s;
}

namespace detail {
namespace {

struct PlacedText {
  text::Layout layout;
  int x = 0, y = 0;
  content::Rgba color = 0;
};

struct Plan {
  std::vector<PlacedText> texts;
  std::vector<std::pair<RectI, content::Rgba>> fills;
  int height = 0;
};

// Everything at `scale` times the full size, from y = 0; the caller moves it into place.
Plan plan(Canvas& c, const FirstBootScreen& screen, RectI area, bool portrait, float unit,
          float scale) {
  const content::Theme& theme = c.playlist.theme;
  const content::Rgba note_color = mix(theme.foreground, theme.muted, 0.35);
  const content::Rgba problem_color = mix(theme.alert_background, 0xffffffff, 0.55);
  const content::Rgba rule_color = mix(theme.background, theme.foreground, 0.15);
  const auto px = [&](float share) { return std::max(1, int(std::lround(unit * share * scale))); };
  Plan out;
  int y = 0;
  auto place = [&](std::string_view s, float width, TextStyle style, int x) {
    PlacedText t{lay_out_text(c, s, width, style), x, y, style.color};
    const int h = t.layout.lines.empty() ? 0 : extent(t.layout).height;
    out.texts.push_back(std::move(t));
    return h;
  };
  const float w = float(area.w);
  y += place(screen.heading, w,
             {unit * 0.058f * scale, theme.title_weight, theme.foreground, text::Wrap::balance}, 0);
  y += px(0.012f);
  y += place(screen.subheading, w, {unit * 0.034f * scale, 400, note_color}, 0);
  y += px(0.026f);
  out.fills.push_back({RectI{0, y, px(0.09f), std::max(3, px(0.007f))}, theme.accent});
  y += std::max(3, px(0.007f)) + px(0.03f);

  const int column_gap = px(0.03f);
  const int label_w = portrait ? area.w : int(float(area.w) * 0.24f);
  const int value_x = portrait ? 0 : label_w + column_gap;
  const float value_w = float(area.w - value_x);
  for (std::size_t i = 0; i < screen.rows.size(); ++i) {
    const FirstBootRow& row = screen.rows[i];
    if (i > 0) {
      y += px(0.022f);
      out.fills.push_back({RectI{0, y, area.w, std::max(1, px(0.002f))}, rule_color});
      y += px(0.022f);
    }
    const int top = y;
    int label_h = place(row.label, float(label_w),
                        {unit * 0.034f * scale, theme.title_weight, theme.accent}, 0);
    if (portrait) y += label_h + px(0.01f);
    y += place(row.value, value_w, {unit * 0.044f * scale, theme.title_weight, theme.foreground},
               value_x);
    y += px(0.008f);
    y += place(row.note, value_w,
               {unit * 0.028f * scale, 400, row.problem ? problem_color : note_color}, value_x);
    if (!portrait) y = std::max(y, top + label_h);
  }
  out.height = y;
  return out;
}

}  // namespace

void lay_out_first_boot(Canvas& c, const content::FirstBoot& info, RectI area, bool portrait,
                        float unit) {
  const FirstBootScreen screen = first_boot_screen(info);
  // Full size when it fits; else smaller, down to 60%, then cut at the bottom.
  float scale = 1;
  Plan p = plan(c, screen, area, portrait, unit, scale);
  while (p.height > area.h && scale > 0.6f) {
    scale *= 0.92f;
    p = plan(c, screen, area, portrait, unit, scale);
  }
  const int top = area.y + std::max(0, int(float(area.h - p.height) * 0.4f));
  for (const auto& [rect, color] : p.fills) {
    if (top + rect.y + rect.h > area.y + area.h) continue;
    add_fill(c, RectI{area.x + rect.x, top + rect.y, rect.w, rect.h}, color);
  }
  for (PlacedText& t : p.texts) {
    trim_lines(t.layout, float(area.y + area.h - (top + t.y)));
    draw_text(c, t.layout, area.x + t.x, top + t.y, t.color);
  }
}

}  // namespace detail
}  // namespace signage::scene
