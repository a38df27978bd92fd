// Previews rendered by the player's own engine (run::StillRenderer): thumbnails of the saved
// draft, live previews of unsaved content, the contact sheet (the loop at a date and time) and
// what the local screen shows now. One worker thread renders; requests wait for it, identical
// requests in flight are merged into one render, and finished PNGs are kept in an LRU cache
// bounded in bytes, keyed by the sha256 of the playlist's bytes, the item, the size, the
// orientation and the time.
//
//   Previews previews(draft_source, paths);
//   auto r = previews.thumbnail(version, "welcome", 320, std::nullopt);  // r.png, r.etag
//   auto routes = preview_routes(previews);                             // for the HTTP server
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "studio/http_server.h"
#include "studio/studio.h"

namespace signage::studio {

enum class Orientation { landscape, portrait };  // 1920x1080 or 1080x1920

// Why a preview has no picture; the routes word it for people.
enum class PreviewProblem {
  none,
  no_draft,         // the draft cannot be read or does not parse
  bad_playlist,     // the playlist has errors: `diagnostics`
  no_item,          // no item with that id or number
  not_shown,        // the item does not show in the 24 hours after `at` (schedule, an alert)
  nothing_playing,  // no status.json, or it says nothing about what plays
  no_published,     // no published revision to draw
  render_failed,    // the engine could not draw it: `detail`
};

struct PreviewResult {
  std::shared_ptr<const std::string> png;  // the PNG bytes when there is a picture
  std::string etag;                        // "\"<sha256 of the cache key>\"" with a picture
  PreviewProblem problem = PreviewProblem::none;
  std::string detail;            // for no_item/render_failed: what was asked, what went wrong
  std::string diagnostics_json;  // bad_playlist: [{"severity", "pointer", "message", ...}]
};

struct PreviewOptions {
  // PNGs kept, in bytes: ~100 thumbnails or 3 full-screen previews (a card with a photo is
  // 600 KB); more takes the studio past its 64 MB goal while previewing a whole bundle.
  std::size_t cache_bytes = 2 << 20;
  std::filesystem::path fonts_dir;    // empty: the default fonts
  std::function<std::int64_t()> now;  // Unix seconds; empty: the system clock
  int png_level = 1;                  // zlib level of the PNGs (1: fast)
};

struct PreviewStats {
  std::uint64_t renders = 0;     // stills the engine drew
  std::uint64_t cache_hits = 0;  // answered from the cache
  std::uint64_t merged = 0;      // requests that waited for an identical one in flight
  std::size_t cache_bytes = 0;
  std::size_t cache_entries = 0;
};

class Previews {
 public:
  Previews(DraftSource draft, StudioPaths paths, PreviewOptions options = {});
  ~Previews();  // finishes the render in progress, fails the waiting ones, joins the worker
  Previews(const Previews&) = delete;
  Previews& operator=(const Previews&) = delete;

  // The saved draft's item (id, else number from 1) as `render --item --clock at` draws it on a
  // 1920x1080 screen, scaled to `width` (16:9). `version` names what the page saw (URLs differ
  // per version); the draft as it is now is drawn. `at`: Unix seconds, default now (to the
  // minute, so thumbnails stay cached within one).
  PreviewResult thumbnail(const std::string& version, const std::string& item, int width,
                          std::optional<std::int64_t> at);
  // Unsaved content: `playlist_json` parsed in the draft folder (its pictures resolve), the item
  // at the screen's size in `orientation`.
  PreviewResult preview(const std::string& playlist_json, const std::string& item,
                        Orientation orientation, std::optional<std::int64_t> at);
  // GET /api/contact-sheet: the draft's loop when started at `at` as JSON ({"at", "length_s",
  // "slots": [... "thumbnail": URL], "absent"}); each slot's thumbnail is the item at its own
  // time in that loop; `at` default now (to the minute). nullopt with `problem` when the draft
  // does not parse.
  std::optional<std::string> contact_sheet(std::optional<std::int64_t> at, int width,
                                           PreviewResult* problem);
  // What the local screen shows now: status.json's "playing" (item, since, revision) drawn from
  // the published revision at the time elapsed since `since`.
  PreviewResult screen();
  // status.json as it is (at most 1 MB); nullopt when there is none.
  std::optional<std::string> player_status() const;

  PreviewStats stats() const;

  struct Shared;

 private:
  std::unique_ptr<Shared> shared_;
};

// The routes: GET /api/thumbnail, POST /api/preview, GET /api/contact-sheet,
// GET /api/player/status, GET /api/player/screen.png.
std::vector<Route> preview_routes(Previews& previews);

}  // namespace signage::studio
