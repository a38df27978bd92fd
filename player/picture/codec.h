// What header.cpp and the decoders in render/ share to drive libpng and libjpeg: a FILE owner,
// the longjmp target both libraries report errors to, and owners of their reader structs.
// Internal to the picture readers; picture.h is the interface.
#pragma once

#include <cstdio>
// jpeglib.h needs FILE and size_t declared before it.
#include <jpeglib.h>
#include <png.h>

#include <csetjmp>
#include <memory>

namespace signage::picture {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Where the libraries' error handlers jump back to, with their message. A function that calls
// setjmp on it keeps its C objects in the owners below, made before the setjmp, so they are
// destroyed however it ends.
struct Failure {
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

// libpng's read and info structs, reporting to `failure` and ignoring warnings. `ok()` is false
// when libpng could not allocate them (the message says so).
struct PngReader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  explicit PngReader(Failure& failure);
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;
  ~PngReader();
  bool ok() const { return info != nullptr; }
};

// A libjpeg decompressor reporting errors to `failure`; `emit_message` handles warnings.
// create() must come after the caller's setjmp (libjpeg may fail while creating).
struct JpegReader {
  struct Errors {
    jpeg_error_mgr manager;
    Failure* failure;
  };
  jpeg_decompress_struct cinfo{};
  Errors errors{};
  volatile bool created = false;  // set after setjmp: volatile keeps it right after a longjmp
  JpegReader(Failure& failure, void (*emit_message)(j_common_ptr, int));
  JpegReader(const JpegReader&) = delete;
  JpegReader& operator=(const JpegReader&) = delete;
  ~JpegReader();
  void create();
};

// libjpeg's error_exit: the message into the Failure, then the longjmp.
void jpeg_failed(j_common_ptr cinfo);

}  // namespace signage::picture
