// Cards, ticker and clock with the real text engine: every item type at 1920x1080 and 1080x1920
// keeps its text inside the card's content area, ticker tiles respect the texture limit and join
// without seams, the clock reads the ICU way. SIGNAGE_SCENE_PNG_DIR=DIR writes each composed
// frame as a PNG to look at.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "render/render.h"
#include "scene/draw.h"
#include "scene/scene.h"

namespace signage::scene {
namespace {

namespace fs = std::filesystem;
using content::Item;
using content::ItemType;
using content::Playlist;
using content::StatisticValue;

struct Worker {
  std::unique_ptr<text::TextEngine> engine;
  std::unique_ptr<text::GlyphCache> glyphs;
  std::map<fs::path, Picture> images;
};

Worker& worker() {
  static Worker w = [] {
    Worker w;
    std::string error;
    w.engine = text::TextEngine::create(fs::path(SIGNAGE_SOURCE_DIR) / "fonts", &error);
    if (!w.engine) ADD_FAILURE() << error;
    w.glyphs = std::make_unique<text::GlyphCache>(w.engine->fonts(), text::AtlasLimits{1024, 8});
    // A decoded "photo": a gradient with a circle, 800x500.
    text::RgbaImage photo(800, 500);
    for (int y = 0; y < photo.height; ++y) {
      for (int x = 0; x < photo.width; ++x) {
        auto* p = photo.at(x, y);
        bool disc = (x - 400) * (x - 400) + (y - 250) * (y - 250) < 150 * 150;
        p[0] = std::uint8_t(disc ? 240 : 40 + x / 5);
        p[1] = std::uint8_t(disc ? 200 : 90 + y / 4);
        p[2] = std::uint8_t(disc ? 60 : 140);
        p[3] = 255;
      }
    }
    w.images["/bundle/photo.png"] = to_picture(std::move(photo));
    return w;
  }();
  return w;
}

Preparer preparer(int max_texture_size = 2048) {
  Worker& w = worker();
  Preparer p{*w.engine, *w.glyphs, {}, max_texture_size};
  p.images = [](const fs::path& path) -> const Picture* {
    auto& images = worker().images;
    auto it = images.find(path);
    return it == images.end() ? nullptr : &it->second;
  };
  return p;
}

std::string seed_paragraphs(std::size_t max_bytes) {
  std::ifstream in(fs::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / "seed" / "hexi-2024.txt");
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  // Cut at a line end so no character is split.
  std::size_t cut = text.rfind('\n', max_bytes);
  return text.substr(0, cut == std::string::npos ? std::min(max_bytes, text.size()) : cut);
}

StatisticValue stat(std::string value, std::string unit, std::string label,
                    std::string comparison = "") {
  StatisticValue v;
  v.value = std::move(value);
  v.unit = std::move(unit);
  v.label = std::move(label);
  v.comparison = std::move(comparison);
  return v;
}

Playlist demo() {
  Playlist p;
  p.title = "河西街道 2024 年工作回顾";
  p.timezone = "Asia/Shanghai";
  p.ticker = content::Ticker{};
  p.ticker->items = {"河西街道召开2024年度工作总结会议", "全年服务群众690万余人次",
                     "新增就业岗位1.6万个，惠及28.5万人", "2025年十项重点任务发布"};
  auto add = [&](Item item) { p.items.push_back(std::move(item)); };
  Item h;
  h.id = "headline";
  h.title = "河西街道召开2024年度工作总结暨2025年工作部署会议";
  h.subtitle = "打造四个高地，推进十项重点任务";
  h.body =
      "会议指出，2024年以来，街道坚持以人民为中心的发展思想，服务群众690万余人次，"
      "民生实事项目全部完成，群众满意度持续提升。";
  add(h);
  Item hi = h;
  hi.id = "headline-image";
  hi.image = "/bundle/photo.png";
  add(hi);
  Item hm = hi;
  hm.id = "headline-missing-image";
  hm.image = "/bundle/missing.png";
  add(hm);
  Item s;
  s.id = "statistic";
  s.type = ItemType::statistic;
  s.statistics = {stat("690万余", "人次", "全年服务群众", "同比增长12.3%")};
  s.statistics[0].as_of = "截至 14:05";  // a live value (sync/feeds.h)
  add(s);
  Item ss;
  ss.id = "statistic-series";
  ss.type = ItemType::statistic;
  ss.title = "民生投入";
  auto money = stat("1.3", "亿元", "民生实事投入资金", "两位数增长");
  money.series = {{"2020", 0.62}, {"2021", 0.78}, {"2022", 0.9}, {"2023", 1.1}, {"2024", 1.3}};
  ss.statistics = {money};
  add(ss);
  std::vector<StatisticValue> six = {
      stat("690万余", "人次", "服务群众"),       stat("1.3", "亿元", "民生投入"),
      stat("37.7万", "户", "走访家庭", "+8.1%"), stat("1.6万", "个", "新增就业岗位"),
      stat("28.5万", "人", "惠及居民"),          stat("12,345", "次", "志愿服务", "两位数增长")};
  six[5].as_of = "截至 12月3日 09:30";
  for (int n : {2, 4, 6}) {
    Item g;
    g.id = "group-" + std::to_string(n);
    g.type = ItemType::statistic_group;
    g.title = "四个高地建设成效";
    g.statistics.assign(six.begin(), six.begin() + n);
    add(g);
  }
  Item n;
  n.id = "notice";
  n.type = ItemType::notice;
  n.title = "关于2025年重点工作的通知";
  n.body = seed_paragraphs(3000);
  add(n);
  Item ns = n;
  ns.id = "notice-short";
  ns.body = "本周六上午九点在社区服务中心举办义诊活动，欢迎居民参加。";
  add(ns);
  for (auto fit : {content::ImageFit::contain, content::ImageFit::cover}) {
    Item i;
    i.id = fit == content::ImageFit::contain ? "image-contain" : "image-cover";
    i.type = ItemType::image;
    i.fit = fit;
    i.title = "社区活动掠影";
    i.image = "/bundle/photo.png";
    add(i);
  }
  Item im;
  im.id = "image-missing";
  im.type = ItemType::image;
  im.image = "/bundle/gone.jpg";
  add(im);
  Item a;
  a.id = "alert";
  a.type = ItemType::alert;
  a.title = "寒潮蓝色预警";
  a.body =
      "受强冷空气影响，今天夜间到明天气温将下降8至10℃，请居民注意防寒保暖，"
      "老人和儿童减少外出。";
  add(a);
  return p;
}

bool inside(const RectI& inner, const RectI& outer) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
         inner.y + inner.h <= outer.y + outer.h;
}

std::string str(const RectI& r) {
  return std::to_string(r.x) + "," + std::to_string(r.y) + " " + std::to_string(r.w) + "x" +
         std::to_string(r.h);
}

// A software stand-in for the renderer: nearest-neighbour, alpha modulated, source over.
text::RgbaImage rasterize(const DrawList& list, Size screen) {
  text::RgbaImage out(screen.width, screen.height);
  for (int i = 0; i < screen.width * screen.height; ++i) {
    out.pixels[i * 4 + 0] = std::uint8_t(list.clear >> 24);
    out.pixels[i * 4 + 1] = std::uint8_t(list.clear >> 16);
    out.pixels[i * 4 + 2] = std::uint8_t(list.clear >> 8);
    out.pixels[i * 4 + 3] = 255;
  }
  for (const auto& cmd : list.commands) {
    int x0 = std::max(0, int(std::floor(cmd.target.x))),
        x1 = std::min(screen.width, int(std::ceil(cmd.target.x + cmd.target.w)));
    int y0 = std::max(0, int(std::floor(cmd.target.y))),
        y1 = std::min(screen.height, int(std::ceil(cmd.target.y + cmd.target.h)));
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        std::uint8_t c[4] = {std::uint8_t(cmd.color >> 24), std::uint8_t(cmd.color >> 16),
                             std::uint8_t(cmd.color >> 8), std::uint8_t(cmd.color)};
        unsigned a = c[3];
        if (cmd.kind == DrawCommand::Kind::image) {
          int sx = cmd.source.x + int((x - cmd.target.x) * cmd.source.w / cmd.target.w);
          int sy = cmd.source.y + int((y - cmd.target.y) * cmd.source.h / cmd.target.h);
          const auto* s = cmd.image->pixels.at(sx, sy);
          for (int k = 0; k < 3; ++k) c[k] = std::uint8_t(c[k] * s[k] / 255);
          a = a * s[3] / 255;
        }
        auto* d = out.at(x, y);
        for (int k = 0; k < 3; ++k) d[k] = std::uint8_t((c[k] * a + d[k] * (255 - a)) / 255);
      }
    }
  }
  return out;
}

void maybe_save(const PreparedCard& card, const PreparedTicker& ticker, const PreparedClock& clock,
                Size screen, const std::string& name) {
  const char* dir = std::getenv("SIGNAGE_SCENE_PNG_DIR");
  if (!dir || !*dir) return;
  DrawList list;
  FrameInputs in;
  in.screen = screen;
  in.current = &card;
  in.t = 10 * kSecond;  // count-ups finished
  in.frame = 600;
  in.ticker = &ticker;
  in.clock = &clock;
  compose(in, list);
  fs::create_directories(dir);
  std::string error = render::save_png(rasterize(list, screen), (fs::path(dir) / name).string());
  EXPECT_EQ(error, "");
}

class EveryCard : public ::testing::TestWithParam<Size> {};

TEST_P(EveryCard, TextStaysInsideTheContentArea) {
  const Size screen = GetParam();
  Playlist playlist = demo();
  Preparer p = preparer();
  const Zones z = zones_for(playlist, screen);
  const RectI screen_rect{0, 0, screen.width, screen.height};
  ASSERT_TRUE(inside(z.content, screen_rect));
  ASSERT_GT(z.ticker.h, 0);
  EXPECT_LE(z.content.y + z.content.h, z.ticker.y);  // nothing under the ticker band
  PreparedTicker ticker = prepare_ticker(p, playlist, screen);
  PreparedClock clock = prepare_clock(p, playlist, 1795759500 / 60, screen);
  const std::string orientation = screen.width > screen.height ? "landscape" : "portrait";
  for (std::size_t i = 0; i <= playlist.items.size(); ++i) {
    std::optional<std::size_t> which;
    if (i < playlist.items.size()) which = i;
    const std::string name = which ? playlist.items[i].id : "fallback";
    SCOPED_TRACE(name + " " + orientation);
    PreparedCard card = prepare_card(p, playlist, which, screen);
    ASSERT_FALSE(card.tiles.empty());
    // Tiles and background rectangles cover the screen exactly once, and the tiles are less
    // than the whole screen (the background is not kept as pixels).
    std::vector<int> cover(std::size_t(screen.width) * std::size_t(screen.height), 0);
    auto paint = [&](RectI r) {
      ASSERT_TRUE(inside(r, screen_rect)) << str(r);
      for (int y = r.y; y < r.y + r.h; ++y) {
        for (int x = r.x; x < r.x + r.w; ++x) ++cover[std::size_t(y) * screen.width + x];
      }
    };
    long tile_area = 0;
    for (const auto& tile : card.tiles) {
      const auto& px = tile.image->pixels;
      paint(RectI{tile.x, tile.y, px.width, px.height});
      tile_area += long(px.width) * px.height;
    }
    for (const RectI& r : card.background_rects) paint(r);
    for (const auto& solid : card.solid_blocks) paint(solid.rect);
    EXPECT_EQ(std::count(cover.begin(), cover.end(), 1), long(cover.size()));
    EXPECT_LT(tile_area, long(screen.width) * screen.height);
    EXPECT_FALSE(card.text_boxes.empty());
    EXPECT_EQ(card.missing_glyphs, 0);
    for (const auto& box : card.text_boxes) {
      EXPECT_GT(box.w, 0);
      EXPECT_TRUE(inside(box, z.content)) << str(box) << " outside " << str(z.content);
    }
    // The clock and the card's text do not overlap.
    const auto& cp = clock.image->pixels;
    RectI clock_box{clock.x, clock.y, cp.width, cp.height};
    EXPECT_TRUE(inside(clock_box, screen_rect));
    EXPECT_LE(clock_box.y + clock_box.h, z.content.y);
    for (const auto& counter : card.counters) {
      EXPECT_LE(counter.right, z.content.x + z.content.w);
      EXPECT_GE(counter.top, z.content.y);
    }
    maybe_save(card, ticker, clock, screen, orientation + "-" + name + ".png");
  }
}

INSTANTIATE_TEST_SUITE_P(Scene, EveryCard,
                         ::testing::Values(Size{1920, 1080}, Size{1080, 1920}, Size{1280, 720}),
                         [](const auto& info) {
                           return std::to_string(info.param.width) + "x" +
                                  std::to_string(info.param.height);
                         });

// The demo bundle, parsed by the content module: every item fits at both orientations.
TEST(Cards, DemoBundleFitsInBothOrientations) {
  auto parsed = content::load_playlist(fs::path(SIGNAGE_SOURCE_DIR) / "playlists" / "hexi-2024");
  ASSERT_TRUE(parsed.playlist) << (parsed.diagnostics.empty()
                                       ? std::string("no playlist")
                                       : content::format_diagnostic(parsed.diagnostics[0]));
  const Playlist& playlist = *parsed.playlist;
  ASSERT_GE(playlist.items.size(), 10u);
  Preparer p = preparer();
  for (Size screen : {Size{1920, 1080}, Size{1080, 1920}}) {
    const Zones z = zones_for(playlist, screen);
    for (std::size_t i = 0; i < playlist.items.size(); ++i) {
      SCOPED_TRACE(playlist.items[i].id + " " + std::to_string(screen.width));
      PreparedCard card = prepare_card(p, playlist, i, screen);
      EXPECT_FALSE(card.text_boxes.empty());
      EXPECT_EQ(card.missing_glyphs, 0);
      for (const auto& box : card.text_boxes) {
        EXPECT_TRUE(inside(box, z.content)) << str(box) << " outside " << str(z.content);
      }
      const char* dir = std::getenv("SIGNAGE_SCENE_PNG_DIR");
      if (dir && *dir && screen.width > screen.height) {
        PreparedTicker ticker = prepare_ticker(p, playlist, screen);
        PreparedClock clock = prepare_clock(p, playlist, 1795759500 / 60, screen);
        maybe_save(card, ticker, clock, screen, "demo-" + playlist.items[i].id + ".png");
      }
    }
  }
}

TEST(Cards, StatisticsGetCountersForTheirNumbers) {
  Playlist playlist = demo();
  Preparer p = preparer();
  auto find = [&](const std::string& id) {
    for (std::size_t i = 0; i < playlist.items.size(); ++i) {
      if (playlist.items[i].id == id) return i;
    }
    return std::size_t(0);
  };
  PreparedCard one = prepare_card(p, playlist, find("statistic"), Size{});
  ASSERT_EQ(one.counters.size(), 1u);
  EXPECT_EQ(one.counters[0].target, 690);
  EXPECT_EQ(one.counters[0].decimals, 0);
  // Tabular digits: every digit cell is equally wide.
  for (int d = 0; d < 10; ++d) EXPECT_EQ(one.counters[0].glyph_w[d], one.counters[0].glyph_width);
  PreparedCard six = prepare_card(p, playlist, find("group-6"), Size{});
  ASSERT_EQ(six.counters.size(), 6u);
  EXPECT_EQ(six.counters[1].target, 1.3);
  EXPECT_EQ(six.counters[1].decimals, 1);
  EXPECT_EQ(six.counters[5].target, 12345);
  EXPECT_TRUE(six.counters[5].grouping);
  // The group's values have one size: its counters draw from one set of glyph images.
  ASSERT_EQ(six.counters[0].glyphs.size(), std::size_t(kCounterGlyphCount));
  for (const Counter& c : six.counters) EXPECT_EQ(c.glyphs, six.counters[0].glyphs);
  EXPECT_NE(one.counters[0].glyphs, six.counters[0].glyphs);
}

TEST(Cards, ALongNoticeShrinksToFitAndAShortOneStaysLarge) {
  Playlist playlist = demo();
  Preparer p = preparer();
  std::size_t long_index = 0, short_index = 0;
  for (std::size_t i = 0; i < playlist.items.size(); ++i) {
    if (playlist.items[i].id == "notice") long_index = i;
    if (playlist.items[i].id == "notice-short") short_index = i;
  }
  PreparedCard l = prepare_card(p, playlist, long_index, Size{});
  PreparedCard s = prepare_card(p, playlist, short_index, Size{});
  ASSERT_EQ(l.text_boxes.size(), 2u);  // title and body
  ASSERT_EQ(s.text_boxes.size(), 2u);
  // The long one fills the space below its title...
  const Zones z = zones_for(playlist, Size{});
  EXPECT_GT(l.text_boxes[1].h, z.content.h / 2);
  EXPECT_GT(l.text_boxes[1].y + l.text_boxes[1].h, z.content.y + z.content.h * 3 / 4);
  // ...the short one (two lines) stays large: above 1.4 times the theme's body size a line.
  const int short_lines = s.text_boxes[1].h;
  EXPECT_GT(short_lines, int(2 * 1.4 * playlist.theme.body_size * 1080));
}

TEST(Ticker, TilesRespectTheLimitAndJoinWithoutSeams) {
  Playlist playlist = demo();
  const Size screen{1920, 1080};
  Preparer wide = preparer(2048), narrow = preparer(128);
  PreparedTicker a = prepare_ticker(wide, playlist, screen);
  PreparedTicker b = prepare_ticker(narrow, playlist, screen);
  ASSERT_GT(a.loop_width, 2048);  // long enough to need many tiles
  EXPECT_EQ(a.loop_width, b.loop_width);
  for (const PreparedTicker* t : {&a, &b}) {
    const int limit = t == &a ? 2048 : 128;
    int x = 0;
    for (std::size_t i = 0; i < t->tiles.size(); ++i) {
      EXPECT_LE(t->tiles[i]->pixels.width, limit);
      EXPECT_EQ(t->tiles[i]->pixels.height, t->tiles[0]->pixels.height);
      EXPECT_LE(t->tile_y + t->tiles[i]->pixels.height, t->band_height);
      EXPECT_EQ(t->tile_x[i], x);
      x += t->tiles[i]->pixels.width;
    }
    EXPECT_EQ(x, t->loop_width);
  }
  EXPECT_GT(b.tiles.size(), a.tiles.size());
  // The same pixels whatever the tiling: glyphs cut by a tile edge are drawn in both halves.
  auto pixel = [](const PreparedTicker& t, int x, int y) -> const std::uint8_t* {
    for (std::size_t i = 0; i < t.tiles.size(); ++i) {
      int local = x - t.tile_x[i];
      if (local >= 0 && local < t.tiles[i]->pixels.width) return t.tiles[i]->pixels.at(local, y);
    }
    return static_cast<const std::uint8_t*>(nullptr);
  };
  int differing = 0, inked = 0;
  for (int x = 0; x < a.loop_width; ++x) {
    for (int y = 0; y < a.tiles[0]->pixels.height; ++y) {
      const auto* pa = pixel(a, x, y);
      const auto* pb = pixel(b, x, y);
      if (!std::equal(pa, pa + 4, pb)) ++differing;
      if (pa[0] > 128) ++inked;
    }
  }
  EXPECT_EQ(differing, 0);
  EXPECT_GT(inked, a.loop_width);  // there is text in it
  EXPECT_EQ(a.band_y + a.band_height, screen.height);
  playlist.ticker->top = true;
  EXPECT_EQ(prepare_ticker(wide, playlist, screen).band_y, 0);
  playlist.ticker.reset();
  EXPECT_TRUE(prepare_ticker(wide, playlist, screen).tiles.empty());
}

// What a frame's ticker draws, comparable between tickers made of different Image objects: each
// command with its tile's place in the loop instead of the image (sorted: tiles never overlap).
struct TickerCommand {
  DrawCommand::Kind kind;
  float x, y, w, h;
  int source_x, source_y, source_w, source_h;
  content::Rgba color;
  int tile_x;  // -1 for a fill
  bool operator==(const TickerCommand&) const = default;
};
std::vector<TickerCommand> ticker_commands(const PreparedTicker& t, std::int64_t frame,
                                           std::int64_t step, Size screen) {
  FrameInputs in;
  in.screen = screen;
  in.frame = frame;
  in.ticker = &t;
  in.ticker_step_px = step;
  DrawList list;
  compose(in, list);
  std::vector<TickerCommand> out;
  for (const DrawCommand& c : list.commands) {
    int tile_x = -1;
    for (std::size_t i = 0; i < t.tiles.size(); ++i) {
      if (c.image == t.tiles[i].get()) tile_x = t.tile_x[i];
    }
    EXPECT_TRUE(c.kind == DrawCommand::Kind::fill || tile_x >= 0);
    out.push_back({c.kind, c.target.x, c.target.y, c.target.w, c.target.h, c.source.x, c.source.y,
                   c.source.w, c.source.h, c.color, tile_x});
  }
  // Fills (band, accent) first in their order, then the tiles left to right.
  std::stable_sort(out.begin(), out.end(), [](const TickerCommand& a, const TickerCommand& b) {
    const bool a_image = a.kind == DrawCommand::Kind::image;
    const bool b_image = b.kind == DrawCommand::Kind::image;
    if (a_image != b_image) return !a_image;
    return a_image && a.x < b.x;
  });
  return out;
}

// The band drawn from windows of tiles kept ahead of its motion (as the player's worker keeps
// them) is the band drawn from the whole loop: the same commands, from tiles with the same
// pixels, at the start, across the loop's wrap and after 30 days; a new window shares the tiles
// it keeps with the one before, and holds far fewer tiles than the loop.
TEST(Ticker, WindowsAheadOfTheBandDrawWhatTheWholeLoopDraws) {
  Playlist playlist = demo();
  std::vector<std::string> items;  // a long loop: the demo's headlines four times over
  for (int i = 0; i < 4; ++i) {
    for (const auto& h : playlist.ticker->items) items.push_back(std::to_string(i + 1) + ". " + h);
  }
  playlist.ticker->items = items;
  const std::int64_t step = 7;
  const std::int64_t thirty_days = std::int64_t(30) * 86400 * 60;
  for (const Size screen : {Size{1280, 720}, Size{720, 1280}}) {
    for (const int limit : {2048, 128}) {
      Preparer p = preparer(limit);
      const PreparedTicker whole = prepare_ticker(p, playlist, screen);
      const TickerText text = lay_out_ticker(p, playlist, screen);
      ASSERT_EQ(text.band.loop_width, whole.loop_width);
      ASSERT_GT(whole.loop_width, 4 * screen.width);
      const int tile_width = whole.tiles[0]->pixels.width;
      // Wider than the loop: the whole loop, whatever the start.
      const PreparedTicker all = ticker_window(p, text, 12345, whole.loop_width + 1);
      EXPECT_EQ(all.tiles.size(), whole.tiles.size());
      EXPECT_TRUE(ticker_covers(all, 777, whole.loop_width));

      const std::int64_t near_wrap = (whole.loop_width - screen.width) / step;
      for (const std::int64_t start : {std::int64_t(0), near_wrap, thirty_days}) {
        SCOPED_TRACE(std::to_string(screen.width) + "x" + std::to_string(screen.height) +
                     " limit " + std::to_string(limit) + " from frame " + std::to_string(start));
        const std::int64_t ahead = 40 * step + screen.width;
        std::optional<PreparedTicker> window;
        int windows = 0;
        std::size_t most_tiles = 0;
        for (std::int64_t f = start; f < start + 2 * whole.loop_width / step; f += 3) {
          const std::int64_t offset = ticker_offset(f, step, whole.loop_width);
          if (!window || !ticker_covers(*window, offset, screen.width + ahead / 2)) {
            PreparedTicker next =
                ticker_window(p, text, offset, screen.width + ahead, window ? &*window : nullptr);
            int shared = 0;
            for (std::size_t i = 0; i < next.tiles.size(); ++i) {
              const Image& tile = *next.tiles[i];
              const Image& same = *whole.tiles[std::size_t(next.tile_x[i] / tile_width)];
              ASSERT_EQ(tile.pixels.width, same.pixels.width);
              ASSERT_EQ(tile.pixels.pixels, same.pixels.pixels) << "tile at " << next.tile_x[i];
              if (window) {
                for (const auto& kept : window->tiles) shared += kept == next.tiles[i];
              }
            }
            if (window) {
              EXPECT_GT(shared, 0);
            }
            window = std::move(next);
            ++windows;
          }
          most_tiles = std::max(most_tiles, window->tiles.size());
          ASSERT_TRUE(ticker_covers(*window, offset, screen.width)) << "frame " << f;
          ASSERT_EQ(ticker_commands(*window, f, step, screen),
                    ticker_commands(whole, f, step, screen))
              << "frame " << f;
        }
        EXPECT_GT(windows, 8);
        EXPECT_LT(most_tiles * 2, whole.tiles.size());
      }
    }
  }
}

TEST(Clock, IcuDateWeekdayAndTimeInTheZone) {
  constexpr std::int64_t kFriday1405Shanghai = 1795759500;  // 2026-11-27T14:05:00+08:00
  EXPECT_EQ(clock_text(kFriday1405Shanghai, "Asia/Shanghai", "zh-Hans"),
            "2026年11月27日 星期五 14:05");
  EXPECT_EQ(clock_text(kFriday1405Shanghai, "Europe/Berlin", "zh-Hans"),
            "2026年11月27日 星期五 07:05");
  EXPECT_EQ(clock_text(kFriday1405Shanghai - 15 * 3600, "Asia/Shanghai", "zh-Hans"),
            "2026年11月26日 星期四 23:05");
  std::string en = clock_text(kFriday1405Shanghai, "Asia/Shanghai", "en");
  EXPECT_NE(en.find("Friday"), std::string::npos) << en;
  EXPECT_NE(en.find("14:05"), std::string::npos) << en;
}

// A fade between two cards on one background skips blending background over background; the
// frame must match blending the whole cards (as drawn before cards were cut into blocks) to
// within one step of rounding.
TEST(Cards, AFadeOnOneBackgroundMatchesBlendingTheWholeCards) {
  Playlist playlist = demo();
  Preparer p = preparer();
  const Size screen{960, 540};
  std::size_t statistic = 0;
  for (std::size_t i = 0; i < playlist.items.size(); ++i) {
    if (playlist.items[i].id == "statistic") statistic = i;
  }
  PreparedCard from = prepare_card(p, playlist, statistic, screen);  // with a counter
  PreparedCard to = prepare_card(p, playlist, std::size_t(0), screen);
  ASSERT_FALSE(from.counters.empty());
  PreparedCard whole_from = from, whole_to = to;
  whole_from.block_width = whole_to.block_width = 0;  // not on one grid: blend everything
  auto frame = [&](const PreparedCard& a, const PreparedCard& b) {
    FrameInputs in;
    in.screen = screen;
    in.previous = &a;
    in.current = &b;
    in.current_start = 0;
    in.t = in.transition_length / 2;
    in.background = playlist.theme.background;
    DrawList list;
    compose(in, list);
    render::RendererOptions ro;
    ro.output = render::Output::headless;
    ro.size = screen;
    std::string error;
    auto r = render::Renderer::open(ro, &error);
    EXPECT_TRUE(r) << error;
    r->draw(list);
    return std::make_pair(r->read_frame(), list.commands.size());
  };
  auto [fast, fast_commands] = frame(from, to);
  auto [slow, slow_commands] = frame(whole_from, whole_to);
  EXPECT_NE(fast_commands, slow_commands);  // the two ways were taken
  ASSERT_EQ(fast.pixels.size(), slow.pixels.size());
  int worst = 0;
  for (std::size_t i = 0; i < fast.pixels.size(); ++i) {
    worst = std::max(worst, std::abs(int(fast.pixels[i]) - int(slow.pixels[i])));
  }
  EXPECT_LE(worst, 1);
}

// Where a picture goes in its box: contain shows it whole and centred; cover fills the box, the
// focus point as near the middle as the picture allows, never leaving an edge uncovered.
TEST(Cards, FitPictureContainsOrCoversAroundTheFocus) {
  Picture wide;
  wide.width = 400;
  wide.height = 100;
  const RectI box{10, 20, 200, 200};
  auto at = [&](content::ImageFit fit, double fx, double fy) {
    RectF r = detail::fit_picture(wide, box, fit, fx, fy);
    return std::vector<float>{r.x, r.y, r.w, r.h};
  };
  using content::ImageFit;
  EXPECT_EQ(at(ImageFit::contain, 0, 1), (std::vector<float>{10, 95, 200, 50}));
  EXPECT_EQ(at(ImageFit::cover, 0.5, 0.5), (std::vector<float>{-290, 20, 800, 200}));
  EXPECT_EQ(at(ImageFit::cover, 0, 0.5), (std::vector<float>{10, 20, 800, 200}));
  EXPECT_EQ(at(ImageFit::cover, 1, 0.5), (std::vector<float>{-590, 20, 800, 200}));
  EXPECT_EQ(at(ImageFit::cover, 0.25, 0), (std::vector<float>{-90, 20, 800, 200}));
}

// A headline's picture is cropped (cover, the default) around its focus point: a wide picture,
// red on its left third, green in the middle, blue on its right third, shows the part its focus
// names in the middle of its box; "contain" shows it whole.
TEST(Cards, HeadlinePicturesKeepTheirFocusInView) {
  text::RgbaImage wide(900, 200);
  for (int y = 0; y < wide.height; ++y) {
    for (int x = 0; x < wide.width; ++x) {
      auto* p = wide.at(x, y);
      p[0] = x < 300 ? 230 : 20, p[1] = x >= 300 && x < 600 ? 200 : 20, p[2] = x >= 600 ? 230 : 20;
      p[3] = 255;
    }
  }
  worker().images["/bundle/wide.png"] = to_picture(std::move(wide));
  Playlist playlist = demo();
  Item headline = playlist.items[1];
  ASSERT_EQ(headline.id, "headline-image");
  headline.image = "/bundle/wide.png";
  const Size screen{1920, 1080};
  const Zones z = zones_for(playlist, screen);
  // Landscape: the picture takes the right 44% of the content area.
  const int right = z.content.x + z.content.w * 56 / 100;
  auto pixel = [&](std::optional<content::ImageFit> fit, double fx, int x, int y) {
    playlist.items = {headline};
    playlist.items[0].fit = fit;
    playlist.items[0].focus_x = fx;
    Preparer p = preparer();
    PreparedCard card = prepare_card(p, playlist, std::size_t(0), screen);
    FrameInputs in;
    in.screen = screen;
    in.current = &card;
    in.t = 10 * kSecond;
    DrawList list;
    compose(in, list);
    const text::RgbaImage frame = rasterize(list, screen);
    const std::uint8_t* c = frame.at(x, y);
    return std::vector<int>{c[0], c[1], c[2]};
  };
  const int mid_x = (right + z.content.x + z.content.w) / 2, mid_y = z.content.y + z.content.h / 2;
  const std::vector<int> red{230, 20, 20}, green{20, 200, 20}, blue{20, 20, 230};
  EXPECT_EQ(pixel(std::nullopt, 0.5, mid_x, mid_y), green);
  EXPECT_EQ(pixel(std::nullopt, 0.0, mid_x, mid_y), red);
  EXPECT_EQ(pixel(std::nullopt, 1.0, mid_x, mid_y), blue);
  EXPECT_EQ(pixel(content::ImageFit::cover, 0.0, mid_x, mid_y), red);
  // Contained, the whole picture is a band across the box: red at its left, blue at its right.
  EXPECT_EQ(pixel(content::ImageFit::contain, 0.0, right + 8, mid_y), red);
  EXPECT_EQ(pixel(content::ImageFit::contain, 0.0, z.content.x + z.content.w - 8, mid_y), blue);
}

// The renderer caches textures by Image::id. Two preparers (two workers, or two players on one
// renderer as tests/bench/player_bench runs them) never hand out the same id, so a card drawn
// after another preparer's card shows its own pixels, not the other's cached texture.
TEST(Cards, TwoPreparersNeverShareImageIdsOnOneRenderer) {
  Playlist playlist = demo();
  const Size screen{960, 540};
  Preparer first = preparer(), second = preparer();
  PreparedCard a = prepare_card(first, playlist, std::size_t(0), screen);
  PreparedCard b = prepare_card(second, playlist, std::size_t(3), screen);
  std::set<std::uint64_t> ids;
  for (const PreparedCard* card : {&a, &b}) {
    for (const CardTile& tile : card->tiles) EXPECT_TRUE(ids.insert(tile.image->id).second);
    for (const Counter& counter : card->counters) {
      for (const auto& glyph : counter.glyphs) {
        if (glyph) EXPECT_TRUE(ids.insert(glyph->id).second);
      }
    }
  }
  auto draw = [&](std::vector<const PreparedCard*> cards) {
    render::RendererOptions ro;
    ro.output = render::Output::headless;
    ro.size = screen;
    std::string error;
    auto r = render::Renderer::open(ro, &error);
    EXPECT_TRUE(r) << error;
    for (const PreparedCard* card : cards) {
      FrameInputs in;
      in.screen = screen;
      in.current = card;
      in.t = 10 * kSecond;
      in.background = playlist.theme.background;
      DrawList list;
      compose(in, list);
      r->draw(list);
    }
    return r->read_frame();
  };
  const text::RgbaImage shared = draw({&a, &b}), alone = draw({&b});
  int differing = 0;
  for (int y = 0; y < screen.height; ++y) {
    for (int x = 0; x < screen.width; ++x) {
      differing += std::memcmp(shared.at(x, y), alone.at(x, y), 4) != 0;
    }
  }
  EXPECT_EQ(differing, 0);
}

// Cards are drawn one block row at a time. Drawing a whole card at once must give the same
// card to the pixel: text, bars and pictures crossing strip edges, screens whose height is not a
// multiple of the block height, and small texture limits (smaller blocks).
// The card's pixels: background, solid blocks and tiles (what compose draws at rest).
text::RgbaImage card_pixels(const PreparedCard& card, Size screen) {
  text::RgbaImage out(screen.width, screen.height);
  auto fill = [&](RectI r, content::Rgba c) {
    for (int y = r.y; y < r.y + r.h; ++y) {
      for (int x = r.x; x < r.x + r.w; ++x) {
        auto* d = out.at(x, y);
        d[0] = std::uint8_t(c >> 24), d[1] = std::uint8_t(c >> 16), d[2] = std::uint8_t(c >> 8);
        d[3] = 255;
      }
    }
  };
  fill(RectI{0, 0, screen.width, screen.height}, card.background);
  for (const auto& solid : card.solid_blocks) fill(solid.rect, solid.color);
  for (const auto& tile : card.tiles) {
    const auto& px = tile.image->pixels;
    for (int y = 0; y < px.height; ++y)
      std::copy_n(px.at(0, y), px.width * 4, out.at(tile.x, y + tile.y));
  }
  return out;
}

// The first column from `from` whose pixels in rows [top, bottom) differ from `background`.
int first_ink_column(const text::RgbaImage& image, int from, int top, int bottom,
                     content::Rgba background) {
  for (int x = from; x < image.width; ++x) {
    for (int y = top; y < bottom; ++y) {
      const auto* p = image.at(x, y);
      if (std::abs(int(p[0]) - int(background >> 24)) > 64 ||
          std::abs(int(p[1]) - int((background >> 16) & 0xff)) > 64 ||
          std::abs(int(p[2]) - int((background >> 8) & 0xff)) > 64) {
        return x;
      }
    }
  }
  return -1;
}

// clreq: a line-start opening quote loses its blank half on cards, so a title that starts with
// one aligns with its accent bar like any other: its ink starts at the line's left edge.
TEST(Cards, ATitleStartingWithAQuoteStartsAtTheLineEdge) {
  Preparer p = preparer();
  for (Size screen : {Size{1920, 1080}, Size{1080, 1920}}) {
    for (std::string title :
         {"“邻里节”志愿者招募", "《河西街道志愿服务条例》解读", "邻里节志愿者招募"}) {
      SCOPED_TRACE(title + " " + std::to_string(screen.width) + "x" +
                   std::to_string(screen.height));
      Playlist playlist;
      Item notice;
      notice.type = ItemType::notice;
      notice.title = title;
      notice.body = "本周六上午九点，社区服务中心。";
      playlist.items.push_back(notice);
      PreparedCard card = prepare_card(p, playlist, std::size_t(0), screen);
      ASSERT_GE(card.text_boxes.size(), 1u);
      const RectI box = card.text_boxes[0];  // the title, right of the bar
      text::RgbaImage pixels = card_pixels(card, screen);
      const int ink = first_ink_column(pixels, box.x - 8, box.y, box.y + box.h, card.background);
      EXPECT_GE(ink, box.x - 1);
      EXPECT_LE(ink, box.x + 2) << "the first glyph's ink starts " << ink - box.x
                                << " px right of the line's edge";
    }
  }
}

// A title far too long for its card shrinks to the minimum title size, then ends with "……" at
// a break opportunity; text_overflows (what `check` reports) says how much of it shows.
TEST(Cards, ATooLongTitleEndsWithAnEllipsisAndIsReported) {
  Preparer p = preparer();
  Playlist playlist;
  Item headline;
  headline.title = seed_paragraphs(6000);
  headline.title.erase(std::remove(headline.title.begin(), headline.title.end(), '\n'),
                       headline.title.end());
  headline.body = "本周六上午九点。";
  playlist.items.push_back(headline);
  for (Size screen : {Size{1920, 1080}, Size{1080, 1920}}) {
    auto overflows = text_overflows(p, playlist, std::size_t(0), screen);
    ASSERT_EQ(overflows.size(), 1u);
    EXPECT_EQ(overflows[0].pointer, "/items/0/title");
    EXPECT_GT(overflows[0].shown_characters, 50u);
    EXPECT_LT(overflows[0].shown_characters, overflows[0].characters / 4);
    // What is drawn: the last line of the title ends with the ellipsis.
    detail::Canvas canvas{p, playlist, {}, {}, 0};
    const Zones z = zones_for(playlist, screen);
    text::Layout title = detail::fit_text(canvas, headline.title, float(z.content.w) * 0.5f,
                                          float(z.content.h) * 0.45f, {z.unit * 0.086f, 700},
                                          z.unit * 0.04f, "/items/0/title");
    ASSERT_FALSE(title.lines.empty());
    const text::Line& last = title.lines.back();
    std::string end = title.text.substr(last.begin, last.end - last.begin);
    EXPECT_EQ(end.substr(end.size() - 6), "……") << end;
    EXPECT_FLOAT_EQ(title.options.font_size, z.unit * 0.04f);
  }
  // A title that fits is not reported.
  playlist.items[0].title = "“邻里节”志愿者招募";
  EXPECT_TRUE(text_overflows(p, playlist, std::size_t(0), Size{1920, 1080}).empty());
}

TEST(Cards, StripsGiveTheSameCardAsDrawingItWhole) {
  Playlist playlist = demo();
  int crossing = 0;  // text boxes crossing a strip edge: the test must see some
  for (Size screen : {Size{1920, 1080}, Size{1080, 1920}, Size{1000, 777}}) {
    for (int max_texture : {2048, 100}) {
      Preparer strips = preparer(max_texture);
      Preparer whole = preparer(max_texture);
      whole.card_strip_blocks = 1000;
      for (std::size_t i = 0; i <= playlist.items.size(); ++i) {
        std::optional<std::size_t> which;
        if (i < playlist.items.size()) which = i;
        SCOPED_TRACE((which ? playlist.items[i].id : std::string("fallback")) + " " +
                     std::to_string(screen.width) + "x" + std::to_string(screen.height) +
                     " limit " + std::to_string(max_texture));
        PreparedCard a = prepare_card(strips, playlist, which, screen);
        PreparedCard b = prepare_card(whole, playlist, which, screen);
        ASSERT_EQ(a.block_height, b.block_height);
        ASSERT_EQ(a.tiles.size(), b.tiles.size());
        for (std::size_t t = 0; t < a.tiles.size(); ++t) {
          EXPECT_EQ(a.tiles[t].x, b.tiles[t].x);
          EXPECT_EQ(a.tiles[t].y, b.tiles[t].y);
          const auto &pa = a.tiles[t].image->pixels, &pb = b.tiles[t].image->pixels;
          EXPECT_EQ(pa.width, pb.width);
          EXPECT_EQ(pa.height, pb.height);
          EXPECT_TRUE(pa.pixels == pb.pixels) << "tile at " << a.tiles[t].x << "," << a.tiles[t].y;
        }
        ASSERT_EQ(a.background_rects.size(), b.background_rects.size());
        for (std::size_t r = 0; r < a.background_rects.size(); ++r) {
          EXPECT_EQ(str(a.background_rects[r]), str(b.background_rects[r]));
        }
        ASSERT_EQ(a.solid_blocks.size(), b.solid_blocks.size());
        for (std::size_t r = 0; r < a.solid_blocks.size(); ++r) {
          EXPECT_EQ(str(a.solid_blocks[r].rect), str(b.solid_blocks[r].rect));
          EXPECT_EQ(a.solid_blocks[r].color, b.solid_blocks[r].color);
        }
        ASSERT_EQ(a.text_boxes.size(), b.text_boxes.size());
        for (std::size_t r = 0; r < a.text_boxes.size(); ++r) {
          EXPECT_EQ(str(a.text_boxes[r]), str(b.text_boxes[r]));
          const RectI& box = a.text_boxes[r];
          if (box.y / a.block_height != (box.y + box.h - 1) / a.block_height) ++crossing;
        }
        ASSERT_EQ(a.counters.size(), b.counters.size());
        for (std::size_t c = 0; c < a.counters.size(); ++c) {
          EXPECT_EQ(a.counters[c].right, b.counters[c].right);
          EXPECT_EQ(a.counters[c].top, b.counters[c].top);
        }
      }
    }
  }
  EXPECT_GT(crossing, 20);
}

}  // namespace
}  // namespace signage::scene

namespace signage::scene {
namespace {

// A notice's (and an alert's) body starts at its title's left edge (after the accent bar), not
// under the bar.
TEST(Cards, ANoticeBodyStartsWhereItsTitleStarts) {
  Playlist playlist = demo();
  Preparer p = preparer();
  int checked = 0;
  for (Size screen : {Size{1920, 1080}, Size{1080, 1920}}) {
    for (std::size_t i = 0; i < playlist.items.size(); ++i) {
      const ItemType type = playlist.items[i].type;
      if (type != ItemType::notice && type != ItemType::alert) continue;
      SCOPED_TRACE(playlist.items[i].id + " " + std::to_string(screen.width));
      PreparedCard card = prepare_card(p, playlist, i, screen);
      // Title, then body; an alert has its label first.
      const std::size_t first = type == ItemType::alert ? 1 : 0;
      ASSERT_EQ(card.text_boxes.size(), first + 2);
      EXPECT_EQ(card.text_boxes[first + 1].x, card.text_boxes[first].x);
      ++checked;
      EXPECT_GT(card.text_boxes[first].x, zones_for(playlist, screen).content.x);  // after the bar
    }
  }
  EXPECT_EQ(checked, 6);  // two notices and an alert, in two orientations
}

// The theme's logo: on every card type and the fallback screen, inside its top-left corner box
// with its proportions kept, above the content and clear of the clock and the ticker; in
// landscape and portrait.
TEST(Cards, TheLogoIsDrawnInItsCornerOnEveryCard) {
  constexpr int kLogoW = 300, kLogoH = 100;  // 3:1, one colour no card otherwise uses
  if (!worker().images.count("/bundle/logo.png")) {
    text::RgbaImage logo(kLogoW, kLogoH);
    for (std::size_t i = 0; i < logo.pixels.size(); i += 4) {
      logo.pixels[i] = 255, logo.pixels[i + 1] = 0, logo.pixels[i + 2] = 255;
      logo.pixels[i + 3] = 255;
    }
    worker().images["/bundle/logo.png"] = to_picture(std::move(logo));
  }
  Playlist playlist = demo();
  playlist.theme.logo = "/bundle/logo.png";
  Preparer p = preparer();
  std::vector<std::optional<std::size_t>> cards = {std::nullopt};
  std::set<ItemType> types;
  for (std::size_t i = 0; i < playlist.items.size(); ++i) {
    cards.push_back(i);
    types.insert(playlist.items[i].type);
  }
  ASSERT_EQ(types.size(), 6u);  // every item type
  for (Size screen : {Size{1920, 1080}, Size{1080, 1920}}) {
    const Zones z = zones_for(playlist, screen);
    ASSERT_GT(z.logo.h, 0);
    EXPECT_LE(z.logo.y + z.logo.h, z.content.y);
    EXPECT_TRUE(z.ticker.h == 0 || z.logo.y + z.logo.h <= z.ticker.y);
    PreparedClock clock = prepare_clock(p, playlist, 29000000, screen);
    ASSERT_TRUE(clock.image);
    EXPECT_LE(z.logo.x + z.logo.w, clock.x) << "the logo's box reaches under the clock";
    for (const auto& card_item : cards) {
      SCOPED_TRACE(std::to_string(screen.width) + "x" + std::to_string(screen.height) + " " +
                   (card_item ? playlist.items[*card_item].id : std::string("fallback")));
      PreparedCard card = prepare_card(p, playlist, card_item, screen);
      text::RgbaImage pixels = card_pixels(card, screen);
      int left = screen.width, right = -1, top = screen.height, bottom = -1;
      for (int y = 0; y < screen.height; ++y) {
        for (int x = 0; x < screen.width; ++x) {
          const auto* px = pixels.at(x, y);
          if (px[0] != 255 || px[1] != 0 || px[2] != 255) continue;
          left = std::min(left, x), right = std::max(right, x);
          top = std::min(top, y), bottom = std::max(bottom, y);
        }
      }
      ASSERT_GE(right, 0) << "no logo";
      EXPECT_TRUE(inside(RectI{left, top, right - left + 1, bottom - top + 1}, z.logo))
          << str(RectI{left, top, right - left + 1, bottom - top + 1}) << " not in " << str(z.logo);
      EXPECT_EQ(left, z.logo.x);
      EXPECT_NEAR(double(right - left + 1) / double(bottom - top + 1), 3.0, 0.05);
      EXPECT_GE(bottom - top + 1, z.logo.h - 1);  // as tall as the box: sized from the screen
    }
  }
  // Without a logo the zones are as before: no box, the content where it was.
  Playlist plain = demo();
  EXPECT_EQ(zones_for(plain, Size{}).logo.h, 0);
}

}  // namespace
}  // namespace signage::scene
