// Commands for authors who publish bundles: manifest (sizes and hashes of the assets), keygen and
// sign (ed25519 signatures a player checks when it has the public key).
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "commands.h"
#include "content/content.h"
#include "files/files.h"
#include "sync/crypto.h"

namespace signage {
namespace {
namespace fs = std::filesystem;

int fail(const char* command, const std::string& message) {
  std::cerr << "signage-player " << command << ": " << message << "\n";
  return 1;
}

int usage(const char* command, const std::string& message, const char* text) {
  std::cerr << "signage-player " << command << ": " << message << "\n\n" << text;
  return 2;
}

// Playlists and keys are small; a limit keeps a wrong path (a device, a huge file) harmless.
std::optional<std::string> read_file(const fs::path& path, std::string* error = nullptr) {
  return files::read_file(path, content::Limits{}.max_file_bytes, error);
}

fs::path playlist_file(const fs::path& path) {
  return fs::is_directory(path) ? path / "playlist.json" : path;
}

// Prints the playlist's problems; true when it has no errors.
bool report(const content::ParseResult& result) {
  for (const auto& d : result.diagnostics) std::cerr << content::format_diagnostic(d) << "\n";
  return result.playlist != nullptr;
}

constexpr const char* kManifestUsage = R"(usage: signage-player manifest BUNDLE

Writes the "assets" list of BUNDLE/playlist.json: the size and sha256 of every file its items
name, which players that fetch the bundle (HTTP, USB) need to verify it. The rest of the file is
left as it is. Run it after changing any image, before signing.
)";

constexpr const char* kKeygenUsage = R"(usage: signage-player keygen NAME

Makes an ed25519 key pair for signing bundles: NAME.key (the secret key, readable by you only;
keep it off the players) and NAME.pub (the public key, one line of base64, for the players'
public_key setting or --public-key).
)";

constexpr const char* kSignUsage =
    R"(usage: signage-player sign PLAYLIST --key NAME.key [--key NEW.key]

Checks PLAYLIST (a playlist.json or a bundle folder) and writes its detached signature to
playlist.json.sig beside it. Sign last: any change to playlist.json afterwards (including
signage-player manifest) needs a new signature.

With two or more --key, one line per key, "KEYID SIGNATURE": for a key rotation, sign with the
old and the new key until every player trusts the new one (see docs/sources.md).
)";

}  // namespace

int manifest_command(const std::vector<std::string_view>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kManifestUsage;
    return 0;
  }
  if (args.size() != 1 || args[0].starts_with("-")) {
    return usage("manifest", "give one BUNDLE folder", kManifestUsage);
  }
  fs::path file = playlist_file(std::string(args[0]));
  auto result = content::load_playlist(file);
  if (!report(result)) return fail("manifest", file.string() + " is not valid; nothing written");
  std::vector<content::Asset> assets;
  for (const std::string& relative : result.playlist->asset_paths) {
    std::string why;
    auto digest = sync::digest_file(file.parent_path() / relative, &why);
    if (!digest) return fail("manifest", why);
    assets.push_back({relative, digest->size, digest->sha256, "", 0, 0});
  }
  auto bytes = read_file(file);
  auto updated = bytes ? content::with_asset_list(*bytes, assets) : std::nullopt;
  if (!updated) return fail("manifest", "cannot read " + file.string());
  if (*updated == *bytes) {
    std::cout << file.string() << ": the assets list is up to date (" << assets.size()
              << " files)\n";
    return 0;
  }
  struct stat st {};
  mode_t mode = ::stat(file.c_str(), &st) == 0 ? st.st_mode & 07777 : 0644;
  std::string why;
  if (!files::replace_file(file, *updated, mode, &why)) return fail("manifest", why);
  std::cout << file.string() << ": listed " << assets.size()
            << (assets.size() == 1 ? " file" : " files") << " with size and sha256\n";
  return 0;
}

int keygen_command(const std::vector<std::string_view>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kKeygenUsage;
    return 0;
  }
  if (args.size() != 1 || args[0].starts_with("-")) {
    return usage("keygen", "give one NAME", kKeygenUsage);
  }
  if (!sync::crypto_init()) return fail("keygen", "libsodium failed to initialize");
  fs::path secret = std::string(args[0]) + ".key";
  fs::path pub = std::string(args[0]) + ".pub";
  for (const fs::path& p : {secret, pub}) {
    if (fs::exists(p)) return fail("keygen", p.string() + " exists; not overwriting a key");
  }
  sync::KeyPair pair = sync::generate_key_pair();
  std::string why;
  // O_EXCL and 0600 from the start: the secret is never readable by others, and a link planted
  // at its name is not followed.
  if (!files::create_file(secret, pair.secret_key + "\n", 0600, &why)) return fail("keygen", why);
  if (!files::create_file(pub, pair.public_key + "\n", 0644, &why)) return fail("keygen", why);
  std::cout << "secret key: " << secret.string() << " (keep it safe and off the players)\n"
            << "public key: " << pub.string() << ": " << pair.public_key << " (key id "
            << sync::parse_public_key(pair.public_key, nullptr)->id() << ")\n"
            << "on each player: public_key = " << pair.public_key
            << " in player.conf, or --public-key " << pub.string() << "\n";
  return 0;
}

int sign_command(const std::vector<std::string_view>& args) {
  std::optional<std::string> path;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kSignUsage;
      return 0;
    } else if (args[i] == "--key") {
      if (i + 1 >= args.size()) return usage("sign", "--key needs a file", kSignUsage);
      keys.emplace_back(args[++i]);
    } else if (args[i].starts_with("-")) {
      return usage("sign", "unknown option " + std::string(args[i]), kSignUsage);
    } else if (path) {
      return usage("sign", "give one PLAYLIST", kSignUsage);
    } else {
      path = std::string(args[i]);
    }
  }
  if (!path || keys.empty()) return usage("sign", "give PLAYLIST and --key", kSignUsage);
  if (!sync::crypto_init()) return fail("sign", "libsodium failed to initialize");
  fs::path file = playlist_file(*path);
  auto result = content::load_playlist(file);
  if (!report(result)) return fail("sign", file.string() + " is not valid; not signed");
  if (std::string missing = content::missing_asset_list(*result.playlist); !missing.empty()) {
    return fail("sign", file.string() + ": error: /assets: " + missing + "; not signed");
  }
  for (const content::Asset& asset : result.playlist->assets) {
    std::string why;
    auto digest = sync::digest_file(file.parent_path() / asset.path, &why);
    if (!digest || digest->size != asset.size || digest->sha256 != asset.sha256) {
      return fail("sign",
                  file.string() + ": asset " + asset.path +
                      (digest ? " does not match its size and sha256 in \"assets\"" : ": " + why) +
                      "; run signage-player manifest first");
    }
  }
  std::string why;
  auto bytes = read_file(file, &why);
  if (!bytes) return fail("sign", why);
  std::vector<std::string> secrets;
  for (const std::string& key : keys) {
    auto secret = read_file(key, &why);
    if (!secret) return fail("sign", "cannot read the key: " + why);
    secrets.push_back(std::move(*secret));
  }
  std::size_t failed = 0;
  auto lines = sync::signature_file(*bytes, secrets, &why, &failed);
  if (!lines) return fail("sign", keys[failed] + ": " + why);
  fs::path sig = file;
  sig += ".sig";
  if (!files::replace_file(sig, *lines, 0644, &why)) return fail("sign", why);
  std::cout << sig.string() << ": signed " << file.string() << " (sha256 "
            << sync::sha256_hex(*bytes) << ")\n";
  return 0;
}

}  // namespace signage
