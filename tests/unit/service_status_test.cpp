// The STATUS= texts the player sends to systemd (run/service_manager.h), and that nothing is made
// without NOTIFY_SOCKET.
#include <gtest/gtest.h>

#include <cstdlib>

#include "run/service_manager.h"

namespace signage::run {
namespace {

content::Playlist two_items() {
  content::Playlist p;
  p.revision = 7;
  p.timezone = "Asia/Shanghai";
  p.items.resize(2);
  p.items[0].id = "first";
  p.items[0].title = "第一条\n消息\t";
  p.items[1].id = "water";
  p.items[1].title = "停水通知";
  return p;
}

TEST(ServiceStatus, NamesTheItemOnOneLine) {
  const content::Playlist p = two_items();
  EXPECT_EQ(playing_status(p, 0, false), "playing 1/2 \"first\": 第一条 消息  (revision 7)");
  EXPECT_EQ(playing_status(p, 1, true), "alert 2/2 \"water\": 停水通知 (revision 7)");
}

TEST(ServiceStatus, LongTitlesAreCutBetweenCharacters) {
  content::Playlist p = two_items();
  p.items[0].title = "a";
  for (int i = 0; i < 40; ++i) p.items[0].title += "长";  // 3 bytes each: 121 in all
  const std::string status = playing_status(p, 0, false);
  // The 90th byte is inside the 30th character: "a" and 29 whole characters (88 bytes) stay.
  EXPECT_EQ(status,
            "playing 1/2 \"first\": " + std::string(p.items[0].title, 0, 88) + "... (revision 7)");
}

TEST(ServiceStatus, WaitingAndNothingScheduled) {
  EXPECT_EQ(playing_status(content::Playlist{}, std::nullopt, false),
            "waiting for content: nothing to play yet");
  EXPECT_EQ(playing_status(two_items(), std::nullopt, false),
            "nothing to show now (every item is outside its schedule) (revision 7)");
}

TEST(ServiceStatus, DisplayOffSaysWhenItComesOn) {
  std::string why;
  const content::Playlist p = two_items();
  // Tuesday 2025-03-04 23:00 in Shanghai.
  const std::int64_t tuesday_night = 1741100400;
  auto daily = content::parse_display_hours("daily 07:30-21:00", &why);
  ASSERT_TRUE(daily) << why;
  EXPECT_EQ(display_off_status(daily, p, tuesday_night),
            "display off until 2025-03-05 07:30 (display hours)");
  auto mondays = content::parse_display_hours("mon 07:30-08:00", &why);
  ASSERT_TRUE(mondays) << why;
  EXPECT_EQ(display_off_status(mondays, p, tuesday_night),
            "display off until 2025-03-10 07:30 (display hours)");
}

TEST(ServiceNotifier, NothingWithoutNotifySocket) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(ServiceNotifier::from_environment(), nullptr);
}

}  // namespace
}  // namespace signage::run
