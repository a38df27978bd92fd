// libFuzzer target: the playlist parser and checker, the schedule and the diagnostic formatter on
// arbitrary bytes. Built with clang only (SIGNAGE_BUILD_FUZZ); run it with tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "content/content.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

// A bundle folder with a PNG, a JPEG, a non-image and a link out, so asset checks are exercised.
const fs::path& bundle() {
  static const signage::test_support::TempDir scratch("playlist-fuzz");
  static const fs::path dir = [] {
    const fs::path& root = scratch.path;
    std::error_code ec;
    fs::create_directories(root / "bundle" / "images", ec);
    auto write = [](const fs::path& path, std::string_view bytes) {
      std::ofstream out(path, std::ios::binary);
      out.write(bytes.data(), std::streamsize(bytes.size()));
    };
    write(root / "bundle" / "images" / "a.png", std::string_view("\x89PNG\r\n\x1a\n0000", 12));
    write(root / "bundle" / "images" / "b.jpg", std::string_view("\xff\xd8\xff\xe0", 4));
    write(root / "bundle" / "images" / "c.png", "text");
    write(root / "outside.png", std::string_view("\x89PNG\r\n\x1a\n0000", 12));
    fs::create_symlink("../../outside.png", root / "bundle" / "images" / "out.png", ec);
    return root / "bundle";
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace signage::content;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.max_file_bytes = 1 << 20;
  ParseResult result = parse_playlist(bytes, "fuzz.json", bundle(), limits);
  std::size_t length = 0;
  for (const Diagnostic& d : result.diagnostics) length += format_diagnostic(d).size();
  if (result.playlist && !result.diagnostics.empty() && length == 0) __builtin_trap();
  if (result.playlist) {
    for (const Item& item : result.playlist->items) {
      for (std::int64_t t : {std::int64_t(0), std::int64_t(1711846800), std::int64_t(1730595600)}) {
        (void)is_eligible(item, t, result.playlist->timezone);
      }
    }
  }
  // The instant parser on its own, with the same bytes.
  (void)parse_instant(bytes.substr(0, 64));
  // `signage-player manifest` rewrites the "assets" member in place: whatever it accepts, it
  // must give back JSON, with and without a list.
  for (std::size_t n : {std::size_t(0), std::size_t(2)}) {
    std::vector<Asset> assets(n, Asset{"images/a \"b\".png", 7, std::string(64, 'a'), "", 0, 0});
    auto rewritten = with_asset_list(bytes, assets);
    if (rewritten && !nlohmann::json::accept(*rewritten)) __builtin_trap();
  }
  return 0;
}
