// What a TextEngine keeps between calls: fonts, ICU break iterators per locale, a HarfBuzz
// buffer, and the half-width forms of punctuation.
#pragma once

#include <unicode/brkiter.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "fonts.h"
#include "text.h"

namespace signage::text {

// A punctuation glyph with the font's `halt` (or `vhal`) feature applied.
struct HalfWidthForm {
  std::uint32_t glyph = 0;
  float advance = 0;                 // in font units, along the line
  float x_offset = 0, y_offset = 0;  // in font units, as HarfBuzz gives them (y up)
  float ink_left = 0;  // horizontal: from the origin to the ink's left edge, in font units
};

struct TextEngine::State {
  std::vector<std::string> warnings;
  std::unique_ptr<FontLibrary> fonts;
  std::map<std::string, std::unique_ptr<icu::BreakIterator>> line_breakers;  // by locale
  std::map<std::string, std::unique_ptr<icu::BreakIterator>> word_breakers;  // by locale
  std::unique_ptr<icu::BreakIterator> graphemes;
  HbBuffer buffer;
  std::map<std::tuple<FaceIndex, char32_t, bool>, HalfWidthForm> half_width_forms;
};

}  // namespace signage::text
