// Golden-image comparison shared by the tests that draw: the actual image against a reviewed PNG,
// with a tolerance for antialiasing differences between FreeType builds and architectures.
// SIGNAGE_UPDATE_GOLDEN=1 writes the PNG instead (then look at it); a failure leaves the actual
// image and a diff (differing pixels red) in $SIGNAGE_GOLDEN_OUT or ./golden-failures.
#pragma once

#include <filesystem>
#include <string>

#include "text/text.h"

namespace signage::test_support {

constexpr int kChannelTolerance = 32;         // a pixel differs when a channel differs by more
constexpr double kMaxDifferingShare = 0.005;  // of all pixels

// How many pixels differ by more than the tolerance; `diff` (if given) gets the expected image
// darkened with the differing pixels in red.
std::size_t differing_pixels(const text::RgbaImage& actual, const text::RgbaImage& expected,
                             text::RgbaImage* diff = nullptr);

std::size_t allowed_differing_pixels(const text::RgbaImage& image,
                                     double max_share = kMaxDifferingShare);

// Adds a GoogleTest failure, with the paths of the images to look at, unless `actual` matches
// `golden_dir`/`name`.png: the same size, and at most `max_share` of the pixels differing.
void expect_matches_golden(const text::RgbaImage& actual, const std::filesystem::path& golden_dir,
                           const std::string& name, double max_share = kMaxDifferingShare);

}  // namespace signage::test_support
