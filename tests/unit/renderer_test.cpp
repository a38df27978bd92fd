// The renderer, headless: draw-list execution, the texture cache, rotation, the texture limit.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "render/render.h"
#include "scene/scene.h"

namespace signage::render {
namespace {

std::unique_ptr<Renderer> open_headless(scene::Size size, int rotate = 0, int max_texture = 0) {
  RendererOptions options;
  options.output = Output::headless;
  options.size = size;
  options.rotate = rotate;
  options.max_texture_size = max_texture;
  std::string error;
  auto renderer = Renderer::open(options, &error);
  EXPECT_TRUE(renderer) << error;
  return renderer;
}

std::shared_ptr<scene::Image> solid_image(std::uint64_t id, int w, int h,
                                          std::array<std::uint8_t, 4> rgba) {
  auto image = std::make_shared<scene::Image>();
  image->id = id;
  image->pixels = text::RgbaImage(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) std::copy(rgba.begin(), rgba.end(), image->pixels.at(x, y));
  }
  return image;
}

scene::DrawCommand fill(scene::RectF r, content::Rgba color) {
  scene::DrawCommand c;
  c.kind = scene::DrawCommand::Kind::fill;
  c.target = r;
  c.color = color;
  return c;
}

scene::DrawCommand copy(const scene::Image& image, scene::RectF r,
                        content::Rgba color = 0xffffffff) {
  scene::DrawCommand c;
  c.kind = scene::DrawCommand::Kind::image;
  c.image = &image;
  c.source = {0, 0, image.pixels.width, image.pixels.height};
  c.target = r;
  c.color = color;
  return c;
}

std::array<int, 4> pixel(const text::RgbaImage& image, int x, int y) {
  const std::uint8_t* p = image.at(x, y);
  return {p[0], p[1], p[2], p[3]};
}

TEST(Renderer, HeadlessOpensAtTheGivenSize) {
  auto r = open_headless({320, 200});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->scene_size().width, 320);
  EXPECT_EQ(r->scene_size().height, 200);
  EXPECT_FALSE(r->vsync());
  EXPECT_GT(r->max_texture_size(), 0);
}

TEST(Renderer, ClearsFillsAndCopiesWithColourAndAlphaModulation) {
  auto r = open_headless({64, 32});
  ASSERT_TRUE(r);
  auto white = solid_image(1, 8, 8, {255, 255, 255, 255});
  scene::DrawList list;
  list.clear = 0x102030ff;
  list.commands.push_back(fill({0, 0, 16, 16}, 0xff0000ff));
  list.commands.push_back(copy(*white, {20, 0, 8, 8}, 0x00ff00ff));  // tinted green
  list.commands.push_back(copy(*white, {40, 0, 8, 8}, 0xffffff80));  // half transparent
  r->draw(list);
  text::RgbaImage frame = r->read_frame();
  ASSERT_EQ(frame.width, 64);
  EXPECT_EQ(pixel(frame, 60, 30), (std::array<int, 4>{0x10, 0x20, 0x30, 255}));
  EXPECT_EQ(pixel(frame, 5, 5), (std::array<int, 4>{255, 0, 0, 255}));
  EXPECT_EQ(pixel(frame, 22, 2), (std::array<int, 4>{0, 255, 0, 255}));
  // White at alpha 128 over 0x102030: about halfway.
  auto half = pixel(frame, 42, 2);
  EXPECT_NEAR(half[0], (255 + 0x10) / 2, 3);
  EXPECT_NEAR(half[2], (255 + 0x30) / 2, 3);
}

TEST(Renderer, TexturesAreCachedByIdAndFreedWhenNoLongerLive) {
  auto r = open_headless({32, 32});
  ASSERT_TRUE(r);
  auto a = solid_image(7, 4, 4, {255, 0, 0, 255});
  auto b = solid_image(8, 4, 4, {0, 0, 255, 255});
  scene::DrawList list;
  list.commands.push_back(copy(*a, {0, 0, 4, 4}));
  list.commands.push_back(copy(*b, {4, 0, 4, 4}));
  r->draw(list);
  r->draw(list);
  EXPECT_EQ(r->uploads(), 2u);  // once each, not per frame
  EXPECT_EQ(r->cached_textures(), 2u);
  std::array<std::uint64_t, 1> live{8};
  r->retain_only(live);
  EXPECT_EQ(r->cached_textures(), 1u);
  EXPECT_TRUE(r->upload(*b));
  EXPECT_EQ(r->uploads(), 2u);  // still cached
  EXPECT_TRUE(r->upload(*a));
  EXPECT_EQ(r->uploads(), 3u);  // freed, so uploaded again
}

TEST(Renderer, ForcedTextureLimitRefusesLargerImages) {
  auto r = open_headless({64, 64}, 0, 2048);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->max_texture_size(), 2048);
  auto wide = solid_image(9, 2049, 1, {255, 255, 255, 255});
  EXPECT_FALSE(r->upload(*wide));
  auto fits = solid_image(10, 2048, 1, {255, 255, 255, 255});
  EXPECT_TRUE(r->upload(*fits));
}

TEST(Renderer, RotationDrawsTheSceneAtTheTurnedSizeAndTurnsItOntoTheOutput) {
  auto r = open_headless({40, 20}, 90);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->scene_size().width, 20);
  EXPECT_EQ(r->scene_size().height, 40);
  EXPECT_EQ(r->output_size().width, 40);
  scene::DrawList list;
  list.clear = 0x000000ff;
  list.commands.push_back(fill({0, 0, 20, 4}, 0xff0000ff));  // the portrait scene's top edge
  r->draw(list);
  text::RgbaImage frame = r->read_frame();
  ASSERT_EQ(frame.width, 20);
  ASSERT_EQ(frame.height, 40);
  EXPECT_EQ(pixel(frame, 10, 1)[0], 255);
  EXPECT_EQ(pixel(frame, 10, 30)[0], 0);
  r->present();
  // Turned 90 degrees clockwise, the scene's top edge is the output's right edge.
  text::RgbaImage output = r->read_output();
  ASSERT_EQ(output.width, 40);
  ASSERT_EQ(output.height, 20);
  EXPECT_EQ(pixel(output, 38, 10)[0], 255);
  EXPECT_EQ(pixel(output, 1, 10)[0], 0);
}

// read_output() is the screen after draw(), before present() (a GPU's buffer is undefined after
// the flip): the scene's top edge lands where each rotation puts it, and present() after it
// leaves the output as it was.
TEST(Renderer, ReadOutputBeforePresentShowsTheTurnedFrameAtEveryRotation) {
  struct Case {
    int rotate;
    int red_x, red_y;    // on the scene's top edge, turned
    int dark_x, dark_y;  // the opposite edge
  };
  for (const Case& c : {Case{0, 20, 1, 20, 18}, Case{90, 38, 10, 1, 10}, Case{180, 20, 18, 20, 1},
                        Case{270, 1, 10, 38, 10}}) {
    auto r = open_headless({40, 20}, c.rotate);
    ASSERT_TRUE(r);
    const scene::Size size = r->scene_size();
    scene::DrawList list;
    list.clear = 0x000000ff;
    list.commands.push_back(fill({0, 0, float(size.width), 4}, 0xff0000ff));
    r->draw(list);
    text::RgbaImage before = r->read_output();
    ASSERT_EQ(before.width, 40) << c.rotate;
    ASSERT_EQ(before.height, 20) << c.rotate;
    EXPECT_EQ(pixel(before, c.red_x, c.red_y)[0], 255) << c.rotate;
    EXPECT_EQ(pixel(before, c.dark_x, c.dark_y)[0], 0) << c.rotate;
    EXPECT_EQ(r->read_output().pixels, before.pixels) << c.rotate;  // idempotent
    r->present();
    EXPECT_EQ(r->read_output().pixels, before.pixels) << c.rotate;
    // The next frame moves the band: read before present() shows it, not the last frame.
    list.commands[0] = fill({0, float(size.height - 4), float(size.width), 4}, 0xff0000ff);
    r->draw(list);
    text::RgbaImage next = r->read_output();
    EXPECT_EQ(pixel(next, c.red_x, c.red_y)[0], 0) << c.rotate;
    EXPECT_EQ(pixel(next, c.dark_x, c.dark_y)[0], 255) << c.rotate;
  }
}

// Headless, draw() repaints only what differs from the last frame. Frames with a moving strip,
// a fading image, a changing number of commands and a disappearing card must come out exactly
// as a renderer that draws each of them from scratch.
TEST(Renderer, RepaintingWhatChangedGivesTheSamePixelsAsDrawingTheFrameWhole) {
  auto kept = open_headless({96, 64});
  ASSERT_TRUE(kept);
  auto card = solid_image(20, 96, 40, {10, 120, 200, 255});
  auto next = solid_image(21, 96, 40, {200, 40, 10, 255});
  auto tile = solid_image(22, 30, 10, {250, 250, 0, 255});
  auto glyph = solid_image(23, 6, 6, {255, 255, 255, 128});
  for (int frame = 0; frame < 24; ++frame) {
    scene::DrawList list;
    list.clear = 0x203040ff;
    if (frame < 16) list.commands.push_back(copy(*card, {0, 0, 96, 40}));
    if (frame >= 10) {
      auto alpha = content::Rgba(std::min(255, (frame - 9) * 40));
      list.commands.push_back(copy(*next, {0, 0, 96, 40}, 0xffffff00u | alpha));
    }
    for (int g = 0; g < 1 + frame % 3; ++g) {  // a count-up: more or fewer glyphs
      list.commands.push_back(copy(*glyph, {float(10 + 7 * g), 12, 6, 6}));
    }
    list.commands.push_back(fill({0, 50, 96, 14}, 0x102030ff));  // the ticker band
    for (int x = -frame * 3; x < 96; x += 40)
      list.commands.push_back(copy(*tile, {float(x), 52, 30, 10}));
    if (frame % 7 == 0) list.commands.push_back(fill({80, 2, 12, 6}, 0x00ff00ff));  // the clock
    kept->draw(list);
    auto whole = open_headless({96, 64});
    ASSERT_TRUE(whole);
    whole->draw(list);
    text::RgbaImage a = kept->read_frame(), b = whole->read_frame();
    ASSERT_EQ(a.pixels, b.pixels) << "frame " << frame;
    kept->present();
  }
}

TEST(Renderer, RefusesARotationThatIsNotAQuarterTurn) {
  RendererOptions options;
  options.output = Output::headless;
  options.rotate = 45;
  std::string error;
  EXPECT_FALSE(Renderer::open(options, &error));
  EXPECT_NE(error.find("rotation"), std::string::npos);
}

TEST(Renderer, NoDisplayMessagePointsToHeadlessAndRender) {
  std::string message = no_display_message("x11 not available");
  EXPECT_NE(message.find("--headless"), std::string::npos);
  EXPECT_NE(message.find("render"), std::string::npos);
  EXPECT_NE(message.find("x11 not available"), std::string::npos);
}

// Stills (the studio's previews) free each texture once drawn for the last time in the frame;
// the pixels are those of a renderer that keeps them.
TEST(Renderer, WithoutKeptTexturesEachIsFreedOnceDrawnForTheLastTime) {
  RendererOptions options;
  options.output = Output::headless;
  options.size = {32, 32};
  options.repaint_everything = true;
  options.keep_textures = false;
  std::string error;
  auto dropping = Renderer::open(options, &error);
  ASSERT_TRUE(dropping) << error;
  options.keep_textures = true;
  auto keeping = Renderer::open(options, &error);
  ASSERT_TRUE(keeping) << error;
  auto a = solid_image(21, 4, 4, {255, 0, 0, 255});
  auto b = solid_image(22, 4, 4, {0, 0, 255, 128});
  scene::DrawList list;
  list.commands.push_back(copy(*a, {0, 0, 4, 4}));
  list.commands.push_back(copy(*b, {2, 2, 4, 4}));
  list.commands.push_back(copy(*a, {8, 8, 4, 4}, 0xffffff80));  // `a` again: kept until here
  dropping->draw(list);
  keeping->draw(list);
  EXPECT_EQ(dropping->cached_textures(), 0u);
  EXPECT_EQ(dropping->uploads(), 2u);  // `a` once, though drawn twice
  EXPECT_EQ(keeping->cached_textures(), 2u);
  EXPECT_EQ(dropping->read_frame().pixels, keeping->read_frame().pixels);
}

// frame_rows reads the frame a band at a time: the same rows as read_frame, so the PNG and the
// thumbnail made from them are the same bytes.
TEST(Renderer, FrameRowsAreTheFrameReadOut) {
  auto r = open_headless({300, 90});  // not a whole number of bands
  ASSERT_TRUE(r);
  auto a = solid_image(31, 40, 40, {10, 200, 30, 255});
  scene::DrawList list;
  list.clear = 0x204060ff;
  list.commands.push_back(copy(*a, {13, 37, 40, 40}));
  list.commands.push_back(fill({100, 5, 150, 70}, 0xc0802080));
  r->draw(list);
  const text::RgbaImage frame = r->read_frame();
  const RgbaRows rows = r->frame_rows();
  ASSERT_EQ(rows.width, 300);
  ASSERT_EQ(rows.height, 90);
  EXPECT_TRUE(rows.opaque);
  for (int y : {0, 31, 32, 33, 64, 89, 5}) {  // in order, then from the top again
    EXPECT_EQ(std::memcmp(rows.row(y), frame.pixels.data() + std::size_t(y) * 300 * 4, 300 * 4), 0)
        << "row " << y;
  }
  EXPECT_EQ(encode_png(r->frame_rows()), encode_png(frame));
  EXPECT_EQ(downscale(r->frame_rows(), 70, 21).pixels, downscale(frame, 70, 21).pixels);
}

}  // namespace
}  // namespace signage::render
