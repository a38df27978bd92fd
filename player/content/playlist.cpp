// Parsing and checking playlist.json (format version 1, see playlists/README.md). Every problem
// becomes a Diagnostic at the line and column of the offending key or value; checking goes on
// after a problem so that an author sees them all at once.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "content/content.h"
#include "content/encoding.h"
#include "content/json_tree.h"
#include "picture/picture.h"

namespace signage::content {
namespace {

namespace fs = std::filesystem;
using detail::JsonValue;
using Kind = detail::JsonValue::Kind;

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

// Printable text for a message: control characters escaped, long strings cut.
std::string printable(std::string_view text, std::size_t max_bytes = 60) {
  std::string out;
  std::size_t i = 0;
  for (; i < text.size() && out.size() < max_bytes; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += char(c);
    }
  }
  if (i < text.size()) {
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  return out;
}

// Why the file is not UTF-8 text, and what to do: a NUL, a file saved as GBK, a bad byte.
std::string not_utf8_message(std::string_view json, const std::string& file,
                             const detail::Utf8Problem& problem) {
  if (problem.kind == detail::Utf8Problem::Kind::nul) {
    return "NUL byte in the file; a playlist is UTF-8 text";
  }
  if (detail::looks_like_gb18030(json)) {
    return "the file is not UTF-8: it looks like GBK/GB18030 (the Chinese Windows \"ANSI\" "
           "encoding); save it as UTF-8 (Notepad: Save As, Encoding UTF-8; VS Code: Save with "
           "Encoding, UTF-8) or convert it: iconv -f GB18030 -t UTF-8 " +
           file + " > utf8.json";
  }
  char byte[8];
  std::snprintf(byte, sizeof byte, "%02x", unsigned(std::uint8_t(json[problem.offset])));
  return std::string("invalid UTF-8 (byte 0x") + byte + "); a playlist is UTF-8 text";
}

std::string quote_text(std::string_view text) {
  return "\"" + printable(text) + "\"";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool has_control_characters(std::string_view text, bool allow_newline) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && allow_newline) continue;
    if (c < 0x20 || c == 0x7f) return true;
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

bool is_safe_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool is_language_tag(std::string_view tag) {
  // BCP 47 in its common shapes: a 2-3 letter language, then subtags of 1-8 letters or digits.
  if (tag.empty() || tag.size() > 35) return false;
  std::size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    std::size_t end = tag.find('-', start);
    if (end == std::string_view::npos) end = tag.size();
    std::string_view part = tag.substr(start, end - start);
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      bool digit = c >= '0' && c <= '9';
      if (first ? !letter : !(letter || digit)) return false;
    }
    if (first && (part.size() < 2 || part.size() > 3)) return false;
    first = false;
    start = end + 1;
  }
  return true;
}

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

bool inside(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  // A trailing empty element (from "dir/") counts as matched.
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());
}

// ---------------------------------------------------------------------------------------------

struct ItemKindInfo {
  const char* name;
  ItemType type;
  std::vector<const char*> fields;  // besides the common ones
};

const std::vector<ItemKindInfo>& item_kinds() {
  static const std::vector<ItemKindInfo> kinds = {
      {"headline", ItemType::headline, {"title", "subtitle", "body", "image", "fit", "focus"}},
      {"statistic", ItemType::statistic, {"value", "unit", "label", "comparison", "series"}},
      {"statistic_group", ItemType::statistic_group, {"title", "statistics"}},
      {"notice", ItemType::notice, {"title", "body"}},
      {"image", ItemType::image, {"image", "fit", "focus", "caption"}},
      {"alert", ItemType::alert, {"title", "body"}},
  };
  return kinds;
}

const std::vector<const char*> kCommonItemFields = {"type", "id", "duration", "transition",
                                                    "schedule"};

class Checker {
 public:
  Checker(std::string_view json, const std::string& file, const fs::path& bundle_dir,
          const Limits& limits, AssetFiles asset_files)
      : json_(json), file_(file), limits_(limits), asset_files_(asset_files) {
    std::error_code ec;
    fs::path dir = bundle_dir.empty() ? fs::path(".") : bundle_dir;
    bundle_dir_ = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    if (ec) bundle_dir_ = dir;
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < json.size(); ++i) {
      if (json[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  ParseResult run();

 private:
  // --- diagnostics
  void report(Severity severity, std::size_t offset, const std::string& pointer,
              std::string message) {
    Diagnostic d;
    d.severity = severity;
    d.file = file_;
    std::tie(d.line, d.column) = line_column(offset);
    d.pointer = pointer;
    d.message = std::move(message);
    diagnostics_.push_back({offset, std::move(d)});
    if (severity == Severity::error) ++errors_;
  }
  void error(std::size_t offset, const std::string& pointer, std::string message) {
    report(Severity::error, offset, pointer, std::move(message));
  }
  void warning(std::size_t offset, const std::string& pointer, std::string message) {
    report(Severity::warning, offset, pointer, std::move(message));
  }
  // Line and column from 1; the column counts bytes (documented in playlists/README.md).
  std::pair<int, int> line_column(std::size_t offset) const {
    auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - 1;
    return {int(line - line_starts_.begin()) + 1, int(offset - *line) + 1};
  }
  std::string where(std::size_t offset) const {
    auto [line, column] = line_column(offset);
    return std::to_string(line) + ":" + std::to_string(column);
  }

  // What a value is, for "expected X, got Y".
  std::string describe(const JsonValue& v) const {
    switch (v.kind) {
      case Kind::null: return "null";
      case Kind::boolean: return v.boolean ? "true" : "false";
      case Kind::integer:
      case Kind::unsigned_integer:
      case Kind::floating: {
        std::size_t end = v.offset;
        while (end < json_.size() && end - v.offset < 40 &&
               (std::isdigit(static_cast<unsigned char>(json_[end])) || json_[end] == '-' ||
                json_[end] == '+' || json_[end] == '.' || json_[end] == 'e' || json_[end] == 'E')) {
          ++end;
        }
        return std::string(json_.substr(v.offset, end - v.offset));
      }
      case Kind::string: return "the string " + quote_text(v.string);
      case Kind::array: return "an array";
      case Kind::object: return "an object";
    }
    return "something else";
  }

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

  bool require_object(const JsonValue& v, const std::string& pointer, const std::string& what) {
    if (v.kind == Kind::object) return true;
    expected(v, pointer, what);
    return false;
  }

  void unknown_fields(const JsonValue& object, const std::string& pointer,
                      const std::vector<const char*>& known, const std::string& context,
                      const std::vector<const char*>& elsewhere = {}) {
    for (const JsonValue& member : object.children) {
      bool is_known =
          std::any_of(known.begin(), known.end(), [&](const char* k) { return member.key == k; });
      if (is_known) continue;
      std::string pointer_of = child(pointer, member.key);
      bool is_elsewhere = std::any_of(elsewhere.begin(), elsewhere.end(),
                                      [&](const char* k) { return member.key == k; });
      if (is_elsewhere) {
        warning(member.key_offset, pointer_of,
                "field " + quote_text(member.key) + " is not used by " + context + " (ignored)");
        continue;
      }
      std::string message =
          "unknown field " + quote_text(member.key) + " in " + context + " (ignored)";
      const char* best = nullptr;
      std::size_t best_distance = 3;
      for (const char* k : known) {
        std::size_t d = edit_distance(member.key.substr(0, 64), k);
        if (d < best_distance) {
          best_distance = d;
          best = k;
        }
      }
      if (best) message += "; did you mean \"" + std::string(best) + "\"?";
      warning(member.key_offset, pointer_of, message);
    }
  }

  // --- scalars
  // A text field: a string, valid UTF-8 without NUL, within the length limit. `multiline`
  // allows "\n" (a forced line break); other control characters are refused.
  bool text(const JsonValue& v, const std::string& pointer, std::string& out,
            bool required_nonempty, bool multiline) {
    if (v.kind != Kind::string) {
      expected(v, pointer, "a string");
      return false;
    }
    if (v.string.size() > limits_.max_string_bytes) {
      error(v.offset, pointer,
            "string of " + std::to_string(v.string.size()) + " bytes is longer than the limit of " +
                std::to_string(limits_.max_string_bytes));
      return false;
    }
    if (auto problem = detail::find_utf8_problem(v.string)) {
      bool nul = problem->kind == detail::Utf8Problem::Kind::nul;
      error(v.offset, pointer,
            std::string("expected text without NUL characters or invalid UTF-8 (") +
                (nul ? "NUL character" : "invalid UTF-8") + " at byte " +
                std::to_string(problem->offset) + ")");
      return false;
    }
    if (has_control_characters(v.string, multiline)) {
      error(v.offset, pointer,
            multiline ? "expected text without control characters other than \"\\n\""
                      : "expected one line of text, without line breaks or control characters");
      return false;
    }
    if (required_nonempty && v.string.empty()) {
      error(v.offset, pointer, "expected a non-empty string");
      return false;
    }
    out = v.string;
    return true;
  }

  bool optional_text(const JsonValue& object, const std::string& pointer, std::string_view key,
                     std::string& out, bool multiline) {
    const JsonValue* v = find(object, key);
    if (!v) return true;
    return text(*v, child(pointer, key), out, false, multiline);
  }

  bool required_text(const JsonValue& object, const std::string& pointer, std::string_view key,
                     std::string& out, bool multiline, const std::string& why) {
    const JsonValue* v = find(object, key);
    if (!v) {
      error(object.offset, child(pointer, key),
            "missing required field \"" + std::string(key) + "\" (" + why + ")");
      return false;
    }
    return text(*v, child(pointer, key), out, true, multiline);
  }

  // A finite number in [min, max] (or (min, max] when `min_exclusive`).
  bool number(const JsonValue& v, const std::string& pointer, double min, double max,
              bool min_exclusive, const std::string& what, double& out) {
    std::string range = (min_exclusive ? "greater than " : "at least ") + format_number(min) +
                        " and at most " + format_number(max);
    if (!v.is_number()) {
      expected(v, pointer, what + " (" + range + ")");
      return false;
    }
    double d = v.as_double();
    if (!std::isfinite(d) || (min_exclusive ? d <= min : d < min) || d > max) {
      expected(v, pointer, what + " " + range);
      return false;
    }
    out = d;
    return true;
  }

  // "fit": "contain" | "cover" and "focus": [x, y], each 0..1 from the picture's left and top.
  void check_fit_and_focus(const JsonValue& item, const std::string& pointer, Item& out) {
    if (const JsonValue* fit = find(item, "fit")) {
      ImageFit chosen = ImageFit::contain;
      if (choice<ImageFit>(*fit, child(pointer, "fit"),
                           {{"contain", ImageFit::contain}, {"cover", ImageFit::cover}}, chosen)) {
        out.fit = chosen;
      }
    }
    const JsonValue* focus = find(item, "focus");
    if (!focus) return;
    const std::string focus_pointer = child(pointer, "focus");
    const std::string what =
        "a point of the picture [x, y], each 0 to 1 from its left and top, e.g. [0.5, 0.3]";
    if (focus->kind != Kind::array) {
      expected(*focus, focus_pointer, what);
      return;
    }
    if (focus->children.size() != 2) {
      const std::size_t n = focus->children.size();
      error(focus->offset, focus_pointer,
            "expected " + what + ", got an array of " + std::to_string(n) +
                (n == 1 ? " value" : " values"));
      return;
    }
    number(focus->children[0], child(focus_pointer, 0), 0, 1, false,
           "x, from the picture's left edge (0) to its right edge (1),", out.focus_x);
    number(focus->children[1], child(focus_pointer, 1), 0, 1, false,
           "y, from the picture's top edge (0) to its bottom edge (1),", out.focus_y);
  }

  static std::string format_number(double d) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", d);
    return buffer;
  }

  bool integer(const JsonValue& v, const std::string& pointer, std::int64_t min, std::int64_t max,
               const std::string& what, std::int64_t& out) {
    bool in_range = false;
    std::int64_t value = 0;
    if (v.kind == Kind::integer) {
      value = v.integer;
      in_range = value >= min && value <= max;
    } else if (v.kind == Kind::unsigned_integer) {
      in_range = max >= 0 && v.unsigned_integer <= std::uint64_t(max) &&
                 v.unsigned_integer >= std::uint64_t(std::max<std::int64_t>(min, 0));
      value = std::int64_t(v.unsigned_integer);
    }
    if (!in_range) {
      expected(v, pointer,
               what + " (a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ")");
      return false;
    }
    out = value;
    return true;
  }

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
  bool check_statistic(const JsonValue& object, const std::string& pointer, StatisticValue& out);
  void check_schedule(const JsonValue& v, const std::string& pointer, Schedule& schedule);
  void check_ticker(const JsonValue& v, const std::string& pointer, Ticker& ticker);
  bool check_asset(const JsonValue& v, const std::string& pointer, fs::path& out);
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

void Checker::check_theme(const JsonValue& v, const std::string& pointer, Theme& theme) {
  if (!require_object(v, pointer, "an object of colours and sizes")) return;
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

bool Checker::check_relative_path(const JsonValue& v, const std::string& pointer,
                                  const std::string& relative) {
  if (relative.empty()) {
    error(v.offset, pointer, "expected a path relative to the bundle folder, got an empty one");
    return false;
  }
  if (relative.size() > kMaxPathBytes) {
    error(v.offset, pointer,
          "expected a path of at most " + std::to_string(kMaxPathBytes) + " bytes");
    return false;
  }
  if (relative.find("://") != std::string::npos) {
    error(v.offset, pointer,
          "expected a file in the bundle (a relative path such as \"images/photo.jpg\"), not a "
          "URL");
    return false;
  }
  if (relative.find('\\') != std::string::npos) {
    error(v.offset, pointer, "expected '/' between folder names, not '\\'");
    return false;
  }
  fs::path path(relative);
  if (relative.front() == '/' || path.is_absolute() || path.has_root_name()) {
    error(v.offset, pointer,
          "expected a path relative to the bundle folder (such as \"images/photo.jpg\"), got the "
          "absolute path " +
              quote_text(relative));
    return false;
  }
  for (const fs::path& part : path) {
    if (part == "..") {
      error(v.offset, pointer,
            "expected a path inside the bundle folder, got " + quote_text(relative) +
                " which leaves it with \"..\"");
      return false;
    }
  }
  return true;
}

bool Checker::check_asset(const JsonValue& v, const std::string& pointer, fs::path& out) {
  std::string relative;
  if (!text(v, pointer, relative, true, false)) return false;
  if (!check_relative_path(v, pointer, relative)) return false;
  asset_uses_.push_back({relative, v.offset, pointer});
  fs::path path(relative);
  if (asset_files_ == AssetFiles::not_yet) {
    out = (bundle_dir_ / path).lexically_normal();
    return true;
  }
  std::error_code ec;
  fs::path full = bundle_dir_ / path;
  fs::path resolved = fs::canonical(full, ec);
  if (ec) {
    error(v.offset, pointer,
          "missing asset: no file " + quote_text(relative) + " in the bundle folder");
    return false;
  }
  if (!inside(resolved, bundle_dir_)) {
    fs::path target = fs::relative(resolved, bundle_dir_, ec);
    if (ec || target.empty()) target = resolved;
    error(v.offset, pointer,
          "asset " + quote_text(relative) +
              " is a symbolic link that leads out of the bundle (to " +
              quote_text(target.string()) + ")");
    return false;
  }
  if (!fs::is_regular_file(resolved, ec)) {
    error(v.offset, pointer, "asset " + quote_text(relative) + " is not a regular file");
    return false;
  }
  // The header as the decoder reads it, whatever the name says: a picture larger than a
  // player can decode is refused here, before it is published.
  std::string why;
  bool not_a_picture = false;
  auto header = picture::read_header(resolved, &why, &not_a_picture);
  if (not_a_picture) {
    error(v.offset, pointer, "asset " + quote_text(relative) + " is not a PNG or JPEG image");
    return false;
  }
  if (!header) {
    warning(v.offset, pointer,
            "asset " + quote_text(relative) + ": " + why + "; the player shows a placeholder");
  } else if (!picture::fits_budget(*header, &why)) {
    error(v.offset, pointer, "asset " + quote_text(relative) + " " + why);
    return false;
  }
  std::uintmax_t size = fs::file_size(resolved, ec);
  if (!ec && size > kLargeImageBytes) {
    warning(v.offset, pointer,
            "asset " + quote_text(relative) + " is " + std::to_string(size >> 20) +
                " MB; decoding it needs much memory on a 512 MB board");
  }
  out = resolved;
  return true;
}

// "assets": {"images/photo.jpg": {"size": 123, "sha256": "..."}, ...}
void Checker::check_asset_list(const JsonValue& v, Playlist& playlist) {
  if (!require_object(v, "/assets",
                      "an object naming each file with its size and sha256, such as "
                      "{\"images/photo.jpg\": {\"size\": 52144, \"sha256\": \"9f86...\"}}")) {
    return;
  }
  playlist.has_asset_list = true;
  for (const JsonValue& entry : v.children) {
    const std::string& relative = entry.key;
    std::string pointer = child("/assets", relative);
    if (!check_relative_path(entry, pointer, relative)) continue;
    if (!require_object(entry, pointer, "an object {\"size\": BYTES, \"sha256\": HEX}")) continue;
    Asset asset;
    asset.path = relative;
    asset.pointer = pointer;
    std::tie(asset.line, asset.column) = line_column(entry.offset);
    bool ok = true;
    const JsonValue* size = find(entry, "size");
    std::int64_t bytes = 0;
    if (!size) {
      error(entry.offset, child(pointer, "size"), "missing required field \"size\" (in bytes)");
      ok = false;
    } else {
      ok = integer(*size, child(pointer, "size"), 0, std::int64_t(1) << 40, "a size in bytes",
                   bytes) &&
           ok;
    }
    const JsonValue* sha = find(entry, "sha256");
    if (!sha) {
      error(entry.offset, child(pointer, "sha256"),
            "missing required field \"sha256\" (64 hex digits; signage-player manifest "
            "writes it)");
      ok = false;
    } else if (sha->kind != Kind::string || sha->string.size() != 64 ||
               sha->string.find_first_not_of("0123456789abcdef") != std::string::npos) {
      expected(*sha, child(pointer, "sha256"), "a sha256 as 64 lowercase hex digits");
      ok = false;
    }
    unknown_fields(entry, pointer, {"size", "sha256"}, "an asset");
    if (!ok) continue;
    asset.size = std::uint64_t(bytes);
    asset.sha256 = sha->string;
    playlist.assets.push_back(std::move(asset));
  }
  if (playlist.assets.size() > limits_.max_items * 2) {
    error(v.offset, "/assets",
          "expected at most " + std::to_string(limits_.max_items * 2) + " assets");
  }
}

void Checker::check_schedule(const JsonValue& v, const std::string& pointer, Schedule& schedule) {
  if (!require_object(v, pointer, "a schedule object")) return;
  has_schedules_ = true;
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
  if (const JsonValue* days = find(v, "days")) {
    std::string days_pointer = child(pointer, "days");
    if (days->kind != Kind::array) {
      expected(*days, days_pointer, "an array of days such as [\"mon\", \"tue\"]");
    } else if (days->children.empty()) {
      error(days->offset, days_pointer,
            "expected at least one day (leave \"days\" out for every day)");
    } else {
      static const char* kDays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
      std::uint8_t mask = 0;
      for (std::size_t i = 0; i < days->children.size(); ++i) {
        const JsonValue& day = days->children[i];
        int index = -1;
        for (int d = 0; d < 7 && day.kind == Kind::string; ++d) {
          if (day.string == kDays[d]) index = d;
        }
        if (index < 0) {
          expected(day, child(days_pointer, i),
                   "a day: \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"");
          continue;
        }
        if (mask & (1u << index)) {
          warning(day.offset, child(days_pointer, i), "day \"" + day.string + "\" listed twice");
        }
        mask = std::uint8_t(mask | (1u << index));
      }
      schedule.days = mask;
    }
  }
  if (const JsonValue* times = find(v, "times")) {
    std::string times_pointer = child(pointer, "times");
    if (times->kind != Kind::array) {
      expected(*times, times_pointer,
               "an array of daily windows such as [{\"from\": \"08:00\", \"until\": \"18:00\"}]");
    } else if (times->children.empty()) {
      error(times->offset, times_pointer,
            "expected at least one window (leave \"times\" out for all day)");
    } else if (times->children.size() > kMaxWindows) {
      error(times->offset, times_pointer,
            "expected at most " + std::to_string(kMaxWindows) + " daily windows");
    } else {
      for (std::size_t i = 0; i < times->children.size(); ++i) {
        const JsonValue& window = times->children[i];
        std::string window_pointer = child(times_pointer, i);
        if (!require_object(window, window_pointer,
                            "a window such as {\"from\": \"08:00\", \"until\": \"18:00\"}")) {
          continue;
        }
        TimeWindow parsed;
        bool ok = true;
        for (const char* key : {"from", "until"}) {
          const JsonValue* field = find(window, key);
          bool is_until = std::string_view(key) == "until";
          if (!field) {
            error(window.offset, child(window_pointer, key),
                  std::string("missing required field \"") + key + "\" (a time \"HH:MM\")");
            ok = false;
            continue;
          }
          std::optional<int> minute;
          if (field->kind == Kind::string) minute = parse_clock_time(field->string, is_until);
          if (!minute) {
            expected(*field, child(window_pointer, key),
                     is_until ? "a local time \"HH:MM\" from \"00:00\" to \"24:00\""
                              : "a local time \"HH:MM\" from \"00:00\" to \"23:59\"");
            ok = false;
            continue;
          }
          (is_until ? parsed.until_minute : parsed.from_minute) = *minute;
        }
        if (!ok) continue;
        if (parsed.from_minute == parsed.until_minute) {
          error(find(window, "until")->offset, child(window_pointer, "until"),
                "expected \"until\" to differ from \"from\" (an empty window never shows; leave "
                "\"times\" out for all day)");
          continue;
        }
        schedule.windows.push_back(parsed);
        unknown_fields(window, window_pointer, {"from", "until"}, "a daily window");
      }
    }
  }
  unknown_fields(v, pointer, {"valid_from", "valid_until", "days", "times"}, "a schedule");
}

bool Checker::check_statistic(const JsonValue& object, const std::string& pointer,
                              StatisticValue& out) {
  std::size_t errors_before = errors_;
  if (const JsonValue* value = find(object, "value"); value && value->is_number()) {
    // A common slip: the value written as a JSON number. It is a string so that "1.30" or
    // "690万余" keep their exact form.
    error(value->offset, child(pointer, "value"),
          "expected the value as a string, exactly as it should show (\"" + describe(*value) +
              "\"), got the number " + describe(*value));
  } else {
    required_text(object, pointer, "value", out.value, false,
                  "the number as written, such as \"690万余\"");
  }
  required_text(object, pointer, "label", out.label, false, "what the number counts");
  optional_text(object, pointer, "unit", out.unit, false);
  optional_text(object, pointer, "comparison", out.comparison, false);
  if (const JsonValue* series = find(object, "series")) {
    std::string series_pointer = child(pointer, "series");
    if (series->kind != Kind::array) {
      expected(*series, series_pointer,
               "an array of bars such as [{\"label\": \"2023\", \"value\": 600}]");
    } else if (series->children.empty() || series->children.size() > kMaxSeriesPoints) {
      error(series->offset, series_pointer,
            "expected 1 to " + std::to_string(kMaxSeriesPoints) + " bars, got " +
                std::to_string(series->children.size()));
    } else {
      for (std::size_t i = 0; i < series->children.size(); ++i) {
        const JsonValue& bar = series->children[i];
        std::string bar_pointer = child(series_pointer, i);
        if (!require_object(bar, bar_pointer, "a bar {\"label\": ..., \"value\": ...}")) continue;
        StatisticValue::Point point;
        required_text(bar, bar_pointer, "label", point.label, false, "the bar's caption");
        if (const JsonValue* value = find(bar, "value")) {
          number(*value, child(bar_pointer, "value"), -kMaxSeriesValue, kMaxSeriesValue, false,
                 "a number", point.value);
        } else {
          error(bar.offset, child(bar_pointer, "value"),
                "missing required field \"value\" (the bar's height, a number)");
        }
        unknown_fields(bar, bar_pointer, {"label", "value"}, "a bar");
        out.series.push_back(std::move(point));
      }
    }
  }
  return errors_ == errors_before;
}

bool Checker::check_item(const JsonValue& v, const std::string& pointer, Item& item) {
  if (!require_object(v, pointer, "an item object with a \"type\"")) return false;
  const JsonValue* type = find(v, "type");
  std::string type_names;
  for (const auto& kind : item_kinds()) {
    if (!type_names.empty()) type_names += ", ";
    type_names += "\"" + std::string(kind.name) + "\"";
  }
  if (!type) {
    error(v.offset, child(pointer, "type"),
          "missing required field \"type\" (one of " + type_names + ")");
    return false;
  }
  const ItemKindInfo* info = nullptr;
  for (const auto& kind : item_kinds()) {
    if (type->kind == Kind::string && type->string == kind.name) info = &kind;
  }
  if (!info) {
    expected(*type, child(pointer, "type"), "one of " + type_names);
    return false;
  }
  item.type = info->type;
  std::size_t errors_before = errors_;

  if (const JsonValue* id = find(v, "id")) {
    if (id->kind != Kind::string || !is_safe_id(id->string)) {
      expected(*id, child(pointer, "id"),
               "an id of 1 to 64 letters, digits, '-', '_' or '.' (such as \"stat-visitors\")");
    } else {
      item.id = id->string;
    }
  }
  if (const JsonValue* duration = find(v, "duration")) {
    if (number(*duration, child(pointer, "duration"), 0, kMaxDurationS, true,
               "a duration in seconds", item.duration_s) &&
        item.duration_s < 1) {
      warning(duration->offset, child(pointer, "duration"),
              "a card shown for less than a second cannot be read");
    }
  }
  if (const JsonValue* transition = find(v, "transition")) {
    choice<Transition>(
        *transition, child(pointer, "transition"),
        {{"fade", Transition::fade}, {"slide", Transition::slide}, {"cut", Transition::cut}},
        item.transition);
  }
  if (const JsonValue* schedule = find(v, "schedule")) {
    check_schedule(*schedule, child(pointer, "schedule"), item.schedule);
  }

  switch (item.type) {
    case ItemType::headline:
      required_text(v, pointer, "title", item.title, true, "a headline needs a title");
      optional_text(v, pointer, "subtitle", item.subtitle, true);
      optional_text(v, pointer, "body", item.body, true);
      if (const JsonValue* image = find(v, "image")) {
        check_asset(*image, child(pointer, "image"), item.image);
      }
      check_fit_and_focus(v, pointer, item);
      break;
    case ItemType::statistic: {
      StatisticValue statistic;
      check_statistic(v, pointer, statistic);
      item.statistics.push_back(std::move(statistic));
      break;
    }
    case ItemType::statistic_group: {
      optional_text(v, pointer, "title", item.title, true);
      const JsonValue* statistics = find(v, "statistics");
      std::string statistics_pointer = child(pointer, "statistics");
      if (!statistics) {
        error(v.offset, statistics_pointer,
              "missing required field \"statistics\" (2 to 6 statistics)");
      } else if (statistics->kind != Kind::array) {
        expected(*statistics, statistics_pointer, "an array of 2 to 6 statistics");
      } else if (statistics->children.size() < 2 || statistics->children.size() > 6) {
        error(statistics->offset, statistics_pointer,
              "expected 2 to 6 statistics, got " + std::to_string(statistics->children.size()));
      } else {
        for (std::size_t i = 0; i < statistics->children.size(); ++i) {
          const JsonValue& s = statistics->children[i];
          std::string s_pointer = child(statistics_pointer, i);
          if (!require_object(s, s_pointer,
                              "a statistic {\"value\": ..., \"unit\": ..., \"label\": ...}")) {
            continue;
          }
          StatisticValue statistic;
          check_statistic(s, s_pointer, statistic);
          unknown_fields(s, s_pointer, {"value", "unit", "label", "comparison", "series"},
                         "a statistic");
          item.statistics.push_back(std::move(statistic));
        }
      }
      break;
    }
    case ItemType::notice:
      optional_text(v, pointer, "title", item.title, true);
      required_text(v, pointer, "body", item.body, true, "a notice needs a body");
      break;
    case ItemType::image: {
      const JsonValue* image = find(v, "image");
      if (!image) {
        error(v.offset, child(pointer, "image"),
              "missing required field \"image\" (a PNG or JPEG file in the bundle)");
      } else {
        check_asset(*image, child(pointer, "image"), item.image);
      }
      check_fit_and_focus(v, pointer, item);
      optional_text(v, pointer, "caption", item.title, false);
      break;
    }
    case ItemType::alert:
      required_text(v, pointer, "title", item.title, true, "an alert needs a title");
      optional_text(v, pointer, "body", item.body, true);
      if (!find(v, "schedule")) {
        warning(v.offset, pointer,
                "an alert without a schedule pre-empts the loop all the time; give it "
                "\"schedule\": {\"valid_from\": ..., \"valid_until\": ...}");
      }
      break;
  }

  std::vector<const char*> known = kCommonItemFields;
  known.insert(known.end(), info->fields.begin(), info->fields.end());
  std::vector<const char*> elsewhere;
  for (const auto& kind : item_kinds()) {
    for (const char* field : kind.fields) {
      if (std::find_if(known.begin(), known.end(), [&](const char* k) {
            return std::string_view(k) == field;
          }) == known.end()) {
        elsewhere.push_back(field);
      }
    }
  }
  unknown_fields(v, pointer, known, std::string(info->name) + " items", elsewhere);
  return errors_ == errors_before;
}

void Checker::check_items(const JsonValue& v, const std::string& pointer, Playlist& playlist,
                          double default_duration, Transition default_transition) {
  if (v.kind != Kind::array) {
    expected(v, pointer, "an array of items");
    return;
  }
  if (v.children.size() > limits_.max_items) {
    error(v.offset, pointer,
          "expected at most " + std::to_string(limits_.max_items) + " items, got " +
              std::to_string(v.children.size()));
    return;
  }
  std::unordered_map<std::string, std::size_t> id_offsets;
  for (std::size_t i = 0; i < v.children.size(); ++i) {
    const JsonValue& element = v.children[i];
    Item item;
    item.duration_s = default_duration;
    item.transition = default_transition;
    std::string item_pointer = child(pointer, i);
    check_item(element, item_pointer, item);
    if (!item.id.empty()) {
      auto [it, inserted] = id_offsets.emplace(item.id, element.offset);
      if (!inserted) {
        const JsonValue* id = find(element, "id");
        error(id ? id->offset : element.offset, child(item_pointer, "id"),
              "duplicate item id " + quote_text(item.id) + " (first at " + where(it->second) + ")");
      }
    }
    playlist.items.push_back(std::move(item));
  }
  // Generated ids: "item-N" after the item's index, made unique against the written ones.
  for (std::size_t i = 0; i < playlist.items.size(); ++i) {
    Item& item = playlist.items[i];
    if (!item.id.empty()) continue;
    std::string id = "item-" + std::to_string(i);
    while (id_offsets.count(id)) id += "_";
    id_offsets.emplace(id, 0);
    item.id = id;
  }
  if (v.children.empty()) {
    warning(v.offset, pointer, "no items: the screen shows only the fallback (title and clock)");
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
  unknown_fields(v, pointer, {"items", "separator", "speed", "position"}, "the ticker");
}

ParseResult Checker::run() {
  ParseResult result;
  auto finish = [&](std::shared_ptr<const Playlist> playlist) {
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [offset, d] : diagnostics_) {
      if (result.diagnostics.size() == limits_.max_diagnostics) {
        Diagnostic more;
        more.file = file_;
        more.message = std::to_string(diagnostics_.size() - limits_.max_diagnostics) +
                       " more problems not shown";
        more.severity = errors_ ? Severity::error : Severity::warning;
        result.diagnostics.push_back(std::move(more));
        break;
      }
      result.diagnostics.push_back(std::move(d));
    }
    result.playlist = errors_ == 0 ? std::move(playlist) : nullptr;
    return result;
  };

  if (json_.size() > limits_.max_file_bytes) {
    Diagnostic d;
    d.file = file_;
    d.message = "file of " + std::to_string(json_.size()) + " bytes is larger than the limit of " +
                std::to_string(limits_.max_file_bytes);
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  if (auto problem = detail::find_utf8_problem(json_)) {
    error(problem->offset, "", not_utf8_message(json_, file_, *problem));
    return finish(nullptr);
  }

  detail::JsonValue root;
  std::vector<detail::JsonProblem> problems;
  detail::JsonLimits json_limits;
  json_limits.max_depth = limits_.max_depth;
  json_limits.max_values = limits_.max_values;
  bool parsed = detail::parse_json_tree(json_, json_limits, root, problems);
  for (const auto& p : problems) {
    std::string message = p.message;
    if (p.first_offset != std::size_t(-1)) message += " (first at " + where(p.first_offset) + ")";
    error(p.offset, p.pointer, message);
  }
  if (!parsed) return finish(nullptr);

  auto playlist = std::make_shared<Playlist>();
  playlist->bundle_dir = bundle_dir_;
  if (root.kind != Kind::object) {
    expected(root, "", "a playlist object {\"version\": 1, \"items\": [...]} at the top level");
    return finish(nullptr);
  }

  const JsonValue* version = find(root, "version");
  if (!version) {
    error(root.offset, "/version", "missing required field \"version\" (the number 1)");
  } else if (version->kind == Kind::unsigned_integer && version->unsigned_integer > 1) {
    error(version->offset, "/version",
          "unsupported format version " + describe(*version) +
              "; this player reads version 1 (update the player)");
  } else if (version->kind != Kind::unsigned_integer || version->unsigned_integer != 1) {
    expected(*version, "/version", "the format version 1");
  }
  if (const JsonValue* id = find(root, "id")) {
    if (id->kind != Kind::string || !is_safe_id(id->string)) {
      expected(*id, "/id",
               "an id of 1 to 64 letters, digits, '-', '_' or '.' (such as \"hexi-2024\")");
    } else {
      playlist->id = id->string;
    }
  }
  if (const JsonValue* revision = find(root, "revision")) {
    integer(*revision, "/revision", 0, std::int64_t(1) << 53, "a revision number",
            playlist->revision);
  }
  if (const JsonValue* expires = find(root, "expires")) {
    if (expires->kind == Kind::string) playlist->expires = parse_instant(expires->string);
    if (!playlist->expires) {
      expected(*expires, "/expires",
               "a date and time with a UTC offset, such as \"2025-01-20T08:00:00+08:00\"");
    }
  }
  optional_text(root, "", "title", playlist->title, false);
  if (const JsonValue* lang = find(root, "lang")) {
    if (lang->kind != Kind::string || !is_language_tag(lang->string)) {
      expected(*lang, "/lang", "a BCP 47 language tag such as \"zh-Hans\" or \"en\"");
    } else {
      playlist->lang = lang->string;
    }
  }
  const JsonValue* timezone = find(root, "timezone");
  if (timezone) {
    if (timezone->kind != Kind::string || !is_known_timezone(timezone->string)) {
      expected(*timezone, "/timezone", "an IANA time zone name such as \"Asia/Shanghai\"");
    } else {
      playlist->timezone = timezone->string;
    }
  }
  if (const JsonValue* clock = find(root, "clock")) {
    if (clock->kind != Kind::boolean) {
      expected(*clock, "/clock", "true or false");
    } else {
      playlist->show_clock = clock->boolean;
    }
  }
  if (const JsonValue* theme = find(root, "theme")) check_theme(*theme, "/theme", playlist->theme);
  double default_duration = 8;
  Transition default_transition = Transition::fade;
  if (const JsonValue* defaults = find(root, "defaults")) {
    check_defaults(*defaults, "/defaults", default_duration, default_transition);
  }
  const JsonValue* items = find(root, "items");
  if (!items) {
    error(root.offset, "/items", "missing required field \"items\" (an array of cards)");
  } else {
    check_items(*items, "/items", *playlist, default_duration, default_transition);
  }
  if (const JsonValue* ticker = find(root, "ticker")) {
    Ticker parsed;
    check_ticker(*ticker, "/ticker", parsed);
    playlist->ticker = std::move(parsed);
  }
  for (const AssetUse& use : asset_uses_) {
    auto& paths = playlist->asset_paths;
    if (std::find(paths.begin(), paths.end(), use.relative) == paths.end()) {
      paths.push_back(use.relative);
    }
  }
  if (const JsonValue* assets = find(root, "assets")) check_asset_list(*assets, *playlist);
  if (playlist->has_asset_list) {
    for (const AssetUse& use : asset_uses_) {
      bool listed = false;
      for (const Asset& asset : playlist->assets) listed = listed || asset.path == use.relative;
      if (!listed) {
        error(use.offset, use.pointer,
              "asset " + quote_text(use.relative) +
                  " is not in the \"assets\" list (with its size and sha256); signage-player "
                  "manifest adds it");
      }
    }
  }
  if (!timezone && has_schedules_) {
    warning(root.offset, "/timezone",
            "no \"timezone\": schedules follow the player's system time zone; name one such as "
            "\"Asia/Shanghai\"");
  }
  unknown_fields(root, "",
                 {"version", "id", "revision", "expires", "title", "lang", "timezone", "clock",
                  "theme", "defaults", "items", "ticker", "assets"},
                 "the playlist");
  return finish(std::move(playlist));
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = printable(d.file, 4096);
  if (d.line > 0) out += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  out += d.severity == Severity::error ? ": error: " : ": warning: ";
  if (!d.pointer.empty()) out += printable(d.pointer, 200) + ": ";
  out += printable(d.message, 1000);
  return out;
}

ParseResult parse_playlist(std::string_view json, const std::string& file,
                           const std::filesystem::path& bundle_dir, const Limits& limits,
                           AssetFiles asset_files) {
  try {
    Checker checker(json, file, bundle_dir, limits, asset_files);
    return checker.run();
  } catch (const std::exception& e) {
    // Only allocation failure can get here.
    ParseResult result;
    result.diagnostics.push_back({Severity::error, file, 0, 0, "", e.what()});
    return result;
  }
}

std::string missing_asset_list(const Playlist& playlist) {
  if (playlist.has_asset_list || playlist.asset_paths.empty()) return "";
  std::size_t n = playlist.asset_paths.size();
  return "the playlist names " + std::to_string(n) + (n == 1 ? " file" : " files") +
         " but has no \"assets\" list with their sizes and sha256, so a player refuses it from "
         "a web server or USB stick; run signage-player manifest BUNDLE to write the list";
}

std::optional<std::string> with_asset_list(std::string_view json,
                                           const std::vector<Asset>& assets) {
  detail::JsonValue root;
  std::vector<detail::JsonProblem> problems;
  if (!detail::parse_json_tree(json, detail::JsonLimits{}, root, problems) ||
      root.kind != Kind::object) {
    return std::nullopt;
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::object();
  for (const Asset& asset : assets) {
    list[asset.path] = {{"size", asset.size}, {"sha256", asset.sha256}};
  }
  // One asset per line, in the two-space style of the examples.
  std::string value = "{";
  for (auto it = list.begin(); it != list.end(); ++it) {
    value += std::string(it == list.begin() ? "" : ",") + "\n    " +
             nlohmann::ordered_json(it.key()).dump(-1, ' ', false) + ": " + it.value().dump();
  }
  value += assets.empty() ? "}" : "\n  }";
  std::size_t close = json.find_last_of('}');
  for (std::size_t i = 0; i < root.children.size(); ++i) {
    const detail::JsonValue& member = root.children[i];
    if (member.key != "assets") continue;
    // The old value runs up to the next member's key (less the comma) or the closing brace.
    std::size_t end = i + 1 < root.children.size() ? root.children[i + 1].key_offset : close;
    end = json.find_last_not_of(" \t\r\n", end - 1) + 1;
    if (i + 1 < root.children.size() && end > 0 && json[end - 1] == ',') {
      end = json.find_last_not_of(" \t\r\n", end - 2) + 1;
    }
    return std::string(json.substr(0, member.offset)) + value + std::string(json.substr(end));
  }
  std::size_t last = json.find_last_not_of(" \t\r\n", close - 1);
  bool empty = json[last] == '{';
  return std::string(json.substr(0, last + 1)) + (empty ? "" : ",") + "\n  \"assets\": " + value +
         "\n" + std::string(json.substr(close));
}

ParseResult load_playlist(const std::filesystem::path& path, const Limits& limits) {
  ParseResult result;
  auto fail = [&](const std::string& file, const std::string& message) {
    result.diagnostics.push_back({Severity::error, file, 0, 0, "", message});
    return result;
  };
  try {
    std::error_code ec;
    fs::path file = path;
    fs::path bundle_dir = path.parent_path();
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      return fail(path.string(), "no such file or folder");
    }
    if (fs::is_directory(status)) {
      bundle_dir = path;
      file = path / "playlist.json";
      status = fs::status(file, ec);
      if (ec || !fs::exists(status)) {
        return fail(file.string(), "the bundle folder has no playlist.json");
      }
    }
    if (!fs::is_regular_file(status)) {
      return fail(file.string(), "not a regular file");
    }
    std::uintmax_t size = fs::file_size(file, ec);
    if (!ec && size > limits.max_file_bytes) {
      return fail(file.string(), "file of " + std::to_string(size) +
                                     " bytes is larger than the limit of " +
                                     std::to_string(limits.max_file_bytes));
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(file.string(), "cannot open the file for reading");
    std::string bytes;
    bytes.resize(limits.max_file_bytes + 1);
    in.read(bytes.data(), std::streamsize(bytes.size()));
    bytes.resize(std::size_t(in.gcount()));
    if (in.bad()) return fail(file.string(), "read error");
    return parse_playlist(bytes, file.string(), bundle_dir, limits);
  } catch (const std::exception& e) {
    return fail(path.string(), e.what());
  }
}

}  // namespace signage::content
