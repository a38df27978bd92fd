// Screenshots asked for over MQTT: scaled down and encoded off the frame loop.
#include "screenshots.h"

#include <algorithm>
#include <cmath>

#include "render/render.h"

namespace signage {

ScreenshotWorker::ScreenshotWorker(sync::Sync& sync) : sync_(sync), thread_([this] { main(); }) {}

ScreenshotWorker::~ScreenshotWorker() {
  stop();
}

void ScreenshotWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScreenshotWorker::take(sync::ScreenshotRequest request, text::RgbaImage frame) {
  {
    std::lock_guard lock(mutex_);
    // A flood of requests holds at most two frames; the rest time out in sync with an error.
    if (queue_.size() >= 2) return;
    queue_.emplace_back(std::move(request), std::move(frame));
  }
  wake_.notify_all();
}

std::function<void(const sync::ScreenshotRequest&)> ScreenshotWorker::on_request(
    run::Player& player) {
  return [this, &player](const sync::ScreenshotRequest& request) {
    player.request_frame_copy(
        [this, request](text::RgbaImage frame) { take(request, std::move(frame)); });
  };
}

void ScreenshotWorker::main() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto [request, frame] = std::move(queue_.front());
    queue_.erase(queue_.begin());
    lock.unlock();
    const int width = std::min(request.width, frame.width);
    const int height = std::max(1, int(std::lround(double(frame.height) * width / frame.width)));
    auto png = render::encode_png(render::downscale(frame, width, height), 6);
    sync_.screenshot_ready(request.id, png, png ? "" : "the frame could not be encoded");
    lock.lock();
  }
}

}  // namespace signage
