// Scheduling: ISO 8601 instants, time zone names, and whether an item may show at a given time.
// Local time comes from ICU's time zone data, so days and daily windows follow DST changes.
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "content/content.h"

namespace signage::content {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

struct LocalTime {
  int weekday = 0;  // 0 = Monday ... 6 = Sunday
  int minute = 0;   // minutes after local midnight
};

LocalTime local_time(std::int64_t now_s, const std::string& timezone) {
  using namespace std::chrono;
  std::int32_t raw = 0;
  std::int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  time_zone(timezone).getOffset(UDate(now_s) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) raw = dst = 0;
  // The local wall-clock time, counted like Unix time: its days are local days.
  const sys_seconds local{seconds(now_s + (std::int64_t(raw) + dst) / 1000)};
  const sys_days day = floor<days>(local);
  return {int(weekday(day).iso_encoding()) - 1, int(floor<minutes>(local - day).count())};
}

bool day_enabled(std::uint8_t days, int weekday) {
  return (days >> weekday) & 1;
}

}  // namespace

const icu::TimeZone& time_zone(const std::string& name) {
  // Kept per thread (ICU zones are not thread-safe to share): creating one reads zone data.
  thread_local std::map<std::string, std::unique_ptr<icu::TimeZone>> cache;
  auto found = cache.find(name);
  if (found != cache.end()) return *found->second;
  if (cache.size() > 32) cache.clear();
  std::unique_ptr<icu::TimeZone> zone;
  if (name.empty() || !is_known_timezone(name)) {
    zone.reset(icu::TimeZone::createDefault());
  } else {
    zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  }
  if (!zone) zone.reset(icu::TimeZone::getGMT()->clone());
  return *cache.emplace(name, std::move(zone)).first->second;
}

std::optional<std::int64_t> parse_instant(std::string_view text) {
  // YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM|+HHMM|-HHMM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 16 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, hour) ||
      text[13] != ':' || !digits(text, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    if (!digits(text, at + 1, 2, second)) return std::nullopt;
    at += 3;
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
      std::size_t start = ++at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
      if (at == start || at - start > 9) return std::nullopt;  // fraction ignored
    }
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(unsigned(month)),
                                         std::chrono::day(unsigned(day))};
  if (year < 1900 || !date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  if (at >= text.size()) return std::nullopt;  // no offset: ambiguous, refused
  int offset_minutes = 0;
  if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset_minutes = 0;
  } else if (text[at] == '+' || text[at] == '-') {
    int sign = text[at] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    std::size_t rest = text.size() - at - 1;
    if (rest == 5 && digits(text, at + 1, 2, oh) && text[at + 3] == ':' &&
        digits(text, at + 4, 2, om)) {
    } else if (rest == 4 && digits(text, at + 1, 2, oh) && digits(text, at + 3, 2, om)) {
    } else {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  const sys_seconds local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
  return (local - minutes(offset_minutes)).time_since_epoch().count();
}

std::string format_instant(std::int64_t unix_s, const std::string& timezone) {
  using namespace std::chrono;
  std::int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  time_zone(timezone).getOffset(UDate(unix_s) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) raw = dst = 0;
  const int offset_min = (raw + dst) / 60000;
  const sys_seconds local{seconds(unix_s + offset_min * 60)};
  const sys_days day = floor<days>(local);
  const year_month_day date(day);
  const hh_mm_ss time(local - day);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()),
                offset_min < 0 ? '-' : '+', std::abs(offset_min) / 60, std::abs(offset_min) % 60);
  return out;
}

bool is_known_timezone(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString canonical;
  UBool is_system = false;
  icu::TimeZone::getCanonicalID(icu::UnicodeString::fromUTF8(name), canonical, is_system, status);
  return U_SUCCESS(status) && is_system && canonical != UNICODE_STRING_SIMPLE("Etc/Unknown");
}

bool is_eligible(const Schedule& schedule, std::int64_t now_s, const std::string& timezone) {
  if (schedule.valid_from && now_s < *schedule.valid_from) return false;
  if (schedule.valid_until && now_s >= *schedule.valid_until) return false;
  if ((schedule.days & 0x7f) == 0x7f && schedule.windows.empty()) return true;
  LocalTime local = local_time(now_s, timezone);
  if (schedule.windows.empty()) return day_enabled(schedule.days, local.weekday);
  int yesterday = (local.weekday + 6) % 7;
  for (const TimeWindow& w : schedule.windows) {
    if (w.from_minute < w.until_minute) {
      if (day_enabled(schedule.days, local.weekday) && local.minute >= w.from_minute &&
          local.minute < w.until_minute) {
        return true;
      }
    } else if (w.from_minute > w.until_minute) {
      // Past midnight: the evening part today, the early-morning part of a window started
      // yesterday.
      if (day_enabled(schedule.days, local.weekday) && local.minute >= w.from_minute) return true;
      if (day_enabled(schedule.days, yesterday) && local.minute < w.until_minute) return true;
    }
  }
  return false;
}

bool is_eligible(const Item& item, std::int64_t now_s, const std::string& timezone) {
  return is_eligible(item.schedule, now_s, timezone);
}

}  // namespace signage::content
