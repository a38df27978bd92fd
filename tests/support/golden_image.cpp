#include "golden_image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "render/render.h"

namespace signage::test_support {
namespace {

namespace fs = std::filesystem;

fs::path failure_dir() {
  if (const char* dir = std::getenv("SIGNAGE_GOLDEN_OUT"); dir && *dir) return dir;
  return fs::current_path() / "golden-failures";
}

bool updating() {
  const char* update = std::getenv("SIGNAGE_UPDATE_GOLDEN");
  return update && std::string(update) == "1";
}

int channel_delta(const std::uint8_t* a, const std::uint8_t* e) {
  int delta = 0;
  for (int k = 0; k < 4; ++k) delta = std::max(delta, std::abs(a[k] - e[k]));
  return delta;
}

// The size of the 8-connected group of marked pixels that holds `start`, unmarking them.
std::size_t take_cluster(std::vector<std::uint8_t>& marked, int width, int height, int start) {
  std::size_t size = 0;
  std::vector<int> stack{start};
  marked[start] = 0;
  while (!stack.empty()) {
    const int p = stack.back();
    stack.pop_back();
    ++size;
    const int px = p % width, py = p / width;
    for (int y = std::max(py - 1, 0); y <= std::min(py + 1, height - 1); ++y) {
      for (int x = std::max(px - 1, 0); x <= std::min(px + 1, width - 1); ++x) {
        const int q = y * width + x;
        if (!marked[q]) continue;
        marked[q] = 0;
        stack.push_back(q);
      }
    }
  }
  return size;
}

}  // namespace

ImageDifference compare_images(const text::RgbaImage& actual, const text::RgbaImage& expected,
                               text::RgbaImage* diff) {
  ImageDifference result;
  if (actual.width != expected.width || actual.height != expected.height) {
    result.same_size = false;
    return result;
  }
  const int width = actual.width, height = actual.height;
  std::vector<std::uint8_t> marked(std::size_t(width) * height, 0);
  if (diff) *diff = text::RgbaImage(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int delta = channel_delta(actual.at(x, y), expected.at(x, y));
      const bool differs = delta > kChannelTolerance;
      result.max_delta = std::max(result.max_delta, delta);
      result.differing += differs;
      marked[std::size_t(y) * width + x] = differs;
      if (!diff) continue;
      const std::uint8_t* e = expected.at(x, y);
      std::uint8_t* d = diff->at(x, y);
      d[0] = differs ? 255 : e[0] / 4;
      d[1] = differs ? 0 : e[1] / 4;
      d[2] = differs ? 0 : e[2] / 4;
      d[3] = 255;
    }
  }
  for (int p = 0; p < width * height; ++p) {
    if (marked[p]) {
      result.largest_cluster =
          std::max(result.largest_cluster, take_cluster(marked, width, height, p));
    }
  }
  return result;
}

std::string describe(const ImageDifference& difference) {
  if (!difference.same_size) return "the sizes differ";
  return std::to_string(difference.differing) + " pixels differ by more than " +
         std::to_string(kChannelTolerance) + " in a channel (largest difference " +
         std::to_string(difference.max_delta) + "), the largest connected group has " +
         std::to_string(difference.largest_cluster) + " pixels (at most " +
         std::to_string(kMaxClusterPixels) + " may)";
}

void expect_matches_golden(const text::RgbaImage& actual, const fs::path& golden_dir,
                           const std::string& name) {
  const fs::path golden = golden_dir / (name + ".png");
  if (updating()) {
    fs::create_directories(golden_dir);
    EXPECT_EQ(render::save_png(actual, golden.string()), "");
    std::cout << "updated " << golden.string() << "\n";
    return;
  }
  std::string error;
  auto expected = render::load_image(golden, &error);
  if (!expected) {
    ADD_FAILURE() << "cannot load " << golden.string() << ": " << error
                  << " (SIGNAGE_UPDATE_GOLDEN=1 writes it; then look at it)";
    return;
  }
  std::string failure;
  text::RgbaImage diff;
  bool have_diff = false;
  if (actual.width != expected->width || actual.height != expected->height) {
    failure = "size " + std::to_string(actual.width) + "x" + std::to_string(actual.height) +
              ", expected " + std::to_string(expected->width) + "x" +
              std::to_string(expected->height);
  } else {
    const ImageDifference difference = compare_images(actual, *expected, &diff);
    have_diff = true;
    if (!difference.matches()) failure = describe(difference);
  }
  if (failure.empty()) return;
  fs::create_directories(failure_dir());
  const fs::path actual_path = failure_dir() / (name + "-actual.png");
  EXPECT_EQ(render::save_png(actual, actual_path.string()), "");
  std::string diff_note;
  if (have_diff) {
    const fs::path diff_path = failure_dir() / (name + "-diff.png");
    EXPECT_EQ(render::save_png(diff, diff_path.string()), "");
    diff_note = "\n  diff (red: differing pixels): " + diff_path.string();
  }
  ADD_FAILURE() << name << ": " << failure << "\n  expected: " << golden.string()
                << "\n  actual:   " << actual_path.string() << diff_note;
}

}  // namespace signage::test_support
