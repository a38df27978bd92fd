// libFuzzer target: the live-data parsers (sync/feeds.h) on arbitrary bytes: an RSS/Atom feed,
// the HTML of a title, a JSON document at a pointer, a CSV table at a column and row. The first
// byte picks the parser. Built with clang only (SIGNAGE_BUILD_FUZZ); run it with tests/fuzz/run.sh.
#include <libxml/parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sync/feeds.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  xmlInitParser();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  switch (data[0] % 4) {
    case 0:
      if (auto items = signage::sync::parse_feed(text, 50, &error)) {
        for (const std::string& item : *items) {
          if (item.empty() || item.size() > 4 * 210) __builtin_trap();  // plain, within the limit
        }
      } else if (error.empty()) {
        __builtin_trap();  // a refusal says why
      }
      break;
    case 1: {
      const std::string title = signage::sync::plain_title(text, 20);
      if (title.find('<') != std::string::npos && text.find('<') == std::string_view::npos &&
          text.find('&') == std::string_view::npos) {
        __builtin_trap();  // markup appeared from nowhere
      }
      break;
    }
    case 2:
      if (auto value = signage::sync::json_value(text, "/data/0/value", &error)) {
        if (!signage::sync::is_statistic_number(*value)) __builtin_trap();
      }
      break;
    default: {
      signage::content::ValueSource source;
      source.csv_column = "value";
      source.csv_row = size % 3;
      if (auto value = signage::sync::csv_value(text, source, &error)) {
        if (!signage::sync::is_statistic_number(*value)) __builtin_trap();
      }
    }
  }
  return 0;
}
