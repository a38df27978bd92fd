// The playlist parser and checker: the model it builds, and for each kind of problem the exact
// FILE:LINE:COL, JSON pointer and message.
#include "content/content.h"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "content/encoding.h"
#include "support/pictures.h"

namespace signage::content {
namespace {

namespace fs = std::filesystem;

// A bundle folder in the temporary directory with images/a.png, images/b.jpg, a text file
// posing as an image, a symbolic link that leads out of the bundle, and pictures whose headers
// claim more pixels than a player decodes.
class Bundle {
 public:
  Bundle() {
    root_ = fs::temp_directory_path() /
            ("content_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(root_);
    fs::create_directories(root_ / "bundle" / "images");
    const std::string png = test_support::crafted_png(16, 9);
    write(root_ / "bundle" / "images" / "a.png", png);
    write(root_ / "bundle" / "images" / "b.jpg", test_support::crafted_jpeg(16, 9));
    write(root_ / "bundle" / "images" / "notes.png", "not an image");
    write(root_ / "bundle" / "images" / "huge.png", test_support::crafted_png(20000, 20000));
    write(root_ / "bundle" / "images" / "huge.jpg", test_support::crafted_jpeg(65000, 60000));
    write(root_ / "bundle" / "images" / "photo.jpg", test_support::crafted_jpeg(8000, 6000));
    write(root_ / "bundle" / "images" / "cut.png", png.substr(0, 20));
    write(root_ / "outside.png", png);
    fs::create_symlink("../../outside.png", root_ / "bundle" / "images" / "escape.png");
    fs::create_symlink("a.png", root_ / "bundle" / "images" / "alias.png");
  }
  ~Bundle() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path dir() const { return root_ / "bundle"; }
  fs::path root() const { return root_; }
  static void write(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }

 private:
  fs::path root_;
  static inline int counter_ = 0;
};

ParseResult parse(const std::string& json, const Limits& limits = {}) {
  static Bundle bundle;
  return parse_playlist(json, "p.json", bundle.dir(), limits);
}

std::vector<std::string> lines(const ParseResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) out.push_back(format_diagnostic(d));
  return out;
}

std::vector<std::string> errors(const ParseResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) {
    if (d.severity == Severity::error) out.push_back(format_diagnostic(d));
  }
  return out;
}

// A valid playlist with one headline whose fields are replaced by `item` (a JSON object body).
std::string with_item(const std::string& item) {
  return R"({"version": 1, "items": [)" + item + "]}";
}

// ---------------------------------------------------------------------------------------------
// Valid playlists

TEST(Content, FullPlaylistBuildsTheModel) {
  std::string json = R"({
  "version": 1, "id": "hexi-2024", "revision": 3, "title": "河西区2024年工作回顾",
  "lang": "zh-Hans", "timezone": "Asia/Shanghai", "clock": false,
  "theme": {"background": "#102030", "foreground": "#ffffff80", "accent": "#F4D35E",
            "title_size": 0.08, "body_size": 0.04, "statistic_size": 0.2, "ticker_size": 0.05,
            "title_weight": 800},
  "defaults": {"duration": 6, "transition": "cut"},
  "items": [
    {"type": "headline", "id": "h1", "title": "标题", "subtitle": "副", "body": "第一段\n第二段",
     "image": "images/a.png", "duration": 10, "transition": "slide",
     "schedule": {"valid_from": "2025-01-20T08:00:00+08:00", "valid_until": "2025-01-21T00:00:00Z",
                  "days": ["mon", "sun"], "times": [{"from": "22:00", "until": "02:00"},
                                                    {"from": "08:00", "until": "24:00"}]}},
    {"type": "statistic", "value": "690万余", "unit": "人次", "label": "接待", "comparison": "+12.3%",
     "series": [{"label": "2023", "value": 600}, {"label": "2024", "value": 690.5}]},
    {"type": "statistic_group", "title": "民生",
     "statistics": [{"value": "1.3", "unit": "亿元", "label": "a"}, {"value": "两位数", "label": "b"}]},
    {"type": "notice", "body": "通知"},
    {"type": "image", "image": "images/b.jpg", "fit": "cover", "caption": "说明"},
    {"type": "alert", "title": "停水", "schedule": {"valid_until": "2025-01-20T18:00+0800"}}
  ],
  "ticker": {"items": ["一", "二"], "separator": " | ", "speed": 90, "position": "top"}
})";
  ParseResult result = parse(json);
  ASSERT_TRUE(result.playlist) << testing::PrintToString(lines(result));
  EXPECT_TRUE(result.diagnostics.empty()) << testing::PrintToString(lines(result));
  const Playlist& p = *result.playlist;
  EXPECT_EQ(p.id, "hexi-2024");
  EXPECT_EQ(p.revision, 3);
  EXPECT_EQ(p.title, "河西区2024年工作回顾");
  EXPECT_EQ(p.timezone, "Asia/Shanghai");
  EXPECT_FALSE(p.show_clock);
  EXPECT_EQ(p.theme.background, 0x102030ffu);
  EXPECT_EQ(p.theme.foreground, 0xffffff80u);
  EXPECT_EQ(p.theme.accent, 0xf4d35effu);
  EXPECT_EQ(p.theme.muted, 0x8da9c4ffu);  // default kept
  EXPECT_DOUBLE_EQ(p.theme.title_size, 0.08);
  EXPECT_DOUBLE_EQ(p.theme.statistic_size, 0.2);
  EXPECT_EQ(p.theme.title_weight, 800);
  ASSERT_EQ(p.items.size(), 6u);

  const Item& h = p.items[0];
  EXPECT_EQ(h.type, ItemType::headline);
  EXPECT_EQ(h.id, "h1");
  EXPECT_EQ(h.body, "第一段\n第二段");
  EXPECT_EQ(h.image, fs::canonical(p.bundle_dir / "images" / "a.png"));
  EXPECT_TRUE(h.image.is_absolute());
  EXPECT_DOUBLE_EQ(h.duration_s, 10);
  EXPECT_EQ(h.transition, Transition::slide);
  EXPECT_EQ(h.schedule.valid_from, 1737331200);   // 2025-01-20T00:00:00Z
  EXPECT_EQ(h.schedule.valid_until, 1737417600);  // 2025-01-21T00:00:00Z
  EXPECT_EQ(h.schedule.days, 0b1000001);
  ASSERT_EQ(h.schedule.windows.size(), 2u);
  EXPECT_EQ(h.schedule.windows[0].from_minute, 22 * 60);
  EXPECT_EQ(h.schedule.windows[0].until_minute, 2 * 60);
  EXPECT_EQ(h.schedule.windows[1].until_minute, 24 * 60);

  const Item& s = p.items[1];
  EXPECT_EQ(s.type, ItemType::statistic);
  EXPECT_EQ(s.id, "item-1");
  EXPECT_DOUBLE_EQ(s.duration_s, 6);  // from defaults
  EXPECT_EQ(s.transition, Transition::cut);
  ASSERT_EQ(s.statistics.size(), 1u);
  EXPECT_EQ(s.statistics[0].value, "690万余");
  EXPECT_EQ(s.statistics[0].unit, "人次");
  EXPECT_EQ(s.statistics[0].comparison, "+12.3%");
  ASSERT_EQ(s.statistics[0].series.size(), 2u);
  EXPECT_EQ(s.statistics[0].series[1].label, "2024");
  EXPECT_DOUBLE_EQ(s.statistics[0].series[1].value, 690.5);

  EXPECT_EQ(p.items[2].statistics.size(), 2u);
  EXPECT_EQ(p.items[2].statistics[1].value, "两位数");
  EXPECT_EQ(p.items[3].type, ItemType::notice);
  EXPECT_EQ(p.items[4].fit, ImageFit::cover);
  EXPECT_EQ(p.items[4].title, "说明");
  EXPECT_EQ(p.items[5].schedule.valid_until, 1737367200);  // 2025-01-20T10:00:00Z

  ASSERT_TRUE(p.ticker);
  EXPECT_EQ(p.ticker->items, (std::vector<std::string>{"一", "二"}));
  EXPECT_EQ(p.ticker->separator, " | ");
  EXPECT_DOUBLE_EQ(p.ticker->speed_px_per_s, 90);
  EXPECT_TRUE(p.ticker->top);
}

TEST(Content, MinimalPlaylistGetsDefaults) {
  ParseResult result = parse(with_item(R"({"type": "headline", "title": "T"})"));
  ASSERT_TRUE(result.playlist);
  const Playlist& p = *result.playlist;
  EXPECT_EQ(p.lang, "zh-Hans");
  EXPECT_TRUE(p.show_clock);
  EXPECT_FALSE(p.ticker);
  EXPECT_EQ(p.items[0].id, "item-0");
  EXPECT_DOUBLE_EQ(p.items[0].duration_s, 8);
  EXPECT_EQ(p.items[0].transition, Transition::fade);
  EXPECT_EQ(p.items[0].schedule.days, 0x7f);
}

TEST(Content, GeneratedIdsDoNotCollideWithWrittenOnes) {
  ParseResult result = parse(with_item(
      R"({"type": "notice", "body": "a"}, {"type": "notice", "id": "item-0", "body": "b"})"));
  ASSERT_TRUE(result.playlist);
  EXPECT_EQ(result.playlist->items[1].id, "item-0");
  EXPECT_NE(result.playlist->items[0].id, "item-0");
}

TEST(Content, ByteOrderMarkIsAccepted) {
  ParseResult result = parse("\xEF\xBB\xBF" + with_item(R"({"type": "notice", "bdy": "x"})"));
  // Columns count the three BOM bytes.
  EXPECT_EQ(errors(result).size(), 1u);
  EXPECT_EQ(errors(result)[0],
            "p.json:1:29: error: /items/0/body: missing required field \"body\" (a notice needs a "
            "body)");
}

// ---------------------------------------------------------------------------------------------
// JSON syntax, duplicates, positions

TEST(Content, SyntaxErrorHasItsPosition) {
  ParseResult result = parse("{\"version\": 1,\n  \"items\": [tru]}");
  EXPECT_FALSE(result.playlist);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  const Diagnostic& d = result.diagnostics[0];
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 16);  // the "]" that ends the bad literal
  EXPECT_EQ(d.pointer, "/items");
  EXPECT_NE(d.message.find("JSON syntax error"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("invalid literal"), std::string::npos) << d.message;
}

TEST(Content, UnexpectedEndIsAtTheEnd) {
  ParseResult result = parse("{\"version\": 1,\n\"items\": [");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].line, 2);
  EXPECT_EQ(result.diagnostics[0].column, 11);
  EXPECT_NE(result.diagnostics[0].message.find("unexpected end of input"), std::string::npos);
}

TEST(Content, EmptyAndTrailingGarbage) {
  EXPECT_EQ(lines(parse("")).size(), 1u);
  EXPECT_FALSE(parse("").playlist);
  ParseResult result = parse(with_item("") + " x");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].column, int(with_item("").size()) + 2);
}

TEST(Content, CommentsAreSyntaxErrors) {
  ParseResult result = parse("{\"version\": 1, // note\n\"items\": []}");
  EXPECT_FALSE(result.playlist);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].column, 16);
}

// Punctuation typed with a Chinese input method in JSON's own syntax: the character is named,
// whole, with the ASCII mark JSON needs, at the character's own position.
TEST(Content, FullWidthPunctuationIsNamed) {
  const std::string hint =
      " (type JSON's own marks with the input method in half-width/English mode)";
  EXPECT_EQ(
      errors(parse(with_item("{\"type\": \"notice\", \"body\"：\"x\"}"))),
      std::vector<std::string>{"p.json:1:51: error: /items/0/body: full-width '：' where JSON "
                               "needs ':'" +
                               hint});
  EXPECT_EQ(errors(parse(with_item("{\"type\": \"notice\"，\"body\": \"x\"}"))),
            std::vector<std::string>{"p.json:1:43: error: /items/0: full-width '，' where JSON "
                                     "needs ','" +
                                     hint});
  EXPECT_EQ(errors(parse(with_item("{\"type\": \"notice\"、\"body\": \"x\"}"))),
            std::vector<std::string>{"p.json:1:43: error: /items/0: ideographic comma '、' where "
                                     "JSON needs ','" +
                                     hint});
  EXPECT_EQ(errors(parse(with_item("{“type”: \"notice\", \"body\": \"x\"}"))),
            std::vector<std::string>{"p.json:1:27: error: /items/0: curly quote '“' where JSON "
                                     "needs '\"'" +
                                     hint});
  // A closing curly quote: the string runs on to the next '"' (or to the end of the line).
  EXPECT_EQ(errors(parse(with_item("{\"type\": \"notice\", \"body\": \"开放”, \"title\": \"x\"}"))),
            std::vector<std::string>{"p.json:1:60: error: /items/0: curly quote '”' where JSON "
                                     "needs '\"'" +
                                     hint});
  EXPECT_EQ(
      errors(parse(with_item("{\"type\": \"notice\", \"body\": \"开放”,\n\"title\": \"x\"}"))),
      std::vector<std::string>{"p.json:1:60: error: /items/0/body: curly quote '”' where "
                               "JSON needs '\"'" +
                               hint});
  // Curly quotes inside a string are text, not syntax, also next to another syntax error.
  EXPECT_TRUE(parse(with_item("{\"type\": \"notice\", \"body\": \"“开放”：9点\"}")).playlist);
  auto missing_comma =
      errors(parse(with_item("{\"type\": \"notice\", \"body\": \"“开放”\" \"x\": 1}")));
  ASSERT_EQ(missing_comma.size(), 1u);
  EXPECT_EQ(missing_comma[0].find("curly"), std::string::npos) << missing_comma[0];
}

// nlohmann's "last read" shows bytes; a message never holds half a character.
TEST(Content, SyntaxErrorsShowWholeCharacters) {
  auto result = errors(parse("{\"version\": 1, \"items\": [tr好]}"));
  ASSERT_EQ(result.size(), 1u);
  EXPECT_NE(result[0].find("last read: 'tr好'"), std::string::npos) << result[0];
}

TEST(Content, TrailingCommaSaysWhichCommaToRemove) {
  EXPECT_EQ(
      errors(parse("{\"version\": 1,\n \"items\": [{\"type\": \"notice\", \"body\": \"x\",}]}")),
      std::vector<std::string>{"p.json:2:42: error: /items/0: JSON syntax error: remove "
                               "this comma: JSON allows none before '}'"});
  EXPECT_EQ(errors(parse("{\"version\": 1,\n \"items\": [{\"type\": \"notice\", \"body\": \"x\"},\n"
                         "]}")),
            std::vector<std::string>{"p.json:2:43: error: /items: JSON syntax error: remove this "
                                     "comma: JSON allows none before ']'"});
}

// A playlist saved in the Chinese Windows "ANSI" encoding (GBK), made with ICU's converter.
TEST(Content, GbkFileIsRecognised) {
  std::string utf8 = with_item("{\"type\": \"notice\", \"body\": \"开放时间：9:00\"}");
  UErrorCode status = U_ZERO_ERROR;
  char gbk[256];
  std::int32_t n = ucnv_convert("GB18030", "UTF-8", gbk, sizeof gbk, utf8.data(),
                                std::int32_t(utf8.size()), &status);
  ASSERT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  auto result = errors(parse(std::string(gbk, std::size_t(n))));
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].substr(0, 81),
            "p.json:1:54: error: the file is not UTF-8: it looks like GBK/GB18030 (the Chinese");
  EXPECT_NE(result[0].find("iconv -f GB18030 -t UTF-8 p.json"), std::string::npos) << result[0];
  // Random bytes that are not UTF-8 are not called GBK.
  EXPECT_EQ(errors(parse(with_item("{\"type\": \"notice\", \"body\": \"\xff\xfe\"}"))),
            std::vector<std::string>{
                "p.json:1:54: error: invalid UTF-8 (byte 0xff); a playlist is UTF-8 text"});
}

TEST(Content, DuplicateKeysAreErrorsAtTheSecondKey) {
  ParseResult result = parse("{\"version\": 1,\n \"items\": [],\n \"version\": 1}");
  EXPECT_FALSE(result.playlist);
  EXPECT_EQ(lines(result),
            (std::vector<std::string>{
                "p.json:2:11: warning: /items: no items: the screen shows only the "
                "fallback (title and clock)",
                "p.json:3:2: error: /version: duplicate key \"version\" (first at 1:2)"}));
}

TEST(Content, DuplicateKeysDeepInsideAndRepeatedThrice) {
  ParseResult result = parse(with_item(
      R"({"type": "notice", "body": "a", "schedule": {"days": ["mon"], "days": ["tue"], "days": []}})"));
  std::vector<std::string> e = errors(result);
  ASSERT_EQ(e.size(), 2u) << testing::PrintToString(e);
  EXPECT_EQ(e[0],
            "p.json:1:88: error: /items/0/schedule/days: duplicate key \"days\" (first at 1:71)");
  EXPECT_EQ(e[1],
            "p.json:1:105: error: /items/0/schedule/days: duplicate key \"days\" (first at 1:71)");
}

TEST(Content, KeysWithSlashAndTildeAreEscapedInPointers) {
  ParseResult result = parse(R"({"version": 1, "items": [], "a/b~c": 1})");
  ASSERT_EQ(result.diagnostics.size(), 2u);
  EXPECT_EQ(result.diagnostics[1].pointer, "/a~1b~0c");
  EXPECT_TRUE(result.playlist);  // unknown fields are warnings
}

// ---------------------------------------------------------------------------------------------
// Field checks: exact lines

TEST(Content, WrongTypesAndRanges) {
  std::string json = R"({"version": 1, "items": [
{"type": "headline", "title": "T", "duration": "10"},
{"type": "headline", "title": "T", "duration": 0},
{"type": "headline", "title": "T", "duration": 86401},
{"type": "headline", "title": "T", "duration": -1.5e3},
{"type": "headline", "title": "T", "transition": "wipe"},
{"type": "headline", "title": 7},
{"type": "headline", "title": ""},
{"type": "statistic", "value": 1.3, "label": "x"},
{"type": "statistic", "value": "1", "label": "x", "series": [{"label": "a", "value": 1e300}]},
{"type": "statistic_group", "statistics": [{"value": "1", "label": "a"}]},
{"type": "image", "image": "images/a.png", "fit": "fill"},
{"type": "parade"},
{"title": "T"},
[]
]})";
  EXPECT_EQ(errors(parse(json)),
            (std::vector<std::string>{
                "p.json:2:48: error: /items/0/duration: expected a duration in seconds (greater "
                "than 0 and at most 86400), got the string \"10\"",
                "p.json:3:48: error: /items/1/duration: expected a duration in seconds greater "
                "than 0 and at most 86400, got 0",
                "p.json:4:48: error: /items/2/duration: expected a duration in seconds greater "
                "than 0 and at most 86400, got 86401",
                "p.json:5:48: error: /items/3/duration: expected a duration in seconds greater "
                "than 0 and at most 86400, got -1.5e3",
                "p.json:6:50: error: /items/4/transition: expected one of \"fade\", \"slide\", "
                "\"cut\", got the string \"wipe\"",
                "p.json:7:31: error: /items/5/title: expected a string, got 7",
                "p.json:8:31: error: /items/6/title: expected a non-empty string",
                "p.json:9:32: error: /items/7/value: expected the value as a string, exactly as it "
                "should show (\"1.3\"), got the number 1.3",
                "p.json:10:86: error: /items/8/series/0/value: expected a number at least -1e+15 "
                "and at most 1e+15, got 1e300",
                "p.json:11:43: error: /items/9/statistics: expected 2 to 6 statistics, got 1",
                "p.json:12:51: error: /items/10/fit: expected one of \"contain\", \"cover\", got "
                "the string \"fill\"",
                "p.json:13:10: error: /items/11/type: expected one of \"headline\", \"statistic\", "
                "\"statistic_group\", \"notice\", \"image\", \"alert\", got the string \"parade\"",
                "p.json:14:1: error: /items/12/type: missing required field \"type\" (one of "
                "\"headline\", \"statistic\", \"statistic_group\", \"notice\", \"image\", "
                "\"alert\")",
                "p.json:15:1: error: /items/13: expected an item object with a \"type\", got an "
                "array",
            }));
}

TEST(Content, NumberOverflowIsASyntaxErrorAtTheNumber) {
  ParseResult result = parse(with_item(R"({"type": "headline", "title": "T", "duration": 1e999})"));
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_NE(result.diagnostics[0].message.find("number overflow"), std::string::npos);
  EXPECT_EQ(result.diagnostics[0].pointer, "/items/0/duration");
  EXPECT_EQ(result.diagnostics[0].column, 73);
}

TEST(Content, HugeIntegersAreRefusedNotWrapped) {
  ParseResult result = parse(R"({"version": 1, "revision": 18446744073709551615, "items": []})");
  ASSERT_EQ(errors(result).size(), 1u);
  EXPECT_EQ(errors(result)[0],
            "p.json:1:28: error: /revision: expected a revision number (a whole number from 0 to "
            "9007199254740992), got 18446744073709551615");
  result = parse(R"({"version": 1, "revision": 1e400, "items": []})");
  EXPECT_FALSE(result.playlist);
}

TEST(Content, VersionMustBeOne) {
  EXPECT_EQ(errors(parse(R"({"version": 2, "items": []})")),
            std::vector<std::string>{"p.json:1:13: error: /version: unsupported format version 2; "
                                     "this player reads version 1 (update the player)"});
  EXPECT_EQ(
      errors(parse(R"({"version": "1", "items": []})")),
      std::vector<std::string>{
          "p.json:1:13: error: /version: expected the format version 1, got the string \"1\""});
  EXPECT_EQ(errors(parse(R"({"items": []})")),
            std::vector<std::string>{
                "p.json:1:1: error: /version: missing required field \"version\" (the number 1)"});
  EXPECT_EQ(errors(parse(R"({"version": 1})")),
            std::vector<std::string>{
                "p.json:1:1: error: /items: missing required field \"items\" (an array of cards)"});
  EXPECT_EQ(errors(parse(R"([1])")),
            std::vector<std::string>{"p.json:1:1: error: expected a playlist object {\"version\": "
                                     "1, \"items\": [...]} at the top level, got an array"});
}

TEST(Content, ThemeColoursAndSizes) {
  std::string json = R"({"version": 1, "items": [], "theme": {
 "background": "#fff", "accent": "red", "muted": "#12345g", "foreground": 16777215,
 "title_size": 0, "ticker_size": 0.9, "body_size": true, "title_weight": 950}})";
  EXPECT_EQ(
      errors(parse(json)),
      (std::vector<std::string>{
          "p.json:2:16: error: /theme/background: expected a colour \"#rrggbb\" or "
          "\"#rrggbbaa\", got the string \"#fff\"",
          "p.json:2:34: error: /theme/accent: expected a colour \"#rrggbb\" or \"#rrggbbaa\", "
          "got the string \"red\"",
          "p.json:2:50: error: /theme/muted: expected a colour \"#rrggbb\" or \"#rrggbbaa\", "
          "got the string \"#12345g\"",
          "p.json:2:75: error: /theme/foreground: expected a colour \"#rrggbb\" or "
          "\"#rrggbbaa\", got 16777215",
          "p.json:3:16: error: /theme/title_size: expected a fraction of the screen height at "
          "least 0.01 and at most 0.5, got 0",
          "p.json:3:34: error: /theme/ticker_size: expected a fraction of the screen height "
          "at least 0.01 and at most 0.5, got 0.9",
          "p.json:3:52: error: /theme/body_size: expected a fraction of the screen height "
          "(at least 0.01 and at most 0.5), got true",
          "p.json:3:74: error: /theme/title_weight: expected a font weight (a whole number "
          "from 100 to 900), got 950",
      }));
}

// Every text/background pair a preset draws meets WCAG 2 contrast: 4.5:1 (AA for body text),
// 7:1 (AAA) for the high-contrast preset. The ratios come from the preset's colours.
TEST(ThemePresets, EveryTextOnItsBackgroundMeetsWcagContrast) {
  EXPECT_NEAR(contrast_ratio(0x000000ff, 0xffffffff), 21.0, 1e-9);
  EXPECT_NEAR(contrast_ratio(0x777777ff, 0xffffffff), 4.48, 0.01);  // WCAG's example grey
  ASSERT_EQ(theme_preset_names(), (std::vector<std::string>{"navy", "light", "contrast"}));
  for (const std::string& name : theme_preset_names()) {
    const std::optional<Theme> t = theme_preset(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(t->preset, name);
    const double least = name == "contrast" ? 7.0 : 4.5;
    // As the cards mix colours (scene::detail::mix): the clock is 30% of the way from the text
    // colour to muted, a statistic group's panel 6% of the way from the background to the text.
    auto mix = [](Rgba a, Rgba b, double t) {
      Rgba out = 0xff;
      for (int shift = 8; shift <= 24; shift += 8) {
        const double ca = (a >> shift) & 0xff, cb = (b >> shift) & 0xff;
        out |= Rgba(std::lround(ca + (cb - ca) * t)) << shift;
      }
      return out;
    };
    const Rgba clock = mix(t->foreground, t->muted, 0.3);
    const Rgba panel = mix(t->background, t->foreground, 0.06);
    const struct {
      const char* what;
      Rgba text, background;
    } pairs[] = {
        {"text", t->foreground, t->background},
        {"numbers and subtitles (accent)", t->accent, t->background},
        {"comparisons and chart labels (muted)", t->muted, t->background},
        {"ticker text", t->foreground, t->ticker_background},
        {"alert text", t->alert_foreground, t->alert_background},
        {"the alert's label on its tag", t->alert_background, t->alert_foreground},
        {"the clock", clock, t->background},
        {"the clock over an alert card", clock, t->alert_background},
        {"numbers on a statistic group's panel", t->accent, panel},
        {"comparisons on a statistic group's panel", t->muted, panel},
    };
    for (const auto& pair : pairs) {
      EXPECT_GE(contrast_ratio(pair.text, pair.background), least)
          << name << ": " << pair.what << " " << std::hex << pair.text << " on " << pair.background;
    }
  }
  EXPECT_FALSE(theme_preset("blue"));
  // The default theme is the navy preset.
  EXPECT_EQ(Theme{}.background, theme_preset("navy")->background);
  // High contrast also means larger, bolder text.
  EXPECT_GT(theme_preset("contrast")->body_size, Theme{}.body_size);
  EXPECT_GT(theme_preset("contrast")->body_weight, Theme{}.body_weight);
}

TEST(ThemePresets, FieldsWrittenBesideAPresetOverrideIt) {
  // "preset" after the field it is overridden by: the order in the object does not matter.
  ParseResult result = parse(R"({"version": 1, "items": [],
    "theme": {"accent": "#123456", "body_size": 0.06, "preset": "light"}})");
  ASSERT_TRUE(result.playlist) << testing::PrintToString(lines(result));
  const Theme& t = result.playlist->theme;
  EXPECT_EQ(t.preset, "light");
  EXPECT_EQ(t.accent, 0x123456ffu);
  EXPECT_EQ(t.body_size, 0.06);
  EXPECT_EQ(t.background, theme_preset("light")->background);
  EXPECT_EQ(t.muted, theme_preset("light")->muted);
  result = parse(R"({"version": 1, "items": [], "theme": {"preset": "contrast"}})");
  ASSERT_TRUE(result.playlist);
  EXPECT_EQ(result.playlist->theme.body_weight, 700);
  EXPECT_EQ(result.playlist->theme.title_size, theme_preset("contrast")->title_size);
}

TEST(ThemePresets, AnUnknownPresetNamesTheThree) {
  EXPECT_EQ(errors(parse(R"({"version": 1, "items": [], "theme": {"preset": "dark"}})")),
            (std::vector<std::string>{
                "p.json:1:49: error: /theme/preset: expected one of the theme presets \"navy\", "
                "\"light\", \"contrast\", got the string \"dark\""}));
  EXPECT_EQ(errors(parse(R"({"version": 1, "items": [], "theme": {"preset": 2}})")).size(), 1u);
}

// The logo is checked like an item's picture: in the bundle, a PNG or JPEG within the budget,
// and in the "assets" list when there is one.
TEST(ThemeLogo, IsAnAssetCheckedLikeAPicture) {
  ParseResult ok = parse(R"({"version": 1, "items": [], "theme": {"logo": "images/a.png"}})");
  ASSERT_TRUE(ok.playlist) << testing::PrintToString(lines(ok));
  EXPECT_EQ(ok.playlist->theme.logo.filename(), "a.png");
  EXPECT_TRUE(ok.playlist->theme.logo.is_absolute());
  EXPECT_EQ(ok.playlist->asset_paths, (std::vector<std::string>{"images/a.png"}));
  EXPECT_NE(missing_asset_list(*ok.playlist), "");
  const std::pair<const char*, const char*> bad[] = {
      {"images/missing.png",
       "/theme/logo: missing asset: no file \"images/missing.png\" in the bundle folder"},
      {"../outside.png", "/theme/logo: expected a path inside the bundle folder"},
      {"images/escape.png", "/theme/logo: asset \"images/escape.png\" is a symbolic link"},
      {"images/notes.png", "/theme/logo: asset \"images/notes.png\" is not a PNG or JPEG"},
      {"images/huge.png", "/theme/logo: asset \"images/huge.png\" "},
  };
  for (const auto& [path, message] : bad) {
    std::vector<std::string> e = errors(
        parse(std::string(R"({"version": 1, "items": [], "theme": {"logo": ")") + path + "\"}}"));
    ASSERT_EQ(e.size(), 1u) << path << testing::PrintToString(e);
    EXPECT_NE(e[0].find(message), std::string::npos) << e[0];
  }
  std::vector<std::string> e = errors(
      parse(R"({"version": 1, "items": [], "theme": {"logo": "images/a.png"}, "assets": {}})"));
  ASSERT_EQ(e.size(), 1u) << testing::PrintToString(e);
  EXPECT_NE(e[0].find("/theme/logo: asset \"images/a.png\" is not in the \"assets\" list"),
            std::string::npos)
      << e[0];
}

TEST(Content, TopLevelFields) {
  std::string json = R"({"version": 1, "items": [], "id": "has space", "lang": "中文",
"timezone": "Mars/Olympus", "clock": "yes", "title": "a\tb"})";
  EXPECT_EQ(errors(parse(json)),
            (std::vector<std::string>{
                "p.json:1:35: error: /id: expected an id of 1 to 64 letters, digits, '-', '_' or "
                "'.' (such as \"hexi-2024\"), got the string \"has space\"",
                "p.json:1:56: error: /lang: expected a BCP 47 language tag such as \"zh-Hans\" or "
                "\"en\", got the string \"中文\"",
                "p.json:2:13: error: /timezone: expected an IANA time zone name such as "
                "\"Asia/Shanghai\", got the string \"Mars/Olympus\"",
                "p.json:2:38: error: /clock: expected true or false, got the string \"yes\"",
                "p.json:2:54: error: /title: expected one line of text, without line breaks or "
                "control characters",
            }));
}

TEST(Content, TimeZones) {
  EXPECT_TRUE(is_known_timezone("Asia/Shanghai"));
  EXPECT_TRUE(is_known_timezone("Europe/Berlin"));
  EXPECT_TRUE(is_known_timezone("UTC"));
  EXPECT_FALSE(is_known_timezone("GMT+8"));
  EXPECT_FALSE(is_known_timezone("Asia/Shanghai "));
  EXPECT_FALSE(is_known_timezone(""));
  EXPECT_FALSE(is_known_timezone("Etc/Unknown"));
}

TEST(Content, UnknownFieldsAreWarningsWithSuggestions) {
  ParseResult result = parse(with_item(
      R"({"type": "statistic", "value": "1", "label": "x", "duraton": 5, "body": "b", "zzz": 1})"));
  ASSERT_TRUE(result.playlist);
  EXPECT_EQ(lines(result),
            (std::vector<std::string>{
                "p.json:1:76: warning: /items/0/duraton: unknown field \"duraton\" in statistic "
                "items (ignored); did you mean \"duration\"?",
                "p.json:1:90: warning: /items/0/body: field \"body\" is not used by statistic "
                "items (ignored)",
                "p.json:1:103: warning: /items/0/zzz: unknown field \"zzz\" in statistic items "
                "(ignored)",
            }));
}

TEST(Content, MissingRequiredFieldsPointAtTheObject) {
  std::string json = R"({"version": 1, "items": [
  {"type": "headline"},
  {"type": "statistic", "value": "1"},
  {"type": "alert", "title": "A"},
  {"type": "image"}
]})";
  EXPECT_EQ(lines(parse(json)),
            (std::vector<std::string>{
                "p.json:2:3: error: /items/0/title: missing required field \"title\" (a headline "
                "needs a title)",
                "p.json:3:3: error: /items/1/label: missing required field \"label\" (what the "
                "number counts)",
                "p.json:4:3: warning: /items/2: an alert without a schedule pre-empts the loop all "
                "the time; give it \"schedule\": {\"valid_from\": ..., \"valid_until\": ...}",
                "p.json:5:3: error: /items/3/image: missing required field \"image\" (a PNG or "
                "JPEG file in the bundle)",
            }));
}

// "priority" on alerts: 1 to 3, 2 when absent; any other value is refused naming the allowed
// ones; on another type it is a field that type does not use.
TEST(Content, AlertPriority) {
  const std::string valid = R"({"version": 1, "timezone": "UTC", "items": [
{"type": "alert", "title": "A", "priority": 3, "schedule": {"valid_until": "2030-01-01T00:00Z"}},
{"type": "alert", "title": "B", "schedule": {"valid_until": "2030-01-01T00:00Z"}},
{"type": "alert", "title": "C", "priority": 1, "schedule": {"valid_until": "2030-01-01T00:00Z"}}
]})";
  ParseResult result = parse(valid);
  ASSERT_TRUE(result.playlist) << testing::PrintToString(lines(result));
  EXPECT_TRUE(result.diagnostics.empty()) << testing::PrintToString(lines(result));
  EXPECT_EQ(result.playlist->items[0].priority, 3);
  EXPECT_EQ(result.playlist->items[1].priority, 2);
  EXPECT_EQ(result.playlist->items[2].priority, 1);

  const std::string bad = R"({"version": 1, "items": [
{"type": "alert", "title": "A", "priority": 4},
{"type": "alert", "title": "B", "priority": 0},
{"type": "alert", "title": "C", "priority": 2.5},
{"type": "alert", "title": "D", "priority": "3"},
{"type": "notice", "body": "x", "priority": 3}
]})";
  const std::string allowed =
      "expected the alert's priority: 1 (information), 2 (warning) or 3 (emergency), got ";
  std::vector<std::string> reported;
  for (const auto& line : lines(parse(bad))) {
    if (line.find("without a schedule") == std::string::npos) reported.push_back(line);
  }
  EXPECT_EQ(reported, (std::vector<std::string>{
                          "p.json:2:45: error: /items/0/priority: " + allowed + "4",
                          "p.json:3:45: error: /items/1/priority: " + allowed + "0",
                          "p.json:4:45: error: /items/2/priority: " + allowed + "2.5",
                          "p.json:5:45: error: /items/3/priority: " + allowed + "the string \"3\"",
                          "p.json:6:33: warning: /items/4/priority: field \"priority\" is not "
                          "used by notice items (ignored)",
                      }));
}

TEST(Content, DuplicateItemIds) {
  ParseResult result = parse(with_item(
      "{\"type\": \"notice\", \"id\": \"a\", \"body\": \"x\"},\n{\"type\": \"notice\", \"id\": "
      "\"a\", \"body\": \"y\"}"));
  EXPECT_EQ(errors(result), std::vector<std::string>{"p.json:2:26: error: /items/1/id: duplicate "
                                                     "item id \"a\" (first at 1:26)"});
}

TEST(Content, Schedules) {
  std::string json = R"({"version": 1, "timezone": "UTC", "items": [
{"type": "notice", "body": "x", "schedule": {"valid_from": "2025-01-20T08:00:00"}},
{"type": "notice", "body": "x", "schedule": {"valid_from": "2025-02-30T08:00:00Z"}},
{"type": "notice", "body": "x", "schedule": {"valid_from": "2025-01-20T08:00:00Z", "valid_until": "2025-01-20T09:00:00+02:00"}},
{"type": "notice", "body": "x", "schedule": {"days": ["mon", "Tue", 3]}},
{"type": "notice", "body": "x", "schedule": {"days": []}},
{"type": "notice", "body": "x", "schedule": {"times": [{"from": "8:00", "until": "24:00"}]}},
{"type": "notice", "body": "x", "schedule": {"times": [{"from": "24:00", "until": "18:60"}]}},
{"type": "notice", "body": "x", "schedule": {"times": [{"from": "08:00", "until": "08:00"}]}},
{"type": "notice", "body": "x", "schedule": {"times": [{"from": "08:00"}]}},
{"type": "notice", "body": "x", "schedule": "always"}
]})";
  EXPECT_EQ(errors(parse(json)),
            (std::vector<std::string>{
                "p.json:2:60: error: /items/0/schedule/valid_from: expected a date and time with a "
                "UTC offset, such as \"2025-01-20T08:00:00+08:00\", got the string "
                "\"2025-01-20T08:00:00\"",
                "p.json:3:60: error: /items/1/schedule/valid_from: expected a date and time with a "
                "UTC offset, such as \"2025-01-20T08:00:00+08:00\", got the string "
                "\"2025-02-30T08:00:00Z\"",
                "p.json:4:99: error: /items/2/schedule/valid_until: expected valid_until to be "
                "later than valid_from (2025-01-20T08:00:00Z)",
                "p.json:5:62: error: /items/3/schedule/days/1: expected a day: \"mon\", \"tue\", "
                "\"wed\", \"thu\", \"fri\", \"sat\" or \"sun\", got the string \"Tue\"",
                "p.json:5:69: error: /items/3/schedule/days/2: expected a day: \"mon\", \"tue\", "
                "\"wed\", \"thu\", \"fri\", \"sat\" or \"sun\", got 3",
                "p.json:6:54: error: /items/4/schedule/days: expected at least one day (leave "
                "\"days\" out for every day)",
                "p.json:7:65: error: /items/5/schedule/times/0/from: expected a local time "
                "\"HH:MM\" from \"00:00\" to \"23:59\", got the string \"8:00\"",
                "p.json:8:65: error: /items/6/schedule/times/0/from: expected a local time "
                "\"HH:MM\" from \"00:00\" to \"23:59\", got the string \"24:00\"",
                "p.json:8:83: error: /items/6/schedule/times/0/until: expected a local time "
                "\"HH:MM\" from \"00:00\" to \"24:00\", got the string \"18:60\"",
                "p.json:9:83: error: /items/7/schedule/times/0/until: expected \"until\" to differ "
                "from \"from\" (an empty window never shows; leave \"times\" out for all day)",
                "p.json:10:56: error: /items/8/schedule/times/0/until: missing required field "
                "\"until\" (a time \"HH:MM\")",
                "p.json:11:45: error: /items/9/schedule: expected a schedule object, got the "
                "string \"always\"",
            }));
}

TEST(Content, SchedulesWithoutTimeZoneWarn) {
  ParseResult result =
      parse(with_item(R"({"type": "notice", "body": "x", "schedule": {"days": ["mon"]}})"));
  ASSERT_TRUE(result.playlist);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].severity, Severity::warning);
  EXPECT_EQ(result.diagnostics[0].pointer, "/timezone");
}

TEST(Content, Ticker) {
  std::string json = R"({"version": 1, "items": [], "ticker": {
"items": ["ok", "", "two\nlines", 5], "speed": 0, "position": "left", "separater": "|"}})";
  EXPECT_EQ(
      lines(parse(json)),
      (std::vector<std::string>{
          "p.json:1:25: warning: /items: no items: the screen shows only the fallback (title "
          "and clock)",
          "p.json:2:17: error: /ticker/items/1: expected a non-empty string",
          "p.json:2:21: error: /ticker/items/2: expected one line of text, without line "
          "breaks or control characters",
          "p.json:2:35: error: /ticker/items/3: expected a string, got 5",
          "p.json:2:48: error: /ticker/speed: expected a speed in pixels per second (at 1080 "
          "px screen height) at least 5 and at most 1000, got 0",
          "p.json:2:63: error: /ticker/position: expected one of \"bottom\", \"top\", got the "
          "string \"left\"",
          "p.json:2:71: warning: /ticker/separater: unknown field \"separater\" in the ticker "
          "(ignored); did you mean \"separator\"?",
      }));
  EXPECT_EQ(errors(parse(R"({"version": 1, "items": [], "ticker": {"items": []}})")),
            std::vector<std::string>{"p.json:1:49: error: /ticker/items: expected at least one "
                                     "headline (or leave the ticker out)"});
}

// ---------------------------------------------------------------------------------------------
// Assets

TEST(Content, AssetPaths) {
  std::string json = R"({"version": 1, "items": [
{"type": "image", "image": "/etc/passwd"},
{"type": "image", "image": "images/../../outside.png"},
{"type": "image", "image": "images/missing.png"},
{"type": "image", "image": "images/escape.png"},
{"type": "image", "image": "images/notes.png"},
{"type": "image", "image": "https://example.com/a.png"},
{"type": "image", "image": "images\\a.png"},
{"type": "image", "image": "images"},
{"type": "image", "image": "images/alias.png"},
{"type": "headline", "title": "T", "image": "./images/b.jpg"}
]})";
  ParseResult result = parse(json);
  std::vector<std::string> e = errors(result);
  ASSERT_EQ(e.size(), 8u) << testing::PrintToString(e);
  EXPECT_EQ(e[0],
            "p.json:2:28: error: /items/0/image: expected a path relative to the bundle folder "
            "(such as \"images/photo.jpg\"), got the absolute path \"/etc/passwd\"");
  EXPECT_EQ(e[1],
            "p.json:3:28: error: /items/1/image: expected a path inside the bundle folder, got "
            "\"images/../../outside.png\" which leaves it with \"..\"");
  EXPECT_EQ(e[2],
            "p.json:4:28: error: /items/2/image: missing asset: no file \"images/missing.png\" in "
            "the bundle folder");
  EXPECT_EQ(e[3],
            "p.json:5:28: error: /items/3/image: asset \"images/escape.png\" is a symbolic link "
            "that leads out of the bundle (to \"../outside.png\")");
  EXPECT_EQ(e[4],
            "p.json:6:28: error: /items/4/image: asset \"images/notes.png\" is not a PNG or "
            "JPEG image");
  EXPECT_EQ(e[5],
            "p.json:7:28: error: /items/5/image: expected a file in the bundle (a relative path "
            "such as \"images/photo.jpg\"), not a URL");
  EXPECT_EQ(e[6],
            "p.json:8:28: error: /items/6/image: expected '/' between folder names, not '\\'");
  EXPECT_EQ(e[7], "p.json:9:28: error: /items/7/image: asset \"images\" is not a regular file");
}

// Headline pictures: "fit" (cover unless said) and "focus", the point kept in view.
TEST(Content, PictureFitAndFocus) {
  ParseResult ok = parse(R"({"version": 1, "items": [
{"type": "headline", "title": "T", "image": "images/a.png"},
{"type": "headline", "title": "T", "image": "images/a.png", "fit": "contain", "focus": [0.2, 1]},
{"type": "image", "image": "images/a.png", "focus": [0, 0.35]}
]})");
  ASSERT_TRUE(ok.playlist) << testing::PrintToString(lines(ok));
  EXPECT_TRUE(ok.diagnostics.empty()) << testing::PrintToString(lines(ok));
  const auto& items = ok.playlist->items;
  EXPECT_FALSE(items[0].fit);  // the type's default: cover for a headline
  EXPECT_EQ(items[0].focus_x, 0.5);
  EXPECT_EQ(items[0].focus_y, 0.5);
  EXPECT_EQ(items[1].fit, ImageFit::contain);
  EXPECT_EQ(items[1].focus_x, 0.2);
  EXPECT_EQ(items[1].focus_y, 1.0);
  EXPECT_EQ(items[2].focus_y, 0.35);

  EXPECT_EQ(errors(parse(R"({"version": 1, "items": [
{"type": "headline", "title": "T", "image": "images/a.png", "focus": [1.5, 0]},
{"type": "headline", "title": "T", "image": "images/a.png", "focus": "top"},
{"type": "headline", "title": "T", "image": "images/a.png", "focus": [0.5]},
{"type": "headline", "title": "T", "image": "images/a.png", "fit": "fill"}
]})")),
            (std::vector<std::string>{
                "p.json:2:71: error: /items/0/focus/0: expected x, from the picture's left edge "
                "(0) to its right edge (1), at least 0 and at most 1, got 1.5",
                "p.json:3:70: error: /items/1/focus: expected a point of the picture [x, y], each "
                "0 to 1 from its left and top, e.g. [0.5, 0.3], got the string \"top\"",
                "p.json:4:70: error: /items/2/focus: expected a point of the picture [x, y], each "
                "0 to 1 from its left and top, e.g. [0.5, 0.3], got an array of 1 value",
                "p.json:5:68: error: /items/3/fit: expected one of \"contain\", \"cover\", got "
                "the string \"fill\""}));
}

TEST(Content, PicturesTooLargeToDecodeAreErrorsAtTheirField) {
  std::string json = R"({"version": 1, "items": [
{"type": "image", "image": "images/huge.png"},
{"type": "headline", "title": "T", "image": "images/huge.jpg"},
{"type": "image", "image": "images/photo.jpg"},
{"type": "image", "image": "images/cut.png"}
]})";
  ParseResult result = parse(json);
  std::vector<std::string> e = errors(result);
  ASSERT_EQ(e.size(), 2u) << testing::PrintToString(e);
  EXPECT_EQ(e[0],
            "p.json:2:28: error: /items/0/image: asset \"images/huge.png\" is a PNG of 20000x20000 "
            "px (400.0 Mpx); a PNG is decoded whole, and a picture may have at most 8.3 Mpx once "
            "decoded (33 MB): resize it to at most 2160x2160 px (no screen shows more than "
            "3840x2160)");
  EXPECT_EQ(
      e[1],
      "p.json:3:45: error: /items/1/image: asset \"images/huge.jpg\" is a JPEG of 65000x60000 "
      "px (3900.0 Mpx); even decoded at 1/8 it has 60.9 Mpx, and a picture may have at most "
      "8.3 Mpx once decoded (33 MB): resize it to at most 2340x2160 px (no screen shows "
      "more than 3840x2160)");
  // The 48 MP photo is fine (decoded reduced); the cut-short PNG gets a warning.
  std::vector<std::string> all = lines(result);
  ASSERT_EQ(all.size(), 3u) << testing::PrintToString(all);
  EXPECT_EQ(all[2],
            "p.json:5:28: warning: /items/3/image: asset \"images/cut.png\": its PNG header is "
            "damaged or cut short (Read Error); the player shows a placeholder");
}

TEST(Content, SymlinkInsideTheBundleAndDotSlashAreFine) {
  Bundle bundle;
  ParseResult result = parse_playlist(with_item(R"({"type": "image", "image": "images/alias.png"},
                   {"type": "headline", "title": "T", "image": "./images/b.jpg"})"),
                                      "p.json", bundle.dir());
  ASSERT_TRUE(result.playlist) << testing::PrintToString(lines(result));
  EXPECT_EQ(result.playlist->items[0].image, fs::canonical(bundle.dir() / "images" / "a.png"));
  EXPECT_EQ(result.playlist->items[1].image, fs::canonical(bundle.dir() / "images" / "b.jpg"));
}

// ---------------------------------------------------------------------------------------------
// Limits and hostile bytes

TEST(Content, FileSizeLimit) {
  Limits limits;
  limits.max_file_bytes = 100;
  ParseResult result =
      parse(with_item(R"({"type": "notice", "body": ")" + std::string(100, 'x') + "\"}"), limits);
  EXPECT_FALSE(result.playlist);
  EXPECT_EQ(lines(result), std::vector<std::string>{
                               "p.json: error: file of 157 bytes is larger than the limit of 100"});
}

TEST(Content, ItemAndTickerCountLimits) {
  Limits limits;
  limits.max_items = 2;
  limits.max_ticker_items = 1;
  std::string item = R"({"type": "notice", "body": "x"})";
  ParseResult result = parse(R"({"version": 1, "items": [)" + item + "," + item + "," + item +
                                 R"(], "ticker": {"items": ["a", "b"]}})",
                             limits);
  EXPECT_EQ(errors(result),
            (std::vector<std::string>{
                "p.json:1:25: error: /items: expected at most 2 items, got 3",
                "p.json:1:144: error: /ticker/items: expected at most 1 headlines, got 2"}));
}

TEST(Content, StringLengthLimit) {
  Limits limits;
  limits.max_string_bytes = 10;
  ParseResult result = parse(with_item(R"({"type": "notice", "body": "一二三四"})"), limits);
  EXPECT_EQ(errors(result), std::vector<std::string>{
                                "p.json:1:53: error: /items/0/body: string of 12 bytes is longer "
                                "than the limit of 10"});
}

TEST(Content, NestingDepthLimit) {
  std::string deep =
      R"({"version": 1, "items": [], "x": )" + std::string(100, '[') + std::string(100, ']') + "}";
  ParseResult result = parse(deep);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(result.diagnostics[0]),
            "p.json:1:65: error: /x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: "
            "nested deeper than 32 levels; a playlist needs only a few");
  // A million brackets: refused at the limit, no recursion anywhere.
  result = parse(std::string(1000000, '['));
  EXPECT_FALSE(result.playlist);
  EXPECT_EQ(result.diagnostics.size(), 1u);
}

TEST(Content, ValueCountLimit) {
  Limits limits;
  limits.max_values = 50;
  std::string many = R"({"version": 1, "items": [], "x": [)";
  for (int i = 0; i < 100; ++i) many += "0,";
  many += "0]}";
  ParseResult result = parse(many, limits);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_NE(result.diagnostics[0].message.find("more than 50 JSON values"), std::string::npos);
}

TEST(Content, InvalidUtf8IsReportedWhereItIs) {
  ParseResult result = parse("{\"version\": 1,\n\"items\": [], \"title\": \"ab\xff\"}");
  EXPECT_EQ(lines(result), std::vector<std::string>{
                               "p.json:2:26: error: invalid UTF-8 (byte 0xff); a playlist is UTF-8 "
                               "text"});
  // An overlong encoding of "/" and a UTF-16 surrogate encoded in UTF-8.
  EXPECT_FALSE(parse(with_item("{\"type\": \"notice\", \"body\": \"\xc0\xaf\"}")).playlist);
  EXPECT_FALSE(parse(with_item("{\"type\": \"notice\", \"body\": \"\xed\xa0\x80\"}")).playlist);
}

TEST(Content, NulBytesAndEscapes) {
  std::string raw = R"({"version": 1, "items": [{"type": "notice", "body": "a)";
  raw += '\0';
  raw += "b\"}]}";
  EXPECT_EQ(lines(parse(raw)), std::vector<std::string>{
                                   "p.json:1:55: error: NUL byte in the file; a playlist is UTF-8 "
                                   "text"});
  EXPECT_EQ(
      errors(parse(with_item(R"({"type": "notice", "body": "a\u0000b"})"))),
      std::vector<std::string>{
          "p.json:1:53: error: /items/0/body: expected text without NUL characters or invalid "
          "UTF-8 (NUL character at byte 1)"});
  EXPECT_EQ(errors(parse(with_item(R"({"type": "notice", "body": "a\u001bb"})"))),
            std::vector<std::string>{
                "p.json:1:53: error: /items/0/body: expected text without control characters "
                "other than \"\\n\""});
  // A lone surrogate escape is a syntax error.
  EXPECT_FALSE(parse(with_item(R"({"type": "notice", "body": "\ud800"})")).playlist);
}

// No file is called with a NUL or control character: the store refuses such names in the
// "assets" list, and check says so at the name (one rule, content::has_control_character).
TEST(Content, AssetNamesWithControlCharactersAreErrors) {
  auto entry = [](const std::string& name) {
    return "\"" + name + R"(": {"size": 1, "sha256": ")" + std::string(64, 'a') + "\"}";
  };
  // Names as JSON escapes: NUL, SOH, DEL, NEL (a C1 control), then a good one.
  std::string json = "{\"version\": 1, \"items\": [],\n\"assets\": {" + entry("a\\u0000.png") +
                     ",\n" + entry("a\\u0001.png") + ",\n" + entry("a\\u007f.png") + ",\n" +
                     entry("a\\u0085.png") + ",\n" + entry("images/a.png") + "}}";
  // At each entry, the name escaped (C1 controls too: some terminals act on them).
  EXPECT_EQ(errors(parse(json)),
            (std::vector<std::string>{
                "p.json:2:27: error: /assets/a\\x00.png: expected a file name without NUL or "
                "control characters, got \"a\\x00.png\"",
                "p.json:3:16: error: /assets/a\\x01.png: expected a file name without NUL or "
                "control characters, got \"a\\x01.png\"",
                "p.json:4:16: error: /assets/a\\x7f.png: expected a file name without NUL or "
                "control characters, got \"a\\x7f.png\"",
                "p.json:5:16: error: /assets/a\\u0085.png: expected a file name without NUL or "
                "control characters, got \"a\\u0085.png\"",
            }));
  EXPECT_TRUE(has_control_character(std::string_view("a\0b", 3)));
  EXPECT_TRUE(has_control_character("a\x7f"));
  EXPECT_TRUE(has_control_character("a\u0085"));  // C1 NEL
  EXPECT_FALSE(has_control_character("图片/a.png"));
}

TEST(Content, ControlCharactersInKeysAreEscapedInMessages) {
  ParseResult result = parse(R"({"version": 1, "items": [], "\u001b[31m": 1})");
  ASSERT_EQ(result.diagnostics.size(), 2u);
  std::string line = format_diagnostic(result.diagnostics[1]);
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_NE(line.find("\\x1b[31m"), std::string::npos) << line;
}

TEST(Content, RandomBytesNeverCrash) {
  // Deterministic: mutations of a valid playlist, and random bytes.
  std::string valid = with_item(
      R"({"type": "statistic", "value": "1.3", "unit": "亿元", "label": "x", "series": [{"label": "a", "value": 1}],
         "schedule": {"days": ["mon"], "times": [{"from": "22:00", "until": "02:00"}]}})");
  std::mt19937 random(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = valid;
    int edits = 1 + int(random() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = random() % bytes.size();
      switch (random() % 4) {
        case 0: bytes[at] = char(random() % 256); break;
        case 1: bytes.erase(at, 1 + random() % 8); break;
        case 2: bytes.insert(at, 1, "{}[]\",:\\0e-"[random() % 11]); break;
        default: {
          // What a Chinese input method types for JSON's marks.
          const char* const lookalikes[] = {"：", "，", "“", "”", "、", "　", "｝", "］"};
          bytes.insert(at, lookalikes[random() % 8]);
          break;
        }
      }
      if (bytes.empty()) bytes = "{";
    }
    ParseResult result = parse(bytes);
    EXPECT_TRUE(result.playlist || !result.diagnostics.empty());
    for (const auto& d : result.diagnostics) {
      EXPECT_GE(d.line, 0);
      std::string line = format_diagnostic(d);
      EXPECT_EQ(line.find('\n'), std::string::npos);
      EXPECT_FALSE(detail::find_utf8_problem(line)) << "half a character in: " << line;
    }
  }
}

TEST(Content, DiagnosticCountIsBounded) {
  std::string json = R"({"version": 1, "items": [)";
  for (int i = 0; i < 300; ++i) json += std::string(i ? "," : "") + R"({"type": "x"})";
  json += "]}";
  ParseResult result = parse(json);
  ASSERT_EQ(result.diagnostics.size(), 101u);
  EXPECT_EQ(format_diagnostic(result.diagnostics.back()),
            "p.json: error: 200 more problems not shown");
}

// ---------------------------------------------------------------------------------------------
// load_playlist and format_diagnostic

TEST(Content, LoadFolderOrFile) {
  Bundle bundle;
  Bundle::write(bundle.dir() / "playlist.json",
                with_item(R"({"type": "image", "image": "images/a.png"})"));
  ParseResult from_folder = load_playlist(bundle.dir());
  ASSERT_TRUE(from_folder.playlist) << testing::PrintToString(lines(from_folder));
  EXPECT_EQ(from_folder.playlist->bundle_dir, fs::canonical(bundle.dir()));
  ParseResult from_file = load_playlist(bundle.dir() / "playlist.json");
  ASSERT_TRUE(from_file.playlist);
  EXPECT_EQ(from_file.playlist->items[0].image, from_folder.playlist->items[0].image);

  // Assets resolve next to the file, not next to the working directory.
  Bundle::write(bundle.root() / "elsewhere.json",
                with_item(R"({"type": "image", "image": "images/a.png"})"));
  EXPECT_FALSE(load_playlist(bundle.root() / "elsewhere.json").playlist);
}

TEST(Content, LoadProblems) {
  Bundle bundle;
  ParseResult missing = load_playlist(bundle.root() / "nothing");
  EXPECT_EQ(lines(missing), std::vector<std::string>{(bundle.root() / "nothing").string() +
                                                     ": error: no such file or folder"});
  ParseResult empty_folder = load_playlist(bundle.dir());
  EXPECT_EQ(lines(empty_folder),
            std::vector<std::string>{(bundle.dir() / "playlist.json").string() +
                                     ": error: the bundle folder has no playlist.json"});
  EXPECT_FALSE(load_playlist("/dev/null").playlist);
  Limits limits;
  limits.max_file_bytes = 10;
  Bundle::write(bundle.dir() / "playlist.json", with_item(""));
  ParseResult big = load_playlist(bundle.dir(), limits);
  EXPECT_EQ(lines(big), std::vector<std::string>{(bundle.dir() / "playlist.json").string() +
                                                 ": error: file of 27 bytes is larger than the "
                                                 "limit of 10"});
}

TEST(Content, FormatDiagnostic) {
  Diagnostic d{Severity::warning, "a.json", 3, 7, "/x", "hello"};
  EXPECT_EQ(format_diagnostic(d), "a.json:3:7: warning: /x: hello");
  d = {Severity::error, "a\nb.json", 0, 0, "", "bad\x1b"};
  EXPECT_EQ(format_diagnostic(d), "a\\x0ab.json: error: bad\\x1b");
}

// ---------------------------------------------------------------------------------------------
// Instants

TEST(Content, ParseInstant) {
  EXPECT_EQ(parse_instant("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_instant("2025-01-20T08:00:00+08:00"), 1737331200);
  EXPECT_EQ(parse_instant("2025-01-20T08:00+0800"), 1737331200);
  EXPECT_EQ(parse_instant("2025-01-20 00:00:00.123456z"), 1737331200);
  EXPECT_EQ(parse_instant("2024-02-29T12:00:00-05:30"), 1709227800);
  EXPECT_EQ(parse_instant("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(parse_instant("2000-03-01T00:00:00Z"), 951868800);
  EXPECT_FALSE(parse_instant("2025-01-20T08:00:00"));   // no offset
  EXPECT_FALSE(parse_instant("2023-02-29T08:00:00Z"));  // not a leap year
  EXPECT_FALSE(parse_instant("2025-01-20T24:00:00Z"));
  EXPECT_FALSE(parse_instant("2025-01-20T08:00:00+8"));
  EXPECT_FALSE(parse_instant("2025-01-20T08:00:00Z "));
  EXPECT_FALSE(parse_instant("2025-1-20T08:00:00Z"));
  EXPECT_FALSE(parse_instant(""));
}

}  // namespace
}  // namespace signage::content
