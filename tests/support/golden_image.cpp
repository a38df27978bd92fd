#include "golden_image.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

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

}  // namespace

std::size_t differing_pixels(const text::RgbaImage& actual, const text::RgbaImage& expected,
                             text::RgbaImage* diff) {
  if (diff) *diff = text::RgbaImage(actual.width, actual.height);
  std::size_t differing = 0;
  for (int y = 0; y < actual.height; ++y) {
    for (int x = 0; x < actual.width; ++x) {
      const std::uint8_t* a = actual.at(x, y);
      const std::uint8_t* e = expected.at(x, y);
      bool differs = false;
      for (int k = 0; k < 4; ++k) differs = differs || std::abs(a[k] - e[k]) > kChannelTolerance;
      differing += differs;
      if (!diff) continue;
      std::uint8_t* d = diff->at(x, y);
      d[0] = differs ? 255 : e[0] / 4;
      d[1] = differs ? 0 : e[1] / 4;
      d[2] = differs ? 0 : e[2] / 4;
      d[3] = 255;
    }
  }
  return differing;
}

std::size_t allowed_differing_pixels(const text::RgbaImage& image, double max_share) {
  return std::size_t(double(image.width) * image.height * max_share);
}

void expect_matches_golden(const text::RgbaImage& actual, const fs::path& golden_dir,
                           const std::string& name, double max_share) {
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
    std::size_t differing = differing_pixels(actual, *expected, &diff);
    have_diff = true;
    if (differing > allowed_differing_pixels(actual, max_share)) {
      failure = std::to_string(differing) + " pixels differ by more than " +
                std::to_string(kChannelTolerance) + " in a channel (at most " +
                std::to_string(allowed_differing_pixels(actual, max_share)) + " may)";
    }
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
