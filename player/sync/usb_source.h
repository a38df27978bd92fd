// The USB source: sticks mounted under the USB roots, watched through /proc/self/mountinfo.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
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
};

// Imports `mount_point`/signage/ into the store: reads playlist.json (+ .sig), lets the store
// check it, copies the missing assets (refusing symlinks that leave the bundle, device files and
// oversized files), and commits. When the stick disappears mid-copy (the mount point is gone or
// no longer the same device), the import is abandoned and the current content stays.
ImportOutcome import_stick(Store& store, const std::filesystem::path& mount_point,
                           const std::function<void(const ImportProgress&)>& progress,
                           const std::atomic<bool>& stop);

}  // namespace signage::sync
