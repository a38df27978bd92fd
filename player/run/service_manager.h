// Telling systemd how the player is doing (sd_notify from libsystemd; the player runs as a
// Type=notify service with WatchdogSec=, platform/raspberry-pi/signage-player.service):
//   READY=1   once the first frame is on the screen (systemctl start returns then);
//   STATUS=   what is playing, "waiting for content", "display off until ...": systemctl status;
//   WATCHDOG=1 only while the frame loop keeps its pace, so a hung frame loop or a stuck display
//             driver stops the pings and systemd restarts the service.
//
//   frame loop (run's frame hook)            notifier thread (ServiceNotifier)
//   ------------------------------------     ------------------------------------------------
//   heartbeat(): one atomic store a frame    every WATCHDOG_USEC/2: WATCHDOG=1 when the
//   (or an idle tick while the screen is     heartbeat is younger than WATCHDOG_USEC/2; else
//   off)                                     no ping, and STATUS= says the loop is stalled
//   post_status(): try_lock, never waits     sends what was posted (a send may block: here,
//                                            never in the frame loop)
//
// Without NOTIFY_SOCKET (a run by hand, the tests) nothing is created and nothing is sent.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "content/content.h"

namespace signage::run {

class ServiceNotifier {
 public:
  // Null when no service manager asked for notifications (NOTIFY_SOCKET unset). The watchdog is
  // on when sd_watchdog_enabled says so (WATCHDOG_USEC set, WATCHDOG_PID unset or this process).
  static std::unique_ptr<ServiceNotifier> from_environment();
  ~ServiceNotifier();  // sends STOPPING=1 and joins the thread
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // The frame loop's pulse: after each presented frame, or each idle tick while the screen is
  // off. One relaxed atomic store.
  void heartbeat();

  // What is on the screen now (one line; control characters become spaces). The first one also
  // says READY=1. Never waits: false when the notifier thread holds the hand-over at that
  // moment (post it again on the next frame).
  bool post_status(std::string_view status);

  std::chrono::microseconds watchdog_interval() const { return watchdog_; }  // 0: none

 private:
  explicit ServiceNotifier(std::chrono::microseconds watchdog);
  void thread_main();
  void watchdog_tick();

  const std::chrono::microseconds watchdog_;
  std::atomic<std::int64_t> heartbeat_ns_{0};  // steady clock; 0: no frame yet
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;      // the next message to send (under mutex_)
  bool stop_ = false;        // (under mutex_)
  bool ready_sent_ = false;  // the frame loop's side: READY=1 went with a status
  std::string last_status_;  // the notifier thread's: what to say again after a stall
  bool stalled_ = false;     // the notifier thread's
  std::thread thread_;
};

// One message to the service manager from a thread that may wait (the studio's main thread):
// "READY=1\nSTATUS=...", "STOPPING=1". Nothing without NOTIFY_SOCKET.
void notify_service_manager(const std::string& state);

// STATUS= texts. The item shown (nullopt: the fallback or waiting screen), as
// `playing 3/12 "id": title (revision 7)`, the title cut to a few dozen characters.
std::string playing_status(const content::Playlist& playlist, std::optional<std::size_t> item,
                           bool alert);
// The screen is off (display hours): when it comes on again, looked for minute by minute up to
// eight days ahead with content::display_decision ("display off until 2025-03-04 07:30 ...").
std::string display_off_status(const std::optional<content::DisplayHours>& hours,
                               const content::Playlist& playlist, std::int64_t now_s);

}  // namespace signage::run
