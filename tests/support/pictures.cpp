#include "support/pictures.h"

#include <cstdio>
// jpeglib.h needs FILE and size_t declared before it.
#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <vector>

namespace signage::test_support {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += char((v >> shift) & 0xff);
}

// CRC-32 as PNG chunks carry it (ISO 3309), over the chunk's type and data.
std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return crc ^ 0xffffffffu;
}

void chunk(std::string& out, const std::string& type_and_data) {
  put32(out, std::uint32_t(type_and_data.size() - 4));
  out += type_and_data;
  put32(out, crc32(type_and_data));
}

}  // namespace

bool write_flat_png(const std::filesystem::path& path, int w, int h) {
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) return false;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, file.get());
  png_set_IHDR(png, info, png_uint_32(w), png_uint_32(h), 1, PNG_COLOR_TYPE_PALETTE,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_color palette[2] = {{40, 90, 160}, {255, 255, 255}};
  png_set_PLTE(png, info, palette, 2);
  png_set_compression_level(png, 9);
  png_write_info(png, info);
  std::vector<png_byte> row(std::size_t(w + 7) / 8, 0);
  for (int y = 0; y < h; ++y) png_write_row(png, row.data());
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

bool write_random_png(const std::filesystem::path& path, int w, int h, int colour_type,
                      int bit_depth, bool interlaced, bool transparent, unsigned seed,
                      int* grey_key) {
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) return false;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, file.get());
  png_set_IHDR(png, info, png_uint_32(w), png_uint_32(h), bit_depth, colour_type,
               interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  std::mt19937 random(seed);
  const int entries = 1 << std::min(bit_depth, 8);
  png_color palette[256];
  png_byte alpha[256];
  for (int i = 0; i < 256; ++i) {
    palette[i] = {png_byte(random()), png_byte(random()), png_byte(random())};
    alpha[i] = png_byte(i % 3 == 0 ? 0 : random());
  }
  const int top = (1 << bit_depth) - 1;
  png_color_16 key{0, png_uint_16(random() % (top + 1)), png_uint_16(random() % (top + 1)),
                   png_uint_16(random() % (top + 1)), png_uint_16(random() % (top + 1))};
  if (colour_type == PNG_COLOR_TYPE_PALETTE) png_set_PLTE(png, info, palette, entries);
  if (transparent && colour_type == PNG_COLOR_TYPE_PALETTE) {
    png_set_tRNS(png, info, alpha, std::min(entries, 5), nullptr);
  } else if (transparent) {
    png_set_tRNS(png, info, nullptr, 0, &key);
  }
  png_write_info(png, info);
  if (bit_depth == 16) png_set_swap(png);  // rows below are in host (little-endian) order
  const int channels = png_get_channels(png, info);
  const std::size_t row_bytes = (std::size_t(w) * channels * bit_depth + 7) / 8;
  std::vector<std::vector<png_byte>> rows(static_cast<std::size_t>(h),
                                          std::vector<png_byte>(row_bytes));
  for (auto& row : rows) {
    for (auto& b : row) b = png_byte(random());
    // Some pixels exactly the colour key (8-bit grey or RGB), so a key matters when there is one.
    if (bit_depth == 8 && colour_type == PNG_COLOR_TYPE_GRAY) row[0] = png_byte(key.gray);
    if (bit_depth == 8 && colour_type == PNG_COLOR_TYPE_RGB) {
      row[0] = png_byte(key.red), row[1] = png_byte(key.green), row[2] = png_byte(key.blue);
    }
    if (colour_type == PNG_COLOR_TYPE_PALETTE && bit_depth == 8) {
      for (auto& b : row) b = png_byte(b % entries);
    }
  }
  if (grey_key) *grey_key = key.gray;
  std::vector<png_bytep> pointers;
  for (auto& row : rows) pointers.push_back(row.data());
  png_write_image(png, pointers.data());
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

bool write_quadrant_jpeg(const std::filesystem::path& path, int w, int h, bool progressive) {
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) return false;
  jpeg_compress_struct cinfo;
  jpeg_error_mgr errors;
  cinfo.err = jpeg_std_error(&errors);  // exits the test program on an error: fine in a test
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file.get());
  cinfo.image_width = JDIMENSION(w);
  cinfo.image_height = JDIMENSION(h);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 85, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<JSAMPLE> row(std::size_t(w) * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    const bool top = int(cinfo.next_scanline) < h / 2;
    for (int x = 0; x < w; ++x) {
      const bool left = x < w / 2;
      const JSAMPLE colour[4][3] = {{220, 30, 30}, {30, 200, 30}, {255, 255, 255}, {30, 30, 220}};
      const JSAMPLE* c = colour[top ? (left ? 0 : 1) : (left ? 3 : 2)];
      std::copy(c, c + 3, row.begin() + std::ptrdiff_t(x) * 3);
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

std::string crafted_png(int w, int h) {
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr = "IHDR";
  put32(ihdr, std::uint32_t(w));
  put32(ihdr, std::uint32_t(h));
  ihdr += std::string("\x08\x06\x00\x00\x00", 5);  // 8-bit RGBA, deflate, no filter, no interlace
  chunk(out, ihdr);
  chunk(out, "IEND");
  return out;
}

std::string crafted_jpeg(int w, int h) {
  std::string out = "\xff\xd8";                   // SOI
  out += std::string("\xff\xc0\x00\x11\x08", 5);  // SOF0, 17 bytes, 8-bit samples
  out += char(h >> 8), out += char(h & 0xff);
  out += char(w >> 8), out += char(w & 0xff);
  out += std::string("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);  // Y 2x2, Cb, Cr
  out += "\xff\xd9";                                                   // EOI
  return out;
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace signage::test_support
