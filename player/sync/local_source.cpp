#include "sync/local_source.h"

#include <sys/stat.h>

#include <memory>

namespace signage::sync {

namespace fs = std::filesystem;

std::string file_identity(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

LocalIdentity local_identity(const fs::path& dir, const std::vector<std::string>& assets) {
  std::error_code ec;
  fs::path real = fs::canonical(dir, ec);
  if (ec) return {};
  LocalIdentity id;
  id.folder = real.string() + "|" + file_identity(real / "playlist.json") + "|" +
              file_identity(real / "playlist.json.sig");
  for (const std::string& asset : assets) id.assets += file_identity(real / asset) + "|";
  return id;
}

ImportOutcome import_local(Store& store, const fs::path& dir, const std::atomic<bool>& stop) {
  std::error_code ec;
  fs::path real = fs::canonical(dir, ec);
  struct stat st {};
  if (ec || ::stat(real.c_str(), &st) != 0) {
    ImportOutcome outcome;
    outcome.error = dir.string() + ": no bundle there yet (" +
                    (ec ? ec.message() : std::string("it went away")) + ")";
    return outcome;
  }
  FolderImport from;
  from.source = Source::local;
  from.folder = real;
  from.words = {"the bundle folder", "in the bundle folder", "the bundle folder",
                "needs a real folder"};
  const std::string gone = dir.string() +
                           ": the folder was removed or replaced while copying; nothing was "
                           "imported and the current content keeps playing";
  from.gone = [real, device = st.st_dev, inode = st.st_ino, gone] {
    struct stat now {};
    bool same = ::stat(real.c_str(), &now) == 0 && now.st_dev == device && now.st_ino == inode;
    return same ? std::string() : gone;
  };
  return import_folder(store, from, nullptr, stop);
}

}  // namespace signage::sync
