// Unix seconds as the ISO 8601 UTC text that status.json, live.json and MQTT payloads carry.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace signage::sync {

// "2025-03-03T01:30:00Z"; "" for 0 or less (never happened).
inline std::string iso_time(std::int64_t unix_s) {
  if (unix_s <= 0) return "";
  std::time_t t = std::time_t(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace signage::sync
