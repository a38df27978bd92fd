// Display hours in the frame loop, headless, with a fake clock and fake commands: outside the
// hours one black frame is presented and nothing more is drawn, the off command runs once, and
// an alert turns the screen on with the alert (not the frame from before), then off again.
// Asserted by what frames show and by the commands' file, never by clocks.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "content/content.h"
#include "render/render.h"
#include "run/player.h"
#include "support/temp_dir.h"

namespace signage::run {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const content::Playlist> parse(const std::string& json) {
  content::ParseResult result =
      content::parse_playlist(json, "test.json", fs::temp_directory_path());
  for (const auto& d : result.diagnostics) ADD_FAILURE() << content::format_diagnostic(d);
  return result.playlist;
}

// Monday 2025-01-20 in Shanghai: on until 21:00, an alert 21:00:02 to 21:00:04.
const char* kPlaylist = R"({"version": 1, "id": "hours", "title": "社区中心",
  "timezone": "Asia/Shanghai",
  "display_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                     "times": [{"from": "07:30", "until": "21:00"}]}],
  "items": [{"type": "headline", "title": "中共河西区委经济工作会议召开", "duration": 2},
            {"type": "headline", "title": "第二条", "duration": 2},
            {"type": "alert", "id": "storm", "title": "暴雨预警", "body": "请注意安全",
             "schedule": {"valid_from": "2025-01-20T21:00:02+08:00",
                          "valid_until": "2025-01-20T21:00:04+08:00"}}],
  "ticker": {"items": ["滚动新闻一", "滚动新闻二"]}})";

std::int64_t at(const char* iso) {
  return content::parse_instant(iso).value();
}

bool all_black(const text::RgbaImage& image) {
  for (std::size_t i = 0; i + 3 < image.pixels.size(); i += 4) {
    if (image.pixels[i] || image.pixels[i + 1] || image.pixels[i + 2]) return false;
  }
  return !image.pixels.empty();
}

bool has_colour(const text::RgbaImage& image, std::uint32_t rgb) {
  for (std::size_t i = 0; i + 3 < image.pixels.size(); i += 4) {
    const std::uint32_t p = std::uint32_t(image.pixels[i]) << 16 |
                            std::uint32_t(image.pixels[i + 1]) << 8 | image.pixels[i + 2];
    if (p == rgb) return true;
  }
  return false;
}

TEST(DisplayHoursPlayer, BlanksStopsDrawingAndAnAlertTurnsTheScreenOn) {
  auto playlist = parse(kPlaylist);
  ASSERT_TRUE(playlist);
  test_support::TempDir dir("display-hours");
  const fs::path log = dir.path / "commands.txt";

  render::RendererOptions ro;
  ro.output = render::Output::headless;
  ro.size = {640, 360};
  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  ASSERT_TRUE(renderer) << error;

  PlayerOptions po;
  po.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  po.wall_clock_at_start_s = at("2025-01-20T20:59:58+08:00");
  po.duration = 30 * scene::kSecond;  // a safety stop; the hook ends the run
  po.display_commands.off = "echo off >> '" + log.string() + "'";
  po.display_commands.on = "echo on >> '" + log.string() + "'";
  auto player = Player::create(*renderer, po, playlist, &error);
  ASSERT_TRUE(player) << error;

  const std::int64_t closing = at("2025-01-20T21:00:00+08:00");
  const std::int64_t alert_from = at("2025-01-20T21:00:02+08:00");
  const std::int64_t alert_until = at("2025-01-20T21:00:04+08:00");
  std::uint64_t drawn_before = 0, drawn_in_alert = 0, idle_while_closed = 0;
  std::optional<bool> blank_was_black, first_alert_frame_shows_alert;
  RunStats stats = player->run([&](const FrameInfo& f) {
    const std::int64_t now_s = po.wall_clock_at_start_s + f.t / scene::kSecond;
    if (!f.display_off) {
      // Drawn only inside the hours, or while the alert is eligible.
      EXPECT_TRUE(now_s < closing || (now_s >= alert_from && now_s < alert_until)) << now_s;
      if (now_s < closing) ++drawn_before;
      if (now_s >= alert_from && now_s < alert_until) {
        if (!first_alert_frame_shows_alert) {
          // The first frame after the screen came back: the alert and its colours at once, all
          // of it repainted (no pixel of the black frame left).
          const text::RgbaImage image = renderer->read_frame();
          first_alert_frame_shows_alert =
              f.alert && has_colour(image, 0x9b1d20) && !has_colour(image, 0x000000);
        }
        ++drawn_in_alert;
      }
    } else if (now_s >= closing && now_s < alert_from) {
      if (!blank_was_black) blank_was_black = all_black(renderer->read_frame());
      ++idle_while_closed;
    }
    return now_s < alert_until + 1;
  });
  player.reset();  // waits for the last command

  EXPECT_GT(drawn_before, 0u);
  EXPECT_GT(drawn_in_alert, 0u);
  ASSERT_TRUE(blank_was_black) << "no frame while closed";
  EXPECT_TRUE(*blank_was_black) << "the output was not blanked";
  ASSERT_TRUE(first_alert_frame_shows_alert) << "the alert did not turn the screen on";
  EXPECT_TRUE(*first_alert_frame_shows_alert) << "the first frame back was not the alert";
  // Asleep while closed: woken a few times a second (2 s closed), not once a refresh.
  EXPECT_LE(idle_while_closed, 12u);
  EXPECT_EQ(stats.display_offs, 2u);  // at 21:00:00 and when the alert ended

  std::ifstream in(log);
  std::stringstream commands;
  commands << in.rdbuf();
  EXPECT_EQ(commands.str(), "on\noff\non\noff\n");  // on at start (inside the hours)
}

// A playlist without display hours never turns the screen off, and runs no command but the
// on command at start; player.conf's hours override the playlist's.
TEST(DisplayHoursPlayer, PlayerConfHoursOverrideThePlaylist) {
  auto playlist = parse(kPlaylist);
  ASSERT_TRUE(playlist);
  render::RendererOptions ro;
  ro.output = render::Output::headless;
  ro.size = {320, 180};
  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  ASSERT_TRUE(renderer) << error;
  PlayerOptions po;
  po.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  po.wall_clock_at_start_s = at("2025-01-20T23:00:00+08:00");  // closed by the playlist's hours
  po.duration = 30 * scene::kSecond;
  po.display_hours = content::parse_display_hours("daily 22:00-23:30", &error);
  ASSERT_TRUE(po.display_hours) << error;
  auto player = Player::create(*renderer, po, playlist, &error);
  ASSERT_TRUE(player) << error;
  std::uint64_t drawn = 0, off = 0;
  RunStats stats = player->run([&](const FrameInfo& f) {
    (f.display_off ? off : drawn)++;
    return drawn < 10 && off < 10;
  });
  EXPECT_EQ(drawn, 10u);
  EXPECT_EQ(off, 0u);
  EXPECT_EQ(stats.display_offs, 0u);
}

// The commands: run with /bin/sh -c, their output in the log line by line, their exit status;
// one that hangs is killed with its process group when its time is up.
TEST(DisplayCommands, OutputExitStatusAndTimeout) {
  testing::internal::CaptureStderr();
  const CommandResult done =
      run_logged_command("display_on_command", "echo one; echo two >&2; exit 3", 10);
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(done.started);
  EXPECT_FALSE(done.timed_out);
  EXPECT_EQ(done.exit_status, 3);
  EXPECT_NE(log.find("signage-player: display_on_command: one\n"), std::string::npos) << log;
  EXPECT_NE(log.find("signage-player: display_on_command: two\n"), std::string::npos) << log;
  EXPECT_NE(log.find("display_on_command exited with status 3"), std::string::npos) << log;

  testing::internal::CaptureStderr();
  const CommandResult hung = run_logged_command("display_off_command", "sleep 30 & sleep 30", 0.3);
  const std::string hung_log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(hung.timed_out);
  EXPECT_EQ(hung.exit_status, 128 + 9);  // SIGKILL
  EXPECT_NE(hung_log.find("display_off_command did not finish within 0.3 s; killed"),
            std::string::npos)
      << hung_log;
}

}  // namespace
}  // namespace signage::run
