// Thirty days of the scene's clocks in accelerated time: the sequencer walked slot by slot as the
// player walks it, the ticker's offset from the frame clock (run::frame_at, the same function the
// frame loop uses) through compose(), and schedules across a daylight-saving change. Every
// expectation is computed independently: from the loop's length, from the refresh count, and
// from the zone's rule written out here (not through ICU). No wall clock is read.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include "run/player.h"
#include "scene/scene.h"

namespace signage::scene {
namespace {

using content::Item;
using content::Playlist;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_days;
using namespace std::chrono_literals;

constexpr Nanos kDay = 86400 * kSecond;
constexpr Nanos kThirtyDays = 30 * kDay;

Item item(const std::string& id, double duration_s) {
  Item i;
  i.id = id;
  i.title = id;
  i.duration_s = duration_s;
  return i;
}

std::int64_t unix_s(sys_days day, seconds time = 0s) {
  return std::chrono::duration_cast<seconds>((day + time).time_since_epoch()).count();
}

// --- the loop --------------------------------------------------------------------------------

TEST(ThirtyDays, EverySlotIsWhereTheLoopLengthPutsIt) {
  // Durations that are not whole seconds, one of them not a whole number of microseconds: an
  // accumulated rounding error would move the boundaries within the 30 days.
  const std::vector<double> durations = {8, 10.5, 7.333333333, 12.000000001, 6.25};
  std::vector<Item> items;
  for (std::size_t i = 0; i < durations.size(); ++i) {
    items.push_back(item("item" + std::to_string(i), durations[i]));
  }
  auto playlist = std::make_shared<Playlist>();
  playlist->items = items;
  playlist->timezone = "Asia/Shanghai";
  // Independently: each duration in nanoseconds, their prefix sums and the loop's length.
  const std::vector<Nanos> length = {8'000'000'000, 10'500'000'000, 7'333'333'333, 12'000'000'001,
                                     6'250'000'000};
  std::vector<Nanos> prefix(length.size() + 1, 0);
  std::partial_sum(length.begin(), length.end(), prefix.begin() + 1);
  const Nanos loop = prefix.back();
  const std::size_t n = length.size();

  Sequencer sequencer(playlist, 1772413140);
  std::uint64_t slots = 0;
  Nanos t = 0;
  while (t < kThirtyDays + loop) {
    const Slot& slot = sequencer.slot_at(t);
    const std::uint64_t round = slot.sequence / n;
    const std::size_t index = slot.sequence % n;
    ASSERT_EQ(slot.sequence, slots) << "at t = " << t;
    ASSERT_EQ(slot.item, index) << "at t = " << t;
    ASSERT_EQ(slot.start, Nanos(round) * loop + prefix[index]) << "slot " << slots;
    ASSERT_EQ(slot.end, slot.start + length[index]) << "slot " << slots;
    // The frame loop asks for a slot every refresh, not only at boundaries: the middle too.
    ASSERT_EQ(sequencer.slot_at(slot.start + length[index] / 2).sequence, slot.sequence);
    ++slots;
    t = slot.end;
  }
  // Day 30 from a fresh walk (a player restarted with the same start) and at instants inside
  // the slots: the item is the one t modulo the loop length falls in.
  Sequencer fresh(playlist, 1772413140);
  for (Nanos at : {kThirtyDays, kThirtyDays + 1, kThirtyDays + 3 * kSecond + 7,
                   kThirtyDays + loop / 2, kThirtyDays + loop - 1}) {
    const Nanos into = at % loop;
    std::size_t expected = 0;
    while (prefix[expected + 1] <= into) ++expected;
    const Slot& a = sequencer.slot_at(at);
    const Slot& b = fresh.slot_at(at);
    EXPECT_EQ(a.item, expected) << at;
    EXPECT_EQ(b.item, expected) << at;
    EXPECT_EQ(b.start, at - into + prefix[expected]) << at;
  }
}

// --- the ticker ------------------------------------------------------------------------------

std::shared_ptr<const Image> blank(std::uint64_t id, int w, int h) {
  auto image = std::make_shared<Image>();
  image->id = id;
  image->pixels = text::RgbaImage(w, h);
  return image;
}

// A loop of `loop_width` px in tiles of 256, as ticker_window gives the whole loop.
PreparedTicker whole_loop(int loop_width, int band_y) {
  PreparedTicker t;
  for (int x = 0; x < loop_width; x += 256) {
    t.tiles.push_back(blank(100 + std::uint64_t(x), std::min(256, loop_width - x), 56));
    t.tile_x.push_back(x);
  }
  t.loop_width = t.window_width = loop_width;
  t.band_height = 82;
  t.band_y = band_y;
  return t;
}

// The loop coordinate compose() put at the screen's left edge.
std::int64_t shown_at_left_edge(const DrawList& list, const PreparedTicker& t) {
  for (const auto& cmd : list.commands) {
    for (std::size_t i = 0; i < t.tiles.size(); ++i) {
      if (cmd.image == t.tiles[i].get() && cmd.target.x <= 0 && cmd.target.x + cmd.target.w > 0) {
        return t.tile_x[i] + std::int64_t(-cmd.target.x);
      }
    }
  }
  return -1;
}

struct Refresh {
  double hz;
  std::int64_t refreshes_per_hour;  // exact: 3600 * hz
};

TEST(ThirtyDays, TickerOffsetIsWholePixelsPerRefreshAtItsClosedForm) {
  const Size screen{1920, 1080};
  content::Playlist playlist;
  playlist.ticker.emplace();
  playlist.ticker->speed_px_per_s = 120;
  const int loop_width = 35'017;  // the demo's loop is about 35,000 px; a prime, so no cycle
  PreparedTicker band = whole_loop(loop_width, 998);
  PreparedCard card;
  card.item = 0;
  card.tiles.push_back(CardTile{blank(1, screen.width, screen.height), 0, 0});
  DrawList list;
  FrameInputs in;
  in.screen = screen;
  in.current = &card;
  in.ticker = &band;

  for (Refresh r : {Refresh{60, 216'000}, Refresh{59.94, 215'784}, Refresh{50, 180'000},
                    Refresh{75, 270'000}}) {
    const std::int64_t step = ticker_step_px(ticker_speed_px_per_s(playlist, screen), r.hz);
    ASSERT_EQ(step, std::llround(120 / r.hz)) << r.hz;  // 2 px at 60 Hz, never 0
    ASSERT_GE(step, 1);
    in.ticker_step_px = step;
    // Every hour for 30 days: the frame clock's refresh count and the band's position.
    for (std::int64_t hour = 0; hour <= 30 * 24; ++hour) {
      const Nanos t = hour * 3600 * kSecond;
      const std::int64_t refreshes = hour * r.refreshes_per_hour;
      ASSERT_EQ(run::frame_at(t, r.hz), refreshes) << r.hz << " Hz, hour " << hour;
      in.t = t;
      in.frame = run::frame_at(t, r.hz);
      compose(in, list);
      ASSERT_EQ(shown_at_left_edge(list, band), refreshes * step % loop_width)
          << r.hz << " Hz, hour " << hour;
    }
    // Refresh by refresh around day 30, presented anywhere within a third of a period of
    // when the refresh is due (vsync jitter): one step each, the same refresh count.
    const std::int64_t first = 30 * 24 * r.refreshes_per_hour - 5;
    std::int64_t previous = -1;
    for (std::int64_t k = first; k < first + 10; ++k) {
      const Nanos due = Nanos(__int128(k) * 1'000'000'000'000 / std::llround(r.hz * 1000));
      const Nanos third = Nanos(1e9 / r.hz / 3);
      for (Nanos jitter : {-third, Nanos(0), third}) {
        ASSERT_EQ(run::frame_at(due + jitter, r.hz), k) << r.hz << " Hz, refresh " << k;
      }
      in.frame = run::frame_at(due, r.hz);
      compose(in, list);
      const std::int64_t left = shown_at_left_edge(list, band);
      EXPECT_EQ(left, k * step % loop_width);
      if (previous >= 0) {
        EXPECT_EQ((left - previous + loop_width) % loop_width, step) << k;
      }
      previous = left;
    }
  }
}

// --- schedules across daylight saving --------------------------------------------------------

// A zone's rule written out: standard offset, and when summer time starts and ends (UTC).
struct Zone {
  std::string name;
  hours standard;
  std::int64_t summer_from, summer_until;  // Unix seconds
  sys_days first_day;                      // local midnight of day 0 of the 30
};

void PrintTo(const Zone& z, std::ostream* os) {
  *os << z.name;
}

// Unix seconds of local `time` on local date `day` (never in the skipped or repeated hour).
std::int64_t local_to_unix(const Zone& z, sys_days day, seconds time) {
  std::int64_t s = unix_s(day, time) - std::chrono::duration_cast<seconds>(z.standard).count();
  if (s - 3600 >= z.summer_from && s - 3600 < z.summer_until) s -= 3600;
  return s;
}

Zone berlin_spring() {
  using namespace std::chrono;
  // EU: summer time from the last Sunday of March 01:00 UTC to the last Sunday of October.
  return {"Europe/Berlin", 1h, unix_s(sys_days(2026y / March / Sunday[last]), 1h),
          unix_s(sys_days(2026y / October / Sunday[last]), 1h), sys_days(2026y / March / 15)};
}

Zone new_york_autumn() {
  using namespace std::chrono;
  // US: from the second Sunday of March 02:00 EST (07:00 UTC) to the first Sunday of November
  // 02:00 EDT (06:00 UTC).
  return {"America/New_York", -5h, unix_s(sys_days(2026y / March / Sunday[2]), 7h),
          unix_s(sys_days(2026y / November / Sunday[1]), 6h), sys_days(2026y / October / 18)};
}

class ThirtyDaysInZone : public ::testing::TestWithParam<Zone> {};

TEST_P(ThirtyDaysInZone, SchedulesSwitchAtTheExactMinuteEveryDay) {
  const Zone z = GetParam();
  // Day from 09:00 to 18:00, night from 18:00 to 09:00 (past midnight); a lunch item shares
  // 12:00-12:30 with the day item. One-minute items from a start at local midnight, so every
  // boundary of the walk falls on a whole minute: a switch is either exact or wrong.
  Item day = item("day", 60), night = item("night", 60), lunch = item("lunch", 60);
  day.schedule.windows.push_back({9 * 60, 18 * 60});
  night.schedule.windows.push_back({18 * 60, 9 * 60});
  lunch.schedule.windows.push_back({12 * 60, 12 * 60 + 30});
  auto playlist = std::make_shared<Playlist>();
  playlist->items = {day, night, lunch};
  playlist->timezone = z.name;
  const std::int64_t start = local_to_unix(z, z.first_day, 0s);
  Sequencer sequencer(playlist, start);
  auto at = [&](std::int64_t unix) { return (unix - start) * kSecond; };
  auto id = [&](const Slot& s) { return s.item ? playlist->items[*s.item].id : "fallback"; };

  bool crossed_a_change = false;
  for (int d = 0; d < 30; ++d) {
    const sys_days date = z.first_day + days(d);
    const std::int64_t nine = local_to_unix(z, date, 9h), six = local_to_unix(z, date, 18h);
    const std::int64_t noon = local_to_unix(z, date, 12h),
                       half = local_to_unix(z, date, 12h + 30min);
    if (d > 0 && nine - local_to_unix(z, date - days(1), 9h) != 86400) crossed_a_change = true;
    // The walk goes forwards through every slot of the day, as the player does.
    const Slot before_nine = sequencer.slot_at(at(nine) - 1);
    EXPECT_EQ(id(before_nine), "night") << "day " << d;
    EXPECT_EQ(before_nine.end, at(nine)) << "day " << d;
    const Slot morning = sequencer.slot_at(at(nine));
    EXPECT_EQ(id(morning), "day") << "day " << d;
    EXPECT_EQ(morning.start, at(nine)) << "day " << d;
    // Lunch shows within its half hour only, from its first boundary.
    bool lunch_seen = false;
    for (Nanos t = at(nine); t < at(six);) {
      const Slot& s = sequencer.slot_at(t);
      if (id(s) == "lunch") {
        EXPECT_GE(s.start, at(noon)) << "day " << d;
        EXPECT_LE(s.end, at(half)) << "day " << d;
        lunch_seen = true;
      } else {
        ASSERT_EQ(id(s), "day") << "day " << d << ", t " << t;
      }
      t = s.end;
    }
    EXPECT_TRUE(lunch_seen) << "day " << d;
    const Slot evening = sequencer.slot_at(at(six));
    EXPECT_EQ(id(evening), "night") << "day " << d;
    EXPECT_EQ(evening.start, at(six)) << "day " << d;
    // Through the night to the next morning (the night holds the skipped or repeated hour).
    const std::int64_t next_nine = local_to_unix(z, date + days(1), 9h);
    for (Nanos t = at(six); t < at(next_nine);) {
      const Slot& s = sequencer.slot_at(t);
      ASSERT_EQ(id(s), "night") << "day " << d << ", t " << t;
      t = s.end;
    }
  }
  EXPECT_TRUE(crossed_a_change) << "the 30 days hold no change of the UTC offset";
  // The clock on the screen reads the local time the schedule used, on both sides of the change.
  for (int d : {0, 29}) {
    const std::int64_t nine = local_to_unix(z, z.first_day + days(d), 9h);
    const std::string shown = clock_text(nine, z.name, "en");
    EXPECT_NE(shown.find("09:00"), std::string::npos) << shown;
  }
}

INSTANTIATE_TEST_SUITE_P(Zones, ThirtyDaysInZone,
                         ::testing::Values(berlin_spring(), new_york_autumn()),
                         [](const auto& info) {
                           return info.index == 0 ? std::string("BerlinSpringForward")
                                                  : std::string("NewYorkFallBack");
                         });

}  // namespace
}  // namespace signage::scene
