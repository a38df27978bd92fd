// libFuzzer target: the player.conf parser on arbitrary text, and the settings it yields applied
// as `run` applies them. Built with clang only (SIGNAGE_BUILD_FUZZ); run it with tests/fuzz/run.sh.
//
// Today the parser is file-local in run_command.cpp (read_config, apply_args), so that file is
// compiled in here and the text goes through a file. When the parser takes text through an
// interface (e.g. parse_run_config in run_settings.h), call that in parse() instead.
#include "../../player/run_command.cpp"  // NOLINT: the parser has no interface yet

#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "support/temp_dir.h"

namespace {

void parse(std::string_view text) {
  static const signage::test_support::TempDir scratch("config-fuzz");
  static const std::string file = (scratch.path / "player.conf").string();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
  }
  std::string error;
  auto args = signage::read_config(file, &error);
  if (!args) {
    if (error.find(file) != 0) __builtin_trap();  // a refusal names the file (and line)
    return;
  }
  std::vector<std::string> texts;
  for (const auto& arg : *args) texts.push_back(arg.text);
  signage::RunSettings settings;
  bool help = false;
  (void)signage::apply_args(texts, settings, true, &help);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parse(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
