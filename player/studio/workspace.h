// The studio's workspace: the draft bundle, checking it, its loop, and publishing it as signed,
// atomic revisions (restore, approvals, scheduled publishes, alerts, history). Thread-safe: every
// call takes one mutex (checking text fit takes a second one, for the text engine, so a long
// check never holds up a publish). The HTTP routes over it are in workspace_routes().
//
// A publish: revisions/rN.tmp gets the pictures the playlist names and playlist.json with its
// "assets" list (size, sha256) and "revision" = max(last + 1, now in Unix seconds), fsynced and
// signed when a key is set; then rN.tmp -> rN (one rename) and a new symlink renamed over
// `published`. A crash at any point leaves `published` on a whole revision; open() removes
// what an interrupted publish left.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "content/content.h"
#include "studio/http_server.h"
#include "studio/words.h"
#include "studio/studio.h"

namespace signage::text {
class TextEngine;
}

namespace signage::studio {

// An alert sent from the Alerts page, as the fleet pushes it (studio/fleet_watch.h).
struct SentAlert {
  std::string id, title, body;
  int priority = content::kMaxAlertPriority;
  std::int64_t until = 0;  // Unix seconds: the item's valid_until
};

struct WorkspaceOptions {
  std::filesystem::path sign_key;  // a secret key file (signage-player keygen); empty: unsigned
  std::filesystem::path seed;      // a bundle folder for a new draft; empty: an empty playlist
  std::size_t keep = 10;           // revisions kept (never the published one)
  std::size_t keep_history = 1000;
  std::function<std::int64_t()> now;  // Unix seconds; empty: the system clock (tests set it)
  bool scheduler_thread = true;       // publish scheduled entries on time (tests call run_due)
  // What the fleet's broker hears of publishes (studio/fleet_watch.h). Called with the workspace
  // locked, once the new revision is published: they only queue, never block or fail a publish.
  std::function<void(std::int64_t revision)> on_published;  // every new published revision
  std::function<void(const SentAlert&)> on_alert_sent;
  std::function<void(const std::string& id)> on_alert_removed;
};

// What went wrong, for people, in both languages of the page.

// The answer to a call that changes something: `status` (200 or 4xx), `body` (the JSON the API
// documents; on an error the extra members such as "current" or "diagnostics") and `error`.
struct Outcome {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  Words error;
  bool ok() const { return status < 300; }
};

// Whether settings.json says an editor's publish waits for an approver (false when unset):
// accounts.h's require_approval.
bool approval_required(const StudioPaths& paths);

class Workspace {
 public:
  static std::unique_ptr<Workspace> open(const StudioPaths& paths, WorkspaceOptions options,
                                         std::string* error);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  DraftSnapshot draft() const;
  DraftSource draft_source();  // for previews and uploads; valid while the workspace lives

  // GET /api/draft: {"version", "playlist", "diagnostics", "loop"}.
  nlohmann::json draft_json();
  // Saves `playlist` (a JSON object's text) when `base` is the current version; 409 with
  // {"current": draft_json()} otherwise; 400 when it is not a JSON object. Saved with errors
  // too (a draft may be unfinished); the answer carries them.
  Outcome save_draft(std::string_view base, std::string_view playlist, const std::string& user);
  // The diagnostics of `playlist` (a JSON object's text) as the draft: [{"severity", "pointer",
  // "message", "line", "column"}], with text-fit warnings.
  nlohmann::json check(std::string_view playlist);
  // The draft's loop when a player starts at `at` (Unix seconds; default now).
  nlohmann::json loop(std::optional<std::int64_t> at);

  struct PublishRequest {
    std::string base;  // the draft version the user saw
    std::string note;
    std::string user;
    Role role = Role::editor;
    std::optional<std::int64_t> at;  // later: scheduled
  };
  // {"revision"} | {"pending": id} | {"scheduled": id, "at"}; 409 when the draft changed, 422
  // with {"diagnostics"} when it has errors.
  Outcome publish(const PublishRequest& request);
  nlohmann::json revisions();  // [{"revision", "published_at", "by", "note", "items", "current"}]
  // 403 for an editor when approval is required (old content on the screens is an approver's
  // call too).
  Outcome restore(std::int64_t revision, const std::string& user, Role role = Role::admin);
  nlohmann::json pending();  // [{"id", "by", "at", "note", "publish_at"?}]
  Outcome approve(const std::string& id, const std::string& user);
  Outcome reject(const std::string& id, const std::string& user);
  nlohmann::json scheduled();  // [{"id", "by", "at", "note"}]
  Outcome unschedule(const std::string& id, const std::string& user);
  nlohmann::json history();  // newest last: [{"at", "by", "what", "revision", "note"}]
  // Publishes what is published plus an alert item (type alert, id alert-<time>, valid from now
  // for `minutes`, `priority` 1-3): {"revision", "id"}. remove_alert publishes it without it.
  // Sent alerts are urgent: emergency unless told otherwise, so a planned one cannot hide them.
  Outcome send_alert(const std::string& title, const std::string& body, int minutes,
                     const std::string& user, int priority = content::kMaxAlertPriority);
  Outcome remove_alert(const std::string& id, const std::string& user);

  // Publishes the scheduled entries whose time has come (the scheduler thread calls it).
  void run_due();
  std::int64_t published_revision() const;  // 0: nothing published

  struct Staged;

 private:
  Workspace(StudioPaths paths, WorkspaceOptions options);
  bool start(std::string* error);
  std::int64_t now() const;
  void scheduler_main();
  Outcome publish_locked(const Staged& staged, const std::string& what, const std::string& by,
                         const std::string& note);
  Outcome publish_draft_now_locked(const std::string& by, const std::string& note,
                                   const std::string& what);
  Outcome stage_file_locked(const std::filesystem::path& folder, const PublishRequest& request,
                            std::optional<std::int64_t> at);
  void record_locked(const std::string& what, const std::string& by, std::int64_t revision,
                     const std::string& note);
  nlohmann::json draft_json_of(const std::string& bytes, const std::string& version);
  nlohmann::json check_text(const std::string& bytes, const std::filesystem::path& dir);
  std::string normalize_locked(std::string_view playlist, std::string* error) const;
  void prune_locked();

  StudioPaths paths_;
  WorkspaceOptions options_;
  mutable std::mutex mutex_;
  std::string draft_bytes_, draft_version_;
  std::int64_t last_revision_ = 0;
  std::vector<nlohmann::json> history_;
  std::mutex engine_mutex_;
  std::unique_ptr<text::TextEngine> engine_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread scheduler_;
};

// The routes of "The draft", "Publishing" and the alerts of docs/studio-api.md.
std::vector<Route> workspace_routes(Workspace& workspace);

}  // namespace signage::studio
