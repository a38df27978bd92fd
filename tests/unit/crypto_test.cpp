// Signatures against answers we did not compute: the ed25519 test vectors of RFC 8032 (section
// 7.1, TEST 1-3) through parse_public_key, verify_detached and sign_detached; and a bundle signed
// once with a fixed key (tests/unit/data/signed/, the secret key thrown away) that the store must
// accept with its public key, and refuse when a byte of it changes.
#include "sync/crypto.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "sync/store.h"

namespace signage::sync {
namespace {

namespace fs = std::filesystem;

struct Vector {
  const char* secret;  // the 32-byte seed
  const char* public_key;
  const char* message;
  const char* signature;
};

const Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984d"
     "c6594a7c15e9716ed28dc027beceea1ec40a"},
};

std::string from_hex(const std::string& hex) {
  std::string bytes(hex.size() / 2, '\0');
  std::size_t length = 0;
  EXPECT_EQ(sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(),
                           hex.size(), nullptr, &length, nullptr),
            0);
  EXPECT_EQ(length, bytes.size());
  return bytes;
}

std::string base64(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating zero
  return out;
}

class Rfc8032 : public ::testing::TestWithParam<Vector> {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto_init()); }
};

TEST_P(Rfc8032, TheSignatureVerifies) {
  const Vector& v = GetParam();
  std::string error;
  auto key = parse_public_key(base64(from_hex(v.public_key)), &error);
  ASSERT_TRUE(key) << error;
  const std::string message = from_hex(v.message);
  const std::string signature = base64(from_hex(v.signature));
  EXPECT_TRUE(verify_detached(message, signature, *key, &error)) << error;
  EXPECT_TRUE(verify_detached(message, signature + "\n", *key, &error)) << "as a .sig file";
}

TEST_P(Rfc8032, SigningGivesTheSameBytes) {
  const Vector& v = GetParam();
  // libsodium's secret key: the seed followed by the public key.
  const std::string secret = base64(from_hex(v.secret) + from_hex(v.public_key));
  std::string error;
  auto signature = sign_detached(from_hex(v.message), secret, &error);
  ASSERT_TRUE(signature) << error;
  EXPECT_EQ(*signature, base64(from_hex(v.signature)));
}

TEST_P(Rfc8032, AnyChangeIsRefused) {
  const Vector& v = GetParam();
  auto key = parse_public_key(base64(from_hex(v.public_key)), nullptr);
  ASSERT_TRUE(key);
  const std::string message = from_hex(v.message);
  const std::string signature = from_hex(v.signature);
  std::string error;
  for (std::size_t byte : {std::size_t(0), std::size_t(31), std::size_t(32), std::size_t(63)}) {
    std::string flipped = signature;
    flipped[byte] = char(flipped[byte] ^ 1);
    EXPECT_FALSE(verify_detached(message, base64(flipped), *key, &error)) << "byte " << byte;
    EXPECT_NE(error.find("does not match"), std::string::npos) << error;
  }
  EXPECT_FALSE(verify_detached(message + "x", base64(signature), *key, &error));
  if (!message.empty()) {
    std::string changed = message;
    changed[0] = char(changed[0] ^ 0x80);
    EXPECT_FALSE(verify_detached(changed, base64(signature), *key, &error));
  }
  // Another vector's key.
  const Vector& other =
      std::string(v.public_key) == kRfc8032[0].public_key ? kRfc8032[1] : kRfc8032[0];
  auto other_key = parse_public_key(base64(from_hex(other.public_key)), nullptr);
  ASSERT_TRUE(other_key);
  EXPECT_FALSE(verify_detached(message, base64(signature), *other_key, &error));
  // Not a signature at all: short, long, not base64.
  EXPECT_FALSE(verify_detached(message, base64(signature.substr(0, 63)), *key, &error));
  EXPECT_NE(error.find("88 characters"), std::string::npos) << error;
  EXPECT_FALSE(verify_detached(message, base64(signature + "x"), *key, &error));
  EXPECT_FALSE(verify_detached(message, "!" + base64(signature).substr(1), *key, &error));
}

INSTANTIATE_TEST_SUITE_P(Section7_1, Rfc8032, ::testing::ValuesIn(kRfc8032),
                         [](const auto& info) { return "Test" + std::to_string(info.index + 1); });

TEST(PublicKey, OnlyThirtyTwoBytesOfBase64) {
  std::string error;
  const std::string key = from_hex(kRfc8032[0].public_key);
  EXPECT_TRUE(parse_public_key(" " + base64(key) + "\n", &error)) << error;
  EXPECT_FALSE(parse_public_key(base64(key.substr(0, 31)), &error));
  EXPECT_NE(error.find("44 characters"), std::string::npos) << error;
  EXPECT_FALSE(parse_public_key(base64(key + "x"), &error));
  EXPECT_FALSE(parse_public_key("", &error));
  EXPECT_FALSE(parse_public_key(std::string(44, '@'), &error));
}

// The committed signed bundle.
const fs::path kSigned = fs::path(SIGNAGE_SOURCE_DIR) / "tests" / "unit" / "data" / "signed";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class SignedFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto_init());
    std::string error;
    options.dir = temp.path / "state";
    auto key = parse_public_key(read(kSigned / "signage.pub"), &error);
    ASSERT_TRUE(key) << error;
    options.public_keys.push_back(*key);
    store = Store::open(options, &error);
    ASSERT_TRUE(store) << error;
  }
  Candidate candidate(std::string bytes, std::optional<std::string> signature) {
    return Candidate{Source::usb, "fixture", (kSigned / "playlist.json").string(), std::move(bytes),
                     std::move(signature)};
  }
  test_support::TempDir temp{"crypto-fixture"};
  StoreOptions options;
  std::unique_ptr<Store> store;
};

TEST_F(SignedFixture, TheStoreTakesItAndVerifiesItAgainWhenLoading) {
  const Candidate c =
      candidate(read(kSigned / "playlist.json"), read(kSigned / "playlist.json.sig"));
  CandidateCheck check = store->check(c);
  ASSERT_EQ(check.verdict, CandidateCheck::Verdict::accept) << check.error;
  std::string error;
  auto import = store->begin(c, check, &error);
  ASSERT_TRUE(import) << error;
  for (const AssetRef& asset : import->missing()) {
    const fs::path copy = import->temp_path();
    fs::copy_file(kSigned / asset.path, copy);
    ASSERT_TRUE(import->add(asset, copy, &error)) << error;
  }
  ASSERT_TRUE(import->commit(&error)) << error;
  auto playlist = store->load_current(&error);
  ASSERT_TRUE(playlist) << error;
  EXPECT_EQ(playlist->items.size(), 2u);
}

TEST_F(SignedFixture, AChangedByteOrAnotherSignatureIsRefused) {
  const std::string bytes = read(kSigned / "playlist.json");
  const std::string signature = read(kSigned / "playlist.json.sig");
  std::string changed = bytes;
  changed.replace(changed.find("\"revision\": 3"), 13, "\"revision\": 4");  // valid, not signed
  for (const Candidate& c : {candidate(changed, signature), candidate(bytes + "\n", signature),
                             candidate(bytes, std::nullopt),
                             candidate(bytes, base64(from_hex(kRfc8032[0].signature)))}) {
    CandidateCheck check = store->check(c);
    EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid) << c.playlist_bytes.size();
    EXPECT_NE(check.error.find("playlist.json"), std::string::npos) << check.error;
  }
}

}  // namespace
}  // namespace signage::sync
