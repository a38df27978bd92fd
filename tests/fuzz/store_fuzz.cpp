// libFuzzer target: what the store checks of a candidate bundle before it trusts any of it
// (Store::check: signature, playlist, asset list, sizes), and the second check of a stored
// bundle's files (Store::load_bundle: sha256, playlist, every asset's size and sha256). The input
// is playlist.json; with a public key configured, its last line also serves as the .sig.
// Built with clang only (SIGNAGE_BUILD_FUZZ); run it with tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "support/temp_dir.h"
#include "sync/crypto.h"
#include "sync/store.h"

namespace {

namespace fs = std::filesystem;
using namespace signage::sync;

struct Stores {
  signage::test_support::TempDir scratch{"store-fuzz"};
  std::unique_ptr<Store> open, signed_only;
  fs::path bundle;  // a stored bundle's folder: playlist.json is rewritten per input
};

void write(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

Stores& stores() {
  static Stores* s = [] {
    auto* s = new Stores;
    if (!crypto_init()) __builtin_trap();
    std::string error;
    StoreOptions options;
    options.dir = s->scratch.path / "open";
    s->open = Store::open(options, &error);
    options.dir = s->scratch.path / "signed";
    // RFC 8032 TEST 1's public key: an input's signature practically never matches it.
    auto key = parse_public_key("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", &error);
    if (!key) __builtin_trap();
    options.public_keys = {*key};
    s->signed_only = Store::open(options, &error);
    if (!s->open || !s->signed_only) __builtin_trap();
    s->bundle = s->scratch.path / "bundle";
    fs::create_directories(s->bundle / "images");
    // The asset of the seeds (tests/fuzz/corpus/store-*.json) with its listed size and sha256.
    write(s->bundle / "images" / "a.png", std::string_view("\x89PNG\r\n\x1a\n0000", 12));
    write(s->bundle / "images" / "b.png", "short");
    return s;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Stores& s = stores();
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto last_line = bytes.rfind('\n');
  Candidate candidate{Source::usb, "fuzz", "fuzz/playlist.json", bytes, std::nullopt};
  CandidateCheck check = s.open->check(candidate);
  if (check.verdict == CandidateCheck::Verdict::invalid && check.error.empty()) __builtin_trap();

  candidate.signature = last_line == std::string::npos ? bytes : bytes.substr(last_line + 1);
  check = s.signed_only->check(candidate);
  if (check.verdict != CandidateCheck::Verdict::invalid) __builtin_trap();  // never signed
  if (check.error.empty()) __builtin_trap();

  write(s.bundle / "playlist.json", bytes);
  BundleInfo info;
  info.dir = s.bundle;
  info.sha256 = sha256_hex(bytes);
  std::string problem;
  if (!s.open->load_bundle(info, &problem) && problem.empty()) __builtin_trap();
  return 0;
}
