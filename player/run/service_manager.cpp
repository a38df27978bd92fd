// sd_notify for the player and the studio: see service_manager.h.
#include "run/service_manager.h"

#include <pthread.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <utility>

namespace signage::run {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// One line for STATUS=: a newline in a playlist's title must not start another assignment
// (READY=1, MAINPID=...) in the datagram.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

// At most `max` bytes, cut at a UTF-8 character boundary, "..." when cut.
std::string shortened(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

}  // namespace

std::unique_ptr<ServiceNotifier> ServiceNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (!socket || !*socket) return nullptr;
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) usec = 0;
  return std::unique_ptr<ServiceNotifier>(new ServiceNotifier(std::chrono::microseconds(usec)));
}

ServiceNotifier::ServiceNotifier(std::chrono::microseconds watchdog)
    : watchdog_(watchdog), thread_([this] { thread_main(); }) {}

ServiceNotifier::~ServiceNotifier() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::heartbeat() {
  heartbeat_ns_.store(now_ns(), std::memory_order_relaxed);
}

bool ServiceNotifier::post_status(std::string_view status) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  pending_ = (ready_sent_ ? "STATUS=" : "READY=1\nSTATUS=") + one_line(status);
  ready_sent_ = true;
  lock.unlock();
  wake_.notify_one();
  return true;
}

void ServiceNotifier::thread_main() {
  pthread_setname_np(pthread_self(), "sd-notify");
  const auto half = watchdog_ / 2;
  auto next_ping = Clock::now() + half;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!pending_.empty()) {
      std::string message = std::exchange(pending_, {});
      lock.unlock();
      if (auto at = message.find("STATUS="); at != std::string::npos) {
        last_status_ = message.substr(at);
      }
      if (!stalled_) sd_notify(0, message.c_str());  // a stalled loop posts nothing anyway
      lock.lock();
      continue;
    }
    if (watchdog_.count() > 0 && Clock::now() >= next_ping) {
      lock.unlock();
      watchdog_tick();
      lock.lock();
      next_ping = Clock::now() + half;
      continue;
    }
    if (watchdog_.count() > 0) {
      wake_.wait_until(lock, next_ping, [&] { return stop_ || !pending_.empty(); });
    } else {
      wake_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    }
  }
}

// WATCHDOG=1 only when the frame loop's heartbeat is younger than half the watchdog time: a hung
// loop misses pings for the other half and the whole of WatchdogSec, then systemd restarts it.
void ServiceNotifier::watchdog_tick() {
  const std::int64_t beat = heartbeat_ns_.load(std::memory_order_relaxed);
  if (beat == 0) return;  // starting: systemd's watchdog begins with READY=1
  const auto age = std::chrono::nanoseconds(now_ns() - beat);
  if (age < watchdog_ / 2) {
    if (stalled_) {
      stalled_ = false;
      sd_notify(0, last_status_.c_str());
    }
    sd_notify(0, "WATCHDOG=1");
    return;
  }
  if (!stalled_) {
    stalled_ = true;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
    sd_notify(0, ("STATUS=stalled: no frame for " + std::to_string(seconds) +
                  " s; no watchdog pings, so systemd restarts the player")
                     .c_str());
  }
}

void notify_service_manager(const std::string& state) {
  if (const char* socket = std::getenv("NOTIFY_SOCKET"); socket && *socket) {
    sd_notify(0, state.c_str());
  }
}

std::string playing_status(const content::Playlist& playlist, std::optional<std::size_t> item,
                           bool alert) {
  const std::string revision = " (revision " + std::to_string(playlist.revision) + ")";
  if (!item || *item >= playlist.items.size()) {
    if (playlist.items.empty()) return "waiting for content: nothing to play yet";
    return "nothing to show now (every item is outside its schedule)" + revision;
  }
  const content::Item& shown = playlist.items[*item];
  std::string text = std::string(alert ? "alert " : "playing ") + std::to_string(*item + 1) + "/" +
                     std::to_string(playlist.items.size()) + " \"" + shortened(shown.id, 60) + "\"";
  if (!shown.title.empty()) text += ": " + shortened(shown.title, 90);
  return one_line(text + revision);
}

std::string display_off_status(const std::optional<content::DisplayHours>& hours,
                               const content::Playlist& playlist, std::int64_t now_s) {
  constexpr std::int64_t kMinute = 60, kLookAhead = 8 * 24 * 3600;
  for (std::int64_t t = (now_s / kMinute + 1) * kMinute; t <= now_s + kLookAhead; t += kMinute) {
    if (content::display_decision(hours, playlist, t).on) {
      const std::string at = content::format_instant(t, playlist.timezone);  // ISO 8601
      return "display off until " + at.substr(0, 10) + " " + at.substr(11, 5) + " (display hours)";
    }
  }
  return "display off (display hours; not on again within 8 days)";
}

}  // namespace signage::run
