// Messages for authors: printable excerpts, "did you mean", and the one-line form of a diagnostic.
#include "content/diagnostics.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "content/content.h"

namespace signage::content {
namespace detail {

// Printable text for a message: control characters escaped, long strings cut.
std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  for (; i < text.size() && out.size() < max_bytes; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else if (c == 0xC2 && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80) {
      // A C1 control (U+0080..U+009F): some terminals act on them as on ESC sequences.
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(text[++i]));
      out += buffer;
    } else {
      out += char(c);
    }
  }
  if (i < text.size()) {
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  return out;
}

// Why the file is not UTF-8 text, and what to do: a NUL, a file saved as GBK, a bad byte.
std::string not_utf8_message(std::string_view json, const std::string& file,
                             const Utf8Problem& problem) {
  if (problem.kind == Utf8Problem::Kind::nul) {
    return "NUL byte in the file; a playlist is UTF-8 text";
  }
  if (looks_like_gb18030(json)) {
    return "the file is not UTF-8: it looks like GBK/GB18030 (the Chinese Windows \"ANSI\" "
           "encoding); save it as UTF-8 (Notepad: Save As, Encoding UTF-8; VS Code: Save with "
           "Encoding, UTF-8) or convert it: iconv -f GB18030 -t UTF-8 " +
           file + " > utf8.json";
  }
  char byte[8];
  std::snprintf(byte, sizeof byte, "%02x", unsigned(std::uint8_t(json[problem.offset])));
  return std::string("invalid UTF-8 (byte 0x") + byte + "); a playlist is UTF-8 text";
}

std::string quote_text(std::string_view text) {
  return "\"" + printable(text) + "\"";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool has_control_characters(std::string_view text, bool allow_newline) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && allow_newline) continue;
    if (c < 0x20 || c == 0x7f) return true;
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace detail

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = detail::printable(d.file, 4096);
  if (d.line > 0) out += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  out += d.severity == Severity::error ? ": error: " : ": warning: ";
  if (!d.pointer.empty()) out += detail::printable(d.pointer, 200) + ": ";
  out += detail::printable(d.message, 1000);
  return out;
}

}  // namespace signage::content
