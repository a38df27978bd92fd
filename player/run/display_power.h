// Turning the screen itself off and on (display hours): the installer's display_off_command and
// display_on_command from player.conf (never from a playlist: content from the network must not
// run commands), run on a thread of their own so the frame loop never waits for them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace signage::run {

struct DisplayCommands {
  std::string off;        // run with /bin/sh -c when the screen turns off; empty: none
  std::string on;         // ... when it turns on (also at start when it is on then)
  double timeout_s = 30;  // then the command's process group is killed
};

// What one command did, for tests and the log.
struct CommandResult {
  bool started = false;
  bool timed_out = false;
  int exit_status = -1;  // the exit code, or 128 + the signal that ended it
};

// Runs `command` with /bin/sh -c in a process group of its own, stdin from /dev/null, its
// output (stdout and stderr) logged to stderr line by line as "signage-player: NAME: ...". Kills
// the group after `timeout_s`. Blocks until the command is over.
CommandResult run_logged_command(const std::string& name, const std::string& command,
                                 double timeout_s);

// The screen's power as the frame loop wants it. set() never waits for a command: a thread runs
// the command for the newest wanted state when it differs from the last one run, so a quick
// off-on while a command runs ends with the screen on.
class DisplayPower {
 public:
  explicit DisplayPower(DisplayCommands commands);
  ~DisplayPower();  // waits for a running command (at most its timeout), then stops the thread
  DisplayPower(const DisplayPower&) = delete;
  DisplayPower& operator=(const DisplayPower&) = delete;

  void set(bool on);
  std::uint64_t commands_run() const;  // finished so far

 private:
  void thread_main();
  DisplayCommands commands_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<bool> wanted_, applied_;
  bool stop_ = false;
  std::uint64_t run_ = 0;
  std::thread thread_;
};

}  // namespace signage::run
