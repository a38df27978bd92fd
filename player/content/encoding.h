// Internal to content/: what is wrong with the bytes of a playlist as text, in terms an author can
// act on (an invalid byte, a file saved as GBK, a full-width colon typed for JSON's ':').
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace signage::content::detail {

struct Utf8Problem {
  enum class Kind { invalid, nul };
  Kind kind = Kind::invalid;
  std::size_t offset = 0;  // of the first bad byte
};

// The first invalid UTF-8 sequence or NUL character, if any.
std::optional<Utf8Problem> find_utf8_problem(std::string_view text);

// The length in bytes of the UTF-8 character starting at `offset` (1 for an invalid byte; 0 at
// the end).
std::size_t utf8_char_length(std::string_view text, std::size_t offset);

// A character typed for one of JSON's own marks with a Chinese input method: full-width
// punctuation ('：' for ':'), curly quotes ('“' for '"'), the ideographic comma '、'.
struct Lookalike {
  std::string text;  // the character as typed, whole
  std::string name;  // "full-width", "curly quote"
  char ascii = 0;    // what JSON needs there
  std::size_t length = 0;
};
std::optional<Lookalike> json_lookalike(std::string_view text, std::size_t offset);

// Bytes that are not UTF-8 but decode as GB18030 (a superset of GBK) without error and hold
// Chinese characters: a file saved in the Chinese Windows "ANSI" encoding.
bool looks_like_gb18030(std::string_view bytes);

}  // namespace signage::content::detail
