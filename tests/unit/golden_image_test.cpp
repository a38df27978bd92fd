// Golden images: a few lines laid out and drawn black on white, compared with reviewed PNGs in
// tests/golden/images/ with a tolerance (antialiasing may differ slightly between FreeType
// builds). SIGNAGE_UPDATE_GOLDEN=1 writes the images instead; see tests/golden/README.md.
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

TEST(GoldenImageTolerance, ASmallShiftFailsTheComparison) {
  // The tolerance must not hide a layout change: the same line moved by 2 px does not pass.
  GoldenCase c{"shift", "会议指出，2024年以来。", 1200};
  RgbaImage image = render(c);
  RgbaImage shifted(image.width, image.height);
  std::fill(shifted.pixels.begin(), shifted.pixels.end(), 255);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 2; x < image.width; ++x) std::copy_n(image.at(x - 2, y), 4, shifted.at(x, y));
  }
  EXPECT_GT(test_support::differing_pixels(shifted, image),
            test_support::allowed_differing_pixels(image));
  EXPECT_EQ(test_support::differing_pixels(image, image), 0u);
}

}  // namespace
}  // namespace signage::text
