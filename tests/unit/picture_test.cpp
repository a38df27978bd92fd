// Decoded pictures: paletted and RGB images keep their own bytes (a quarter or three quarters of
// RGBA), and everything read from them is what SDL's own conversion to RGBA gives.
#include "picture/picture.h"

#include <SDL.h>
#include <SDL_image.h>
#include <gtest/gtest.h>
#include <png.h>
#include <sys/resource.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "render/render.h"
#include "render/sdl.h"
#include "scene/draw.h"
#include "scene/scene.h"
#include "support/pictures.h"
#include "support/sdl_pictures.h"
#include "support/temp_dir.h"

namespace signage::render {
namespace {

namespace fs = std::filesystem;
using scene::Picture;
using test_support::picture_from_surface;

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

// ---------------------------------------------------------------------------------------------
// Picture bombs: the size is read from the header before any pixel is decoded, and nothing is
// decoded beyond the budget.

using picture::Format;
using test_support::TempDir;

// The process's peak resident memory so far, MB (ctest runs each test in a process of its own).
long peak_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PictureHeader, CraftedHeadersGiveTheirSizeWithoutPixels) {
  TempDir dir("picture_test");
  test_support::write_bytes(dir.path / "bomb.png", test_support::crafted_png(20000, 20000));
  test_support::write_bytes(dir.path / "bomb.jpg", test_support::crafted_jpeg(65000, 60000));
  test_support::write_bytes(dir.path / "photo.jpg", test_support::crafted_jpeg(8000, 6000));
  std::string error;
  auto png = picture::read_header(dir.path / "bomb.png", &error);
  ASSERT_TRUE(png) << error;
  EXPECT_EQ(png->format, Format::png);
  EXPECT_EQ(png->width, 20000);
  EXPECT_EQ(png->height, 20000);
  EXPECT_FALSE(picture::fits_budget(*png, &error));
  EXPECT_TRUE(contains(error, "20000x20000 px (400.0 Mpx)")) << error;
  EXPECT_TRUE(contains(error, "at most 8.3 Mpx")) << error;
  EXPECT_TRUE(contains(error, "resize it to at most 2160x2160 px")) << error;

  auto jpeg = picture::read_header(dir.path / "bomb.jpg", &error);
  ASSERT_TRUE(jpeg) << error;
  EXPECT_EQ(jpeg->format, Format::jpeg);
  EXPECT_EQ(jpeg->width, 65000);
  EXPECT_EQ(jpeg->height, 60000);
  EXPECT_FALSE(picture::fits_budget(*jpeg, &error));
  EXPECT_TRUE(contains(error, "even decoded at 1/8 it has 60.9 Mpx")) << error;
  EXPECT_TRUE(contains(error, "resize it to at most 2340x2160 px")) << error;

  auto photo = picture::read_header(dir.path / "photo.jpg", &error);
  ASSERT_TRUE(photo) << error;
  EXPECT_EQ(photo->width, 8000);
  EXPECT_TRUE(picture::fits_budget(*photo, &error));
}

TEST(PictureHeader, TruncatedAndForeignFilesAreRefusedCleanly) {
  TempDir dir("picture_test");
  const std::string png = test_support::crafted_png(20000, 20000);
  const std::string jpeg = test_support::crafted_jpeg(8000, 6000);
  std::string progressive = jpeg;
  progressive[3] = '\xc2';
  struct Case {
    std::string name, bytes, expected;
  };
  for (const Case& c :
       {Case{"empty.png", "", "not a PNG or JPEG"},
        Case{"text.png", "hello, world", "not a PNG or JPEG"},
        Case{"signature-only.png", png.substr(0, 8), "PNG header is damaged"},
        Case{"half-ihdr.png", png.substr(0, 20), "PNG header is damaged"},
        Case{"soi-only.jpg", jpeg.substr(0, 3), "JPEG header is damaged"},
        Case{"half-sof.jpg", jpeg.substr(0, 8), "JPEG header is damaged"},
        // progressive (SOF2), cut inside its components: their sampling factors
        // were never read, so its memory cannot be known
        Case{"half-progressive.jpg", progressive.substr(0, 13), "JPEG header is damaged"}}) {
    SCOPED_TRACE(c.name);
    test_support::write_bytes(dir.path / c.name, c.bytes);
    std::string error;
    EXPECT_FALSE(picture::read_header(dir.path / c.name, &error));
    EXPECT_TRUE(contains(error, c.expected)) << error;
    EXPECT_FALSE(load_picture(dir.path / c.name, &error));
    EXPECT_TRUE(contains(error, c.name)) << error;
  }
  std::string error;
  EXPECT_FALSE(picture::read_header(dir.path / "missing.png", &error));
  EXPECT_TRUE(contains(error, "cannot open it")) << error;
}

// The content decides, not the name: a PNG called .jpg decodes as the PNG it is, and a bomb
// called .jpg is still refused.
TEST(PictureHeader, AnExtensionThatLiesChangesNothing) {
  TempDir dir("picture_test");
  ASSERT_TRUE(test_support::write_flat_png(dir.path / "photo.jpg", 300, 200));
  test_support::write_bytes(dir.path / "small.jpg", test_support::crafted_png(20000, 20000));
  std::string error;
  auto header = picture::read_header(dir.path / "photo.jpg", &error);
  ASSERT_TRUE(header) << error;
  EXPECT_EQ(header->format, Format::png);
  auto picture = load_picture(dir.path / "photo.jpg", &error);
  ASSERT_TRUE(picture) << error;
  EXPECT_EQ(picture->width, 300);
  EXPECT_EQ(picture->height, 200);
  const text::Color c = picture->at(150, 100);
  EXPECT_EQ((std::array<int, 4>{c.r, c.g, c.b, c.a}), (std::array<int, 4>{40, 90, 160, 255}));
  EXPECT_FALSE(load_picture(dir.path / "small.jpg", &error));
  EXPECT_TRUE(contains(error, "20000x20000")) << error;
}

// A real 20000x20000 PNG (about 50 KB) is refused from its header: the process never grows by
// the 400 MB (1 byte a pixel) to 1.6 GB (RGBA) decoding it would take.
TEST(PictureBomb, A400MegapixelPngIsRefusedBeforeDecoding) {
  TempDir dir("picture_test");
  ASSERT_TRUE(test_support::write_flat_png(dir.path / "bomb.png", 20000, 20000));
  EXPECT_LT(std::filesystem::file_size(dir.path / "bomb.png"), 100'000u);
  const long before = peak_mb();
  std::string error;
  EXPECT_FALSE(load_picture(dir.path / "bomb.png", &error, {1920, 1080}));
  EXPECT_LT(peak_mb() - before, 16);
  EXPECT_TRUE(contains(error, "bomb.png")) << error;
  EXPECT_TRUE(contains(error, "20000x20000 px")) << error;
  EXPECT_TRUE(contains(error, "resize it to at most 2160x2160 px")) << error;
}

// An 8000x6000 phone photo (48 MP) for a 1920x1080 screen is decoded at 1/4 (2000x1500, the
// smallest libjpeg scale still covering the screen): 9 MB instead of 144 MB.
TEST(PictureBomb, A48MegapixelJpegDecodesReducedToTheScreen) {
  TempDir dir("picture_test");
  ASSERT_TRUE(test_support::write_quadrant_jpeg(dir.path / "photo.jpg", 8000, 6000));
  const long before = peak_mb();
  std::string error;
  auto picture = load_picture(dir.path / "photo.jpg", &error, {1920, 1080});
  ASSERT_TRUE(picture) << error;
  EXPECT_LT(peak_mb() - before, 24);
  EXPECT_EQ(picture->width, 2000);
  EXPECT_EQ(picture->height, 1500);
  EXPECT_EQ(picture->format, scene::Picture::Format::rgb);
  // The quadrants, sampled away from their edges (JPEG blurs a few pixels there).
  auto near = [](text::Color c, int r, int g, int b) {
    return std::abs(c.r - r) < 12 && std::abs(c.g - g) < 12 && std::abs(c.b - b) < 12;
  };
  EXPECT_TRUE(near(picture->at(500, 375), 220, 30, 30));
  EXPECT_TRUE(near(picture->at(1500, 375), 30, 200, 30));
  EXPECT_TRUE(near(picture->at(1500, 1125), 255, 255, 255));
  EXPECT_TRUE(near(picture->at(500, 1125), 30, 30, 220));
  // A portrait 1080x1920 screen needs 1920 rows: 1/2 would give them, but 4000x3000 is over the
  // budget (12 Mpx), so 1/4 again, drawn a little enlarged.
  picture = load_picture(dir.path / "photo.jpg", &error, {1080, 1920});
  ASSERT_TRUE(picture) << error;
  EXPECT_EQ(picture->width, 2000);
  EXPECT_EQ(picture->height, 1500);
}

TEST(PictureBomb, PlansStayWithinTheBudget) {
  const picture::Header photo{Format::jpeg, 8000, 6000, 0};
  std::string why;
  auto plan = picture::plan_decode(photo, {1920, 1080}, &why);
  ASSERT_TRUE(plan) << why;
  EXPECT_EQ(plan->reduction, 4);
  plan = picture::plan_decode(photo, {640, 360}, &why);
  ASSERT_TRUE(plan) << why;
  EXPECT_EQ(plan->reduction, 8);
  plan = picture::plan_decode({Format::jpeg, 6000, 4000, 0}, {1080, 1920}, &why);
  ASSERT_TRUE(plan) << why;
  EXPECT_EQ(plan->reduction, 2);  // 3000x2000: the 1920 rows a portrait screen needs
  // A screen as large as the photo would want it whole (48 Mpx): reduced until within 8.3 Mpx.
  plan = picture::plan_decode(photo, {8000, 6000}, &why);
  ASSERT_TRUE(plan) << why;
  EXPECT_EQ(plan->reduction, 4);
  EXPECT_LE(std::uint64_t(plan->width) * plan->height, picture::kMaxDecodedPixels);
  // Small pictures are decoded whole, PNGs always.
  plan = picture::plan_decode({Format::jpeg, 800, 600, 0}, {1920, 1080}, &why);
  ASSERT_TRUE(plan) << why;
  EXPECT_EQ(plan->reduction, 1);
  plan = picture::plan_decode({Format::png, 3840, 2160, 0}, {1280, 720}, &why);
  ASSERT_TRUE(plan) << why;
  EXPECT_EQ(plan->reduction, 1);
  EXPECT_FALSE(picture::plan_decode({Format::png, 3841, 2160, 0}, {1280, 720}, &why));
}

// A progressive JPEG is held whole (as DCT coefficients) however much it is reduced: a large
// one is refused from its header; a small one decodes.
TEST(PictureBomb, ProgressiveJpegsCountTheirWholeImage) {
  TempDir dir("picture_test");
  ASSERT_TRUE(test_support::write_quadrant_jpeg(dir.path / "big.jpg", 5000, 4000, true));
  ASSERT_TRUE(test_support::write_quadrant_jpeg(dir.path / "small.jpg", 640, 480, true));
  std::string error;
  auto header = picture::read_header(dir.path / "big.jpg", &error);
  ASSERT_TRUE(header) << error;
  // 4:2:0 in 16x16 MCUs (313 x 250): 6 blocks of 64 two-byte coefficients each.
  EXPECT_EQ(header->whole_image_bytes, 313u * 250 * 6 * 64 * 2);
  EXPECT_FALSE(load_picture(dir.path / "big.jpg", &error, {1920, 1080}));
  EXPECT_TRUE(contains(error, "progressive JPEG of 5000x4000 px")) << error;
  EXPECT_TRUE(contains(error, "baseline")) << error;
  auto small = load_picture(dir.path / "small.jpg", &error, {1920, 1080});
  ASSERT_TRUE(small) << error;
  EXPECT_EQ(small->width, 640);
}

// SDL2_image 2.6 decodes a grey PNG with a tRNS key into RGB565 garbage, so grey keys are checked
// against the same samples written without tRNS: the same greys, transparent exactly where the
// sample is the key (scaled to 8 bits as the greys are).
void expect_grey_key(const fs::path& keyed, int depth, bool interlaced, unsigned seed, int key) {
  const fs::path plain = keyed.parent_path() / "plain.png";
  ASSERT_TRUE(test_support::write_random_png(plain, 45, 29, PNG_COLOR_TYPE_GRAY, depth, interlaced,
                                             false, seed));
  std::string error;
  auto a = load_picture(keyed, &error), b = load_picture(plain, &error);
  ASSERT_TRUE(a && b) << error;
  const int key8 = depth == 16 ? -1 : key * 255 / ((1 << depth) - 1);  // 16 bits: not exact in 8
  int transparent = 0;
  for (int y = 0; y < a->height; ++y) {
    for (int x = 0; x < a->width; ++x) {
      const text::Color p = a->at(x, y), q = b->at(x, y);
      const bool same = p.r == q.r && p.g == q.g && p.b == q.b;
      ASSERT_TRUE(same) << x << "," << y;
      if (depth != 16) {
        ASSERT_EQ(p.a, q.r == key8 ? 0 : 255) << x << "," << y;
      }
      transparent += p.a == 0;
    }
  }
  if (depth == 8) {
    EXPECT_GE(transparent, a->height);  // the first pixel of every row is the key
  }
}

// Damaged files (bytes changed, cut short) are refused or decoded, never a crash (run it under
// the asan preset to check memory safety), and never more than the budget.
TEST(PictureHeader, DamagedFilesNeverCrash) {
  TempDir dir("picture_test");
  std::vector<std::string> originals;
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  ASSERT_TRUE(test_support::write_quadrant_jpeg(dir.path / "a.jpg", 64, 48));
  ASSERT_TRUE(test_support::write_quadrant_jpeg(dir.path / "b.jpg", 64, 48, true));
  ASSERT_TRUE(test_support::write_random_png(dir.path / "c.png", 33, 17, PNG_COLOR_TYPE_PALETTE, 4,
                                             true, true, 9));
  ASSERT_TRUE(test_support::write_random_png(dir.path / "d.png", 33, 17, PNG_COLOR_TYPE_RGB, 16,
                                             false, false, 9));
  for (const char* name : {"a.jpg", "b.jpg", "c.png", "d.png"})
    originals.push_back(read(dir.path / name));
  std::mt19937 random(13);
  int decoded = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = originals[std::size_t(i) % originals.size()];
    const int changes = 1 + int(random() % 4);
    for (int k = 0; k < changes; ++k) bytes[random() % bytes.size()] = char(random());
    if (random() % 3 == 0) bytes.resize(random() % bytes.size());
    test_support::write_bytes(dir.path / "damaged", bytes);
    std::string error;
    auto picture = load_picture(dir.path / "damaged", &error, {320, 200});
    if (picture) {
      ++decoded;
      EXPECT_LE(std::uint64_t(picture->width) * picture->height, picture::kMaxDecodedPixels);
    } else {
      EXPECT_FALSE(error.empty());
    }
  }
  EXPECT_GT(decoded, 0);
}

// PNGs are decoded with libpng straight into the picture; what they show is what SDL2_image's
// decoding of the same file shows: paletted, RGB and RGBA files as SDL writes them.
TEST(Picture, PngsDecodeToSdlImagesColours) {
  TempDir dir("picture_test");
  std::mt19937 random(5);
  for (Uint32 format : {SDL_PIXELFORMAT_INDEX8, SDL_PIXELFORMAT_RGB24, SDL_PIXELFORMAT_RGBA32}) {
    SCOPED_TRACE(SDL_GetPixelFormatName(format));
    SurfacePtr s = random_surface(61, 37, format, random, 16);
    ASSERT_TRUE(s);
    const fs::path file = dir.path / "p.png";
    ASSERT_EQ(IMG_SavePNG(s.get(), file.c_str()), 0) << IMG_GetError();
    SurfacePtr loaded(IMG_Load(file.c_str()));
    ASSERT_TRUE(loaded) << IMG_GetError();
    std::string error;
    auto picture = load_picture(file, &error);
    ASSERT_TRUE(picture) << error;
    expect_same_colours(*loaded, *picture);
  }
  // Every colour type and depth libpng writes, interlaced or not, with and without tRNS.
  struct Case {
    int type, depth;
  };
  unsigned seed = 1;
  for (Case c :
       {Case{PNG_COLOR_TYPE_GRAY, 1}, Case{PNG_COLOR_TYPE_GRAY, 4}, Case{PNG_COLOR_TYPE_GRAY, 8},
        Case{PNG_COLOR_TYPE_GRAY, 16}, Case{PNG_COLOR_TYPE_PALETTE, 2},
        Case{PNG_COLOR_TYPE_PALETTE, 8}, Case{PNG_COLOR_TYPE_RGB, 8}, Case{PNG_COLOR_TYPE_RGB, 16},
        Case{PNG_COLOR_TYPE_GRAY_ALPHA, 8}, Case{PNG_COLOR_TYPE_RGB_ALPHA, 16}}) {
    for (bool interlaced : {false, true}) {
      for (bool transparent : {false, true}) {
        if (transparent && (c.type & PNG_COLOR_MASK_ALPHA)) continue;
        SCOPED_TRACE("type " + std::to_string(c.type) + " depth " + std::to_string(c.depth) +
                     (interlaced ? " interlaced" : "") + (transparent ? " tRNS" : ""));
        const fs::path file = dir.path / "p.png";
        int key = 0;
        ASSERT_TRUE(test_support::write_random_png(file, 45, 29, c.type, c.depth, interlaced,
                                                   transparent, ++seed, &key));
        if (c.type == PNG_COLOR_TYPE_GRAY && transparent) {
          expect_grey_key(file, c.depth, interlaced, seed, key);
          continue;
        }
        SurfacePtr loaded(IMG_Load(file.c_str()));
        ASSERT_TRUE(loaded) << IMG_GetError();
        std::string error;
        auto picture = load_picture(file, &error);
        ASSERT_TRUE(picture) << error;
        expect_same_colours(*loaded, *picture);
      }
    }
  }
}

}  // namespace
}  // namespace signage::render
