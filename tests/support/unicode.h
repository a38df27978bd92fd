// Code points to UTF-8 for tests that build text from numbers (LineBreakTest.txt, escapes,
// ranges of Han characters), with ICU's encoder.
#pragma once

#include <unicode/utf8.h>

#include <string>

namespace signage::test_support {

inline void append_utf8(std::string& out, char32_t c) {
  char bytes[U8_MAX_LENGTH];
  std::int32_t length = 0;
  U8_APPEND_UNSAFE(bytes, length, UChar32(c));
  out.append(bytes, std::size_t(length));
}

inline std::string utf8(char32_t c) {
  std::string out;
  append_utf8(out, c);
  return out;
}

}  // namespace signage::test_support
