// Scheduling: ISO 8601 instants, time zone names, and whether an item may show at a given time.
// Local time comes from ICU's time zone data, so days and daily windows follow DST changes.
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "content/content.h"

namespace signage::content {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

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

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to year-month-day (proleptic Gregorian calendar).
std::int64_t days_since_epoch(int year, int month, int day) {
  std::int64_t days = 0;
  if (year >= 1970) {
    for (int y = 1970; y < year; ++y) days += is_leap(y) ? 366 : 365;
  } else {
    for (int y = year; y < 1970; ++y) days -= is_leap(y) ? 366 : 365;
  }
  for (int m = 1; m < month; ++m) days += days_in_month(year, m);
  return days + day - 1;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The ICU zone for `name` (empty: the system's), kept per thread: creating one reads zone data.
const icu::TimeZone& zone_for(const std::string& name) {
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

struct LocalTime {
  int weekday = 0;  // 0 = Monday ... 6 = Sunday
  int minute = 0;   // minutes after local midnight
};

LocalTime local_time(std::int64_t now_s, const std::string& timezone) {
  const icu::TimeZone& zone = zone_for(timezone);
  std::int32_t raw = 0;
  std::int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone.getOffset(UDate(now_s) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) raw = dst = 0;
  std::int64_t local_s = now_s + (std::int64_t(raw) + dst) / 1000;
  std::int64_t day = floor_div(local_s, kSecondsPerDay);
  std::int64_t second_of_day = local_s - day * kSecondsPerDay;
  LocalTime local;
  // 1970-01-01 was a Thursday (3 counting from Monday = 0).
  local.weekday = int(((day % 7) + 7 + 3) % 7);
  local.minute = int(second_of_day / 60);
  return local;
}

bool day_enabled(std::uint8_t days, int weekday) {
  return (days >> weekday) & 1;
}

}  // namespace

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
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
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
  std::int64_t days = days_since_epoch(year, month, day);
  return days * kSecondsPerDay + hour * 3600 + minute * 60 + second -
         std::int64_t(offset_minutes) * 60;
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
