// The text engine that tests share: created once per test program from the source tree's fonts/.
#pragma once

#include "text/text.h"

namespace signage::test_support {

// Exits the test program with a message when no engine can be created (no fonts installed):
// every test that uses it would fail for the same reason.
text::TextEngine& engine();

}  // namespace signage::test_support
