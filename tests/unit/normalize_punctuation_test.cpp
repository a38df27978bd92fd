// normalize_punctuation (text.h): ASCII punctuation written in Chinese text (the seed article
// writes "会议指出,2024年以来,") becomes the full-width mark; decimal points, times, thousands
// separators, URLs and Latin text keep theirs.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "text/text.h"

namespace signage::text {
namespace {

TEST(NormalizePunctuation, CommasInChineseTextBecomeFullWidth) {
  EXPECT_EQ(normalize_punctuation("会议指出,2024年以来,"), "会议指出，2024年以来，");
  EXPECT_EQ(normalize_punctuation("一段段舞蹈,令人热血沸腾;一曲曲旋律,倾诉无尽忠诚"),
            "一段段舞蹈，令人热血沸腾；一曲曲旋律，倾诉无尽忠诚");
}

TEST(NormalizePunctuation, StopsQuestionAndExclamationMarks) {
  EXPECT_EQ(normalize_punctuation("得赔!"), "得赔！");
  EXPECT_EQ(normalize_punctuation("还咋用水啊?一言不合"), "还咋用水啊？一言不合");
  EXPECT_EQ(normalize_punctuation("会议召开."), "会议召开。");
  EXPECT_EQ(normalize_punctuation("会议召开.全区上下"), "会议召开。全区上下");
  EXPECT_EQ(normalize_punctuation("会议指出:全区"), "会议指出：全区");
}

TEST(NormalizePunctuation, MarksNextToQuotationMarks) {
  // The curly quotes are full width in Chinese text: a comma after ” belongs to the Chinese text.
  EXPECT_EQ(normalize_punctuation("“两个确立”,坚决做到“两个维护”."),
            "“两个确立”，坚决做到“两个维护”。");
}

TEST(NormalizePunctuation, NumbersTimesAndLatinTextAreUntouched) {
  for (std::string_view text :
       {"3.5", "9:30", "Hello, world", "Hello, world!", "1,234,567", "a; b", "Is it? Yes.",
        "https://www.example.com/index.json", "(AI)", "v1.2.3"}) {
    EXPECT_EQ(normalize_punctuation(text), text);
  }
  // ... also inside Chinese text.
  EXPECT_EQ(normalize_punctuation("投资4.5亿元"), "投资4.5亿元");
  EXPECT_EQ(normalize_punctuation("上午9:30开馆"), "上午9:30开馆");
  EXPECT_EQ(normalize_punctuation("总计1,234,567元"), "总计1,234,567元");
  EXPECT_EQ(normalize_punctuation("详见www.example.com"), "详见www.example.com");
  EXPECT_EQ(normalize_punctuation("失业率控制在5.5%以内"), "失业率控制在5.5%以内");
  // A time after a colon: only the colon after the Han character changes.
  EXPECT_EQ(normalize_punctuation("时间:9:30"), "时间：9:30");
}

TEST(NormalizePunctuation, FullWidthAndEmptyTextStayAsTheyAre) {
  EXPECT_EQ(normalize_punctuation(""), "");
  EXPECT_EQ(normalize_punctuation("会议指出，2024年以来，全区上下。"),
            "会议指出，2024年以来，全区上下。");
}

TEST(NormalizePunctuation, ParenthesesAroundChineseText) {
  EXPECT_EQ(normalize_punctuation("中共河西区委(扩大)会议"), "中共河西区委（扩大）会议");
}

// A pair of parentheses is converted together or not at all: "(2024年)" must not become
// "(2024年）" with one half-width and one full-width bracket.
TEST(NormalizePunctuation, ParenthesesStayAPair) {
  for (std::string_view text :
       {"会议(2024年)召开", "(2024年)", "使用AI(人工智能)技术", "AI(2024)年"}) {
    std::string out = normalize_punctuation(text);
    bool open_full = out.find("（") != std::string::npos;
    bool close_full = out.find("）") != std::string::npos;
    EXPECT_EQ(open_full, close_full) << text << " -> " << out;
  }
}

TEST(NormalizePunctuation, IsIdempotentAndKeepsEveryCharacter) {
  auto count = [](std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  for (std::string_view text :
       {"会议指出,2024年以来,全区上下深入贯彻落实", "得赔!”“那你关阀门我家还咋用水啊?”",
        "打造172个“3+1+N”家庭医生团队,惠及群众28.5万人.", "Hello, world"}) {
    std::string once = normalize_punctuation(text);
    EXPECT_EQ(normalize_punctuation(once), once) << text;
    EXPECT_EQ(count(once), count(text)) << text;
  }
}

// lay_out applies it when asked: Layout::text is the normalized text, and the full-width comma
// takes a full em where the ASCII one took 0.278 em.
TEST(NormalizePunctuation, LayOutUsesTheNormalizedText) {
  std::string error;
  auto engine = TextEngine::create(std::filesystem::path(SIGNAGE_SOURCE_DIR) / "fonts", &error);
  ASSERT_TRUE(engine) << error;
  LayoutOptions options;
  options.font_size = 40;
  options.width = 4000;
  const std::string text = "会议指出,全区上下";
  Layout as_written = lay_out(*engine, text, options);
  options.normalize_punctuation = true;
  Layout normalized = lay_out(*engine, text, options);
  EXPECT_EQ(as_written.text, text);
  EXPECT_EQ(normalized.text, "会议指出，全区上下");
  ASSERT_EQ(as_written.lines.size(), 1u);
  ASSERT_EQ(normalized.lines.size(), 1u);
  EXPECT_NEAR(normalized.lines[0].width, 9 * 40.0f, 0.1f);
  EXPECT_NEAR(as_written.lines[0].width, 8 * 40.0f + 0.278f * 40, 0.1f);
}

}  // namespace
}  // namespace signage::text
