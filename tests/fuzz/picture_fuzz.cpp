// libFuzzer target: picture files as the store and the player meet them: the header reader
// (libpng, libjpeg) and, when the header fits the budget, the decoder at a 1080p screen. Whatever
// the bytes, a picture is refused with a message or decoded within its plan's size. Built with
// clang only (SIGNAGE_BUILD_FUZZ); run it with tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "picture/picture.h"
#include "render/render.h"
#include "support/temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const signage::test_support::TempDir scratch("picture-fuzz");
  static const auto file = scratch.path / "picture";
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  std::string error;
  auto header = signage::picture::read_header(file, &error);
  if (!header) {
    if (error.empty()) __builtin_trap();  // a refusal says why
    return 0;
  }
  const signage::picture::Size screen{1920, 1080};
  auto plan = signage::picture::plan_decode(*header, screen, &error);
  if (!plan) return 0;
  auto picture = signage::render::load_picture(file, &error, {screen.width, screen.height});
  if (picture && (picture->width != plan->width || picture->height != plan->height)) {
    __builtin_trap();  // never larger than planned
  }
  if (!picture && error.empty()) __builtin_trap();
  return 0;
}
