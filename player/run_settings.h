// The settings of `signage-player run`: one table (as mpv's options table) that the command line,
// the config file (player.conf) and the usage text all come from. Adding a setting is adding one
// entry to the table in run_settings.cpp.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "player_options.h"
#include "render/render.h"
#include "run/player.h"
#include "sync/sync.h"

namespace signage {

// Everything `run` was asked to do, from the config file and then the command line.
struct RunSettings {
  std::optional<std::string> path, stats_file, config_file;
  run::PlayerOptions player;
  bool headless = false, fullscreen = false;
  render::RendererChoice renderer = render::RendererChoice::automatic;
  ScreenOptions screen;
  sync::SyncOptions sync;
  bool use_store = false;                                  // a content-source setting was given
  std::map<std::string, std::string, std::less<>> origin;  // key -> "FILE:LINE" or "--flag"
  // Tests of the systemd watchdog only: the frame loop hangs after this many seconds.
  std::optional<double> debug_stall_after_s;
  std::string studio_url;  // the studio's address on the first-boot screen ({ip}: each address)
  bool first_boot_demo = true;  // the first-boot card alternates with the demo's items
};

enum class SettingType {
  value,     // --key VALUE; "key = VALUE"
  repeated,  // the same, more than once; the command line's replace the config file's, which
             // replace the default (`clear` empties the list at a source's first one)
  boolean,   // --key / --no-key; "key = true|false"
};

struct Setting {
  std::string_view key;  // the config file's key; the flag is "--" and the key with '-' for '_'
  SettingType type;
  std::string_view value_name;  // in the usage text: "S", "URL"; none for booleans
  std::string_view fallback;    // the default as the usage text shows it; "" for none
  std::string_view help;        // one phrase for the usage text
  // Sets the value ("true"/"false" for booleans): "" or what the value needs ("needs seconds").
  std::string (*apply)(std::string_view value, RunSettings& out);
  std::string_view group = "";  // a heading in the usage text, on the first entry of a group
  bool in_config = true;        // false: the command line only
  void (*clear)(RunSettings& out) = nullptr;  // for `repeated`: empties the list
};

std::span<const Setting> run_settings();

// "poll_interval" -> "--poll-interval".
std::string flag_of(std::string_view key);

// The command line after "run": "" or the usage problem. PATH is the `playlist` setting.
std::string parse_run_arguments(const std::vector<std::string>& args, RunSettings& out, bool* help);

// The text of a config file: "" or "FILE:LINE: error: ...". `file` is only for messages.
std::string parse_run_config(std::string_view file, std::string_view text, RunSettings& out);

// Reads and parses a config file (at most 1 MB): "" or "FILE[:LINE]: error: ...".
std::string read_run_config(const std::string& file, RunSettings& out);

// What can only be judged once all settings are in (files exist, options that exclude each
// other; the command line's wins over the config file's), naming where each came from: "" or the
// problem.
std::string finish_run_settings(RunSettings& s);

// The whole `run --help` text.
std::string run_usage();

// An example player.conf: every setting of the config file, commented out, with its help and
// default (`run --example-config`; the package installs it as /etc/signage-player/player.conf).
std::string run_config_example();

}  // namespace signage
