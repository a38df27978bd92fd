// Resumable uploads on disk: <uploads>/<id> holds the bytes received so far (its size is the
// offset, so a restart of the studio resumes too), <uploads>/<id>.json who sends what.
#include "studio/uploads.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "files/files.h"
#include "picture/picture.h"
#include "studio/picture_output.h"

namespace signage::studio {

namespace fs = std::filesystem;

namespace {

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / double(1 << 20));
  return text;
}

UploadError error_of(int status, std::string zh, std::string en) {
  return UploadError{status, Words{std::move(zh), std::move(en)}, 0};
}

std::string quoted_zh(std::string_view name) {
  return "“" + std::string(name) + "”";
}
std::string quoted_en(std::string_view name) {
  return "\"" + std::string(name) + "\"";
}

UploadError not_found() {
  return error_of(404, "找不到这次上传（已完成，或超过一天未继续而被清除）：请重新上传这张图片。",
                  "This upload is not here (finished, or removed after a day without progress): "
                  "upload the picture again.");
}

UploadError io_failed(const std::string& what) {
  return error_of(500, "服务器无法保存文件（磁盘可能已满）：" + what,
                  "The server could not save the file (the disk may be full): " + what);
}

UploadError not_a_picture(std::string_view name) {
  return error_of(415,
                  quoted_zh(name) +
                      " 不是图片：它的内容既不是 PNG 也不是 JPEG（也许是改了扩展名的文档）。"
                      "请把它另存为 PNG 或 JPEG 再上传。",
                  quoted_en(name) +
                      " is not a picture: its content is neither PNG nor JPEG (perhaps a document "
                      "renamed .jpg). Save it as a PNG or JPEG and upload that.");
}

UploadError damaged(std::string_view name) {
  return error_of(
      422, quoted_zh(name) + " 图片已损坏（文件不完整或数据有误），无法显示。请重新上传原始照片。",
      quoted_en(name) +
          " is a damaged picture (cut short or corrupt) and cannot be shown. Upload "
          "the original again.");
}

// The same rule and numbers as `check` (picture::fits_budget), in both languages.
UploadError over_budget(std::string_view name, const picture::Header& h, const std::string& why) {
  const int long_side = std::max(h.width, h.height), short_side = std::min(h.width, h.height);
  const double scale = std::min({1.0, double(picture::kLargestScreen.width) / long_side,
                                 double(picture::kLargestScreen.height) / short_side});
  const std::string to = std::to_string(std::max(1, int(h.width * scale))) + "x" +
                         std::to_string(std::max(1, int(h.height * scale)));
  char mpx[32];
  std::snprintf(mpx, sizeof mpx, "%.1f", double(h.width) * double(h.height) / 1e6);
  const std::string size = std::to_string(h.width) + "x" + std::to_string(h.height);
  return error_of(
      422,
      quoted_zh(name) + " 是 " + size + " 像素（" + mpx +
          " 百万像素）的图片，播放器无法解码（解码后最多 8.3 百万像素，33 MB）。请把它缩小到 " +
          to + " 像素以内再上传。",
      quoted_en(name) + " " + why + ".");
}

bool valid_id(const std::string& id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool picture_name(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext == "png" || ext == "jpg" || ext == "jpeg";
}

struct Meta {
  std::string name, user;
  std::uint64_t size = 0;
  bool header_ok = false;  // the header was read and fits the budget
};

fs::path data_path(const StudioPaths& paths, const std::string& id) {
  return paths.uploads_dir() / id;
}
fs::path meta_path(const StudioPaths& paths, const std::string& id) {
  return paths.uploads_dir() / (id + ".json");
}

std::optional<Meta> read_meta(const fs::path& path) {
  auto text = files::read_file(path, 16 << 10);
  if (!text) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  Meta meta;
  meta.name = json.value("name", "");
  meta.user = json.value("user", "");
  meta.size = json.value("size", std::uint64_t(0));
  meta.header_ok = json.value("header_ok", false);
  return meta;
}

bool write_meta(const fs::path& path, const Meta& meta, std::string* error) {
  nlohmann::json json{
      {"name", meta.name}, {"user", meta.user}, {"size", meta.size}, {"header_ok", meta.header_ok}};
  // A name that is not UTF-8 (the library may be called with any bytes) is kept with U+FFFD.
  return files::replace_file(
      path, json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 0600, error);
}

void remove_upload(const StudioPaths& paths, const std::string& id) {
  std::error_code ignored;
  fs::remove(data_path(paths, id), ignored);
  fs::remove(meta_path(paths, id), ignored);
}

std::uint64_t received(const StudioPaths& paths, const std::string& id) {
  std::error_code ec;
  const auto size = fs::file_size(data_path(paths, id), ec);
  return ec ? 0 : size;
}

// The upload's meta when it exists and belongs to `user` (someone else's upload is "not here").
std::optional<Meta> find(const StudioPaths& paths, const std::string& id, const std::string& user,
                         UploadError* error) {
  std::optional<Meta> meta;
  if (valid_id(id)) meta = read_meta(meta_path(paths, id));
  if (!meta || meta->user != user) {
    *error = not_found();
    return std::nullopt;
  }
  return meta;
}

bool append_bytes(const fs::path& path, std::string_view bytes, std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  bool ok = true;
  for (std::size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += std::size_t(n);
  }
  if (!ok) *error = std::strerror(errno);
  ::close(fd);
  return ok;
}

// Reads the header once enough has arrived: nullopt while it is too early to tell, else
// whether the upload may go on (*error set when not).
std::optional<bool> judge_header(const fs::path& path, const Meta& meta, std::uint64_t have,
                                 std::size_t window, UploadError* error) {
  const bool all = have >= meta.size;
  if (have < 8 && !all) return std::nullopt;
  std::string why;
  bool not_picture = false;
  auto header = picture::read_header(path, &why, &not_picture);
  if (not_picture) {
    *error = not_a_picture(meta.name);
    return false;
  }
  if (!header) {
    if (!all && have < window) return std::nullopt;  // the frame header has not come yet
    *error = damaged(meta.name);
    return false;
  }
  if (!picture::fits_budget(*header, &why)) {
    *error = over_budget(meta.name, *header, why);
    return false;
  }
  return true;
}

}  // namespace

int largest_side(PictureUse use) {
  return use == PictureUse::logo ? 512 : 1920;
}

Uploads::Uploads(StudioPaths paths, UploadSettings settings)
    : paths_(std::move(paths)), settings_(settings) {
  if (sodium_init() < 0) std::fprintf(stderr, "signage-studio: libsodium failed to start\n");
}

std::size_t Uploads::remove_stale() {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  std::size_t removed = 0;
  for (const auto& entry : fs::directory_iterator(paths_.uploads_dir(), ec)) {
    const std::string name = entry.path().filename().string();
    const std::string id = name.substr(0, name.find('.'));
    if (!valid_id(id) || finishing_.count(id)) continue;
    std::error_code time_ec;
    const auto touched = fs::last_write_time(entry.path(), time_ec);
    if (time_ec || now - touched < settings_.max_age) continue;
    // The data file is touched by every chunk: the upload is stale when it is (or is gone).
    const auto data_time = fs::last_write_time(data_path(paths_, id), time_ec);
    if (!time_ec && now - data_time < settings_.max_age) continue;
    remove_upload(paths_, id);
    ++removed;
  }
  return removed;
}

std::optional<UploadState> Uploads::begin(std::string_view name, std::uint64_t size,
                                          const std::string& user, UploadError* error) {
  if (!picture_name(name)) {
    *error = error_of(
        415, "只能上传 PNG 或 JPEG 图片（.png、.jpg、.jpeg）：" + quoted_zh(name) + " 不是。",
        "Only PNG or JPEG pictures (.png, .jpg, .jpeg) can be uploaded; " + quoted_en(name) +
            " is not one.");
    return std::nullopt;
  }
  if (name.size() > 255) {
    *error = error_of(400, "文件名太长（最多 255 个字节）。",
                      "The file's name is too long (at most 255 bytes).");
    return std::nullopt;
  }
  if (size == 0) {
    *error = error_of(400, quoted_zh(name) + " 是空文件。", quoted_en(name) + " is empty.");
    return std::nullopt;
  }
  if (size > settings_.max_bytes) {
    *error = error_of(413,
                      quoted_zh(name) + " 有 " + megabytes(size) + "，图片最大 " +
                          megabytes(settings_.max_bytes) + "。请先在手机或电脑上把图片缩小再上传。",
                      quoted_en(name) + " is " + megabytes(size) + "; a picture may be at most " +
                          megabytes(settings_.max_bytes) +
                          ". Make it smaller on the phone or computer and upload it again.");
    return std::nullopt;
  }
  remove_stale();
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::create_directories(paths_.uploads_dir(), ec);
  std::size_t open = 0;
  for (const auto& entry : fs::directory_iterator(paths_.uploads_dir(), ec)) {
    if (entry.path().extension() != ".json") continue;
    auto meta = read_meta(entry.path());
    if (meta && meta->user == user) ++open;
  }
  if (open >= settings_.max_open_per_user) {
    *error = error_of(429,
                      "您已有 " + std::to_string(open) +
                          " 个未完成的上传。请先继续完成它们，或等一天后它们会被自动清除。",
                      "You have " + std::to_string(open) +
                          " unfinished uploads. Finish them first; unfinished uploads are removed "
                          "after a day.");
    return std::nullopt;
  }
  unsigned char random[8];
  randombytes_buf(random, sizeof random);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  const std::string id = hex;
  std::string why;
  Meta meta{std::string(name), user, size, false};
  if (!files::create_file(data_path(paths_, id), "", 0600, &why) ||
      !write_meta(meta_path(paths_, id), meta, &why)) {
    remove_upload(paths_, id);
    *error = io_failed(why);
    return std::nullopt;
  }
  return UploadState{id, std::string(name), size, 0};
}

std::optional<UploadState> Uploads::append(const std::string& id, std::uint64_t offset,
                                           std::string_view bytes, const std::string& user,
                                           UploadError* error) {
  std::lock_guard lock(mutex_);
  auto meta = find(paths_, id, user, error);
  if (!meta) return std::nullopt;
  if (finishing_.count(id)) {
    *error = error_of(409, "这张图片正在处理中。", "This picture is being finished.");
    return std::nullopt;
  }
  const std::uint64_t have = received(paths_, id);
  if (offset != have) {
    *error = error_of(409, "连接中断过：服务器已收到 " + megabytes(have) + "，将从那里继续上传。",
                      "The connection was lost: the server has " + megabytes(have) +
                          "; the upload continues from there.");
    error->offset = have;
    return std::nullopt;
  }
  if (bytes.size() > settings_.chunk_bytes || have + bytes.size() > meta->size) {
    *error = error_of(413, "发送的数据多于文件的大小。", "More bytes were sent than the file has.");
    error->offset = have;
    return std::nullopt;
  }
  std::string why;
  if (!append_bytes(data_path(paths_, id), bytes, &why)) {
    *error = io_failed(why);
    return std::nullopt;
  }
  const std::uint64_t now_have = have + bytes.size();
  if (!meta->header_ok) {
    auto verdict =
        judge_header(data_path(paths_, id), *meta, now_have, settings_.header_window, error);
    if (verdict && !*verdict) {
      remove_upload(paths_, id);
      return std::nullopt;
    }
    if (verdict) {
      meta->header_ok = true;
      if (!write_meta(meta_path(paths_, id), *meta, &why)) {
        *error = io_failed(why);
        return std::nullopt;
      }
    }
  }
  return UploadState{id, meta->name, meta->size, now_have};
}

std::optional<UploadState> Uploads::status(const std::string& id, const std::string& user,
                                           UploadError* error) {
  std::lock_guard lock(mutex_);
  auto meta = find(paths_, id, user, error);
  if (!meta) return std::nullopt;
  return UploadState{id, meta->name, meta->size, received(paths_, id)};
}

std::optional<FinishedPicture> Uploads::finish(const std::string& id, const std::string& user,
                                               PictureUse use, UploadError* error) {
  std::optional<Meta> meta;
  {
    std::lock_guard lock(mutex_);
    meta = find(paths_, id, user, error);
    if (!meta) return std::nullopt;
    if (finishing_.count(id)) {
      *error = error_of(409, "这张图片正在处理中。", "This picture is being finished.");
      return std::nullopt;
    }
    const std::uint64_t have = received(paths_, id);
    if (have != meta->size || !meta->header_ok) {
      *error = error_of(409,
                        "上传还没有完成：已收到 " + megabytes(have) + "，共 " +
                            megabytes(meta->size) + "。请继续上传。",
                        "The upload is not complete: " + megabytes(have) + " of " +
                            megabytes(meta->size) + " arrived. Resume it.");
      error->offset = have;
      return std::nullopt;
    }
    finishing_.insert(id);
  }
  // Decoding takes a while: other uploads go on meanwhile, other finishes wait their turn.
  PictureOutcome outcome;
  {
    std::lock_guard one_at_a_time(decoding_);
    outcome = make_screen_picture(data_path(paths_, id), meta->name, paths_.draft_dir(), use);
  }
  std::lock_guard lock(mutex_);
  finishing_.erase(id);
  remove_upload(paths_, id);
  switch (outcome.problem) {
    case PictureOutcome::Problem::none: return outcome.picture;
    case PictureOutcome::Problem::not_a_picture: *error = not_a_picture(meta->name); break;
    case PictureOutcome::Problem::damaged: *error = damaged(meta->name); break;
    case PictureOutcome::Problem::io: *error = io_failed(outcome.detail); break;
  }
  return std::nullopt;
}

}  // namespace signage::studio
