// Decoded pictures: paletted and RGB images keep their own bytes (a quarter or three quarters of
// RGBA), and everything read from them is what SDL's own conversion to RGBA gives.
#include <SDL.h>
#include <SDL_image.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "render/render.h"
#include "render/sdl.h"
#include "scene/draw.h"
#include "scene/scene.h"

namespace signage::render {
namespace {

namespace fs = std::filesystem;
using scene::Picture;

SurfacePtr random_surface(int w, int h, Uint32 format, std::mt19937& random, int colours = 256) {
  SurfacePtr s(SDL_CreateRGBSurfaceWithFormat(0, w, h, SDL_BITSPERPIXEL(format), format));
  EXPECT_TRUE(s) << SDL_GetError();
  if (!s) return s;
  if (s->format->palette) {
    std::vector<SDL_Color> palette(static_cast<std::size_t>(colours));
    for (SDL_Color& c : palette) {
      c = SDL_Color{Uint8(random()), Uint8(random()), Uint8(random()),
                    Uint8(random() % 2 ? 255 : random())};
    }
    SDL_SetPaletteColors(s->format->palette, palette.data(), 0, colours);
  }
  for (int y = 0; y < s->h; ++y) {
    auto* row = static_cast<Uint8*>(s->pixels) + std::ptrdiff_t(y) * s->pitch;
    for (int x = 0; x < s->w * s->format->BytesPerPixel; ++x) {
      row[x] = Uint8(s->format->palette ? random() % unsigned(colours) : random());
    }
  }
  return s;
}

// Every pixel of `picture` against SDL's blit of the same surface to RGBA.
void expect_same_colours(SDL_Surface& surface, const Picture& picture) {
  std::string error;
  auto reference = picture_from_surface(surface, &error, /*as_rgba=*/true);
  ASSERT_TRUE(reference) << error;
  ASSERT_EQ(reference->format, Picture::Format::rgba);
  ASSERT_EQ(picture.width, reference->width);
  ASSERT_EQ(picture.height, reference->height);
  int differing = 0;
  for (int y = 0; y < picture.height; ++y) {
    for (int x = 0; x < picture.width; ++x) {
      const text::Color a = picture.at(x, y), b = reference->at(x, y);
      if (a.r != b.r || a.g != b.g || a.b != b.b || a.a != b.a) ++differing;
    }
  }
  EXPECT_EQ(differing, 0);
}

TEST(Picture, PalettedAndRgbSurfacesKeepTheirBytesAndGiveSdlsColours) {
  std::mt19937 random(7);
  struct Case {
    Uint32 format;
    int colours;
    Picture::Format expected;
    int bytes;
  };
  for (const Case& c : {Case{SDL_PIXELFORMAT_INDEX8, 256, Picture::Format::indexed, 1},
                        Case{SDL_PIXELFORMAT_INDEX8, 16, Picture::Format::indexed, 1},
                        Case{SDL_PIXELFORMAT_RGB24, 0, Picture::Format::rgb, 3},
                        Case{SDL_PIXELFORMAT_RGBA32, 0, Picture::Format::rgba, 4},
                        Case{SDL_PIXELFORMAT_ARGB8888, 0, Picture::Format::rgba, 4},
                        Case{SDL_PIXELFORMAT_RGB565, 0, Picture::Format::rgba, 4}}) {
    SCOPED_TRACE(SDL_GetPixelFormatName(c.format));
    // 37 px wide: the rows of 1- and 3-byte surfaces are padded.
    SurfacePtr s = random_surface(37, 23, c.format, random, c.colours);
    ASSERT_TRUE(s);
    std::string error;
    auto picture = picture_from_surface(*s, &error);
    ASSERT_TRUE(picture) << error;
    EXPECT_EQ(picture->format, c.expected);
    EXPECT_EQ(picture->pixels.size(), std::size_t(37 * 23 * c.bytes));
    expect_same_colours(*s, *picture);
  }
}

TEST(Picture, ColourKeyedPixelsAreTransparent) {
  std::mt19937 random(11);
  for (Uint32 format : {SDL_PIXELFORMAT_INDEX8, SDL_PIXELFORMAT_RGB24}) {
    SCOPED_TRACE(SDL_GetPixelFormatName(format));
    SurfacePtr s = random_surface(40, 30, format, random, 4);
    ASSERT_TRUE(s);
    // Key the first pixel's value, and make sure a few other pixels carry it too.
    Uint32 key = 0;
    const int bpp = s->format->BytesPerPixel;
    auto* first = static_cast<Uint8*>(s->pixels);
    std::memcpy(&key, first, std::size_t(bpp));
    for (int y = 3; y < 30; y += 7)
      std::memcpy(first + y * s->pitch + 5 * bpp, &key, std::size_t(bpp));
    ASSERT_EQ(SDL_SetColorKey(s.get(), SDL_TRUE, key), 0);
    std::string error;
    auto picture = picture_from_surface(*s, &error);
    ASSERT_TRUE(picture) << error;
    EXPECT_EQ(picture->at(0, 0).a, 0);
    for (int y = 3; y < 30; y += 7) EXPECT_EQ(picture->at(5, y).a, 0);
    int transparent = 0;
    for (int y = 0; y < 30; ++y) {
      for (int x = 0; x < 40; ++x) {
        Uint32 value = 0;
        std::memcpy(&value, first + y * s->pitch + x * bpp, std::size_t(bpp));
        EXPECT_EQ(picture->at(x, y).a == 0, value == key) << x << "," << y;
        transparent += picture->at(x, y).a == 0;
      }
    }
    EXPECT_GE(transparent, 5);
    expect_same_colours(*s, *picture);
    EXPECT_EQ(SDL_HasColorKey(s.get()), SDL_TRUE);  // the surface is left as it was
  }
}

TEST(Picture, DemoBannerStaysPalettedAndDecodesAsSdlConvertsIt) {
  const fs::path banner =
      fs::path(SIGNAGE_SOURCE_DIR) / "playlists" / "hexi-2024" / "images" / "hexi-banner.png";
  std::string error;
  auto picture = load_picture(banner, &error);
  ASSERT_TRUE(picture) << error;
  EXPECT_EQ(picture->format, Picture::Format::indexed);
  EXPECT_EQ(picture->pixels.size(), std::size_t(picture->width) * std::size_t(picture->height));
  SurfacePtr loaded(IMG_Load(banner.c_str()));
  ASSERT_TRUE(loaded) << IMG_GetError();
  expect_same_colours(*loaded, *picture);

  EXPECT_FALSE(load_picture(banner, &error, 1000));
  EXPECT_NE(error.find("larger than allowed"), std::string::npos) << error;
  EXPECT_FALSE(load_picture(banner.parent_path() / "missing.png", &error));
  EXPECT_NE(error.find("missing.png"), std::string::npos) << error;
}

// Scaling a paletted picture draws exactly what scaling its RGBA conversion draws, shrunk (several
// samples a pixel) and enlarged.
TEST(Picture, PalettedPicturesScaleLikeTheirRgba) {
  std::mt19937 random(3);
  SurfacePtr s = random_surface(90, 60, SDL_PIXELFORMAT_INDEX8, random, 32);
  ASSERT_TRUE(s);
  std::string error;
  auto paletted = picture_from_surface(*s, &error);
  ASSERT_TRUE(paletted) << error;
  ASSERT_EQ(paletted->format, Picture::Format::indexed);
  const Picture rgba = scene::to_picture(scene::to_rgba(*paletted));
  for (scene::RectF target :
       {scene::RectF{3.5f, 2.25f, 31.0f, 20.0f}, scene::RectF{-10.0f, 5.0f, 250.0f, 170.0f}}) {
    text::RgbaImage a(200, 150), b(200, 150);
    for (std::size_t i = 0; i < a.pixels.size(); ++i) a.pixels[i] = b.pixels[i] = Uint8(i * 7);
    const scene::RectI clip{0, 0, 200, 150};
    scene::detail::draw_scaled(a, *paletted, target, clip);
    scene::detail::draw_scaled(b, rgba, target, clip);
    EXPECT_EQ(a.pixels, b.pixels) << target.w;
  }
}

}  // namespace
}  // namespace signage::render
