// Unicode's LineBreakTest.txt (UAX #14 test data, Debian package unicode-data) run through the
// engine's break-opportunity API, break_opportunities().
//
// Every case of the file gives a string and, between each pair of code points, whether a line may
// break there. The engine must give exactly that, except where a documented rule says otherwise.
// Two sets of documented rules exist (tests/golden/linebreak/TAILORING.md explains each one, why it
// exists and how many cases it changes):
//  - ICU's own deviations from the UAX #14 revision of the test file. ICU 72 (Debian 12) ships two
//    tailorings that Unicode adopted only in 15.1: a hyphen at the start of the text stays with the
//    letters after it, and a decimal separator followed by a digit starts a number. They apply to
//    every language.
//  - The engine's clreq tailoring for Chinese and Japanese (player/text/breaking.cpp).
// A mismatch that no documented rule explains fails the test and is listed with its line number.
#include <gtest/gtest.h>
#include <unicode/uchar.h>
#include <unicode/uversion.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/engine.h"
#include "support/unicode.h"
#include "text/text.h"

namespace signage::text {
namespace {

using test_support::engine;

std::filesystem::path test_file() {
  if (const char* env = std::getenv("SIGNAGE_LINE_BREAK_TEST"); env && *env) return env;
  return "/usr/share/unicode/auxiliary/LineBreakTest.txt";
}

struct Case {
  int line = 0;                    // in the test file
  std::vector<char32_t> text;      // code points
  std::vector<bool> break_before;  // [i]: may a line break before text[i]; [0] unused
  std::string comment;             // the file's explanation (rule numbers)
};

struct TestFile {
  std::string version;  // "15.0.0", from the first line "# LineBreakTest-15.0.0.txt"
  std::vector<Case> cases;
};

std::optional<TestFile> read_test_file(const std::filesystem::path& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path.string() + ": cannot read (on Debian: apt-get install unicode-data)";
    return std::nullopt;
  }
  TestFile file;
  std::string line;
  const std::string no_break = "\u00d7", can_break = "\u00f7";
  for (int number = 1; std::getline(in, line); ++number) {
    if (number == 1) {
      auto at = line.find("LineBreakTest-");
      auto end = line.find(".txt");
      if (at != std::string::npos && end != std::string::npos) {
        at += std::string_view("LineBreakTest-").size();
        file.version = line.substr(at, end - at);
      }
    }
    auto hash = line.find('#');
    std::string body = line.substr(0, hash);
    std::istringstream tokens(body);
    std::string token;
    Case c;
    c.line = number;
    if (hash != std::string::npos) c.comment = line.substr(hash + 1);
    std::vector<bool> marks;
    while (tokens >> token) {
      if (token == no_break || token == can_break) {
        marks.push_back(token == can_break);
      } else {
        c.text.push_back(char32_t(std::stoul(token, nullptr, 16)));
      }
    }
    if (c.text.empty()) continue;
    // Marks and code points alternate: mark cp mark cp ... mark.
    if (marks.size() != c.text.size() + 1) {
      *error = path.string() + ":" + std::to_string(number) + ": cannot parse this case";
      return std::nullopt;
    }
    c.break_before.assign(marks.begin(), marks.end() - 1);
    file.cases.push_back(std::move(c));
  }
  return file;
}

std::string to_utf8(const std::vector<char32_t>& text, std::vector<std::size_t>* offsets) {
  std::string out;
  for (char32_t c : text) {
    offsets->push_back(out.size());
    test_support::append_utf8(out, c);
  }
  offsets->push_back(out.size());
  return out;
}

int line_break_class(char32_t c) {
  return u_getIntPropertyValue(UChar32(c), UCHAR_LINE_BREAK);
}

bool is_hard_break(int lb) {
  return lb == U_LB_MANDATORY_BREAK || lb == U_LB_CARRIAGE_RETURN || lb == U_LB_LINE_FEED ||
         lb == U_LB_NEXT_LINE;
}

bool is_combining(int lb) {
  return lb == U_LB_COMBINING_MARK || lb == U_LB_ZWJ;
}

// UAX #14 LB9/LB10: the character a run of combining marks attaches to, or nothing (the marks are
// then treated as AL).
std::optional<char32_t> base_before(const std::vector<char32_t>& text, std::size_t i) {
  while (i > 0 && is_combining(line_break_class(text[i - 1]))) --i;
  if (i == 0) return std::nullopt;
  int lb = line_break_class(text[i - 1]);
  if (lb == U_LB_SPACE || lb == U_LB_ZWSPACE || is_hard_break(lb)) return std::nullopt;
  return text[i - 1];
}

// LB1: AI, SG, XX and SA (the test file's samples have no marks) resolve to AL. Not HL.
bool resolves_to_al(char32_t c) {
  int lb = line_break_class(c);
  return lb == U_LB_ALPHABETIC || lb == U_LB_AMBIGUOUS || lb == U_LB_SURROGATE ||
         lb == U_LB_UNKNOWN || lb == U_LB_COMPLEX_CONTEXT;
}

// Where a break is mandatory (LB4, LB5): after BK, CR (unless LF follows), LF and NL.
bool mandatory_before(const std::vector<char32_t>& text, std::size_t i) {
  int lb = line_break_class(text[i - 1]);
  if (lb == U_LB_CARRIAGE_RETURN) return text[i] != U'\n';
  return is_hard_break(lb);
}

// A documented rule: given a case and a position between text[i-1] and text[i], says whether a
// break is allowed there when the rule applies, or nothing when it does not apply.
struct Rule {
  std::string name;  // as in TAILORING.md
  std::function<std::optional<bool>(const std::vector<char32_t>& text, std::size_t i)> decide;
};

// ICU 72's deviations from the UAX #14 15.0 test data. See TAILORING.md, "ICU 72".
std::vector<Rule> icu_rules() {
  return {
      // ICU-8151 (ICU's rule 20.9, UAX #14 15.1 LB20a): a hyphen at the start of the text is a sign
      // or a bullet ("-x"); do not break after it before letters. ICU 72 applies it before AL
      // (and what resolves to AL) but not before Hebrew letters (HL), unlike 15.1's LB20a.
      {"icu-word-initial-hyphen",
       [](const std::vector<char32_t>& text, std::size_t i) -> std::optional<bool> {
         std::size_t h = i;
         while (h > 0 && is_combining(line_break_class(text[h - 1]))) --h;
         if (h != 1) return std::nullopt;  // the hyphen must be the first character
         if (line_break_class(text[0]) != U_LB_HYPHEN) return std::nullopt;
         if (!resolves_to_al(text[i])) return std::nullopt;
         return false;
       }},
      // ICU-12017 / ICU-20303 (UAX #14 15.1 LB15c, LB15d and "IS?" in LB25): a number may begin
      // with its decimal separator (".35"). No break between IS and a following digit, and after a
      // space a break before such an IS rather than after it.
      {"icu-leading-decimal-separator",
       [](const std::vector<char32_t>& text, std::size_t i) -> std::optional<bool> {
         auto base = base_before(text, i);
         if (base && line_break_class(*base) == U_LB_INFIX_NUMERIC &&
             line_break_class(text[i]) == U_LB_NUMERIC) {
           return false;
         }
         if (line_break_class(text[i - 1]) == U_LB_SPACE &&
             line_break_class(text[i]) == U_LB_INFIX_NUMERIC && i + 1 < text.size() &&
             line_break_class(text[i + 1]) == U_LB_NUMERIC) {
           return true;
         }
         return std::nullopt;
       }},
  };
}

// The engine's clreq tailoring for Chinese and Japanese. See TAILORING.md, "clreq".
std::vector<Rule> clreq_rules() {
  return {
      // clreq 6.1.1 (basic level): connector marks and interpuncts never start a line; the strict
      // level adds dashes. U+2014 is both the dash (doubled) and a range connector.
      {"clreq-no-break-before-dash-connector-interpunct",
       [](const std::vector<char32_t>& text, std::size_t i) -> std::optional<bool> {
         char32_t c = text[i];
         bool never_starts = c == 0x2014 || c == 0x2E3A || c == 0x2E3B || c == 0xFF5E || c == 0xB7;
         if (!never_starts || mandatory_before(text, i)) return std::nullopt;
         return false;
       }},
      // The middle dot joins the halves of a transliterated name (马丁·路德); it never ends a line.
      {"clreq-no-break-after-middle-dot",
       [](const std::vector<char32_t>& text, std::size_t i) -> std::optional<bool> {
         if (text[i - 1] != 0xB7) return std::nullopt;
         return false;
       }},
  };
}

std::string describe(const Case& c, const std::vector<bool>& breaks) {
  std::ostringstream out;
  for (std::size_t i = 0; i < c.text.size(); ++i) {
    if (i > 0) out << (breaks[i] ? " \u00f7 " : " \u00d7 ");
    char hex[16];
    std::snprintf(hex, sizeof hex, "%04X", unsigned(c.text[i]));
    out << hex;
  }
  return out.str();
}

struct Outcome {
  int cases = 0;
  int as_in_file = 0;                  // the engine agrees with the file everywhere
  std::map<std::string, int> changed;  // per rule: cases where it changed the expectation
  int explained = 0;                   // cases that differ from the file only by documented rules
  std::vector<std::string> failures;
};

Outcome run(const TestFile& file, std::string_view lang, const std::vector<Rule>& rules) {
  Outcome outcome;
  for (const Case& c : file.cases) {
    ++outcome.cases;
    std::vector<std::size_t> offsets;
    std::string text = to_utf8(c.text, &offsets);
    std::vector<BreakOpportunity> found = break_opportunities(engine(), text, lang);

    std::map<std::size_t, bool> at_offset;  // byte offset -> mandatory
    for (const auto& b : found) at_offset[b.offset] = b.mandatory;
    std::vector<bool> actual(c.text.size(), false), mandatory(c.text.size(), false);
    std::string problem;
    for (std::size_t i = 1; i < c.text.size(); ++i) {
      auto hit = at_offset.find(offsets[i]);
      actual[i] = hit != at_offset.end();
      mandatory[i] = actual[i] && hit->second;
    }
    if (found.empty() || found.back().offset != text.size()) {
      problem = "the end of the text is not the last break opportunity; ";
    }
    for (const auto& b : found) {
      bool on_boundary = false;
      for (auto o : offsets) on_boundary = on_boundary || o == b.offset;
      if (!on_boundary || b.offset == 0) {
        problem += "a break inside a code point or at 0; ";
      }
    }

    std::vector<bool> expected = c.break_before;
    std::set<std::string> applied;
    for (std::size_t i = 1; i < c.text.size(); ++i) {
      for (const Rule& rule : rules) {
        auto decision = rule.decide(c.text, i);
        if (decision && *decision != expected[i]) {
          expected[i] = *decision;
          applied.insert(rule.name);
        }
      }
    }
    for (std::size_t i = 1; i < c.text.size(); ++i) {
      if (actual[i] && mandatory[i] != mandatory_before(c.text, i)) {
        problem += "position " + std::to_string(i) + " is " +
                   (mandatory[i] ? "marked mandatory but is not; " : "mandatory but not marked; ");
      }
    }
    bool as_in_file = actual == c.break_before;
    if (as_in_file) ++outcome.as_in_file;
    for (const auto& name : applied) ++outcome.changed[name];
    if (actual == expected && problem.empty()) {
      if (!as_in_file) ++outcome.explained;
      continue;
    }
    std::ostringstream message;
    message << test_file().string() << ":" << c.line << ": lang " << lang << "\n"
            << "  file:     " << describe(c, c.break_before) << "\n";
    if (!applied.empty()) {
      message << "  expected: " << describe(c, expected) << "  (after";
      for (const auto& name : applied) message << " " << name;
      message << ")\n";
    }
    message << "  engine:   " << describe(c, actual) << "\n";
    if (!problem.empty()) message << "  " << problem << "\n";
    message << "  #" << c.comment;
    outcome.failures.push_back(message.str());
  }
  return outcome;
}

const TestFile& the_file() {
  static std::optional<TestFile> file = [] {
    std::string error;
    auto f = read_test_file(test_file(), &error);
    if (!f) ADD_FAILURE() << error;
    return f;
  }();
  static const TestFile empty;
  return file ? *file : empty;
}

void report(std::string_view lang, const Outcome& outcome) {
  std::cout << "[ LineBreakTest " << the_file().version << ", ICU " << U_ICU_VERSION << ", lang "
            << lang << " ] " << outcome.cases
            << " cases: " << outcome.cases - int(outcome.failures.size()) << " passed ("
            << outcome.as_in_file << " exactly as in the file, " << outcome.explained
            << " differing only by documented rules), " << outcome.failures.size() << " failed\n";
  for (const auto& [name, count] : outcome.changed) {
    std::cout << "    " << name << ": changes " << count << " cases\n";
  }
}

void expect_no_failures(const Outcome& outcome) {
  EXPECT_TRUE(outcome.failures.empty()) << outcome.failures.size() << " cases fail";
  std::size_t shown = 0;
  for (const auto& failure : outcome.failures) {
    if (++shown > 30) {
      ADD_FAILURE() << "... and " << outcome.failures.size() - 30 << " more";
      break;
    }
    ADD_FAILURE() << failure;
  }
}

// The counts in TAILORING.md were measured with the Debian 12 versions: LineBreakTest 15.0.0
// (unicode-data 15.0.0-1) and ICU 72. With other versions the counts are only printed.
bool documented_versions() {
  return the_file().version == "15.0.0" && U_ICU_VERSION_MAJOR_NUM == 72;
}

int changed(const Outcome& outcome, const std::string& rule) {
  auto found = outcome.changed.find(rule);
  return found == outcome.changed.end() ? 0 : found->second;
}

TEST(LineBreakTest, FileIsComplete) {
  const TestFile& file = the_file();
  ASSERT_FALSE(file.cases.empty());
  if (file.version == "15.0.0") {
    EXPECT_EQ(file.cases.size(), 7654u);
  }
}

// English: no clreq tailoring. Only ICU's own deviations are allowed.
TEST(LineBreakTest, EnglishFollowsUax14) {
  Outcome outcome = run(the_file(), "en", icu_rules());
  report("en", outcome);
  expect_no_failures(outcome);
  if (documented_versions()) {
    EXPECT_EQ(changed(outcome, "icu-word-initial-hyphen"), 8);
    EXPECT_EQ(changed(outcome, "icu-leading-decimal-separator"), 14);
    EXPECT_EQ(outcome.explained, 22);
  }
}

// The default locale (an empty or unknown tag) behaves like English.
TEST(LineBreakTest, UnknownLanguageFollowsUax14) {
  Outcome outcome = run(the_file(), "x-unknown", icu_rules());
  EXPECT_EQ(outcome.explained, run(the_file(), "en", icu_rules()).explained);
  expect_no_failures(outcome);
}

std::vector<Rule> chinese_rules() {
  auto rules = icu_rules();
  for (auto& rule : clreq_rules()) rules.push_back(std::move(rule));
  return rules;
}

// Simplified Chinese: ICU's strict rules plus the clreq tailoring.
TEST(LineBreakTest, SimplifiedChineseFollowsUax14WithClreqTailoring) {
  Outcome outcome = run(the_file(), "zh-Hans", chinese_rules());
  report("zh-Hans", outcome);
  expect_no_failures(outcome);
  if (documented_versions()) {
    EXPECT_EQ(changed(outcome, "clreq-no-break-before-dash-connector-interpunct"), 147);
    EXPECT_EQ(changed(outcome, "clreq-no-break-after-middle-dot"), 0);
    EXPECT_EQ(changed(outcome, "icu-word-initial-hyphen"), 8);
    EXPECT_EQ(changed(outcome, "icu-leading-decimal-separator"), 14);
  }
}

// The other tags that get the Chinese rules must behave the same on this data.
TEST(LineBreakTest, OtherChineseAndJapaneseTagsMatchSimplifiedChinese) {
  for (std::string_view lang : {"zh", "zh-Hant", "zh-TW", "zh-HK", "ja"}) {
    SCOPED_TRACE(std::string(lang));
    Outcome outcome = run(the_file(), lang, chinese_rules());
    expect_no_failures(outcome);
  }
}

}  // namespace
}  // namespace signage::text
