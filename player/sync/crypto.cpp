#include "sync/crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace signage::sync {
namespace {

std::string trim(std::string_view text) {
  const char* space = " \t\r\n";
  auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(space);
  return std::string(text.substr(first, last - first + 1));
}

std::string to_base64(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Exactly `size` bytes from base64 text, or false.
bool from_base64(std::string_view text, unsigned char* out, std::size_t size) {
  std::string clean = trim(text);
  std::size_t written = 0;
  const char* end = nullptr;
  return sodium_base642bin(out, size, clean.data(), clean.size(), nullptr, &written, &end,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         end == clean.data() + clean.size() && written == size;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.resize(size * 2);
  return out;
}

}  // namespace

bool crypto_init() {
  return sodium_init() >= 0;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(digest, sizeof digest);
}

static_assert(sizeof(crypto_hash_sha256_state) <= 128);

Sha256::Sha256() {
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256::update(const void* data, std::size_t size) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                            static_cast<const unsigned char*>(data), size);
}

std::string Sha256::finish_hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), digest);
  return to_hex(digest, sizeof digest);
}

std::optional<FileDigest> digest_file(const std::filesystem::path& path, std::string* error,
                                      const std::atomic<bool>* stop) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = "cannot open " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  Sha256 hash;
  FileDigest digest;
  std::vector<char> buffer(1 << 16);
  bool ok = true;
  for (;;) {
    if (stop && stop->load()) {
      ::close(fd);
      if (error) *error = "stopped";
      return std::nullopt;
    }
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    hash.update(buffer.data(), std::size_t(n));
    digest.size += std::uint64_t(n);
  }
  ::close(fd);
  if (!ok) {
    if (error) *error = "read error in " + path.string();
    return std::nullopt;
  }
  digest.sha256 = hash.finish_hex();
  return digest;
}

std::string PublicKey::id() const {
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))
      .substr(0, 16);
}

KeyPair generate_key_pair() {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  KeyPair pair{to_base64(pk, sizeof pk), to_base64(sk, sizeof sk)};
  sodium_memzero(sk, sizeof sk);
  return pair;
}

std::optional<PublicKey> parse_public_key(std::string_view text, std::string* error) {
  PublicKey key;
  if (!from_base64(text, key.bytes.data(), key.bytes.size())) {
    if (error) {
      *error =
          "expected an ed25519 public key: 44 characters of base64 (from signage-player "
          "keygen)";
    }
    return std::nullopt;
  }
  return key;
}

std::string key_id_of_secret(std::string_view secret_key) {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  if (!from_base64(secret_key, sk, sizeof sk)) return {};
  PublicKey key;
  crypto_sign_ed25519_sk_to_pk(key.bytes.data(), sk);
  sodium_memzero(sk, sizeof sk);
  return key.id();
}

std::optional<std::string> sign_detached(std::string_view message, std::string_view secret_key,
                                         std::string* error) {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  if (!from_base64(secret_key, sk, sizeof sk)) {
    if (error) {
      *error =
          "expected an ed25519 secret key: 88 characters of base64 (from signage-player "
          "keygen)";
    }
    return std::nullopt;
  }
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  sodium_memzero(sk, sizeof sk);
  return to_base64(signature, sizeof signature);
}

std::optional<std::string> signature_file(std::string_view message,
                                          const std::vector<std::string>& secret_keys,
                                          std::string* error, std::size_t* failed_key) {
  std::string lines;
  for (std::size_t i = 0; i < secret_keys.size(); ++i) {
    auto signature = sign_detached(message, secret_keys[i], error);
    if (!signature) {
      if (failed_key) *failed_key = i;
      return std::nullopt;
    }
    lines += secret_keys.size() == 1 ? *signature + "\n"
                                     : key_id_of_secret(secret_keys[i]) + " " + *signature + "\n";
  }
  return lines;
}

bool verify_detached(std::string_view message, std::string_view signature, const PublicKey& key,
                     std::string* error) {
  unsigned char bytes[crypto_sign_BYTES];
  if (!from_base64(signature, bytes, sizeof bytes)) {
    if (error) *error = "the signature is not 88 characters of base64 (an ed25519 signature)";
    return false;
  }
  if (crypto_sign_verify_detached(bytes, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), key.bytes.data()) != 0) {
    if (error) {
      *error =
          "the signature does not match playlist.json and the configured public key (signed "
          "with another key, or the file changed after signing)";
    }
    return false;
  }
  return true;
}

bool verify_any(std::string_view message, std::string_view sig_file,
                const std::vector<PublicKey>& keys, std::string* error) {
  std::string last = "the signature file is empty";
  while (!sig_file.empty()) {
    std::size_t end = sig_file.find('\n');
    std::string line = trim(sig_file.substr(0, end));
    sig_file = end == std::string_view::npos ? std::string_view() : sig_file.substr(end + 1);
    if (line.empty()) continue;
    std::size_t space = line.find(' ');
    std::string id = space == std::string::npos ? "" : line.substr(0, space);
    std::string signature = space == std::string::npos ? line : trim(line.substr(space + 1));
    bool any_known = false;
    for (const PublicKey& key : keys) {
      if (!id.empty() && id != key.id()) continue;
      any_known = true;
      if (verify_detached(message, signature, key, &last)) return true;
    }
    if (!id.empty() && !any_known) {
      last = "signed with key " + id + ", which this player does not trust";
    }
  }
  if (error) *error = last;
  return false;
}

}  // namespace signage::sync
