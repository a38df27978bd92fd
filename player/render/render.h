// The renderer: everything that talks to SDL. For now, PNG files of RGBA images.
#pragma once

#include <string>

#include "text/text.h"

namespace signage::render {

// Writes `image` as a PNG. Returns an empty string on success, else what went wrong.
std::string save_png(const text::RgbaImage& image, const std::string& path);

}  // namespace signage::render
