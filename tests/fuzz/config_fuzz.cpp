// libFuzzer target: the player.conf parser on arbitrary text, and the settings it yields checked
// as `run` checks them. Built with clang only (SIGNAGE_BUILD_FUZZ); run it with tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "run_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  signage::RunSettings settings;
  const std::string error = signage::parse_run_config("fuzz.conf", text, settings);
  if (!error.empty() && error.rfind("fuzz.conf:", 0) != 0) __builtin_trap();  // names FILE:LINE
  return 0;
}
