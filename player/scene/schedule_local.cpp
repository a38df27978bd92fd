// A stand-in for content::is_eligible until the content module lands its own: validity,
// days of the week and daily windows in the playlist's time zone (ICU computes the offset, so DST
// changes are handled). Only scene's eligible_at() calls it.
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>

#include "scene/scene_internal.h"

namespace signage::scene::detail {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Seconds to add to Unix time to get local time in `timezone` at `now_s`.
std::int64_t utc_offset_s(std::int64_t now_s, const std::string& timezone) {
  std::unique_ptr<icu::TimeZone> zone(
      timezone.empty() ? icu::TimeZone::createDefault()
                       : icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(timezone)));
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0, dst = 0;
  zone->getOffset(double(now_s) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) return 0;
  return (std::int64_t(raw) + dst) / 1000;
}

}  // namespace

bool is_eligible_local(const content::Item& item, std::int64_t now_s, const std::string& timezone) {
  const auto& s = item.schedule;
  if (s.valid_from && now_s < *s.valid_from) return false;
  if (s.valid_until && now_s >= *s.valid_until) return false;
  if ((s.days & 0x7f) == 0x7f && s.windows.empty()) return true;
  std::int64_t local = now_s + utc_offset_s(now_s, timezone);
  std::int64_t day = floor_div(local, 86400);
  int minute = int((local - day * 86400) / 60);
  int weekday = int(((day % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday; 0 = Monday
  if (s.windows.empty()) return (s.days >> weekday) & 1;
  for (const auto& w : s.windows) {
    if (w.from_minute <= w.until_minute) {
      if (minute >= w.from_minute && minute < w.until_minute && ((s.days >> weekday) & 1))
        return true;
    } else if (minute >= w.from_minute) {  // runs past midnight: the evening belongs to today
      if ((s.days >> weekday) & 1) return true;
    } else if (minute < w.until_minute) {  // the early morning belongs to yesterday's window
      if ((s.days >> ((weekday + 6) % 7)) & 1) return true;
    }
  }
  return false;
}

}  // namespace signage::scene::detail
