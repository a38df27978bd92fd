// signage-player check: parse and check a playlist (a playlist.json or a bundle folder) and say
// what is wrong, one line per problem, "FILE:LINE:COL: error: POINTER: MESSAGE".
#include <cstdio>
#include <filesystem>
#include <string>

#include "commands.h"
#include "content/content.h"
#include "sync/crypto.h"

namespace signage {
namespace {

constexpr const char* kCheckUsage = R"(usage: signage-player check PATH

Checks a playlist: PATH is a playlist.json or a bundle folder holding one (with the images it
names). Prints one line per problem on stderr, as FILE:LINE:COL: error|warning: POINTER: MESSAGE,
and a summary on stdout when the playlist is valid.

exit status: 0 valid (warnings may be printed), 1 invalid or unreadable, 2 bad usage
)";

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

}  // namespace

int check_command(const std::vector<std::string_view>& args) {
  std::string path;
  for (std::string_view arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(kCheckUsage, stdout);
      return 0;
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
  return 0;
}

}  // namespace signage
