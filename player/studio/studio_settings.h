// The settings of `signage-studio`: one table that the command line, the config file
// (/etc/signage-player/studio.conf, "key = value" lines) and the usage text come from, as
// run_settings does for the player. A parallel small table rather than run's: run's entries are
// typed on RunSettings, and every studio setting is a plain value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "studio/http_server.h"
#include "studio/studio.h"

namespace signage::studio {

inline constexpr const char* kDefaultStudioConfig = "/etc/signage-player/studio.conf";

// The fleet page's broker (docs/fleet.md): the player's mqtt_* settings, same names and meaning.
struct StudioFleetSettings {
  std::string broker;  // mqtt://host:port or mqtts://host:port; "" no fleet page
  std::string fleet = "default";
  std::vector<std::string> groups;  // mqtt_groups: the groups publishes push to; empty: "all"
  std::string username, password_file, ca_file, cert_file, key_file;
};

struct StudioSettings {
  StudioPaths paths;
  ServerOptions server;
  std::string sign_key;  // an ed25519 secret key file (`signage-player keygen`); "" none
  std::string seed;      // a bundle folder a new draft starts from; "" an empty playlist
  std::string run_as;    // the user to become after binding, when started as root
  std::uint64_t max_upload_bytes = 50ull << 20;
  StudioFleetSettings fleet;
  std::string config_file;  // given with --config; "" the default when it exists
  std::map<std::string, std::string, std::less<>> origin;  // key -> "FILE:LINE" or "--flag"
};

struct StudioSetting {
  std::string_view key;  // the config file's key; the flag is "--" and the key with '-' for '_'
  std::string_view value_name, fallback, help;
  std::string (*apply)(std::string_view value, StudioSettings& out);  // "" or "needs ..."
  bool in_config = true;
};

std::span<const StudioSetting> studio_settings();

// The arguments: "" or the problem. Arguments the table does not know go to `rest` (for
// add-user's NAME and --role) when `rest` is given, else they are a problem.
std::string parse_studio_arguments(const std::vector<std::string>& args, StudioSettings& out,
                                   bool* help, std::vector<std::string>* rest = nullptr);
// A config file's text: "" or "FILE:LINE: error: ...".
std::string parse_studio_config(std::string_view file, std::string_view text, StudioSettings& out);
// The settings from the config file (--config, else the default when it exists), then the
// command line over them: "" or the problem.
std::string load_studio_settings(const std::vector<std::string>& args, StudioSettings& out,
                                 bool* help, std::vector<std::string>* rest = nullptr);

std::string studio_usage();

}  // namespace signage::studio
