#include <SDL.h>
#include <SDL_image.h>

#include <memory>

#include "render.h"

namespace signage::render {

std::string save_png(const text::RgbaImage& image, const std::string& path) {
  if (image.width <= 0 || image.height <= 0) return "cannot write an empty image";
  // SDL_PIXELFORMAT_RGBA32 is R, G, B, A in memory order on every endianness.
  std::unique_ptr<SDL_Surface, decltype(&SDL_FreeSurface)> surface(
      SDL_CreateRGBSurfaceWithFormatFrom(const_cast<std::uint8_t*>(image.pixels.data()),
                                         image.width, image.height, 32, image.width * 4,
                                         SDL_PIXELFORMAT_RGBA32),
      SDL_FreeSurface);
  if (!surface) return std::string("cannot wrap the image: ") + SDL_GetError();
  if (IMG_SavePNG(surface.get(), path.c_str()) != 0) {
    return "cannot write " + path + ": " + IMG_GetError();
  }
  return {};
}

}  // namespace signage::render
