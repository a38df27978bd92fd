// The workspace: the draft and the publish pipeline (see workspace.h).
#include "studio/workspace.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>

#include "files/files.h"
#include "run/check.h"
#include "studio/accounts.h"
#include "sync/crypto.h"
#include "text/text.h"

namespace signage::studio {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using nlohmann::json;

// A publish waiting (pending/, scheduled/) or being made: the playlist text and where its
// pictures are; `expected` pins the pictures' bytes when they come from the editable draft.
struct Workspace::Staged {
  std::string playlist;  // a JSON object's text; "revision" and "assets" are set at publish
  fs::path source;
  bool immutable_source = false;  // a revision: pictures may be hard-linked
  bool carry_alerts = true;       // keep the studio's running alerts of what is published
  std::map<std::string, sync::FileDigest> expected;
};

namespace {

constexpr std::uint64_t kSmallFile = 4 << 20;

std::string random_id() {
  std::random_device random;
  char out[17];
  std::snprintf(out, sizeof out, "%08x%08x", random(), random());
  return out;
}

bool is_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

Outcome failure(int status, std::string en, std::string zh, json body = json::object()) {
  return {status, std::move(body), Words{.zh = std::move(zh), .en = std::move(en)}};
}

std::optional<ojson> parse_object(std::string_view text) {
  ojson value = ojson::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

std::string dump(const ojson& value) {
  return value.dump(2) + "\n";
}

// rN -> N; 0 when the name is not a revision folder.
std::int64_t revision_of(const std::string& name) {
  if (name.size() < 2 || name[0] != 'r') return 0;
  std::int64_t n = 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i])) || n > (INT64_MAX - 9) / 10) return 0;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

std::vector<std::int64_t> revision_folders(const fs::path& dir) {
  std::vector<std::int64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (std::int64_t n = revision_of(entry.path().filename().string());
        n > 0 && entry.is_directory())
      out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t linked_revision(const fs::path& link) {
  std::error_code ec;
  fs::path target = fs::read_symlink(link, ec);
  return ec ? 0 : revision_of(target.filename().string());
}

bool fsync_file(const fs::path& path) {
  return files::sync_path(path);
}

// Copies (or hard-links, from a revision, which never changes) `from` to `to` and fsyncs it.
bool place_file(const fs::path& from, const fs::path& to, bool link, std::string* error) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (link && ::link(from.c_str(), to.c_str()) == 0) return true;
  if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec)) {
    *error = "cannot copy " + from.string() + ": " + ec.message();
    return false;
  }
  fs::permissions(to, fs::perms(0644), ec);
  return fsync_file(to);
}

// The empty playlist a new studio starts with.
std::string empty_draft() {
  ojson playlist = {{"version", 1},
                    {"title", "新的节目单"},
                    {"lang", "zh-Hans"},
                    {"timezone", "Asia/Shanghai"},
                    {"items", ojson::array()}};
  return dump(playlist);
}

std::optional<json> read_json(const fs::path& path) {
  auto bytes = files::read_file(path, kSmallFile * 2);
  if (!bytes) return std::nullopt;
  json value = json::parse(*bytes, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

json digests_json(const std::map<std::string, sync::FileDigest>& digests) {
  json out = json::object();
  for (const auto& [path, d] : digests) out[path] = {{"size", d.size}, {"sha256", d.sha256}};
  return out;
}

std::map<std::string, sync::FileDigest> digests_of(const json& value) {
  std::map<std::string, sync::FileDigest> out;
  if (!value.is_object()) return out;
  for (const auto& [path, d] : value.items()) {
    out[path] = {d.value("sha256", ""), d.value("size", std::uint64_t(0))};
  }
  return out;
}

// A string member, "" when it is absent or not a string (files may be damaged).
std::string text_member(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The studio's own alerts (sent with send_alert) still running at `now`.
std::vector<ojson> running_alerts(const ojson& playlist, std::int64_t now) {
  std::vector<ojson> out;
  if (!playlist.contains("items") || !playlist["items"].is_array()) return out;
  for (const ojson& item : playlist["items"]) {
    if (!item.is_object() || item.value("type", "") != "alert") continue;
    if (!item.value("id", "").starts_with("alert-")) continue;
    const auto until = item.contains("schedule") && item["schedule"].is_object()
                           ? content::parse_instant(item["schedule"].value("valid_until", ""))
                           : std::nullopt;
    if (until && *until > now) out.push_back(item);
  }
  return out;
}

}  // namespace

bool approval_required(const StudioPaths& paths) {
  return require_approval(paths);
}

Workspace::Workspace(StudioPaths paths, WorkspaceOptions options)
    : paths_(std::move(paths)), options_(std::move(options)) {}

Workspace::~Workspace() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

std::unique_ptr<Workspace> Workspace::open(const StudioPaths& paths, WorkspaceOptions options,
                                           std::string* error) {
  std::unique_ptr<Workspace> workspace(new Workspace(paths, std::move(options)));
  if (!workspace->start(error)) return nullptr;
  return workspace;
}

std::int64_t Workspace::now() const {
  return options_.now ? options_.now() : std::int64_t(std::time(nullptr));
}

bool Workspace::start(std::string* error) {
  if (!sync::crypto_init()) {
    *error = "libsodium failed to initialize";
    return false;
  }
  std::error_code ec;
  for (const fs::path& dir : {paths_.data_dir, paths_.revisions_dir(), paths_.data_dir / "pending",
                              paths_.data_dir / "scheduled"}) {
    fs::create_directories(dir, ec);
    if (ec) {
      *error = "cannot create " + dir.string() + ": " + ec.message();
      return false;
    }
  }
  // What an interrupted publish left: a half-written rN.tmp, a new link not yet renamed, and a
  // whole revision that was never published (its publish did not answer; players never saw it).
  fs::remove(paths_.data_dir / "published.tmp", ec);
  // Without a `published` link nothing is judged unpublished: revisions are only ever removed
  // by keep.
  const std::int64_t published = linked_revision(paths_.published_link());
  std::vector<fs::path> leftovers;
  for (const auto& entry : fs::directory_iterator(paths_.revisions_dir(), ec)) {
    const std::string name = entry.path().filename().string();
    const std::int64_t n = revision_of(name);
    if (name.ends_with(".tmp") || (published > 0 && n > published))
      leftovers.push_back(entry.path());
  }
  for (const fs::path& path : leftovers) fs::remove_all(path, ec);
  for (std::int64_t n : revision_folders(paths_.revisions_dir()))
    last_revision_ = std::max(last_revision_, n);
  if (auto history = read_json(paths_.data_dir / "history.json"); history && history->is_array()) {
    history_.assign(history->begin(), history->end());
  }
  for (const auto& entry : history_) {
    if (entry.is_object() && entry["revision"].is_number_integer())
      last_revision_ = std::max(last_revision_, entry["revision"].get<std::int64_t>());
  }
  // The draft: as it was, else the seed bundle (without its "assets": written at publish), else
  // an empty playlist.
  const fs::path draft_file = paths_.draft_dir() / "playlist.json";
  if (auto bytes = files::read_file(draft_file, kSmallFile)) {
    draft_bytes_ = std::move(*bytes);
  } else {
    fs::create_directories(paths_.draft_dir() / "images", ec);
    draft_bytes_ = empty_draft();
    if (!options_.seed.empty()) {
      auto seed = content::load_playlist(options_.seed);
      auto text = files::read_file(options_.seed / "playlist.json", kSmallFile, error);
      if (!seed.playlist || !text) {
        if (text)
          *error =
              options_.seed.string() + " is not a valid bundle (signage-player check says why)";
        return false;
      }
      for (const std::string& asset : seed.playlist->asset_paths) {
        if (!place_file(options_.seed / asset, paths_.draft_dir() / asset, false, error))
          return false;
      }
      auto object = parse_object(*text);
      object->erase("assets");
      draft_bytes_ = dump(*object);
      last_revision_ = std::max(last_revision_, seed.playlist->revision);
    }
    if (!files::replace_file(draft_file, draft_bytes_, 0644, error)) return false;
  }
  draft_version_ = sync::sha256_hex(draft_bytes_);
  if (options_.scheduler_thread) scheduler_ = std::thread([this] { scheduler_main(); });
  return true;
}

DraftSnapshot Workspace::draft() const {
  std::lock_guard lock(mutex_);
  return {draft_version_, draft_bytes_, paths_.draft_dir()};
}

DraftSource Workspace::draft_source() {
  return [this] { return draft(); };
}

std::int64_t Workspace::published_revision() const {
  std::lock_guard lock(mutex_);
  return linked_revision(paths_.published_link());
}

// The page's playlist as the draft stores it: "revision" as the draft has it, no "assets" (the
// server writes both at publish), two-space indented.
std::string Workspace::normalize_locked(std::string_view playlist, std::string* error) const {
  auto object = parse_object(playlist);
  if (!object) {
    *error = "the playlist is not a JSON object";
    return {};
  }
  object->erase("assets");
  object->erase("revision");
  if (auto draft = parse_object(draft_bytes_); draft && draft->contains("revision")) {
    (*object)["revision"] = (*draft)["revision"];
  }
  return dump(*object);
}

json Workspace::check_text(const std::string& bytes, const fs::path& dir) {
  content::ParseResult result = content::parse_playlist(bytes, "playlist.json", dir);
  std::vector<content::Diagnostic> diagnostics = result.diagnostics;
  if (result.playlist) {
    std::lock_guard engine_lock(engine_mutex_);
    std::string why;
    if (!engine_) engine_ = text::TextEngine::create(text::default_fonts_dir(), &why);
    auto warnings = engine_
                        ? run::text_fit_warnings(*engine_, *result.playlist, "playlist.json", bytes)
                        : run::text_fit_warnings(*result.playlist, "playlist.json", bytes);
    diagnostics.insert(diagnostics.end(), warnings.begin(), warnings.end());
  }
  return run::diagnostics_json(diagnostics);
}

json Workspace::check(std::string_view playlist) {
  std::string bytes, why;
  {
    std::lock_guard lock(mutex_);
    bytes = normalize_locked(playlist, &why);
  }
  if (bytes.empty()) {
    return json::array(
        {{{"severity", "error"}, {"pointer", ""}, {"message", why}, {"line", 0}, {"column", 0}}});
  }
  return check_text(bytes, paths_.draft_dir());
}

json Workspace::loop(std::optional<std::int64_t> at) {
  std::string bytes;
  {
    std::lock_guard lock(mutex_);
    bytes = draft_bytes_;
  }
  auto result = content::parse_playlist(bytes, "playlist.json", paths_.draft_dir());
  return run::loop_json(result.playlist, at.value_or(now()));
}

// Built outside the workspace's mutex: text fit takes a while and needs only the text.
json Workspace::draft_json_of(const std::string& bytes, const std::string& version) {
  auto result = content::parse_playlist(bytes, "playlist.json", paths_.draft_dir());
  return {{"version", version},
          {"playlist", json::parse(bytes, nullptr, false)},
          {"diagnostics", check_text(bytes, paths_.draft_dir())},
          {"loop", run::loop_json(result.playlist, now())}};
}

json Workspace::draft_json() {
  DraftSnapshot snapshot = draft();
  return draft_json_of(snapshot.playlist_json, snapshot.version);
}

Outcome Workspace::save_draft(std::string_view base, std::string_view playlist,
                              const std::string& user) {
  std::unique_lock lock(mutex_);
  if (base != draft_version_) {
    const std::string bytes = draft_bytes_, version = draft_version_;
    lock.unlock();
    return failure(409, "Someone else saved the draft meanwhile; your changes are still here",
                   "草稿已被同事修改并保存;您的修改仍在本页",
                   {{"current", draft_json_of(bytes, version)}});
  }
  std::string why;
  std::string bytes = normalize_locked(playlist, &why);
  if (bytes.empty()) return failure(400, why, "节目单不是 JSON 对象");
  if (bytes.size() > kSmallFile) {
    return failure(413, "The playlist is larger than 4 MB", "节目单超过 4 MB");
  }
  if (!files::replace_file(paths_.draft_dir() / "playlist.json", bytes, 0644, &why)) {
    return failure(500, "The draft could not be saved: " + why, "草稿无法保存:" + why);
  }
  draft_bytes_ = std::move(bytes);
  draft_version_ = sync::sha256_hex(draft_bytes_);
  const std::string saved = draft_bytes_, version = draft_version_;
  lock.unlock();
  (void)user;  // saves are not history: publishes are
  return {200, draft_json_of(saved, version), {}};
}

// ---------------------------------------------------------------------------------------------
// Publishing

Outcome Workspace::publish_locked(const Staged& staged, const std::string& what,
                                  const std::string& by, const std::string& note) {
  auto object = parse_object(staged.playlist);
  if (!object) return failure(400, "the playlist is not a JSON object", "节目单不是 JSON 对象");
  const std::int64_t t = now();
  const fs::path published = paths_.published_link();
  if (staged.carry_alerts) {
    // The alerts sent from the studio keep running when the draft is published.
    auto current = files::read_file(published / "playlist.json", kSmallFile);
    auto current_object = current ? parse_object(*current) : std::nullopt;
    if (current_object && object->contains("items") && (*object)["items"].is_array()) {
      for (ojson& alert : running_alerts(*current_object, t)) {
        auto& items = (*object)["items"];
        bool present = std::any_of(items.begin(), items.end(), [&](const ojson& item) {
          return item.is_object() && item.value("id", "") == alert.value("id", "");
        });
        if (!present) items.push_back(std::move(alert));
      }
    }
  }
  const std::int64_t revision = std::max(last_revision_ + 1, t);
  object->erase("assets");
  (*object)["revision"] = revision;
  std::string text = dump(*object);
  content::ParseResult result = content::parse_playlist(text, "playlist.json", staged.source);
  if (!result.playlist) {
    return failure(422, "The playlist has errors; fix them before publishing",
                   "节目单有错误,请先改正再发布",
                   {{"diagnostics", run::diagnostics_json(result.diagnostics)}});
  }
  // revisions/rN.tmp: the pictures, then playlist.json with its assets list, then the signature.
  const std::string name = "r" + std::to_string(revision);
  const fs::path tmp = paths_.revisions_dir() / (name + ".tmp");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  std::string why;
  const auto fail = [&](const std::string& message) {
    fs::remove_all(tmp, ec);
    return failure(500, "Publishing failed: " + message, "发布失败:" + message);
  };
  std::vector<content::Asset> assets;
  std::vector<fs::path> folders{tmp};
  for (const std::string& path : result.playlist->asset_paths) {
    const fs::path to = tmp / path;
    if (!place_file(staged.source / path, to, staged.immutable_source, &why)) return fail(why);
    auto digest = sync::digest_file(to, &why);
    if (!digest) return fail(why);
    if (auto want = staged.expected.find(path);
        want != staged.expected.end() &&
        (want->second.sha256 != digest->sha256 || want->second.size != digest->size)) {
      fs::remove_all(tmp, ec);
      return failure(
          409, "The picture " + path + " changed after this publish was requested; publish again",
          "图片 " + path + " 在提交发布后被改动,请重新发布");
    }
    assets.push_back({path, digest->size, digest->sha256, "", 0, 0});
    for (fs::path dir = to.parent_path(); dir != tmp; dir = dir.parent_path()) {
      if (std::find(folders.begin(), folders.end(), dir) == folders.end()) folders.push_back(dir);
    }
  }
  auto listed = content::with_asset_list(text, assets);
  if (!listed) return fail("cannot write the assets list");
  if (!files::create_file(tmp / "playlist.json", *listed, 0644, &why)) return fail(why);
  if (!options_.sign_key.empty()) {
    auto secret = files::read_file(options_.sign_key, 4096, &why);
    if (!secret) return fail("cannot read the signing key: " + why);
    auto signature = sync::signature_file(*listed, {*secret}, &why);
    if (!signature) return fail(options_.sign_key.string() + ": " + why);
    if (!files::create_file(tmp / "playlist.json.sig", *signature, 0644, &why)) return fail(why);
  }
  for (const fs::path& dir : folders) fsync_file(dir);
  const fs::path final_dir = paths_.revisions_dir() / name;
  if (::rename(tmp.c_str(), final_dir.c_str()) != 0) return fail("cannot rename " + tmp.string());
  fsync_file(paths_.revisions_dir());
  // One rename replaces the link: `published` is the old or the new revision, never neither.
  const fs::path link_tmp = paths_.data_dir / "published.tmp";
  fs::remove(link_tmp, ec);
  fs::create_symlink(fs::path("revisions") / name, link_tmp, ec);
  if (ec || ::rename(link_tmp.c_str(), published.c_str()) != 0) {
    fs::remove_all(final_dir, ec);
    return fail("cannot switch " + published.string());
  }
  fsync_file(paths_.data_dir);
  last_revision_ = revision;
  record_locked(what, by, revision, note);
  prune_locked();
  if (options_.on_published) options_.on_published(revision);
  return {200, {{"revision", revision}}, {}};
}

void Workspace::prune_locked() {
  const std::int64_t published = linked_revision(paths_.published_link());
  std::vector<std::int64_t> kept = revision_folders(paths_.revisions_dir());
  std::error_code ec;
  for (std::size_t i = 0; i + options_.keep < kept.size(); ++i) {
    if (kept[i] != published)
      fs::remove_all(paths_.revisions_dir() / ("r" + std::to_string(kept[i])), ec);
  }
}

void Workspace::record_locked(const std::string& what, const std::string& by, std::int64_t revision,
                              const std::string& note) {
  std::string timezone;
  if (auto draft = parse_object(draft_bytes_)) timezone = draft->value("timezone", "");
  json entry = {{"at", content::format_instant(now(), timezone)},
                {"by", by},
                {"what", what},
                {"revision", revision ? json(revision) : json(nullptr)},
                {"note", note}};
  history_.push_back(std::move(entry));
  if (history_.size() > options_.keep_history) {
    history_.erase(history_.begin(), history_.end() - std::ptrdiff_t(options_.keep_history));
  }
  files::replace_file(paths_.data_dir / "history.json", json(history_).dump(1) + "\n", 0644);
}

Outcome Workspace::publish_draft_now_locked(const std::string& by, const std::string& note,
                                            const std::string& what) {
  return publish_locked({draft_bytes_, paths_.draft_dir(), false, true, {}}, what, by, note);
}

// pending/<id>.json or scheduled/<id>.json: the draft's text and its pictures' digests now, so
// what is published later is exactly what was asked for.
Outcome Workspace::stage_file_locked(const fs::path& folder, const PublishRequest& request,
                                     std::optional<std::int64_t> at) {
  auto result = content::parse_playlist(draft_bytes_, "playlist.json", paths_.draft_dir());
  if (!result.playlist) {
    return failure(422, "The playlist has errors; fix them before publishing",
                   "节目单有错误,请先改正再发布",
                   {{"diagnostics", run::diagnostics_json(result.diagnostics)}});
  }
  std::map<std::string, sync::FileDigest> digests;
  for (const std::string& path : result.playlist->asset_paths) {
    std::string why;
    auto digest = sync::digest_file(paths_.draft_dir() / path, &why);
    if (!digest) return failure(500, why, "图片无法读取:" + why);
    digests[path] = *digest;
  }
  const std::string id = random_id();
  json entry = {{"id", id},
                {"by", request.user},
                {"at", now()},
                {"note", request.note},
                {"base", draft_version_},
                {"playlist", draft_bytes_},
                {"assets", digests_json(digests)}};
  if (at) entry["publish_at"] = *at;
  std::string why;
  if (!files::replace_file(folder / (id + ".json"), entry.dump() + "\n", 0600, &why)) {
    return failure(500, why, "无法保存:" + why);
  }
  return {200, {{"id", id}}, {}};
}

Outcome Workspace::publish(const PublishRequest& request) {
  std::unique_lock lock(mutex_);
  if (request.base != draft_version_) {
    const std::string bytes = draft_bytes_, version = draft_version_;
    lock.unlock();
    return failure(409, "The draft changed since you saw it; look at it again before publishing",
                   "草稿在您查看之后有改动,请重新查看后再发布",
                   {{"current", draft_json_of(bytes, version)}});
  }
  const bool wait_for_approval = request.role == Role::editor && approval_required(paths_);
  const bool later = request.at && *request.at > now();
  if (wait_for_approval) {
    Outcome staged = stage_file_locked(paths_.data_dir / "pending", request, request.at);
    if (!staged.ok()) return staged;
    record_locked("request", request.user, 0, request.note);
    return {200, {{"pending", staged.body["id"]}}, {}};
  }
  if (later) {
    Outcome staged = stage_file_locked(paths_.data_dir / "scheduled", request, request.at);
    if (!staged.ok()) return staged;
    record_locked("schedule", request.user, 0, request.note);
    const std::string timezone =
        parse_object(draft_bytes_).value_or(ojson::object()).value("timezone", "");
    lock.unlock();
    wake_.notify_all();
    return {
        200,
        {{"scheduled", staged.body["id"]}, {"at", content::format_instant(*request.at, timezone)}},
        {}};
  }
  return publish_draft_now_locked(request.user, request.note, "publish");
}

json Workspace::revisions() {
  std::lock_guard lock(mutex_);
  const std::int64_t published = linked_revision(paths_.published_link());
  json out = json::array();
  auto numbers = revision_folders(paths_.revisions_dir());
  for (auto n = numbers.rbegin(); n != numbers.rend(); ++n) {
    json entry = {{"revision", *n}, {"published_at", nullptr}, {"by", nullptr},
                  {"note", ""},     {"items", nullptr},        {"current", *n == published}};
    for (auto h = history_.rbegin(); h != history_.rend(); ++h) {
      if (h->value("revision", json()) == json(*n)) {
        entry["published_at"] = (*h)["at"];
        entry["by"] = (*h)["by"];
        entry["note"] = (*h)["note"];
        break;
      }
    }
    auto text = files::read_file(
        paths_.revisions_dir() / ("r" + std::to_string(*n)) / "playlist.json", kSmallFile);
    if (auto object = text ? parse_object(*text) : std::nullopt;
        object && (*object)["items"].is_array()) {
      entry["items"] = (*object)["items"].size();
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Outcome Workspace::restore(std::int64_t revision, const std::string& user, Role role) {
  std::lock_guard lock(mutex_);
  if (role == Role::editor && approval_required(paths_)) {
    return failure(403, "Approval is on: ask an approver to restore a revision",
                   "已开启审批:请由审批人恢复旧版本");
  }
  const fs::path dir = paths_.revisions_dir() / ("r" + std::to_string(revision));
  auto text = files::read_file(dir / "playlist.json", kSmallFile);
  if (revision <= 0 || !text) {
    return failure(404, "There is no revision " + std::to_string(revision),
                   "没有第 " + std::to_string(revision) + " 版");
  }
  Outcome published = publish_locked({*text, dir, true, false, {}}, "restore", user,
                                     "r" + std::to_string(revision));
  if (!published.ok()) return published;
  // The draft becomes that content: its pictures, then its playlist.json (without "assets").
  auto parsed = content::parse_playlist(*text, "playlist.json", dir);
  std::string why;
  if (parsed.playlist) {
    for (const std::string& path : parsed.playlist->asset_paths) {
      const fs::path to = paths_.draft_dir() / path;
      fs::path tmp = to;
      tmp += ".restore";
      std::error_code ec;
      if (place_file(dir / path, tmp, false, &why)) fs::rename(tmp, to, ec);
    }
  }
  auto object = parse_object(*text);
  object->erase("assets");
  draft_bytes_ = dump(*object);
  draft_version_ = sync::sha256_hex(draft_bytes_);
  files::replace_file(paths_.draft_dir() / "playlist.json", draft_bytes_, 0644, &why);
  return published;
}

namespace {
json list_folder(const fs::path& folder) {
  json out = json::array();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.path().extension() != ".json") continue;
    auto value = read_json(entry.path());
    if (!value || !value->is_object()) continue;
    json summary = {{"id", (*value)["id"]},
                    {"by", (*value)["by"]},
                    {"at", (*value)["at"]},
                    {"note", (*value)["note"]}};
    if (value->contains("publish_at")) summary["publish_at"] = (*value)["publish_at"];
    out.push_back(std::move(summary));
  }
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["at"] < b["at"]; });
  return out;
}
}  // namespace

json Workspace::pending() {
  std::lock_guard lock(mutex_);
  return list_folder(paths_.data_dir / "pending");
}

json Workspace::scheduled() {
  std::lock_guard lock(mutex_);
  json out = list_folder(paths_.data_dir / "scheduled");
  for (json& entry : out) entry["at"] = entry.value("publish_at", json());
  return out;
}

Outcome Workspace::approve(const std::string& id, const std::string& user) {
  std::unique_lock lock(mutex_);
  const fs::path file = paths_.data_dir / "pending" / (id + ".json");
  auto entry = is_id(id) ? read_json(file) : std::nullopt;
  if (!entry) return failure(404, "No such request", "没有这个发布申请");
  std::error_code ec;
  if ((*entry)["publish_at"].is_number_integer() &&
      (*entry)["publish_at"].get<std::int64_t>() > now()) {
    // Approved, to be published at its time.
    if (!files::replace_file(paths_.data_dir / "scheduled" / (id + ".json"), entry->dump() + "\n",
                             0600)) {
      return failure(500, "cannot schedule", "无法安排定时发布");
    }
    fs::remove(file, ec);
    record_locked("approve", user, 0, entry->value("note", ""));
    lock.unlock();
    wake_.notify_all();
    return {200, {{"scheduled", id}, {"at", (*entry)["publish_at"]}}, {}};
  }
  Staged staged{entry->value("playlist", std::string()), paths_.draft_dir(), false, true,
                digests_of((*entry)["assets"])};
  Outcome published = publish_locked(
      staged, "approve", user, entry->value("note", "") + " (" + entry->value("by", "") + ")");
  if (published.ok()) fs::remove(file, ec);
  return published;
}

Outcome Workspace::reject(const std::string& id, const std::string& user) {
  std::lock_guard lock(mutex_);
  const fs::path file = paths_.data_dir / "pending" / (id + ".json");
  auto entry = is_id(id) ? read_json(file) : std::nullopt;
  if (!entry) return failure(404, "No such request", "没有这个发布申请");
  std::error_code ec;
  fs::remove(file, ec);
  record_locked("reject", user, 0, entry->value("note", "") + " (" + entry->value("by", "") + ")");
  return {200, {{"rejected", id}}, {}};
}

Outcome Workspace::unschedule(const std::string& id, const std::string& user) {
  std::lock_guard lock(mutex_);
  const fs::path file = paths_.data_dir / "scheduled" / (id + ".json");
  auto entry = is_id(id) ? read_json(file) : std::nullopt;
  if (!entry) return failure(404, "No such scheduled publish", "没有这个定时发布");
  std::error_code ec;
  fs::remove(file, ec);
  record_locked("unschedule", user, 0, entry->value("note", ""));
  return {200, {{"unscheduled", id}}, {}};
}

json Workspace::history() {
  std::lock_guard lock(mutex_);
  return json(history_);
}

void Workspace::run_due() {
  std::lock_guard lock(mutex_);
  const fs::path folder = paths_.data_dir / "scheduled";
  std::error_code ec;
  std::vector<fs::path> due;
  for (const auto& file : fs::directory_iterator(folder, ec)) {
    auto entry = read_json(file.path());
    if (!entry || !entry->is_object()) continue;
    if (!(*entry)["publish_at"].is_number_integer() ||
        (*entry)["publish_at"].get<std::int64_t>() <= now())
      due.push_back(file.path());
  }
  std::sort(due.begin(), due.end());
  for (const fs::path& file : due) {
    auto entry = read_json(file);
    if (!entry || !entry->is_object()) continue;
    // This runs on the scheduler thread, where an exception would end the studio (and again at
    // every restart, the file still there): a damaged entry is a failed publish.
    Outcome published;
    try {
      Staged staged{entry->value("playlist", std::string()), paths_.draft_dir(), false, true,
                    digests_of((*entry)["assets"])};
      published = publish_locked(staged, "scheduled publish", text_member(*entry, "by"),
                                 text_member(*entry, "note"));
    } catch (const std::exception& e) {
      published = failure(500, std::string("damaged entry: ") + e.what(), "定时发布的记录已损坏");
    }
    if (!published.ok()) {
      record_locked("scheduled publish failed", text_member(*entry, "by"), 0, published.error.en);
    }
    fs::remove(file, ec);
  }
}

void Workspace::scheduler_main() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::optional<std::int64_t> next;
    std::error_code ec;
    for (const auto& file : fs::directory_iterator(paths_.data_dir / "scheduled", ec)) {
      auto entry = read_json(file.path());
      if (!entry || !entry->is_object()) continue;
      const std::int64_t at = (*entry)["publish_at"].is_number_integer()
                                  ? (*entry)["publish_at"].get<std::int64_t>()
                                  : 0;
      next = next ? std::min(*next, at) : at;
    }
    if (next && *next <= now()) {
      lock.unlock();
      run_due();
      lock.lock();
      continue;
    }
    // At most a minute at a time: the system clock may be set meanwhile.
    wake_.wait_for(
        lock, std::chrono::seconds(next ? std::clamp<std::int64_t>(*next - now(), 1, 60) : 60));
  }
}

// ---------------------------------------------------------------------------------------------
// Alerts: published content plus or minus one alert item.

Outcome Workspace::send_alert(const std::string& title, const std::string& body, int minutes,
                              const std::string& user, int priority) {
  if (title.empty() || title.size() > 400) {
    return failure(400, "The alert needs a title (at most 400 bytes)",
                   "请填写通知标题(不超过 400 字节)");
  }
  if (minutes < 1 || minutes > 7 * 24 * 60) {
    return failure(400, "Show the alert for 1 minute to 7 days", "通知显示时长应为 1 分钟到 7 天");
  }
  if (priority < content::kMinAlertPriority || priority > content::kMaxAlertPriority) {
    return failure(400, "The alert's priority is 1 (information), 2 (warning) or 3 (emergency)",
                   "通知级别应为 1(一般)、2(警告)或 3(紧急)");
  }
  std::lock_guard lock(mutex_);
  const fs::path dir =
      paths_.revisions_dir() / ("r" + std::to_string(linked_revision(paths_.published_link())));
  auto text = files::read_file(dir / "playlist.json", kSmallFile);
  auto object = text ? parse_object(*text) : std::nullopt;
  if (!object || !(*object)["items"].is_array()) {
    return failure(409, "Nothing is published yet; publish the draft first",
                   "还没有发布过节目单,请先发布草稿");
  }
  const std::int64_t t = now();
  const std::string timezone = object->value("timezone", "");
  std::string id = "alert-" + std::to_string(t);
  for (int n = 2; std::any_of(
           (*object)["items"].begin(), (*object)["items"].end(),
           [&](const ojson& item) { return item.is_object() && item.value("id", "") == id; });
       ++n) {
    id = "alert-" + std::to_string(t) + "-" + std::to_string(n);
  }
  ojson alert = {{"type", "alert"}, {"id", id}, {"title", title}, {"priority", priority}};
  if (!body.empty()) alert["body"] = body;
  alert["schedule"] = {
      {"valid_from", content::format_instant(t, timezone)},
      {"valid_until", content::format_instant(t + std::int64_t(minutes) * 60, timezone)}};
  (*object)["items"].push_back(std::move(alert));
  Outcome published = publish_locked({dump(*object), dir, true, false, {}}, "alert", user, title);
  if (!published.ok()) return published;
  published.body["id"] = id;
  if (options_.on_alert_sent)
    options_.on_alert_sent({id, title, body, priority, t + std::int64_t(minutes) * 60});
  return published;
}

Outcome Workspace::remove_alert(const std::string& id, const std::string& user) {
  std::lock_guard lock(mutex_);
  const fs::path dir =
      paths_.revisions_dir() / ("r" + std::to_string(linked_revision(paths_.published_link())));
  auto text = files::read_file(dir / "playlist.json", kSmallFile);
  auto object = text ? parse_object(*text) : std::nullopt;
  if (!object || !(*object)["items"].is_array())
    return failure(404, "No such alert", "没有这条通知");
  auto& items = (*object)["items"];
  auto it = std::find_if(items.begin(), items.end(), [&](const ojson& item) {
    return item.is_object() && item.value("type", "") == "alert" && item.value("id", "") == id;
  });
  if (it == items.end()) return failure(404, "No such alert", "没有这条通知");
  const std::string title = it->value("title", "");
  items.erase(it);
  Outcome published =
      publish_locked({dump(*object), dir, true, false, {}}, "alert removed", user, title);
  if (published.ok() && options_.on_alert_removed) options_.on_alert_removed(id);
  return published;
}

}  // namespace signage::studio
