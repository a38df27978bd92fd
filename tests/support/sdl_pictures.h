// SDL2_image's decoding as the reference the player's own picture decoding is compared with.
#pragma once

#include <SDL.h>

#include <optional>
#include <string>

#include "scene/scene.h"

namespace signage::test_support {

// A surface SDL2_image decoded, as a Picture: paletted and RGB surfaces keep their bytes, others
// are blitted to RGBA by SDL (as are all with `as_rgba`). nullopt and *error when SDL cannot
// convert it.
std::optional<scene::Picture> picture_from_surface(SDL_Surface& surface, std::string* error,
                                                   bool as_rgba = false);

}  // namespace signage::test_support
