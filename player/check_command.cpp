// signage-player check: parse and check a playlist (a playlist.json or a bundle folder) and say
// what is wrong, one line per problem, "FILE:LINE:COL: error: POINTER: MESSAGE".
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>

#include "commands.h"
#include "content/content.h"
#include "scene/scene.h"
#include "sync/crypto.h"
#include "files/files.h"
#include "text/text.h"

namespace signage {
namespace {

constexpr const char* kCheckUsage = R"(usage: signage-player check PATH [--clock ISO8601]

Checks a playlist: PATH is a playlist.json or a bundle folder holding one (with the images it
names). Prints one line per problem on stderr, as FILE:LINE:COL: error|warning: POINTER: MESSAGE,
and a summary on stdout when the playlist is valid. Every card is laid out on a landscape
(1920x1080) and a portrait (1080x1920) screen: a text that does not fit even at the minimum size
is a warning that says how many of its characters show. Then the loop as the player plays it when
started now, or at --clock (e.g. 2025-03-03T09:30:00+08:00; schedules and alerts count), with
its length and when each item starts (a time to give `render --at`, or use `render --item`).
A playlist whose "expires" has passed at that time is a warning.

exit status: 0 valid (warnings may be printed), 1 invalid or unreadable, 2 bad usage
)";

struct Screen {
  const char* name;
  scene::Size size;
};
constexpr Screen kScreens[] = {{"landscape", {1920, 1080}}, {"portrait", {1080, 1920}}};

// One warning per text field that is cut with "……" at the minimum size on either screen, at the
// field's place in `file`, whose text is `json`.
std::vector<content::Diagnostic> text_fit_warnings(const content::Playlist& playlist,
                                                   const std::string& file,
                                                   const std::string& json) {
  std::string error;
  auto engine = text::TextEngine::create(text::default_fonts_dir(), &error);
  if (!engine) {
    return {{content::Severity::warning, file, 0, 0, "", "cannot check that texts fit: " + error}};
  }
  text::GlyphCache glyphs(engine->fonts(), {});
  scene::Preparer preparer{*engine, glyphs, {}};
  struct Cut {
    std::string pointer;
    std::size_t characters = 0;
    std::string shown;  // "38 ... in landscape (1920x1080)", one per screen
  };
  std::vector<Cut> cuts;
  for (const Screen& screen : kScreens) {
    std::vector<scene::TextOverflow> overflows;
    if (playlist.items.empty() && !playlist.title.empty())
      overflows = scene::text_overflows(preparer, playlist, std::nullopt, screen.size);
    for (std::size_t i = 0; i < playlist.items.size(); ++i) {
      auto more = scene::text_overflows(preparer, playlist, i, screen.size);
      overflows.insert(overflows.end(), more.begin(), more.end());
    }
    for (const auto& o : overflows) {
      auto cut = std::find_if(cuts.begin(), cuts.end(),
                              [&](const Cut& c) { return c.pointer == o.pointer; });
      if (cut == cuts.end()) cut = cuts.insert(cuts.end(), Cut{o.pointer, o.characters, ""});
      std::string where = std::string(screen.name) + " (" + std::to_string(screen.size.width) +
                          "x" + std::to_string(screen.size.height) + ")";
      cut->shown += cut->shown.empty()
                        ? std::to_string(o.shown_characters) + " of " +
                              std::to_string(o.characters) + " characters at the minimum size in " +
                              where
                        : " and " + std::to_string(o.shown_characters) + " in " + where;
    }
  }
  std::vector<content::Diagnostic> warnings;
  for (const Cut& cut : cuts) {
    auto at = content::locate_pointer(json, cut.pointer).value_or(content::TextPosition{});
    warnings.push_back({content::Severity::warning, file, at.line, at.column, cut.pointer,
                        "too long to fit: shows " + cut.shown +
                            ", then \"……\" (shorten it; see \"Text that does not fit\" in "
                            "playlists/README.md)"});
  }
  return warnings;
}

// Content past its "expires" at the time of the check still plays, but a player says it is out
// of date (as sync's `stale`: expires <= now), so an author republishing old content hears of it.
std::optional<content::Diagnostic> expired_warning(const content::Playlist& playlist,
                                                   const std::string& file, const std::string& json,
                                                   std::int64_t clock, bool clock_given) {
  if (!playlist.expires || *playlist.expires > clock) return std::nullopt;
  auto at = content::locate_pointer(json, "/expires").value_or(content::TextPosition{});
  return content::Diagnostic{
      content::Severity::warning,
      file,
      at.line,
      at.column,
      "/expires",
      "the content expired at " + content::format_instant(*playlist.expires, playlist.timezone) +
          ", before the time of this check (" +
          (clock_given ? content::format_instant(clock, playlist.timezone) + ", --clock"
                       : std::string("now; --clock sets another time")) +
          "): a player keeps playing it but shows that it is out of date, on screen and in "
          "status.json; publish it again with a later \"expires\" and a higher \"revision\""};
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "signage-player check: %s\n\n%s", message.c_str(), kCheckUsage);
  return 2;
}

// The file diagnostics name: PATH, or PATH/playlist.json for a bundle folder.
std::string playlist_json(const std::string& path) {
  return std::filesystem::is_directory(path)
             ? (std::filesystem::path(path) / "playlist.json").string()
             : path;
}

// "1:05", "12:00:08", "0:07.5": a time into the loop.
std::string loop_time(scene::Nanos t) {
  const std::int64_t ms = t / 1'000'000, s = ms / 1000;
  char out[48];
  int n = s >= 3600 ? std::snprintf(out, sizeof out, "%lld:%02lld:%02lld", (long long)(s / 3600),
                                    (long long)(s / 60 % 60), (long long)(s % 60))
                    : std::snprintf(out, sizeof out, "%lld:%02lld", (long long)(s / 60),
                                    (long long)(s % 60));
  if (ms % 1000 != 0) {
    std::snprintf(out + n, sizeof out - std::size_t(n), ".%03lld", (long long)(ms % 1000));
    while (out[std::strlen(out) - 1] == '0') out[std::strlen(out) - 1] = 0;
  }
  return out;
}

const char* type_name(content::ItemType type) {
  switch (type) {
    case content::ItemType::headline: return "headline";
    case content::ItemType::statistic: return "statistic";
    case content::ItemType::statistic_group: return "statistic_group";
    case content::ItemType::notice: return "notice";
    case content::ItemType::image: return "image";
    case content::ItemType::alert: return "alert";
  }
  return "item";
}

// The loop as the player plays it when started at `clock`, from the real Sequencer.
void print_loop(const std::shared_ptr<const content::Playlist>& playlist, std::int64_t clock,
                bool clock_given) {
  const std::size_t n = playlist->items.size();
  const scene::LoopRound round = scene::first_round(playlist, clock, 2 * n + 2);
  std::printf(
      "loop when started at %s (%s):", content::format_instant(clock, playlist->timezone).c_str(),
      clock_given ? "--clock" : "now; --clock sets another time");
  if (round.length) {
    std::printf(" lasts %s (m:ss), %zu %s\n", loop_time(*round.length).c_str(), round.slots.size(),
                round.slots.size() == 1 ? "card" : "cards");
  } else {
    std::printf(" no repeat within %zu slots (schedules change on the way)\n", round.slots.size());
  }
  std::vector<bool> shown(n, false);
  for (const scene::Slot& slot : round.slots) {
    if (!slot.item) {
      std::printf("  %8s  nothing is eligible: the fallback screen (title and clock)\n",
                  loop_time(slot.start).c_str());
      continue;
    }
    const content::Item& item = playlist->items[*slot.item];
    shown[*slot.item] = true;
    std::printf("  %8s  #%zu %s (%s, %s)%s\n", loop_time(slot.start).c_str(), *slot.item + 1,
                item.id.c_str(), type_name(item.type), loop_time(slot.end - slot.start).c_str(),
                slot.alert ? ": an alert, shown instead of the loop while valid" : "");
  }
  const bool alerts = std::any_of(round.slots.begin(), round.slots.end(),
                                  [](const scene::Slot& slot) { return slot.alert; });
  for (std::size_t i = 0; i < n; ++i) {
    if (shown[i]) continue;
    const content::Item& item = playlist->items[i];
    const char* why = !content::is_eligible(item, clock, playlist->timezone)
                          ? "outside its schedule then"
                      : alerts ? "an alert shows instead"
                               : "its schedule ends before its turn";
    std::printf("  not in this loop: #%zu %s (%s; %s)\n", i + 1, item.id.c_str(),
                type_name(item.type), why);
  }
}

}  // namespace

int check_command(const std::vector<std::string_view>& args) {
  std::string path;
  std::optional<std::int64_t> clock;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kCheckUsage, stdout);
      return 0;
    }
    if (arg == "--clock") {
      if (i + 1 >= args.size() || !(clock = content::parse_instant(args[++i]))) {
        return usage_error("--clock needs a time with its offset, e.g. 2025-03-03T09:30:00+08:00");
      }
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-')
      return usage_error("unknown option '" + std::string(arg) + "'");
    if (!path.empty()) return usage_error("give one PATH");
    path = std::string(arg);
  }
  if (path.empty()) return usage_error("missing PATH (a playlist.json or a bundle folder)");

  content::ParseResult result = content::load_playlist(path);
  if (result.playlist) {
    // The files must be the ones the "assets" list describes, or a player fetching the bundle
    // will refuse it.
    for (const content::Asset& asset : result.playlist->assets) {
      std::string why;
      auto digest = sync::digest_file(result.playlist->bundle_dir / asset.path, &why);
      std::string problem;
      if (!digest) {
        problem = "asset " + asset.path + " is listed but cannot be read (" + why + ")";
      } else if (digest->size != asset.size) {
        problem = "asset " + asset.path + " has " + std::to_string(digest->size) +
                  " bytes, the list says " + std::to_string(asset.size) +
                  " (signage-player manifest updates the list)";
      } else if (digest->sha256 != asset.sha256) {
        problem = "asset " + asset.path + " has sha256 " + digest->sha256 + ", the list says " +
                  asset.sha256 + " (signage-player manifest updates the list)";
      }
      if (problem.empty()) continue;
      result.diagnostics.push_back({content::Severity::error, playlist_json(path), asset.line,
                                    asset.column, asset.pointer, problem});
    }
    if (std::string missing = content::missing_asset_list(*result.playlist); !missing.empty()) {
      result.diagnostics.push_back(
          {content::Severity::warning, playlist_json(path), 0, 0, "/assets", missing});
    }
    for (const auto& d : result.diagnostics) {
      if (d.severity == content::Severity::error) result.playlist.reset();
    }
  }
  const std::int64_t now = clock.value_or(std::int64_t(std::time(nullptr)));
  if (result.playlist) {
    // The file as parsed, again for the places of these warnings (JSON pointer -> line:column).
    const std::string file = playlist_json(path);
    const std::string json = files::read_file(file, content::Limits{}.max_file_bytes).value_or("");
    if (auto expired = expired_warning(*result.playlist, file, json, now, clock.has_value())) {
      result.diagnostics.push_back(std::move(*expired));
    }
    auto warnings = text_fit_warnings(*result.playlist, file, json);
    result.diagnostics.insert(result.diagnostics.end(), warnings.begin(), warnings.end());
  }
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const content::Diagnostic& d : result.diagnostics) {
    std::fprintf(stderr, "%s\n", content::format_diagnostic(d).c_str());
    (d.severity == content::Severity::error ? errors : warnings)++;
  }
  if (!result.playlist) {
    if (errors == 0) std::fprintf(stderr, "%s: error: invalid playlist\n", path.c_str());
    return 1;
  }
  const content::Playlist& playlist = *result.playlist;
  std::size_t statistics = 0;
  for (const content::Item& item : playlist.items) statistics += item.statistics.size();
  std::printf("%s: valid: %zu items (%zu statistics), %zu ticker headlines, %zu warnings\n",
              path.c_str(), playlist.items.size(), statistics,
              playlist.ticker ? playlist.ticker->items.size() : std::size_t(0), warnings);
  print_loop(result.playlist, now, clock.has_value());
  return 0;
}

}  // namespace signage
