// A scratch folder for a test, removed with everything in it when the TempDir goes away.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace signage::test_support {

// mkdtemp rather than a name made from the process id: a run that was killed leaves its folder
// behind, and process ids repeat, so a later run would meet the old files.
struct TempDir {
  std::filesystem::path path;

  explicit TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) {
      std::perror("mkdtemp");
      std::exit(2);  // every test that needs scratch space would fail for the same reason
    }
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace signage::test_support
