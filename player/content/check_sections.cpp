// The Checker on the playlist's smaller parts: the theme, the defaults, an item's schedule and
// the ticker.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

#include "content/checker.h"
#include "content/diagnostics.h"

namespace signage::content::detail {
namespace {

std::optional<Rgba> parse_colour(std::string_view text) {
  if ((text.size() != 7 && text.size() != 9) || text[0] != '#') return std::nullopt;
  std::uint32_t value = 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return std::nullopt;
    value = value * 16 + std::uint32_t(digit);
  }
  if (text.size() == 7) value = (value << 8) | 0xff;
  return value;
}

}  // namespace

// "HH:MM" as minutes; "24:00" only when `allow_24`.
std::optional<int> parse_clock_time(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int hour = (text[0] - '0') * 10 + (text[1] - '0');
  int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (minute > 59) return std::nullopt;
  if (hour == 24 && minute == 0 && allow_24) return 24 * 60;
  if (hour > 23) return std::nullopt;
  return hour * 60 + minute;
}

void Checker::check_theme(const JsonValue& v, const std::string& pointer, Theme& theme) {
  if (!require_object(v, pointer, "an object of colours and sizes")) return;
  // The preset first, whatever its place in the object: the other fields override it.
  if (const JsonValue* field = find(v, "preset")) {
    std::optional<Theme> preset;
    if (field->kind == Kind::string) preset = theme_preset(field->string);
    if (preset) {
      theme = *preset;
    } else {
      std::string names;
      for (const std::string& name : theme_preset_names()) {
        names += (names.empty() ? "" : ", ") + ("\"" + name + "\"");
      }
      expected(*field, child(pointer, "preset"), "one of the theme presets " + names);
    }
  }
  struct ColourField {
    const char* name;
    Rgba* target;
  };
  const ColourField colours[] = {{"background", &theme.background},
                                 {"foreground", &theme.foreground},
                                 {"accent", &theme.accent},
                                 {"muted", &theme.muted},
                                 {"ticker_background", &theme.ticker_background},
                                 {"alert_background", &theme.alert_background},
                                 {"alert_foreground", &theme.alert_foreground}};
  struct SizeField {
    const char* name;
    double* target;
  };
  const SizeField sizes[] = {{"title_size", &theme.title_size},
                             {"body_size", &theme.body_size},
                             {"statistic_size", &theme.statistic_size},
                             {"ticker_size", &theme.ticker_size}};
  std::vector<const char*> known;
  for (const auto& c : colours) {
    known.push_back(c.name);
    const JsonValue* field = find(v, c.name);
    if (!field) continue;
    std::optional<Rgba> colour;
    if (field->kind == Kind::string) colour = parse_colour(field->string);
    if (!colour) {
      expected(*field, child(pointer, c.name), "a colour \"#rrggbb\" or \"#rrggbbaa\"");
    } else {
      *c.target = *colour;
    }
  }
  for (const auto& s : sizes) {
    known.push_back(s.name);
    const JsonValue* field = find(v, s.name);
    if (!field) continue;
    number(*field, child(pointer, s.name), kMinSize, kMaxSize, false,
           "a fraction of the screen height", *s.target);
  }
  known.push_back("title_weight");
  if (const JsonValue* field = find(v, "title_weight")) {
    std::int64_t weight = 0;
    if (integer(*field, child(pointer, "title_weight"), 100, 900, "a font weight", weight)) {
      theme.title_weight = int(weight);
    }
  }
  known.push_back("body_weight");
  if (const JsonValue* field = find(v, "body_weight")) {
    std::int64_t weight = 0;
    if (integer(*field, child(pointer, "body_weight"), 100, 900, "a font weight", weight)) {
      theme.body_weight = int(weight);
    }
  }
  known.push_back("preset");
  known.push_back("logo");
  if (const JsonValue* field = find(v, "logo"))
    check_asset(*field, child(pointer, "logo"), theme.logo);
  unknown_fields(v, pointer, known, "the theme");
}

void Checker::check_defaults(const JsonValue& v, const std::string& pointer, double& duration,
                             Transition& transition) {
  if (!require_object(v, pointer, "an object with \"duration\" and \"transition\"")) return;
  if (const JsonValue* field = find(v, "duration")) {
    number(*field, child(pointer, "duration"), 0, kMaxDurationS, true, "a duration in seconds",
           duration);
  }
  if (const JsonValue* field = find(v, "transition")) {
    choice<Transition>(
        *field, child(pointer, "transition"),
        {{"fade", Transition::fade}, {"slide", Transition::slide}, {"cut", Transition::cut}},
        transition);
  }
  unknown_fields(v, pointer, {"duration", "transition"}, "the defaults");
}

void Checker::check_schedule(const JsonValue& v, const std::string& pointer, Schedule& schedule) {
  if (!require_object(v, pointer, "a schedule object")) return;
  has_schedules_ = true;
  check_validity(v, pointer, schedule);
  if (const JsonValue* days = find(v, "days")) {
    check_days(*days, child(pointer, "days"), schedule.days);
  }
  if (const JsonValue* times = find(v, "times")) {
    check_times(*times, child(pointer, "times"), schedule.windows);
  }
  unknown_fields(v, pointer, {"valid_from", "valid_until", "days", "times"}, "a schedule");
}

// "valid_from" and "valid_until": instants with a UTC offset, the second after the first.
void Checker::check_validity(const JsonValue& v, const std::string& pointer, Schedule& schedule) {
  const JsonValue* from = find(v, "valid_from");
  const JsonValue* until = find(v, "valid_until");
  auto instant = [&](const JsonValue* field, const char* key, std::optional<std::int64_t>& out) {
    if (!field) return;
    std::optional<std::int64_t> parsed;
    if (field->kind == Kind::string) parsed = parse_instant(field->string);
    if (!parsed) {
      expected(*field, child(pointer, key),
               "a date and time with a UTC offset, such as \"2025-01-20T08:00:00+08:00\"");
    }
    out = parsed;
  };
  instant(from, "valid_from", schedule.valid_from);
  instant(until, "valid_until", schedule.valid_until);
  if (schedule.valid_from && schedule.valid_until &&
      *schedule.valid_until <= *schedule.valid_from) {
    error(until->offset, child(pointer, "valid_until"),
          "expected valid_until to be later than valid_from (" + printable(from->string) + ")");
  }
}

// "days": ["mon", "tue", ...] as a mask, bit 0 for Monday.
void Checker::check_days(const JsonValue& days, const std::string& pointer, std::uint8_t& out) {
  if (days.kind != Kind::array) {
    expected(days, pointer, "an array of days such as [\"mon\", \"tue\"]");
    return;
  }
  if (days.children.empty()) {
    error(days.offset, pointer, "expected at least one day (leave \"days\" out for every day)");
    return;
  }
  static const char* kDays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::uint8_t mask = 0;
  for (std::size_t i = 0; i < days.children.size(); ++i) {
    const JsonValue& day = days.children[i];
    int index = -1;
    for (int d = 0; d < 7 && day.kind == Kind::string; ++d) {
      if (day.string == kDays[d]) index = d;
    }
    if (index < 0) {
      expected(day, child(pointer, i),
               "a day: \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"");
      continue;
    }
    if (mask & (1u << index)) {
      warning(day.offset, child(pointer, i), "day \"" + day.string + "\" listed twice");
    }
    mask = std::uint8_t(mask | (1u << index));
  }
  out = mask;
}

// "times": [{"from": "08:00", "until": "18:00"}, ...], daily windows in local time.
void Checker::check_times(const JsonValue& times, const std::string& pointer,
                          std::vector<TimeWindow>& out) {
  if (times.kind != Kind::array) {
    expected(times, pointer,
             "an array of daily windows such as [{\"from\": \"08:00\", \"until\": \"18:00\"}]");
  } else if (times.children.empty()) {
    error(times.offset, pointer, "expected at least one window (leave \"times\" out for all day)");
  } else if (times.children.size() > kMaxWindows) {
    error(times.offset, pointer,
          "expected at most " + std::to_string(kMaxWindows) + " daily windows");
  } else {
    for (std::size_t i = 0; i < times.children.size(); ++i) {
      TimeWindow window;
      if (check_window(times.children[i], child(pointer, i), window)) out.push_back(window);
    }
  }
}

// {"from": "HH:MM", "until": "HH:MM"}; "until" may be "24:00" and earlier than "from" (the
// window then runs past midnight), not equal to it.
bool Checker::check_window(const JsonValue& window, const std::string& pointer, TimeWindow& out) {
  if (!require_object(window, pointer,
                      "a window such as {\"from\": \"08:00\", \"until\": \"18:00\"}")) {
    return false;
  }
  bool ok = true;
  for (const char* key : {"from", "until"}) {
    const JsonValue* field = find(window, key);
    bool is_until = std::string_view(key) == "until";
    if (!field) {
      error(window.offset, child(pointer, key),
            std::string("missing required field \"") + key + "\" (a time \"HH:MM\")");
      ok = false;
      continue;
    }
    std::optional<int> minute;
    if (field->kind == Kind::string) minute = parse_clock_time(field->string, is_until);
    if (!minute) {
      expected(*field, child(pointer, key),
               is_until ? "a local time \"HH:MM\" from \"00:00\" to \"24:00\""
                        : "a local time \"HH:MM\" from \"00:00\" to \"23:59\"");
      ok = false;
      continue;
    }
    (is_until ? out.until_minute : out.from_minute) = *minute;
  }
  if (!ok) return false;
  if (out.from_minute == out.until_minute) {
    error(find(window, "until")->offset, child(pointer, "until"),
          "expected \"until\" to differ from \"from\" (an empty window never shows; leave "
          "\"times\" out for all day)");
    return false;
  }
  unknown_fields(window, pointer, {"from", "until"}, "a daily window");
  return true;
}

// "display_hours": [{"days": [...], "times": [...]}, ...]: the screen is on while any entry
// holds. An entry is a schedule without validity (days, times or both).
void Checker::check_display_hours(const JsonValue& v, const std::string& pointer,
                                  DisplayHours& out) {
  if (v.kind != Kind::array) {
    expected(v, pointer,
             "an array of opening hours such as [{\"days\": [\"mon\", \"tue\"], \"times\": "
             "[{\"from\": \"07:30\", \"until\": \"21:00\"}]}]");
    return;
  }
  if (v.children.empty()) {
    error(v.offset, pointer,
          "expected at least one entry (leave \"display_hours\" out for a screen always on)");
    return;
  }
  if (v.children.size() > kMaxWindows) {
    error(v.offset, pointer, "expected at most " + std::to_string(kMaxWindows) + " entries");
    return;
  }
  has_schedules_ = true;
  for (std::size_t i = 0; i < v.children.size(); ++i) {
    const JsonValue& entry = v.children[i];
    const std::string at = child(pointer, i);
    if (!require_object(entry, at,
                        "an entry such as {\"days\": [\"mon\"], \"times\": [{\"from\": "
                        "\"07:30\", \"until\": \"21:00\"}]}")) {
      continue;
    }
    Schedule hours;
    const JsonValue* days = find(entry, "days");
    const JsonValue* times = find(entry, "times");
    if (days) check_days(*days, child(at, "days"), hours.days);
    if (times) check_times(*times, child(at, "times"), hours.windows);
    if (!days && !times) {
      error(entry.offset, at,
            "expected \"days\", \"times\" or both (an entry of neither is always on: leave "
            "\"display_hours\" out instead)");
    }
    unknown_fields(entry, at, {"days", "times"}, "a display hours entry");
    out.push_back(std::move(hours));
  }
}

void Checker::check_ticker(const JsonValue& v, const std::string& pointer, Ticker& ticker) {
  if (!require_object(v, pointer, "a ticker object with \"items\"")) return;
  const JsonValue* items = find(v, "items");
  std::string items_pointer = child(pointer, "items");
  if (!items) {
    error(v.offset, items_pointer, "missing required field \"items\" (the headlines to crawl)");
  } else if (items->kind != Kind::array) {
    expected(*items, items_pointer, "an array of headlines (strings)");
  } else if (items->children.empty()) {
    error(items->offset, items_pointer, "expected at least one headline (or leave the ticker out)");
  } else if (items->children.size() > limits_.max_ticker_items) {
    error(items->offset, items_pointer,
          "expected at most " + std::to_string(limits_.max_ticker_items) + " headlines, got " +
              std::to_string(items->children.size()));
  } else {
    for (std::size_t i = 0; i < items->children.size(); ++i) {
      std::string headline;
      if (text(items->children[i], child(items_pointer, i), headline, true, false)) {
        ticker.items.push_back(std::move(headline));
      }
    }
  }
  optional_text(v, pointer, "separator", ticker.separator, false);
  if (const JsonValue* speed = find(v, "speed")) {
    number(*speed, child(pointer, "speed"), kMinSpeed, kMaxSpeed, false,
           "a speed in pixels per second (at 1080 px screen height)", ticker.speed_px_per_s);
  }
  if (const JsonValue* position = find(v, "position")) {
    choice<bool>(*position, child(pointer, "position"), {{"bottom", false}, {"top", true}},
                 ticker.top);
  }
  if (const JsonValue* feed = find(v, "feed")) {
    FeedSource live;
    check_feed(*feed, child(pointer, "feed"), live);
    ticker.feed = std::move(live);
  }
  unknown_fields(v, pointer, {"items", "separator", "speed", "position", "feed"}, "the ticker");
}

}  // namespace signage::content::detail

namespace signage::content {

std::optional<Theme> theme_preset(std::string_view name) {
  Theme theme;  // navy: the defaults
  if (name == "navy") return theme;
  if (name == "light") {
    // Warm paper white with near-black text and a brick-red accent: every pair at least 5.7:1.
    theme.preset = "light";
    theme.background = 0xfaf6ecff;
    theme.foreground = 0x1f1d1aff;
    theme.accent = 0xa3271bff;
    theme.muted = 0x5a5650ff;
    theme.ticker_background = 0xece3cfff;
    // A pale red alert with deep red text: the clock (dark text) stays readable over it.
    theme.alert_background = 0xf6d0c8ff;
    theme.alert_foreground = 0x7d1a12ff;
    return theme;
  }
  if (name == "contrast") {
    // White and yellow on black, every pair at least 8:1; text larger and bold.
    theme.preset = "contrast";
    theme.background = 0x000000ff;
    theme.foreground = 0xffffffff;
    theme.accent = 0xffd84aff;
    theme.muted = 0xd9d9d9ff;
    theme.ticker_background = 0x000000ff;
    theme.alert_background = 0xa00000ff;
    theme.alert_foreground = 0xffffffff;
    theme.title_size = 0.085;
    theme.body_size = 0.052;
    theme.statistic_size = 0.17;
    theme.ticker_size = 0.052;
    theme.body_weight = 700;
    return theme;
  }
  return std::nullopt;
}

const std::vector<std::string>& theme_preset_names() {
  static const std::vector<std::string> names = {"navy", "light", "contrast"};
  return names;
}

double contrast_ratio(Rgba a, Rgba b) {
  auto luminance = [](Rgba c) {
    auto channel = [](unsigned v) {
      const double s = v / 255.0;
      return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c >> 24 & 0xff) + 0.7152 * channel(c >> 16 & 0xff) +
           0.0722 * channel(c >> 8 & 0xff);
  };
  const double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace signage::content
