// Screenshots asked for over MQTT (signage-player run): the frame loop hands over one copy of a
// frame; a thread of this worker scales it down and encodes the PNG (never the frame loop), and
// gives it to sync.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "run/player.h"
#include "sync/sync.h"

namespace signage {

class ScreenshotWorker {
 public:
  explicit ScreenshotWorker(sync::Sync& sync);
  ~ScreenshotWorker();  // stop()
  ScreenshotWorker(const ScreenshotWorker&) = delete;
  ScreenshotWorker& operator=(const ScreenshotWorker&) = delete;

  // Joins the thread: no call into sync after it (take() still queues, for nothing).
  void stop();
  // On the render thread: only hands the image over.
  void take(sync::ScreenshotRequest request, text::RgbaImage frame);
  // Sync's on_screenshot: asks `player` for a copy of its next frame, handed to take(). Both
  // must outlive the sync that calls it.
  std::function<void(const sync::ScreenshotRequest&)> on_request(run::Player& player);

 private:
  void main();

  sync::Sync& sync_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::pair<sync::ScreenshotRequest, text::RgbaImage>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace signage
