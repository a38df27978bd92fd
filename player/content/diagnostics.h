// Internal to content/: turning what the checker finds into messages an author can read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "content/encoding.h"

namespace signage::content::detail {

// Printable text for a message: control characters escaped, long strings cut.
std::string printable(std::string_view text, std::size_t max_bytes = 60);

// `text` printable and in double quotes.
std::string quote_text(std::string_view text);

// Why the file is not UTF-8 text, and what to do: a NUL, a file saved as GBK, a bad byte.
std::string not_utf8_message(std::string_view json, const std::string& file,
                             const Utf8Problem& problem);

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);

// C0 controls, DEL and C1 controls; "\n" only when `allow_newline` is false.
bool has_control_characters(std::string_view text, bool allow_newline);

}  // namespace signage::content::detail
