// Picture files: what a PNG or JPEG header says, read by libpng and libjpeg without decoding a
// pixel, and the memory budget every decode must fit in.
//
//   auto header = picture::read_header(path, &error);       // format and size, a few KB read
//   auto plan = picture::plan_decode(*header, screen, &why); // whole, or a JPEG at 1/2, 1/4, 1/8
//
// The same rule is applied by `check`, `manifest` and `sign` (content), by the store before it
// takes an asset in (HTTP and USB), and by the decoder (render), so a picture the player cannot
// afford is refused where the author sees it, never by a player running out of memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace signage::picture {

enum class Format : std::uint8_t { png, jpeg };

struct Header {
  Format format = Format::png;
  int width = 0, height = 0;
  // JPEG only: a progressive (or multi-scan) JPEG is held whole as DCT coefficients before any
  // row comes out, whatever the scale: this many bytes. 0 for baseline JPEGs and PNGs.
  std::uint64_t whole_image_bytes = 0;
};

// The header of a PNG or JPEG, recognised by its content (not its name). nullopt and *error when
// the file cannot be read, is neither (then *not_a_picture is set too, when given), or its header
// is damaged or cut short.
std::optional<Header> read_header(const std::filesystem::path& path, std::string* error,
                                  bool* not_a_picture = nullptr);

struct Size {
  int width = 0, height = 0;
};

// The budget. A picture never needs more pixels than the screen, and the largest screen a player
// drives is 4K UHD: a decoded picture holds at most that many pixels, 33 MB as RGBA. With the
// player's own ~65 MB that stays far below the 256 MB a Pi unit may use (MemoryMax=256M).
constexpr Size kLargestScreen{3840, 2160};
constexpr std::uint64_t kMaxDecodedPixels =
    std::uint64_t(kLargestScreen.width) * std::uint64_t(kLargestScreen.height);
constexpr std::uint64_t kBudgetBytes = kMaxDecodedPixels * 4;

// How a picture is decoded: `reduction` 1 (whole) or, for a JPEG, 2, 4 or 8 (libjpeg scales
// while decoding, never holding the full size), giving width x height pixels.
struct Plan {
  int reduction = 1;
  int width = 0, height = 0;
};

// The plan for a picture shown on `screen` (the size the scene is laid out at): the largest
// reduction that still gives at least the screen's width and height (or the picture's own, when
// smaller), reduced further while over the budget. nullopt and *why (the picture's size, the
// limit and what to do, in words an author understands) when no plan fits the budget.
std::optional<Plan> plan_decode(const Header& header, Size screen, std::string* why);

// Whether the picture fits the budget on any screen (check, manifest, sign, the store).
bool fits_budget(const Header& header, std::string* why);

}  // namespace signage::picture
