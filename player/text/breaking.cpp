// Line break opportunities: ICU's UAX #14 (strict for Chinese and Japanese) plus the rules of
// "Requirements for Chinese Text Layout" (clreq) that UAX #14 leaves out.
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "engine_state.h"
#include "text_internal.h"

namespace signage::text {
namespace {

bool is_cjk_language(const icu::Locale& locale) {
  std::string_view language = locale.getLanguage();
  return language == "zh" || language == "ja" || language == "ko" || language == "yue";
}

// clreq, prohibition rules for line start: dashes (——, a range dash) and the middle dot (·) never
// begin a line. UAX #14 allows a break before B2 and AI. "……" needs nothing: UAX #14 already keeps
// IN together. The full-width solidus (分隔号) never begins a line either (clreq); UAX #14 makes it
// ID.
bool never_starts_line(char32_t c) {
  return c == 0x2014 || c == 0x2E3A || c == 0x2E3B || c == 0xFF5E || c == 0x00B7 || c == 0xFF0F;
}
// The middle dot joins the parts of a transliterated name: 马丁·路德.
bool never_ends_line(char32_t c) {
  return c == 0x00B7;
}

bool is_east_asian(char32_t c) {
  auto width = u_getIntPropertyValue(UChar32(c), UCHAR_EAST_ASIAN_WIDTH);
  return width == U_EA_WIDE || width == U_EA_FULLWIDTH || width == U_EA_HALFWIDTH;
}

int line_break_class(char32_t c) {
  return u_getIntPropertyValue(UChar32(c), UCHAR_LINE_BREAK);
}

// ICU 72's zh/ja rules treat “ as an opening and ” as a closing mark, but leave ‘ and ’ ambiguous
// (UAX #14 QU: no break on either side). Between East Asian characters they open and close as
// well (UAX #14 15.1 LB19a; ICU 74's line_cj rules): a line may break before ‘ and after ’.
bool break_before_single_quote(std::string_view text, std::size_t offset) {
  if (offset == 0 || offset >= text.size() || code_point_at(text, offset) != 0x2018) return false;
  char32_t before = code_point_before(text, offset);
  int lb = line_break_class(before);
  std::size_t after_quote = offset + U8_LENGTH(0x2018);
  return is_east_asian(before) && lb != U_LB_OPEN_PUNCTUATION && lb != U_LB_GLUE &&
         after_quote < text.size() && is_east_asian(code_point_at(text, after_quote));
}
bool break_after_single_quote(std::string_view text, std::size_t offset) {
  if (offset < U8_LENGTH(0x2019) || offset >= text.size() ||
      code_point_before(text, offset) != 0x2019) {
    return false;
  }
  std::size_t quote = offset - U8_LENGTH(0x2019);
  char32_t after = code_point_at(text, offset);
  int lb = line_break_class(after);
  return quote > 0 && is_east_asian(code_point_before(text, quote)) && is_east_asian(after) &&
         lb != U_LB_NONSTARTER && lb != U_LB_BREAK_AFTER && lb != U_LB_EXCLAMATION &&
         lb != U_LB_CLOSE_PUNCTUATION && lb != U_LB_INSEPARABLE && lb != U_LB_INFIX_NUMERIC &&
         lb != U_LB_GLUE;
}

icu::BreakIterator& line_breaker(TextEngine::State& state, std::string_view lang, bool* cjk_rules) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale =
      icu::Locale::forLanguageTag(icu::StringPiece(lang.data(), int32_t(lang.size())), status);
  if (U_FAILURE(status)) locale = icu::Locale::getRoot();
  *cjk_rules = is_cjk_language(locale);
  status = U_ZERO_ERROR;
  if (*cjk_rules) locale.setKeywordValue("lb", "strict", status);
  auto& breaker = state.line_breakers[locale.getName()];
  if (!breaker) {
    status = U_ZERO_ERROR;
    breaker.reset(icu::BreakIterator::createLineInstance(locale, status));
    if (U_FAILURE(status) || !breaker) {
      status = U_ZERO_ERROR;
      breaker.reset(icu::BreakIterator::createLineInstance(icu::Locale::getRoot(), status));
    }
  }
  return *breaker;
}

}  // namespace

UtextPtr open_utf8(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  return UtextPtr(utext_openUTF8(nullptr, text.data(), std::int64_t(text.size()), &status));
}

char32_t code_point_at(std::string_view text, std::size_t offset) {
  UChar32 c = 0;
  auto i = std::int32_t(offset);
  U8_NEXT(reinterpret_cast<const std::uint8_t*>(text.data()), i, std::int32_t(text.size()), c);
  return c < 0 ? 0xFFFD : char32_t(c);
}

char32_t code_point_before(std::string_view text, std::size_t offset) {
  UChar32 c = 0;
  auto i = std::int32_t(offset);
  U8_PREV(reinterpret_cast<const std::uint8_t*>(text.data()), 0, i, c);
  return c < 0 ? 0xFFFD : char32_t(c);
}

std::vector<BreakOpportunity> break_opportunities(TextEngine& engine, std::string_view text,
                                                  std::string_view lang) {
  std::vector<BreakOpportunity> breaks;
  if (text.empty()) return {{0, false}};
  bool cjk_rules = false;
  icu::BreakIterator& breaker = line_breaker(engine.state(), lang, &cjk_rules);
  UtextPtr utext = open_utf8(text);
  UErrorCode status = U_ZERO_ERROR;
  breaker.setText(utext.get(), status);
  for (std::int32_t at = breaker.next(); at != icu::BreakIterator::DONE; at = breaker.next()) {
    auto offset = std::size_t(at);
    bool mandatory = breaker.getRuleStatus() >= UBRK_LINE_HARD;
    if (cjk_rules && !mandatory && offset < text.size() &&
        (never_starts_line(code_point_at(text, offset)) ||
         never_ends_line(code_point_before(text, offset)))) {
      continue;
    }
    breaks.push_back({offset, mandatory});
  }
  // The iterator keeps a shallow copy of the UText; detach it before the text goes away.
  breaker.setText(icu::UnicodeString());
  if (cjk_rules) {
    std::vector<BreakOpportunity> quotes;
    for (std::size_t i = 0; i < text.size(); i += U8_LENGTH(code_point_at(text, i))) {
      if ((break_before_single_quote(text, i) || break_after_single_quote(text, i)) &&
          !never_starts_line(code_point_at(text, i))) {
        quotes.push_back({i, false});
      }
    }
    if (!quotes.empty()) {
      std::vector<BreakOpportunity> merged;
      std::merge(breaks.begin(), breaks.end(), quotes.begin(), quotes.end(),
                 std::back_inserter(merged),
                 [](const auto& a, const auto& b) { return a.offset < b.offset; });
      merged.erase(std::unique(merged.begin(), merged.end(),
                               [](const auto& a, const auto& b) { return a.offset == b.offset; }),
                   merged.end());
      breaks = std::move(merged);
    }
  }
  return breaks;
}

std::vector<std::size_t> word_starts(TextEngine& engine, std::string_view text,
                                     std::string_view lang) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale =
      icu::Locale::forLanguageTag(icu::StringPiece(lang.data(), int32_t(lang.size())), status);
  if (U_FAILURE(status)) locale = icu::Locale::getRoot();
  auto& breaker = engine.state().word_breakers[locale.getName()];
  if (!breaker) {
    status = U_ZERO_ERROR;
    breaker.reset(icu::BreakIterator::createWordInstance(locale, status));
    if (U_FAILURE(status)) breaker.reset();
  }
  std::vector<std::size_t> starts;
  if (!breaker || text.empty()) return starts;
  UtextPtr utext = open_utf8(text);
  status = U_ZERO_ERROR;
  breaker->setText(utext.get(), status);
  for (std::int32_t at = breaker->first(); at != icu::BreakIterator::DONE; at = breaker->next()) {
    starts.push_back(std::size_t(at));
  }
  breaker->setText(icu::UnicodeString());  // detach from the UText before it goes away
  return starts;
}

}  // namespace signage::text
