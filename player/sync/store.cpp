#include "sync/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "files/files.h"
#include "picture/picture.h"

namespace signage::sync {

using files::create_file;
using files::read_file;
using files::sync_path;
namespace fs = std::filesystem;

const char* source_name(Source source) {
  switch (source) {
    case Source::http: return "http";
    case Source::usb: return "usb";
    case Source::local: break;
  }
  return "local";
}

namespace {

std::optional<Source> source_from_name(const std::string& name) {
  for (Source s : {Source::local, Source::http, Source::usb}) {
    if (name == source_name(s)) return s;
  }
  return std::nullopt;
}

// Bytes of a stored file of ours, or nullopt.
std::optional<std::string> read_small_file(const fs::path& path, std::size_t limit) {
  return read_file(path, limit);
}

// What identifies a file's bytes without reading them: a rewrite changes the mtime, a
// replacement the inode.
std::string fingerprint(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  return std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         std::to_string(std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

// Points `link` at `target` atomically: a new link beside it, renamed over it.
bool replace_symlink(const fs::path& link, const fs::path& target) {
  fs::path fresh = link;
  fresh += ".new";
  ::unlink(fresh.c_str());
  return ::symlink(target.c_str(), fresh.c_str()) == 0 &&
         ::rename(fresh.c_str(), link.c_str()) == 0;
}

std::string errors_of(const std::vector<content::Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (d.severity != content::Severity::error) continue;
    if (!out.empty()) out += "\n";
    out += content::format_diagnostic(d);
  }
  return out;
}

std::string megabytes(std::uint64_t bytes) {
  std::ostringstream out;
  out.precision(bytes < (10u << 20) ? 2 : 0);
  out << std::fixed << double(bytes) / double(1 << 20) << " MB";
  return out.str();
}

constexpr std::size_t kMaxSignatureBytes = 4096;  // as the sources read it

constexpr const char* kReserved[] = {"playlist.json", "playlist.json.sig", "bundle.json"};

}  // namespace

// ---------------------------------------------------------------------------------------------

std::unique_ptr<Store> Store::open(const StoreOptions& options, std::string* error) {
  std::unique_ptr<Store> store(new Store(options));
  std::error_code ec;
  for (const char* sub : {"objects", "bundles", "tmp"}) {
    fs::create_directories(options.dir / sub, ec);
    if (ec) break;
  }
  if (ec || ::access(options.dir.c_str(), W_OK) != 0) {
    std::string why = ec ? ec.message() : std::strerror(errno);
    if (!fs::is_directory(options.dir)) {
      if (error) {
        *error = "cannot create the state directory " + options.dir.string() + ": " + why +
                 " (choose another with --state-dir)";
      }
      return nullptr;
    }
    // An SD card remounts read-only after errors: what is stored still plays.
    store->read_only_reason_ = "the state directory " + options.dir.string() +
                               " is not writable (" + why +
                               "); playing what is stored, new content cannot be stored";
    std::lock_guard lock(store->mutex_);
    store->current_ = store->read_bundle_info(options.dir / "current");
    return store;
  }
  // What a crash left half-done: downloads, copies, unfinished bundles and links.
  for (const auto& entry : fs::directory_iterator(options.dir / "tmp", ec)) {
    fs::remove_all(entry.path(), ec);
  }
  for (const auto& entry : fs::directory_iterator(options.dir / "bundles", ec)) {
    if (entry.path().filename().string().starts_with(".new-")) fs::remove_all(entry.path(), ec);
  }
  fs::remove(options.dir / "current.new", ec);
  fs::remove(options.dir / "previous.new", ec);

  std::lock_guard lock(store->mutex_);
  store->current_ = store->read_bundle_info(options.dir / "current");
  // A bundle written just before a crash that never became current, and its objects.
  store->collect_garbage(/*keep_previous=*/true);
  return store;
}

std::optional<BundleInfo> Store::read_bundle_info(const fs::path& link) const {
  std::error_code ec;
  fs::path dir = fs::canonical(link, ec);
  if (ec) return std::nullopt;
  auto bytes = read_small_file(dir / "bundle.json", 1 << 16);
  if (!bytes) return std::nullopt;
  auto json = nlohmann::json::parse(*bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  BundleInfo info;
  info.id = json.value("id", "");
  info.revision = json.value("revision", std::int64_t(0));
  info.sha256 = json.value("sha256", "");
  info.source = source_from_name(json.value("source", "")).value_or(Source::local);
  info.origin = json.value("origin", "");
  info.since_s = json.value("since", std::int64_t(0));
  info.items = json.value("items", std::size_t(0));
  if (json.contains("expires") && json["expires"].is_number_integer()) {
    info.expires = json["expires"].get<std::int64_t>();
  }
  if (json.contains("verified") && json["verified"].is_object()) {
    for (const auto& [sha, print] : json["verified"].items()) {
      if (print.is_string()) info.verified[sha] = print.get<std::string>();
    }
  }
  info.dir = dir;
  return info;
}

std::optional<BundleInfo> Store::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::shared_ptr<const content::Playlist> Store::verify_bundle(const BundleInfo& info,
                                                              std::string* problem,
                                                              Verify verify) const {
  auto fail = [&](const std::string& why) -> std::shared_ptr<const content::Playlist> {
    if (problem) *problem = info.dir.string() + ": " + why;
    return nullptr;
  };
  auto bytes = read_small_file(info.dir / "playlist.json", content::Limits{}.max_file_bytes);
  if (!bytes) return fail("cannot read playlist.json");
  if (sha256_hex(*bytes) != info.sha256) return fail("playlist.json changed since it was stored");
  if (!options_.public_keys.empty()) {
    auto signature = read_small_file(info.dir / "playlist.json.sig", kMaxSignatureBytes);
    std::string why;
    if (!signature) return fail("no playlist.json.sig, and a public key is configured");
    if (!verify_any(*bytes, *signature, options_.public_keys, &why)) return fail(why);
  }
  auto parsed = content::parse_playlist(*bytes, (info.dir / "playlist.json").string(), info.dir);
  if (!parsed.playlist) return fail("\n" + errors_of(parsed.diagnostics));
  if (!options_.channel.empty() && parsed.playlist->id != options_.channel) {
    return fail("its id \"" + parsed.playlist->id + "\" is not this player's channel \"" +
                options_.channel + "\"");
  }
  if (verify == Verify::full && options_.before_full_check) options_.before_full_check();
  for (const content::Asset& asset : parsed.playlist->assets) {
    fs::path file = info.dir / asset.path;
    auto recorded = info.verified.find(asset.sha256);
    if (verify == Verify::quick && recorded != info.verified.end() &&
        recorded->second == fingerprint(file)) {
      continue;
    }
    std::string why;
    auto digest = digest_file(file, &why, &stopping_);
    if (!digest) return fail(why);
    if (digest->size != asset.size || digest->sha256 != asset.sha256) {
      remove_damaged(asset.sha256, file);
      return fail("asset " + asset.path + " does not match its size and sha256");
    }
  }
  return parsed.playlist;
}

namespace {
// The same bundle (or none): a bundle folder is never reused for other content.
bool same_bundle(const std::optional<BundleInfo>& a, const std::optional<BundleInfo>& b) {
  return a ? b && a->sha256 == b->sha256 && a->dir == b->dir : !b;
}
}  // namespace

// Hashing a large store takes a while, so it runs without mutex_ (imports go on meanwhile); the
// verdict is acted on only when the bundle checked is still current.
std::shared_ptr<const content::Playlist> Store::load_current(std::string* problem, Verify verify,
                                                             std::optional<BundleInfo>* loaded) {
  std::optional<BundleInfo> broken = current();
  std::string why;
  if (broken) {
    auto playlist = verify_bundle(*broken, &why, verify);
    std::lock_guard lock(mutex_);
    if (!same_bundle(current_, broken)) return nullptr;  // switched meanwhile: no verdict
    if (playlist && loaded) *loaded = broken;
    if (playlist || stopping_) return playlist;  // stopped: not a verdict on the bundle
  }
  std::optional<BundleInfo> previous;
  {
    std::lock_guard lock(mutex_);
    if (!same_bundle(current_, broken)) return nullptr;
    previous = read_bundle_info(options_.dir / "previous");
  }
  std::string previous_why;
  std::shared_ptr<const content::Playlist> playlist;
  if (previous && !(broken && previous->dir == broken->dir)) {
    playlist = verify_bundle(*previous, &previous_why, verify);
  }
  std::lock_guard lock(mutex_);
  if (!same_bundle(current_, broken)) return nullptr;
  if (!playlist && stopping_) return nullptr;
  // Nothing loads unless the previous bundle does (and was not collected meanwhile): a broken
  // bundle must not decide precedence.
  if (!playlist || !same_bundle(read_bundle_info(options_.dir / "previous"), previous)) {
    current_.reset();
    if (problem)
      *problem =
          why.empty() || previous_why.empty() ? why + previous_why : why + "\n" + previous_why;
    return nullptr;
  }
  // The current bundle is damaged (a disk error, someone's hands): the previous one takes over.
  if (problem) {
    *problem = why.empty() ? "no current bundle; playing the previous one"
                           : why + "\nplaying the previous bundle instead";
  }
  current_ = previous;
  if (loaded) *loaded = previous;
  if (!read_only() &&
      replace_symlink(options_.dir / "current", fs::path("bundles") / previous->dir.filename())) {
    sync_path(options_.dir);
  }
  return playlist;
}

// ---------------------------------------------------------------------------------------------

CandidateCheck Store::check(const Candidate& candidate) const {
  CandidateCheck check;
  check.sha256 = sha256_hex(candidate.playlist_bytes);
  auto invalid = [&](std::string why) {
    check.verdict = CandidateCheck::Verdict::invalid;
    check.error = std::move(why);
    return check;
  };
  if (!options_.public_keys.empty()) {
    std::string why;
    if (!candidate.signature) {
      return invalid(candidate.file +
                     ": error: no playlist.json.sig beside it; this player only takes content "
                     "signed with its public key (signage-player sign)");
    }
    if (!verify_any(candidate.playlist_bytes, *candidate.signature, options_.public_keys, &why)) {
      return invalid(candidate.file + ".sig: error: " + why);
    }
  }
  auto parsed = content::parse_playlist(candidate.playlist_bytes, candidate.file,
                                        options_.dir / "tmp" / "candidate", content::Limits{},
                                        content::AssetFiles::not_yet);
  check.diagnostics = parsed.diagnostics;
  if (!parsed.playlist) return invalid(errors_of(parsed.diagnostics));
  const content::Playlist& playlist = *parsed.playlist;
  // The rule and the words of `check` and `sign`.
  if (std::string missing = content::missing_asset_list(playlist); !missing.empty()) {
    return invalid(candidate.file + ": error: /assets: " + missing);
  }
  std::uint64_t total = 0;
  if (!options_.channel.empty() && playlist.id != options_.channel) {
    return invalid(candidate.file + ": error: /id: \"" + playlist.id +
                   "\" is not the channel this player shows (\"" + options_.channel +
                   "\", the channel setting); publish it under that id, or change the setting");
  }
  // Names with NUL or control characters do not get here: parse_playlist refuses them, as
  // `check` does (content::has_control_character).
  for (const content::Asset& asset : playlist.assets) {
    fs::path normal = fs::path(asset.path).lexically_normal();
    for (const char* reserved : kReserved) {
      if (normal == reserved) {
        return invalid(candidate.file + ":" + std::to_string(asset.line) + ":" +
                       std::to_string(asset.column) + ": error: " + asset.pointer +
                       ": an asset may not be called " + reserved);
      }
    }
    total += asset.size;
    check.assets.push_back({asset.path, asset.size, asset.sha256});
  }
  if (total > options_.max_bytes) {
    return invalid(candidate.file + ": error: /assets: the assets add up to " + megabytes(total) +
                   ", more than the store may hold (" + megabytes(options_.max_bytes) +
                   ", --store-max-mb)");
  }
  check.id = playlist.id;
  check.revision = playlist.revision;
  check.expires = playlist.expires;
  check.items = playlist.items.size();

  std::lock_guard lock(mutex_);
  std::string why;
  check.current_sha256 = current_ ? current_->sha256 : "";
  check.verdict = precedence(check, &why);
  check.error = why;
  return check;
}

CandidateCheck::Verdict Store::precedence(const CandidateCheck& check, std::string* why) const {
  if (!current_) return CandidateCheck::Verdict::accept;
  if (current_->sha256 == check.sha256) return CandidateCheck::Verdict::already_current;
  if (check.revision > current_->revision) return CandidateCheck::Verdict::accept;
  if (why) {
    std::string what = current_->source == Source::usb ? "USB import" : "content";
    // A revision names one content: the same number with other bytes is a mirror mixing up
    // versions, or an attempt to flip between them.
    *why = check.revision == current_->revision
               ? "revision " + std::to_string(check.revision) + " is already playing with " +
                     "different content; a changed playlist needs a higher \"revision\""
               : "revision " + std::to_string(check.revision) + " does not replace the " + what +
                     " playing (revision " + std::to_string(current_->revision) +
                     "); raise \"revision\" to replace it";
  }
  return CandidateCheck::Verdict::superseded;
}

// ---------------------------------------------------------------------------------------------

bool Store::has_object(const AssetRef& asset) const {
  fs::path object = options_.dir / "objects" / asset.sha256;
  struct stat st {};
  if (::stat(object.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto digest = digest_file(object, nullptr);
  if (digest && digest->size == asset.size && digest->sha256 == asset.sha256) return true;
  // Damaged (a failing card, someone's hands): removed, so the source fetches it again.
  ::unlink(object.c_str());
  return false;
}

void Store::remove_damaged(const std::string& sha256, const fs::path& file) const {
  if (read_only()) return;
  fs::path object = options_.dir / "objects" / sha256;
  struct stat a {
  }, b{};
  // Only the very file that failed: an object already fetched again is a different inode.
  if (::stat(object.c_str(), &a) == 0 && ::stat(file.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
      a.st_dev == b.st_dev) {
    ::unlink(object.c_str());
  }
}

std::uint64_t Store::objects_bytes() const {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir / "objects", ec)) {
    std::error_code size_ec;
    auto size = entry.file_size(size_ec);
    if (!size_ec) total += size;
  }
  return total;
}

std::unique_ptr<Store::Import> Store::begin(const Candidate& candidate, const CandidateCheck& check,
                                            std::string* error) {
  std::lock_guard lock(mutex_);
  if (read_only()) {
    if (error) *error = read_only_reason_;
    return nullptr;
  }
  // Pinned first, so collect_garbage below keeps the objects this candidate reuses.
  for (const AssetRef& asset : check.assets) pinned_.insert(asset.sha256);
  auto refuse = [&](std::string why) -> std::unique_ptr<Import> {
    // Unpinned here: an Import destroyed under this lock would wait for it forever.
    for (const AssetRef& asset : check.assets) pinned_.erase(pinned_.find(asset.sha256));
    if (error) *error = std::move(why);
    return nullptr;
  };
  std::vector<AssetRef> missing;
  std::set<std::string> seen;
  std::uint64_t needed = 0;
  for (const AssetRef& asset : check.assets) {
    if (seen.insert(asset.sha256).second && !has_object(asset)) {
      missing.push_back(asset);
      needed += asset.size;
    }
  }
  if (needed > 0 && objects_bytes() + needed > options_.max_bytes) {
    collect_garbage(/*keep_previous=*/false);
    if (objects_bytes() + needed > options_.max_bytes) {
      return refuse("the new content needs " + megabytes(needed) +
                    " more, and the store may hold " + megabytes(options_.max_bytes) +
                    " (--store-max-mb); " + megabytes(objects_bytes()) +
                    " are in use by the content playing");
    }
  }
  struct statvfs fsinfo {};
  if (needed > 0 && ::statvfs(options_.dir.c_str(), &fsinfo) == 0) {
    std::uint64_t free = std::uint64_t(fsinfo.f_bavail) * fsinfo.f_frsize;
    if (free < needed + options_.reserve_bytes) {
      return refuse("not enough free space in " + options_.dir.string() +
                    ": the new content needs " + megabytes(needed) + " and " + megabytes(free) +
                    " are free (keeping " + megabytes(options_.reserve_bytes) + " in reserve)");
    }
  }
  std::unique_ptr<Import> import(new Import(*this, candidate, check));
  import->missing_ = std::move(missing);
  return import;
}

Store::Import::Import(Store& store, Candidate candidate, CandidateCheck check)
    : store_(store), candidate_(std::move(candidate)), check_(std::move(check)) {}

Store::Import::~Import() {
  std::lock_guard lock(store_.mutex_);
  for (const AssetRef& asset : check_.assets) {
    auto it = store_.pinned_.find(asset.sha256);
    if (it != store_.pinned_.end()) store_.pinned_.erase(it);
  }
}

std::uint64_t Store::Import::missing_bytes() const {
  std::uint64_t total = 0;
  for (const AssetRef& asset : missing_) total += asset.size;
  return total;
}

fs::path Store::Import::temp_path() {
  std::lock_guard lock(store_.mutex_);
  return store_.options_.dir / "tmp" /
         ("part-" + std::to_string(::getpid()) + "-" + std::to_string(++store_.temp_counter_));
}

bool Store::Import::add(const AssetRef& asset, const fs::path& temp, std::string* error) {
  std::error_code ec;
  auto fail = [&](const std::string& why) {
    fs::remove(temp, ec);
    if (error) *error = why;
    return false;
  };
  std::string why;
  auto digest = digest_file(temp, &why);
  if (!digest) return fail("asset " + asset.path + ": " + why);
  if (digest->size != asset.size) {
    return fail("asset " + asset.path + " has " + std::to_string(digest->size) +
                " bytes; the playlist says " + std::to_string(asset.size));
  }
  if (digest->sha256 != asset.sha256) {
    return fail("asset " + asset.path + " has sha256 " + digest->sha256 + "; the playlist says " +
                asset.sha256);
  }
  // A picture no player could decode within its budget is never stored (content::parse_playlist
  // says the same to the author; a file that is no picture at all is the playlist's business).
  if (auto header = picture::read_header(temp, &why);
      header && !picture::fits_budget(*header, &why)) {
    return fail("asset " + asset.path + " " + why);
  }
  if (!sync_path(temp)) return fail("cannot sync " + temp.string());
  ::chmod(temp.c_str(), 0444);
  fs::path objects = store_.options_.dir / "objects";
  if (::rename(temp.c_str(), (objects / asset.sha256).c_str()) != 0) {
    return fail("cannot move " + asset.path + " into " + objects.string() + ": " +
                std::strerror(errno));
  }
  sync_path(objects);
  return true;
}

std::optional<BundleInfo> Store::Import::commit(std::string* error) {
  std::lock_guard lock(store_.mutex_);
  const StoreOptions& options = store_.options_;
  std::string why;
  auto verdict = store_.precedence(check_, &why);
  if (verdict == CandidateCheck::Verdict::already_current) return store_.current_;
  auto fail = [&](const std::string& reason) -> std::optional<BundleInfo> {
    if (error) *error = reason;
    return std::nullopt;
  };
  if (verdict != CandidateCheck::Verdict::accept) return fail(why);
  // Each object was verified by begin() or add(); its fingerprint now lets a restart skip hashing.
  std::map<std::string, std::string> verified;
  for (const AssetRef& asset : check_.assets) {
    std::string print = fingerprint(options.dir / "objects" / asset.sha256);
    if (print.empty()) return fail("asset " + asset.path + " was not fetched");
    verified[asset.sha256] = print;
  }

  BundleInfo info;
  info.id = check_.id;
  info.revision = check_.revision;
  info.sha256 = check_.sha256;
  info.source = candidate_.source;
  info.origin = candidate_.origin;
  info.since_s = std::int64_t(std::time(nullptr));
  info.items = check_.items;
  info.expires = check_.expires;
  info.verified = verified;
  std::string name = std::to_string(info.since_s) + "-" + check_.sha256.substr(0, 16) + "-" +
                     std::to_string(++store_.temp_counter_);
  fs::path bundles = options.dir / "bundles";
  fs::path building = bundles / (".new-" + name);
  std::error_code ec;
  fs::remove_all(building, ec);
  fs::create_directories(building, ec);
  if (ec) return fail("cannot create " + building.string() + ": " + ec.message());
  nlohmann::json meta = {{"id", info.id},         {"revision", info.revision},
                         {"sha256", info.sha256}, {"source", source_name(info.source)},
                         {"origin", info.origin}, {"since", info.since_s},
                         {"items", info.items},   {"verified", info.verified}};
  if (info.expires) meta["expires"] = *info.expires;
  bool ok = create_file(building / "playlist.json", candidate_.playlist_bytes, 0644, &why) &&
            (!candidate_.signature ||
             create_file(building / "playlist.json.sig", *candidate_.signature, 0644, &why)) &&
            create_file(building / "bundle.json", meta.dump(2) + "\n", 0644, &why);
  std::set<fs::path> dirs = {building};
  for (const AssetRef& asset : check_.assets) {
    if (!ok) break;
    fs::path target = building / fs::path(asset.path).lexically_normal();
    fs::create_directories(target.parent_path(), ec);
    for (fs::path d = target.parent_path(); d != building && dirs.insert(d).second;
         d = d.parent_path()) {
    }
    if (::link((options.dir / "objects" / asset.sha256).c_str(), target.c_str()) != 0) {
      ok = false;
      why = "cannot link " + asset.path + " into the bundle: " + std::strerror(errno);
    }
  }
  for (const fs::path& d : dirs) ok = ok && sync_path(d);
  info.dir = bundles / name;
  if (!ok || ::rename(building.c_str(), info.dir.c_str()) != 0 || !sync_path(bundles)) {
    fs::remove_all(building, ec);
    return fail(why.empty() ? "cannot write the bundle into " + bundles.string() : why);
  }
  // previous first: a crash between the two renames leaves current and previous the same.
  if (store_.current_) {
    replace_symlink(options.dir / "previous",
                    fs::path("bundles") / store_.current_->dir.filename());
  }
  if (!replace_symlink(options.dir / "current", fs::path("bundles") / name)) {
    return fail("cannot switch " + (options.dir / "current").string() + ": " +
                std::strerror(errno));
  }
  sync_path(options.dir);
  store_.current_ = info;
  store_.collect_garbage(/*keep_previous=*/true);
  return info;
}

// Bundles other than current (and previous), then objects no bundle links to and no import pins.
void Store::collect_garbage(bool keep_previous) {
  std::error_code ec;
  std::set<std::string> keep;
  for (const char* link : {"current", "previous"}) {
    if (!keep_previous && std::string(link) == "previous") {
      fs::remove(options_.dir / link, ec);
      continue;
    }
    fs::path target = fs::read_symlink(options_.dir / link, ec);
    if (!ec) keep.insert(target.filename().string());
  }
  for (const auto& entry : fs::directory_iterator(options_.dir / "bundles", ec)) {
    std::string name = entry.path().filename().string();
    if (!keep.count(name) && !name.starts_with(".new-")) fs::remove_all(entry.path(), ec);
  }
  for (const auto& entry : fs::directory_iterator(options_.dir / "objects", ec)) {
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0) continue;
    if (st.st_nlink <= 1 && !pinned_.count(entry.path().filename().string())) {
      fs::remove(entry.path(), ec);
    }
  }
}

}  // namespace signage::sync
