// The USB source: mounts under the USB roots, seen through /proc/self/mountinfo, and the import of
// a stick's signage/ folder into the store. Whatever the stick holds is untrusted: every file is
// opened without following symbolic links out of the bundle, only regular files are read, and
// nothing is read past the size the playlist declares.
#include "sync/usb_source.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "files/files.h"

namespace signage::sync {

using files::read_fd;
namespace fs = std::filesystem;

namespace {

// Owns a file descriptor.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd = std::exchange(other.fd, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  explicit operator bool() const { return fd >= 0; }
};

// A file in STATE/tmp that is removed unless handed on (to Import::add, which removes it itself).
struct TempFile {
  fs::path path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
  fs::path release() { return std::exchange(path, {}); }
};

// Reads `fd` from offset 0 to the end (the kernel regenerates /proc files on each read).
std::string read_from_start(int fd) {
  std::string text;
  if (::lseek(fd, 0, SEEK_SET) < 0) return text;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, std::size_t(n));
  }
  return text;
}

// mountinfo writes space, tab, newline and backslash in paths as \040, \011, \012, \134.
std::string unescape_octal(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      auto octal = [](char c) { return c >= '0' && c <= '7'; };
      if (octal(field[i + 1]) && octal(field[i + 2]) && octal(field[i + 3])) {
        out += char((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

// Every mount point in a mountinfo text (field 5 of each line).
std::vector<fs::path> parse_mountinfo(std::string_view text) {
  std::vector<fs::path> points;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::size_t start = 0;
    for (int field = 0; field < 4 && start != std::string_view::npos; ++field) {
      start = line.find(' ', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos) continue;
    std::string_view point = line.substr(start, line.find(' ', start) - start);
    if (!point.empty()) points.emplace_back(unescape_octal(point));
  }
  return points;
}

std::vector<fs::path> read_mount_points() {
  Fd fd(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  return parse_mountinfo(read_from_start(fd.fd));
}

// `path` is `root` or below it (both absolute and normal).
bool is_within(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing slash
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

fs::path canonical_or_normal(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  fs::path canonical = fs::weakly_canonical(absolute, ec);
  return (ec ? absolute : canonical).lexically_normal();
}

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device file";
  if (S_ISBLK(mode)) return "a block device file";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// What the import knows about the stick it reads from, to tell a pulled stick from a bad file.
struct Stick {
  fs::path mount_point;
  dev_t device = 0;
  bool listed = false;  // in the mount table at the start (a plain folder is not)

  bool gone() const {
    struct stat st {};
    if (::stat(mount_point.c_str(), &st) != 0 || st.st_dev != device) return true;
    if (!listed) return false;
    auto points = read_mount_points();
    return std::find(points.begin(), points.end(), mount_point) == points.end();
  }
};

constexpr const char* kRemoved =
    "the stick was removed while copying; nothing was imported and the current content keeps "
    "playing";

// Opens `inside` (a path without symbolic links) below the folder `dir_fd` with openat2: the
// kernel refuses "..", symbolic links and mount points on the way, so a link swapped in after the
// checks cannot lead out. Without openat2 (see below) the canonical path `real` is
// opened with O_NOFOLLOW (its last component cannot be a link) and the caller's device check
// catches a path that leaves the stick.
Fd open_beneath(int dir_fd, const fs::path& inside, const fs::path& real, int flags) {
  open_how how{};
  how.flags = std::uint64_t(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  long fd = ::syscall(SYS_openat2, dir_fd, inside.c_str(), &how, sizeof how);
  // ENOSYS: a kernel before 5.6. EPERM: a seccomp policy written before openat2 existed
  // (container runtimes, systemd's SystemCallFilter=) refuses what it does not know.
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
    return Fd(::open(real.c_str(), flags | O_NOFOLLOW));
  }
  return Fd(int(fd));
}

// Where files are read from: the stick's signage folder (or a local bundle folder), open.
struct Bundle {
  fs::path path;  // mount_point/signage
  fs::path real;  // canonical
  Fd fd;          // the folder itself
  dev_t device = 0;
  const FolderWords* words = nullptr;
};

// Opens `bundle`/`relative` for reading, refusing what a stick should not hand us: a path that
// leaves the bundle, a symbolic link whose target is outside it, a file on another file system
// than the stick, anything but a regular file. On failure returns an empty Fd and the reason.
Fd open_in_bundle(const Bundle& b, const std::string& relative, struct stat* st, std::string* why) {
  const fs::path& bundle = b.path;
  const fs::path& bundle_real = b.real;
  fs::path rel(relative);
  if (relative.empty() || rel.is_absolute() || rel.has_root_name()) {
    *why = "an absolute path; assets are named relative to " + b.words->folder;
    return Fd();
  }
  for (const fs::path& part : rel) {
    if (part == "..") {
      *why = "the path leaves " + b.words->folder + " with \"..\"";
      return Fd();
    }
  }
  fs::path full = bundle / rel;
  std::error_code ec;
  fs::path real = fs::canonical(full, ec);
  if (ec) {
    if (::lstat(full.c_str(), st) == 0 && S_ISLNK(st->st_mode)) {
      *why = "a symbolic link that leads nowhere";
    } else {
      *why = ec == std::errc::no_such_file_or_directory ? "no such file " + b.words->on_place
                                                        : "cannot open it: " + ec.message();
    }
    return Fd();
  }
  if (!is_within(real, bundle_real)) {
    std::error_code link_ec;
    fs::path target = fs::read_symlink(full, link_ec);
    *why = "a symbolic link to " + (link_ec ? real : target).string() + ", outside " +
           b.words->folder + "; put the file itself " + b.words->on_place;
    return Fd();
  }
  // lstat before open: opening a device file can itself do something (rewind a tape, block).
  if (::lstat(real.c_str(), st) != 0) {
    *why = std::string("cannot open it: ") + std::strerror(errno);
    return Fd();
  }
  if (!S_ISREG(st->st_mode)) {
    *why = std::string(file_type_name(st->st_mode)) + ", not a regular file";
    return Fd();
  }
  if (st->st_dev != b.device) {
    *why = "on another file system than " + b.words->place + " (something is mounted inside " +
           b.words->folder + "); put the file itself " + b.words->on_place;
    return Fd();
  }
  // O_NONBLOCK: should it have become a FIFO since the lstat, open must not wait for a writer.
  Fd fd = open_beneath(b.fd.fd, real.lexically_relative(bundle_real), real,
                       O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (!fd) {
    *why = errno == ELOOP || errno == EXDEV
               ? "it changed while being opened (a link or mount appeared on its path)"
               : std::string("cannot open it: ") + std::strerror(errno);
    return Fd();
  }
  struct stat opened {};
  if (::fstat(fd.fd, &opened) != 0 || !S_ISREG(opened.st_mode) || opened.st_ino != st->st_ino ||
      opened.st_dev != st->st_dev || opened.st_dev != b.device) {
    *why = "it changed while being opened";
    return Fd();
  }
  *st = opened;
  int flags = ::fcntl(fd.fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd.fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

// Reads a small file whole (playlist.json, its .sig); nullopt with the reason.
std::optional<std::string> read_small(int fd, std::uint64_t size, std::uint64_t limit,
                                      std::string* why) {
  if (size > limit) {
    *why = "it has " + std::to_string(size) + " bytes; at most " + std::to_string(limit) +
           " are allowed";
    return std::nullopt;
  }
  std::string error;
  auto bytes = read_fd(fd, "it", limit, &error);
  if (!bytes) *why = error;
  return bytes;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= std::size_t(n);
  }
  return true;
}

constexpr std::size_t kChunk = 1 << 20;
constexpr std::uint64_t kCheckEvery = 4 << 20;  // bytes between checks that the stick is there

}  // namespace

// ---------------------------------------------------------------------------------------------

std::unique_ptr<MountWatcher> MountWatcher::open(std::vector<fs::path> roots, std::string* error) {
  std::unique_ptr<MountWatcher> watcher(new MountWatcher());
  watcher->fd_ = ::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (watcher->fd_ < 0) {
    if (error) *error = std::string("cannot open /proc/self/mountinfo: ") + std::strerror(errno);
    return nullptr;
  }
  watcher->roots_ = std::move(roots);
  return watcher;
}

MountWatcher::~MountWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<fs::path> MountWatcher::mounts() const {
  // Roots are canonicalized now, not at open: /media/signage-usb may appear (or become a
  // symbolic link) after the player started.
  std::vector<fs::path> roots;
  for (const fs::path& root : roots_) roots.push_back(canonical_or_normal(root));
  std::vector<fs::path> found;
  for (const fs::path& point : parse_mountinfo(read_from_start(fd_))) {
    fs::path normal = point.lexically_normal();
    bool wanted = std::any_of(roots.begin(), roots.end(),
                              [&](const fs::path& root) { return is_within(normal, root); });
    if (wanted && std::find(found.begin(), found.end(), point) == found.end()) {
      found.push_back(point);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

bool MountWatcher::wait(int timeout_ms, const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!stop) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    // Slices, so that `stop` (an atomic, not a file descriptor) is seen within a quarter second.
    pollfd p{fd_, POLLPRI, 0};
    int n = ::poll(&p, 1, int(std::min<long long>(left.count(), 250)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (p.revents & POLLNVAL)) {
      // Should never happen; sleep instead of spinning on a broken descriptor.
      ::usleep(250000);
      continue;
    }
    // The kernel raises POLLPRI|POLLERR once per change of the mount table.
    if (n > 0 && (p.revents & (POLLPRI | POLLERR))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

ImportOutcome import_folder(Store& store, const FolderImport& from,
                            const std::function<void(const ImportProgress&)>& progress,
                            const std::atomic<bool>& stop) {
  ImportOutcome outcome;
  outcome.found = true;
  const fs::path& bundle = from.folder;
  const fs::path playlist_file = bundle / "playlist.json";
  auto fail = [&](const std::string& message) {
    outcome.error = message;
    return outcome;
  };
  auto file_error = [&](const fs::path& file, const std::string& why) {
    return fail(file.string() + ": error: " + why);
  };
  auto gone = [&] { return from.gone ? from.gone() : std::string(); };
  const std::string stopped = bundle.string() + ": the import was stopped (the player is quitting)";

  // The folder itself must be a folder, or every check below would be relative to wherever a
  // link points.
  struct stat st {};
  if (::lstat(bundle.c_str(), &st) != 0) {
    return file_error(bundle, std::string("cannot open it: ") + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return file_error(bundle, std::string(file_type_name(st.st_mode)) + "; " + from.words.needs);
  }
  std::error_code ec;
  Bundle b;
  b.words = &from.words;
  b.path = bundle;
  b.real = fs::canonical(bundle, ec);
  if (ec) return file_error(bundle, "cannot open it: " + ec.message());
  b.fd = Fd(::open(bundle.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!b.fd || ::fstat(b.fd.fd, &st) != 0) {
    return file_error(bundle, std::string("cannot open it: ") + std::strerror(errno));
  }
  b.device = st.st_dev;
  if (from.device && b.device != *from.device) {
    return file_error(bundle, "on another file system than " + from.words.place);
  }

  // playlist.json and its signature.
  std::string why;
  Fd fd = open_in_bundle(b, "playlist.json", &st, &why);
  if (!fd) return file_error(playlist_file, why);
  auto playlist_bytes =
      read_small(fd.fd, std::uint64_t(st.st_size), content::Limits{}.max_file_bytes, &why);
  if (!playlist_bytes) return file_error(playlist_file, why);
  Candidate candidate;
  candidate.source = from.source;
  candidate.origin = from.origin.empty() ? bundle.string() : from.origin;
  candidate.file = playlist_file.string();
  candidate.playlist_bytes = std::move(*playlist_bytes);
  const fs::path sig_file = bundle / "playlist.json.sig";
  if (::lstat(sig_file.c_str(), &st) == 0) {
    fd = open_in_bundle(b, "playlist.json.sig", &st, &why);
    if (!fd) return file_error(sig_file, why);
    auto signature = read_small(fd.fd, std::uint64_t(st.st_size), 4096, &why);
    if (!signature) return file_error(sig_file, why);
    candidate.signature = std::move(*signature);
  }
  fd.reset();

  CandidateCheck check = store.check(candidate);
  for (const AssetRef& asset : check.assets) outcome.assets.push_back(asset.path);
  switch (check.verdict) {
    case CandidateCheck::Verdict::already_current: outcome.already_current = true; return outcome;
    case CandidateCheck::Verdict::superseded: return fail(candidate.file + ": " + check.error);
    case CandidateCheck::Verdict::invalid: return fail(check.error);
    case CandidateCheck::Verdict::accept: break;
  }
  auto import = store.begin(candidate, check, &why);
  if (!import) return file_error(bundle, why);

  ImportProgress done;
  done.files_total = import->missing().size();
  done.bytes_total = import->missing_bytes();
  if (progress) progress(done);
  std::vector<char> buffer(kChunk);
  std::uint64_t since_check = 0;
  for (const AssetRef& asset : import->missing()) {
    if (stop) return fail(stopped);
    if (std::string g = gone(); !g.empty()) return fail(g);
    const fs::path source = bundle / asset.path;
    Fd in = open_in_bundle(b, asset.path, &st, &why);
    if (!in) {
      if (std::string g = gone(); !g.empty()) return fail(g);
      return file_error(source, why);
    }
    if (std::uint64_t(st.st_size) > asset.size) {
      return file_error(source, "it has " + std::to_string(st.st_size) + " bytes, more than the " +
                                    std::to_string(asset.size) + " the playlist declares");
    }
    TempFile temp{import->temp_path()};
    Fd out(::open(temp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!out) return file_error(temp.path, std::string("cannot create: ") + std::strerror(errno));
    std::uint64_t copied = 0;
    for (;;) {
      // One byte more than declared at most, to notice a file that grows while being read.
      std::size_t want = std::size_t(std::min<std::uint64_t>(kChunk, asset.size + 1 - copied));
      ssize_t n = ::read(in.fd, buffer.data(), want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        if (std::string g = gone(); !g.empty()) return fail(g);
        return file_error(source, std::string("cannot read it: ") + std::strerror(err));
      }
      if (n == 0) break;
      copied += std::uint64_t(n);
      if (copied > asset.size) {
        return file_error(source, "it has more than the " + std::to_string(asset.size) +
                                      " bytes the playlist declares");
      }
      if (!write_all(out.fd, buffer.data(), std::size_t(n))) {
        return file_error(temp.path, std::string("cannot write: ") + std::strerror(errno));
      }
      done.bytes_done += std::uint64_t(n);
      since_check += std::uint64_t(n);
      // A lazily unmounted stick still reads through our descriptor: ask the mount table.
      if (since_check >= kCheckEvery) {
        since_check = 0;
        if (stop) return fail(stopped);
        if (std::string g = gone(); !g.empty()) return fail(g);
      }
      if (progress) progress(done);
    }
    in.reset();
    if (::close(std::exchange(out.fd, -1)) != 0) {
      return file_error(temp.path, std::string("cannot write: ") + std::strerror(errno));
    }
    if (std::string g = gone(); !g.empty()) return fail(g);
    if (!import->add(asset, temp.release(), &why)) return file_error(source, why);
    ++done.files_done;
    if (progress) progress(done);
  }
  if (stop) return fail(stopped);
  auto installed = import->commit(&why);
  if (!installed) return file_error(bundle, why);
  outcome.imported = true;
  outcome.installed = std::move(installed);
  return outcome;
}

ImportOutcome import_stick(Store& store, const fs::path& mount_point,
                           const std::function<void(const ImportProgress&)>& progress,
                           const std::atomic<bool>& stop) {
  struct stat st {};
  if (::lstat((mount_point / "signage" / "playlist.json").c_str(), &st) != 0) {
    return {};  // not a content stick
  }
  const std::string removed = mount_point.string() + ": " + kRemoved;
  if (::stat(mount_point.c_str(), &st) != 0) {
    ImportOutcome outcome;
    outcome.found = true;
    outcome.error = removed;
    return outcome;
  }
  auto stick = std::make_shared<Stick>();
  stick->mount_point = mount_point;
  stick->device = st.st_dev;
  auto points = read_mount_points();
  stick->listed = std::find(points.begin(), points.end(), mount_point) != points.end();
  FolderImport from;
  from.source = Source::usb;
  from.folder = mount_point / "signage";
  from.words.needs = "the stick needs a real folder named signage";
  from.gone = [stick, removed] { return stick->gone() ? removed : std::string(); };
  if (stick->listed) from.device = std::uint64_t(stick->device);
  return import_folder(store, from, progress, stop);
}

}  // namespace signage::sync
