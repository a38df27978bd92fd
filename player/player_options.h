// Option values shared by the `render` and `run` commands.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scene/scene.h"

namespace signage {

// "1920x1080": both sides 16..16384.
inline std::optional<scene::Size> parse_size(std::string_view s) {
  auto x = s.find('x');
  if (x == std::string_view::npos) return std::nullopt;
  int w = 0, h = 0;
  auto [we, wr] = std::from_chars(s.data(), s.data() + x, w);
  auto [he, hr] = std::from_chars(s.data() + x + 1, s.data() + s.size(), h);
  if (wr != std::errc() || hr != std::errc() || we != s.data() + x || he != s.data() + s.size() ||
      w < 16 || h < 16 || w > 16384 || h > 16384) {
    return std::nullopt;
  }
  return scene::Size{w, h};
}

inline std::optional<int> parse_rotation(std::string_view s) {
  int r = -1;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), r);
  if (error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (r != 0 && r != 90 && r != 180 && r != 270) return std::nullopt;
  return r;
}

// Seconds (fractions allowed) as nanoseconds, 0 .. 10 years.
inline std::optional<scene::Nanos> parse_seconds(std::string_view s) {
  double v = -1;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (error != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0 ||
      v > 315576000.0) {
    return std::nullopt;
  }
  return scene::Nanos(std::llround(v * 1e9));
}

inline std::optional<int> parse_int(std::string_view s, int min, int max) {
  int v = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (error != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

// The options `render` and `run` share: --size, --rotate, --clock, --max-texture-size.
struct ScreenOptions {
  std::optional<scene::Size> size;
  std::optional<int> rotate;
  std::optional<std::int64_t> clock;  // Unix seconds at start
  std::optional<int> max_texture_size;
};

// Each sets one of ScreenOptions from its text: "" or what the value needs.
inline std::string set_size(std::string_view v, ScreenOptions& out) {
  return (out.size = parse_size(v)) ? "" : "needs WxH, each 16..16384, e.g. 1920x1080";
}
inline std::string set_rotate(std::string_view v, ScreenOptions& out) {
  return (out.rotate = parse_rotation(v)) ? "" : "needs 0, 90, 180 or 270";
}
inline std::string set_clock(std::string_view v, ScreenOptions& out) {
  return (out.clock = content::parse_instant(v))
             ? ""
             : "needs a time with its offset, e.g. 2025-03-03T09:30:00+08:00";
}
inline std::string set_max_texture_size(std::string_view v, ScreenOptions& out) {
  return (out.max_texture_size = parse_int(v, 64, 65536)) ? "" : "needs pixels, 64..65536";
}

// Parses `arg` if it is one of ScreenOptions, taking its value with `take_value()` (the next
// argument, or nullopt). Returns nullopt when `arg` is not one of them, else "" on success or the
// usage error.
template <typename TakeValue>
std::optional<std::string> parse_screen_option(std::string_view arg, TakeValue take_value,
                                               ScreenOptions& out) {
  std::string (*set)(std::string_view, ScreenOptions&) = nullptr;
  if (arg == "--size") set = set_size;
  if (arg == "--rotate") set = set_rotate;
  if (arg == "--clock") set = set_clock;
  if (arg == "--max-texture-size") set = set_max_texture_size;
  if (!set) return std::nullopt;
  auto v = take_value();
  std::string problem = v ? set(*v, out) : "needs a value";
  return problem.empty() ? problem : std::string(arg) + " " + problem;
}

}  // namespace signage
