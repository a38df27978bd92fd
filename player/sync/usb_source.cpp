// Placeholder until the USB source lands.
#include "sync/usb_source.h"

namespace signage::sync {

std::unique_ptr<MountWatcher> MountWatcher::open(std::vector<std::filesystem::path>,
                                                 std::string* error) {
  if (error) *error = "the USB source is not built yet";
  return nullptr;
}
MountWatcher::~MountWatcher() = default;
std::vector<std::filesystem::path> MountWatcher::mounts() const { return {}; }
bool MountWatcher::wait(int, const std::atomic<bool>&) { return false; }

ImportOutcome import_stick(Store&, const std::filesystem::path&,
                           const std::function<void(const ImportProgress&)>&,
                           const std::atomic<bool>&) {
  ImportOutcome outcome;
  outcome.error = "the USB source is not built yet";
  return outcome;
}

}  // namespace signage::sync
