#include <SDL.h>
#include <SDL_image.h>

#include <algorithm>

#include "render.h"
#include "sdl.h"

namespace signage::render {

std::optional<text::RgbaImage> load_image(const std::filesystem::path& path, std::string* error,
                                          std::size_t max_pixels) {
  SurfacePtr loaded(IMG_Load(path.c_str()));
  if (!loaded) {
    *error = "cannot load " + path.string() + ": " + IMG_GetError();
    return std::nullopt;
  }
  if (loaded->w <= 0 || loaded->h <= 0 || std::size_t(loaded->w) * loaded->h > max_pixels) {
    *error = "cannot load " + path.string() + ": " + std::to_string(loaded->w) + "x" +
             std::to_string(loaded->h) + " is larger than allowed";
    return std::nullopt;
  }
  SurfacePtr rgba(SDL_ConvertSurfaceFormat(loaded.get(), SDL_PIXELFORMAT_RGBA32, 0));
  if (!rgba) {
    *error = "cannot convert " + path.string() + ": " + SDL_GetError();
    return std::nullopt;
  }
  text::RgbaImage image(rgba->w, rgba->h);
  SDL_LockSurface(rgba.get());
  for (int y = 0; y < rgba->h; ++y) {
    const auto* row =
        static_cast<const std::uint8_t*>(rgba->pixels) + std::ptrdiff_t(y) * rgba->pitch;
    std::copy_n(row, std::size_t(rgba->w) * 4, image.at(0, y));
  }
  SDL_UnlockSurface(rgba.get());
  return image;
}

}  // namespace signage::render
