#include <SDL.h>
#include <SDL_image.h>

#include <algorithm>
#include <cstring>

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
  // Blit straight into the RgbaImage's buffer rather than converting to a new surface and
  // copying that: a 1600x900 photo would otherwise be held twice (11 MB) while a card is drawn.
  text::RgbaImage image(loaded->w, loaded->h);
  SurfacePtr target(SDL_CreateRGBSurfaceWithFormatFrom(
      image.pixels.data(), image.width, image.height, 32, image.width * 4, SDL_PIXELFORMAT_RGBA32));
  Uint32 key = 0;
  const bool keyed = SDL_GetColorKey(loaded.get(), &key) == 0;
  SDL_SetColorKey(loaded.get(), SDL_FALSE, 0);  // copied as is; the key becomes alpha below
  SDL_SetSurfaceBlendMode(loaded.get(), SDL_BLENDMODE_NONE);
  if (!target || SDL_BlitSurface(loaded.get(), nullptr, target.get(), nullptr) != 0) {
    *error = "cannot convert " + path.string() + ": " + SDL_GetError();
    return std::nullopt;
  }
  if (keyed) {
    // As SDL_ConvertSurface does: pixels of the colour key are transparent.
    const int bpp = loaded->format->BytesPerPixel;
    SDL_LockSurface(loaded.get());
    for (int y = 0; y < loaded->h; ++y) {
      const auto* row =
          static_cast<const std::uint8_t*>(loaded->pixels) + std::ptrdiff_t(y) * loaded->pitch;
      for (int x = 0; x < loaded->w; ++x) {
        Uint32 value = 0;
        std::memcpy(&value, row + x * bpp, std::size_t(bpp));  // little-endian hosts
        if (value == key) image.at(x, y)[3] = 0;
      }
    }
    SDL_UnlockSurface(loaded.get());
  }
  return image;
}

}  // namespace signage::render
