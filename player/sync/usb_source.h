// The USB source: sticks mounted under the USB roots, watched through /proc/self/mountinfo; and
// the import of a bundle folder it shares with the local source (local_source.h).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sync/store.h"

namespace signage::sync {

// Mount points under the roots; wait() sleeps in poll() on /proc/self/mountinfo (the kernel
// flags it when the mount table changes), never a busy loop.
class MountWatcher {
 public:
  static std::unique_ptr<MountWatcher> open(std::vector<std::filesystem::path> roots,
                                            std::string* error);
  ~MountWatcher();
  // Mount points at or below a root, as the mount table lists them now.
  std::vector<std::filesystem::path> mounts() const;
  // Returns true when the mount table changed, false after `timeout_ms` or when `stop` is set.
  bool wait(int timeout_ms, const std::atomic<bool>& stop);

 private:
  MountWatcher() = default;
  std::vector<std::filesystem::path> roots_;
  int fd_ = -1;
};

struct ImportProgress {
  std::uint64_t bytes_done = 0, bytes_total = 0;
  std::size_t files_done = 0, files_total = 0;
};

struct ImportOutcome {
  bool found = false;  // the mount has signage/playlist.json
  bool imported = false;
  bool already_current = false;
  std::string error;  // the exact problem (file, line, field), for the screen and the log
  std::optional<BundleInfo> installed;
  std::vector<std::string> assets;  // the asset paths the playlist lists (once it was read)
};

// How messages name the place an import reads from.
struct FolderWords {
  std::string place = "the stick";            // "on another file system than the stick"
  std::string on_place = "on the stick";      // "no such file on the stick"
  std::string folder = "the signage folder";  // "outside the signage folder"
  std::string needs = "needs a real folder";  // after "a symbolic link; " when it is no folder
};

// A bundle folder to import, and how to tell it went away in the middle.
struct FolderImport {
  Source source = Source::usb;
  std::filesystem::path folder;  // playlist.json (+ .sig) and the assets; not a symbolic link
  std::string origin;            // for status and bundle.json; empty: the folder
  FolderWords words;
  // "" while the place is there; else what to report (a pulled stick, a removed folder).
  std::function<std::string()> gone;
  std::optional<std::uint64_t> device;  // the folder must be on this file system (the stick's)
};

// Imports a folder into the store with the rules of every source: reads playlist.json (+ .sig),
// lets the store check it (signature, revision, playlist rules), copies the missing assets
// (refusing symbolic links that leave the folder, device files, files larger than declared or
// whose sha256 differs) and commits. Anything that changes or goes away mid-copy abandons the
// import: the current content stays.
ImportOutcome import_folder(Store& store, const FolderImport& from,
                            const std::function<void(const ImportProgress&)>& progress,
                            const std::atomic<bool>& stop);

// Imports `mount_point`/signage/ (import_folder). When the stick disappears mid-copy (the mount
// point is gone or no longer the same device), the import is abandoned and the current content
// stays. `found` is false when the stick has no signage/playlist.json.
ImportOutcome import_stick(Store& store, const std::filesystem::path& mount_point,
                           const std::function<void(const ImportProgress&)>& progress,
                           const std::atomic<bool>& stop);

}  // namespace signage::sync
