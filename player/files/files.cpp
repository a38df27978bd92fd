#include "files/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace signage::files {
namespace fs = std::filesystem;

namespace {

std::string failure(const fs::path& path, const char* what, int err) {
  return "cannot " + std::string(what) + " " + path.string() + ": " + std::strerror(err);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(std::size_t(n));
  }
  return true;
}

// Writes, fsyncs and closes a new file; removes it on failure.
bool fill_new_file(const fs::path& path, std::string_view bytes, mode_t mode, std::string* error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    if (error) *error = failure(path, "create", errno);
    return false;
  }
  // The umask may have taken bits away; the caller's mode is the intended one.
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, bytes) && ::fsync(fd) == 0;
  int err = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    if (error) *error = failure(path, "write", err ? err : errno);
    ::unlink(path.c_str());
  }
  return ok;
}

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

}  // namespace

std::optional<std::string> read_fd(int fd, const fs::path& name, std::uint64_t limit,
                                   std::string* error) {
  std::string bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (error) *error = failure(name, "read", errno);
      return std::nullopt;
    }
    if (n == 0) return bytes;
    if (bytes.size() + std::size_t(n) > limit) {
      if (error) {
        *error = name.string() + " has more than the " + std::to_string(limit) + " bytes allowed";
      }
      return std::nullopt;
    }
    bytes.append(buffer, std::size_t(n));
  }
}

std::optional<std::string> read_file(const fs::path& path, std::uint64_t limit,
                                     std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = failure(path, "read", errno);
    return std::nullopt;
  }
  struct stat st {};
  std::optional<std::string> bytes;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (error) *error = path.string() + " is not a regular file";
  } else {
    bytes = read_fd(fd, path, limit, error);
  }
  ::close(fd);
  return bytes;
}

bool sync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool replace_file(const fs::path& path, std::string_view bytes, mode_t mode, std::string* error) {
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  ::unlink(temp.c_str());  // left by a crash of this pid's predecessor
  if (!fill_new_file(temp, bytes, mode, error)) return false;
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    if (error) *error = failure(path, "replace", errno);
    ::unlink(temp.c_str());
    return false;
  }
  sync_path(folder_of(path));
  return true;
}

bool create_file(const fs::path& path, std::string_view bytes, mode_t mode, std::string* error) {
  if (!fill_new_file(path, bytes, mode, error)) return false;
  sync_path(folder_of(path));
  return true;
}

std::optional<std::string> read_secret_line(const fs::path& path, const std::string& setting,
                                            std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    *error = setting + " " + path.string() + " cannot be read";
    return std::nullopt;
  }
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    *error = setting + " " + path.string() + " can be read by other users (mode " + mode +
             "): make it private with chmod 600 " + path.string();
    return std::nullopt;
  }
  auto text = read_file(path, 4096, error);
  if (!text) return std::nullopt;
  return text->substr(0, text->find_first_of("\r\n"));
}

}  // namespace signage::files
