// Internal to content/: the Checker that turns playlist.json into a Playlist and diagnostics.
// Its generic helpers (diagnostics, typed fields) are in checker.cpp; the checks of each part
// of the playlist in check_sections.cpp (theme, defaults, schedule, ticker), check_items.cpp
// and check_assets.cpp; the top level in playlist.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "content/content.h"
#include "content/json_tree.h"

namespace signage::content::detail {

namespace fs = std::filesystem;
using Kind = JsonValue::Kind;

constexpr double kMaxDurationS = 86400;
constexpr double kMinSize = 0.01;
constexpr double kMaxSize = 0.5;
constexpr double kMinSpeed = 5;
constexpr double kMaxSpeed = 1000;
constexpr double kMaxSeriesValue = 1e15;
constexpr std::size_t kMaxSeriesPoints = 60;
constexpr std::size_t kMaxWindows = 48;
constexpr std::size_t kMaxPathBytes = 1024;
constexpr std::uintmax_t kLargeImageBytes = 20u << 20;

// An id as the playlist may write it: 1 to 64 of [A-Za-z0-9._-].
bool is_safe_id(std::string_view id);

// "HH:MM" as minutes after midnight; "24:00" only when `allow_24`.
std::optional<int> parse_clock_time(std::string_view text, bool allow_24);

class Checker {
 public:
  Checker(std::string_view json, const std::string& file, const fs::path& bundle_dir,
          const Limits& limits, AssetFiles asset_files);

  ParseResult run();

 private:
  // --- the top level (playlist.cpp)
  ParseResult finish(std::shared_ptr<const Playlist> playlist);
  bool parse_tree(JsonValue& root);
  void check_identity(const JsonValue& root, Playlist& playlist);
  void check_settings(const JsonValue& root, Playlist& playlist);
  void check_cards(const JsonValue& root, Playlist& playlist);
  void check_files(const JsonValue& root, Playlist& playlist);

  // --- diagnostics
  void report(Severity severity, std::size_t offset, const std::string& pointer,
              std::string message);
  void error(std::size_t offset, const std::string& pointer, std::string message) {
    report(Severity::error, offset, pointer, std::move(message));
  }
  void warning(std::size_t offset, const std::string& pointer, std::string message) {
    report(Severity::warning, offset, pointer, std::move(message));
  }
  // Line and column from 1; the column counts bytes (documented in playlists/README.md).
  std::pair<int, int> line_column(std::size_t offset) const;
  std::string where(std::size_t offset) const;

  // What a value is, for "expected X, got Y".
  std::string describe(const JsonValue& v) const;

  void expected(const JsonValue& v, const std::string& pointer, const std::string& what) {
    error(v.offset, pointer, "expected " + what + ", got " + describe(v));
  }

  // --- objects
  static const JsonValue* find(const JsonValue& object, std::string_view key) {
    for (const JsonValue& member : object.children) {
      if (member.key == key) return &member;
    }
    return nullptr;
  }
  static std::string child(const std::string& pointer, std::string_view key) {
    return pointer + "/" + detail::pointer_token(key);
  }
  static std::string child(const std::string& pointer, std::size_t index) {
    return pointer + "/" + std::to_string(index);
  }

  bool require_object(const JsonValue& v, const std::string& pointer, const std::string& what);

  void unknown_fields(const JsonValue& object, const std::string& pointer,
                      const std::vector<const char*>& known, const std::string& context,
                      const std::vector<const char*>& elsewhere = {});

  // --- scalars
  // A text field: a string, valid UTF-8 without NUL, within the length limit. `multiline`
  // allows "\n" (a forced line break); other control characters are refused.
  bool text(const JsonValue& v, const std::string& pointer, std::string& out,
            bool required_nonempty, bool multiline);
  bool optional_text(const JsonValue& object, const std::string& pointer, std::string_view key,
                     std::string& out, bool multiline);
  bool required_text(const JsonValue& object, const std::string& pointer, std::string_view key,
                     std::string& out, bool multiline, const std::string& why);

  // A finite number in [min, max] (or (min, max] when `min_exclusive`).
  bool number(const JsonValue& v, const std::string& pointer, double min, double max,
              bool min_exclusive, const std::string& what, double& out);

  // "fit": "contain" | "cover" and "focus": [x, y], each 0..1 from the picture's left and top.
  void check_fit_and_focus(const JsonValue& item, const std::string& pointer, Item& out);
  void check_alert_priority(const JsonValue& item, const std::string& pointer, Item& out);

  static std::string format_number(double d);

  bool integer(const JsonValue& v, const std::string& pointer, std::int64_t min, std::int64_t max,
               const std::string& what, std::int64_t& out);

  template <typename Enum>
  bool choice(const JsonValue& v, const std::string& pointer,
              const std::vector<std::pair<const char*, Enum>>& choices, Enum& out) {
    std::string names;
    for (const auto& [name, value] : choices) {
      if (v.kind == Kind::string && v.string == name) {
        out = value;
        return true;
      }
      if (!names.empty()) names += ", ";
      names += "\"" + std::string(name) + "\"";
    }
    expected(v, pointer, "one of " + names);
    return false;
  }

  // --- parts of the playlist
  void check_theme(const JsonValue& v, const std::string& pointer, Theme& theme);
  void check_defaults(const JsonValue& v, const std::string& pointer, double& duration,
                      Transition& transition);
  void check_items(const JsonValue& v, const std::string& pointer, Playlist& playlist,
                   double default_duration, Transition default_transition);
  bool check_item(const JsonValue& v, const std::string& pointer, Item& item);
  bool check_item_type(const JsonValue& v, const std::string& pointer, Item& item);
  void check_item_common(const JsonValue& v, const std::string& pointer, Item& item);
  void check_item_fields(const JsonValue& v, const std::string& pointer, Item& item);
  void check_statistic_group(const JsonValue& v, const std::string& pointer, Item& item);
  void unknown_item_fields(const JsonValue& v, const std::string& pointer, ItemType type);
  bool check_statistic(const JsonValue& object, const std::string& pointer, StatisticValue& out);
  void check_series(const JsonValue& series, const std::string& pointer,
                    std::vector<StatisticValue::Point>& out);
  void check_schedule(const JsonValue& v, const std::string& pointer, Schedule& schedule);
  void check_validity(const JsonValue& v, const std::string& pointer, Schedule& schedule);
  void check_days(const JsonValue& days, const std::string& pointer, std::uint8_t& out);
  void check_times(const JsonValue& times, const std::string& pointer,
                   std::vector<TimeWindow>& out);
  bool check_window(const JsonValue& window, const std::string& pointer, TimeWindow& out);
  void check_display_hours(const JsonValue& v, const std::string& pointer, DisplayHours& out);
  void check_ticker(const JsonValue& v, const std::string& pointer, Ticker& ticker);
  // --- live data (check_live.cpp)
  bool check_url(const JsonValue& object, const std::string& pointer, std::string& out);
  bool check_refresh(const JsonValue& object, const std::string& pointer, double& out);
  void check_feed(const JsonValue& v, const std::string& pointer, FeedSource& out);
  void check_value_source(const JsonValue& v, const std::string& pointer, ValueSource& out);
  bool check_asset(const JsonValue& v, const std::string& pointer, fs::path& out);
  bool check_picture(const JsonValue& v, const std::string& pointer, const std::string& relative,
                     const fs::path& resolved);
  bool check_relative_path(const JsonValue& v, const std::string& pointer,
                           const std::string& relative);
  void check_asset_list(const JsonValue& v, Playlist& playlist);

  std::string_view json_;
  std::string file_;
  fs::path bundle_dir_;
  const Limits& limits_;
  std::vector<std::size_t> line_starts_;
  AssetFiles asset_files_;
  std::vector<std::pair<std::size_t, Diagnostic>> diagnostics_;
  std::size_t errors_ = 0;
  bool has_schedules_ = false;
  struct AssetUse {
    std::string relative;
    std::size_t offset;
    std::string pointer;
  };
  std::vector<AssetUse> asset_uses_;  // images the items name, for the "assets" list check
};

}  // namespace signage::content::detail
