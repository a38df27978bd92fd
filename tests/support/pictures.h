// Picture files made at test time with libpng and libjpeg, so no large binary is committed: real
// photos of any size, and crafted headers that claim sizes their files do not hold.
#pragma once

#include <filesystem>
#include <string>

namespace signage::test_support {

// A valid PNG of w x h, 1 bit a pixel, all one colour: 20000x20000 is about 50 KB on disk and
// 400 million pixels decoded.
bool write_flat_png(const std::filesystem::path& path, int w, int h);

// A valid PNG of w x h with random samples of the given libpng colour type and bit depth
// (PNG_COLOR_TYPE_*, 1 to 16), interlaced or not, seeded; with a tRNS chunk when `transparent`
// (a grey or RGB colour key, or alpha for the first palette entries). The same seed gives the
// same samples with or without tRNS; *grey_key is the grey key's sample value.
bool write_random_png(const std::filesystem::path& path, int w, int h, int colour_type,
                      int bit_depth, bool interlaced, bool transparent, unsigned seed,
                      int* grey_key = nullptr);

// A valid JPEG of w x h: four quadrants, red, green, blue and white from the top left, clockwise.
bool write_quadrant_jpeg(const std::filesystem::path& path, int w, int h, bool progressive = false);

// The PNG signature, an IHDR saying w x h (8-bit RGBA) with its correct CRC, and IEND: no pixels.
std::string crafted_png(int w, int h);

// SOI, a baseline frame header (SOF0) saying w x h with three components, and EOI: no pixels.
std::string crafted_jpeg(int w, int h);

void write_bytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace signage::test_support
