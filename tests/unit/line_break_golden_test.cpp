// Golden line-break cases: every *.txt file in tests/golden/linebreak/ (the format is described in
// tests/golden/linebreak/README.md). Each file is one test; a failing case is reported with its
// file:line, the text, and the expected and actual lines, like a bug report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/engine.h"
#include "support/temp_dir.h"
#include "support/unicode.h"
#include "text/text.h"

namespace signage::text {
namespace {

namespace fs = std::filesystem;

constexpr float kFontSize = 40;           // px; widths in the files are in em
constexpr float kWidthTolerance = 0.01f;  // em, for expected widths

using test_support::engine;

fs::path golden_dir() {
  return fs::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / "linebreak";
}

struct ExpectedLine {
  std::string text;
  std::optional<float> width_em;
};

struct GoldenCase {
  int line = 0;  // of the "@" header
  std::string header;
  float width_em = 0;
  std::string lang = "zh-Hans";
  bool autospace = false;
  bool normalize = false;
  Wrap wrap = Wrap::greedy;
  bool trim_start = false;
  int max_lines = 0;
  std::string text;
  std::vector<ExpectedLine> expected;
};

// Escapes: \n \r \t \s (a space, to make one visible) \\ and \u{XXXX}.
std::optional<std::string> unescape(std::string_view in, std::string* error) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (++i == in.size()) {
      *error = "a backslash at the end of the line";
      return std::nullopt;
    }
    switch (in[i]) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 's': out += ' '; break;
      case '\\': out += '\\'; break;
      case 'u': {
        auto close = in.find('}', i);
        if (i + 1 >= in.size() || in[i + 1] != '{' || close == std::string_view::npos) {
          *error = "\\u must be written \\u{XXXX}";
          return std::nullopt;
        }
        std::string hex(in.substr(i + 2, close - i - 2));
        char* end = nullptr;
        unsigned long c = std::strtoul(hex.c_str(), &end, 16);
        if (hex.empty() || *end || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
          *error = "bad code point \\u{" + hex + "}";
          return std::nullopt;
        }
        test_support::append_utf8(out, char32_t(c));
        i = close;
        break;
      }
      default: *error = std::string("unknown escape \\") + in[i]; return std::nullopt;
    }
  }
  return out;
}

// Printable form of a line for messages: the escapes again, so that newlines and spaces show.
std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out += "\u23CE";  // make a trailing space visible
  return out;
}

bool parse_header(std::string_view header, GoldenCase* c, std::string* error) {
  std::istringstream words{std::string(header.substr(1))};
  std::string word;
  bool has_width = false;
  while (words >> word) {
    if (word.rfind("width=", 0) == 0) {
      std::string value = word.substr(6);
      if (value.size() < 3 || value.substr(value.size() - 2) != "em") {
        *error = "width must be given in em, e.g. width=10em";
        return false;
      }
      char* end = nullptr;
      c->width_em = std::strtof(value.c_str(), &end);
      if (end != value.c_str() + value.size() - 2 || !(c->width_em > 0)) {
        *error = "bad width " + value;
        return false;
      }
      has_width = true;
    } else if (word.rfind("lang=", 0) == 0) {
      c->lang = word.substr(5);
    } else if (word == "autospace") {
      c->autospace = true;
    } else if (word == "normalize") {
      c->normalize = true;
    } else if (word == "wrap=pretty" || word == "wrap=balance") {
      c->wrap = word == "wrap=pretty" ? Wrap::pretty : Wrap::balance;
    } else if (word == "trim-start") {
      c->trim_start = true;
    } else if (word.rfind("max-lines=", 0) == 0) {
      c->max_lines = std::atoi(word.c_str() + 10);
      if (c->max_lines < 1) {
        *error = "max-lines must be 1 or more";
        return false;
      }
    } else {
      *error = "unknown option " + word;
      return false;
    }
  }
  if (!has_width) *error = "the header needs width=...em";
  return has_width;
}

// Parses one golden file. Cases are separated by blank lines; lines starting with '#' are
// comments.
std::vector<GoldenCase> parse_file(const fs::path& path, std::vector<std::string>* errors) {
  std::ifstream in(path);
  std::vector<GoldenCase> cases;
  if (!in) {
    errors->push_back(path.string() + ": cannot read");
    return cases;
  }
  enum class State { between, want_text, lines } state = State::between;
  GoldenCase current;
  auto finish = [&](int line_number) {
    if (state == State::want_text) {
      errors->push_back(path.filename().string() + ":" + std::to_string(line_number) +
                        ": a header without text");
    } else if (state == State::lines) {
      if (current.expected.empty()) {
        errors->push_back(path.filename().string() + ":" + std::to_string(current.line) +
                          ": a case without expected lines");
      } else {
        cases.push_back(current);
      }
    }
    state = State::between;
  };
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto fail = [&](const std::string& what) {
      errors->push_back(path.filename().string() + ":" + std::to_string(number) + ": " + what);
    };
    if (line.empty()) {
      finish(number);
      continue;
    }
    if (line[0] == '#') continue;
    std::string error;
    if (line[0] == '@') {
      finish(number);
      current = GoldenCase{};
      current.line = number;
      current.header = line;
      if (!parse_header(line, &current, &error)) {
        fail(error);
        continue;
      }
      state = State::want_text;
    } else if (state == State::want_text) {
      auto text = unescape(line, &error);
      if (!text) {
        fail(error);
        state = State::between;
        continue;
      }
      current.text = *text;
      state = State::lines;
    } else if (state == State::lines && line[0] == '|') {
      // "| text", "|" (an empty line), or "|4.5em| text" to check the width as well.
      ExpectedLine expected;
      std::string_view rest = std::string_view(line).substr(1);
      if (!rest.empty() && rest[0] != ' ') {
        auto bar = rest.find('|');
        std::string value(rest.substr(0, bar == std::string_view::npos ? 0 : bar));
        char* end = nullptr;
        float em = std::strtof(value.c_str(), &end);
        if (bar == std::string_view::npos || value.size() < 3 ||
            value.substr(value.size() - 2) != "em" || end != value.c_str() + value.size() - 2) {
          fail("an expected line is '| text' or '|4.5em| text'");
          continue;
        }
        expected.width_em = em;
        rest = rest.substr(bar + 1);
      }
      if (!rest.empty() && rest[0] == ' ') rest = rest.substr(1);
      auto text = unescape(rest, &error);
      if (!text) {
        fail(error);
        continue;
      }
      expected.text = *text;
      current.expected.push_back(expected);
    } else {
      fail("expected a '@ width=...' header, a '# comment' or a blank line");
      state = State::between;
    }
  }
  finish(number + 1);
  return cases;
}

std::vector<fs::path> golden_files() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(golden_dir(), ec)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Checks one case; returns a report like a bug report, or an empty string when it passes.
std::string check(const fs::path& file, const GoldenCase& c) {
  LayoutOptions options;
  options.font_size = kFontSize;
  options.width = c.width_em * kFontSize;
  options.lang = c.lang;
  options.autospace = c.autospace;
  options.normalize_punctuation = c.normalize;
  options.wrap = c.wrap;
  options.trim_line_start = c.trim_start;
  options.max_lines = c.max_lines;
  Layout layout = lay_out(engine(), c.text, options);

  bool ok = layout.lines.size() == c.expected.size();
  std::vector<std::string> actual;
  for (std::size_t i = 0; i < layout.lines.size(); ++i) {
    const Line& line = layout.lines[i];
    actual.push_back(layout.text.substr(line.begin, line.end - line.begin));
    if (line.width > options.width + 1.0f / 64) ok = false;  // never wider than the width
    if (i < c.expected.size()) {
      const ExpectedLine& e = c.expected[i];
      if (actual.back() != e.text) ok = false;
      if (e.width_em && std::abs(line.width / kFontSize - *e.width_em) > kWidthTolerance) {
        ok = false;
      }
    }
  }
  if (ok && layout.missing_glyphs == 0) return {};

  std::ostringstream report;
  report << file.filename().string() << ":" << c.line << ": " << c.header << "\n"
         << "  text: " << escape(c.text) << "\n  expected:\n";
  for (const auto& e : c.expected) {
    report << "    |";
    if (e.width_em) report << *e.width_em << "em|";
    report << " " << escape(e.text) << "\n";
  }
  report << "  actual:\n";
  for (std::size_t i = 0; i < layout.lines.size(); ++i) {
    float em = layout.lines[i].width / kFontSize;
    report << "    |" << std::round(em * 1000) / 1000 << "em| " << escape(actual[i]);
    if (layout.lines[i].width > options.width + 1.0f / 64) report << "   <- wider than the width";
    report << "\n";
  }
  if (layout.missing_glyphs) report << "  missing glyphs: " << layout.missing_glyphs << "\n";
  return report.str();
}

class GoldenFile : public testing::TestWithParam<fs::path> {};

TEST_P(GoldenFile, LinesAreAsExpected) {
  std::vector<std::string> errors;
  auto cases = parse_file(GetParam(), &errors);
  for (const auto& error : errors) ADD_FAILURE() << "malformed golden file: " << error;
  EXPECT_FALSE(cases.empty()) << GetParam() << " has no cases";
  int failed = 0;
  for (const auto& c : cases) {
    std::string report = check(GetParam(), c);
    if (report.empty()) continue;
    ++failed;
    ADD_FAILURE() << report;
  }
  std::cout << "[ " << GetParam().filename().string() << " ] " << cases.size() - failed << " of "
            << cases.size() << " cases pass\n";
}

std::string file_test_name(const testing::TestParamInfo<fs::path>& info) {
  std::string name;
  for (char c : info.param.stem().string())
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(LineBreak, GoldenFile, testing::ValuesIn(golden_files()), file_test_name);

TEST(GoldenFiles, Exist) {
  EXPECT_GE(golden_files().size(), 5u) << "in " << golden_dir();
}

// The parser itself: escapes, widths and malformed input are reported, not ignored.
TEST(GoldenFormat, ParsesEscapesWidthsAndErrors) {
  std::string error;
  EXPECT_EQ(unescape("a\\nb\\sc\\\\d\\u{4E2D}", &error), std::optional<std::string>("a\nb c\\d中"));
  EXPECT_EQ(unescape("\\q", &error), std::nullopt);
  EXPECT_EQ(unescape("\\u{D800}", &error), std::nullopt);

  test_support::TempDir dir("linebreak-golden");
  {
    std::ofstream out(dir.path / "sample.txt");
    out << "# comment\n@ width=4.5em lang=ja normalize autospace\n一二\\n三\n|2em| 一二\n| 三\n\n"
        << "@ width=3\ntext\n| text\n\n@ width=2em\n| no text line\n";
  }
  std::vector<std::string> errors;
  auto cases = parse_file(dir.path / "sample.txt", &errors);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].line, 2);
  EXPECT_FLOAT_EQ(cases[0].width_em, 4.5f);
  EXPECT_EQ(cases[0].lang, "ja");
  EXPECT_TRUE(cases[0].normalize);
  EXPECT_TRUE(cases[0].autospace);
  EXPECT_EQ(cases[0].text, "一二\n三");
  ASSERT_EQ(cases[0].expected.size(), 2u);
  EXPECT_EQ(cases[0].expected[0].width_em, std::optional<float>(2.0f));
  EXPECT_EQ(cases[0].expected[1].text, "三");
  // "width=3" lacks its unit; the lines of that rejected case are then out of place; the last
  // case has a text ("| no text line") but no expected lines.
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  EXPECT_NE(all.find("sample.txt:7: width must be given in em"), std::string::npos) << all;
  EXPECT_NE(all.find("sample.txt:8: expected a '@ width=...' header"), std::string::npos) << all;
  EXPECT_NE(all.find("sample.txt:11: a case without expected lines"), std::string::npos) << all;
}

}  // namespace
}  // namespace signage::text
