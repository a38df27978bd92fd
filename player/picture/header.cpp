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

#include "picture/codec.h"
#include "picture/picture.h"

namespace signage::picture {

namespace {

// ---------------------------------------------------------------------------------------------
// PNG

// Reads up to the first IDAT; ancillary chunks are bounded (png_set_chunk_malloc_max) and those
// the player does not use are skipped, so a header costs kilobytes whatever the file claims. True
// once IHDR was read, even when the file is cut short after it: the size is what matters here.
bool png_header(std::FILE* file, Header& header, Failure& failure) {
  PngReader reader(failure);
  if (!reader.ok()) return false;
  if (!setjmp(failure.jump)) {
    png_init_io(reader.png, file);
    png_set_sig_bytes(reader.png, 8);
    png_set_chunk_malloc_max(reader.png, 1 << 20);
    png_set_benign_errors(reader.png, 1);
    png_set_keep_unknown_chunks(reader.png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
    png_read_info(reader.png, reader.info);
  }
  header.format = Format::png;
  header.width = int(png_get_image_width(reader.png, reader.info));
  header.height = int(png_get_image_height(reader.png, reader.info));
  return header.width > 0 && header.height > 0;
}

// ---------------------------------------------------------------------------------------------
// JPEG

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
  JpegReader reader(failure, jpeg_message);
  jpeg_decompress_struct& cinfo = reader.cinfo;  // zeroed: sizes are 0 until a frame header
  volatile bool complete = false;
  if (!setjmp(failure.jump)) {
    reader.create();
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
