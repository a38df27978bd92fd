// The local source: a bundle folder on this machine, typically the studio's
// <data dir>/published, a symbolic link to revisions/rN that the studio replaces with one rename.
// The sync thread looks at the folder's identity every second (a few stat calls) and imports a
// changed bundle with the rules of every source (import_folder).
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "sync/usb_source.h"

namespace signage::sync {

// Device, inode, size and modification time of a file ("" when there is none).
std::string file_identity(const std::filesystem::path& file);

// What tells one state of a local folder from another. `folder`: where `dir` leads now and the
// identity of its playlist.json and .sig. `assets`: the identity of each of `assets` (the files
// a failed import listed, so a hand-made folder still being copied is tried again once they
// change).
struct LocalIdentity {
  std::string folder, assets;
  bool operator==(const LocalIdentity&) const = default;
};
LocalIdentity local_identity(const std::filesystem::path& dir,
                             const std::vector<std::string>& assets);

// Imports the bundle `dir` leads to now. The symbolic link is resolved once, so a link replaced
// mid-import cannot mix two revisions; a folder removed or replaced mid-import abandons it.
// `found` is false when `dir` does not exist (nothing published yet; `error` says so).
ImportOutcome import_local(Store& store, const std::filesystem::path& dir,
                           const std::atomic<bool>& stop);

}  // namespace signage::sync
