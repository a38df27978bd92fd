// Content: the playlist model, parsed and checked from a bundle's playlist.json, and the schedule
// that says which items may show at a given wall-clock time.
//
// A Playlist is immutable once built; the player swaps in a new one by pointer at an item
// boundary. Nothing here touches SDL, the network or the screen. The format is documented in
// playlists/README.md and playlists/schema/playlist.schema.json.
#pragma once

#include <unicode/uversion.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

U_NAMESPACE_BEGIN
class TimeZone;
U_NAMESPACE_END

namespace signage::content {

// ---------------------------------------------------------------------------------------------
// Diagnostics: where and what, in the form "FILE:LINE:COL: error: MESSAGE".

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;     // as given to the parser
  int line = 0;         // 1-based; 0 when the problem is not at one place (a missing file)
  int column = 0;       // 1-based, in bytes
  std::string pointer;  // JSON pointer of the field, e.g. "/items/3/duration"
  std::string message;  // says what was expected
};

std::string format_diagnostic(const Diagnostic& d);

struct TextPosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};
// Where the value at JSON `pointer` (e.g. "/items/3/title") starts in `json`; nullopt when the
// text does not parse or has no such value.
std::optional<TextPosition> locate_pointer(std::string_view json, std::string_view pointer);

// ---------------------------------------------------------------------------------------------
// The model. Colours are 0xRRGGBBAA.

using Rgba = std::uint32_t;

struct TimeWindow {
  int from_minute = 0;   // minutes after local midnight, inclusive
  int until_minute = 0;  // exclusive, up to 1440 ("24:00"); until < from: runs past midnight
};

struct Schedule {
  // Instants as Unix seconds (the playlist writes ISO 8601 with an offset).
  std::optional<std::int64_t> valid_from;
  std::optional<std::int64_t> valid_until;
  std::uint8_t days = 0x7f;         // bit 0 = Monday ... bit 6 = Sunday
  std::vector<TimeWindow> windows;  // empty: all day
};

// When the screen is on: while any entry holds (its days and daily windows; valid_from and
// valid_until are not used). Empty: always on. Read in the playlist's time zone.
using DisplayHours = std::vector<Schedule>;

// Live data: where sync fetches a statistic's value (a JSON or CSV document at `url`) or a
// ticker's headlines (an RSS or Atom feed). See playlists/README.md, "Live data".
struct ValueSource {
  std::string url;           // http or https
  std::string json_pointer;  // set: the body is JSON and the value is at this pointer
  // Else the body is CSV with a header row: the column by its header name, or by its number
  // counting from 1 (csv_column_number > 0); the data row counting from 1, or the last (0).
  std::string csv_column;
  std::size_t csv_column_number = 0;
  std::size_t csv_row = 0;
  double refresh_s = 300;  // at most one fetch per this many seconds
};

struct FeedSource {
  std::string url;  // http or https: RSS 2.0 or Atom
  std::size_t max_items = 10;
  double refresh_s = 300;
};

struct StatisticValue {
  std::string value;  // exactly as written, e.g. "690万余", "1.3", "两位数"
  std::string unit;   // e.g. "人次", "亿元", "%"
  std::string label;
  std::string comparison;  // optional, e.g. "+12.3%", "两位数增长"
  struct Point {
    std::string label;
    double value = 0;
  };
  std::vector<Point> series;          // optional bar chart
  std::optional<ValueSource> source;  // live: `value` is replaced by the fetched one
  // When the live value shown was fetched, as the card shows it ("截至 14:05", "as of 14:05"):
  // set by sync with the value; empty for a value as written.
  std::string as_of;
};

enum class ItemType { headline, statistic, statistic_group, notice, image, alert };
enum class ImageFit { contain, cover };
enum class Transition { fade, slide, cut };

constexpr int kMinAlertPriority = 1, kDefaultAlertPriority = 2, kMaxAlertPriority = 3;

struct Item {
  ItemType type = ItemType::headline;
  std::string id;               // unique in the playlist; generated "item-N" when absent
  std::string title;            // headline, statistic_group, notice, alert; image caption
  std::string subtitle;         // headline
  std::string body;             // headline, notice, alert
  std::filesystem::path image;  // headline (optional), image: absolute path inside the bundle
  // Unset: the type's default, contain for image items, cover for a headline's picture.
  std::optional<ImageFit> fit;
  // The point of the picture (0..1 from its left and top) kept in view when `cover` crops it:
  // as near the middle of the picture's box as the picture allows.
  double focus_x = 0.5, focus_y = 0.5;
  std::vector<StatisticValue> statistics;  // statistic: exactly one; statistic_group: 2-6
  double duration_s = 8;
  Transition transition = Transition::fade;
  Schedule schedule;
  // Alerts only: 1 information, 2 warning, 3 emergency. While alerts are eligible, only those of
  // the highest priority among them show.
  int priority = kDefaultAlertPriority;
};

struct Ticker {
  std::vector<std::string> items;  // with a feed: the written ones, then the feed's titles
  std::optional<FeedSource> feed;
  std::string separator = "　◆　";
  double speed_px_per_s = 120;  // at 1080 px screen height; scaled with the screen
  bool top = false;             // default: a band along the bottom
};

struct Theme {
  // The preset the colours and sizes start from ("navy", "light", "contrast"); fields the
  // playlist writes override the preset's.
  std::string preset = "navy";
  Rgba background = 0x0b2545ff;
  Rgba foreground = 0xffffffff;
  Rgba accent = 0xf4d35eff;
  Rgba muted = 0x8da9c4ff;
  Rgba ticker_background = 0x061a33ff;
  Rgba alert_background = 0x9b1d20ff;
  Rgba alert_foreground = 0xffffffff;
  // Sizes as fractions of the screen height, so one playlist fits 720p, 1080p and portrait.
  double title_size = 0.075;
  double body_size = 0.042;
  double statistic_size = 0.16;
  double ticker_size = 0.045;
  int title_weight = 700;
  int body_weight = 400;
  // The center's logo, drawn in the top-left corner of every card: an absolute path inside the
  // bundle (like Item::image); empty for none.
  std::filesystem::path logo;
};

// The designed themes by name: "navy" (the default), "light" (dark text on a warm light
// background, for bright rooms) and "contrast" (white and yellow on black, larger and bolder
// text, for older eyes). nullopt for another name.
std::optional<Theme> theme_preset(std::string_view name);
// The preset names, in the order the docs list them.
const std::vector<std::string>& theme_preset_names();

// WCAG 2 contrast ratio of two opaque colours (1 to 21); alpha is ignored.
double contrast_ratio(Rgba a, Rgba b);

// A file the bundle carries, as the playlist's "assets" list declares it. Sources (HTTP, USB)
// fetch and verify assets by these; `check` compares them with the files.
struct Asset {
  std::string path;  // relative to the bundle folder, as written
  std::uint64_t size = 0;
  std::string sha256;   // 64 lowercase hex digits
  std::string pointer;  // of its entry, e.g. "/assets/images~1photo.jpg"
  int line = 0, column = 0;
};

// What the player's own waiting screen says when it has no content yet (first boot): how to give
// this box content. Made by the player from its settings, never read from a playlist file.
struct FirstBoot {
  std::vector<std::string> studio_urls;  // the studio's address(es); empty: no studio here
  std::string usb_folder;                // "signage"; empty: USB sticks are ignored
  std::string web_url;                   // the web source (credentials hidden); empty: none
  std::string web_state;                 // its last poll in words; empty: not polled yet
  bool web_problem = false;              // the last poll failed
  std::string player_id;
  bool operator==(const FirstBoot&) const = default;
};

struct Playlist {
  int version = 1;
  std::string id;
  std::int64_t revision = 0;
  std::optional<std::int64_t> expires;  // Unix seconds; after it a player calls the content stale
  std::string title;                    // shown on the fallback screen
  std::string lang = "zh-Hans";
  std::string timezone;  // IANA name; empty: the system's local zone
  bool show_clock = true;
  Theme theme;
  std::vector<Item> items;
  std::optional<Ticker> ticker;
  DisplayHours display_hours;            // "display_hours"; empty: the screen is always on
  std::filesystem::path bundle_dir;      // where relative asset paths were resolved
  std::vector<Asset> assets;             // the "assets" list; empty when the playlist has none
  bool has_asset_list = false;           // "assets" present: every image an item names is in it
  std::vector<std::string> asset_paths;  // the files the items name, as written, each once
  // The waiting screen shows it: as the fallback screen, or as the item scene::kFirstBootItemId.
  std::optional<FirstBoot> first_boot;
};

// ---------------------------------------------------------------------------------------------
// Parsing and checking

struct Limits {
  std::size_t max_file_bytes = 4 << 20;
  std::size_t max_items = 1000;
  std::size_t max_string_bytes = 16 << 10;
  std::size_t max_ticker_items = 200;
  std::size_t max_depth = 32;
  std::size_t max_values = 200000;    // JSON values of any kind in the file (bounds memory)
  std::size_t max_diagnostics = 100;  // then one more saying the rest were left out
};

struct ParseResult {
  std::shared_ptr<const Playlist> playlist;  // null when there is any error
  std::vector<Diagnostic> diagnostics;       // errors and warnings, in file order
};

// Whether the asset files are there to check: `not_yet` for a playlist that a source is about
// to fetch the assets of (paths are checked, files are not looked at).
enum class AssetFiles { on_disk, not_yet };

// Parses and checks playlist.json bytes. `file` names it in diagnostics; `bundle_dir` is where
// assets are looked up (and must stay inside). Never throws, whatever the bytes.
ParseResult parse_playlist(std::string_view json, const std::string& file,
                           const std::filesystem::path& bundle_dir, const Limits& limits = {},
                           AssetFiles asset_files = AssetFiles::on_disk);

// Reads PATH (a playlist.json or a bundle folder holding one) and parses it. Diagnostics name
// the file as PATH was given (PATH/playlist.json for a folder).
ParseResult load_playlist(const std::filesystem::path& path, const Limits& limits = {});

// The playlist text with its "assets" member set to `assets` (added before the end of the top
// object when missing), the rest of the text left as it is. nullopt when `json` does not parse
// as a JSON object.
std::optional<std::string> with_asset_list(std::string_view json, const std::vector<Asset>& assets);

// For a playlist that names files but has no "assets" list: it plays from a folder, but a
// player's store refuses it (it could not fetch or verify the files). "" when it has the list or
// names no files. `check` warns with it, `sign` refuses, the store refuses.
std::string missing_asset_list(const Playlist& playlist);

// Whether `name` (an asset's path as the playlist writes it) holds NUL or another control
// character (C0, DEL, C1), which no file of a bundle may be called by: `check`, `sign` and a
// player's store refuse such names alike.
bool has_control_character(std::string_view name);

// "2025-01-20T08:00:00+08:00" (also "Z", "+0800", fractions of a second, seconds left out) as
// Unix seconds; nullopt when it is not that form or has no UTC offset. Used for valid_from /
// valid_until and for `render --clock`.
std::optional<std::int64_t> parse_instant(std::string_view text);

// Unix seconds as "2025-03-03T09:30:00+08:00", local time in `timezone` (as time_zone resolves
// it) with its UTC offset: the form parse_instant reads.
std::string format_instant(std::int64_t unix_s, const std::string& timezone);

// Whether ICU knows `name` as a time zone ("Asia/Shanghai", "UTC"); custom "GMT+8" forms are not.
bool is_known_timezone(const std::string& name);

// The zone a playlist's `timezone` means, for schedules and the clock alike: the named zone, or
// the system's when `name` is empty or unknown. Resolved once per thread and name; the reference
// is good until the next call on the same thread.
const icu::TimeZone& time_zone(const std::string& name);

// ---------------------------------------------------------------------------------------------
// Scheduling

// Whether `item` may show at Unix time `now_s`, in the playlist's time zone (correct across DST).
// valid_from is inclusive, valid_until exclusive. Days and windows are local wall-clock time: a
// window that runs past midnight belongs to the day it starts on, so {"days": ["fri"], "times":
// [{"from": "22:00", "until": "02:00"}]} shows from Friday 22:00 to Saturday 02:00. On the day
// clocks go forward a window inside the skipped hour does not occur; when they go back, a window
// inside the repeated hour occurs twice. An empty or unknown `timezone` means the system's zone.
bool is_eligible(const Item& item, std::int64_t now_s, const std::string& timezone);
bool is_eligible(const Schedule& schedule, std::int64_t now_s, const std::string& timezone);

// ---------------------------------------------------------------------------------------------
// Display hours

// Whether `hours` hold at `now_s` in `timezone` (is_eligible of each entry); empty: always.
bool within_hours(const DisplayHours& hours, std::int64_t now_s, const std::string& timezone);

enum class DisplayReason {
  always,  // no display hours: on
  hours,   // inside the display hours: on
  alert,   // outside them, but an alert of the playlist is eligible: on while it is
  closed,  // outside them: off
};
struct DisplayDecision {
  bool on = true;
  DisplayReason why = DisplayReason::always;
};
const char* to_string(DisplayReason why);

// Whether the screen is on at `now_s` for `playlist`: `hours` when given (player.conf's, which
// override the playlist's), else the playlist's display_hours, in the playlist's time zone; an
// eligible alert of the playlist turns it on outside them.
DisplayDecision display_decision(const std::optional<DisplayHours>& hours, const Playlist& playlist,
                                 std::int64_t now_s);

// The compact form of player.conf: entries separated by ",", each days then one or more
// windows: "mon-fri 07:30-21:00, sat-sun 09:00-17:00", "daily 08:00-12:00 14:00-22:00",
// "fri 22:00-02:00" (past midnight, like a schedule's times). Days are mon..sun, a range
// "mon-fri" (may wrap: "fri-mon"), days joined by "+" ("mon+wed"), or "daily"; "always" alone means
// always on (overriding the playlist's hours). nullopt and *error (what is wrong and where) for
// anything else.
std::optional<DisplayHours> parse_display_hours(std::string_view text, std::string* error);

// The hours in the compact form, for the log ("always" when empty).
std::string format_display_hours(const DisplayHours& hours);

}  // namespace signage::content
