// Picture uploads: resumable, hostile files refused after the first chunk without decoding,
// phone photos turned upright (all 8 EXIF orientations), downscaled, metadata dropped. Pictures
// are made at test time with libjpeg, libpng and libexif.
#include <gtest/gtest.h>
#include <libexif/exif-data.h>

#include <cstdio>
// jpeglib.h needs FILE and size_t declared before it.
#include <jpeglib.h>
#include <png.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "render/render.h"
#include "studio/picture_output.h"
#include "studio/uploads.h"
#include "support/pictures.h"
#include "support/temp_dir.h"

namespace signage::studio {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

// ---------------------------------------------------------------------------------------------
// Pictures

using Rgb = std::array<int, 3>;
const Rgb kRed{220, 30, 30}, kGreen{30, 200, 30}, kBlue{30, 30, 220}, kWhite{255, 255, 255};

// EXIF with an orientation, a camera name and a GPS position, as a phone writes it (APP1 bytes,
// "Exif\0\0" first).
std::vector<unsigned char> phone_exif(int orientation) {
  std::unique_ptr<ExifMem, decltype(&exif_mem_unref)> mem(exif_mem_new_default(), &exif_mem_unref);
  std::unique_ptr<ExifData, decltype(&exif_data_unref)> data(exif_data_new_mem(mem.get()),
                                                             &exif_data_unref);
  exif_data_set_byte_order(data.get(), EXIF_BYTE_ORDER_MOTOROLA);
  const ExifByteOrder order = exif_data_get_byte_order(data.get());
  auto add = [&](ExifIfd ifd, ExifTag tag, ExifFormat format, unsigned long components) {
    ExifEntry* e = exif_entry_new_mem(mem.get());
    e->tag = tag;
    e->format = format;
    e->components = components;
    e->size = exif_format_get_size(format) * components;
    e->data = static_cast<unsigned char*>(exif_mem_alloc(mem.get(), e->size));
    exif_content_add_entry(data->ifd[ifd], e);
    exif_entry_unref(e);
    return e;
  };
  exif_set_short(add(EXIF_IFD_0, EXIF_TAG_ORIENTATION, EXIF_FORMAT_SHORT, 1)->data, order,
                 ExifShort(orientation));
  const std::string make = "SecretCamera";
  ExifEntry* m = add(EXIF_IFD_0, EXIF_TAG_MAKE, EXIF_FORMAT_ASCII, make.size() + 1);
  std::copy(make.begin(), make.end(), m->data);
  std::copy_n("N", 2,
              add(EXIF_IFD_GPS, ExifTag(EXIF_TAG_GPS_LATITUDE_REF), EXIF_FORMAT_ASCII, 2)->data);
  ExifEntry* lat = add(EXIF_IFD_GPS, ExifTag(EXIF_TAG_GPS_LATITUDE), EXIF_FORMAT_RATIONAL, 3);
  for (int i = 0; i < 3; ++i) {
    exif_set_rational(lat->data + 8 * i, order, ExifRational{unsigned(39 + i), 1});
  }
  unsigned char* bytes = nullptr;
  unsigned int size = 0;
  exif_data_save_data(data.get(), &bytes, &size);
  std::vector<unsigned char> out(bytes, bytes + size);
  exif_mem_free(mem.get(), bytes);
  return out;
}

// A baseline JPEG of w x h in four quadrants, red, green, white and blue clockwise from the top
// left, with the phone's EXIF when orientation > 0.
void write_jpeg(const fs::path& path, int w, int h, int orientation) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  jpeg_compress_struct cinfo;
  jpeg_error_mgr errors;
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file);
  cinfo.image_width = JDIMENSION(w);
  cinfo.image_height = JDIMENSION(h);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 90, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  if (orientation > 0) {
    auto exif = phone_exif(orientation);
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, exif.data(), unsigned(exif.size()));
  }
  std::vector<JSAMPLE> row(std::size_t(w) * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    const bool top = int(cinfo.next_scanline) < h / 2;
    for (int x = 0; x < w; ++x) {
      const Rgb& c = top ? (x < w / 2 ? kRed : kGreen) : (x < w / 2 ? kBlue : kWhite);
      for (int k = 0; k < 3; ++k)
        row[std::size_t(x) * 3 + std::size_t(k)] = JSAMPLE(c[std::size_t(k)]);
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(file);
}

// An 8-bit PNG; `pixel(x, y)` gives RGBA.
template <typename F>
void write_png(const fs::path& path, int w, int h, F pixel) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, file);
  png_set_IHDR(png, info, png_uint_32(w), png_uint_32(h), 8, PNG_COLOR_TYPE_RGBA,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  std::vector<png_byte> row(std::size_t(w) * 4);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const std::array<int, 4> p = pixel(x, y);
      for (int k = 0; k < 4; ++k)
        row[std::size_t(x) * 4 + std::size_t(k)] = png_byte(p[std::size_t(k)]);
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The colour at a fraction of the image's width and height.
Rgb colour_at(const text::RgbaImage& image, double fx, double fy) {
  const std::uint8_t* p =
      image.pixels.data() +
      (std::size_t(fy * image.height) * std::size_t(image.width) + std::size_t(fx * image.width)) *
          4;
  return {p[0], p[1], p[2]};
}

::testing::AssertionResult near(const Rgb& got, const Rgb& want, const char* where) {
  for (int k = 0; k < 3; ++k) {
    if (std::abs(got[std::size_t(k)] - want[std::size_t(k)]) > 24) {
      return ::testing::AssertionFailure()
             << where << ": got " << got[0] << "," << got[1] << "," << got[2] << ", want "
             << want[0] << "," << want[1] << "," << want[2];
    }
  }
  return ::testing::AssertionSuccess();
}

// Peak resident memory of this process since the last reset, in KB (the kernel's VmHWM).
long peak_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}
void reset_peak() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

// ---------------------------------------------------------------------------------------------
// Uploading

struct Studio {
  TempDir dir{"studio-uploads"};
  StudioPaths paths;
  Uploads uploads;
  explicit Studio(UploadSettings settings = {})
      : paths{dir.path / "data"}, uploads(paths, settings) {}
};

// Sends the file in chunks of the studio's size; the first error, or the finished picture.
std::optional<FinishedPicture> upload(Studio& s, const fs::path& file, const std::string& name,
                                      UploadError* error, PictureUse use = PictureUse::picture,
                                      std::size_t* chunks_sent = nullptr) {
  const std::string bytes = read_all(file);
  auto state = s.uploads.begin(name, bytes.size(), "li", error);
  if (!state) return std::nullopt;
  const std::size_t chunk = s.uploads.settings().chunk_bytes;
  std::size_t sent = 0;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    ++sent;
    if (chunks_sent) *chunks_sent = sent;
    if (!s.uploads.append(state->id, at, std::string_view(bytes).substr(at, chunk), "li", error)) {
      return std::nullopt;
    }
  }
  return s.uploads.finish(state->id, "li", use, error);
}

std::size_t exif_entries(const fs::path& path) {
  std::unique_ptr<ExifData, decltype(&exif_data_unref)> data(exif_data_new_from_file(path.c_str()),
                                                             &exif_data_unref);
  if (!data) return 0;
  std::size_t n = 0;
  for (ExifContent* ifd : data->ifd) n += ifd->count;
  return n;
}

TEST(Uploads, EveryExifOrientationIsTurnedUprightAndMetadataDropped) {
  // What the screen must show for each orientation tag, stored quadrants being red, green,
  // white, blue clockwise from the top left: (top left, top right, bottom right, bottom left),
  // from the EXIF specification's table of where row 0 and column 0 are.
  const std::array<std::array<Rgb, 4>, 9> shown{{
      {},
      {kRed, kGreen, kWhite, kBlue},  // 1: as stored
      {kGreen, kRed, kBlue, kWhite},  // 2: mirrored left-right
      {kWhite, kBlue, kRed, kGreen},  // 3: turned 180 degrees
      {kBlue, kWhite, kGreen, kRed},  // 4: mirrored top-bottom
      {kRed, kBlue, kWhite, kGreen},  // 5: transposed
      {kBlue, kRed, kGreen, kWhite},  // 6: turned 90 degrees clockwise (a phone held upright)
      {kWhite, kGreen, kRed, kBlue},  // 7: transversed
      {kGreen, kWhite, kBlue, kRed},  // 8: turned 90 degrees anticlockwise
  }};
  Studio s;
  for (int orientation = 1; orientation <= 8; ++orientation) {
    SCOPED_TRACE("orientation " + std::to_string(orientation));
    const fs::path photo = s.dir.path / ("photo" + std::to_string(orientation) + ".jpg");
    write_jpeg(photo, 320, 160, orientation);
    ASSERT_EQ(exif_orientation(photo), orientation);  // the test file says what it should
    ASSERT_GT(exif_entries(photo), 3u);
    UploadError error;
    auto picture = upload(s, photo, "IMG_204" + std::to_string(orientation) + ".jpg", &error);
    ASSERT_TRUE(picture) << error.words.en;
    EXPECT_EQ(picture->width, orientation >= 5 ? 160 : 320);
    EXPECT_EQ(picture->height, orientation >= 5 ? 320 : 160);
    const fs::path out = s.paths.draft_dir() / picture->path;
    ASSERT_TRUE(fs::is_regular_file(out));
    EXPECT_EQ(fs::file_size(out), picture->bytes);
    std::string why;
    auto image = render::load_image(out, &why);
    ASSERT_TRUE(image) << why;
    EXPECT_TRUE(near(colour_at(*image, 0.1, 0.1), shown[std::size_t(orientation)][0], "top left"));
    EXPECT_TRUE(near(colour_at(*image, 0.9, 0.1), shown[std::size_t(orientation)][1], "top right"));
    EXPECT_TRUE(
        near(colour_at(*image, 0.9, 0.9), shown[std::size_t(orientation)][2], "bottom right"));
    EXPECT_TRUE(
        near(colour_at(*image, 0.1, 0.9), shown[std::size_t(orientation)][3], "bottom left"));
    // No EXIF, no GPS, no camera name left in the file.
    EXPECT_EQ(exif_entries(out), 0u);
    const std::string bytes = read_all(out);
    EXPECT_EQ(bytes.find("Exif"), std::string::npos);
    EXPECT_EQ(bytes.find("SecretCamera"), std::string::npos);
  }
}

TEST(Uploads, PhonePhotoIsDecodedReducedAndFitsTheScreen) {
  Studio s;
  const fs::path photo = s.dir.path / "big.jpg";
  ASSERT_TRUE(test_support::write_quadrant_jpeg(photo, 8000, 6000));
  UploadError error;
  reset_peak();
  const long before = peak_kb();
  auto picture = upload(s, photo, "IMG_2041.JPG", &error);
  const long peak = peak_kb();
  ASSERT_TRUE(picture) << error.words.en;
  EXPECT_EQ(picture->width, 1920);
  EXPECT_EQ(picture->height, 1440);
  EXPECT_EQ(picture->path.substr(picture->path.size() - 4), ".jpg");
  // Decoded at 1/4 (2000x1500, 9 MB): the whole photo would be 144 MB.
  std::printf("8000x6000 JPEG finished: peak grew %ld KB\n", peak - before);
  EXPECT_LT(peak - before, 64 * 1024);
  // The upload is gone once finished.
  EXPECT_FALSE(s.uploads.status("0000000000000000", "li", &error));
  std::size_t left = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(s.paths.uploads_dir())) ++left;
  EXPECT_EQ(left, 0u);
}

TEST(Uploads, DownscalingAveragesInsteadOfPickingPixels) {
  // One-pixel black and white columns: an average is grey everywhere, nearest-neighbour stripes.
  Studio s;
  const fs::path stripes = s.dir.path / "stripes.png";
  write_png(stripes, 3840, 40, [](int x, int) {
    const int v = x % 2 ? 255 : 0;
    return std::array<int, 4>{v, v, v, 255};
  });
  UploadError error;
  auto picture = upload(s, stripes, "stripes.png", &error);
  ASSERT_TRUE(picture) << error.words.en;
  EXPECT_EQ(picture->width, 1920);
  EXPECT_EQ(picture->height, 20);
  EXPECT_EQ(picture->path.substr(picture->path.size() - 4), ".png");
  std::string why;
  auto image = render::load_image(s.paths.draft_dir() / picture->path, &why);
  ASSERT_TRUE(image) << why;
  for (int x = 0; x < image->width; x += 97) {
    EXPECT_NEAR(image->pixels[std::size_t(x) * 4], 128, 3) << "x " << x;
  }
}

TEST(Uploads, LogoKeepsTransparencyAndIsAtMost512) {
  Studio s;
  const fs::path logo = s.dir.path / "logo.png";
  write_png(logo, 1000, 400, [](int x, int y) {
    const bool inside = (x - 500) * (x - 500) + (y - 200) * (y - 200) < 150 * 150;
    return inside ? std::array<int, 4>{200, 30, 30, 255} : std::array<int, 4>{0, 0, 0, 0};
  });
  UploadError error;
  auto picture = upload(s, logo, "社区标志.png", &error, PictureUse::logo);
  ASSERT_TRUE(picture) << error.words.en;
  EXPECT_EQ(picture->width, 512);
  EXPECT_EQ(picture->height, 205);
  EXPECT_TRUE(std::regex_match(picture->path, std::regex("images/logo-[0-9a-f]{8}\\.png")))
      << picture->path;
  std::string why;
  auto image = render::load_image(s.paths.draft_dir() / picture->path, &why);
  ASSERT_TRUE(image) << why;
  EXPECT_EQ(image->pixels[3], 0);  // the corner stays transparent
  const std::size_t centre =
      (std::size_t(image->height / 2) * std::size_t(image->width) + std::size_t(image->width / 2)) *
      4;
  EXPECT_EQ(image->pixels[centre + 3], 255);
  EXPECT_NEAR(image->pixels[centre], 200, 2);  // no dark fringe from transparent black
}

TEST(Uploads, HostileHeadersAreRefusedAfterTheFirstChunkWithoutDecoding) {
  UploadSettings settings;
  settings.chunk_bytes = 16 << 10;
  Studio s(settings);
  struct Case {
    const char* name;
    std::string bytes;
    int status;
    const char* says;
  };
  const fs::path flat = s.dir.path / "flat.png";
  ASSERT_TRUE(test_support::write_flat_png(flat, 20000, 20000));  // ~50 KB, 400 Mpx decoded
  std::vector<Case> cases{
      {"huge.png", read_all(flat), 422, "resize it to at most 2160x2160 px"},
      {"huge.jpg", test_support::crafted_jpeg(40000, 40000) + std::string(100000, '\0'), 422,
       "resize it to at most 2160x2160 px"},
      {"letter.jpg", "Dear neighbours, the meeting is on Monday.\n" + std::string(60000, 'x'), 415,
       "is not a picture"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path file = s.dir.path / c.name;
    test_support::write_bytes(file, c.bytes);
    UploadError error;
    std::size_t chunks = 0;
    reset_peak();
    const long before = peak_kb();
    EXPECT_FALSE(upload(s, file, c.name, &error, PictureUse::picture, &chunks));
    EXPECT_LT(peak_kb() - before, 8 * 1024);
    EXPECT_EQ(chunks, 1u);  // refused before the rest was sent
    EXPECT_EQ(error.status, c.status);
    EXPECT_NE(error.words.en.find(c.says), std::string::npos) << error.words.en;
    EXPECT_NE(error.words.en.find(c.name), std::string::npos) << error.words.en;
    EXPECT_FALSE(error.words.zh.empty());
  }
  // Nothing is left of them, and nothing was written into the draft.
  EXPECT_TRUE(fs::is_empty(s.paths.uploads_dir()));
  EXPECT_FALSE(fs::exists(s.paths.draft_dir() / "images"));
}

TEST(Uploads, DamagedJpegIsRefusedWhenFinished) {
  Studio s;
  const fs::path whole = s.dir.path / "whole.jpg";
  write_jpeg(whole, 800, 600, 0);
  const std::string bytes = read_all(whole);
  const fs::path cut = s.dir.path / "cut.jpg";
  test_support::write_bytes(cut, bytes.substr(0, bytes.size() * 6 / 10));
  UploadError error;
  EXPECT_FALSE(upload(s, cut, "cut.jpg", &error));
  EXPECT_EQ(error.status, 422);
  EXPECT_NE(error.words.en.find("damaged"), std::string::npos) << error.words.en;
  EXPECT_NE(error.words.zh.find("损坏"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(s.paths.uploads_dir()));
  // A file cut inside its header is refused as damaged once all of it has arrived.
  const fs::path header_only = s.dir.path / "header.jpg";
  test_support::write_bytes(header_only, bytes.substr(0, 40));
  EXPECT_FALSE(upload(s, header_only, "header.jpg", &error));
  EXPECT_EQ(error.status, 422);
}

TEST(Uploads, BeginRefusesAtOnce) {
  UploadSettings settings;
  settings.max_bytes = 10 << 20;
  settings.max_open_per_user = 2;
  Studio s(settings);
  UploadError error;
  EXPECT_FALSE(s.uploads.begin("IMG_1.jpg", (10 << 20) + 1, "li", &error));
  EXPECT_EQ(error.status, 413);
  EXPECT_NE(error.words.en.find("at most 10.0 MB"), std::string::npos) << error.words.en;
  EXPECT_NE(error.words.zh.find("最大 10.0 MB"), std::string::npos) << error.words.zh;
  EXPECT_FALSE(s.uploads.begin("anim.gif", 1000, "li", &error));
  EXPECT_EQ(error.status, 415);
  EXPECT_FALSE(s.uploads.begin("noext", 1000, "li", &error));
  EXPECT_EQ(error.status, 415);
  EXPECT_TRUE(s.uploads.begin("a.JPEG", 1000, "li", &error));
  EXPECT_TRUE(s.uploads.begin("b.png", 1000, "li", &error));
  EXPECT_FALSE(s.uploads.begin("c.png", 1000, "li", &error));  // a third unfinished one
  EXPECT_EQ(error.status, 429);
  EXPECT_TRUE(s.uploads.begin("c.png", 1000, "wang", &error));  // per account
  // Any bytes as a name: too long is refused, not UTF-8 is kept readable (never throws).
  EXPECT_FALSE(s.uploads.begin(std::string(300, 'a') + ".png", 1000, "zhao", &error));
  EXPECT_EQ(error.status, 400);
  auto odd = s.uploads.begin("\xff\xfe.png", 1000, "zhao", &error);
  ASSERT_TRUE(odd);
  EXPECT_TRUE(s.uploads.status(odd->id, "zhao", &error));
}

TEST(Uploads, WrongOffsetAnswersWhereTheServerIsAndTheUploadResumes) {
  UploadSettings settings;
  settings.chunk_bytes = 1 << 10;
  Studio s(settings);
  const fs::path photo = s.dir.path / "photo.jpg";
  write_jpeg(photo, 640, 480, 6);
  const std::string bytes = read_all(photo);
  ASSERT_GT(bytes.size(), 3 * settings.chunk_bytes);
  const std::size_t chunk = settings.chunk_bytes;
  UploadError error;
  auto state = s.uploads.begin("photo.jpg", bytes.size(), "li", &error);
  ASSERT_TRUE(state);
  ASSERT_TRUE(
      s.uploads.append(state->id, 0, std::string_view(bytes).substr(0, chunk), "li", &error));
  // The connection dropped after the server stored the chunk: the page sends it again.
  EXPECT_FALSE(
      s.uploads.append(state->id, 0, std::string_view(bytes).substr(0, chunk), "li", &error));
  EXPECT_EQ(error.status, 409);
  EXPECT_EQ(error.offset, chunk);
  EXPECT_NE(error.words.en.find("connection was lost"), std::string::npos);
  // Or it skips ahead.
  EXPECT_FALSE(s.uploads.append(state->id, 3 * chunk,
                                std::string_view(bytes).substr(3 * chunk, chunk), "li", &error));
  EXPECT_EQ(error.offset, chunk);
  // Another account cannot see or add to it.
  EXPECT_FALSE(s.uploads.status(state->id, "wang", &error));
  EXPECT_EQ(error.status, 404);
  // Finishing early says how far it is.
  EXPECT_FALSE(s.uploads.finish(state->id, "li", PictureUse::picture, &error));
  EXPECT_EQ(error.status, 409);
  EXPECT_EQ(error.offset, chunk);
  // The page asks where the server is and goes on from there.
  auto status = s.uploads.status(state->id, "li", &error);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->size, bytes.size());
  for (std::size_t at = status->offset; at < bytes.size(); at += chunk) {
    ASSERT_TRUE(
        s.uploads.append(state->id, at, std::string_view(bytes).substr(at, chunk), "li", &error))
        << error.words.en;
  }
  auto resumed = s.uploads.finish(state->id, "li", PictureUse::picture, &error);
  ASSERT_TRUE(resumed) << error.words.en;
  // The same file uploaded in one go gives the same picture, byte for byte.
  Studio again;
  auto whole = upload(again, photo, "photo.jpg", &error);
  ASSERT_TRUE(whole);
  EXPECT_EQ(resumed->path, whole->path);
  EXPECT_EQ(read_all(s.paths.draft_dir() / resumed->path),
            read_all(again.paths.draft_dir() / whole->path));
}

TEST(Uploads, NamesCannotLeaveImages) {
  EXPECT_EQ(image_file_name("../../etc/passwd.jpg", PictureUse::picture, "1a2b3c4d", ".jpg"),
            "etc-passwd-1a2b3c4d.jpg");
  EXPECT_EQ(image_file_name("..\\..\\boot.ini.png", PictureUse::picture, "1a2b3c4d", ".png"),
            "boot-ini-1a2b3c4d.png");
  EXPECT_EQ(image_file_name("活动照片.jpg", PictureUse::picture, "1a2b3c4d", ".jpg"),
            "picture-1a2b3c4d.jpg");
  EXPECT_EQ(image_file_name("IMG_2041 (1).JPG", PictureUse::picture, "1a2b3c4d", ".jpg"),
            "img-2041-1-1a2b3c4d.jpg");
  EXPECT_EQ(image_file_name("/abs/.hidden", PictureUse::logo, "1a2b3c4d", ".png"),
            "abs-1a2b3c4d.png");
  // Through an upload: the file lands in the draft's images/, nowhere else.
  Studio s;
  const fs::path photo = s.dir.path / "p.jpg";
  write_jpeg(photo, 64, 64, 0);
  UploadError error;
  auto picture = upload(s, photo, "../../../../tmp/evil/x.jpg", &error);
  ASSERT_TRUE(picture) << error.words.en;
  EXPECT_TRUE(std::regex_match(picture->path, std::regex("images/tmp-evil-x-[0-9a-f]{8}\\.jpg")))
      << picture->path;
  std::size_t files = 0;
  for (auto& e : fs::recursive_directory_iterator(s.dir.path)) {
    if (!e.is_regular_file() || e.path() == photo) continue;
    ++files;
    EXPECT_EQ(e.path().parent_path(), s.paths.draft_dir() / "images") << e.path();
  }
  EXPECT_EQ(files, 1u);
}

TEST(Uploads, UnfinishedUploadsOlderThanADayAreRemoved) {
  Studio s;
  UploadError error;
  auto old = s.uploads.begin("old.jpg", 1000, "li", &error);
  auto fresh = s.uploads.begin("fresh.jpg", 1000, "li", &error);
  ASSERT_TRUE(old && fresh);
  const auto two_days_ago = fs::file_time_type::clock::now() - std::chrono::hours(48);
  fs::last_write_time(s.paths.uploads_dir() / old->id, two_days_ago);
  fs::last_write_time(s.paths.uploads_dir() / (old->id + ".json"), two_days_ago);
  EXPECT_EQ(s.uploads.remove_stale(), 1u);
  EXPECT_FALSE(s.uploads.status(old->id, "li", &error));
  EXPECT_EQ(error.status, 404);
  EXPECT_TRUE(s.uploads.status(fresh->id, "li", &error));
}

// ---------------------------------------------------------------------------------------------
// The routes, called as the router calls them (signed in, CSRF and body size checked).

Response call(const std::vector<Route>& routes, const std::string& method,
              const std::string& pattern, Request request) {
  for (const Route& r : routes) {
    if (r.method == method && r.pattern == pattern) {
      EXPECT_EQ(r.permission, Permission::edit);
      request.method = method;
      request.user = User{"li", Role::editor};
      return r.handler(request);
    }
  }
  ADD_FAILURE() << "no route " << method << " " << pattern;
  return {};
}

TEST(UploadRoutes, UploadInChunksWithAWrongOffsetThenImport) {
  Studio s;
  auto routes = upload_routes(std::make_shared<Uploads>(s.paths, UploadSettings{}));
  const fs::path photo = s.dir.path / "p.jpg";
  write_jpeg(photo, 300, 200, 8);
  const std::string bytes = read_all(photo);
  Request begin;
  begin.lang = "en";
  begin.body = nlohmann::json{{"name", "IMG_0001.jpg"}, {"size", bytes.size()}}.dump();
  Response r = call(routes, "POST", "/api/uploads", begin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto started = nlohmann::json::parse(r.body);
  EXPECT_EQ(started["offset"], 0);
  EXPECT_EQ(started["chunk_bytes"], 1 << 20);
  const std::string id = started["id"];
  Request put;
  put.lang = "zh";
  put.params["id"] = id;
  put.query["offset"] = "100";
  put.body = bytes;
  r = call(routes, "PUT", "/api/uploads/{id}", put);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(nlohmann::json::parse(r.body)["offset"], 0);
  EXPECT_NE(nlohmann::json::parse(r.body)["error"].get<std::string>().find("连接中断"),
            std::string::npos);
  put.query["offset"] = "0";
  r = call(routes, "PUT", "/api/uploads/{id}", put);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["offset"], bytes.size());
  Request get;
  get.params["id"] = id;
  r = call(routes, "GET", "/api/uploads/{id}", get);
  EXPECT_EQ(nlohmann::json::parse(r.body)["size"], bytes.size());
  Request finish;
  finish.params["id"] = id;
  finish.body = R"({"as": "picture"})";
  r = call(routes, "POST", "/api/uploads/{id}/finish", finish);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto done = nlohmann::json::parse(r.body);
  EXPECT_EQ(done["width"], 200);  // orientation 8 turned it
  EXPECT_EQ(done["height"], 300);
  EXPECT_TRUE(fs::exists(s.paths.draft_dir() / done["path"].get<std::string>()));

  Request import;
  import.lang = "en";
  import.body = nlohmann::json{
      {"kind", "statistic"},
      { "text",
        "本月接待居民\t1,286\t人次\n"
      }}.dump();
  r = call(routes, "POST", "/api/import", import);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["items"][0]["value"], "1,286");
  // A CSV file sent as it is, saved as GBK: refused with how to save it.
  import.headers["content-type"] = "text/csv";
  import.query["kind"] = "ticker";
  import.body = "\xce\xc4\xbb\xaf\xbb\xdd\xc3\xf1\n";  // 文化惠民 in GBK
  r = call(routes, "POST", "/api/import", import);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("CSV UTF-8"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace signage::studio
