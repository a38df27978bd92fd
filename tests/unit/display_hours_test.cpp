// Display hours: the decision (content::display_decision) across DST changes and midnight, with
// alerts and player.conf's override; player.conf's compact form; the playlist's checker.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "content/content.h"

namespace signage::content {
namespace {

std::int64_t at(const char* iso) {
  auto t = parse_instant(iso);
  EXPECT_TRUE(t) << iso;
  return t.value_or(0);
}

DisplayHours hours(const char* text) {
  std::string why;
  auto parsed = parse_display_hours(text, &why);
  EXPECT_TRUE(parsed) << text << ": " << why;
  return parsed.value_or(DisplayHours{});
}

Playlist playlist_in(const char* timezone, const char* playlist_hours) {
  Playlist p;
  p.timezone = timezone;
  p.display_hours = hours(playlist_hours);
  p.items.push_back(Item{});
  return p;
}

bool on(const Playlist& p, const char* iso, const std::optional<DisplayHours>& conf = {}) {
  return display_decision(conf, p, at(iso)).on;
}

TEST(DisplayHours, NoHoursIsAlwaysOn) {
  Playlist p;
  const DisplayDecision d = display_decision(std::nullopt, p, at("2025-01-20T03:00:00+08:00"));
  EXPECT_TRUE(d.on);
  EXPECT_EQ(d.why, DisplayReason::always);
}

TEST(DisplayHours, WeekdaysAndWeekendInTheirOwnWindows) {
  const Playlist p =
      playlist_in("Asia/Shanghai", "mon-fri 07:30-21:00, sat-sun 09:00-17:00");  // 2025-01-20: Mon
  EXPECT_FALSE(on(p, "2025-01-20T07:29:59+08:00"));
  EXPECT_TRUE(on(p, "2025-01-20T07:30:00+08:00"));
  EXPECT_TRUE(on(p, "2025-01-20T20:59:59+08:00"));
  EXPECT_FALSE(on(p, "2025-01-20T21:00:00+08:00"));
  EXPECT_EQ(display_decision({}, p, at("2025-01-20T21:00:00+08:00")).why, DisplayReason::closed);
  EXPECT_FALSE(on(p, "2025-01-25T08:59:59+08:00"));  // Saturday
  EXPECT_TRUE(on(p, "2025-01-25T09:00:00+08:00"));
  EXPECT_FALSE(on(p, "2025-01-26T17:00:00+08:00"));  // Sunday
  // The same instant read in another zone: 07:30 in Shanghai is 00:30 in Berlin.
  const Playlist berlin = playlist_in("Europe/Berlin", "mon-fri 07:30-21:00");
  EXPECT_FALSE(on(berlin, "2025-01-20T07:30:00+08:00"));
}

// Clocks go forward in Berlin on 2025-03-30 at 02:00: local 07:30 is 05:30 UTC that day, not
// 06:30 as the winter offset would make it.
TEST(DisplayHours, SpringForwardInBerlin) {
  const Playlist p = playlist_in("Europe/Berlin", "daily 07:30-21:00");
  EXPECT_FALSE(on(p, "2025-03-30T05:29:59Z"));
  EXPECT_TRUE(on(p, "2025-03-30T05:30:00Z"));
  EXPECT_TRUE(on(p, "2025-03-30T18:59:59Z"));
  EXPECT_FALSE(on(p, "2025-03-30T19:00:00Z"));  // 21:00 CEST
  // The day before, still winter time: 07:30 is 06:30 UTC.
  EXPECT_FALSE(on(p, "2025-03-29T06:29:59Z"));
  EXPECT_TRUE(on(p, "2025-03-29T06:30:00Z"));
}

// Clocks go back on 2025-10-26 at 03:00: from then 07:30 is 06:30 UTC.
TEST(DisplayHours, FallBackInBerlin) {
  const Playlist p = playlist_in("Europe/Berlin", "daily 07:30-21:00");
  EXPECT_FALSE(on(p, "2025-10-26T06:29:59Z"));  // 07:29:59 CET (08:29:59 in summer time)
  EXPECT_TRUE(on(p, "2025-10-26T06:30:00Z"));
  EXPECT_TRUE(on(p, "2025-10-26T19:59:59Z"));
  EXPECT_FALSE(on(p, "2025-10-26T20:00:00Z"));
  EXPECT_TRUE(on(p, "2025-10-25T05:30:00Z"));  // the day before: summer time
}

// A window past midnight belongs to the day it starts on, also over the night clocks change.
TEST(DisplayHours, WindowPastMidnight) {
  const Playlist p = playlist_in("Asia/Shanghai", "fri 22:00-02:00");  // 2025-01-24: Friday
  EXPECT_FALSE(on(p, "2025-01-24T21:59:59+08:00"));
  EXPECT_TRUE(on(p, "2025-01-24T22:00:00+08:00"));
  EXPECT_TRUE(on(p, "2025-01-25T01:59:59+08:00"));  // Saturday morning: Friday's window
  EXPECT_FALSE(on(p, "2025-01-25T02:00:00+08:00"));
  EXPECT_FALSE(on(p, "2025-01-25T22:30:00+08:00"));  // Saturday evening
  EXPECT_FALSE(on(p, "2025-01-24T01:00:00+08:00"));  // Friday morning: Thursday's, not listed
  // Saturday 2025-03-29 22:00 to Sunday 02:00 in Berlin, the night 02:00 becomes 03:00.
  const Playlist berlin = playlist_in("Europe/Berlin", "sat 22:00-02:00");
  EXPECT_TRUE(on(berlin, "2025-03-29T21:00:00Z"));   // 22:00 CET
  EXPECT_TRUE(on(berlin, "2025-03-30T00:59:59Z"));   // 01:59:59 CET
  EXPECT_FALSE(on(berlin, "2025-03-30T01:00:00Z"));  // 03:00 CEST
}

// An eligible alert turns the screen on outside the hours, while it is eligible.
TEST(DisplayHours, AnAlertTurnsTheScreenOnWhileItIsEligible) {
  Playlist p = playlist_in("Asia/Shanghai", "mon-fri 07:30-21:00");
  Item alert;
  alert.type = ItemType::alert;
  alert.schedule.valid_from = at("2025-01-20T22:00:00+08:00");
  alert.schedule.valid_until = at("2025-01-20T22:10:00+08:00");
  p.items.push_back(alert);
  Item late;  // a normal item scheduled at night does not turn it on
  late.schedule.windows.push_back({21 * 60, 23 * 60});
  p.items.push_back(late);
  EXPECT_FALSE(on(p, "2025-01-20T21:59:59+08:00"));
  const DisplayDecision d = display_decision({}, p, at("2025-01-20T22:00:00+08:00"));
  EXPECT_TRUE(d.on);
  EXPECT_EQ(d.why, DisplayReason::alert);
  EXPECT_FALSE(on(p, "2025-01-20T22:10:00+08:00"));
  EXPECT_EQ(display_decision({}, p, at("2025-01-21T08:00:00+08:00")).why, DisplayReason::hours);
}

// player.conf's hours replace the playlist's, in the playlist's time zone; "always" keeps the
// screen on whatever the playlist says.
TEST(DisplayHours, PlayerConfOverridesThePlaylist) {
  const Playlist p = playlist_in("Asia/Shanghai", "daily 09:00-17:00");
  EXPECT_FALSE(on(p, "2025-01-20T08:00:00+08:00"));
  EXPECT_TRUE(on(p, "2025-01-20T08:00:00+08:00", hours("mon 07:00-08:30")));
  EXPECT_FALSE(on(p, "2025-01-20T10:00:00+08:00", hours("mon 07:00-08:30")));
  EXPECT_TRUE(on(p, "2025-01-20T03:00:00+08:00", hours("always")));
}

TEST(DisplayHours, CompactForm) {
  const DisplayHours h = hours("mon-fri 07:30-21:00, sat-sun 09:00-17:00");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].days, 0x1f);
  ASSERT_EQ(h[0].windows.size(), 1u);
  EXPECT_EQ(h[0].windows[0].from_minute, 7 * 60 + 30);
  EXPECT_EQ(h[0].windows[0].until_minute, 21 * 60);
  EXPECT_EQ(h[1].days, 0x60);
  EXPECT_EQ(hours("fri-mon 08:00-09:00")[0].days, 0x71);  // wraps past Sunday
  EXPECT_EQ(hours("mon+wed+sat-sun 08:00-09:00")[0].days, 0x65);
  const DisplayHours two = hours("  daily   08:00-12:00\t14:00-24:00 ");
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].days, 0x7f);
  ASSERT_EQ(two[0].windows.size(), 2u);
  EXPECT_EQ(two[0].windows[1].until_minute, 24 * 60);
  EXPECT_TRUE(hours("always").empty());
  EXPECT_EQ(format_display_hours(hours("mon-fri 07:30-21:00, sat-sun 09:00-17:00")),
            "mon-fri 07:30-21:00, sat-sun 09:00-17:00");
  EXPECT_EQ(format_display_hours(hours("mon+wed 22:00-02:00, daily 10:00-11:00")),
            "mon+wed 22:00-02:00, daily 10:00-11:00");
}

std::string problem(const char* text) {
  std::string why;
  EXPECT_FALSE(parse_display_hours(text, &why)) << text;
  return why;
}

TEST(DisplayHours, CompactFormErrorsSayWhatAndWhere) {
  EXPECT_EQ(problem("mon-fri 7:30-21:00"),
            "entry 1 \"mon-fri 7:30-21:00\": \"7:30-21:00\" is not a time window: write "
            "HH:MM-HH:MM such as 07:30-21:00 (24:00 for midnight; an until earlier than from runs "
            "past midnight; the two differ)");
  EXPECT_EQ(problem("mon-fri 07:30-21:00, weekends 09:00-17:00"),
            "entry 2 \"weekends 09:00-17:00\": \"weekends\" is not days: write mon, tue, wed, "
            "thu, fri, sat or sun, a range such as mon-fri, days joined by + such as mon+wed, or "
            "daily");
  EXPECT_EQ(problem("mon-fri"),
            "entry 1 \"mon-fri\": no times: write HH:MM-HH:MM after the days, such as "
            "\"mon-fri 07:30-21:00, sat-sun 09:00-17:00\"");
  EXPECT_EQ(problem("mon 08:00-17:00,"),
            "entry 2 is empty (entries are separated by \",\", such as \"mon-fri 07:30-21:00, "
            "sat-sun 09:00-17:00\")");
  EXPECT_NE(problem("mon 08:00-08:00").find("is not a time window"), std::string::npos);
  EXPECT_NE(problem("mon 08:00-24:01").find("is not a time window"), std::string::npos);
  EXPECT_NE(problem("Mon 08:00-17:00").find("is not days"), std::string::npos);
  EXPECT_NE(problem("mon-xyz 08:00-17:00").find("is not days"), std::string::npos);
  EXPECT_NE(problem("").find("entry 1 is empty"), std::string::npos);
}

// Any text from the form's own characters: an answer (never a crash), and what parses reads
// back the same from its formatted form.
TEST(DisplayHours, CompactFormRoundTripsAndNeverFails) {
  // Pieces of good and bad entries, and stray characters, in random order.
  const std::vector<std::string> pieces = {
      "mon",         "fri",         "sat-sun",     "fri-mon",     "daily",       "mon+wed",
      "sun-sun",     "xyz",         "07:30-21:00", "22:00-02:00", "00:00-24:00", "9-17",
      "08:00-08:00", "23:59-00:00", " ",           "\t",          ", ",          ",",
      "-",           "+",           ":",           "always"};
  std::mt19937 random(15);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int length = int(random() % 8);
    for (int p = 0; p < length; ++p) {
      text += pieces[random() % pieces.size()];
      if (random() % 2) text += " ";
    }
    std::string why;
    auto hours = parse_display_hours(text, &why);
    if (!hours) {
      EXPECT_FALSE(why.empty()) << text;
      continue;
    }
    ++parsed;
    std::string again_why;
    auto again = parse_display_hours(format_display_hours(*hours), &again_why);
    ASSERT_TRUE(again) << text << " -> " << format_display_hours(*hours) << ": " << again_why;
    ASSERT_EQ(again->size(), hours->size()) << text;
    for (std::size_t e = 0; e < hours->size(); ++e) {
      EXPECT_EQ((*again)[e].days, (*hours)[e].days) << text;
      ASSERT_EQ((*again)[e].windows.size(), (*hours)[e].windows.size()) << text;
    }
  }
  EXPECT_GT(parsed, 0);
}

std::vector<std::string> check(const std::string& display_hours) {
  const std::string json =
      "{\"version\": 1, \"timezone\": \"Asia/Shanghai\",\n\"display_hours\": " + display_hours +
      ",\n\"items\": [{\"type\": \"headline\", \"title\": \"T\"}]}";
  ParseResult result = parse_playlist(json, "p.json", std::filesystem::temp_directory_path());
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) out.push_back(format_diagnostic(d));
  if (result.playlist) out.push_back("valid");
  return out;
}

TEST(DisplayHours, ThePlaylistsHoursAreChecked) {
  const std::string json =
      R"({"version": 1, "timezone": "Europe/Berlin", "display_hours": [
        {"days": ["mon", "tue"], "times": [{"from": "07:30", "until": "21:00"}]},
        {"times": [{"from": "22:00", "until": "02:00"}]}],
      "items": [{"type": "headline", "title": "T"}]})";
  ParseResult result = parse_playlist(json, "p.json", std::filesystem::temp_directory_path());
  ASSERT_TRUE(result.playlist);
  EXPECT_TRUE(result.diagnostics.empty());
  const DisplayHours& h = result.playlist->display_hours;
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].days, 0x03);
  EXPECT_EQ(h[1].days, 0x7f);
  EXPECT_EQ(h[1].windows[0].until_minute, 2 * 60);
  EXPECT_EQ(format_display_hours(h), "mon-tue 07:30-21:00, daily 22:00-02:00");

  EXPECT_EQ(check("\"mon-fri 07:30-21:00\""),
            (std::vector<std::string>{
                "p.json:2:18: error: /display_hours: expected an array of opening hours such as "
                "[{\"days\": [\"mon\", \"tue\"], \"times\": [{\"from\": \"07:30\", \"until\": "
                "\"21:00\"}]}], got the string \"mon-fri 07:30-21:00\""}));
  EXPECT_EQ(check("[]"), (std::vector<std::string>{
                             "p.json:2:18: error: /display_hours: expected at least one entry "
                             "(leave \"display_hours\" out for a screen always on)"}));
  EXPECT_EQ(check("[{}]"), (std::vector<std::string>{
                               "p.json:2:19: error: /display_hours/0: expected \"days\", \"times\" "
                               "or both (an entry of neither is always on: leave \"display_hours\" "
                               "out instead)"}));
  EXPECT_EQ(
      check(R"([{"days": ["monday"], "times": [{"from": "7:30", "until": "21:00"}], "open": 1}])"),
      (std::vector<std::string>{
          "p.json:2:29: error: /display_hours/0/days/0: expected a day: \"mon\", \"tue\", "
          "\"wed\", \"thu\", \"fri\", \"sat\" or \"sun\", got the string \"monday\"",
          "p.json:2:59: error: /display_hours/0/times/0/from: expected a local time "
          "\"HH:MM\" from \"00:00\" to \"23:59\", got the string \"7:30\"",
          "p.json:2:87: warning: /display_hours/0/open: unknown field \"open\" in a display "
          "hours entry (ignored)"}));
}

}  // namespace
}  // namespace signage::content
