// The timeline: which item shows when. Walks forward slot by slot from t = 0; every decision is
// made from (playlist, wall clock at start, t), so the same inputs give the same slots.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "scene/scene.h"

namespace signage::scene {

bool eligible_at(const content::Item& item, const content::Playlist& playlist,
                 std::int64_t wall_clock_at_start_s, Nanos t) {
  // Whole seconds: eligibility changes only at second boundaries (schedules are in seconds).
  using namespace std::chrono;
  const std::int64_t now_s = wall_clock_at_start_s + floor<seconds>(nanoseconds(t)).count();
  return content::is_eligible(item, now_s, playlist.timezone);
}

int top_alert_priority(const content::Playlist& playlist, std::int64_t wall_clock_at_start_s,
                       Nanos t) {
  int top = 0;
  for (const auto& item : playlist.items) {
    if (item.type == content::ItemType::alert && item.priority > top &&
        eligible_at(item, playlist, wall_clock_at_start_s, t)) {
      top = item.priority;
    }
  }
  return top;
}

namespace {

Nanos duration_of(const content::Item& item) {
  double s = item.duration_s;
  if (!std::isfinite(s)) s = 8;
  s = std::clamp(s, 1.0, 86400.0);
  return Nanos(std::llround(s * 1e9));
}

// The first whole second strictly after `from` and before `until` where `pred` holds, else until.
template <class Pred>
Nanos first_second_where(Nanos from, Nanos until, Pred pred) {
  for (Nanos t = (from / kSecond + 1) * kSecond; t < until; t += kSecond) {
    if (pred(t)) return t;
  }
  return until;
}

bool is_alert(const content::Item& item) {
  return item.type == content::ItemType::alert;
}

// The slot starting at `start`, advancing the cursor past it.
Slot next_slot(Sequencer::Cursor& c, Nanos start, std::uint64_t sequence, std::int64_t wall) {
  if (c.pending) {
    c.playlist = std::move(c.pending);
    c.pending.reset();
    c.loop_position = c.alert_position = 0;
  }
  const content::Playlist& pl = *c.playlist;
  const std::size_t n = pl.items.size();
  Slot slot;
  slot.start = start;
  slot.sequence = sequence;
  slot.playlist = c.playlist;

  const bool has_alerts = std::any_of(pl.items.begin(), pl.items.end(), is_alert);
  const int top = has_alerts ? top_alert_priority(pl, wall, start) : 0;
  for (std::size_t k = 0; top > 0 && k < n; ++k) {
    std::size_t i = (c.alert_position + k) % n;
    const auto& item = pl.items[i];
    if (!is_alert(item) || item.priority != top || !eligible_at(item, pl, wall, start)) continue;
    // An alert shows for its duration, or until its validity (or window) ends, or until one of
    // a higher priority begins.
    slot.item = i;
    slot.alert = true;
    c.alert_position = (i + 1) % n;
    std::vector<const content::Item*> higher;
    for (const auto& other : pl.items) {
      if (is_alert(other) && other.priority > top) higher.push_back(&other);
    }
    slot.end = first_second_where(start, start + duration_of(item), [&](Nanos t) {
      return !eligible_at(item, pl, wall, t) ||
             std::any_of(higher.begin(), higher.end(),
                         [&](const auto* h) { return eligible_at(*h, pl, wall, t); });
    });
    return slot;
  }

  Nanos until = start + kFallbackRecheck;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (c.loop_position + k) % n;
    const auto& item = pl.items[i];
    if (is_alert(item) || !eligible_at(item, pl, wall, start)) continue;
    slot.item = i;
    c.loop_position = (i + 1) % n;
    until = start + duration_of(item);
    break;
  }
  // An alert that becomes valid pre-empts the slot at that second.
  slot.end = !has_alerts ? until : first_second_where(start, until, [&](Nanos t) {
    for (const auto& item : pl.items) {
      if (is_alert(item) && eligible_at(item, pl, wall, t)) return true;
    }
    return false;
  });
  return slot;
}

}  // namespace

Sequencer::Sequencer(std::shared_ptr<const content::Playlist> playlist,
                     std::int64_t wall_clock_at_start_s)
    : wall_clock_at_start_s_(wall_clock_at_start_s) {
  cursor_.playlist = std::move(playlist);
}

const Slot& Sequencer::slot_at(Nanos t) {
  t = std::max<Nanos>(t, 0);
  if (!started_ || t < current_.start) {
    // Restart from t = 0 with the newest playlist.
    if (cursor_.pending) cursor_.playlist = std::move(cursor_.pending);
    cursor_ = Cursor{cursor_.playlist, nullptr, 0, 0};
    current_ = next_slot(cursor_, 0, 0, wall_clock_at_start_s_);
    started_ = true;
  }
  while (t >= current_.end) {
    current_ = next_slot(cursor_, current_.end, current_.sequence + 1, wall_clock_at_start_s_);
  }
  return current_;
}

Slot Sequencer::peek_next() const {
  Cursor c = cursor_;
  if (!started_) {
    Slot first = next_slot(c, 0, 0, wall_clock_at_start_s_);
    return next_slot(c, first.end, 1, wall_clock_at_start_s_);
  }
  return next_slot(c, current_.end, current_.sequence + 1, wall_clock_at_start_s_);
}

void Sequencer::replace_playlist(std::shared_ptr<const content::Playlist> playlist) {
  cursor_.pending = std::move(playlist);
}

const Slot& Sequencer::cut_to(std::shared_ptr<const content::Playlist> playlist, Nanos at) {
  if (!started_) slot_at(0);
  cursor_.pending = std::move(playlist);
  current_ = next_slot(cursor_, std::max(at, current_.start), current_.sequence + 1,
                       wall_clock_at_start_s_);
  return current_;
}

LoopRound first_round(std::shared_ptr<const content::Playlist> playlist,
                      std::int64_t wall_clock_at_start_s, std::size_t max_slots) {
  Sequencer sequencer(std::move(playlist), wall_clock_at_start_s);
  LoopRound round;
  Slot slot = sequencer.slot_at(0);
  while (round.slots.size() < max_slots) {
    round.slots.push_back(slot);
    slot = sequencer.slot_at(slot.end);
    if (slot.item == round.slots.front().item && slot.alert == round.slots.front().alert) {
      round.length = slot.start;
      break;
    }
  }
  return round;
}

std::optional<Slot> first_slot_of(std::shared_ptr<const content::Playlist> playlist,
                                  std::int64_t wall_clock_at_start_s, std::size_t item,
                                  Nanos within) {
  Sequencer sequencer(std::move(playlist), wall_clock_at_start_s);
  for (Nanos t = 0; t < within;) {
    const Slot& slot = sequencer.slot_at(t);
    if (slot.item == item) return slot;
    t = slot.end;
  }
  return std::nullopt;
}

}  // namespace signage::scene
