// The renderer in a real window (run under Xvfb by ctest): the software path draws and sends only
// what changed, yet the screen X shows equals the headless render of the same instant, frame by
// frame, at every rotation; a ticker frame sends the ticker's rectangles, not the screen; and no
// GL library is ever mapped.
#include <SDL.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "content/content.h"
#include "render/render.h"
#include "run/player.h"

// Xlib last: its macros (None, Bool, Status) would rename GoogleTest's names.
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#undef None
#undef Bool
#undef Status

namespace signage {
namespace {

namespace fs = std::filesystem;
constexpr scene::Size kScreen{1920, 1080};   // the Xvfb screen: the window covers it at 0,0
constexpr std::int64_t kClock = 1740965400;  // 2025-03-03T09:30:00+08:00

std::unique_ptr<render::Renderer> open_window(render::RendererChoice choice, int rotate = 0) {
  render::RendererOptions ro;
  ro.output = render::Output::window;
  ro.renderer = choice;
  ro.size = kScreen;
  ro.rotate = rotate;
  ro.vsync = false;
  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  EXPECT_TRUE(renderer) << error;
  return renderer;
}

struct DisplayCloser {
  void operator()(Display* d) const { XCloseDisplay(d); }
};

// One connection to the X server and SDL's video kept for the whole program, as a player keeps
// them: opening X again for every test sometimes found the server busy, and SDL then took its
// offscreen driver.
class XEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    display.reset(XOpenDisplay(nullptr));
    ASSERT_TRUE(display) << "cannot open the X display";
    ASSERT_EQ(SDL_InitSubSystem(SDL_INIT_VIDEO), 0) << SDL_GetError();
  }
  void TearDown() override {
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    display.reset();
  }
  static inline std::unique_ptr<Display, DisplayCloser> display;
};
const auto* const kEnvironment = testing::AddGlobalTestEnvironment(new XEnvironment);

// What the X server shows (the root window: the window covers the screen), straight RGBA.
text::RgbaImage x_screen() {
  struct ImageDestroyer {
    void operator()(XImage* i) const { XDestroyImage(i); }
  };
  Display* display = XEnvironment::display.get();
  text::RgbaImage out(kScreen.width, kScreen.height);
  if (!display) {
    ADD_FAILURE() << "no X display";
    return out;
  }
  std::unique_ptr<XImage, ImageDestroyer> image(
      XGetImage(display, DefaultRootWindow(display), 0, 0, unsigned(kScreen.width),
                unsigned(kScreen.height), AllPlanes, ZPixmap));
  if (!image) {
    ADD_FAILURE() << "XGetImage failed";
    return out;
  }
  auto channel = [](unsigned long pixel, unsigned long mask) {
    int shift = 0;
    while (mask && !(mask & 1)) mask >>= 1, ++shift;
    return std::uint8_t((pixel >> shift) & 0xff);
  };
  // The usual 32-bit layout read straight from its rows (XGetPixel per pixel made each sample
  // slow enough to starve the frame loop on a loaded machine); any other through XGetPixel.
  const bool direct = image->bits_per_pixel == 32 && image->byte_order == LSBFirst &&
                      image->red_mask == 0xff0000 && image->green_mask == 0xff00 &&
                      image->blue_mask == 0xff;
  for (int y = 0; y < kScreen.height; ++y) {
    const auto* row = reinterpret_cast<const std::uint8_t*>(image->data) +
                      std::ptrdiff_t(y) * image->bytes_per_line;
    for (int x = 0; x < kScreen.width; ++x) {
      std::uint8_t* o = out.at(x, y);
      if (direct) {  // B, G, R, X in memory
        o[0] = row[4 * x + 2];
        o[1] = row[4 * x + 1];
        o[2] = row[4 * x];
        o[3] = 255;
        continue;
      }
      const unsigned long p = XGetPixel(image.get(), x, y);
      o[0] = channel(p, image->red_mask);
      o[1] = channel(p, image->green_mask);
      o[2] = channel(p, image->blue_mask);
      o[3] = 255;
    }
  }
  return out;
}

// `scene` turned `rotate` degrees clockwise, as a screen turned that way shows it.
text::RgbaImage turn(const text::RgbaImage& scene, int rotate) {
  if (rotate == 0) return scene;
  const bool swap = rotate == 90 || rotate == 270;
  text::RgbaImage out(swap ? scene.height : scene.width, swap ? scene.width : scene.height);
  for (int oy = 0; oy < out.height; ++oy) {
    for (int ox = 0; ox < out.width; ++ox) {
      int x = ox, y = oy;
      if (rotate == 90) x = oy, y = scene.height - 1 - ox;
      if (rotate == 180) x = scene.width - 1 - ox, y = scene.height - 1 - oy;
      if (rotate == 270) x = scene.width - 1 - oy, y = ox;
      std::copy_n(scene.at(x, y), 4, out.at(ox, oy));
    }
  }
  return out;
}

// The demo with its first card shortened to 3 s, so a transition comes within the test, and the
// second lasting past the test's end.
std::shared_ptr<const content::Playlist> short_demo() {
  auto demo = run::load_and_report(fs::path(SIGNAGE_SOURCE_DIR) / "playlists" / "hexi-2024");
  if (!demo) return nullptr;
  auto copy = std::make_shared<content::Playlist>(*demo);
  copy->items.at(0).duration_s = 3;
  copy->items.at(1).duration_s = 10;
  return copy;
}

std::uint64_t hash_rgb(const text::RgbaImage& image) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over each pixel's R, G, B as one word
  for (std::size_t i = 0; i + 3 < image.pixels.size(); i += 4) {
    const std::uint32_t rgb = std::uint32_t(image.pixels[i]) |
                              std::uint32_t(image.pixels[i + 1]) << 8 |
                              std::uint32_t(image.pixels[i + 2]) << 16;
    h = (h ^ rgb) * 1099511628211ull;
  }
  return h;
}

class SoftwareWindow : public testing::TestWithParam<int> {};

// The player plays the demo in the window for 4.5 s at 60 Hz (the ticker moves every frame, the
// first card fades into the second at 3 s), presenting damaged rectangles only; a loaded machine,
// which draws fewer frames and may switch late, plays on (up to 12 s, the second card's slot ends
// at 13 s) until it has drawn the fade, the frames after it and the frames counted below. Sampled
// frames (the first drawn in each quarter second, and those right after the fade) are read back as
// the renderer holds them and as the X server shows them, and compared after the run with the
// headless render of the same instant: exact, both are SDL's software renderer. Sampling by time,
// not by frame number, gives a loaded machine (fewer frames drawn) as many samples, and keeps the
// frame loop near its pace, so the player's worker keeps up as it does when playing.
TEST_P(SoftwareWindow, TheScreenEqualsTheHeadlessRenderFrameByFrame) {
  const int rotate = GetParam();
  auto playlist = short_demo();
  ASSERT_TRUE(playlist);
  auto renderer = open_window(render::RendererChoice::software, rotate);
  ASSERT_TRUE(renderer);
  EXPECT_FALSE(renderer->accelerated());
  EXPECT_FALSE(renderer->vsync());
  EXPECT_EQ(renderer->driver(), "x11/software");
  run::PlayerOptions po;
  po.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  po.wall_clock_at_start_s = kClock;
  po.duration = scene::kSecond * 12;
  // A fade twice the usual length, so a loaded machine also draws 10 of its frames (the stills
  // are compared before and after it, where the length makes no difference).
  po.transition_length = 2 * scene::kTransitionLength;
  std::string error;
  auto player = run::Player::create(*renderer, po, playlist, &error);
  ASSERT_TRUE(player) << error;
  struct Sample {
    std::uint64_t frame;
    scene::Nanos t;
    std::uint64_t output, screen;
  };
  std::vector<Sample> samples;
  constexpr scene::Nanos kSampleEvery = scene::kSecond / 4;
  std::int64_t sampled_quarter = -1;
  int transitions = 0, ticker_frames = 0, small_frames = 0, after_fade = 0;
  bool last_transition = true;
  std::uint64_t last_sequence = 0, first_sequence = 0, frames = 0;
  std::optional<scene::Nanos> second_card_at;  // the t of the frame that switched to it
  const std::int64_t screen_pixels = std::int64_t(kScreen.width) * kScreen.height;
  player->run([&](const run::FrameInfo& f) {
    ++frames;
    if (f.frame == 0) first_sequence = f.shown_sequence;
    if (!second_card_at && f.shown_sequence != first_sequence) second_card_at = f.t;
    transitions += f.transition;
    // A frame with only the ticker moving (no fade now or just before, the same card) sends a
    // band, not the screen.
    if (f.frame > 0 && !f.transition && !last_transition && f.shown_sequence == last_sequence) {
      EXPECT_LT(renderer->presented_pixels(), screen_pixels / 8) << "frame " << f.frame;
      ++ticker_frames;
      small_frames += renderer->presented_pixels() > 0;
    }
    after_fade = f.transition ? 3 : std::max(0, after_fade - 1);
    // The player's first frame and its fades are not the still's (the player starts a fade at
    // the frame that switches, the still at the slot's start): sampled are the frames between,
    // the first in each quarter second, and those right after the fade, drawn over its damaged
    // rectangles.
    const std::int64_t quarter = f.t / kSampleEvery;
    if (f.frame > 0 && !f.transition && (quarter != sampled_quarter || after_fade > 0)) {
      sampled_quarter = quarter;
      samples.push_back({f.frame, f.t, hash_rgb(renderer->read_output()), hash_rgb(x_screen())});
    }
    last_transition = f.transition;
    last_sequence = f.shown_sequence;
    const bool after_the_fade = second_card_at && transitions > 0 && after_fade == 0;
    return !(f.t >= scene::kSecond * 9 / 2 && after_the_fade && ticker_frames >= 30 &&
             samples.size() >= 10);
  });
  std::cout << "rotate " << rotate << ": " << frames << " frames drawn, " << samples.size()
            << " sampled, the second card from "
            << (second_card_at ? *second_card_at / 1000000 : -1) << " ms\n";
  EXPECT_GE(samples.size(), 10u);
  EXPECT_GE(transitions, 10) << "the fade was not played";
  ASSERT_TRUE(second_card_at) << "the second card was not shown";
  // How many frames the loop draws depends on the machine's load, and a frame that lands in the
  // same refresh as the one before (late pacing) moves nothing and sends nothing: most send the
  // band.
  EXPECT_GE(ticker_frames, 30);
  EXPECT_GE(small_frames * 2, ticker_frames);
  // On time (within two refresh periods of the slot's start, as the player decides), the second
  // card starts at 3 s. A loaded machine can be late with its textures: the player then shows the
  // first card longer and starts the second (its fade, its numbers counting up) where it switched,
  // and the still is asked for the same schedule.
  auto scheduled = playlist;
  const scene::Nanos period = scene::Nanos(1e9 / renderer->refresh_hz());
  if (*second_card_at - 3 * scene::kSecond >= 2 * period) {
    auto late = std::make_shared<content::Playlist>(*playlist);
    late->items.at(0).duration_s = double(*second_card_at) / 1e9;
    scheduled = late;
  }
  run::StillRenderer stills;
  run::StillOptions still;
  still.size = kScreen;
  still.rotate = rotate;
  still.wall_clock_at_start_s = kClock;
  still.fonts_dir = po.fonts_dir;
  for (const Sample& sample : samples) {
    still.at = sample.t;
    auto expected = stills.render(scheduled, still, &error);
    ASSERT_TRUE(expected) << error;
    const text::RgbaImage want = turn(*expected, rotate);
    EXPECT_EQ(sample.output, hash_rgb(want))
        << "frame " << sample.frame << " at " << sample.t << " ns, rotate " << rotate;
    EXPECT_EQ(sample.screen, hash_rgb(want))
        << "X shows frame " << sample.frame << " at " << sample.t << " ns, rotate " << rotate;
  }
}

INSTANTIATE_TEST_SUITE_P(Rotations, SoftwareWindow, testing::Values(0, 90, 180, 270));

// A frame whose only change is the ticker's tiles sends the rectangles they cover, inside the
// band: not the screen.
TEST(SoftwareWindowPresent, ATickerFrameSendsTheBandNotTheScreen) {
  auto renderer = open_window(render::RendererChoice::software);
  ASSERT_TRUE(renderer);
  auto tile = std::make_shared<scene::Image>();
  tile->id = 1;
  tile->pixels = text::RgbaImage(300, 60);
  std::fill(tile->pixels.pixels.begin(), tile->pixels.pixels.end(), std::uint8_t(200));
  auto frame = [&](float x) {
    scene::DrawList list;
    list.clear = 0x102030ff;
    scene::DrawCommand band;
    band.kind = scene::DrawCommand::Kind::fill;
    band.target = {0, 1000, 1920, 80};
    band.color = 0x203040ff;
    list.commands.push_back(band);
    for (float tx = x; tx < 1920; tx += 400) {
      scene::DrawCommand c;
      c.kind = scene::DrawCommand::Kind::image;
      c.image = tile.get();
      c.source = {0, 0, 300, 60};
      c.target = {tx, 1010, 300, 60};
      c.color = 0xffffffff;
      list.commands.push_back(c);
    }
    renderer->draw(list);
    renderer->present();
    return renderer->presented_pixels();
  };
  EXPECT_EQ(frame(0), std::int64_t(1920) * 1080);  // the first frame: everything
  for (int i = 1; i < 10; ++i) {
    const std::int64_t sent = frame(-3.0f * float(i));
    EXPECT_GT(sent, 0);
    EXPECT_LE(sent, std::int64_t(1920) * 80) << "frame " << i;
  }
  EXPECT_EQ(frame(-27), 0);  // nothing changed: nothing sent
}

bool maps_gl() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    for (const char* lib : {"libLLVM", "swrast", "libGLX_mesa", "libEGL_mesa", "libGL.so"}) {
      if (line.find(lib) != std::string::npos) {
        ADD_FAILURE() << "mapped: " << line;
        return true;
      }
    }
  }
  return false;
}

// (Before the GpuWindow tests, which load GL into this process: GoogleTest runs them in file
// order.)
// Drawing in software never loads GL (60 MB of LLVM for Mesa's llvmpipe); `auto` on a machine
// without a GPU (this one, unless it has a DRM render node) is the same.
TEST(SoftwareWindowMemory, NoGlLibraryIsMapped) {
  const auto decision = render::decide_renderer(render::find_machine_graphics("x11"));
  for (auto choice : {render::RendererChoice::software, render::RendererChoice::automatic}) {
    // Unturned, SDL's software renderer of the window; turned, one drawing a scene surface.
    auto renderer = open_window(choice, choice == render::RendererChoice::software ? 0 : 90);
    ASSERT_TRUE(renderer);
    if (choice == render::RendererChoice::automatic &&
        decision.choice == render::RendererChoice::gpu) {
      EXPECT_TRUE(renderer->accelerated()) << renderer->reason();
      continue;
    }
    EXPECT_FALSE(renderer->accelerated());
    EXPECT_EQ(renderer->reason(), choice == render::RendererChoice::software
                                      ? "software: asked for (renderer = software)"
                                      : decision.reason);
    scene::DrawList list;
    list.clear = 0x000000ff;
    renderer->draw(list);
    renderer->present();
    EXPECT_FALSE(maps_gl());
  }
}

// The GPU renderer (Mesa's llvmpipe here) when asked for: SDL's opengl or opengles2, every frame
// whole, and read_output() is the frame before present().
TEST(GpuWindow, AskedForItIsAcceleratedAndPresentsTheWholeScreen) {
  auto renderer = open_window(render::RendererChoice::gpu, 90);
  ASSERT_TRUE(renderer);
  EXPECT_TRUE(renderer->accelerated());
  EXPECT_NE(renderer->driver().find("x11/opengl"), std::string::npos) << renderer->driver();
  EXPECT_NE(renderer->reason().find("GL_RENDERER"), std::string::npos) << renderer->reason();
  scene::DrawList list;
  list.clear = 0x000000ff;
  scene::DrawCommand top;
  top.kind = scene::DrawCommand::Kind::fill;
  top.target = {0, 0, 1080, 100};  // the portrait scene's top edge: the output's right edge
  top.color = 0xff0000ff;
  list.commands.push_back(top);
  renderer->draw(list);
  text::RgbaImage out = renderer->read_output();
  EXPECT_EQ(out.at(1919, 500)[0], 255);
  EXPECT_EQ(out.at(10, 500)[0], 0);
  renderer->present();
  EXPECT_EQ(renderer->presented_pixels(), std::int64_t(1920) * 1080);
}

// Asked for a GPU that is not there (SDL told to use its software renderer), the player refuses
// to start and says what to do, rather than drawing somewhere else.
TEST(GpuWindow, AskedForItWithoutOneIsAClearError) {
  SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  render::RendererOptions ro;
  ro.renderer = render::RendererChoice::gpu;
  ro.size = kScreen;
  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  SDL_ResetHint(SDL_HINT_RENDER_DRIVER);
  EXPECT_FALSE(renderer);
  EXPECT_NE(error.find("renderer = gpu: SDL's \"software\" renderer is not a GPU renderer"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("use renderer = software (or auto)"), std::string::npos) << error;
}

}  // namespace
}  // namespace signage
