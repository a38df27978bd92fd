// Scheduling: validity bounds, days and daily windows in local time, across DST changes and
// midnight. Times are written as ISO 8601 instants (parse_instant is tested in content_test).
#include <gtest/gtest.h>

#include <string>

#include "content/content.h"

namespace signage::content {
namespace {

std::int64_t at(const char* iso) {
  auto t = parse_instant(iso);
  EXPECT_TRUE(t) << iso;
  return t.value_or(0);
}

Schedule window(int from_h, int from_m, int until_h, int until_m, std::uint8_t days = 0x7f) {
  Schedule s;
  s.days = days;
  s.windows.push_back({from_h * 60 + from_m, until_h * 60 + until_m});
  return s;
}

constexpr std::uint8_t kMon = 1, kTue = 2, kFri = 16, kSat = 32, kSun = 64;

TEST(Schedule, NoScheduleAlwaysShows) {
  Item item;
  EXPECT_TRUE(is_eligible(item, 0, "UTC"));
  EXPECT_TRUE(is_eligible(item, at("2099-12-31T23:59:59Z"), "Asia/Shanghai"));
}

TEST(Schedule, ValidFromInclusiveUntilExclusive) {
  Item item;
  item.schedule.valid_from = at("2025-01-20T08:00:00+08:00");
  item.schedule.valid_until = at("2025-01-20T18:00:00+08:00");
  EXPECT_FALSE(is_eligible(item, at("2025-01-20T07:59:59+08:00"), "Asia/Shanghai"));
  EXPECT_TRUE(is_eligible(item, at("2025-01-20T08:00:00+08:00"), "Asia/Shanghai"));
  EXPECT_TRUE(is_eligible(item, at("2025-01-20T17:59:59+08:00"), "Asia/Shanghai"));
  EXPECT_FALSE(is_eligible(item, at("2025-01-20T18:00:00+08:00"), "Asia/Shanghai"));
  // Instants do not depend on the zone.
  EXPECT_TRUE(is_eligible(item, at("2025-01-20T00:00:00Z"), "America/New_York"));
}

TEST(Schedule, DaysAreLocalDays) {
  Schedule s;
  s.days = kMon;
  // Sunday 20:00 UTC is Monday 04:00 in Shanghai and still Sunday in New York.
  std::int64_t t = at("2025-01-19T20:00:00Z");
  EXPECT_TRUE(is_eligible(s, t, "Asia/Shanghai"));
  EXPECT_FALSE(is_eligible(s, t, "America/New_York"));
  EXPECT_FALSE(is_eligible(s, t, "UTC"));
  s.days = kSun;
  EXPECT_FALSE(is_eligible(s, t, "Asia/Shanghai"));
  EXPECT_TRUE(is_eligible(s, t, "America/New_York"));
}

TEST(Schedule, DailyWindowEdges) {
  Schedule s = window(8, 0, 18, 0);
  EXPECT_FALSE(is_eligible(s, at("2025-03-03T07:59:59+08:00"), "Asia/Shanghai"));
  EXPECT_TRUE(is_eligible(s, at("2025-03-03T08:00:00+08:00"), "Asia/Shanghai"));
  EXPECT_TRUE(is_eligible(s, at("2025-03-03T17:59:59+08:00"), "Asia/Shanghai"));
  EXPECT_FALSE(is_eligible(s, at("2025-03-03T18:00:00+08:00"), "Asia/Shanghai"));
  Schedule all_day = window(0, 0, 24, 0, kMon);
  EXPECT_TRUE(is_eligible(all_day, at("2025-03-03T00:00:00+08:00"), "Asia/Shanghai"));
  EXPECT_TRUE(is_eligible(all_day, at("2025-03-03T23:59:59+08:00"), "Asia/Shanghai"));
  EXPECT_FALSE(is_eligible(all_day, at("2025-03-04T00:00:00+08:00"), "Asia/Shanghai"));
}

TEST(Schedule, SeveralWindows) {
  Schedule s = window(7, 0, 9, 0);
  s.windows.push_back({17 * 60, 19 * 60});
  EXPECT_TRUE(is_eligible(s, at("2025-03-03T08:00:00Z"), "UTC"));
  EXPECT_FALSE(is_eligible(s, at("2025-03-03T12:00:00Z"), "UTC"));
  EXPECT_TRUE(is_eligible(s, at("2025-03-03T18:00:00Z"), "UTC"));
}

TEST(Schedule, WindowPastMidnightBelongsToTheDayItStarts) {
  // Friday 22:00 to Saturday 02:00, Fridays only. 2025-03-07 is a Friday.
  Schedule s = window(22, 0, 2, 0, kFri);
  const char* zone = "Europe/Berlin";
  EXPECT_FALSE(is_eligible(s, at("2025-03-07T21:59:00+01:00"), zone));
  EXPECT_TRUE(is_eligible(s, at("2025-03-07T22:00:00+01:00"), zone));
  EXPECT_TRUE(is_eligible(s, at("2025-03-07T23:59:59+01:00"), zone));
  EXPECT_TRUE(is_eligible(s, at("2025-03-08T00:00:00+01:00"), zone));  // Saturday
  EXPECT_TRUE(is_eligible(s, at("2025-03-08T01:59:59+01:00"), zone));
  EXPECT_FALSE(is_eligible(s, at("2025-03-08T02:00:00+01:00"), zone));
  EXPECT_FALSE(is_eligible(s, at("2025-03-08T22:30:00+01:00"), zone));  // Saturday evening
  EXPECT_FALSE(is_eligible(s, at("2025-03-07T01:00:00+01:00"), zone));  // Thursday's night
  // Saturday only: the Saturday-evening part shows, Saturday's early morning does not.
  s.days = kSat;
  EXPECT_FALSE(is_eligible(s, at("2025-03-08T01:00:00+01:00"), zone));
  EXPECT_TRUE(is_eligible(s, at("2025-03-08T23:00:00+01:00"), zone));
  EXPECT_TRUE(is_eligible(s, at("2025-03-09T01:00:00+01:00"), zone));  // Sunday morning
}

TEST(Schedule, BerlinSpringForward) {
  // 2024-03-31: 02:00 CET becomes 03:00 CEST. An 08:00-18:00 window follows the wall clock.
  Schedule s = window(8, 0, 18, 0);
  const char* zone = "Europe/Berlin";
  // Saturday: UTC+1.
  EXPECT_FALSE(is_eligible(s, at("2024-03-30T06:30:00Z"), zone));  // 07:30
  EXPECT_TRUE(is_eligible(s, at("2024-03-30T07:30:00Z"), zone));   // 08:30
  EXPECT_TRUE(is_eligible(s, at("2024-03-30T16:30:00Z"), zone));   // 17:30
  // Sunday: UTC+2. A fixed +1 offset would get both of these wrong.
  EXPECT_TRUE(is_eligible(s, at("2024-03-31T06:30:00Z"), zone));   // 08:30 CEST
  EXPECT_FALSE(is_eligible(s, at("2024-03-31T16:30:00Z"), zone));  // 18:30 CEST
  // A window inside the skipped hour never occurs that night.
  Schedule gap = window(2, 0, 2, 30);
  EXPECT_FALSE(is_eligible(gap, at("2024-03-31T00:59:59Z"), zone));  // 01:59:59 CET
  EXPECT_FALSE(is_eligible(gap, at("2024-03-31T01:00:00Z"), zone));  // 03:00 CEST
  EXPECT_FALSE(is_eligible(gap, at("2024-03-31T01:15:00Z"), zone));  // 03:15 CEST
  EXPECT_TRUE(is_eligible(gap, at("2024-03-30T01:15:00Z"), zone));   // the night before: 02:15
}

TEST(Schedule, BerlinFallBackRepeatsTheHour) {
  // 2024-10-27: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
  Schedule s = window(2, 0, 2, 30);
  const char* zone = "Europe/Berlin";
  EXPECT_TRUE(is_eligible(s, at("2024-10-27T00:15:00Z"), zone));   // 02:15 CEST
  EXPECT_FALSE(is_eligible(s, at("2024-10-27T00:45:00Z"), zone));  // 02:45 CEST
  EXPECT_TRUE(is_eligible(s, at("2024-10-27T01:15:00Z"), zone));   // 02:15 CET
  EXPECT_FALSE(is_eligible(s, at("2024-10-27T02:15:00Z"), zone));  // 03:15 CET
}

TEST(Schedule, NewYorkTransitions) {
  const char* zone = "America/New_York";
  // 2024-03-10 02:00 EST -> 03:00 EDT; a 09:00-17:00 Sunday window.
  Schedule s = window(9, 0, 17, 0, kSun);
  EXPECT_TRUE(is_eligible(s, at("2024-03-10T13:30:00Z"), zone));   // 09:30 EDT
  EXPECT_FALSE(is_eligible(s, at("2024-03-10T21:30:00Z"), zone));  // 17:30 EDT
  EXPECT_TRUE(is_eligible(s, at("2024-03-03T14:30:00Z"), zone));   // 09:30 EST a week before
  EXPECT_FALSE(is_eligible(s, at("2024-03-03T13:30:00Z"), zone));  // 08:30 EST
  // 2024-11-03 02:00 EDT -> 01:00 EST: 01:00-01:30 happens twice.
  Schedule twice = window(1, 0, 1, 30);
  EXPECT_TRUE(is_eligible(twice, at("2024-11-03T05:15:00Z"), zone));   // 01:15 EDT
  EXPECT_FALSE(is_eligible(twice, at("2024-11-03T05:45:00Z"), zone));  // 01:45 EDT
  EXPECT_TRUE(is_eligible(twice, at("2024-11-03T06:15:00Z"), zone));   // 01:15 EST
  EXPECT_FALSE(is_eligible(twice, at("2024-11-03T07:15:00Z"), zone));  // 02:15 EST
  // A night window across the change: Saturday 22:00 to Sunday 06:00 (8 wall-clock hours, 9
  // real hours that night).
  Schedule night = window(22, 0, 6, 0, kSat);
  EXPECT_TRUE(is_eligible(night, at("2024-11-03T02:30:00Z"), zone));   // Sat 22:30 EDT
  EXPECT_TRUE(is_eligible(night, at("2024-11-03T10:59:00Z"), zone));   // Sun 05:59 EST
  EXPECT_FALSE(is_eligible(night, at("2024-11-03T11:00:00Z"), zone));  // Sun 06:00 EST
}

TEST(Schedule, DaysCombineWithValidity) {
  Schedule s = window(8, 0, 18, 0, kMon | kTue);
  s.valid_until = at("2025-03-04T12:00:00+08:00");
  EXPECT_TRUE(is_eligible(s, at("2025-03-03T09:00:00+08:00"), "Asia/Shanghai"));   // Monday
  EXPECT_TRUE(is_eligible(s, at("2025-03-04T11:00:00+08:00"), "Asia/Shanghai"));   // Tuesday
  EXPECT_FALSE(is_eligible(s, at("2025-03-04T13:00:00+08:00"), "Asia/Shanghai"));  // expired
  EXPECT_FALSE(is_eligible(s, at("2025-03-05T09:00:00+08:00"), "Asia/Shanghai"));  // Wednesday
}

TEST(Schedule, ParsedScheduleMatchesTheModelSemantics) {
  ParseResult result = parse_playlist(
      R"({"version": 1, "timezone": "Europe/Berlin", "items": [{"type": "notice", "body": "x",
          "schedule": {"days": ["fri"], "times": [{"from": "22:00", "until": "02:00"}]}}]})",
      "p.json", ".");
  ASSERT_TRUE(result.playlist);
  const Playlist& p = *result.playlist;
  EXPECT_TRUE(is_eligible(p.items[0], at("2025-03-08T01:00:00+01:00"), p.timezone));
  EXPECT_FALSE(is_eligible(p.items[0], at("2025-03-09T01:00:00+01:00"), p.timezone));
}

}  // namespace
}  // namespace signage::content
