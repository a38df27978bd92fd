// files::read_secret_line: the broker password files of the player, the studio and `fleet`.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "files/files.h"

namespace fs = std::filesystem;

namespace {

fs::path write_secret(const std::string& text, unsigned mode) {
  fs::path path = fs::temp_directory_path() /
                  ("secret_file_test_" + std::to_string(::getpid()) + "_" + std::to_string(mode));
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(SecretLine, FirstLineOfAPrivateFile) {
  fs::path path = write_secret("s3cret\r\nsecond line\n", 0600);
  std::string error;
  auto line = signage::files::read_secret_line(path, "mqtt_password_file", &error);
  ASSERT_TRUE(line) << error;
  EXPECT_EQ(*line, "s3cret");
  fs::remove(path);
}

TEST(SecretLine, AFileOthersCanReadIsRefusedWithTheFix) {
  fs::path path = write_secret("s3cret\n", 0644);
  std::string error;
  EXPECT_FALSE(signage::files::read_secret_line(path, "mqtt_password_file", &error));
  EXPECT_NE(error.find("mqtt_password_file"), std::string::npos) << error;
  EXPECT_NE(error.find("mode 0644"), std::string::npos) << error;
  EXPECT_NE(error.find("chmod 600 " + path.string()), std::string::npos) << error;
  fs::remove(path);
}

TEST(SecretLine, AMissingFileIsNamed) {
  std::string error;
  EXPECT_FALSE(signage::files::read_secret_line("/nonexistent/pw", "--password-file", &error));
  EXPECT_EQ(error, "--password-file /nonexistent/pw cannot be read");
}

}  // namespace
