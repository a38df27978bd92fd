// Reading a header with the libraries that decode the file (libpng's png_read_info, libjpeg's
// jpeg_read_header), so the size checked is the size the decoder will see.
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

#include "picture/picture.h"

namespace signage::picture {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Where the libraries' error handlers jump back to, with their message. Both libraries report
// errors by longjmp, so the functions that call them hold no C++ object with a destructor.
struct Failure {
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

// ---------------------------------------------------------------------------------------------
// PNG

void png_failed(png_structp png, png_const_charp message) {
  auto* failure = static_cast<Failure*>(png_get_error_ptr(png));
  std::snprintf(failure->message, sizeof failure->message, "%s", message);
  std::longjmp(failure->jump, 1);
}

void png_ignore_warning(png_structp, png_const_charp) {}

// Reads up to the first IDAT; ancillary chunks are bounded (png_set_chunk_malloc_max) and those
// the player does not use are skipped, so a header costs kilobytes whatever the file claims. True
// once IHDR was read, even when the file is cut short after it: the size is what matters here.
bool png_header(std::FILE* file, Header& header, Failure& failure) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_failed, png_ignore_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(failure.message, sizeof failure.message, "out of memory");
    return false;
  }
  if (!setjmp(failure.jump)) {
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    png_set_chunk_malloc_max(png, 1 << 20);
    png_set_benign_errors(png, 1);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
    png_read_info(png, info);
  }
  header.format = Format::png;
  header.width = int(png_get_image_width(png, info));
  header.height = int(png_get_image_height(png, info));
  png_destroy_read_struct(&png, &info, nullptr);
  return header.width > 0 && header.height > 0;
}

// ---------------------------------------------------------------------------------------------
// JPEG

struct JpegErrors {
  jpeg_error_mgr manager;
  Failure* failure;
};

void jpeg_failed(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  cinfo->err->format_message(cinfo, errors->failure->message);
  std::longjmp(errors->failure->jump, 1);
}

// Warnings are ignored, except the end of the file inside the header: libjpeg would go on with
// a made-up end marker.
void jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_failed(cinfo);
}

// Bytes of DCT coefficients a multi-scan JPEG holds for the whole image: 64 two-byte values a
// block, every component's blocks rounded up to whole MCUs.
std::uint64_t coefficient_bytes(const jpeg_decompress_struct& cinfo) {
  int max_h = 1, max_v = 1;
  for (int i = 0; i < cinfo.num_components; ++i) {
    max_h = std::max(max_h, cinfo.comp_info[i].h_samp_factor);
    max_v = std::max(max_v, cinfo.comp_info[i].v_samp_factor);
  }
  const std::uint64_t mcu_w = (std::uint64_t(cinfo.image_width) + 8 * max_h - 1) / (8 * max_h);
  const std::uint64_t mcu_h = (std::uint64_t(cinfo.image_height) + 8 * max_v - 1) / (8 * max_v);
  std::uint64_t bytes = 0;
  for (int i = 0; i < cinfo.num_components; ++i) {
    const jpeg_component_info& c = cinfo.comp_info[i];
    bytes += mcu_w * std::uint64_t(c.h_samp_factor) * mcu_h * std::uint64_t(c.v_samp_factor) *
             sizeof(JBLOCK);
  }
  return bytes;
}

// Reads up to the first scan. True once the frame header (SOF) was read, even when the file is
// cut short after it.
bool jpeg_header(std::FILE* file, Header& header, Failure& failure) {
  jpeg_decompress_struct cinfo;
  JpegErrors errors;
  cinfo.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_failed;
  errors.manager.emit_message = jpeg_message;
  errors.failure = &failure;
  volatile bool complete = false;
  jpeg_create_decompress(&cinfo);  // zeroes the sizes: 0 until a frame header is read
  if (!setjmp(failure.jump)) {
    jpeg_stdio_src(&cinfo, file);
    jpeg_read_header(&cinfo, TRUE);
    complete = true;
  }
  header.format = Format::jpeg;
  header.width = int(cinfo.image_width);
  header.height = int(cinfo.image_height);
  // libjpeg checks the sampling factors only once the header is complete: a progressive frame
  // cut short may hold garbage there, so its memory cannot be computed and it is not a picture.
  const bool usable = complete || !cinfo.progressive_mode;
  header.whole_image_bytes =
      complete && jpeg_has_multiple_scans(&cinfo) ? coefficient_bytes(cinfo) : 0;
  jpeg_destroy_decompress(&cinfo);
  return usable && header.width > 0 && header.height > 0;
}

}  // namespace

std::optional<Header> read_header(const std::filesystem::path& path, std::string* error,
                                  bool* not_a_picture) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    *error = std::string("cannot open it: ") + std::strerror(errno);
    return std::nullopt;
  }
  unsigned char magic[8] = {};
  const std::size_t got = std::fread(magic, 1, sizeof magic, file.get());
  const bool png = got == 8 && png_sig_cmp(magic, 0, 8) == 0;
  const bool jpeg = got >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff;
  if (!png && !jpeg) {
    *error = "it is not a PNG or JPEG image";
    if (not_a_picture) *not_a_picture = true;
    return std::nullopt;
  }
  Header header;
  Failure failure;
  if (jpeg) std::rewind(file.get());
  if (!(png ? png_header(file.get(), header, failure) : jpeg_header(file.get(), header, failure))) {
    *error = std::string("its ") + (png ? "PNG" : "JPEG") + " header is damaged or cut short (" +
             failure.message + ")";
    return std::nullopt;
  }
  return header;
}

}  // namespace signage::picture
