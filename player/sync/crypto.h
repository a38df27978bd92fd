// Hashes and signatures (libsodium): sha256 of bundles and assets, ed25519 detached signatures
// of playlist.json. Keys and signatures are written as one line of base64 text.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signage::sync {

// Call once before anything else here (idempotent, thread-safe).
bool crypto_init();

std::string sha256_hex(std::string_view bytes);

// Incremental sha256, for files read or downloaded in pieces.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::string finish_hex();  // once

 private:
  alignas(64) unsigned char state_[128];
};

// The sha256 and size of a file; nullopt with the reason when it cannot be read.
struct FileDigest {
  std::string sha256;
  std::uint64_t size = 0;
};
// `stop`, when given and set, abandons the read ("stopped").
std::optional<FileDigest> digest_file(const std::filesystem::path& path, std::string* error,
                                      const std::atomic<bool>* stop = nullptr);

struct PublicKey {
  std::array<unsigned char, 32> bytes{};
  // 16 hex digits of the key's sha256: names the key in .sig lines and messages.
  std::string id() const;
};

struct KeyPair {
  std::string public_key;  // base64 of 32 bytes
  std::string secret_key;  // base64 of 64 bytes (libsodium's seed + public key)
};

KeyPair generate_key_pair();
// Base64 text (surrounding whitespace allowed); the caller reads a key file.
std::optional<PublicKey> parse_public_key(std::string_view text, std::string* error);
// The id (PublicKey::id) of the public half of a secret key in base64; empty when it is not one.
std::string key_id_of_secret(std::string_view secret_key);
// The detached signature of `message` as base64 text, or nullopt with the reason.
std::optional<std::string> sign_detached(std::string_view message, std::string_view secret_key,
                                         std::string* error);
// The text of a playlist.json.sig for `message`, signed with each of `secret_keys` (base64
// text): with one key the bare signature (as players before key ids read it), with more one line
// "KEYID SIGNATURE" per key (a key rotation). nullopt with the reason, and in *failed_key the
// index of the key that is not one.
std::optional<std::string> signature_file(std::string_view message,
                                          const std::vector<std::string>& secret_keys,
                                          std::string* error, std::size_t* failed_key = nullptr);
// Whether `signature` (base64 text, surrounding whitespace allowed) is `key`'s signature of the
// exact bytes of `message`; false with the reason otherwise.
bool verify_detached(std::string_view message, std::string_view signature, const PublicKey& key,
                     std::string* error);

// A playlist.json.sig: one line per signature, "KEYID SIGNATURE" or a bare "SIGNATURE" (the
// format before key ids). True when one line is a valid signature by one of `keys`, so a player
// trusting the old and the new key takes bundles signed with either during a rotation.
bool verify_any(std::string_view message, std::string_view sig_file,
                const std::vector<PublicKey>& keys, std::string* error);

}  // namespace signage::sync
