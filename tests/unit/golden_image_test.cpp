// Golden images: a few lines laid out and drawn black on white, compared with reviewed PNGs in
// tests/golden/images/ with a tolerance (antialiasing may differ slightly between FreeType
// builds). SIGNAGE_UPDATE_GOLDEN=1 writes the images instead; see tests/golden/README.md.
#include <SDL.h>
#include <SDL_image.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "render/render.h"
#include "text/text.h"

namespace signage::text {
namespace {

namespace fs = std::filesystem;

TextEngine& engine() {
  static std::unique_ptr<TextEngine> instance = [] {
    std::string error;
    auto e = TextEngine::create(fs::path(SIGNAGE_SOURCE_DIR) / "fonts", &error);
    if (!e) ADD_FAILURE() << "cannot create the text engine: " << error;
    return e;
  }();
  return *instance;
}

constexpr int kMargin = 20;
constexpr int kChannelTolerance = 32;         // a pixel differs when a channel differs by more
constexpr double kMaxDifferingShare = 0.005;  // of all pixels

fs::path golden_dir() {
  return fs::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / "images";
}

// Where failing comparisons leave the actual and diff images: $SIGNAGE_GOLDEN_OUT, else
// golden-failures/ in the test's working directory (ctest runs it in the build tree).
fs::path failure_dir() {
  if (const char* dir = std::getenv("SIGNAGE_GOLDEN_OUT"); dir && *dir) return dir;
  return fs::current_path() / "golden-failures";
}

bool updating() {
  const char* update = std::getenv("SIGNAGE_UPDATE_GOLDEN");
  return update && std::string(update) == "1";
}

std::optional<RgbaImage> load_png(const fs::path& path, std::string* error) {
  std::unique_ptr<SDL_Surface, decltype(&SDL_FreeSurface)> loaded(IMG_Load(path.c_str()),
                                                                  SDL_FreeSurface);
  if (!loaded) {
    *error = IMG_GetError();
    return std::nullopt;
  }
  std::unique_ptr<SDL_Surface, decltype(&SDL_FreeSurface)> rgba(
      SDL_ConvertSurfaceFormat(loaded.get(), SDL_PIXELFORMAT_RGBA32, 0), SDL_FreeSurface);
  if (!rgba) {
    *error = SDL_GetError();
    return std::nullopt;
  }
  RgbaImage image(rgba->w, rgba->h);
  SDL_LockSurface(rgba.get());
  for (int y = 0; y < rgba->h; ++y) {
    const auto* row =
        static_cast<const std::uint8_t*>(rgba->pixels) + std::ptrdiff_t(y) * rgba->pitch;
    std::copy_n(row, std::size_t(rgba->w) * 4, image.at(0, y));
  }
  SDL_UnlockSurface(rgba.get());
  return image;
}

struct GoldenCase {
  const char* name;
  const char* text;
  float width;
  bool vertical = false;
  const char* lang = "zh-Hans";
};

void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.name;
}

RgbaImage render(const GoldenCase& c) {
  LayoutOptions options;
  options.width = c.width;
  options.font_size = 40;
  options.vertical = c.vertical;
  options.lang = c.lang;
  Layout layout = lay_out(engine(), c.text, options);
  EXPECT_EQ(layout.missing_glyphs, 0);
  Extent extent = layout_extent(layout);
  RgbaImage image(extent.width + 2 * kMargin, extent.height + 2 * kMargin);
  std::fill(image.pixels.begin(), image.pixels.end(), 255);
  GlyphCache cache(engine().fonts(), AtlasLimits{});
  float x = c.vertical ? float(image.width - kMargin) : float(kMargin);
  draw_layout(layout, cache, image, x, float(kMargin), Color{0, 0, 0, 255});
  return image;
}

struct Comparison {
  std::size_t differing = 0;
  RgbaImage diff;  // expected faded to light grey, differing pixels red
};

Comparison compare(const RgbaImage& actual, const RgbaImage& expected) {
  Comparison result;
  result.diff = RgbaImage(actual.width, actual.height);
  for (int y = 0; y < actual.height; ++y) {
    for (int x = 0; x < actual.width; ++x) {
      const std::uint8_t* a = actual.at(x, y);
      const std::uint8_t* e = expected.at(x, y);
      bool differs = false;
      for (int k = 0; k < 4; ++k)
        differs = differs || std::abs(int(a[k]) - int(e[k])) > kChannelTolerance;
      std::uint8_t* d = result.diff.at(x, y);
      if (differs) {
        ++result.differing;
        d[0] = 255, d[1] = 0, d[2] = 0;
      } else {
        auto grey = std::uint8_t(255 - (255 - (e[0] + e[1] + e[2]) / 3) / 4);
        d[0] = d[1] = d[2] = grey;
      }
      d[3] = 255;
    }
  }
  return result;
}

class GoldenImage : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenImage, MatchesTheReviewedImage) {
  const GoldenCase& c = GetParam();
  RgbaImage actual = render(c);
  ASSERT_GT(actual.width, 2 * kMargin);
  ASSERT_GT(actual.height, 2 * kMargin);
  const fs::path golden = golden_dir() / (std::string(c.name) + ".png");
  if (updating()) {
    fs::create_directories(golden_dir());
    ASSERT_EQ(render::save_png(actual, golden.string()), "");
    std::cout << "updated " << golden << "\n";
    return;
  }
  std::string error;
  auto expected = load_png(golden, &error);
  ASSERT_TRUE(expected.has_value())
      << "cannot load " << golden << ": " << error
      << " (run with SIGNAGE_UPDATE_GOLDEN=1 to write it, then look at it)";

  std::string failure;
  std::optional<Comparison> comparison;
  if (actual.width != expected->width || actual.height != expected->height) {
    failure = "size " + std::to_string(actual.width) + "x" + std::to_string(actual.height) +
              ", expected " + std::to_string(expected->width) + "x" +
              std::to_string(expected->height);
  } else {
    comparison = compare(actual, *expected);
    auto allowed = std::size_t(double(actual.pixels.size() / 4) * kMaxDifferingShare);
    if (comparison->differing > allowed) {
      failure = std::to_string(comparison->differing) + " pixels differ by more than " +
                std::to_string(kChannelTolerance) + " in a channel (at most " +
                std::to_string(allowed) + " may)";
    }
  }
  if (failure.empty()) return;
  fs::create_directories(failure_dir());
  const fs::path actual_path = failure_dir() / (std::string(c.name) + "-actual.png");
  EXPECT_EQ(render::save_png(actual, actual_path.string()), "");
  std::string diff_note;
  if (comparison) {
    const fs::path diff_path = failure_dir() / (std::string(c.name) + "-diff.png");
    EXPECT_EQ(render::save_png(comparison->diff, diff_path.string()), "");
    diff_note = "\n  diff (red: differing pixels): " + diff_path.string();
  }
  ADD_FAILURE() << c.name << ": " << failure << "\n  expected: " << golden.string()
                << "\n  actual:   " << actual_path.string() << diff_note;
}

INSTANTIATE_TEST_SUITE_P(
    Lines, GoldenImage,
    ::testing::Values(
        // A headline: digits, Latin capitals, a decimal and a percent, "，" mid-line, a quoted
        // phrase whose closing "”" and "。" are compressed, and "。" trimmed at the line end.
        GoldenCase{"headline_zh", "2024年全市GDP增长5.2%，居民人均收入达到“新高”。", 1200},
        // Han, a colour emoji, Latin with an accent, and an Uyghur phrase (right to left, Noto
        // Sans Arabic) between Han characters.
        GoldenCase{"mixed_emoji_latin_uyghur", "欢迎😀Welcome，Café和ئۇيغۇرچە朋友！", 1200},
        // Two lines: no punctuation at a line start, the number kept whole.
        GoldenCase{"paragraph_two_lines",
                   "会议指出，2024年以来，全市经济运行稳中有进，社区服务“更贴心”。", 640},
        // Two columns, right to left: Han upright, digits and Latin turned sideways, "——" as
        // one vertical line, "，。" in the top-right corner of their cells.
        GoldenCase{"vertical_columns", "第12届Expo社区节——欢迎参加，不见不散。", 520, true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(GoldenImageTolerance, ASmallShiftFailsTheComparison) {
  // The tolerance must not hide a layout change: the same line moved by 2 px does not pass.
  GoldenCase c{"shift", "会议指出，2024年以来。", 1200};
  RgbaImage image = render(c);
  RgbaImage shifted(image.width, image.height);
  std::fill(shifted.pixels.begin(), shifted.pixels.end(), 255);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 2; x < image.width; ++x) std::copy_n(image.at(x - 2, y), 4, shifted.at(x, y));
  }
  auto allowed = std::size_t(double(image.pixels.size() / 4) * kMaxDifferingShare);
  EXPECT_GT(compare(shifted, image).differing, allowed);
  EXPECT_EQ(compare(image, image).differing, 0u);
}

}  // namespace
}  // namespace signage::text
