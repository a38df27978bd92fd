// The GL path a Raspberry Pi uses (SDL's opengles2 renderer; opengl too), proven here on Mesa's
// llvmpipe under Xvfb: the same draw list drawn by the GL renderer in a real window and by the
// headless software renderer gives the same pixels, for every item type of the demo, the ticker
// band, a fade and a notice band, at 0/90/180/270 degrees, with the texture limit forced to 2048
// and to 1024 (cards cut into blocks; the demo's 1600x900 picture wider than the limit). And the
// textures the GL renderer holds while the demo's items play stay within a Pi 3's budget.
//
// Run it under an X server (ctest does: xvfb-run). SIGNAGE_GL_PNG_DIR=DIR writes every compared
// frame (gl, headless, and the diff where they differ) as PNGs to look at; a failing frame is
// always written to gl_equality/ in the working directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "render/render.h"
#include "run/player.h"
#include "scene/scene.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using scene::kSecond;
using scene::Nanos;

// The tolerance: how far a GL frame may be from the headless one. GL and SDL's software
// blitters round a blend differently (SDL's software blend approximates the division by 255,
// GL computes in floats), so a blended pixel (the clock's and the counters' antialiased edges
// over the card, a fade) may be off by a little. Opaque copies and fills (card tiles, ticker
// tiles, solid blocks) come out exact, and there is no filtering (every copy is 1:1), so outside
// a fade only a small share of a frame may differ.
// Measured on Mesa 22.3 llvmpipe (Debian 12), both drivers, every frame below: at most 3 in a
// channel (1 or 2 for most), 0.10-0.38% of the pixels without a fade (the clock, the counters,
// the notice band), 19-43% in a fade (every pixel of a card blended). The bounds:
constexpr int kMaxChannelDifference = 3;      // in 0..255, any channel of any pixel
constexpr double kMaxShareDiffering = 0.005;  // of a frame's pixels, except during a fade

// A Pi 3 (VC4) at 1080p: textures share the GPU's memory with the display's buffers and should
// take no more than about 48 MB (issue 15). Measured: see platform/raspberry-pi/README.md.
constexpr std::uint64_t kTextureBudgetBytes = 48ull << 20;

fs::path demo_path() {
  return fs::path(SIGNAGE_SOURCE_DIR) / "playlists" / "hexi-2024";
}

// The demo's items by what they show: one of each type.
struct Pick {
  const char* name;
  std::size_t item;
};
constexpr Pick kPicks[] = {
    {"headline", 0},  {"headline-picture", 1}, {"notice", 2}, {"statistic-group", 4},
    {"statistic", 6}, {"image", 23},           {"alert", 37},
};

// What the worker prepares, for one screen and one texture limit.
struct Prepared {
  std::unique_ptr<text::GlyphCache> glyphs;
  std::unique_ptr<run::ImageFiles> files;
  std::unique_ptr<scene::Preparer> preparer;
  std::map<std::size_t, scene::PreparedCard> cards;
  scene::TickerText ticker_text;
  scene::PreparedClock clock;
  scene::PreparedNotice notice;
};

struct World {
  std::shared_ptr<const content::Playlist> playlist;
  std::unique_ptr<text::TextEngine> engine;
};

World& world() {
  static World w = [] {
    World w;
    w.playlist = run::load_and_report(demo_path());
    std::string error;
    w.engine = text::TextEngine::create(fs::path(SIGNAGE_SOURCE_DIR) / "fonts", &error);
    if (!w.playlist || !w.engine) {
      std::fprintf(stderr, "cannot load the demo or the fonts: %s\n", error.c_str());
      std::exit(1);
    }
    return w;
  }();
  return w;
}

std::unique_ptr<Prepared> prepare(scene::Size screen, int max_texture_size,
                                  const std::vector<std::size_t>& items) {
  World& w = world();
  auto p = std::make_unique<Prepared>();
  text::AtlasLimits limits;
  limits.page_size = std::min(limits.page_size, max_texture_size);
  limits.max_pages = 1;
  p->glyphs = std::make_unique<text::GlyphCache>(w.engine->fonts(), limits);
  p->files = std::make_unique<run::ImageFiles>(screen);
  run::ImageFiles* files = p->files.get();
  p->preparer.reset(new scene::Preparer{
      *w.engine, *p->glyphs, [files](const fs::path& path) { return files->lookup(path); },
      max_texture_size});
  for (std::size_t item : items) {
    p->cards.emplace(item, scene::prepare_card(*p->preparer, *w.playlist, item, screen));
  }
  p->ticker_text = scene::lay_out_ticker(*p->preparer, *w.playlist, screen);
  // 2025-03-03 09:30 in Shanghai.
  p->clock = scene::prepare_clock(*p->preparer, *w.playlist, 1740965400 / 60, screen);
  p->notice = scene::prepare_notice(*p->preparer, *w.playlist, "已从U盘载入 12 条内容 (USB)", false,
                                    screen);
  return p;
}

// One instant: a card (or a fade from one to another) with the ticker and the clock.
struct Instant {
  std::string name;
  std::size_t current;
  std::optional<std::size_t> previous;  // fading out
  Nanos since_start;                    // of the current card
  std::int64_t frame;                   // the ticker's position
  bool notice = false;
};

std::vector<Instant> instants() {
  std::vector<Instant> list;
  std::int64_t frame = 37;
  for (const Pick& pick : kPicks) {
    list.push_back({pick.name, pick.item, std::nullopt, 3 * kSecond, frame});
    frame += 411;  // the ticker somewhere else each time
  }
  list.push_back({"statistic-counting", 6, std::nullopt, kSecond / 3, 5});
  list.push_back({"fade-picture-to-image", 23, 1, kSecond / 4, 2001});
  list.push_back({"notice-band", 4, std::nullopt, 2 * kSecond, 999, true});
  return list;
}

// The band of tiles the frame shows, as the player has them.
struct Frame {
  scene::PreparedTicker ticker;
  scene::DrawList list;
};

void compose(Prepared& p, const Instant& at, scene::Size screen, Frame& out) {
  const content::Playlist& playlist = *world().playlist;
  scene::FrameInputs in;
  in.screen = screen;
  in.current_start = 100 * kSecond;
  in.t = in.current_start + at.since_start;
  in.frame = at.frame;
  in.current = &p.cards.at(at.current);
  in.previous = at.previous ? &p.cards.at(*at.previous) : nullptr;
  in.transition = content::Transition::fade;
  in.ticker_step_px = scene::ticker_step_px(scene::ticker_speed_px_per_s(playlist, screen), 60);
  out.ticker = scene::ticker_window(
      *p.preparer, p.ticker_text,
      scene::ticker_offset(in.frame, in.ticker_step_px, p.ticker_text.band.loop_width),
      screen.width);
  in.ticker = &out.ticker;
  in.clock = &p.clock;
  in.notice = at.notice ? &p.notice : nullptr;
  in.background = playlist.theme.background;
  scene::compose(in, out.list);
}

std::unique_ptr<render::Renderer> open_gl(const std::string& driver, scene::Size size, int rotate,
                                          int limit) {
  // SDL reads its hints from the environment: SDL_HINT_RENDER_DRIVER, and for opengles2
  // SDL_HINT_VIDEO_X11_FORCE_EGL: EGL and libGLESv2 as on a Pi's console, not GLX's ES profile.
  setenv("SDL_RENDER_DRIVER", driver.c_str(), 1);
  if (driver == "opengles2") setenv("SDL_VIDEO_X11_FORCE_EGL", "1", 1);
  render::RendererOptions options;
  options.output = render::Output::window;
  options.renderer = render::RendererChoice::gpu;
  options.size = size;
  options.rotate = rotate;
  options.vsync = false;
  options.max_texture_size = limit;
  options.title = "gl_equality_test";
  std::string error;
  auto r = render::Renderer::open(options, &error);
  unsetenv("SDL_RENDER_DRIVER");
  unsetenv("SDL_VIDEO_X11_FORCE_EGL");
  EXPECT_TRUE(r) << error;
  return r;
}

std::unique_ptr<render::Renderer> open_headless(scene::Size size, int rotate, int limit) {
  render::RendererOptions options;
  options.output = render::Output::headless;
  options.size = size;
  options.rotate = rotate;
  options.max_texture_size = limit;
  options.repaint_everything = true;
  std::string error;
  auto r = render::Renderer::open(options, &error);
  EXPECT_TRUE(r) << error;
  return r;
}

// `image` turned `degrees` clockwise, pixel for pixel (what a screen turned the other way shows).
text::RgbaImage turned(const text::RgbaImage& image, int degrees) {
  const int w = image.width, h = image.height;
  const bool swap = degrees == 90 || degrees == 270;
  text::RgbaImage out(swap ? h : w, swap ? w : h);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      if (degrees == 90) sx = y, sy = h - 1 - x;  // the scene's top edge on the right
      if (degrees == 180) sx = w - 1 - x, sy = h - 1 - y;
      if (degrees == 270) sx = w - 1 - y, sy = x;  // the scene's top edge on the left
      std::copy_n(image.at(sx, sy), 4, out.at(x, y));
    }
  }
  return out;
}

struct Difference {
  int max_channel = 0;
  std::int64_t differing = 0;  // pixels with any channel off
  std::int64_t pixels = 0;
  int first_x = -1, first_y = -1;  // the first pixel off by the most
  std::int64_t by[4] = {};         // pixels off by at most 1, 2, 3, more
};

Difference difference(const text::RgbaImage& a, const text::RgbaImage& b, text::RgbaImage* diff) {
  Difference d;
  d.pixels = std::int64_t(a.width) * a.height;
  if (diff) *diff = text::RgbaImage(a.width, a.height);
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      const std::uint8_t* p = a.at(x, y);
      const std::uint8_t* q = b.at(x, y);
      int m = 0;
      for (int c = 0; c < 3; ++c) m = std::max(m, std::abs(int(p[c]) - int(q[c])));
      if (m > 0) ++d.differing;
      if (m > 0) ++d.by[std::min(m, 4) - 1];
      if (m > d.max_channel) {
        d.max_channel = m;
        d.first_x = x;
        d.first_y = y;
      }
      if (diff) {
        // Differences in red over a dimmed copy of the frame, scaled so 1 shows.
        std::uint8_t* o = diff->at(x, y);
        const std::uint8_t grey = std::uint8_t((p[0] + p[1] + p[2]) / 12);
        o[0] = m ? std::uint8_t(std::min(255, 128 + m * 32)) : grey;
        o[1] = m ? 0 : grey;
        o[2] = m ? 0 : grey;
        o[3] = 255;
      }
    }
  }
  return d;
}

// Compares and, when asked or when it fails, writes the frames to look at.
void expect_equal(const text::RgbaImage& gl, const text::RgbaImage& headless,
                  const std::string& name, bool fade) {
  ASSERT_EQ(gl.width, headless.width) << name;
  ASSERT_EQ(gl.height, headless.height) << name;
  text::RgbaImage diff;
  const Difference d = difference(gl, headless, &diff);
  const double share = double(d.differing) / double(d.pixels);
  std::printf("%-48s max %d, %lld px differ (%.4f%%) by 1/2/3/more: %lld %lld %lld %lld\n",
              name.c_str(), d.max_channel, static_cast<long long>(d.differing), 100 * share,
              static_cast<long long>(d.by[0]), static_cast<long long>(d.by[1]),
              static_cast<long long>(d.by[2]), static_cast<long long>(d.by[3]));
  const bool ok = d.max_channel <= kMaxChannelDifference && (fade || share <= kMaxShareDiffering);
  EXPECT_LE(d.max_channel, kMaxChannelDifference)
      << name << ": at (" << d.first_x << ", " << d.first_y << ")";
  if (!fade) {
    EXPECT_LE(share, kMaxShareDiffering) << name;
  }
  const char* dir_env = std::getenv("SIGNAGE_GL_PNG_DIR");
  if (ok && !dir_env) return;
  const fs::path dir = dir_env ? fs::path(dir_env) : fs::path("gl_equality");
  fs::create_directories(dir);
  render::save_png(gl, (dir / (name + "-gl.png")).string());
  render::save_png(headless, (dir / (name + "-headless.png")).string());
  if (d.differing) render::save_png(diff, (dir / (name + "-diff.png")).string());
}

// A rotated screen is drawn into a texture of the rotated size, so it must fit the limit: at
// 1024 the rotations play on a 1024x600 panel (1920x1080 turned needs 1920 px; a Pi 3 has 2048).
struct Case {
  const char* driver;
  int rotate;
  int limit;
  scene::Size size{1920, 1080};
};

std::string case_name(const Case& c) {
  return std::string(c.driver) + "-" + std::to_string(c.rotate) + "-" + std::to_string(c.limit) +
         "-" + std::to_string(c.size.width) + "x" + std::to_string(c.size.height);
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << case_name(c);
}

class GlEquality : public testing::TestWithParam<Case> {};

TEST_P(GlEquality, FramesEqualTheHeadlessRender) {
  const Case c = GetParam();
  auto gl = open_gl(c.driver, c.size, c.rotate, c.limit);
  auto headless = open_headless(c.size, c.rotate, c.limit);
  ASSERT_TRUE(gl && headless);
  // The GL renderer asked for, not a fallback to software.
  EXPECT_EQ(gl->driver(), std::string("x11/") + c.driver);
  EXPECT_TRUE(gl->accelerated());
  EXPECT_EQ(gl->max_texture_size(), c.limit);
  const scene::Size screen = gl->scene_size();
  ASSERT_EQ(screen.width, headless->scene_size().width);
  ASSERT_EQ(screen.height, headless->scene_size().height);

  std::vector<std::size_t> items;
  for (const Pick& pick : kPicks) items.push_back(pick.item);
  auto prepared = prepare(screen, c.limit, items);
  // The limit holds: every image fits a texture (the picture is wider than 1024 on its own).
  for (const auto& [item, card] : prepared->cards) {
    for (const scene::CardTile& tile : card.tiles) {
      ASSERT_LE(tile.image->pixels.width, c.limit);
      ASSERT_LE(tile.image->pixels.height, c.limit);
    }
  }

  Frame frame;
  for (const Instant& at : instants()) {
    compose(*prepared, at, screen, frame);
    gl->draw(frame.list);
    headless->draw(frame.list);
    EXPECT_EQ(gl->uploads_in_draw(), headless->uploads_in_draw());
    const std::string name = case_name(c) + "-" + at.name;
    const text::RgbaImage scene = headless->read_frame();
    expect_equal(gl->read_frame(), scene, name, at.previous.has_value());
    // The output as the screen shows it: the scene turned clockwise, by the GPU for GL.
    const text::RgbaImage expected = turned(scene, c.rotate);
    expect_equal(headless->read_output(), expected, name + "-output-headless", false);
    expect_equal(gl->read_output(), expected, name + "-output", at.previous.has_value());
    gl->present();
    headless->present();
    if (HasFatalFailure()) return;
  }
}

std::vector<Case> cases() {
  std::vector<Case> list;
  for (const char* driver : {"opengles2", "opengl"}) {
    for (int rotate : {0, 90, 180, 270}) {
      list.push_back({driver, rotate, 2048});
      list.push_back(
          {driver, rotate, 1024, rotate == 0 ? scene::Size{1920, 1080} : scene::Size{1024, 600}});
    }
  }
  return list;
}

INSTANTIATE_TEST_SUITE_P(Drivers, GlEquality, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name = case_name(info.param);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The smallest case of what a fade draws: an opaque image (an RGB888 texture) at half alpha over
// another, at every rotation (drawn into the rotation target).
std::shared_ptr<scene::Image> solid(int w, int h, std::array<std::uint8_t, 4> rgba) {
  auto image = std::make_shared<scene::Image>();
  image->id = scene::new_image_id();
  image->pixels = text::RgbaImage(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) std::copy(rgba.begin(), rgba.end(), image->pixels.at(x, y));
  }
  return image;
}

scene::DrawCommand copy(const scene::Image& image, float x, float y, content::Rgba color) {
  scene::DrawCommand c;
  c.kind = scene::DrawCommand::Kind::image;
  c.image = &image;
  c.source = {0, 0, image.pixels.width, image.pixels.height};
  c.target = {x, y, float(image.pixels.width), float(image.pixels.height)};
  c.color = color;
  return c;
}

void expect_faded_copy_blends(const Case& c) {
  auto gl = open_gl(c.driver, c.size, c.rotate, c.limit);
  auto headless = open_headless(c.size, c.rotate, c.limit);
  ASSERT_TRUE(gl && headless);
  auto red = solid(64, 64, {200, 0, 0, 255});
  auto green = solid(64, 64, {0, 200, 0, 255});
  auto blue = solid(64, 64, {0, 0, 200, 128});  // with alpha: an ARGB texture
  scene::DrawList list;
  list.clear = 0x202020ff;
  list.commands = {copy(*red, 0, 0, 0xffffffff), copy(*green, 32, 32, 0xffffff80),
                   copy(*blue, 100, 0, 0xffffffff), copy(*green, 100, 32, 0xffffff80)};
  gl->draw(list);
  headless->draw(list);
  const text::RgbaImage frame = gl->read_frame();
  // Half green over red, and over the clear colour: blended, not left out.
  EXPECT_NEAR(frame.at(40, 40)[0], 100, 2);
  EXPECT_NEAR(frame.at(40, 40)[1], 100, 2);
  EXPECT_NEAR(frame.at(80, 80)[1], 116, 2);
  expect_equal(frame, headless->read_frame(), case_name(c) + "-opaque-image-faded", true);
}

TEST(GlFade, AnOpaqueImageFadedOverAnotherBlendsAtEveryRotation) {
  for (const char* driver : {"opengles2", "opengl"}) {
    for (int rotate : {0, 90, 180, 270}) {
      const Case c{driver, rotate, 2048, {320, 200}};
      SCOPED_TRACE(case_name(c));
      expect_faded_copy_blends(c);
    }
  }
}

// Texture memory. The frame loop keeps the textures of the card fading out, the one showing and
// the one uploaded ahead, the ticker's tiles near the band and the clock (FrameLoop's
// keep_live_textures); the others go to the renderer's spares or are freed. Every item of the
// demo in loop order, that way, at 1080p with a Pi 3's 2048 px limit.
void collect(const scene::PreparedCard& card, std::vector<std::uint64_t>& ids) {
  for (const scene::CardTile& tile : card.tiles) ids.push_back(tile.image->id);
  for (const scene::Counter& counter : card.counters) {
    for (const auto& glyph : counter.glyphs) {
      if (glyph) ids.push_back(glyph->id);
    }
  }
}

std::uint64_t peak_texture_bytes(const char* driver, int rotate) {
  auto gl = open_gl(driver, {1920, 1080}, rotate, 2048);
  EXPECT_TRUE(gl);
  if (!gl) return 0;
  const content::Playlist& playlist = *world().playlist;
  const scene::Size screen = gl->scene_size();
  auto p = prepare(screen, 2048, {});
  std::optional<scene::PreparedCard> previous, current, upcoming;
  std::uint64_t peak = 0;
  Frame frame;
  const std::size_t n = playlist.items.size();
  for (std::size_t i = 0; i <= n; ++i) {
    // The worker prepares the next card; the frame loop uploads it ahead.
    if (i < n) {
      upcoming = scene::prepare_card(*p->preparer, playlist, i, screen);
      for (const scene::CardTile& tile : upcoming->tiles) gl->upload(*tile.image);
      peak = std::max(peak, gl->texture_bytes());
    }
    if (current) {
      // A frame of the fade in, and one a few seconds on, with the ticker and the clock.
      for (const bool fade : {true, false}) {
        p->cards.clear();
        p->cards.emplace(0, *current);
        if (previous) p->cards.emplace(1, *previous);
        const Instant at{"", 0, fade && previous ? std::optional<std::size_t>(1) : std::nullopt,
                         fade ? kSecond / 4 : 3 * kSecond, std::int64_t(i) * 500 + fade};
        compose(*p, at, screen, frame);
        gl->draw(frame.list);
        gl->present();
        peak = std::max(peak, gl->texture_bytes());
      }
    }
    std::vector<std::uint64_t> live;
    for (const auto* card : {&current, &upcoming}) {
      if (*card) collect(**card, live);
    }
    for (const auto& tile : frame.ticker.tiles) live.push_back(tile->id);
    live.push_back(p->clock.image->id);
    gl->retain_only(live);
    previous = std::move(current);
    current = std::move(upcoming);
    upcoming.reset();
  }
  return peak;
}

TEST(GlTextures, TheDemoStaysWithinAPi3Budget) {
  for (const int rotate : {0, 90}) {
    const std::uint64_t peak = peak_texture_bytes("opengles2", rotate);
    std::printf("texture_bytes peak over the demo's %zu items, 1920x1080, rotate %d: %.1f MB\n",
                world().playlist->items.size(), rotate, double(peak) / (1 << 20));
    EXPECT_GT(peak, 0u);
    EXPECT_LE(peak, kTextureBudgetBytes) << "rotate " << rotate;
  }
}

// The same in the real frame loop: the demo's first 12 s (a headline, the fade into the
// headline with the picture) played in the GL window, texture_bytes read after every frame.
TEST(GlTextures, ThePlayerStaysWithinAPi3Budget) {
  auto gl = open_gl("opengles2", {1920, 1080}, 0, 2048);
  ASSERT_TRUE(gl);
  run::PlayerOptions options;
  options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  options.duration = 12 * kSecond;
  options.wall_clock_at_start_s = 1740965400;
  std::string error;
  auto player = run::Player::create(*gl, options, world().playlist, &error);
  ASSERT_TRUE(player) << error;
  std::uint64_t peak = 0;
  bool faded = false;
  const run::RunStats stats = player->run([&](const run::FrameInfo& info) {
    peak = std::max(peak, gl->texture_bytes());
    faded = faded || info.transition;
    return true;
  });
  std::printf("texture_bytes peak in the frame loop, 12 s, %llu frames: %.1f MB\n",
              static_cast<unsigned long long>(stats.frames), double(peak) / (1 << 20));
  EXPECT_TRUE(faded);
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, kTextureBudgetBytes);
}

}  // namespace
}  // namespace signage
