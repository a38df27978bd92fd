// Display hours: when the screen is on. The decision reuses the schedules' calendar math
// (is_eligible: ICU local time, DST-correct, windows past midnight); this file adds the
// playlist-or-player.conf choice, alerts, and player.conf's compact form.
#include <cstdio>
#include <string>
#include <vector>

#include "content/checker.h"
#include "content/content.h"

namespace signage::content {
namespace {

constexpr const char* kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<int> day_index(std::string_view name) {
  for (int d = 0; d < 7; ++d) {
    if (name == kDayNames[d]) return d;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(separator, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::string_view part : split(s, ' ')) {
    for (std::string_view word : split(part, '\t')) {
      if (!word.empty()) out.push_back(word);
    }
  }
  return out;
}

// "daily", "mon", "mon-fri", "fri-mon" (wrapping), "mon+wed+fri" as a mask (bit 0 = Monday).
std::optional<std::uint8_t> parse_days(std::string_view text) {
  if (text == "daily") return std::uint8_t(0x7f);
  std::uint8_t mask = 0;
  for (std::string_view part : split(text, '+')) {
    const auto dash = part.find('-');
    const auto first = day_index(part.substr(0, dash));
    const auto last = dash == part.npos ? first : day_index(part.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    for (int d = *first;; d = (d + 1) % 7) {
      mask = std::uint8_t(mask | (1u << d));
      if (d == *last) break;
    }
  }
  return mask;
}

// "07:30-21:00"; "until" may be 24:00 or earlier than "from" (past midnight), not equal.
std::optional<TimeWindow> parse_window(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == text.npos) return std::nullopt;
  const auto from = detail::parse_clock_time(text.substr(0, dash), false);
  const auto until = detail::parse_clock_time(text.substr(dash + 1), true);
  if (!from || !until || *from == *until) return std::nullopt;
  return TimeWindow{*from, *until};
}

std::string clock_text(int minute) {
  char out[24];
  std::snprintf(out, sizeof out, "%02d:%02d", minute / 60, minute % 60);
  return out;
}

}  // namespace

bool within_hours(const DisplayHours& hours, std::int64_t now_s, const std::string& timezone) {
  if (hours.empty()) return true;
  for (const Schedule& entry : hours) {
    if (is_eligible(entry, now_s, timezone)) return true;
  }
  return false;
}

const char* to_string(DisplayReason why) {
  switch (why) {
    case DisplayReason::always: return "no display hours";
    case DisplayReason::hours: return "inside the display hours";
    case DisplayReason::alert: return "an alert is on outside the display hours";
    case DisplayReason::closed: return "outside the display hours";
  }
  return "";
}

DisplayDecision display_decision(const std::optional<DisplayHours>& hours, const Playlist& playlist,
                                 std::int64_t now_s) {
  const DisplayHours& chosen = hours ? *hours : playlist.display_hours;
  if (chosen.empty()) return {true, DisplayReason::always};
  if (within_hours(chosen, now_s, playlist.timezone)) return {true, DisplayReason::hours};
  for (const Item& item : playlist.items) {
    if (item.type == ItemType::alert && is_eligible(item, now_s, playlist.timezone)) {
      return {true, DisplayReason::alert};
    }
  }
  return {false, DisplayReason::closed};
}

std::optional<DisplayHours> parse_display_hours(std::string_view text, std::string* error) {
  const std::string_view example = "such as \"mon-fri 07:30-21:00, sat-sun 09:00-17:00\"";
  DisplayHours hours;
  if (trim(text) == "always") return hours;
  const auto entries = split(text, ',');
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string_view entry = trim(entries[i]);
    const std::string where = "entry " + std::to_string(i + 1) + " \"" + std::string(entry) + "\"";
    auto fail = [&](const std::string& what) {
      *error = where + ": " + what;
      return std::nullopt;
    };
    if (entry.empty()) {
      *error = "entry " + std::to_string(i + 1) + " is empty (entries are separated by \",\", " +
               std::string(example) + ")";
      return std::nullopt;
    }
    const auto parts = words(entry);
    const auto days = parse_days(parts[0]);
    if (!days) {
      return fail("\"" + std::string(parts[0]) +
                  "\" is not days: write mon, tue, wed, thu, fri, sat or sun, a range such as "
                  "mon-fri, days joined by + such as mon+wed, or daily");
    }
    if (parts.size() < 2)
      return fail("no times: write HH:MM-HH:MM after the days, " + std::string(example));
    Schedule schedule;
    schedule.days = *days;
    for (std::size_t w = 1; w < parts.size(); ++w) {
      const auto window = parse_window(parts[w]);
      if (!window) {
        return fail("\"" + std::string(parts[w]) +
                    "\" is not a time window: write HH:MM-HH:MM such as 07:30-21:00 (24:00 for "
                    "midnight; an until earlier than from runs past midnight; the two differ)");
      }
      schedule.windows.push_back(*window);
    }
    if (schedule.windows.size() > detail::kMaxWindows) {
      return fail("more than " + std::to_string(detail::kMaxWindows) + " windows");
    }
    hours.push_back(std::move(schedule));
  }
  if (hours.size() > detail::kMaxWindows) {
    *error = "more than " + std::to_string(detail::kMaxWindows) + " entries";
    return std::nullopt;
  }
  return hours;
}

std::string format_display_hours(const DisplayHours& hours) {
  if (hours.empty()) return "always";
  std::string out;
  for (const Schedule& entry : hours) {
    if (!out.empty()) out += ", ";
    if ((entry.days & 0x7f) == 0x7f) {
      out += "daily";
    } else {
      // Runs of days as ranges: "mon-fri+sun".
      std::string days;
      for (int d = 0; d < 7; ++d) {
        if (!(entry.days & (1u << d))) continue;
        int last = d;
        while (last + 1 < 7 && (entry.days & (1u << (last + 1)))) ++last;
        days += std::string(days.empty() ? "" : "+") + kDayNames[d];
        if (last > d) days += std::string("-") + kDayNames[last];
        d = last;
      }
      out += days;
    }
    if (entry.windows.empty()) out += " 00:00-24:00";
    for (const TimeWindow& w : entry.windows) {
      out += " " + clock_text(w.from_minute) + "-" + clock_text(w.until_minute);
    }
  }
  return out;
}

}  // namespace signage::content
