// Scene without fonts: the sequencer driven by a fake clock (t is passed in; no wall clock is
// read), ticker motion, count-up easing and compose().
#include "scene/scene.h"

#include <gtest/gtest.h>
#include <unicode/timezone.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace signage::scene {
namespace {

using content::Item;
using content::ItemType;
using content::Playlist;

Item item(const std::string& id, double duration_s, ItemType type = ItemType::headline) {
  Item i;
  i.id = id;
  i.title = id;
  i.type = type;
  i.duration_s = duration_s;
  return i;
}

std::shared_ptr<Playlist> playlist(std::vector<Item> items, std::string timezone = "UTC") {
  auto p = std::make_shared<Playlist>();
  p->items = std::move(items);
  p->timezone = std::move(timezone);
  return p;
}

// The id shown at t, or "fallback".
std::string shown(Sequencer& s, Nanos t) {
  const Slot& slot = s.slot_at(t);
  return slot.item ? slot.playlist->items[*slot.item].id : "fallback";
}

struct Shown {
  std::string id;
  Nanos start, end;
};

// Every slot whose start lies in [from, until), walking forward.
std::vector<Shown> slots_between(Sequencer& s, Nanos from, Nanos until) {
  std::vector<Shown> out;
  Nanos t = from;
  while (t < until) {
    const Slot& slot = s.slot_at(t);
    if (slot.start >= from) {
      out.push_back(Shown{slot.item ? slot.playlist->items[*slot.item].id : "fallback", slot.start,
                          slot.end});
    }
    t = slot.end;
  }
  return out;
}

constexpr std::int64_t kMonday0859Shanghai = 1772413140;  // 2026-03-02T08:59:00+08:00

TEST(Sequencer, ItemsInOrderEachForItsDuration) {
  Sequencer s(playlist({item("a", 8), item("b", 5), item("c", 10)}), kMonday0859Shanghai);
  auto slots = slots_between(s, 0, 46 * kSecond);
  ASSERT_EQ(slots.size(), 6u);
  const char* expected[] = {"a", "b", "c", "a", "b", "c"};
  const Nanos starts[] = {0, 8, 13, 23, 31, 36};
  for (std::size_t i = 0; i < slots.size(); ++i) {
    EXPECT_EQ(slots[i].id, expected[i]) << i;
    EXPECT_EQ(slots[i].start, starts[i] * kSecond) << i;
  }
  EXPECT_EQ(s.slot_at(45 * kSecond).end, 46 * kSecond);
  EXPECT_EQ(s.slot_at(45 * kSecond).sequence, 5u);
}

TEST(Sequencer, FractionalDurationsKeepNanosecondBoundaries) {
  Sequencer s(playlist({item("a", 2.5), item("b", 0.25 + 1)}), 0);
  EXPECT_EQ(shown(s, 2'499'999'999), "a");
  EXPECT_EQ(shown(s, 2'500'000'000), "b");
  EXPECT_EQ(s.slot_at(2'500'000'000).end, 3'750'000'000);
}

TEST(Sequencer, DailyWindowInTheLocalZone) {
  Item b = item("b", 8);
  b.schedule.windows.push_back({9 * 60, 10 * 60});  // 09:00-10:00 Shanghai time
  Sequencer s(playlist({item("a", 8), b}, "Asia/Shanghai"), kMonday0859Shanghai);
  auto before = slots_between(s, 0, 60 * kSecond);  // 08:59:00-08:59:59
  for (const auto& slot : before) EXPECT_EQ(slot.id, "a") << slot.start;
  auto during = slots_between(s, 60 * kSecond, 120 * kSecond);
  ASSERT_FALSE(during.empty());
  auto first_b = std::find_if(during.begin(), during.end(), [](auto& x) { return x.id == "b"; });
  ASSERT_NE(first_b, during.end());
  EXPECT_LT(first_b->start, 60 * kSecond + 9 * kSecond);  // at the first boundary after 09:00
  auto after = slots_between(s, 3670 * kSecond, 3800 * kSecond);  // 10:00:10 onwards
  ASSERT_FALSE(after.empty());
  for (const auto& slot : after) EXPECT_EQ(slot.id, "a") << slot.start;
}

TEST(Sequencer, DaysOfTheWeek) {
  Item sunday = item("sunday", 8);
  sunday.schedule.days = 1 << 6;
  auto p = playlist({item("a", 8), sunday}, "Asia/Shanghai");
  Sequencer monday(p, kMonday0859Shanghai);
  for (const auto& slot : slots_between(monday, 0, 120 * kSecond)) EXPECT_EQ(slot.id, "a");
  Sequencer on_sunday(p, kMonday0859Shanghai - 86400);
  auto slots = slots_between(on_sunday, 0, 40 * kSecond);
  EXPECT_TRUE(std::any_of(slots.begin(), slots.end(), [](auto& x) { return x.id == "sunday"; }));
  // Sunday ends at local midnight, not UTC midnight: 23:59:50 Sunday Shanghai, then Monday.
  Sequencer late(p, kMonday0859Shanghai - 9 * 3600 + 60 - 10);
  EXPECT_EQ(shown(late, 0), "a");
  EXPECT_EQ(shown(late, 8 * kSecond), "sunday");  // 23:59:58 Sunday
  EXPECT_EQ(shown(late, 16 * kSecond), "a");
  EXPECT_EQ(shown(late, 24 * kSecond), "a");  // Monday 00:00:06: skipped
}

TEST(Sequencer, ExpiredItemSkippedAtTheNextBoundary) {
  Item b = item("b", 8);
  b.schedule.valid_until = kMonday0859Shanghai + 12;  // ends while b shows (8-16 s)
  Sequencer s(playlist({item("a", 8), b, item("c", 8)}), kMonday0859Shanghai);
  auto slots = slots_between(s, 0, 56 * kSecond);
  std::vector<std::string> ids;
  for (const auto& x : slots) ids.push_back(x.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "a", "c", "a", "c"}));
  EXPECT_EQ(slots[1].end, 16 * kSecond);  // a normal item finishes its slot
}

TEST(Sequencer, WindowAcrossDaylightSavingChange) {
  // Europe/Berlin moves from CET (+1) to CEST (+2) at 2026-03-29T01:00Z. A 09:00-09:30 window that
  // day is 07:00-07:30Z; a player ignoring DST would show it at 08:00-08:30Z.
  constexpr std::int64_t k0600Z = 1774764000;  // 2026-03-29T06:00:00Z
  Item b = item("b", 8);
  b.schedule.windows.push_back({9 * 60, 9 * 60 + 30});
  Sequencer s(playlist({item("a", 8), b}, "Europe/Berlin"), k0600Z);
  auto slots = slots_between(s, 0, 3 * 3600 * kSecond);
  Nanos first_b = -1, last_b = -1;
  for (const auto& x : slots) {
    if (x.id != "b") continue;
    if (first_b < 0) first_b = x.start;
    last_b = x.start;
  }
  EXPECT_GE(first_b, 3600 * kSecond);
  EXPECT_LT(first_b, 3608 * kSecond);
  EXPECT_LT(last_b, 5400 * kSecond);
  EXPECT_GE(last_b, 5400 * kSecond - 16 * kSecond);
}

TEST(Sequencer, AlertPreemptsMidSlotAndEndsWithItsValidity) {
  constexpr std::int64_t start = kMonday0859Shanghai;
  Item alert = item("alert", 10, ItemType::alert);
  alert.schedule.valid_from = start + 20;
  alert.schedule.valid_until = start + 35;
  Sequencer s(playlist({item("a", 8), alert, item("b", 8)}), start);
  auto slots = slots_between(s, 0, 60 * kSecond);
  ASSERT_GE(slots.size(), 7u);
  EXPECT_EQ(slots[0].id, "a");
  EXPECT_EQ(slots[1].id, "b");  // the alert is not part of the loop
  EXPECT_EQ(slots[2].id, "a");
  EXPECT_EQ(slots[2].end, 20 * kSecond);  // cut short when the alert begins
  EXPECT_EQ(slots[3].id, "alert");
  EXPECT_EQ(slots[3].start, 20 * kSecond);
  EXPECT_EQ(slots[3].end, 30 * kSecond);  // its duration
  EXPECT_EQ(slots[4].id, "alert");
  EXPECT_EQ(slots[4].end, 35 * kSecond);  // ends mid-slot with its validity
  EXPECT_EQ(slots[5].id, "b");            // the loop resumes where it was
  EXPECT_TRUE(s.slot_at(25 * kSecond).alert);
}

// Only the highest priority among the eligible alerts shows, taking turns among equals; a lower
// one comes back when the higher one ends. The clock: t = 0 is 09:00 Shanghai time.
TEST(Sequencer, HighestPriorityAlertsHideLowerOnes) {
  constexpr std::int64_t k0900 = kMonday0859Shanghai + 60;
  auto alert = [&](const std::string& id, int priority, int from_min, int until_min) {
    Item a = item(id, 10, ItemType::alert);
    a.priority = priority;
    a.schedule.valid_from = k0900 + from_min * 60;
    a.schedule.valid_until = k0900 + until_min * 60;
    return a;
  };
  auto p = playlist({item("a", 8), alert("warning", 2, 0, 120), alert("emergency", 3, 60, 90),
                     alert("also", 2, 0, 120)},
                    "Asia/Shanghai");
  Sequencer s(p, k0900);
  const Nanos k0930 = 1800 * kSecond, k1000 = 3600 * kSecond, k1030 = 5400 * kSecond;
  const Nanos k1040 = 6000 * kSecond, k1100 = 7200 * kSecond;
  std::vector<std::string> before, during, after;
  for (const auto& x : slots_between(s, 0, k1100)) {
    auto& bucket = x.start < k1000 ? before : x.start < k1030 ? during : after;
    bucket.push_back(x.id);
    if (x.start < k1000) {
      EXPECT_LE(x.end, k1000) << "cut short when the emergency begins";
    }
  }
  EXPECT_EQ(shown(s, k0930), "warning");  // 09:30: the two warnings take turns
  EXPECT_EQ(shown(s, k0930 + 10 * kSecond), "also");
  EXPECT_EQ(shown(s, k1000 + 600 * kSecond), "emergency");  // 10:10: only the emergency
  EXPECT_EQ(s.slot_at(k1000).start, k1000);
  EXPECT_TRUE(shown(s, k1040) == "warning" || shown(s, k1040) == "also");  // 10:40: warnings
  EXPECT_EQ(s.slot_at(k1030).start, k1030);
  EXPECT_NE(shown(s, k1030), "emergency");
  auto count = [](const std::vector<std::string>& ids, const char* id) {
    return std::count(ids.begin(), ids.end(), id);
  };
  EXPECT_EQ(count(before, "emergency"), 0);
  EXPECT_EQ(count(during, "emergency"), long(during.size()));
  EXPECT_EQ(count(after, "warning"), 90);  // 10:30-11:00: 180 slots of 10 s, taking turns
  EXPECT_EQ(count(after, "also"), 90);
  EXPECT_EQ(count(before, "a") + count(during, "a") + count(after, "a"), 0);
  // The two alone, asked at three times of day (each its own walk from 09:00).
  auto two = playlist({alert("warning", 2, 0, 120), alert("emergency", 3, 60, 90)});
  Sequencer at0930(two, k0900), at1010(two, k0900), at1040(two, k0900);
  EXPECT_EQ(shown(at0930, k0930), "warning");
  EXPECT_EQ(shown(at1010, k1000 + 600 * kSecond), "emergency");
  EXPECT_EQ(shown(at1040, k1040), "warning");
  EXPECT_EQ(top_alert_priority(*p, k0900, k1000 + kSecond), 3);
  EXPECT_EQ(top_alert_priority(*p, k0900, k1040), 2);
  EXPECT_EQ(top_alert_priority(*p, k0900, k1100), 0);
}

// A new alert cuts the slot on screen short (Player: an alert published now shows at once):
// the new playlist's alert starts at the cut, the sequence goes on, and the walk continues from
// the new playlist.
TEST(Sequencer, CutToStartsTheNewPlaylistAtOnce) {
  constexpr std::int64_t start = kMonday0859Shanghai;
  Sequencer s(playlist({item("a", 30), item("b", 30)}), start);
  const Slot first = s.slot_at(0);
  ASSERT_EQ(first.end, 30 * kSecond);
  auto next = playlist({item("c", 5), item("alert", 10, ItemType::alert)});
  next->items[1].schedule.valid_until = start + 3600;
  const Slot cut = s.cut_to(next, 4 * kSecond);
  EXPECT_EQ(cut.start, 4 * kSecond);
  EXPECT_EQ(cut.end, 14 * kSecond);
  EXPECT_EQ(cut.sequence, first.sequence + 1);
  EXPECT_EQ(cut.playlist, next);
  EXPECT_TRUE(cut.alert);
  EXPECT_EQ(shown(s, 10 * kSecond), "alert");
  EXPECT_EQ(s.slot_at(14 * kSecond).playlist, next);
  EXPECT_EQ(s.slot_at(14 * kSecond).sequence, first.sequence + 2);
}

TEST(Sequencer, FallbackWhenNothingIsEligibleRecheckedEveryFewSeconds) {
  constexpr std::int64_t start = kMonday0859Shanghai;
  Item later = item("later", 8);
  later.schedule.valid_from = start + 100;
  Sequencer s(playlist({later}), start);
  const Slot& first = s.slot_at(0);
  EXPECT_FALSE(first.item.has_value());
  EXPECT_EQ(first.end, kFallbackRecheck);
  EXPECT_EQ(shown(s, 99 * kSecond), "fallback");
  EXPECT_EQ(shown(s, 100 * kSecond), "later");
  EXPECT_EQ(s.slot_at(100 * kSecond).start, 100 * kSecond);  // 100 s is a multiple of 5 s

  Sequencer empty(playlist({}), start);
  EXPECT_EQ(shown(empty, 3 * 86400 * kSecond), "fallback");
}

TEST(Sequencer, ThirtyDaysBehavesLikeZeroModuloTheLoop) {
  // Loop of 20 s; 30 days is a whole number of loops.
  auto p = playlist({item("a", 8), item("b", 5), item("c", 7)});
  constexpr Nanos kThirtyDays = Nanos(30) * 86400 * kSecond;
  static_assert(kThirtyDays % (20 * kSecond) == 0);
  Sequencer early(p, 1772413140), late(p, 1772413140);
  for (Nanos offset :
       {Nanos(0), 3 * kSecond, 8 * kSecond - 1, 8 * kSecond, 13 * kSecond, 20 * kSecond - 1}) {
    const Slot a = early.slot_at(offset);
    const Slot b = late.slot_at(kThirtyDays + offset);
    EXPECT_EQ(a.item, b.item) << offset;
    EXPECT_EQ(b.start - a.start, kThirtyDays) << offset;
    EXPECT_EQ(b.end - a.end, kThirtyDays) << offset;
    EXPECT_EQ(b.sequence - a.sequence, 3u * 30 * 86400 / 20) << offset;
  }
}

TEST(Sequencer, ReplacePlaylistTakesEffectAtTheSlotEnd) {
  auto first = playlist({item("a", 8), item("b", 8)});
  auto second = playlist({item("x", 4), item("y", 4)});
  Sequencer s(first, 0);
  EXPECT_EQ(shown(s, 3 * kSecond), "a");
  s.replace_playlist(second);
  EXPECT_EQ(shown(s, 7 * kSecond), "a");
  Slot next = s.peek_next();
  EXPECT_EQ(next.playlist, second);
  EXPECT_EQ(shown(s, 8 * kSecond), "x");
  EXPECT_EQ(s.slot_at(8 * kSecond).playlist, second);
  EXPECT_EQ(shown(s, 12 * kSecond), "y");
  EXPECT_EQ(&s.playlist(), second.get());
}

TEST(Sequencer, PeekNextMatchesWhatComes) {
  Item alert = item("alert", 6, ItemType::alert);
  alert.schedule.valid_from = 30;
  alert.schedule.valid_until = 40;
  Sequencer s(playlist({item("a", 8), alert, item("b", 5)}), 0);
  for (Nanos t = 0; t < 80 * kSecond;) {
    Slot predicted = s.peek_next();
    Slot now = s.slot_at(t);
    Slot next = s.slot_at(now.end);
    EXPECT_EQ(predicted.item, next.item) << t;
    EXPECT_EQ(predicted.start, next.start) << t;
    EXPECT_EQ(predicted.end, next.end) << t;
    t = next.start;
  }
}

TEST(Sequencer, GoingBackRestartsFromZero) {
  Sequencer s(playlist({item("a", 8), item("b", 8)}), 0);
  EXPECT_EQ(shown(s, 100 * kSecond), "a");  // 96-104
  EXPECT_EQ(s.slot_at(100 * kSecond).sequence, 12u);
  EXPECT_EQ(shown(s, 9 * kSecond), "b");
  EXPECT_EQ(s.slot_at(9 * kSecond).sequence, 1u);
}

// ---------------------------------------------------------------------------------------------
// Motion

TEST(Motion, TickerStepIsAWholeNonZeroNumber) {
  EXPECT_EQ(ticker_step_px(120, 60), 2);
  EXPECT_EQ(ticker_step_px(100, 60), 2);
  EXPECT_EQ(ticker_step_px(10, 60), 1);
  EXPECT_EQ(ticker_step_px(0, 60), 1);
  EXPECT_EQ(ticker_step_px(240, 50), 5);
}

TEST(Motion, TickerOffsetAdvancesByTheStepAcrossTheWrapAndAfterThirtyDays) {
  const int loop = 7001;
  const std::int64_t step = 3;
  const std::int64_t thirty_days = std::int64_t(30) * 86400 * 60;
  for (std::int64_t base : {std::int64_t(0), thirty_days, thirty_days * 1000}) {
    std::int64_t previous = ticker_offset(base, step, loop);
    int wraps = 0;
    for (std::int64_t f = base + 1; f < base + 3 * loop; ++f) {
      std::int64_t now = ticker_offset(f, step, loop);
      ASSERT_GE(now, 0);
      ASSERT_LT(now, loop);
      ASSERT_EQ((now - previous + loop) % loop, step) << f;
      if (now < previous) ++wraps;
      previous = now;
    }
    EXPECT_GE(wraps, 8);  // the wrap was crossed several times
  }
  EXPECT_EQ(ticker_offset(thirty_days, step, loop), thirty_days * step % loop);
}

TEST(Motion, CountUpEasesOutAndEnds) {
  EXPECT_EQ(count_up_progress(0), 0.0);
  EXPECT_EQ(count_up_progress(kCountUpLength), 1.0);
  EXPECT_EQ(count_up_progress(Nanos(30) * 86400 * kSecond), 1.0);
  EXPECT_GT(count_up_progress(kCountUpLength / 2), 0.75);  // ease-out: most of it early
  double previous = 0;
  for (Nanos t = 0; t <= kCountUpLength; t += kSecond / 60) {
    double p = count_up_progress(t);
    EXPECT_GE(p, previous);
    previous = p;
  }
}

// ---------------------------------------------------------------------------------------------
// compose

std::shared_ptr<const Image> solid(std::uint64_t id, int w, int h) {
  auto image = std::make_shared<Image>();
  image->id = id;
  image->pixels = text::RgbaImage(w, h);
  return image;
}

PreparedCard card(std::uint64_t id, Size screen) {
  PreparedCard c;
  c.item = 0;
  c.tiles.push_back(CardTile{solid(id, screen.width, screen.height), 0, 0});
  return c;
}

// A counter whose glyph images are 40 px wide (digits) or 20.
Counter counter(double target, int decimals) {
  Counter c;
  for (int i = 0; i < kCounterGlyphCount; ++i) {
    c.glyph_w.push_back(i < 10 ? 40 : 20);
    c.glyphs.push_back(solid(90 + std::uint64_t(i), c.glyph_w.back(), 50));
  }
  c.glyph_width = 40;
  c.target = target;
  c.decimals = decimals;
  c.right = 1000;
  c.top = 300;
  return c;
}

PreparedTicker ticker(int tile_width, int tiles, int band_y) {
  PreparedTicker t;
  for (int i = 0; i < tiles; ++i) {
    int w = i + 1 == tiles ? tile_width / 2 + 7 : tile_width;
    t.tiles.push_back(solid(200 + i, w, 60));
    t.tile_x.push_back(t.loop_width);
    t.loop_width += w;
  }
  t.band_height = 60;
  t.band_y = band_y;
  t.background = 0x102030ff;
  t.accent = 0xffcc00ff;
  t.accent_height = 3;
  return t;
}

// The index in kCounterGlyphs of the glyph image `cmd` draws, or -1.
int glyph_of(const DrawCommand& cmd, const Counter& c) {
  for (std::size_t i = 0; i < c.glyphs.size(); ++i) {
    if (cmd.image == c.glyphs[i].get()) return int(i);
  }
  return -1;
}

// The glyphs a counter drew, left to right, as characters.
std::string counter_text(const DrawList& list, const Counter& c) {
  std::vector<const DrawCommand*> glyphs;
  for (const auto& cmd : list.commands) {
    if (glyph_of(cmd, c) >= 0) glyphs.push_back(&cmd);
  }
  std::sort(glyphs.begin(), glyphs.end(),
            [](auto* a, auto* b) { return a->target.x < b->target.x; });
  std::string out;
  for (auto* g : glyphs) out += kCounterGlyphs[glyph_of(*g, c)];
  return out;
}

TEST(Compose, CounterCountsUpFromTheStripAndEndsOnTheTarget) {
  Size screen{1920, 1080};
  PreparedCard c = card(1, screen);
  c.counters.push_back(counter(12345.6, 1));
  c.counters.back().grouping = true;
  DrawList list;
  FrameInputs in;
  in.current = &c;
  in.t = in.current_start = 5 * kSecond;
  compose(in, list);
  EXPECT_EQ(counter_text(list, c.counters[0]), "0.0");
  in.t += kCountUpLength / 2;
  compose(in, list);
  std::string middle = counter_text(list, c.counters[0]);
  EXPECT_NE(middle, "0.0");
  EXPECT_NE(middle, "12,345.6");
  in.t += kCountUpLength;
  compose(in, list);
  EXPECT_EQ(counter_text(list, c.counters[0]), "12,345.6");
  // Right-aligned on the final right edge, digits at the tabular width.
  float right = 0;
  for (const auto& cmd : list.commands) {
    if (glyph_of(cmd, c.counters[0]) >= 0) right = std::max(right, cmd.target.x + cmd.target.w);
  }
  EXPECT_EQ(right, 1000.0f);
}

TEST(Compose, FadeDrawsThePreviousCardUnderTheCurrentOne) {
  Size screen{1920, 1080};
  PreparedCard a = card(1, screen), b = card(2, screen);
  DrawList list;
  FrameInputs in;
  in.previous = &a;
  in.current = &b;
  in.current_start = 10 * kSecond;
  int last_alpha = -1;
  for (Nanos t = in.current_start; t < in.current_start + in.transition_length; t += kSecond / 60) {
    in.t = t;
    compose(in, list);
    ASSERT_EQ(list.commands.size(), 2u);
    EXPECT_EQ(list.commands[0].image, a.tiles[0].image.get());
    EXPECT_EQ(list.commands[0].color & 0xff, 0xffu);  // never a gap to the background
    EXPECT_EQ(list.commands[1].image, b.tiles[0].image.get());
    int alpha = int(list.commands[1].color & 0xff);
    EXPECT_GE(alpha, last_alpha);
    last_alpha = alpha;
    EXPECT_FALSE(list.covers_screen);  // the renderer clears under a blend
  }
  EXPECT_GT(last_alpha, 240);
  in.t = in.current_start + in.transition_length;
  compose(in, list);
  ASSERT_EQ(list.commands.size(), 1u);
  EXPECT_EQ(list.commands[0].image, b.tiles[0].image.get());
  EXPECT_EQ(list.commands[0].color, 0xffffffffu);
  EXPECT_TRUE(list.covers_screen);  // an opaque card alone: no clear needed
}

TEST(Compose, SlideMovesBothCardsTogetherInWholePixels) {
  Size screen{1080, 1920};
  PreparedCard a = card(1, screen), b = card(2, screen);
  DrawList list;
  FrameInputs in;
  in.screen = screen;
  in.previous = &a;
  in.current = &b;
  in.transition = content::Transition::slide;
  float last_x = 1e9f;
  for (Nanos t = 0; t < in.transition_length; t += kSecond / 60) {
    in.t = t;
    compose(in, list);
    ASSERT_EQ(list.commands.size(), 2u);
    const auto& prev = list.commands[0].target;
    const auto& cur = list.commands[1].target;
    EXPECT_EQ(cur.x - prev.x, float(screen.width));  // adjacent: no gap, no overlap
    EXPECT_EQ(cur.x, float(int(cur.x)));
    EXPECT_LE(cur.x, last_x);
    last_x = cur.x;
  }
  EXPECT_LT(last_x, 30.0f);
}

// The loop coordinate shown at screen x = 0, and a check that the band is covered exactly.
std::int64_t ticker_left(const DrawList& list, const PreparedTicker& t, int screen_width) {
  std::vector<std::pair<float, float>> spans;
  std::int64_t left = -1;
  for (const auto& cmd : list.commands) {
    for (std::size_t i = 0; i < t.tiles.size(); ++i) {
      if (cmd.image != t.tiles[i].get()) continue;
      EXPECT_EQ(cmd.target.y, float(t.band_y));
      spans.emplace_back(cmd.target.x, cmd.target.x + cmd.target.w);
      if (cmd.target.x <= 0 && cmd.target.x + cmd.target.w > 0) {
        left = t.tile_x[i] + std::int64_t(-cmd.target.x);
      }
    }
  }
  std::sort(spans.begin(), spans.end());
  EXPECT_FALSE(spans.empty());
  if (spans.empty()) return -1;
  EXPECT_LE(spans.front().first, 0.0f);
  for (std::size_t i = 1; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].first, spans[i - 1].second);  // seamless, also across the wrap
  }
  EXPECT_GE(spans.back().second, float(screen_width));
  return left;
}

TEST(Compose, TickerAdvancesAConstantStepWithNoJumpAtTheWrap) {
  for (int loop_tiles : {1, 3}) {
    Size screen{1920, 1080};
    PreparedTicker t = ticker(800, loop_tiles, 1080 - 60);  // loops shorter and longer than 1920
    PreparedCard c = card(1, screen);
    DrawList list;
    FrameInputs in;
    in.current = &c;
    in.ticker = &t;
    in.ticker_step_px = 3;
    const std::int64_t thirty_days = std::int64_t(30) * 86400 * 60;
    for (std::int64_t base : {std::int64_t(0), thirty_days}) {
      in.frame = base;
      compose(in, list);
      std::int64_t previous = ticker_left(list, t, screen.width);
      for (int f = 1; f < 2 * t.loop_width; ++f) {
        in.frame = base + f;
        compose(in, list);
        std::int64_t now = ticker_left(list, t, screen.width);
        ASSERT_EQ((now - previous + t.loop_width) % t.loop_width, 3) << "frame " << in.frame;
        previous = now;
      }
    }
  }
}

TEST(Compose, NoDrawListGrowthAfterWarmUp) {
  Size screen{1920, 1080};
  PreparedCard a = card(1, screen), b = card(2, screen);
  a.counters.push_back(counter(690, 0));
  b.counters.push_back(counter(1.3, 1));
  b.counters.push_back(counter(37.7, 1));
  PreparedTicker t = ticker(700, 4, 0);
  PreparedClock clock;
  clock.image = solid(300, 400, 40);
  DrawList list;
  FrameInputs in;
  in.ticker = &t;
  in.clock = &clock;
  auto frame = [&](std::int64_t f) {
    // Cards alternate every 480 frames with fade and slide transitions.
    in.frame = f;
    in.t = f * kSecond / 60;
    std::int64_t slot = f / 480;
    in.current = slot % 2 ? &b : &a;
    in.previous = slot == 0 ? nullptr : (slot % 2 ? &a : &b);
    in.current_start = slot * 480 * kSecond / 60;
    in.transition = slot % 4 < 2 ? content::Transition::fade : content::Transition::slide;
    compose(in, list);
  };
  for (std::int64_t f = 0; f < 2000; ++f) frame(f);
  const std::size_t capacity = list.commands.capacity();
  const DrawCommand* data = list.commands.data();
  int changes = 0;
  for (std::int64_t f = 2000; f < 20000; ++f) {
    frame(f);
    if (list.commands.capacity() != capacity || list.commands.data() != data) ++changes;
  }
  EXPECT_EQ(changes, 0);
  EXPECT_GT(list.commands.size(), 3u);
}

TEST(Sequencer, FirstRoundFollowsSchedules) {
  Item b = item("b", 5);
  b.schedule.windows.push_back({9 * 60, 10 * 60});  // 09:00-10:00 Shanghai
  auto p = playlist({item("a", 8), b, item("c", 2.5)}, "Asia/Shanghai");
  // At 08:59 b is not eligible yet: a and c make the round; b joins at the next boundary
  // after 09:00, so the round ends when a comes back.
  LoopRound before = first_round(p, kMonday0859Shanghai - 60, 10);
  ASSERT_TRUE(before.length);
  EXPECT_EQ(*before.length, 8 * kSecond + 5 * kSecond / 2);
  ASSERT_EQ(before.slots.size(), 2u);
  EXPECT_EQ(before.slots[1].item, std::size_t(2));
  LoopRound during = first_round(p, kMonday0859Shanghai + 60, 10);
  ASSERT_TRUE(during.length);
  EXPECT_EQ(*during.length, 15 * kSecond + kSecond / 2);
  ASSERT_EQ(during.slots.size(), 3u);
  EXPECT_EQ(during.slots[1].start, 8 * kSecond);
  // b first shows in the first slot after 09:00 from a start at 08:58:00.
  auto first_b = first_slot_of(p, kMonday0859Shanghai - 60, 1, 3600 * kSecond);
  ASSERT_TRUE(first_b);
  EXPECT_GE(first_b->start, 120 * kSecond);
  EXPECT_LT(first_b->start, 130 * kSecond);
  EXPECT_FALSE(first_slot_of(p, kMonday0859Shanghai + 3600 + 60, 1, 3600 * kSecond));
}

TEST(Clock, ShowsTheTimeInTheZoneSchedulesUse) {
  // A name ICU does not know means the system's zone, for schedules and the clock alike.
  std::unique_ptr<icu::TimeZone> system(icu::TimeZone::createDefault());
  icu::TimeZone::adoptDefault(icu::TimeZone::createTimeZone("Asia/Tokyo"));
  const std::string unknown = "Mars/Olympus";
  const std::int64_t t = *content::parse_instant("2025-03-03T09:30:00+09:00");
  content::Schedule at_half_past_nine;
  at_half_past_nine.windows.push_back({9 * 60 + 30, 9 * 60 + 31});
  EXPECT_TRUE(content::is_eligible(at_half_past_nine, t, unknown));
  EXPECT_NE(clock_text(t, unknown, "en").find("09:30"), std::string::npos)
      << clock_text(t, unknown, "en");
  icu::TimeZone::setDefault(*system);
}

}  // namespace
}  // namespace signage::scene
