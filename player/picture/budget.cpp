// The decode budget: which size a picture is decoded at, and the message when none fits.
#include <algorithm>
#include <cstdio>

#include "picture/picture.h"

namespace signage::picture {

namespace {

std::uint64_t pixels(int w, int h) {
  return std::uint64_t(w) * std::uint64_t(h);
}

std::string size_text(int w, int h) {
  return std::to_string(w) + "x" + std::to_string(h);
}

std::string megapixels(std::uint64_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f Mpx", double(n) / 1e6);
  return text;
}

// The largest size with the picture's proportions that the largest screen shows whole, in
// either orientation: what an author should resize to.
std::string advice(const Header& h) {
  const int long_side = std::max(h.width, h.height), short_side = std::min(h.width, h.height);
  const double scale = std::min(
      {1.0, double(kLargestScreen.width) / long_side, double(kLargestScreen.height) / short_side});
  const int w = std::max(1, int(h.width * scale)), hh = std::max(1, int(h.height * scale));
  return "resize it to at most " + size_text(w, hh) + " px (no screen shows more than " +
         size_text(kLargestScreen.width, kLargestScreen.height) + ")";
}

Plan reduced(const Header& h, int reduction) {
  // libjpeg's output size at scale 1/n: the size divided by n, rounded up.
  return Plan{reduction, (h.width + reduction - 1) / reduction,
              (h.height + reduction - 1) / reduction};
}

int largest_reduction(const Header& h) {
  return h.format == Format::jpeg ? 8 : 1;
}

}  // namespace

std::optional<Plan> plan_decode(const Header& header, Size screen, std::string* why) {
  if (!fits_budget(header, why)) return std::nullopt;
  const int most = largest_reduction(header);
  const int need_w = std::min(header.width, std::max(1, screen.width));
  const int need_h = std::min(header.height, std::max(1, screen.height));
  int n = 1;
  while (n < most) {
    const Plan next = reduced(header, n * 2);
    if (next.width < need_w || next.height < need_h) break;
    n *= 2;
  }
  while (pixels(reduced(header, n).width, reduced(header, n).height) > kMaxDecodedPixels) n *= 2;
  return reduced(header, n);
}

bool fits_budget(const Header& header, std::string* why) {
  const std::uint64_t limit_mb = kBudgetBytes / 1'000'000;
  const std::string size = size_text(header.width, header.height) + " px (" +
                           megapixels(pixels(header.width, header.height)) + ")";
  if (header.whole_image_bytes > kBudgetBytes) {
    *why = "is a progressive JPEG of " + size + ", which is decoded whole, taking " +
           std::to_string(header.whole_image_bytes / 1'000'000) + " MB; a picture may take " +
           std::to_string(limit_mb) + " MB: save it as a baseline (not progressive) JPEG, or " +
           advice(header);
    return false;
  }
  const Plan smallest = reduced(header, largest_reduction(header));
  if (pixels(smallest.width, smallest.height) <= kMaxDecodedPixels) return true;
  const std::string limit = "a picture may have at most " + megapixels(kMaxDecodedPixels) +
                            " once decoded (" + std::to_string(limit_mb) + " MB)";
  if (header.format == Format::png) {
    *why = "is a PNG of " + size + "; a PNG is decoded whole, and " + limit + ": " + advice(header);
  } else {
    *why = "is a JPEG of " + size + "; even decoded at 1/8 it has " +
           megapixels(pixels(smallest.width, smallest.height)) + ", and " + limit + ": " +
           advice(header);
  }
  return false;
}

}  // namespace signage::picture
