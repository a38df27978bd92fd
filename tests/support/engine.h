// The text engine that tests share: created once per test program from the source tree's fonts/,
// and the seed article they lay out.
#pragma once

#include <string>
#include <vector>

#include "text/text.h"

namespace signage::test_support {

// Exits the test program with a message when no engine can be created (no fonts installed):
// every test that uses it would fail for the same reason.
text::TextEngine& engine();

// The paragraphs of the seed article (tests/golden/seed/hexi-2024.txt), blank lines left out.
std::vector<std::string> seed_paragraphs();

}  // namespace signage::test_support
