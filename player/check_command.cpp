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
#include "files/files.h"
#include "run/check.h"
#include "scene/scene.h"
#include "sync/crypto.h"
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

// The loop as the player plays it when started at `clock`, from the real Sequencer.
void print_loop(const std::shared_ptr<const content::Playlist>& playlist, std::int64_t clock,
                bool clock_given) {
  const run::LoopReport loop = run::describe_loop(playlist, clock);
  std::printf(
      "loop when started at %s (%s):", content::format_instant(clock, playlist->timezone).c_str(),
      clock_given ? "--clock" : "now; --clock sets another time");
  if (loop.length) {
    std::printf(" lasts %s (m:ss), %zu %s\n", loop_time(*loop.length).c_str(), loop.slots.size(),
                loop.slots.size() == 1 ? "card" : "cards");
  } else {
    std::printf(" no repeat within %zu slots (schedules change on the way)\n", loop.slots.size());
  }
  for (const run::LoopSlot& slot : loop.slots) {
    if (!slot.item) {
      std::printf("  %8s  nothing is eligible: the fallback screen (title and clock)\n",
                  loop_time(slot.start).c_str());
      continue;
    }
    const content::Item& item = playlist->items[*slot.item];
    std::printf("  %8s  #%zu %s (%s, %s)%s\n", loop_time(slot.start).c_str(), *slot.item + 1,
                item.id.c_str(), run::type_name(item.type), loop_time(slot.duration).c_str(),
                slot.alert ? ": an alert, shown instead of the loop while valid" : "");
  }
  for (const run::LoopAbsent& absent : loop.absent) {
    const content::Item& item = playlist->items[absent.item];
    const char* why =
        absent.reason == run::AbsentReason::outside_schedule ? "outside its schedule then"
        : absent.reason == run::AbsentReason::alert_instead  ? "an alert shows instead"
                                                             : "its schedule ends before its turn";
    std::printf("  not in this loop: #%zu %s (%s; %s)\n", absent.item + 1, item.id.c_str(),
                run::type_name(item.type), why);
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
    auto warnings = run::text_fit_warnings(*result.playlist, file, json);
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
