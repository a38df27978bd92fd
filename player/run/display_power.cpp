#include "run/display_power.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <utility>

extern char** environ;

namespace signage::run {
namespace {

// A file descriptor closed when it goes.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

struct SpawnAttributes {
  posix_spawnattr_t attributes;
  SpawnAttributes() { posix_spawnattr_init(&attributes); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
};

constexpr std::size_t kMaxLoggedBytes = 4096;  // a chatty command does not flood the journal

// Logs whole lines of `pending` (the rest waits for more output), at most kMaxLoggedBytes in all.
void log_lines(const std::string& name, std::string& pending, std::size_t& logged, bool end) {
  std::size_t start = 0;
  while (true) {
    auto newline = pending.find('\n', start);
    if (newline == std::string::npos && !(end && start < pending.size())) break;
    if (newline == std::string::npos) newline = pending.size();
    const std::string line = pending.substr(start, newline - start);
    if (logged < kMaxLoggedBytes && !line.empty()) {
      std::cerr << "signage-player: " << name << ": " << line << "\n";
      logged += line.size();
      if (logged >= kMaxLoggedBytes) {
        std::cerr << "signage-player: " << name << ": (more output not logged)\n";
      }
    }
    start = std::min(newline + 1, pending.size());
  }
  pending.erase(0, start);
}

}  // namespace

CommandResult run_logged_command(const std::string& name, const std::string& command,
                                 double timeout_s) {
  CommandResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::cerr << "signage-player: " << name << " not run: pipe: " << std::strerror(errno) << "\n";
    return result;
  }
  Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  SpawnActions actions;
  posix_spawn_file_actions_addopen(&actions.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions.actions, write_end.fd, 1);
  posix_spawn_file_actions_adddup2(&actions.actions, write_end.fd, 2);
  SpawnAttributes attributes;
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes.attributes, &none);
  posix_spawnattr_setpgroup(&attributes.attributes, 0);  // its own group: killed whole
  posix_spawnattr_setflags(&attributes.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  const auto started = std::chrono::steady_clock::now();
  if (int e = posix_spawn(&pid, "/bin/sh", &actions.actions, &attributes.attributes,
                          const_cast<char**>(argv), environ);
      e != 0) {
    std::cerr << "signage-player: " << name << " not run: " << std::strerror(e) << "\n";
    return result;
  }
  result.started = true;
  { Fd closed(std::exchange(write_end.fd, -1)); }  // the child's copies remain
  const auto deadline = started + std::chrono::milliseconds(std::int64_t(timeout_s * 1000));
  std::string pending;
  std::size_t logged = 0;
  char buffer[1024];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{read_end.fd, POLLIN, 0};
    const int ready = poll(&p, 1, int(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t got = read(read_end.fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // every writer closed its end: the command (and its children) ended
    pending.append(buffer, std::size_t(got));
    if (pending.size() > 2 * kMaxLoggedBytes) pending.erase(0, pending.size() - kMaxLoggedBytes);
    log_lines(name, pending, logged, false);
  }
  log_lines(name, pending, logged, true);
  if (result.timed_out) kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (result.timed_out) {
    std::cerr << "signage-player: " << name << " did not finish within " << timeout_s
              << " s; killed\n";
  } else {
    std::cerr << "signage-player: " << name << " exited with status " << result.exit_status
              << " after " << int(took * 1000) << " ms\n";
  }
  return result;
}

DisplayPower::DisplayPower(DisplayCommands commands) : commands_(std::move(commands)) {
  if (!commands_.off.empty() || !commands_.on.empty()) {
    thread_ = std::thread([this] { thread_main(); });
  }
}

DisplayPower::~DisplayPower() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DisplayPower::set(bool on) {
  {
    std::lock_guard lock(mutex_);
    if (wanted_ == on) return;
    wanted_ = on;
  }
  wake_.notify_all();
}

std::uint64_t DisplayPower::commands_run() const {
  std::lock_guard lock(mutex_);
  return run_;
}

void DisplayPower::thread_main() {
  std::unique_lock lock(mutex_);
  while (true) {
    // The last wanted state is applied before stopping: a screen turned off stays off.
    wake_.wait(lock, [&] { return stop_ || wanted_ != applied_; });
    if (wanted_ == applied_) return;
    const bool on = *wanted_;
    applied_ = on;
    const std::string& command = on ? commands_.on : commands_.off;
    if (command.empty()) continue;
    lock.unlock();
    run_logged_command(on ? "display_on_command" : "display_off_command", command,
                       commands_.timeout_s);
    lock.lock();
    ++run_;
  }
}

}  // namespace signage::run
