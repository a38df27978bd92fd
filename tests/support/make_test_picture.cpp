// make_test_picture OUT W H [png|jpeg|progressive-jpeg]: the pictures the tests make, for
// measuring by hand (README.md's benchmarks): a one-colour 1-bit PNG or a four-colour JPEG.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/pictures.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: make_test_picture OUT W H png|jpeg|progressive-jpeg\n");
    return 2;
  }
  const int w = std::atoi(argv[2]), h = std::atoi(argv[3]);
  const std::string kind = argv[4];
  namespace ts = signage::test_support;
  const bool ok = kind == "png" ? ts::write_flat_png(argv[1], w, h)
                                : ts::write_quadrant_jpeg(argv[1], w, h, kind != "jpeg");
  if (!ok) std::fprintf(stderr, "make_test_picture: cannot write %s\n", argv[1]);
  return ok ? 0 : 1;
}
