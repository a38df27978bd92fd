// The Checker on the files a bundle carries: the paths the items name (inside the bundle, a
// PNG or JPEG a player can decode) and the "assets" list with sizes and sha256.
#include <algorithm>
#include <iterator>
#include <tuple>

#include "content/checker.h"
#include "content/diagnostics.h"
#include "picture/picture.h"

namespace signage::content {
namespace detail {
namespace {

bool inside(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  // A trailing empty element (from "dir/") counts as matched.
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());
}

}  // namespace

bool Checker::check_relative_path(const JsonValue& v, const std::string& pointer,
                                  const std::string& relative) {
  if (relative.empty()) {
    error(v.offset, pointer, "expected a path relative to the bundle folder, got an empty one");
    return false;
  }
  if (has_control_character(relative)) {
    error(v.offset, pointer,
          "expected a file name without NUL or control characters, got " + quote_text(relative));
    return false;
  }
  if (relative.size() > kMaxPathBytes) {
    error(v.offset, pointer,
          "expected a path of at most " + std::to_string(kMaxPathBytes) + " bytes");
    return false;
  }
  if (relative.find("://") != std::string::npos) {
    error(v.offset, pointer,
          "expected a file in the bundle (a relative path such as \"images/photo.jpg\"), not a "
          "URL");
    return false;
  }
  if (relative.find('\\') != std::string::npos) {
    error(v.offset, pointer, "expected '/' between folder names, not '\\'");
    return false;
  }
  fs::path path(relative);
  if (relative.front() == '/' || path.is_absolute() || path.has_root_name()) {
    error(v.offset, pointer,
          "expected a path relative to the bundle folder (such as \"images/photo.jpg\"), got the "
          "absolute path " +
              quote_text(relative));
    return false;
  }
  for (const fs::path& part : path) {
    if (part == "..") {
      error(v.offset, pointer,
            "expected a path inside the bundle folder, got " + quote_text(relative) +
                " which leaves it with \"..\"");
      return false;
    }
  }
  return true;
}

bool Checker::check_asset(const JsonValue& v, const std::string& pointer, fs::path& out) {
  std::string relative;
  if (!text(v, pointer, relative, true, false)) return false;
  if (!check_relative_path(v, pointer, relative)) return false;
  asset_uses_.push_back({relative, v.offset, pointer});
  fs::path path(relative);
  if (asset_files_ == AssetFiles::not_yet) {
    out = (bundle_dir_ / path).lexically_normal();
    return true;
  }
  std::error_code ec;
  fs::path full = bundle_dir_ / path;
  fs::path resolved = fs::canonical(full, ec);
  if (ec) {
    error(v.offset, pointer,
          "missing asset: no file " + quote_text(relative) + " in the bundle folder");
    return false;
  }
  if (!inside(resolved, bundle_dir_)) {
    fs::path target = fs::relative(resolved, bundle_dir_, ec);
    if (ec || target.empty()) target = resolved;
    error(v.offset, pointer,
          "asset " + quote_text(relative) +
              " is a symbolic link that leads out of the bundle (to " +
              quote_text(target.string()) + ")");
    return false;
  }
  if (!fs::is_regular_file(resolved, ec)) {
    error(v.offset, pointer, "asset " + quote_text(relative) + " is not a regular file");
    return false;
  }
  if (!check_picture(v, pointer, relative, resolved)) return false;
  out = resolved;
  return true;
}

// The header as the decoder reads it, whatever the name says: a picture larger than a player
// can decode is refused here, before it is published.
bool Checker::check_picture(const JsonValue& v, const std::string& pointer,
                            const std::string& relative, const fs::path& resolved) {
  std::string why;
  bool not_a_picture = false;
  auto header = picture::read_header(resolved, &why, &not_a_picture);
  if (not_a_picture) {
    error(v.offset, pointer, "asset " + quote_text(relative) + " is not a PNG or JPEG image");
    return false;
  }
  if (!header) {
    warning(v.offset, pointer,
            "asset " + quote_text(relative) + ": " + why + "; the player shows a placeholder");
  } else if (!picture::fits_budget(*header, &why)) {
    error(v.offset, pointer, "asset " + quote_text(relative) + " " + why);
    return false;
  }
  std::error_code ec;
  std::uintmax_t size = fs::file_size(resolved, ec);
  if (!ec && size > kLargeImageBytes) {
    warning(v.offset, pointer,
            "asset " + quote_text(relative) + " is " + std::to_string(size >> 20) +
                " MB; decoding it needs much memory on a 512 MB board");
  }
  return true;
}

// "assets": {"images/photo.jpg": {"size": 123, "sha256": "..."}, ...}
void Checker::check_asset_list(const JsonValue& v, Playlist& playlist) {
  if (!require_object(v, "/assets",
                      "an object naming each file with its size and sha256, such as "
                      "{\"images/photo.jpg\": {\"size\": 52144, \"sha256\": \"9f86...\"}}")) {
    return;
  }
  playlist.has_asset_list = true;
  for (const JsonValue& entry : v.children) {
    const std::string& relative = entry.key;
    std::string pointer = child("/assets", relative);
    if (!check_relative_path(entry, pointer, relative)) continue;
    if (!require_object(entry, pointer, "an object {\"size\": BYTES, \"sha256\": HEX}")) continue;
    Asset asset;
    asset.path = relative;
    asset.pointer = pointer;
    std::tie(asset.line, asset.column) = line_column(entry.offset);
    bool ok = true;
    const JsonValue* size = find(entry, "size");
    std::int64_t bytes = 0;
    if (!size) {
      error(entry.offset, child(pointer, "size"), "missing required field \"size\" (in bytes)");
      ok = false;
    } else {
      ok = integer(*size, child(pointer, "size"), 0, std::int64_t(1) << 40, "a size in bytes",
                   bytes) &&
           ok;
    }
    const JsonValue* sha = find(entry, "sha256");
    if (!sha) {
      error(entry.offset, child(pointer, "sha256"),
            "missing required field \"sha256\" (64 hex digits; signage-player manifest "
            "writes it)");
      ok = false;
    } else if (sha->kind != Kind::string || sha->string.size() != 64 ||
               sha->string.find_first_not_of("0123456789abcdef") != std::string::npos) {
      expected(*sha, child(pointer, "sha256"), "a sha256 as 64 lowercase hex digits");
      ok = false;
    }
    unknown_fields(entry, pointer, {"size", "sha256"}, "an asset");
    if (!ok) continue;
    asset.size = std::uint64_t(bytes);
    asset.sha256 = sha->string;
    playlist.assets.push_back(std::move(asset));
  }
  if (playlist.assets.size() > limits_.max_items * 2) {
    error(v.offset, "/assets",
          "expected at most " + std::to_string(limits_.max_items * 2) + " assets");
  }
}

}  // namespace detail

std::string missing_asset_list(const Playlist& playlist) {
  if (playlist.has_asset_list || playlist.asset_paths.empty()) return "";
  std::size_t n = playlist.asset_paths.size();
  return "the playlist names " + std::to_string(n) + (n == 1 ? " file" : " files") +
         " but has no \"assets\" list with their sizes and sha256, so a player refuses it from "
         "a web server or USB stick; run signage-player manifest BUNDLE to write the list";
}

bool has_control_character(std::string_view name) {
  return detail::has_control_characters(name, false);
}

}  // namespace signage::content
