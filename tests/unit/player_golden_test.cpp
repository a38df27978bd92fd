// Golden renders of every item type, as `signage-player render` draws them (run::render_still),
// at 1920x1080 and turned to portrait (1080x1920), compared with reviewed PNGs in
// tests/golden/player/ with a tolerance. SIGNAGE_UPDATE_GOLDEN=1 writes them instead; look at
// each one before committing it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "content/content.h"
#include "render/render.h"
#include "run/player.h"
#include "support/golden_image.h"
#include "support/temp_dir.h"

namespace signage::run {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kClock = 1740965400;  // 2025-03-03T09:30:00+08:00, a Monday

fs::path golden_dir() {
  return fs::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / "player";
}

// A bundle folder with a generated picture (a gradient with a light frame), made once and removed
// when the test program ends.
const fs::path& bundle_dir() {
  static const test_support::TempDir scratch("player-golden");
  static const fs::path dir = [] {
    const fs::path& d = scratch.path;
    fs::create_directories(d / "images");
    text::RgbaImage picture(640, 400);
    for (int y = 0; y < picture.height; ++y) {
      for (int x = 0; x < picture.width; ++x) {
        std::uint8_t* p = picture.at(x, y);
        bool frame = x < 12 || y < 12 || x >= picture.width - 12 || y >= picture.height - 12;
        p[0] = frame ? 240 : std::uint8_t(40 + x * 180 / picture.width);
        p[1] = frame ? 240 : std::uint8_t(90 + y * 120 / picture.height);
        p[2] = frame ? 240 : 150;
        p[3] = 255;
      }
    }
    EXPECT_EQ(render::save_png(picture, (d / "images" / "picture.png").string()), "");
    // A logo: a teal badge, 3:1, with a white square and a yellow disc, on a clear background.
    text::RgbaImage logo(360, 120);
    for (int y = 0; y < logo.height; ++y) {
      for (int x = 0; x < logo.width; ++x) {
        std::uint8_t* p = logo.at(x, y);
        const bool badge = x >= 4 && y >= 4 && x < logo.width - 4 && y < logo.height - 4;
        const bool square = x >= 30 && x < 90 && y >= 30 && y < 90;
        const bool disc = (x - 240) * (x - 240) + (y - 60) * (y - 60) < 36 * 36;
        const std::uint8_t c[4] = {31, 111, 139, 255}, w[4] = {255, 255, 255, 255},
                           d[4] = {244, 200, 60, 255}, none[4] = {0, 0, 0, 0};
        const std::uint8_t* src = !badge ? none : square ? w : disc ? d : c;
        std::copy_n(src, 4, p);
      }
    }
    EXPECT_EQ(render::save_png(logo, (d / "images" / "logo.png").string()), "");
    // A PNG cut short (as by a failed copy): it passes the checker but cannot be decoded, so the
    // card shows a placeholder.
    fs::copy_file(d / "images" / "picture.png", d / "images" / "broken.png");
    fs::resize_file(d / "images" / "broken.png", 64);
    return d;
  }();
  return dir;
}

// `extra`: more top-level fields, each followed by a comma.
std::string playlist_json(const std::string& items, const std::string& extra = "") {
  return R"({"version": 1, )" + extra +
         R"("id": "golden", "title": "河西区社区服务中心", "lang": "zh-Hans",
    "timezone": "Asia/Shanghai", "items": [)" +
         items + R"(], "ticker": {"items": ["接待游客690万余人次", "新建挖潜补充学位1.6万个",
    "户内燃气设施“6个100%”改造完成37.7万户"]}})";
}

struct Case {
  const char* name;
  const char* items;
  const char* extra = "";  // more top-level fields (playlist_json's `extra`)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

constexpr const char* kLoneStatistic =
    R"({"type": "statistic", "value": "1,286", "unit": "人次", "label": "本月接待居民",
        "comparison": "比上月多 112 人次", "duration": 10})";

const Case kCases[] = {
    {"headline",
     R"({"type": "headline", "title": "中共河西区委经济工作会议召开",
        "subtitle": "全力推动中央精神和市委部署在河西落地生根落实见效",
        "body": "总结全区2024年工作，分析当前经济形势，谋划2025年工作。", "duration": 10})"},
    {"headline_image",
     R"({"type": "headline", "title": "打造2.9平方公里“数字岛”", "body": "建设经济强区、打造品质之城。",
        "image": "images/picture.png", "duration": 10})"},
    {"statistic",
     R"({"type": "statistic", "value": "28.5", "unit": "万人", "label": "家庭医生团队惠及群众",
        "comparison": "+12.3%", "series": [{"label": "2022", "value": 20.1},
        {"label": "2023", "value": 24.6}, {"label": "2024", "value": 28.5}], "duration": 10})"},
    {"statistic_group",
     R"({"type": "statistic_group", "title": "民生保障", "statistics": [
        {"value": "37.7", "unit": "万户", "label": "户内燃气设施改造"},
        {"value": "1.6", "unit": "万个", "label": "新建挖潜补充学位"},
        {"value": "1520", "unit": "部", "label": "阻车梯系统"},
        {"value": "2254", "unit": "套", "label": "专业救援装备"}], "duration": 10})"},
    {"notice",
     R"({"type": "notice", "title": "按照打造“四个高地”的指示要求",
        "body": "一年来，河西区委按照打造“四个高地”的指示要求，解放思想、创新思路、锚定目标、真抓实干，进一步把发展机遇转化为发展优势，推动全区经济社会发展各项事业迈出坚实步伐。",
        "duration": 10})"},
    {"image",
     R"({"type": "image", "image": "images/picture.png", "fit": "contain",
        "caption": "建设经济强区、打造品质之城", "duration": 10})"},
    {"image_broken",
     R"({"type": "image", "image": "images/broken.png", "fit": "cover", "duration": 10})"},
    {"alert",
     R"({"type": "alert", "title": "落实值班值守制度",
        "body": "确保安全生产，让人民群众温暖舒心过冬、欢乐祥和过节。",
        "schedule": {"valid_from": "2025-03-03T08:00:00+08:00",
                     "valid_until": "2025-03-03T18:00:00+08:00"}},
       {"type": "headline", "title": "不应显示", "duration": 10})"},
    {"fallback",
     R"({"type": "headline", "title": "已过期", "duration": 10,
        "schedule": {"valid_until": "2020-01-01T00:00:00+08:00"}})"},
    // The designed themes on a statistic alone on its card, and the center's logo.
    {"statistic_light", kLoneStatistic, R"("theme": {"preset": "light"}, )"},
    {"statistic_contrast", kLoneStatistic, R"("theme": {"preset": "contrast"}, )"},
    {"headline_logo",
     R"({"type": "headline", "title": "和平里社区服务中心", "subtitle": "办事、咨询、活动报名",
        "body": "开放时间：周一至周六 8:30—17:30", "duration": 10})",
     R"("theme": {"logo": "images/logo.png"}, )"},
};

std::shared_ptr<const content::Playlist> playlist_for(const Case& c,
                                                      const std::string& extra = "") {
  content::ParseResult result = content::parse_playlist(
      playlist_json(c.items, extra), std::string(c.name) + ".json", bundle_dir());
  for (const auto& d : result.diagnostics) {
    if (d.severity == content::Severity::error) ADD_FAILURE() << content::format_diagnostic(d);
  }
  return result.playlist;
}

text::RgbaImage render(const Case& c, int rotate, const std::string& extra = "") {
  StillOptions options;
  options.at = scene::kSecond * 5 / 2;  // count-up and transition finished
  options.wall_clock_at_start_s = kClock;
  options.size = {1920, 1080};
  options.rotate = rotate;
  options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  auto playlist = playlist_for(c, extra.empty() ? std::string(c.extra) : extra);
  EXPECT_TRUE(playlist);
  std::string error;
  auto image = render_still(playlist, options, &error);
  EXPECT_TRUE(image) << error;
  return image ? *image : text::RgbaImage();
}

class PlayerGolden : public ::testing::TestWithParam<std::tuple<Case, int>> {};

TEST_P(PlayerGolden, MatchesTheReviewedImage) {
  const auto& [c, rotate] = GetParam();
  text::RgbaImage actual = render(c, rotate);
  ASSERT_EQ(actual.width, rotate ? 1080 : 1920);
  ASSERT_EQ(actual.height, rotate ? 1920 : 1080);
  const std::string name = std::string(c.name) + (rotate ? "_portrait" : "_landscape");
  test_support::expect_matches_golden(actual, golden_dir(), name);
}

INSTANTIATE_TEST_SUITE_P(Items, PlayerGolden,
                         ::testing::Combine(::testing::ValuesIn(kCases), ::testing::Values(0, 90)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) +
                                  (std::get<1>(info.param) ? "_portrait" : "_landscape");
                         });

// The notice band of the sync sources over a headline card: a USB import's confirmation, and a
// problem (alert colours, long enough to wrap).
TEST(PlayerRender, NoticeBands) {
  for (int rotate : {0, 90}) {
    for (bool problem : {false, true}) {
      StillOptions options;
      options.at = scene::kSecond * 5 / 2;
      options.wall_clock_at_start_s = kClock;
      options.rotate = rotate;
      options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
      options.notice = problem ? "U盘内容未载入：/media/usb/signage/playlist.json:12:7: error: "
                                 "/items/3/duration: expected a duration in seconds greater "
                                 "than 0 and at most 86400, got -5"
                               : "已从U盘载入 12 条内容";
      options.notice_problem = problem;
      std::string error;
      auto image = render_still(playlist_for(kCases[1]), options, &error);
      ASSERT_TRUE(image) << error;
      test_support::expect_matches_golden(
          *image, golden_dir(),
          std::string(problem ? "notice_problem" : "notice_imported") +
              (rotate ? "_portrait" : "_landscape"));
    }
  }
}

TEST(PlayerRender, TheSameArgumentsGiveTheSamePixels) {
  text::RgbaImage a = render(kCases[2], 0), b = render(kCases[2], 0);
  EXPECT_EQ(a.pixels, b.pixels);
}

TEST(PlayerRender, AForcedTextureLimitGivesTheSamePixels) {
  // At 1024 px the 1920x1080 card and the ticker strip are split into several textures; the
  // frame must not change.
  for (const Case& c : {kCases[0], kCases[3]}) {
    StillOptions options;
    options.at = scene::kSecond * 5 / 2;
    options.wall_clock_at_start_s = kClock;
    options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
    auto playlist = playlist_for(c);
    std::string error;
    auto unlimited = render_still(playlist, options, &error);
    options.max_texture_size = 1024;
    auto limited = render_still(playlist, options, &error);
    ASSERT_TRUE(unlimited && limited) << error;
    EXPECT_EQ(limited->pixels, unlimited->pixels) << c.name;
  }
}

TEST(PlayerRender, TheTickerMovesBetweenSeconds) {
  StillOptions options;
  options.wall_clock_at_start_s = kClock;
  options.size = {960, 540};
  options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  auto playlist = playlist_for(kCases[0]);
  std::string error;
  options.at = 3 * scene::kSecond;
  auto a = render_still(playlist, options, &error);
  options.at = 4 * scene::kSecond;
  auto b = render_still(playlist, options, &error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_NE(a->pixels, b->pixels);
}

// Frames that are visibly wrong must fail the comparison with the reviewed image: each is the
// real render of the case's playlist with one change.
struct Mutation {
  const char* what;
  std::size_t case_index;
  std::string from, to;  // replaced in the case's items
  std::string extra;     // more top-level playlist fields
};

TEST(PlayerGoldenComparison, VisiblyWrongFramesFail) {
  const Mutation mutations[] = {
      {"the key statistic 28.5 -> 28.6", 2, R"("value": "28.5")", R"("value": "28.6")", ""},
      {"+12.3% -> +12.8%", 2, "+12.3%", "+12.8%", ""},
      {"2024 -> 2023 in a body", 0, "总结全区2024年", "总结全区2023年", ""},
      {"the clock erased", 0, "", "", R"("clock": false, )"},
      {"the background #0b2545 -> #2a2545", 0, "", "", R"("theme": {"background": "#2a2545"}, )"},
      {"white text -> #e0e0e0", 0, "", "", R"("theme": {"foreground": "#e0e0e0"}, )"},
      {"the background 16 levels lighter", 3, "", "", R"("theme": {"background": "#1b3555"}, )"},
  };
  for (const Mutation& m : mutations) {
    const Case& original = kCases[m.case_index];
    std::string items = original.items;
    if (!m.from.empty()) {
      const auto at = items.find(m.from);
      ASSERT_NE(at, std::string::npos) << m.what;
      items.replace(at, m.from.size(), m.to);
    }
    std::string error;
    auto golden =
        render::load_image(golden_dir() / (std::string(original.name) + "_landscape.png"), &error);
    ASSERT_TRUE(golden) << error;
    const auto difference =
        test_support::compare_images(render({original.name, items.c_str()}, 0, m.extra), *golden);
    EXPECT_FALSE(difference.matches())
        << m.what << " passed: " << test_support::describe(difference);
  }
}

// A frame rendered by the aarch64 build (qemu-aarch64, Debian 12 arm64 libraries) of the case
// with the most differing pixels: it matches the x86-64 golden (tests/golden/README.md).
TEST(PlayerGoldenComparison, TheAarch64RenderMatches) {
  for (const char* name : {"statistic_group_landscape", "statistic_landscape"}) {
    std::string error;
    auto golden = render::load_image(golden_dir() / (std::string(name) + ".png"), &error);
    auto arm = render::load_image(golden_dir() / "aarch64" / (std::string(name) + ".png"), &error);
    ASSERT_TRUE(golden && arm) << error;
    const auto difference = test_support::compare_images(*arm, *golden);
    EXPECT_TRUE(difference.matches()) << name << ": " << test_support::describe(difference);
    EXPECT_LE(difference.max_delta, 2) << name;
    // Not a copy of the golden: regenerate it with the aarch64 build when the golden changes.
    EXPECT_TRUE(arm->pixels != golden->pixels) << name << ": the same pixels as the golden";
  }
}

TEST(PlayerRender, DrawsTheFrameThePlayerShowsBetweenRefreshes) {
  StillOptions options;
  options.wall_clock_at_start_s = kClock;
  options.size = {960, 540};
  options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  auto playlist = playlist_for(kCases[0]);
  // 3/4 of the way from refresh 180 to 181 at 60 Hz: the frame loop shows 181 (frame_at rounds),
  // where truncating would give 180.
  const Nanos between = 3 * scene::kSecond + scene::kSecond * 3 / 240;
  const std::int64_t shown = frame_at(between, options.refresh_hz);
  ASSERT_NE(shown, between * 60 / scene::kSecond);
  // The first nanosecond of a refresh is unambiguous: rounding and truncating agree there.
  auto refresh_start = [&](std::int64_t frame) {
    Nanos t = (frame * scene::kSecond + 59) / 60;
    EXPECT_EQ(frame_at(t, options.refresh_hz), frame);
    EXPECT_EQ(t * 60 / scene::kSecond, frame);
    return t;
  };
  std::string error;
  options.at = between;
  auto at_between = render_still(playlist, options, &error);
  options.at = refresh_start(shown);
  auto at_shown = render_still(playlist, options, &error);
  options.at = refresh_start(shown - 1);
  auto at_before = render_still(playlist, options, &error);
  ASSERT_TRUE(at_between && at_shown && at_before) << error;
  // The ticker moved between the two refreshes, so the case tells them apart.
  ASSERT_TRUE(at_shown->pixels != at_before->pixels);
  EXPECT_TRUE(at_between->pixels == at_shown->pixels) << "not refresh " << shown << "'s pixels";
}

// Cards that use the screen: the rows a lone statistic's and a notice's ink reaches, from the
// first to the last, span at least these shares of the screen height (no clock, no ticker: only
// the card's own ink). Before the cards were laid out anew a statistic spanned 0.47 (landscape)
// and 0.26 (portrait), the golden notice 0.36 and 0.34; now 0.75, 0.37, 0.54 and 0.54.
TEST(PlayerRender, AStatisticAndANoticeUseTheScreensHeight) {
  struct Card {
    const char* what;
    const char* item;
    double landscape, portrait;  // least share of the height
  } cards[] = {
      {"statistic", R"({"type": "statistic", "value": "2000余", "unit": "人",
          "label": "新引进各类人才", "comparison": "举办第二届“河西人才节”"})",
       0.65, 0.35},
      {"notice", kCases[4].items, 0.5, 0.5},
  };
  for (const Card& card : cards) {
    const std::string json =
        std::string(
            R"({"version": 1, "id": "ink", "lang": "zh-Hans", "clock": false, "items": [)") +
        card.item + "]}";
    auto parsed = content::parse_playlist(json, "ink.json", bundle_dir());
    ASSERT_TRUE(parsed.playlist) << card.what;
    const content::Rgba bg = parsed.playlist->theme.background;
    for (int rotate : {0, 90}) {
      StillOptions options;
      options.at = scene::kSecond * 5 / 2;
      options.wall_clock_at_start_s = kClock;
      options.rotate = rotate;
      options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
      std::string error;
      auto image = render_still(parsed.playlist, options, &error);
      ASSERT_TRUE(image) << error;
      int first = -1, last = -1;
      for (int y = 0; y < image->height; ++y) {
        for (int x = 0; x < image->width; ++x) {
          const std::uint8_t* p = image->at(x, y);
          if (std::abs(p[0] - int(bg >> 24)) > 16 || std::abs(p[1] - int(bg >> 16 & 0xff)) > 16 ||
              std::abs(p[2] - int(bg >> 8 & 0xff)) > 16) {
            if (first < 0) first = y;
            last = y;
            break;
          }
        }
      }
      ASSERT_GE(first, 0) << card.what << ": no ink";
      const double share = double(last - first + 1) / image->height;
      std::cout << card.what << (rotate ? " portrait" : " landscape") << ": ink in rows " << first
                << ".." << last << ", " << share << " of the height\n";
      EXPECT_GE(share, rotate ? card.portrait : card.landscape)
          << card.what << (rotate ? " portrait" : " landscape");
    }
  }
}

// A card looks up its picture and then the logo: the first picture must stay where it was when
// the second is decoded (it was read after the cache moved it: a crash in the studio's previews).
TEST(ImageFiles, APictureStaysInPlaceWhileTheNextIsLookedUp) {
  const fs::path examples = fs::path(SIGNAGE_SOURCE_DIR) / "playlists" / "examples";
  ImageFiles files;
  const scene::Picture* logo = files.lookup(examples / "theme-light" / "images" / "logo.png");
  ASSERT_NE(logo, nullptr);
  const int width = logo->width;
  const scene::Picture* banner = files.lookup(fs::path(SIGNAGE_SOURCE_DIR) / "playlists" /
                                              "hexi-2024" / "images" / "hexi-banner.png");
  ASSERT_NE(banner, nullptr);
  EXPECT_EQ(files.lookup(examples / "theme-light" / "images" / "logo.png"), logo);
  EXPECT_EQ(logo->width, width);
}

}  // namespace
}  // namespace signage::run
