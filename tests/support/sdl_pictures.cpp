#include "support/sdl_pictures.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "render/sdl.h"

namespace signage::test_support {

namespace {

// The surface's rows without their padding, `bytes` per pixel.
std::vector<std::uint8_t> packed_rows(SDL_Surface& s, int bytes) {
  std::vector<std::uint8_t> pixels(std::size_t(s.w) * std::size_t(s.h) * std::size_t(bytes));
  const std::size_t row_bytes = std::size_t(s.w) * std::size_t(bytes);
  SDL_LockSurface(&s);
  for (int y = 0; y < s.h; ++y) {
    std::memcpy(pixels.data() + std::size_t(y) * row_bytes,
                static_cast<const std::uint8_t*>(s.pixels) + std::ptrdiff_t(y) * s.pitch,
                row_bytes);
  }
  SDL_UnlockSurface(&s);
  return pixels;
}

// Any surface through SDL's blit into straight RGBA; pixels equal to the colour key, if there is
// one, become transparent as SDL_ConvertSurface makes them.
std::optional<scene::Picture> blit_to_rgba(SDL_Surface& s, std::string* error) {
  text::RgbaImage image(s.w, s.h);
  render::SurfacePtr target(SDL_CreateRGBSurfaceWithFormatFrom(
      image.pixels.data(), image.width, image.height, 32, image.width * 4, SDL_PIXELFORMAT_RGBA32));
  Uint32 key = 0;
  const bool keyed = SDL_GetColorKey(&s, &key) == 0;
  SDL_SetColorKey(&s, SDL_FALSE, 0);  // copied as is; the key becomes alpha below
  SDL_SetSurfaceBlendMode(&s, SDL_BLENDMODE_NONE);
  const bool blitted = target && SDL_BlitSurface(&s, nullptr, target.get(), nullptr) == 0;
  if (keyed) SDL_SetColorKey(&s, SDL_TRUE, key);
  if (!blitted) {
    *error = SDL_GetError();
    return std::nullopt;
  }
  if (keyed) {
    const int bpp = s.format->BytesPerPixel;
    SDL_LockSurface(&s);
    for (int y = 0; y < s.h; ++y) {
      const auto* row = static_cast<const std::uint8_t*>(s.pixels) + std::ptrdiff_t(y) * s.pitch;
      for (int x = 0; x < s.w; ++x) {
        Uint32 value = 0;
        std::memcpy(&value, row + x * bpp, std::size_t(bpp));  // little-endian hosts
        if (value == key) image.at(x, y)[3] = 0;
      }
    }
    SDL_UnlockSurface(&s);
  }
  return scene::to_picture(std::move(image));
}

}  // namespace

std::optional<scene::Picture> picture_from_surface(SDL_Surface& surface, std::string* error,
                                                   bool as_rgba) {
  Uint32 key = 0;
  const bool keyed = SDL_GetColorKey(&surface, &key) == 0;
  const Uint32 format = surface.format->format;
  scene::Picture picture;
  picture.width = surface.w;
  picture.height = surface.h;
  if (!as_rgba && format == SDL_PIXELFORMAT_INDEX8 && surface.format->palette) {
    const SDL_Palette& palette = *surface.format->palette;
    for (int i = 0; i < std::min(palette.ncolors, 256); ++i) {
      const SDL_Color& c = palette.colors[i];
      picture.palette[std::size_t(i)] = text::Color{c.r, c.g, c.b, c.a};
    }
    if (keyed && key < 256) picture.palette[key].a = 0;
    picture.format = scene::Picture::Format::indexed;
    picture.pixels = packed_rows(surface, 1);
    return picture;
  }
  if (!as_rgba && !keyed && (format == SDL_PIXELFORMAT_RGB24 || format == SDL_PIXELFORMAT_RGBA32)) {
    const bool rgb = format == SDL_PIXELFORMAT_RGB24;
    picture.format = rgb ? scene::Picture::Format::rgb : scene::Picture::Format::rgba;
    picture.pixels = packed_rows(surface, rgb ? 3 : 4);
    return picture;
  }
  return blit_to_rgba(surface, error);
}

}  // namespace signage::test_support
