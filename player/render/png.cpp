#include <SDL.h>
#include <SDL_image.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <memory>
#include <vector>

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

namespace signage::render {
namespace {

struct PngWrite {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngWrite() { png_destroy_write_struct(&png, &info); }
};

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void no_flush(png_structp) {}

bool opaque(const text::RgbaImage& image) {
  for (std::size_t i = 3; i < image.pixels.size(); i += 4) {
    if (image.pixels[i] != 255) return false;
  }
  return true;
}

}  // namespace

void release_thread_state() {
  SDL_TLSCleanup();
}

RgbaRows rows_of(const text::RgbaImage& image) {
  RgbaRows rows;
  rows.width = image.width;
  rows.height = image.height;
  rows.opaque = opaque(image);
  const std::uint8_t* pixels = image.pixels.data();
  const std::size_t stride = std::size_t(image.width) * 4;
  rows.row = [pixels, stride](int y) { return pixels + std::size_t(y) * stride; };
  return rows;
}

std::optional<std::string> encode_png(const text::RgbaImage& image, int level) {
  return encode_png(rows_of(image), level);
}

std::optional<std::string> encode_png(const RgbaRows& rows, int level) {
  if (rows.width <= 0 || rows.height <= 0) return std::nullopt;
  std::string out;
  PngWrite w;
  w.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!w.png) return std::nullopt;
  w.info = png_create_info_struct(w.png);
  if (!w.info) return std::nullopt;
  // libpng reports errors by longjmp; nothing with a destructor is created below this point.
  if (setjmp(png_jmpbuf(w.png))) return std::nullopt;
  png_set_write_fn(w.png, &out, append_bytes, no_flush);
  png_set_compression_level(w.png, level);
  // The Sub filter alone: nearly the size of adaptive filtering on cards, a fraction of its time.
  png_set_filter(w.png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  const bool rgb = rows.opaque;  // frames are opaque: 3 bytes a pixel
  png_set_IHDR(w.png, w.info, png_uint_32(rows.width), png_uint_32(rows.height), 8,
               rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info(w.png, w.info);
  if (rgb) png_set_filler(w.png, 0, PNG_FILLER_AFTER);  // drops the alpha byte while writing
  for (int y = 0; y < rows.height; ++y) {
    png_write_row(w.png, const_cast<png_bytep>(rows.row(y)));
  }
  png_write_end(w.png, nullptr);
  out.shrink_to_fit();  // kept in caches: not the up to 2x of appending
  return out;
}

text::RgbaImage downscale(const text::RgbaImage& image, int width, int height) {
  return downscale(rows_of(image), width, height);
}

text::RgbaImage downscale(const RgbaRows& image, int width, int height) {
  text::RgbaImage out;
  if (image.width <= 0 || image.height <= 0 || width <= 0 || height <= 0) return out;
  out.width = width;
  out.height = height;
  out.pixels.assign(std::size_t(width) * height * 4, 0);
  // Each output pixel is the area-weighted mean of the source pixels it covers (a box filter):
  // every source pixel counts, so thin strokes of text stay as grey lines instead of breaking up
  // as they do when a few samples are interpolated.
  const double sx = double(image.width) / width, sy = double(image.height) / height;
  std::vector<double> row(std::size_t(width) * 4);
  for (int oy = 0; oy < height; ++oy) {
    std::fill(row.begin(), row.end(), 0.0);
    const double y0 = oy * sy, y1 = (oy + 1) * sy;
    for (int y = int(y0); y < std::min(image.height, int(std::ceil(y1))); ++y) {
      const double wy = std::min(y1, y + 1.0) - std::max(y0, double(y));
      if (wy <= 0) continue;
      const std::uint8_t* src = image.row(y);
      for (int ox = 0; ox < width; ++ox) {
        const double x0 = ox * sx, x1 = (ox + 1) * sx;
        for (int x = int(x0); x < std::min(image.width, int(std::ceil(x1))); ++x) {
          const double w = wy * (std::min(x1, x + 1.0) - std::max(x0, double(x)));
          if (w <= 0) continue;
          for (int c = 0; c < 4; ++c)
            row[std::size_t(ox) * 4 + c] += w * src[std::size_t(x) * 4 + c];
        }
      }
    }
    const double area = sx * sy;
    std::uint8_t* dst = out.pixels.data() + std::size_t(oy) * width * 4;
    for (std::size_t i = 0; i < row.size(); ++i) {
      dst[i] = std::uint8_t(std::clamp(std::lround(row[i] / area), 0L, 255L));
    }
  }
  return out;
}

}  // namespace signage::render
