// The store: the state directory that holds verified bundles. Used by the sources in this folder.
//
//   STATE/objects/<sha256>          every asset once, by content hash (read-only files)
//   STATE/bundles/<name>/           playlist.json (+ .sig), bundle.json (where it came from) and
//                                   the assets at their relative paths, hard links into objects/
//   STATE/current, STATE/previous   symbolic links to bundles/<name>, replaced by rename()
//   STATE/tmp/                      downloads and copies in progress; emptied at open
//
// Every step is write, fsync, rename, fsync the directory, so after a crash at any moment
// `current` names a complete bundle (old or new). Objects that no kept bundle links to (link
// count 1) are removed after each switch; only the current and the previous bundle are kept.
//
// bundle.json records each object's inode, size and mtime when it was verified, so a restart
// can show the stored content without hashing it first (Verify::quick); a full check follows.
// An object is hashed again before it is reused, and removed when damaged. A folder that cannot
// be written opens read-only: stored content plays, nothing new is stored.
//
// Thread-safe: the HTTP and USB threads may import at the same time; switches are serialized.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sync/sync.h"

namespace signage::sync {

struct AssetRef {
  std::string path;  // relative to the bundle, as the playlist writes it
  std::uint64_t size = 0;
  std::string sha256;
};

// A playlist.json (and its signature) as a source found it, before anything is trusted.
struct Candidate {
  Source source = Source::local;
  std::string origin;  // the URL or the folder, for messages and status
  std::string file;  // how diagnostics name playlist.json, e.g. "/media/usb/signage/playlist.json"
  std::string playlist_bytes;
  std::optional<std::string> signature;  // playlist.json.sig; nullopt when the source has none
};

// What the store thinks of a candidate.
struct CandidateCheck {
  enum class Verdict {
    accept,           // take it: fetch the missing assets, then commit
    already_current,  // the same bytes are playing: nothing to do
    superseded,       // valid, but the current content wins (see sync.h); `error` says why
    invalid,          // `error` says what is wrong (signature, playlist, sizes, space)
  };
  Verdict verdict = Verdict::invalid;
  std::string error;                             // one or more lines, "FILE:LINE:COL: error: ..."
  std::vector<content::Diagnostic> diagnostics;  // the playlist's, errors and warnings
  std::string sha256;                            // of playlist_bytes
  std::string id;
  std::int64_t revision = 0;
  std::optional<std::int64_t> expires;
  std::size_t items = 0;
  std::vector<AssetRef> assets;  // every asset the playlist lists
  std::string current_sha256;    // of the bundle current when it was checked; empty: none
};

// How much of a stored bundle load_current checks.
enum class Verify {
  full,   // every asset's bytes against its sha256
  quick,  // assets whose file still matches the record made when they were verified: trusted
};

struct StoreOptions {
  std::filesystem::path dir;
  std::uint64_t max_bytes = 1ull << 30;
  std::vector<PublicKey> public_keys;         // any of them; empty: signatures are not needed
  std::string channel;                        // non-empty: only playlists with this "id"
  std::uint64_t reserve_bytes = 16ull << 20;  // free space left on the file system after a fetch
  // Tests: called by a full check before it reads a bundle's assets.
  std::function<void()> before_full_check;
};

class Store {
 public:
  static std::unique_ptr<Store> open(const StoreOptions& options, std::string* error);

  const std::filesystem::path& dir() const { return options_.dir; }
  // A public key is configured: every candidate needs its playlist.json.sig.
  bool requires_signature() const { return !options_.public_keys.empty(); }
  // The folder could not be written (a card remounted read-only): what is stored can be played,
  // nothing new can be stored. `read_only_reason` says why.
  bool read_only() const { return !read_only_reason_.empty(); }
  // Abandons a full check in progress (the player is quitting); it changes nothing then.
  void stop_checks() { stopping_ = true; }
  const std::string& read_only_reason() const { return read_only_reason_; }
  // The bundle that plays: none when no stored bundle loads (then any valid candidate wins).
  std::optional<BundleInfo> current() const;
  // The current bundle's playlist, loaded from the store and verified; falls back to the
  // previous bundle when the current one fails (reported in `problem`). Null when none loads:
  // then current() is empty too, so a broken bundle never decides which content wins. Objects
  // found damaged are removed, so the next import fetches them again. The assets are hashed
  // without blocking imports: when another bundle became current meanwhile, this returns null
  // and changes nothing (as when stopped). `loaded`: the bundle whose playlist is returned.
  std::shared_ptr<const content::Playlist> load_current(
      std::string* problem, Verify verify = Verify::full,
      std::optional<BundleInfo>* loaded = nullptr);
  // A bundle's playlist after checking it all again: its bytes against the sha256, the
  // signature (with a public key), the playlist rules and every asset's size and sha256.
  std::shared_ptr<const content::Playlist> load_bundle(const BundleInfo& info,
                                                       std::string* problem) const {
    return verify_bundle(info, problem, Verify::full);
  }

  CandidateCheck check(const Candidate& candidate) const;

  // One candidate being brought in: pins its assets against collection until it ends.
  class Import {
   public:
    ~Import();
    // Assets not yet in the store, and their total size.
    const std::vector<AssetRef>& missing() const { return missing_; }
    std::uint64_t missing_bytes() const;
    // A fresh file name in STATE/tmp for a download or a copy.
    std::filesystem::path temp_path();
    // Takes a downloaded or copied file in: checks its size and sha256 against `asset`, fsyncs it
    // and moves it to objects/. False with the reason (the temp file is removed either way).
    bool add(const AssetRef& asset, const std::filesystem::path& temp, std::string* error);
    // Every asset present: writes the bundle and makes it current. Returns it, or nullopt with
    // the reason (the current bundle stays).
    std::optional<BundleInfo> commit(std::string* error);

   private:
    friend class Store;
    Import(Store& store, Candidate candidate, CandidateCheck check);
    Store& store_;
    Candidate candidate_;
    CandidateCheck check_;
    std::vector<AssetRef> missing_;
  };
  // For a check with verdict accept. Null with the reason when there is not enough room (the
  // store's size cap, or free space on the file system).
  std::unique_ptr<Import> begin(const Candidate& candidate, const CandidateCheck& check,
                                std::string* error);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

 private:
  explicit Store(StoreOptions options) : options_(std::move(options)) {}
  // Reads files only (and removes an object found damaged): needs no lock.
  std::shared_ptr<const content::Playlist> verify_bundle(const BundleInfo& info,
                                                         std::string* problem, Verify verify) const;
  // These expect mutex_ held.
  std::optional<BundleInfo> read_bundle_info(const std::filesystem::path& link) const;
  CandidateCheck::Verdict precedence(const CandidateCheck& check, std::string* why) const;
  // The object is there and its bytes match (a damaged one is removed: false).
  bool has_object(const AssetRef& asset) const;
  // Removes objects/<sha256> when it is the damaged `file` itself.
  void remove_damaged(const std::string& sha256, const std::filesystem::path& file) const;
  std::uint64_t objects_bytes() const;
  void collect_garbage(bool keep_previous);
  StoreOptions options_;
  mutable std::mutex mutex_;
  std::multiset<std::string> pinned_;  // sha256 of assets in imports that have not ended
  std::optional<BundleInfo> current_;
  std::uint64_t temp_counter_ = 0;
  std::string read_only_reason_;
  std::atomic<bool> stopping_{false};
};

}  // namespace signage::sync
