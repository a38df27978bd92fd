// signage-player check: parse and check a playlist (a playlist.json or a bundle folder) and say
// what is wrong, one line per problem, "FILE:LINE:COL: error: POINTER: MESSAGE".
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "commands.h"
#include "content/content.h"
#include "scene/scene.h"
#include "sync/crypto.h"
#include "text/text.h"

namespace signage {
namespace {

constexpr const char* kCheckUsage = R"(usage: signage-player check PATH

Checks a playlist: PATH is a playlist.json or a bundle folder holding one (with the images it
names). Prints one line per problem on stderr, as FILE:LINE:COL: error|warning: POINTER: MESSAGE,
and a summary on stdout when the playlist is valid. Every card is laid out on a landscape
(1920x1080) and a portrait (1080x1920) screen: a text that does not fit even at the minimum size
is a warning that says how many of its characters show.

exit status: 0 valid (warnings may be printed), 1 invalid or unreadable, 2 bad usage
)";

struct Screen {
  const char* name;
  scene::Size size;
};
constexpr Screen kScreens[] = {{"landscape", {1920, 1080}}, {"portrait", {1080, 1920}}};

// One warning per text field that is cut with "……" at the minimum size on either screen, at the
// field's place in `file`.
std::vector<content::Diagnostic> text_fit_warnings(const content::Playlist& playlist,
                                                   const std::string& file) {
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
  std::string json;
  if (!cuts.empty()) {
    std::ifstream in(file, std::ios::binary);
    json.assign(std::istreambuf_iterator<char>(in), {});
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
  if (result.playlist) {
    std::string file = std::filesystem::is_directory(path)
                           ? (std::filesystem::path(path) / "playlist.json").string()
                           : path;
    auto warnings = text_fit_warnings(*result.playlist, file);
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
  return 0;
}

}  // namespace signage
