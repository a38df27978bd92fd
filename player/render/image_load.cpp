#include <cstdio>
// jpeglib.h needs FILE and size_t declared before it.
#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstring>
#include <memory>

#include "picture/codec.h"
#include "picture/picture.h"
#include "render.h"

namespace signage::render {

namespace {

using picture::Failure;
using picture::FilePtr;
using picture::JpegReader;
using picture::PngReader;

// Decodes a PNG straight into the picture's pixels, in the form SDL2_image would give it:
// paletted and grey PNGs stay one byte a pixel (grey as a grey palette), 16-bit samples are cut
// to 8, a tRNS colour becomes alpha. No gamma correction, as SDL2_image. The size must be the
// planned one (the file may have changed since its header was read).
bool decode_png(std::FILE* file, const picture::Plan& plan, scene::Picture& out, Failure& failure) {
  PngReader reader(failure);
  if (!reader.ok()) return false;
  png_structp png = reader.png;
  png_infop info = reader.info;
  if (setjmp(failure.jump)) return false;
  png_init_io(png, file);
  png_set_user_limits(png, png_uint_32(plan.width), png_uint_32(plan.height));
  png_set_chunk_malloc_max(png, 1 << 20);
  png_set_benign_errors(png, 1);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
  png_read_info(png, info);
  const int type = png_get_color_type(png, info);
  const bool trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  png_set_strip_16(png);
  png_set_packing(png);
  out.width = int(png_get_image_width(png, info));
  out.height = int(png_get_image_height(png, info));
  if (type == PNG_COLOR_TYPE_PALETTE) {
    out.format = scene::Picture::Format::indexed;
    png_colorp colours = nullptr;
    int count = 0;
    png_get_PLTE(png, info, &colours, &count);
    png_bytep alpha = nullptr;
    int alphas = 0;
    if (trns) png_get_tRNS(png, info, &alpha, &alphas, nullptr);
    for (int i = 0; i < std::min(count, 256); ++i) {
      out.palette[std::size_t(i)] = text::Color{colours[i].red, colours[i].green, colours[i].blue,
                                                i < alphas ? alpha[i] : png_byte(255)};
    }
  } else if (type == PNG_COLOR_TYPE_GRAY && !trns) {
    out.format = scene::Picture::Format::indexed;
    png_set_expand_gray_1_2_4_to_8(png);
    for (int i = 0; i < 256; ++i) {
      out.palette[std::size_t(i)] =
          text::Color{std::uint8_t(i), std::uint8_t(i), std::uint8_t(i), 255};
    }
  } else {
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (trns) png_set_tRNS_to_alpha(png);
    const bool alpha = trns || (type & PNG_COLOR_MASK_ALPHA);
    out.format = alpha ? scene::Picture::Format::rgba : scene::Picture::Format::rgb;
  }
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  const std::size_t bytes = out.format == scene::Picture::Format::indexed ? 1
                            : out.format == scene::Picture::Format::rgb   ? 3
                                                                          : 4;
  if (out.width != plan.width || out.height != plan.height ||
      row_bytes != std::size_t(out.width) * bytes) {
    png_error(png, "the file changed while it was read");
  }
  out.pixels.resize(row_bytes * std::size_t(out.height));
  // Interlaced files come in passes, each filling in the rows read so far.
  for (int pass = 0; pass < passes; ++pass) {
    for (int y = 0; y < out.height; ++y) {
      png_read_row(png, out.pixels.data() + std::size_t(y) * row_bytes, nullptr);
    }
  }
  png_read_end(png, nullptr);
  return true;
}

// Corrupt data warnings: decode what is there, but count a file cut short or a broken Huffman
// code (num_warnings), so a caller that can refuse a damaged file (the studio's uploads) knows.
void jpeg_quiet(j_common_ptr cinfo, int level) {
  const int code = cinfo->err->msg_code;
  if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HUFF_BAD_CODE)) cinfo->err->num_warnings++;
}

// Decodes a JPEG at the plan's reduction (libjpeg's scale_denom: 1/2, 1/4 or 1/8 while
// decoding, never the full size) into RGB. libjpeg's own memory is capped at the budget too: a
// progressive file larger than planned fails instead of growing. CMYK (Adobe's inverted, as
// Photoshop writes it) is converted row by row.
bool decode_jpeg(std::FILE* file, const picture::Plan& plan, scene::Picture& out,
                 Failure& failure, bool* damaged) {
  JpegReader reader(failure, jpeg_quiet);
  jpeg_decompress_struct& cinfo = reader.cinfo;
  if (setjmp(failure.jump)) return false;
  reader.create();
  // The budget plus room for libjpeg's own row and table buffers.
  cinfo.mem->max_memory_to_use = long(picture::kBudgetBytes + (8 << 20));
  jpeg_stdio_src(&cinfo, file);
  jpeg_read_header(&cinfo, TRUE);
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = unsigned(plan.reduction);
  jpeg_calc_output_dimensions(&cinfo);
  if (int(cinfo.output_width) != plan.width || int(cinfo.output_height) != plan.height) {
    std::snprintf(failure.message, sizeof failure.message, "the file changed while it was read");
    return false;
  }
  out.width = plan.width;
  out.height = plan.height;
  out.format = scene::Picture::Format::rgb;
  const std::size_t row_bytes = std::size_t(plan.width) * 3;
  out.pixels.resize(row_bytes * std::size_t(plan.height));
  JSAMPARRAY cmyk_row = cmyk
                            ? (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo),
                                                         JPOOL_IMAGE, JDIMENSION(plan.width) * 4, 1)
                            : nullptr;
  const bool inverted = cinfo.saw_Adobe_marker;
  jpeg_start_decompress(&cinfo);
  while (cinfo.output_scanline < cinfo.output_height) {
    std::uint8_t* row = out.pixels.data() + std::size_t(cinfo.output_scanline) * row_bytes;
    if (!cmyk) {
      JSAMPROW rows[1] = {row};
      jpeg_read_scanlines(&cinfo, rows, 1);
      continue;
    }
    jpeg_read_scanlines(&cinfo, cmyk_row, 1);
    for (int x = 0; x < plan.width; ++x) {
      const JSAMPLE* p = cmyk_row[0] + x * 4;
      const unsigned k = inverted ? p[3] : 255u - p[3];
      for (int c = 0; c < 3; ++c) {
        const unsigned v = inverted ? p[c] : 255u - p[c];
        row[x * 3 + c] = std::uint8_t((v * k + 127) / 255);
      }
    }
  }
  if (damaged) *damaged = cinfo.err->num_warnings > 0;
  jpeg_finish_decompress(&cinfo);
  return true;
}

}  // namespace

std::optional<scene::Picture> load_picture(const std::filesystem::path& path, std::string* error,
                                           scene::Size screen, bool* damaged) {
  std::string why;
  auto header = picture::read_header(path, &why);
  if (!header) {
    *error = "cannot load " + path.string() + ": " + why;
    return std::nullopt;
  }
  auto plan = picture::plan_decode(*header, {screen.width, screen.height}, &why);
  if (!plan) {
    *error = "not loading " + path.string() + ": it " + why;
    return std::nullopt;
  }
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    *error = "cannot load " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  scene::Picture picture;
  Failure failure;
  const bool png = header->format == picture::Format::png;
  if (!(png ? decode_png(file.get(), *plan, picture, failure)
            : decode_jpeg(file.get(), *plan, picture, failure, damaged))) {
    *error = "cannot load " + path.string() + ": " + failure.message;
    return std::nullopt;
  }
  return picture;
}

std::optional<text::RgbaImage> load_image(const std::filesystem::path& path, std::string* error) {
  auto picture = load_picture(path, error);
  if (!picture) return std::nullopt;
  return scene::to_rgba(*picture);
}

}  // namespace signage::render
