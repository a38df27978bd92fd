// Golden-image comparison shared by the tests that draw: the actual image against a reviewed PNG.
// A pixel differs when a channel differs by more than kChannelTolerance; the images match when no
// 8-connected group of differing pixels is larger than kMaxClusterPixels. What x86-64 and aarch64
// legitimately disagree on (antialiased glyph edges off by 1-2 levels, measured: see
// tests/golden/README.md) stays under the tolerance; a changed glyph, a glyph moved by 2 px or a
// colour changed by more than 4 levels over more than a speck makes a group far larger.
// SIGNAGE_UPDATE_GOLDEN=1 writes the PNG instead (then look at it); a failure leaves the actual
// image and a diff (differing pixels red) in $SIGNAGE_GOLDEN_OUT or ./golden-failures.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "text/text.h"

namespace signage::test_support {

constexpr int kChannelTolerance = 4;  // levels; aarch64 differs from x86-64 by at most 2
constexpr std::size_t kMaxClusterPixels = 4;

struct ImageDifference {
  bool same_size = true;
  int max_delta = 0;                // the largest channel difference anywhere
  std::size_t differing = 0;        // pixels differing by more than kChannelTolerance
  std::size_t largest_cluster = 0;  // pixels in the largest 8-connected group of those
  bool matches() const { return same_size && largest_cluster <= kMaxClusterPixels; }
};

// Compares `actual` with `expected`; `diff` (if given) gets the expected image darkened with the
// differing pixels in red.
ImageDifference compare_images(const text::RgbaImage& actual, const text::RgbaImage& expected,
                               text::RgbaImage* diff = nullptr);

std::string describe(const ImageDifference& difference);

// Adds a GoogleTest failure, with the paths of the images to look at, unless `actual` matches
// `golden_dir`/`name`.png.
void expect_matches_golden(const text::RgbaImage& actual, const std::filesystem::path& golden_dir,
                           const std::string& name);

}  // namespace signage::test_support
