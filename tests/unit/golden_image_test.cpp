// Golden images: a few lines laid out and drawn black on white, compared with reviewed PNGs in
// tests/golden/images/ (support/golden_image.h); and the comparison itself: the changes it must
// catch fail it, the antialiasing noise between architectures passes. SIGNAGE_UPDATE_GOLDEN=1
// writes the images instead; see tests/golden/README.md.
#include "support/golden_image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "render/render.h"
#include "support/engine.h"
#include "text/text.h"

namespace signage::text {
namespace {

namespace fs = std::filesystem;

using test_support::engine;

constexpr int kMargin = 20;

fs::path golden_dir() {
  return fs::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / "images";
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

class GoldenImage : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenImage, MatchesTheReviewedImage) {
  const GoldenCase& c = GetParam();
  RgbaImage actual = render(c);
  ASSERT_GT(actual.width, 2 * kMargin);
  ASSERT_GT(actual.height, 2 * kMargin);
  test_support::expect_matches_golden(actual, golden_dir(), c.name);
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

// The comparison must catch each of these on the text goldens (tests/golden/README.md).

RgbaImage load_golden(const std::string& name) {
  std::string error;
  auto image = render::load_image(golden_dir() / (name + ".png"), &error);
  EXPECT_TRUE(image) << error;
  return image ? *image : RgbaImage();
}

void expect_fails(const RgbaImage& actual, const RgbaImage& expected, const std::string& what) {
  const auto difference = test_support::compare_images(actual, expected);
  EXPECT_FALSE(difference.matches()) << what << " passed: " << test_support::describe(difference);
}

// `image` with the rectangle [x0, x1) x [y0, y1) moved by (dx, dy); the hole is white.
RgbaImage moved(const RgbaImage& image, int x0, int y0, int x1, int y1, int dx, int dy) {
  RgbaImage out = image;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) std::fill_n(out.at(x, y), 4, 255);
  }
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      if (x + dx >= 0 && x + dx < out.width && y + dy >= 0 && y + dy < out.height) {
        std::copy_n(image.at(x, y), 4, out.at(x + dx, y + dy));
      }
    }
  }
  return out;
}

TEST(GoldenImageComparison, AChangedDigitFails) {
  const RgbaImage golden = load_golden("headline_zh");
  expect_fails(render({"digit", "2024年全市GDP增长5.3%，居民人均收入达到“新高”。", 1200}), golden,
               "5.2% -> 5.3%");
  expect_fails(render({"year", "2023年全市GDP增长5.2%，居民人均收入达到“新高”。", 1200}), golden,
               "2024 -> 2023");
}

TEST(GoldenImageComparison, AGlyphMovedByTwoPixelsFails) {
  const RgbaImage golden = load_golden("headline_zh");
  // The first glyph ("2", 40 px text after a 20 px margin) alone, then the whole line.
  const int glyph_end = kMargin + 22;
  for (auto [dx, dy] : {std::pair{2, 0}, {-2, 0}, {0, 2}, {0, -2}}) {
    const std::string how = " by (" + std::to_string(dx) + ", " + std::to_string(dy) + ")";
    expect_fails(moved(golden, kMargin - 2, 0, glyph_end, golden.height, dx, dy), golden,
                 "the first glyph moved" + how);
    expect_fails(moved(golden, 0, 0, golden.width, golden.height, dx, dy), golden,
                 "the line moved" + how);
  }
}

TEST(GoldenImageComparison, AColourChangedBySixteenLevelsFails) {
  for (const char* name : {"headline_zh", "mixed_emoji_latin_uyghur"}) {
    const RgbaImage golden = load_golden(name);
    RgbaImage text = golden, background = golden;
    for (std::size_t i = 0; i < golden.pixels.size(); i += 4) {
      for (int k = 0; k < 3; ++k) {
        std::uint8_t& t = text.pixels[i + k];
        std::uint8_t& b = background.pixels[i + k];
        if (t < 255) t = std::uint8_t(std::min(t + 16, 255));  // black text -> #101010
        if (b == 255) b = 255 - 16;                            // white -> #efefef
      }
    }
    expect_fails(text, golden, std::string(name) + ": the text 16 levels lighter");
    expect_fails(background, golden, std::string(name) + ": the background 16 levels darker");
  }
}

// What differs between x86-64 and aarch64 builds (measured, tests/golden/README.md): antialiased
// edge pixels off by 1 or 2 levels. Every edge pixel of every golden off by 2 still matches.
TEST(GoldenImageComparison, AntialiasingOffByTwoLevelsPasses) {
  for (const char* name :
       {"headline_zh", "mixed_emoji_latin_uyghur", "paragraph_two_lines", "vertical_columns"}) {
    const RgbaImage golden = load_golden(name);
    RgbaImage noisy = golden;
    std::size_t changed = 0;
    for (std::size_t i = 0; i < noisy.pixels.size(); ++i) {
      std::uint8_t& v = noisy.pixels[i];
      if (i % 4 == 3 || v < 2 || v > 253) continue;  // edges only: not the flat text or paper
      v = std::uint8_t((i / 4) % 2 ? v + 2 : v - 2);
      ++changed;
    }
    EXPECT_GT(changed, 1000u) << name;
    const auto difference = test_support::compare_images(noisy, golden);
    EXPECT_TRUE(difference.matches()) << name << ": " << test_support::describe(difference);
    EXPECT_EQ(difference.max_delta, 2) << name;
  }
}

TEST(GoldenImageComparison, TheSameImageMatches) {
  const RgbaImage golden = load_golden("headline_zh");
  const auto difference = test_support::compare_images(golden, golden);
  EXPECT_TRUE(difference.matches());
  EXPECT_EQ(difference.differing, 0u);
  EXPECT_EQ(difference.max_delta, 0);
}

}  // namespace
}  // namespace signage::text
