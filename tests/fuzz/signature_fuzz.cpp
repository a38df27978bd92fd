// libFuzzer target: signature handling on arbitrary text: public keys (parse_public_key, as in
// --public-key and player.conf), .sig files (verify_detached) and secret keys (sign_detached).
// The input is "KEY\nSIGNATURE\nMESSAGE". Built with clang only (SIGNAGE_BUILD_FUZZ); run it with
// tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sync/crypto.h"

using namespace signage::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = crypto_init();
  if (!ready) __builtin_trap();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\n');
  const std::string_view key_text = input.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? "" : input.substr(first + 1);
  const auto second = rest.find('\n');
  const std::string_view signature = rest.substr(0, second);
  const std::string_view message = second == std::string_view::npos ? "" : rest.substr(second + 1);

  std::string error;
  auto key = parse_public_key(key_text, &error);
  if (!key && error.empty()) __builtin_trap();
  if (key) {
    error.clear();
    if (!verify_detached(message, signature, *key, &error) && error.empty()) __builtin_trap();
  }
  // The key text as a secret key.
  error.clear();
  auto signed_message = sign_detached(message, key_text, &error);
  if (!signed_message && error.empty()) __builtin_trap();
  return 0;
}
