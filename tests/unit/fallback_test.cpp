// Font fallback: which family draws each character, with the fonts Debian installs
// (fonts-noto-cjk, fonts-noto-core, fonts-noto-color-emoji, fonts-dejavu-core).
//
// What Noto Sans CJK SC covers was checked with HarfBuzz (hb_font_get_nominal_glyph) on
// /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, face 2 (SC): it has Latin-1 (é ü à ñ),
// pinyin (ā ǎ ǚ ń) and Vietnamese (ơ ư ế ệ ạ ộ), but not most of Latin Extended-A (č ą ř š ž ł),
// combining marks such as U+0302/U+0301, U+2764 HEAVY BLACK HEART or U+FE0F.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/engine.h"
#include "text/text.h"

namespace signage::text {
namespace {

using test_support::engine;

Layout lay(std::string_view text, std::string lang = "zh-Hans", float width = 4000,
           float size = 40) {
  LayoutOptions options;
  options.width = width;
  options.font_size = size;
  options.lang = std::move(lang);
  return lay_out(engine(), text, options);
}

// Byte offset of `needle` in the layout's text (the first occurrence at or after `from`).
std::size_t offset_of(const Layout& layout, std::string_view needle, std::size_t from = 0) {
  auto at = layout.text.find(needle, from);
  EXPECT_NE(at, std::string::npos) << "'" << needle << "' not in '" << layout.text << "'";
  return at;
}

// The family of the run that holds byte `offset`; "" when no run does.
std::string family_at(const Layout& layout, std::size_t offset) {
  for (const auto& line : layout.lines) {
    for (const auto& run : line.runs) {
      if (run.begin <= offset && offset < run.end) return face_info(engine(), run.face).family;
    }
  }
  return "";
}

// Every family drawing a byte of [begin, end).
std::set<std::string> families_in(const Layout& layout, std::size_t begin, std::size_t end) {
  std::set<std::string> out;
  for (const auto& line : layout.lines) {
    for (const auto& run : line.runs) {
      if (run.begin < end && begin < run.end) out.insert(face_info(engine(), run.face).family);
    }
  }
  return out;
}

std::set<std::string> families_of(const Layout& layout, std::string_view needle) {
  std::size_t at = offset_of(layout, needle);
  return families_in(layout, at, at + needle.size());
}

// The glyphs whose cluster lies in [begin, end), in visual order.
std::vector<PositionedGlyph> glyphs_in(const Layout& layout, std::size_t begin, std::size_t end) {
  std::vector<PositionedGlyph> out;
  for (const auto& line : layout.lines) {
    for (const auto& g : line.glyphs) {
      if (g.cluster >= begin && g.cluster < end) out.push_back(g);
    }
  }
  return out;
}

std::vector<PositionedGlyph> glyphs_of(const Layout& layout, std::string_view needle) {
  std::size_t at = offset_of(layout, needle);
  return glyphs_in(layout, at, at + needle.size());
}

// Cluster -> leftmost pen x of its glyphs, for the clusters in [begin, end), by logical order.
std::map<std::uint32_t, float> x_by_cluster(const Layout& layout, std::size_t begin,
                                            std::size_t end) {
  std::map<std::uint32_t, float> out;
  for (const auto& g : glyphs_in(layout, begin, end)) {
    auto [it, inserted] = out.emplace(g.cluster, g.x);
    if (!inserted) it->second = std::min(it->second, g.x);
  }
  return out;
}

constexpr const char* kCjkSc = "Noto Sans CJK SC";
constexpr const char* kEmoji = "Noto Color Emoji";
constexpr const char* kLatin = "Noto Sans";
constexpr const char* kArabic = "Noto Sans Arabic";

TEST(Fallback, EngineLoadsEveryFamilyOfTheChains) {
  EXPECT_TRUE(engine().warnings().empty())
      << "a family is missing; install fonts-noto-cjk fonts-noto-core fonts-noto-color-emoji "
         "fonts-dejavu-core. First warning: "
      << engine().warnings().front();
}

// ---------------------------------------------------------------------------------------------
// Emoji

struct EmojiCase {
  const char* name;
  const char* emoji;
};

void PrintTo(const EmojiCase& c, std::ostream* os) {
  *os << c.name;
}

class EmojiFallback : public ::testing::TestWithParam<EmojiCase> {};

TEST_P(EmojiFallback, DrawnByNotoColorEmojiAsOneGlyph) {
  const std::string emoji = GetParam().emoji;
  for (std::string lang : {"zh-Hans", "en", "ja"}) {
    SCOPED_TRACE(lang);
    Layout layout = lay("今天" + emoji + "很好", lang);
    EXPECT_EQ(layout.missing_glyphs, 0);
    EXPECT_EQ(families_of(layout, emoji), std::set<std::string>{kEmoji});
    EXPECT_EQ(family_at(layout, offset_of(layout, "今")),
              lang == "ja" ? "Noto Sans CJK JP" : kCjkSc)
        << "the Han around the emoji";
    // A ZWJ sequence or a heart with VS16 is one emoji: the font's ligature, not two pictures
    // or a picture plus a visible selector.
    auto glyphs = glyphs_of(layout, emoji);
    ASSERT_EQ(glyphs.size(), 1u) << "the sequence was not shaped into one emoji glyph";
    EXPECT_NE(glyphs[0].glyph, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Emoji, EmojiFallback,
                         ::testing::Values(EmojiCase{"GrinningFace", "😀"},
                                           EmojiCase{"WomanTechnologistZwj", "👩‍💻"},
                                           EmojiCase{"HeartWithVs16", "❤️"},
                                           EmojiCase{"FlagChina", "🇨🇳"},
                                           EmojiCase{"ThumbsUpSkinTone", "👍🏽"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Fallback, HeartWithoutVs16IsNotForcedToColour) {
  // U+2764 has text presentation by default; only VS16 asks for the emoji picture. It still
  // must be drawn by someone (Noto Sans CJK SC lacks it).
  Layout layout = lay("我❤你");
  EXPECT_EQ(layout.missing_glyphs, 0);
  auto families = families_of(layout, "❤");
  ASSERT_EQ(families.size(), 1u);
  EXPECT_NE(*families.begin(), kCjkSc);
  EXPECT_NE(*families.begin(), kEmoji);
}

// ---------------------------------------------------------------------------------------------
// Accented Latin

TEST(Fallback, AccentedLatinThatTheCjkFaceHasStaysInItInsideChineseText) {
  // Latin-1, pinyin tone marks and Vietnamese (all precomposed) are in Noto Sans CJK SC.
  for (std::string word : {"Café", "Müller", "España", "lǚxíng", "Tiếng", "Việt", "Hồ", "ơư"}) {
    SCOPED_TRACE(word);
    Layout layout = lay("他说" + word + "很好。");
    EXPECT_EQ(layout.missing_glyphs, 0);
    EXPECT_EQ(families_of(layout, word), std::set<std::string>{kCjkSc});
  }
}

TEST(Fallback, AccentedLatinThatTheCjkFaceLacksComesFromNotoSans) {
  struct Case {
    std::string word, lacking;
  };
  for (const Case& c :
       {Case{"Dvořák", "ř"}, Case{"Škoda", "Š"}, Case{"Łódź", "Ł"}, Case{"Łódź", "ź"},
        Case{"Žižek", "ž"}, Case{"Wałęsa", "ę"}, Case{"Čapek", "Č"}}) {
    SCOPED_TRACE(c.word + " / " + c.lacking);
    Layout layout = lay("他喜欢" + c.word + "的作品。");
    EXPECT_EQ(layout.missing_glyphs, 0);
    std::size_t word = offset_of(layout, c.word);
    std::size_t at = offset_of(layout, c.lacking, word);
    EXPECT_EQ(family_at(layout, at), kLatin);
    for (const auto& g : glyphs_in(layout, at, at + c.lacking.size())) EXPECT_NE(g.glyph, 0u);
    EXPECT_EQ(family_at(layout, offset_of(layout, "的")), kCjkSc);
  }
}

TEST(Fallback, DecomposedAccentIsDrawnWithItsBaseByOneFace) {
  // "ế" written as e + U+0302 + U+0301: the CJK face has "e" but not the combining marks, so the
  // whole cluster must move to a face that has all three, or the accents float detached.
  Layout layout = lay("越南语Tie\u0302\u0301ng");
  EXPECT_EQ(layout.missing_glyphs, 0);
  std::size_t e = offset_of(layout, "e\u0302\u0301");
  EXPECT_EQ(families_in(layout, e, e + 5), std::set<std::string>{kLatin});
  for (const auto& g : glyphs_in(layout, e, e + 5)) EXPECT_NE(g.glyph, 0u);
}

TEST(Fallback, LatinInEnglishComesFromNotoSans) {
  const std::string text = "Café Tiếng Việt, Dvořák & Škoda: 12.5% in 2024!";
  Layout layout = lay(text, "en");
  EXPECT_EQ(layout.missing_glyphs, 0);
  EXPECT_EQ(families_in(layout, 0, layout.text.size()), std::set<std::string>{kLatin});
}

// ---------------------------------------------------------------------------------------------
// Uyghur inside Chinese: Noto Sans Arabic, right to left

TEST(Fallback, UyghurPhraseInsideChineseIsArabicFaceAndRightToLeft) {
  const std::string before = "我们学习", uyghur = "ئۇيغۇرچە", after = "和汉语";
  Layout layout = lay(before + uyghur + after);
  EXPECT_EQ(layout.missing_glyphs, 0);
  ASSERT_EQ(layout.lines.size(), 1u);
  EXPECT_EQ(families_of(layout, uyghur), std::set<std::string>{kArabic});
  EXPECT_EQ(families_of(layout, before), std::set<std::string>{kCjkSc});
  EXPECT_EQ(families_of(layout, after), std::set<std::string>{kCjkSc});
  for (const auto& g : glyphs_of(layout, uyghur)) EXPECT_NE(g.glyph, 0u);

  std::size_t u = offset_of(layout, uyghur);
  auto rtl = x_by_cluster(layout, u, u + uyghur.size());
  ASSERT_GE(rtl.size(), 4u) << "the phrase should keep several clusters";
  float previous = 1e9f;
  for (auto [cluster, x] : rtl) {
    EXPECT_LT(x, previous) << "Uyghur cluster at byte " << cluster
                           << " is not left of the one before it";
    previous = x;
  }
  auto ltr_before = x_by_cluster(layout, 0, before.size());
  auto ltr_after = x_by_cluster(layout, u + uyghur.size(), layout.text.size());
  for (const auto* side : {&ltr_before, &ltr_after}) {
    float last = -1e9f;
    for (auto [cluster, x] : *side) {
      EXPECT_GT(x, last) << "Han cluster at byte " << cluster << " is not right of the last";
      last = x;
    }
  }
  // The phrase sits, as a block, between the Chinese before and after it.
  EXPECT_LT(ltr_before.rbegin()->second, rtl.rbegin()->second);
  EXPECT_GT(ltr_after.begin()->second, rtl.begin()->second);
}

TEST(Fallback, UyghurWithDigitsAndPunctuationKeepsTheChineseOrder) {
  // A number inside an RTL phrase stays left to right, and the Chinese comma after it stays
  // after it (to its right) in this left-to-right paragraph.
  const std::string text = "人口ئۇيغۇر 2024，增长";
  Layout layout = lay(text);
  EXPECT_EQ(layout.missing_glyphs, 0);
  ASSERT_EQ(layout.lines.size(), 1u);
  auto x = [&](std::string_view s) {
    auto g = glyphs_of(layout, s);
    EXPECT_FALSE(g.empty()) << s;
    return g.empty() ? 0.0f : g.front().x;
  };
  EXPECT_LT(x("2"), x("4"));
  EXPECT_LT(x("口"), x("，"));
  EXPECT_LT(x("，"), x("增"));
  EXPECT_EQ(family_at(layout, offset_of(layout, "，")), kCjkSc);
}

// ---------------------------------------------------------------------------------------------
// Full-width punctuation

TEST(Fallback, FullWidthPunctuationInChineseComesFromTheCjkFace) {
  // Noto Sans has “ ” too (proportional); in Chinese text they must be the full-width CJK forms,
  // also next to Latin letters and digits.
  const std::string text = "他说：“你好，世界。”又说“OK”，然后是“2024”。";
  Layout layout = lay(text);
  EXPECT_EQ(layout.missing_glyphs, 0);
  for (std::string_view mark : {"，", "。", "“", "”", "："}) {
    for (auto at = layout.text.find(mark); at != std::string::npos;
         at = layout.text.find(mark, at + 1)) {
      EXPECT_EQ(family_at(layout, at), kCjkSc) << mark << " at byte " << at;
    }
  }
}

TEST(Fallback, FullWidthPunctuationKeepsAFullEmInsideALine) {
  // Between two Han characters (no neighbouring mark to compress against, not at a line end)
  // ，。“ ” take one em each: the full-width forms, not Latin ones.
  for (std::string mark : {"，", "。", "“", "”"}) {
    SCOPED_TRACE(mark);
    Layout layout = lay("甲" + mark + "乙");
    ASSERT_EQ(layout.lines.size(), 1u);
    auto g = layout.lines[0].glyphs;
    ASSERT_EQ(g.size(), 3u);
    EXPECT_FLOAT_EQ(g[2].x - g[0].x, 80.0f);
  }
}

// ---------------------------------------------------------------------------------------------
// Missing glyphs

TEST(Fallback, NoMissingGlyphsInMixedText) {
  Layout layout =
      lay("今天😀Café Dvořák ئۇيغۇرچە，“你好”。👩‍💻❤️ 12.5%");
  EXPECT_EQ(layout.missing_glyphs, 0);
}

TEST(Fallback, CharacterNoFontHasIsCountedAsMissing) {
  // U+10FFFD is a private-use character no installed font has; U+0378 is unassigned.
  EXPECT_EQ(lay("中文\U0010FFFD字").missing_glyphs, 1);
  EXPECT_EQ(lay("中文\u0378字").missing_glyphs, 1);
  EXPECT_EQ(lay("\U0010FFFD中文\u0378").missing_glyphs, 2);
  Layout layout = lay("中文\U0010FFFD字");
  auto g = glyphs_of(layout, "\U0010FFFD");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].glyph, 0u) << "a missing character is drawn as .notdef";
  EXPECT_EQ(layout.lines[0].glyphs.size(), 4u);
}

TEST(Fallback, EveryOccurrenceOfAMissingCharacterIsCounted) {
  // Each one is a tofu box on screen; the count must not depend on whether the same
  // character was seen earlier in the paragraph.
  EXPECT_EQ(lay("\U0010FFFD\U0010FFFD").missing_glyphs, 2);
  EXPECT_EQ(lay("甲\u0378乙\u0378丙\u0378").missing_glyphs, 3);
}

// ---------------------------------------------------------------------------------------------
// Language-specific faces

// About the fonts (Debian 12's fonts-noto-cjk, checked with HarfBuzz on every face of the
// collection): the SC, JP and KR faces map "，" and "。" to the same glyph (59058 and 1398, in
// the bottom-left corner), and no `locl` changes that for zh-Hans or ja. What does differ between
// Simplified Chinese and Japanese are ！？：；“”‘’ (SC: proportional-position forms; JP:
// centred marks and different quotes), and Traditional Chinese centres "，。、".
TEST(Fallback, SimplifiedChineseAndJapaneseUseTheirOwnFacesForCommaAndFullStop) {
  for (std::string mark : {"，", "。"}) {
    SCOPED_TRACE(mark);
    Layout zh = lay("中" + mark + "文", "zh-Hans");
    Layout ja = lay("中" + mark + "文", "ja");
    auto zh_glyph = glyphs_of(zh, mark), ja_glyph = glyphs_of(ja, mark);
    ASSERT_EQ(zh_glyph.size(), 1u);
    ASSERT_EQ(ja_glyph.size(), 1u);
    EXPECT_NE(zh_glyph[0].face, ja_glyph[0].face);
    EXPECT_EQ(face_info(engine(), zh_glyph[0].face).family, kCjkSc);
    EXPECT_EQ(face_info(engine(), ja_glyph[0].face).family, "Noto Sans CJK JP");
  }
}

TEST(Fallback, SimplifiedChineseAndJapaneseGiveDifferentGlyphsForRegionalMarks) {
  for (std::string mark : {"！", "？", "：", "；", "“", "”", "‘", "’"}) {
    SCOPED_TRACE(mark);
    Layout zh = lay("中" + mark + "文", "zh-Hans");
    Layout ja = lay("中" + mark + "文", "ja");
    auto zh_glyph = glyphs_of(zh, mark), ja_glyph = glyphs_of(ja, mark);
    ASSERT_EQ(zh_glyph.size(), 1u);
    ASSERT_EQ(ja_glyph.size(), 1u);
    EXPECT_NE(zh_glyph[0].glyph, ja_glyph[0].glyph);
  }
}

TEST(Fallback, SimplifiedAndTraditionalChineseGiveDifferentGlyphsForCommaAndFullStop) {
  for (std::string mark : {"，", "。", "、"}) {
    SCOPED_TRACE(mark);
    auto hans = glyphs_of(lay("中" + mark + "文", "zh-Hans"), mark);
    auto hant = glyphs_of(lay("中" + mark + "文", "zh-Hant"), mark);
    ASSERT_EQ(hans.size(), 1u);
    ASSERT_EQ(hant.size(), 1u);
    EXPECT_NE(hans[0].glyph, hant[0].glyph);
  }
}

TEST(Fallback, TraditionalChinesePicksTheTcFace) {
  for (std::string lang : {"zh-TW", "zh-Hant"}) {
    SCOPED_TRACE(lang);
    Layout layout = lay("臺灣，你好。", lang);
    EXPECT_EQ(layout.missing_glyphs, 0);
    EXPECT_EQ(families_in(layout, 0, layout.text.size()),
              std::set<std::string>{"Noto Sans CJK TC"});
  }
  EXPECT_EQ(families_of(lay("香港，你好。", "zh-HK"), "香港，你好。"),
            std::set<std::string>{"Noto Sans CJK HK"});
  EXPECT_EQ(families_of(lay("中国", "zh"), "中国"), std::set<std::string>{kCjkSc});
  EXPECT_EQ(families_of(lay("中国", "zh-CN"), "中国"), std::set<std::string>{kCjkSc});
}

// ---------------------------------------------------------------------------------------------
// Colour emoji in the atlas

struct InkBox {
  int left = 1 << 30, top = 1 << 30, right = -1, bottom = -1;
  int coloured = 0;  // pixels whose channels differ by more than 40
  int width() const { return right - left + 1; }
  int height() const { return bottom - top + 1; }
};

InkBox ink_on_white(const RgbaImage& image) {
  InkBox box;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const std::uint8_t* p = image.at(x, y);
      int lo = std::min({p[0], p[1], p[2]}), hi = std::max({p[0], p[1], p[2]});
      if (lo > 240) continue;
      box.left = std::min(box.left, x);
      box.right = std::max(box.right, x);
      box.top = std::min(box.top, y);
      box.bottom = std::max(box.bottom, y);
      if (hi - lo > 40) ++box.coloured;
    }
  }
  return box;
}

RgbaImage white(int w, int h) {
  RgbaImage image(w, h);
  std::fill(image.pixels.begin(), image.pixels.end(), 255);
  return image;
}

TEST(Fallback, ColourEmojiIsRasterizedInColourAtTheTextSize) {
  Layout layout = lay("😀", "zh-Hans", 1000, 40);
  ASSERT_EQ(layout.lines.size(), 1u);
  ASSERT_EQ(layout.lines[0].glyphs.size(), 1u);
  GlyphCache cache(engine().fonts(), AtlasLimits{});
  RgbaImage image = white(200, 200);
  draw_layout(layout, cache, image, 50, 50, Color{0, 0, 0, 255});
  InkBox box = ink_on_white(image);
  ASSERT_GE(box.right, 0) << "nothing drawn";
  EXPECT_GT(box.coloured, 200) << "the emoji came out grey (drawn as a mask in the text colour)";
  // The face is round: about one em across, whatever the strike size in the font (109 px).
  EXPECT_GE(box.width(), 32);
  EXPECT_LE(box.width(), 50);
  EXPECT_GE(box.height(), 32);
  EXPECT_LE(box.height(), 50);
  // And it stands on the line like the text: its ink starts near the top of the em box.
  EXPECT_GE(box.top, 50 - 4);
  EXPECT_LE(box.bottom, 50 + int(layout.lines[0].ascent + layout.lines[0].descent) + 4);

  auto slot = cache.get(GlyphKey{layout.lines[0].glyphs[0].face, layout.lines[0].glyphs[0].glyph,
                                 std::uint16_t(40 * 64), 0, false});
  ASSERT_TRUE(slot.has_value());
  EXPECT_TRUE(slot->color);
}

// Text and colour glyphs go to pages of their own kind (coverage: a byte per pixel; colour:
// RGBA), so with one page of each allowed, drawing both evicts neither.
TEST(Fallback, ColourGlyphsAndTextKeepTheirOwnPages) {
  Layout layout = lay("永😀和", "zh-Hans", 1000, 40);
  ASSERT_EQ(layout.lines.size(), 1u);
  GlyphCache cache(engine().fonts(), AtlasLimits{256, 1});
  RgbaImage image = white(300, 120);
  draw_layout(layout, cache, image, 10, 10, Color{0, 0, 0, 255});
  draw_layout(layout, cache, image, 10, 10, Color{0, 0, 0, 255});
  EXPECT_EQ(cache.counters().evictions, 0u);
  EXPECT_EQ(cache.counters().rasterizations, 3u);  // the second draw hit every glyph
  ASSERT_EQ(cache.pages().size(), 2u);
  for (const AtlasPage& page : cache.pages()) {
    EXPECT_EQ(page.pixels.size(), std::size_t(256 * 256 * page.channels()));
    EXPECT_EQ(page.keys.size(), page.color ? 1u : 2u);
  }
}

TEST(Fallback, HanIsRasterizedAsAGreyMaskInTheTextColour) {
  Layout layout = lay("永", "zh-Hans", 1000, 40);
  GlyphCache cache(engine().fonts(), AtlasLimits{});
  RgbaImage image = white(200, 200);
  draw_layout(layout, cache, image, 50, 50, Color{0, 0, 0, 255});
  InkBox box = ink_on_white(image);
  ASSERT_GE(box.right, 0) << "nothing drawn";
  EXPECT_EQ(box.coloured, 0);
  EXPECT_GE(box.width(), 30);
  EXPECT_LE(box.width(), 40);
}

}  // namespace
}  // namespace signage::text
