// Parsing and checking playlist.json (format version 1, see playlists/README.md). Every problem
// becomes a Diagnostic at the line and column of the offending key or value; checking goes on
// after a problem so that an author sees them all at once.
// The Checker (checker.h) does the work; this file has the top level of the playlist and the
// entry points.
#include <algorithm>
#include <system_error>

#include "content/checker.h"
#include "content/content.h"
#include "content/diagnostics.h"
#include "content/encoding.h"
#include "content/json_tree.h"
#include "files/files.h"

namespace signage::content {

namespace fs = std::filesystem;

namespace detail {
namespace {

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

}  // namespace

// The diagnostics in file order, at most limits_.max_diagnostics of them and a line saying how
// many more; the playlist only when there is no error.
ParseResult Checker::finish(std::shared_ptr<const Playlist> playlist) {
  ParseResult result;
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
}

// The bytes as UTF-8 text and then as a JSON tree; false when there is no tree to check.
bool Checker::parse_tree(JsonValue& root) {
  if (auto problem = detail::find_utf8_problem(json_)) {
    error(problem->offset, "", not_utf8_message(json_, file_, *problem));
    return false;
  }
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
  return parsed;
}

// "version", "id", "revision" and "expires": what the content is and how it is published.
void Checker::check_identity(const JsonValue& root, Playlist& playlist) {
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
      playlist.id = id->string;
    }
  }
  if (const JsonValue* revision = find(root, "revision")) {
    integer(*revision, "/revision", 0, std::int64_t(1) << 53, "a revision number",
            playlist.revision);
  }
  if (const JsonValue* expires = find(root, "expires")) {
    if (expires->kind == Kind::string) playlist.expires = parse_instant(expires->string);
    if (!playlist.expires) {
      expected(*expires, "/expires",
               "a date and time with a UTC offset, such as \"2025-01-20T08:00:00+08:00\"");
    }
  }
}

// "title", "lang", "timezone" and "clock": the fallback screen and how times are read.
void Checker::check_settings(const JsonValue& root, Playlist& playlist) {
  optional_text(root, "", "title", playlist.title, false);
  if (const JsonValue* lang = find(root, "lang")) {
    if (lang->kind != Kind::string || !is_language_tag(lang->string)) {
      expected(*lang, "/lang", "a BCP 47 language tag such as \"zh-Hans\" or \"en\"");
    } else {
      playlist.lang = lang->string;
    }
  }
  if (const JsonValue* timezone = find(root, "timezone")) {
    if (timezone->kind != Kind::string || !is_known_timezone(timezone->string)) {
      expected(*timezone, "/timezone", "an IANA time zone name such as \"Asia/Shanghai\"");
    } else {
      playlist.timezone = timezone->string;
    }
  }
  if (const JsonValue* clock = find(root, "clock")) {
    if (clock->kind != Kind::boolean) {
      expected(*clock, "/clock", "true or false");
    } else {
      playlist.show_clock = clock->boolean;
    }
  }
}

// "theme", "defaults", "items", "ticker" and "display_hours": what shows, and when.
void Checker::check_cards(const JsonValue& root, Playlist& playlist) {
  if (const JsonValue* theme = find(root, "theme")) check_theme(*theme, "/theme", playlist.theme);
  double default_duration = 8;
  Transition default_transition = Transition::fade;
  if (const JsonValue* defaults = find(root, "defaults")) {
    check_defaults(*defaults, "/defaults", default_duration, default_transition);
  }
  const JsonValue* items = find(root, "items");
  if (!items) {
    error(root.offset, "/items", "missing required field \"items\" (an array of cards)");
  } else {
    check_items(*items, "/items", playlist, default_duration, default_transition);
  }
  if (const JsonValue* ticker = find(root, "ticker")) {
    Ticker parsed;
    check_ticker(*ticker, "/ticker", parsed);
    playlist.ticker = std::move(parsed);
  }
  if (const JsonValue* hours = find(root, "display_hours")) {
    check_display_hours(*hours, "/display_hours", playlist.display_hours);
  }
}

// The files the items name, each once, and the "assets" list: every one of them must be in it.
void Checker::check_files(const JsonValue& root, Playlist& playlist) {
  for (const AssetUse& use : asset_uses_) {
    auto& paths = playlist.asset_paths;
    if (std::find(paths.begin(), paths.end(), use.relative) == paths.end()) {
      paths.push_back(use.relative);
    }
  }
  if (const JsonValue* assets = find(root, "assets")) check_asset_list(*assets, playlist);
  if (!playlist.has_asset_list) return;
  for (const AssetUse& use : asset_uses_) {
    bool listed = false;
    for (const Asset& asset : playlist.assets) listed = listed || asset.path == use.relative;
    if (!listed) {
      error(use.offset, use.pointer,
            "asset " + quote_text(use.relative) +
                " is not in the \"assets\" list (with its size and sha256); signage-player "
                "manifest adds it");
    }
  }
}

ParseResult Checker::run() {
  if (json_.size() > limits_.max_file_bytes) {
    ParseResult result;
    Diagnostic d;
    d.file = file_;
    d.message = "file of " + std::to_string(json_.size()) + " bytes is larger than the limit of " +
                std::to_string(limits_.max_file_bytes);
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  JsonValue root;
  if (!parse_tree(root)) return finish(nullptr);
  if (root.kind != Kind::object) {
    expected(root, "", "a playlist object {\"version\": 1, \"items\": [...]} at the top level");
    return finish(nullptr);
  }
  auto playlist = std::make_shared<Playlist>();
  playlist->bundle_dir = bundle_dir_;
  check_identity(root, *playlist);
  check_settings(root, *playlist);
  check_cards(root, *playlist);
  check_files(root, *playlist);
  if (!find(root, "timezone") && has_schedules_) {
    warning(root.offset, "/timezone",
            "no \"timezone\": schedules follow the player's system time zone; name one such as "
            "\"Asia/Shanghai\"");
  }
  unknown_fields(root, "",
                 {"version", "id", "revision", "expires", "title", "lang", "timezone", "clock",
                  "theme", "defaults", "items", "ticker", "assets", "display_hours"},
                 "the playlist");
  return finish(std::move(playlist));
}

}  // namespace detail

ParseResult parse_playlist(std::string_view json, const std::string& file,
                           const std::filesystem::path& bundle_dir, const Limits& limits,
                           AssetFiles asset_files) {
  try {
    detail::Checker checker(json, file, bundle_dir, limits, asset_files);
    return checker.run();
  } catch (const std::exception& e) {
    // Only allocation failure can get here.
    ParseResult result;
    result.diagnostics.push_back({Severity::error, file, 0, 0, "", e.what()});
    return result;
  }
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
    std::string why;
    auto bytes = files::read_file(file, limits.max_file_bytes, &why);
    if (!bytes) return fail(file.string(), why);
    return parse_playlist(*bytes, file.string(), bundle_dir, limits);
  } catch (const std::exception& e) {
    return fail(path.string(), e.what());
  }
}

}  // namespace signage::content
