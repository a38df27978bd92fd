// libcurl is opened at run time (sync/curl_library.h): it loads when present, and says what is
// wrong when it is missing or is not libcurl.
#include "sync/curl_library.h"

#include <gtest/gtest.h>

#include <string>

namespace signage::sync {
namespace {

TEST(CurlLibrary, LoadsEveryFunctionOfTheSystemsLibcurl) {
  const CurlLibrary& curl = curl_library();
  ASSERT_EQ(curl.error, "");
#define SIGNAGE_EXPECT_SET(name) EXPECT_NE(curl.name, nullptr) << #name;
  SIGNAGE_CURL_FUNCTIONS(SIGNAGE_EXPECT_SET)
#undef SIGNAGE_EXPECT_SET
  // A call through the table reaches libcurl.
  EXPECT_STREQ(curl.easy_strerror(CURLE_OK), "No error");
  EXPECT_EQ(&curl_library(), &curl);  // opened once
}

TEST(CurlLibrary, AMissingLibraryIsNamedWithWhatToInstall) {
  CurlLibrary missing = open_curl_library("libcurl-not-installed.so.4");
  EXPECT_NE(missing.error.find("cannot load libcurl (install libcurl4)"), std::string::npos)
      << missing.error;
  EXPECT_NE(missing.error.find("libcurl-not-installed.so.4"), std::string::npos) << missing.error;
  EXPECT_EQ(missing.easy_init, nullptr);
}

TEST(CurlLibrary, ALibraryWithoutCurlsFunctionsIsRefused) {
  CurlLibrary wrong = open_curl_library("libc.so.6");
  EXPECT_EQ(wrong.error, "libc.so.6 has no curl_global_init (libcurl 7.84 or newer is needed)");
}

}  // namespace
}  // namespace signage::sync
