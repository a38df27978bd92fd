#include "studio/picture_output.h"

#include <libexif/exif-data.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "files/files.h"
#include "picture/codec.h"
#include "picture/picture.h"
#include "render/render.h"

namespace signage::studio {

namespace fs = std::filesystem;

namespace {

// Straight 8-bit pixels, 3 (RGB) or 4 (RGBA) bytes each, rows without padding.
struct Pixels {
  int width = 0, height = 0, channels = 3;
  std::vector<std::uint8_t> data;
};

// The decoded picture as RGB, or RGBA when any pixel is not opaque.
Pixels from_picture(scene::Picture&& p) {
  Pixels out{p.width, p.height, 3, {}};
  const std::size_t n = std::size_t(p.width) * std::size_t(p.height);
  bool alpha = false;
  if (p.format == scene::Picture::Format::rgb) {
    out.data = std::move(p.pixels);
    return out;
  }
  if (p.format == scene::Picture::Format::rgba) {
    for (std::size_t i = 0; i < n && !alpha; ++i) alpha = p.pixels[i * 4 + 3] != 255;
    if (alpha) {
      out.channels = 4;
      out.data = std::move(p.pixels);
      return out;
    }
    out.data.resize(n * 3);
    for (std::size_t i = 0; i < n; ++i) std::copy_n(&p.pixels[i * 4], 3, &out.data[i * 3]);
    return out;
  }
  for (std::size_t i = 0; i < n && !alpha; ++i) alpha = p.palette[p.pixels[i]].a != 255;
  out.channels = alpha ? 4 : 3;
  out.data.resize(n * std::size_t(out.channels));
  for (std::size_t i = 0; i < n; ++i) {
    const text::Color c = p.palette[p.pixels[i]];
    const std::uint8_t rgba[4] = {c.r, c.g, c.b, c.a};
    std::copy_n(rgba, out.channels, &out.data[i * std::size_t(out.channels)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Downscaling: each output pixel is the average of the source area it covers (a box filter with
// fractional edges), one axis at a time. Transparent pixels are premultiplied first, so their
// hidden colour does not bleed into the edges.

struct Taps {
  int first = 0;
  std::vector<float> weights;
};

std::vector<Taps> area_taps(int src, int dst) {
  auto taps = std::vector<Taps>(std::size_t(dst));
  const double scale = double(src) / double(dst);
  for (int i = 0; i < dst; ++i) {
    const double a = i * scale, b = (i + 1) * scale;
    Taps& t = taps[std::size_t(i)];
    t.first = int(std::floor(a));
    const int last = std::min(src, int(std::ceil(b)));
    for (int k = t.first; k < last; ++k) {
      t.weights.push_back(float((std::min(b, k + 1.0) - std::max(a, double(k))) / scale));
    }
  }
  return taps;
}

// Resamples along x (stride = channels) or y (stride = row): `count` lines of `src_len` samples.
Pixels resize_axis(const Pixels& in, int out_w, int out_h) {
  Pixels out{out_w, out_h, in.channels, {}};
  out.data.resize(std::size_t(out_w) * std::size_t(out_h) * std::size_t(in.channels));
  const bool along_x = out_w != in.width;
  const auto taps = along_x ? area_taps(in.width, out_w) : area_taps(in.height, out_h);
  const int c = in.channels;
  for (int y = 0; y < out_h; ++y) {
    for (int x = 0; x < out_w; ++x) {
      const Taps& t = taps[std::size_t(along_x ? x : y)];
      float acc[4] = {0, 0, 0, 0};
      for (std::size_t k = 0; k < t.weights.size(); ++k) {
        const int sx = along_x ? t.first + int(k) : x, sy = along_x ? y : t.first + int(k);
        const std::uint8_t* s = &in.data[(std::size_t(sy) * std::size_t(in.width) + sx) * c];
        for (int ch = 0; ch < c; ++ch) acc[ch] += t.weights[k] * float(s[ch]);
      }
      std::uint8_t* d = &out.data[(std::size_t(y) * std::size_t(out_w) + x) * c];
      for (int ch = 0; ch < c; ++ch)
        d[ch] = std::uint8_t(std::clamp(std::lround(acc[ch]), 0L, 255L));
    }
  }
  return out;
}

void premultiply(Pixels& p, bool undo) {
  if (p.channels != 4) return;
  for (std::size_t i = 0; i < p.data.size(); i += 4) {
    const unsigned a = p.data[i + 3];
    for (int ch = 0; ch < 3; ++ch) {
      unsigned v = p.data[i + std::size_t(ch)];
      v = undo ? (a ? std::min(255u, (v * 255 + a / 2) / a) : 0) : (v * a + 127) / 255;
      p.data[i + std::size_t(ch)] = std::uint8_t(v);
    }
  }
}

Pixels downscale(Pixels in, int out_w, int out_h) {
  if (out_w == in.width && out_h == in.height) return in;
  premultiply(in, false);
  Pixels out = resize_axis(in, out_w, in.height);
  in = {};
  out = resize_axis(out, out_w, out_h);
  premultiply(out, true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// EXIF orientation: where the stored pixel (x, y) of a w x h picture is shown.

Pixels orient(const Pixels& in, int orientation) {
  if (orientation < 2 || orientation > 8) return in;
  const int w = in.width, h = in.height, c = in.channels;
  const bool swap = orientation >= 5;
  Pixels out{swap ? h : w, swap ? w : h, c, {}};
  out.data.resize(in.data.size());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = x, oy = y;
      switch (orientation) {
        case 2: ox = w - 1 - x; break;                  // mirrored left-right
        case 3: ox = w - 1 - x, oy = h - 1 - y; break;  // upside down
        case 4: oy = h - 1 - y; break;                  // mirrored top-bottom
        case 5: ox = y, oy = x; break;                  // transposed
        case 6: ox = h - 1 - y, oy = x; break;          // turned 90 degrees clockwise
        case 7: ox = h - 1 - y, oy = w - 1 - x; break;  // transversed
        case 8: ox = y, oy = w - 1 - x; break;          // turned 90 degrees anticlockwise
      }
      std::copy_n(&in.data[(std::size_t(y) * std::size_t(w) + x) * c], c,
                  &out.data[(std::size_t(oy) * std::size_t(out.width) + ox) * c]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding into memory: only pixels are written, so no metadata of the source survives.

bool encode_jpeg(const Pixels& p, std::string& out, std::string* error) {
  picture::Failure failure;
  struct Compressor {
    jpeg_compress_struct cinfo{};
    picture::JpegReader::Errors errors{};
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    volatile bool created = false;
    ~Compressor() {
      if (created) jpeg_destroy_compress(&cinfo);
      std::free(buffer);
    }
  } c;
  c.cinfo.err = jpeg_std_error(&c.errors.manager);
  c.errors.manager.error_exit = picture::jpeg_failed;
  c.errors.failure = &failure;
  if (setjmp(failure.jump)) {
    *error = failure.message;
    return false;
  }
  jpeg_create_compress(&c.cinfo);
  c.created = true;
  jpeg_mem_dest(&c.cinfo, &c.buffer, &c.size);
  c.cinfo.image_width = JDIMENSION(p.width);
  c.cinfo.image_height = JDIMENSION(p.height);
  c.cinfo.input_components = 3;
  c.cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c.cinfo);
  jpeg_set_quality(&c.cinfo, 85, TRUE);
  c.cinfo.optimize_coding = TRUE;
  jpeg_start_compress(&c.cinfo, TRUE);
  while (c.cinfo.next_scanline < c.cinfo.image_height) {
    JSAMPROW row[1] = {const_cast<JSAMPLE*>(
        &p.data[std::size_t(c.cinfo.next_scanline) * std::size_t(p.width) * 3])};
    jpeg_write_scanlines(&c.cinfo, row, 1);
  }
  jpeg_finish_compress(&c.cinfo);
  out.assign(reinterpret_cast<const char*>(c.buffer), c.size);
  return true;
}

void png_append(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), length);
}

bool encode_png(const Pixels& p, std::string& out, std::string* error) {
  struct Writer {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~Writer() { png_destroy_write_struct(&png, info ? &info : nullptr); }
  } w;
  w.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  w.info = w.png ? png_create_info_struct(w.png) : nullptr;
  if (!w.info) {
    *error = "out of memory";
    return false;
  }
  if (setjmp(png_jmpbuf(w.png))) {
    *error = "libpng could not write the picture";
    return false;
  }
  png_set_write_fn(w.png, &out, png_append, nullptr);
  png_set_IHDR(w.png, w.info, png_uint_32(p.width), png_uint_32(p.height), 8,
               p.channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(w.png, w.info);
  const std::size_t row = std::size_t(p.width) * std::size_t(p.channels);
  for (int y = 0; y < p.height; ++y) {
    png_write_row(w.png, const_cast<png_bytep>(&p.data[std::size_t(y) * row]));
  }
  png_write_end(w.png, nullptr);
  return true;
}

std::string short_hash(const std::string& bytes) {
  unsigned char digest[4];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  char hex[9];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// The size that fits in side x side with the picture's proportions (never enlarged).
picture::Size fit(int w, int h, int side) {
  const double scale = std::min(1.0, double(side) / double(std::max(w, h)));
  return {std::max(1, int(std::lround(w * scale))), std::max(1, int(std::lround(h * scale)))};
}

}  // namespace

int exif_orientation(const fs::path& path) {
  std::unique_ptr<ExifData, decltype(&exif_data_unref)> data(exif_data_new_from_file(path.c_str()),
                                                             &exif_data_unref);
  if (!data) return 1;
  ExifEntry* entry = exif_content_get_entry(data->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
  if (!entry || entry->format != EXIF_FORMAT_SHORT || entry->components < 1 || entry->size < 2) {
    return 1;
  }
  const int value = exif_get_short(entry->data, exif_data_get_byte_order(data.get()));
  return value >= 1 && value <= 8 ? value : 1;
}

std::string image_file_name(std::string_view name, PictureUse use, std::string_view hash,
                            std::string_view ext) {
  const auto dot = name.rfind('.');
  const std::string_view stem = name.substr(0, dot);
  std::string slug;
  for (char ch : stem) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 0x80) {
      slug += char(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = use == PictureUse::logo ? "logo" : "picture";
  return slug + "-" + std::string(hash) + std::string(ext);
}

PictureOutcome make_screen_picture(const fs::path& source, std::string_view name,
                                   const fs::path& draft_dir, PictureUse use) {
  PictureOutcome outcome;
  using Problem = PictureOutcome::Problem;
  std::string why;
  bool not_picture = false;
  auto header = picture::read_header(source, &why, &not_picture);
  if (!header) {
    outcome.problem = not_picture ? Problem::not_a_picture : Problem::damaged;
    return outcome;
  }
  const bool jpeg = header->format == picture::Format::jpeg;
  const int orientation = jpeg ? exif_orientation(source) : 1;
  // Decoded at the smallest reduction that still covers the size wanted (stored orientation).
  const picture::Size want = fit(header->width, header->height, largest_side(use));
  bool broken = false;
  auto decoded = render::load_picture(source, &why, {want.width, want.height}, &broken);
  if (!decoded || broken) {
    outcome.problem = Problem::damaged;
    return outcome;
  }
  Pixels pixels = from_picture(std::move(*decoded));
  decoded.reset();
  const picture::Size size = fit(pixels.width, pixels.height, largest_side(use));
  pixels = orient(downscale(std::move(pixels), size.width, size.height), orientation);

  const bool as_png = !jpeg || pixels.channels == 4;
  std::string bytes;
  if (!(as_png ? encode_png(pixels, bytes, &why) : encode_jpeg(pixels, bytes, &why))) {
    outcome.problem = Problem::io;
    outcome.detail = why;
    return outcome;
  }
  const std::string file = image_file_name(name, use, short_hash(bytes), as_png ? ".png" : ".jpg");
  std::error_code ec;
  fs::create_directories(draft_dir / "images", ec);
  if (!files::replace_file(draft_dir / "images" / file, bytes, 0644, &why)) {
    outcome.problem = Problem::io;
    outcome.detail = why;
    return outcome;
  }
  outcome.picture = FinishedPicture{"images/" + file, pixels.width, pixels.height, bytes.size()};
  return outcome;
}

}  // namespace signage::studio
