// UTF-8 checks with ICU's macros, look-alike punctuation through ICU's NFKC normalizer, GBK
// detection with ICU's GB18030 converter.
#include "content/encoding.h"

#include <unicode/ucnv.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace signage::content::detail {
namespace {

// The code point at `offset` and its length; a negative code point for an invalid sequence.
UChar32 decode_at(std::string_view text, std::size_t offset, std::size_t* length) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  // Only the few bytes of one character are looked at, so the int32_t indices cannot overflow.
  auto end = std::int32_t(std::min<std::size_t>(text.size() - offset, 4));
  std::int32_t i = 0;
  UChar32 c = 0;
  U8_NEXT(bytes + offset, i, end, c);
  *length = std::size_t(i);
  return c;
}

// What NFKC makes of `c` when that is one ASCII character (full-width forms: '：' -> ':').
char nfkc_ascii(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfkc = unorm2_getNFKCInstance(&status);
  if (U_FAILURE(status)) return 0;
  UChar in[2];
  std::int32_t in_length = 0;
  U16_APPEND_UNSAFE(in, in_length, c);
  UChar out[8];
  std::int32_t n = unorm2_normalize(nfkc, in, in_length, out, 8, &status);
  return U_SUCCESS(status) && n == 1 && out[0] < 0x80 ? char(out[0]) : 0;
}

}  // namespace

std::optional<Utf8Problem> find_utf8_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 0;
    UChar32 c = decode_at(text, i, &length);
    if (c < 0) return Utf8Problem{Utf8Problem::Kind::invalid, i};
    if (c == 0) return Utf8Problem{Utf8Problem::Kind::nul, i};
    i += length;
  }
  return std::nullopt;
}

std::size_t utf8_char_length(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return 0;
  std::size_t length = 0;
  return decode_at(text, offset, &length) < 0 ? 1 : length;
}

std::optional<Lookalike> json_lookalike(std::string_view text, std::size_t offset) {
  if (offset >= text.size() || static_cast<unsigned char>(text[offset]) < 0x80) return std::nullopt;
  std::size_t length = 0;
  UChar32 c = decode_at(text, offset, &length);
  if (c < 0) return std::nullopt;
  Lookalike l;
  l.text = std::string(text.substr(offset, length));
  l.length = length;
  switch (c) {
    case 0x201C:
    case 0x201D:
    case 0x2018:
    case 0x2019:  // “ ” ‘ ’
      l.name = "curly quote";
      l.ascii = '"';
      return l;
    case 0x300C:
    case 0x300D:  // 「 」
      l.name = "corner bracket";
      l.ascii = '"';
      return l;
    case 0x3001:  // 、
      l.name = "ideographic comma";
      l.ascii = ',';
      return l;
    case 0x3002:  // 。 typed for the '.' of a number
      l.name = "ideographic full stop";
      l.ascii = '.';
      return l;
    default: break;
  }
  char ascii = nfkc_ascii(c);
  if (ascii == 0 ||
      std::string_view("{}[]:,\"' .-+0123456789").find(ascii) == std::string_view::npos) {
    return std::nullopt;
  }
  l.name = ascii == ' ' ? "full-width space" : "full-width";
  l.ascii = ascii == '\'' ? '"' : ascii;
  return l;
}

bool looks_like_gb18030(std::string_view bytes) {
  if (bytes.size() > std::size_t(std::numeric_limits<std::int32_t>::max() / 2)) return false;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> converter(ucnv_open("GB18030", &status),
                                                               &ucnv_close);
  if (U_FAILURE(status)) return false;
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  // GB18030 never takes fewer bytes than UTF-16 units.
  std::vector<UChar> text(bytes.size() + 1);
  std::int32_t n = ucnv_toUChars(converter.get(), text.data(), std::int32_t(text.size()),
                                 bytes.data(), std::int32_t(bytes.size()), &status);
  if (U_FAILURE(status)) return false;
  for (std::int32_t i = 0; i < n;) {
    UChar32 c = 0;
    U16_NEXT(text.data(), i, n, c);
    UErrorCode script_status = U_ZERO_ERROR;
    if (uscript_getScript(c, &script_status) == USCRIPT_HAN) return true;
  }
  return false;
}

}  // namespace signage::content::detail
