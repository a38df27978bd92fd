// The studio: a second program (signage-studio) over the player's modules. Staff edit a draft
// bundle in a web page, preview it with the player's own engine and publish signed, atomic
// revisions into a folder that nginx serves or that the local player imports (its `local_source`
// setting). The playing process never serves HTTP; the two meet only through files.
//
//   browser <-> http_server (libmicrohttpd; sessions, CSRF, limits) -> routes of each part:
//     workspace  the draft, check, the loop, publish / revisions / approvals / schedule, alerts
//     previews   thumbnails, live previews, the contact sheet, the local screen (a worker, cached)
//     uploads    resumable picture uploads (EXIF upright, downscaled, metadata dropped), tables
//     accounts   users (Argon2id), roles, settings
//
// The data directory (--data-dir, default /var/lib/signage-studio), owned by the studio's user:
//   users.json          accounts (0600)
//   settings.json       what an admin sets in the page (require_approval)
//   draft/              playlist.json + images/: the bundle being edited
//   revisions/rN/       published revisions, each a whole bundle (the last 10 kept)
//   published           a symlink to revisions/rN, replaced with one rename
//   history.json        who published, approved, restored or alerted what, and when
//   pending/, scheduled/  publishes waiting for an approver or for their time
//   uploads/            partial uploads (resumable), removed when finished or after a day
// The HTTP API is documented in docs/studio-api.md.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "studio/http_server.h"

namespace signage::studio {

// The draft as it is saved now: what previews and uploads work on.
struct DraftSnapshot {
  std::string version;        // sha256 of playlist.json's bytes
  std::string playlist_json;  // the bytes
  std::filesystem::path dir;  // the draft folder (playlist.json, images/)
};
using DraftSource = std::function<DraftSnapshot()>;

struct StudioPaths {
  std::filesystem::path data_dir = "/var/lib/signage-studio";
  std::filesystem::path draft_dir() const { return data_dir / "draft"; }
  std::filesystem::path revisions_dir() const { return data_dir / "revisions"; }
  std::filesystem::path published_link() const { return data_dir / "published"; }
  std::filesystem::path uploads_dir() const { return data_dir / "uploads"; }
  std::filesystem::path users_file() const { return data_dir / "users.json"; }
  // The local player's state directory, for status.json (and what its screen shows).
  std::filesystem::path player_state_dir = "/var/lib/signage-player";
};

}  // namespace signage::studio
