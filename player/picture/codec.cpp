#include "picture/codec.h"

#include <cstdio>

namespace signage::picture {

namespace {

void png_failed(png_structp png, png_const_charp message) {
  auto* failure = static_cast<Failure*>(png_get_error_ptr(png));
  std::snprintf(failure->message, sizeof failure->message, "%s", message);
  std::longjmp(failure->jump, 1);
}

void png_ignore_warning(png_structp, png_const_charp) {}

}  // namespace

PngReader::PngReader(Failure& failure) {
  png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_failed, png_ignore_warning);
  info = png ? png_create_info_struct(png) : nullptr;
  if (!info) std::snprintf(failure.message, sizeof failure.message, "out of memory");
}

PngReader::~PngReader() {
  if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
}

void jpeg_failed(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegReader::Errors*>(cinfo->err);
  cinfo->err->format_message(cinfo, errors->failure->message);
  std::longjmp(errors->failure->jump, 1);
}

JpegReader::JpegReader(Failure& failure, void (*emit_message)(j_common_ptr, int)) {
  cinfo.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_failed;
  errors.manager.emit_message = emit_message;
  errors.failure = &failure;
}

JpegReader::~JpegReader() {
  if (created) jpeg_destroy_decompress(&cinfo);
}

void JpegReader::create() {
  jpeg_create_decompress(&cinfo);
  created = true;
}

}  // namespace signage::picture
