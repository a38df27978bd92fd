#include "engine.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
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

std::vector<std::string> seed_paragraphs() {
  std::ifstream in(std::filesystem::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / "seed" /
                   "hexi-2024.txt");
  std::vector<std::string> paragraphs;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) paragraphs.push_back(line);
  }
  return paragraphs;
}

}  // namespace signage::test_support
