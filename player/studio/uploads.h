// Picture uploads: resumable, refused cheaply when hostile, made fit for a screen when finished.
//
//   Uploads uploads(paths);                                   // <data_dir>/uploads/<id>(.json)
//   auto u = uploads.begin("IMG_2041.jpg", 4817233, "li", &error);   // size and name checked
//   uploads.append(u->id, 0, first_chunk, "li", &error);      // header read once it has arrived
//   uploads.append(u->id, 1 << 20, next_chunk, "li", &error); // wrong offset: error.offset
//   auto picture = uploads.finish(u->id, "li", PictureUse::picture, &error);
//
// The header (format, size) is read with player/picture as soon as enough bytes are there, and a
// file that is not a PNG/JPEG or that no player could decode is refused before the rest is sent.
// finish() is the only place pixels are decoded (render's decoders, a big JPEG reduced while
// decoding); it turns the picture upright by its EXIF orientation (libexif), downscales it to
// what a screen needs, and writes only the pixels (JPEG with libjpeg, PNG with libpng when the
// source is a PNG or has transparency) into the draft's images/: EXIF, GPS and other metadata
// are gone. Thread-safe: the HTTP server calls it from its connection threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "studio/http_server.h"
#include "studio/studio.h"
#include "studio/words.h"

namespace signage::studio {

struct UploadSettings {
  std::uint64_t max_bytes = 50ull << 20;    // per picture file, as sent
  std::size_t chunk_bytes = 1 << 20;        // one PUT's body at most
  std::size_t max_open_per_user = 8;        // unfinished uploads one account may have
  std::chrono::seconds max_age{24 * 3600};  // unfinished uploads untouched this long are removed
  // The most bytes read before the header must be readable (a JPEG's EXIF and ICC segments
  // come before its frame header).
  std::size_t header_window = 1 << 20;
};

enum class PictureUse { picture, logo };

// The largest side an upload is downscaled to: 1920 for pictures (a full 1080p screen in either
// orientation), 512 for a logo.
int largest_side(PictureUse use);

struct UploadError {
  int status = 400;          // the HTTP status the route answers with
  Words words;               // what happened and what to do
  std::uint64_t offset = 0;  // 409: where the server is (the page resumes from there)
};

struct UploadState {
  std::string id;
  std::string name;  // as the client sent it (only for messages; never a path)
  std::uint64_t size = 0, offset = 0;
};

struct FinishedPicture {
  std::string path;  // relative to the bundle: "images/ig-2041-1a2b3c4d.jpg"
  int width = 0, height = 0;
  std::uint64_t bytes = 0;
};

class Uploads {
 public:
  explicit Uploads(StudioPaths paths, UploadSettings settings = {});

  const UploadSettings& settings() const { return settings_; }

  // A new upload of `size` bytes called `name`; refused at once when too large, empty, not
  // named .png/.jpg/.jpeg, or when `user` has too many unfinished uploads. Removes stale ones.
  std::optional<UploadState> begin(std::string_view name, std::uint64_t size,
                                   const std::string& user, UploadError* error);
  // Appends `bytes` at `offset`. A wrong offset: 409 and error->offset. Once the header can be
  // read, a file that is not a picture or over the decode budget is refused and removed.
  std::optional<UploadState> append(const std::string& id, std::uint64_t offset,
                                    std::string_view bytes, const std::string& user,
                                    UploadError* error);
  std::optional<UploadState> status(const std::string& id, const std::string& user,
                                    UploadError* error);
  // Decodes, turns upright, downscales and writes the picture into the draft's images/ (a
  // complete upload only); the upload is removed whether it succeeds or the file is refused.
  std::optional<FinishedPicture> finish(const std::string& id, const std::string& user,
                                        PictureUse use, UploadError* error);

  // Removes unfinished uploads not touched for settings().max_age; returns how many.
  std::size_t remove_stale();

 private:
  StudioPaths paths_;
  UploadSettings settings_;
  std::mutex mutex_;
  std::set<std::string> finishing_;  // ids being decoded now (outside the lock)
  std::mutex decoding_;              // one decode at a time: its memory is what a board can spare
};

// The routes of docs/studio-api.md "Pictures and tables": POST /api/uploads, PUT/GET
// /api/uploads/{id}, POST /api/uploads/{id}/finish and POST /api/import; permission edit.
std::vector<Route> upload_routes(std::shared_ptr<Uploads> uploads);

}  // namespace signage::studio
