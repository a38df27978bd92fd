// Paragraph quality across widths: a multi-line layout never ends with one character alone
// (孤字, with or without its punctuation) when wrapped `pretty` or `balance` (except "2000余" at
// 3 em, where no other break exists), and balanced titles
// keep the greedy line count with more even lines. The corpus: every paragraph of the demo
// article (tests/golden/seed/hexi-2024.txt) and every Chinese text of the playlists in
// playlists/, at 34 widths from 3 em to 40 em. The counts for greedy filling are printed: they
// are the "before" (the README quotes them).
#include <gtest/gtest.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/engine.h"
#include "text/text.h"

namespace signage::text {
namespace {

namespace fs = std::filesystem;
using test_support::engine;
using test_support::seed_paragraphs;

constexpr float kFontSize = 40;

bool has_han(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0xE4 && c <= 0xE9) return true;  // lead bytes of U+4000..U+9FFF
  }
  return false;
}

void collect_strings(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_string() && has_han(j.get<std::string>())) out.push_back(j.get<std::string>());
  if (j.is_structured()) {
    for (const auto& child : j) collect_strings(child, out);
  }
}

// Titles, bodies, labels and ticker lines of the playlists that come with the player.
std::vector<std::string> card_texts() {
  std::vector<std::string> texts;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(SIGNAGE_SOURCE_DIR) / "playlists")) {
    if (entry.path().extension() != ".json" || entry.path().parent_path().filename() == "schema")
      continue;
    std::ifstream in(entry.path());
    collect_strings(nlohmann::json::parse(in, nullptr, false), texts);
  }
  std::sort(texts.begin(), texts.end());
  texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
  return texts;
}

std::vector<float> widths_em() {
  std::vector<float> widths;
  for (float w = 3; w <= 12; w += 0.5f) widths.push_back(w);
  for (float w : {13.3f, 14.f, 15.7f, 16.f, 18.f, 20.f, 21.1f, 24.f, 25.f, 28.f, 30.f, 33.3f, 36.f,
                  38.f, 40.f}) {
    widths.push_back(w);
  }
  return widths;
}

// One character that is not punctuation or space, alone or with its marks.
bool lone(const Layout& layout, const Line& line) {
  int characters = 0;
  for (std::size_t i = line.begin; i < line.end;) {
    UChar32 c = 0;
    U8_NEXT(layout.text.data(), i, line.end, c);
    if (!u_ispunct(c) && !u_isUWhiteSpace(c) && !u_hasBinaryProperty(c, UCHAR_GRAPHEME_EXTEND))
      ++characters;
  }
  return characters == 1;
}

struct Count {
  int multi_line = 0;
  int lone_last = 0;
  int lone_last_narrowest = 0;  // of lone_last, at 3 em
  std::vector<std::string> examples;
};

Count count(const std::vector<std::string>& texts, Wrap wrap) {
  Count n;
  for (const auto& text : texts) {
    for (float em : widths_em()) {
      LayoutOptions options;
      options.font_size = kFontSize;
      options.width = em * kFontSize;
      options.wrap = wrap;
      options.normalize_punctuation = true;
      Layout layout = lay_out(engine(), text, options);
      if (layout.lines.size() < 2) continue;
      ++n.multi_line;
      for (const Line& line : layout.lines) {
        EXPECT_LE(line.width, options.width + 1.0f / 64) << text << " at " << em << " em";
      }
      const Line& last = layout.lines.back();
      if (!lone(layout, last)) continue;
      ++n.lone_last;
      if (em == widths_em().front()) ++n.lone_last_narrowest;
      if (n.examples.size() < 5) {
        n.examples.push_back(layout.text.substr(last.begin, last.end - last.begin) + " (" +
                             std::to_string(em) + " em, " + text.substr(0, 30) + "...)");
      }
    }
  }
  return n;
}

std::string report(const char* what, const Count& n) {
  std::string s = std::string(what) + ": " + std::to_string(n.lone_last) + " of " +
                  std::to_string(n.multi_line) + " multi-line layouts end with a lone character (" +
                  std::to_string(n.lone_last_narrowest) + " at 3 em)";
  for (const auto& e : n.examples) s += "\n  last line: " + e;
  return s;
}

TEST(ParagraphQuality, NoLoneLastCharacterWhenPretty) {
  for (const auto& [name, texts] :
       {std::pair{"seed", seed_paragraphs()}, std::pair{"cards", card_texts()}}) {
    ASSERT_GT(texts.size(), 5u) << name;
    Count greedy = count(texts, Wrap::greedy);
    std::cout << report((std::string(name) + " greedy").c_str(), greedy) << "\n";
    Count pretty = count(texts, Wrap::pretty);
    std::cout << report((std::string(name) + " pretty").c_str(), pretty) << "\n";
    // At 3 em a line is three characters: "2000余" has no break but after 2000, so 余 stays
    // alone there (the only one: "奋力打造“四个高地”" becomes 奋力/打造/“四个/高地”).
    EXPECT_EQ(pretty.lone_last - pretty.lone_last_narrowest, 0) << report(name, pretty);
    EXPECT_LE(pretty.lone_last_narrowest, 1) << report(name, pretty);
    EXPECT_EQ(pretty.multi_line, greedy.multi_line) << name;
    Count balanced = count(texts, Wrap::balance);
    std::cout << report((std::string(name) + " balance").c_str(), balanced) << "\n";
    EXPECT_EQ(balanced.lone_last - balanced.lone_last_narrowest, 0) << report(name, balanced);
    EXPECT_LE(balanced.lone_last_narrowest, 1) << report(name, balanced);
  }
}

// Balanced titles (texts of the playlists up to about 40 characters): as many lines as greedy
// gives, never wider than the width, and no further apart between the widest and the shortest than
// greedy's.
TEST(ParagraphQuality, BalancedTitlesKeepTheLineCountAndEvenOut) {
  int evened = 0;
  for (const auto& text : card_texts()) {
    if (text.size() > 40 * 3) continue;  // titles: up to about 40 characters
    for (float em : widths_em()) {
      LayoutOptions options;
      options.font_size = kFontSize;
      options.width = em * kFontSize;
      Layout greedy = lay_out(engine(), text, options);
      options.wrap = Wrap::balance;
      Layout balanced = lay_out(engine(), text, options);
      if (greedy.lines.size() < 2) continue;
      ASSERT_EQ(balanced.lines.size(), greedy.lines.size()) << text << " at " << em << " em";
      auto shortest = [](const Layout& l) {
        float w = 1e9f;
        for (std::size_t i = 0; i < l.lines.size(); ++i) w = std::min(w, l.lines[i].width);
        return w;
      };
      auto widest = [](const Layout& l) {
        float w = 0;
        for (const auto& line : l.lines) w = std::max(w, line.width);
        return w;
      };
      // (Where greedy leaves a lone last character, avoiding it comes first.)
      if (!lone(greedy, greedy.lines.back())) {
        EXPECT_LE(widest(balanced) - shortest(balanced), widest(greedy) - shortest(greedy) + 0.01f)
            << text << " at " << em << " em";
      }
      EXPECT_LE(widest(balanced), options.width + 1.0f / 64) << text << " at " << em << " em";
      if (shortest(balanced) > shortest(greedy) + 0.5f * kFontSize) ++evened;
    }
  }
  EXPECT_GT(evened, 20) << "balancing should lengthen the short tail of many titles";
}

}  // namespace
}  // namespace signage::text
