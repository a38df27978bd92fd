// Helpers shared by the text engine's source files.
#pragma once

#include <unicode/utext.h>

#include <memory>
#include <string_view>

namespace signage::text {

struct UtextCloser {
  void operator()(UText* t) const { utext_close(t); }
};
using UtextPtr = std::unique_ptr<UText, UtextCloser>;

// A UText over UTF-8 bytes that must outlive it; ICU then reports UTF-8 byte offsets.
UtextPtr open_utf8(std::string_view text);

// The code point starting at / ending at a byte offset of valid UTF-8.
char32_t code_point_at(std::string_view text, std::size_t offset);
char32_t code_point_before(std::string_view text, std::size_t offset);

}  // namespace signage::text
