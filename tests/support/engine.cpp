#include "engine.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace signage::test_support {

text::TextEngine& engine() {
  static std::unique_ptr<text::TextEngine> instance = [] {
    std::string error;
    auto e = text::TextEngine::create(std::filesystem::path(SIGNAGE_SOURCE_DIR) / "fonts", &error);
    if (!e) {
      std::cerr << "cannot create the text engine: " << error << "\n";
      std::exit(1);
    }
    return e;
  }();
  return *instance;
}

}  // namespace signage::test_support
