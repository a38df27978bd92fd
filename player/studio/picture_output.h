// What finish() does to an uploaded file: decode (render's decoders), turn upright by the EXIF
// orientation (libexif), downscale (area average), re-encode only the pixels (libjpeg quality 85,
// or libpng for PNGs and pictures with transparency) into <draft>/images/<slug>-<hash>.<ext>.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "studio/uploads.h"

namespace signage::studio {

struct PictureOutcome {
  enum class Problem { none, not_a_picture, damaged, io } problem = Problem::none;
  std::string detail;  // for io: what failed
  FinishedPicture picture;
};

PictureOutcome make_screen_picture(const std::filesystem::path& source, std::string_view name,
                                   const std::filesystem::path& draft_dir, PictureUse use);

// The EXIF orientation (1 to 8) of a JPEG, 1 when it has none.
int exif_orientation(const std::filesystem::path& path);

// The file name an upload gets in images/: the ASCII letters and digits of `name` (lower case,
// runs of anything else as one '-', at most 40), or "picture"/"logo" when none are left, then
// '-' and `hash`, then `ext`. Never a path: no '/', no '.' but the extension's.
std::string image_file_name(std::string_view name, PictureUse use, std::string_view hash,
                            std::string_view ext);

}  // namespace signage::studio
