// Small files read and written safely: the one place for bounded reads and atomic replacement
// (state files, keys, signatures, playlists). Nothing here throws.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace signage::files {

// The whole file if it has at most `limit` bytes; nullopt with the reason (naming the file)
// when it cannot be read or is larger. read_fd: the same from an open descriptor, `name` for
// the messages.
std::optional<std::string> read_file(const std::filesystem::path& path, std::uint64_t limit,
                                     std::string* error = nullptr);
std::optional<std::string> read_fd(int fd, const std::filesystem::path& name, std::uint64_t limit,
                                   std::string* error = nullptr);

// The first line of a file holding a secret (a broker password), which must not be readable by
// group or others; nullopt with the reason, naming `setting` and the chmod that fixes it.
std::optional<std::string> read_secret_line(const std::filesystem::path& path,
                                            const std::string& setting, std::string* error);

// Replaces `path` atomically with `bytes`: a fresh temporary beside it (O_EXCL, created with
// `mode`, never following a link), fsync, rename over `path`, fsync of the folder. After a power
// cut `path` holds the old or the new bytes, never a mix.
bool replace_file(const std::filesystem::path& path, std::string_view bytes, mode_t mode,
                  std::string* error = nullptr);

// Creates `path`, which must not exist (O_EXCL, `mode` from the start, fsync, folder fsync).
// For secrets: the file is never readable by others, not even for a moment.
bool create_file(const std::filesystem::path& path, std::string_view bytes, mode_t mode,
                 std::string* error = nullptr);

// fsync a file or a folder, so a rename that follows (or preceded) survives a power cut.
bool sync_path(const std::filesystem::path& path);

}  // namespace signage::files
