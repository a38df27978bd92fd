// The table of run's settings and the three things made from it: the command line, the config
// file and the usage text.
#include "run_settings.h"

#include <set>

#include "files/files.h"
#include "sync/mqtt_source.h"

namespace signage {
namespace {

constexpr std::string_view kSourcesGroup =
    "Content sources (any of these turns on the store in the state directory; see "
    "docs/sources.md):";

std::string seconds_at_least(std::string_view v, double min, double& out) {
  auto d = parse_seconds(v);
  if (!d || double(*d) / 1e9 < min) {
    return min < 1 ? "needs seconds >= " + std::to_string(min).substr(0, 3)
                   : "needs seconds >= " + std::to_string(int(min));
  }
  out = double(*d) / 1e9;
  return "";
}

// A boolean's value, already checked to be "true" or "false".
std::string set_switch(std::string_view v, bool& out) {
  out = v == "true";
  return "";
}

std::string non_empty(std::string_view v, std::string& out) {
  if (v.empty()) return "needs a value";
  out = std::string(v);
  return "";
}

// A key given inline (base64) or as a file holding it; a key file is a line, so reading stops
// at 4 KB (a path like /dev/zero must not exhaust memory).
std::string add_public_key(std::string_view v, RunSettings& s) {
  std::string key_text(v);
  std::error_code missing;
  if (std::filesystem::exists(key_text, missing)) {
    std::string why;
    auto bytes = files::read_file(key_text, 4096, &why);
    if (!bytes) return "needs an ed25519 public key (base64, or a file): " + why;
    key_text = *bytes;
  }
  std::string why;
  auto key = sync::parse_public_key(key_text, &why);
  if (!key) return "needs an ed25519 public key (base64, or a file): " + why;
  s.sync.public_keys.push_back(*key);
  return "";
}

std::string set_source(std::string_view v, RunSettings& s) {
  s.use_store = true;
  if (!v.starts_with("http://") && !v.starts_with("https://")) {
    return "needs an http:// or https:// URL of a playlist.json";
  }
  s.sync.http.url = std::string(v);
  return "";
}

// To add a setting, add one entry here (and a line in docs/sources.md's example if an installer
// would set it): the command line, player.conf and `run --help` follow.
constexpr Setting kSettings[] = {
    {"playlist", SettingType::value, "PATH", "the demo bundle hexi-2024",
     "a bundle folder or its playlist.json; on the command line PATH alone does the same",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.path.emplace()); }},
    {"fullscreen", SettingType::boolean, "", "",
     "the whole display (on a Raspberry Pi console without X: SDL_VIDEODRIVER=kmsdrm, see "
     "platform/raspberry-pi/README.md)",
     [](std::string_view v, RunSettings& s) { return set_switch(v, s.fullscreen); }},
    {"size", SettingType::value, "WxH", "1920x1080", "the window, or the headless screen",
     [](std::string_view v, RunSettings& s) { return set_size(v, s.screen); }},
    {"rotate", SettingType::value, "DEG", "0",
     "the screen is turned: 90 or 270 lays out for portrait",
     [](std::string_view v, RunSettings& s) { return set_rotate(v, s.screen); }},
    {"renderer", SettingType::value, "auto|gpu|software", "auto",
     "how the screen is drawn: gpu (OpenGL/GLES), software (only what changed is drawn and sent; "
     "no GL loaded), or auto: gpu when the machine has one",
     [](std::string_view v, RunSettings& s) {
       auto choice = render::parse_renderer_choice(v);
       if (!choice) return std::string("needs auto, gpu or software");
       s.renderer = *choice;
       return std::string();
     }},
    {"max_texture_size", SettingType::value, "PX", "what the GPU allows",
     "use textures at most this wide and tall",
     [](std::string_view v, RunSettings& s) { return set_max_texture_size(v, s.screen); }},
    {"config", SettingType::value, "FILE", "/etc/signage-player/player.conf when it exists",
     "settings as \"key = value\" lines; the command line overrides them",
     [](std::string_view v, RunSettings& s) {
       s.use_store = true;
       return non_empty(v, s.config_file.emplace());
     },
     kSourcesGroup, false},
    {"state_dir", SettingType::value, "DIR", "/var/lib/signage-player",
     "where verified bundles and status.json live",
     [](std::string_view v, RunSettings& s) {
       s.use_store = true;
       std::string dir;
       std::string problem = non_empty(v, dir);
       s.sync.state_dir = dir;
       return problem;
     }},
    {"source", SettingType::value, "URL", "",
     "a playlist.json on a web server, polled with conditional requests", set_source},
    {"poll_interval", SettingType::value, "S", "60", "seconds between polls, +-10%",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 0.1, s.sync.http.poll_interval_s);
     }},
    {"backoff_cap", SettingType::value, "S", "900",
     "failed polls back off exponentially up to this",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 0.1, s.sync.http.backoff_cap_s);
     }},
    {"connect_timeout", SettingType::value, "S", "15", "give up connecting after S seconds",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 0.1, s.sync.http.connect_timeout_s);
     }},
    {"low_speed_time", SettingType::value, "S", "30",
     "give up a transfer slower than 100 bytes/s for S seconds",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 1, s.sync.http.low_speed_time_s);
     }},
    {"usb_root", SettingType::repeated, "DIR", "/media /run/media /mnt",
     "where USB sticks are mounted; the command line's replace the config file's",
     [](std::string_view v, RunSettings& s) {
       s.use_store = true;
       std::string dir;
       std::string problem = non_empty(v, dir);
       s.sync.usb_roots.push_back(dir);
       return problem;
     },
     "", true, [](RunSettings& s) { s.sync.usb_roots.clear(); }},
    {"local_source", SettingType::value, "DIR", "",
     "a bundle folder on this machine (the studio's DATA_DIR/published), looked at every second",
     [](std::string_view v, RunSettings& s) {
       s.use_store = true;
       std::string dir;
       std::string problem = non_empty(v, dir);
       s.sync.local_source = dir;
       return problem;
     }},
    {"studio_url", SettingType::value, "URL", "http://{ip}:8080 with a local_source, else none",
     "the studio's address the screen shows while it has no content yet; {ip} stands for each "
     "of this box's IPv4 addresses",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.studio_url); }},
    {"first_boot_demo", SettingType::boolean, "", "true",
     "with nothing stored, the first-boot card alone, without the demo bundle's cards after it "
     "(in player.conf: first_boot_demo = false)",
     [](std::string_view v, RunSettings& s) { return set_switch(v, s.first_boot_demo); }},
    {"usb", SettingType::boolean, "", "true", "ignore USB sticks (in player.conf: usb = false)",
     [](std::string_view v, RunSettings& s) { return set_switch(v, s.sync.watch_usb); }},
    {"public_key", SettingType::repeated, "KEY", "",
     "only take bundles signed with this ed25519 key (base64, or a file holding it); more than "
     "one: any of them (for a key rotation)",
     add_public_key, "", true, [](RunSettings& s) { s.sync.public_keys.clear(); }},
    {"channel", SettingType::value, "ID", "", "only take playlists whose \"id\" is ID",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.sync.channel); }},
    {"ca_file", SettingType::value, "FILE", "", "a CA certificate for HTTPS besides the system's",
     [](std::string_view v, RunSettings& s) {
       std::string file;
       std::string problem = non_empty(v, file);
       s.sync.http.ca_file = file;
       return problem;
     }},
    {"store_max_mb", SettingType::value, "N", "1024",
     "the most the store keeps for the current and previous bundle, in MB",
     [](std::string_view v, RunSettings& s) {
       auto mb = parse_int(v, 1, 1 << 20);
       s.sync.store_max_bytes = std::uint64_t(mb.value_or(1024)) << 20;
       return std::string(mb ? "" : "needs megabytes, 1..1048576");
     }},
    {"heartbeat_url", SettingType::value, "URL", "",
     "POST status.json there every heartbeat_interval",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.sync.http.heartbeat_url); }},
    {"heartbeat_interval", SettingType::value, "S", "60", "seconds between heartbeats",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 0.1, s.sync.http.heartbeat_interval_s);
     }},
    {"min_transfer_rate", SettingType::value, "B", "4096",
     "every download ends within connect_timeout + 60 s + its size at B bytes/s",
     [](std::string_view v, RunSettings& s) {
       auto rate = parse_int(v, 1, 1 << 30);
       s.sync.http.min_rate_bytes_per_s = double(rate.value_or(4096));
       return std::string(rate ? "" : "needs bytes per second, 1..1073741824");
     }},
    {"player_id", SettingType::value, "ID", "made once, kept in STATE_DIR/player-id",
     "this screen's name in the User-Agent and status",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.sync.player_id); }},
    {"mqtt_broker", SettingType::value, "URL", "",
     "an MQTT broker, mqtt://host:port or mqtts://host:port: updates pushed at once, signed "
     "alerts, this screen's status (see docs/fleet.md)",
     [](std::string_view v, RunSettings& s) {
       s.use_store = true;
       std::string why;
       if (!sync::parse_broker_url(v, &why)) return why;
       s.sync.mqtt.broker = std::string(v);
       return std::string();
     },
     "Fleet push over MQTT (see docs/fleet.md):"},
    {"mqtt_fleet", SettingType::value, "NAME", "default",
     "the fleet in the topics signage/NAME/...",
     [](std::string_view v, RunSettings& s) {
       std::string why = sync::topic_level_problem(v);
       if (why.empty()) s.sync.mqtt.fleet = std::string(v);
       return why;
     }},
    {"mqtt_groups", SettingType::repeated, "GROUP", "all",
     "groups this screen belongs to (repeat, or a comma list): it takes the updates and alerts "
     "of each",
     [](std::string_view v, RunSettings& s) {
       for (std::size_t start = 0; start <= v.size();) {
         std::size_t comma = std::min(v.find(',', start), v.size());
         std::string_view group = v.substr(start, comma - start);
         while (!group.empty() && group.front() == ' ') group.remove_prefix(1);
         while (!group.empty() && group.back() == ' ') group.remove_suffix(1);
         if (std::string why = sync::topic_level_problem(group); !why.empty()) return why;
         s.sync.mqtt.groups.push_back(std::string(group));
         start = comma + 1;
       }
       return std::string();
     },
     "", true, [](RunSettings& s) { s.sync.mqtt.groups.clear(); }},
    {"mqtt_username", SettingType::value, "NAME", "", "the user name at the broker",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.sync.mqtt.username); }},
    {"mqtt_password_file", SettingType::value, "FILE", "",
     "a file holding the broker password (mode 0600: not readable by group or others)",
     [](std::string_view v, RunSettings& s) {
       std::string file;
       std::string problem = non_empty(v, file);
       s.sync.mqtt.password_file = file;
       return problem;
     }},
    {"mqtt_ca_file", SettingType::value, "FILE", "the system's CAs",
     "the CA certificate of an mqtts:// broker",
     [](std::string_view v, RunSettings& s) {
       std::string file;
       std::string problem = non_empty(v, file);
       s.sync.mqtt.ca_file = file;
       return problem;
     }},
    {"mqtt_cert_file", SettingType::value, "FILE", "", "a client certificate (PEM) for mqtts://",
     [](std::string_view v, RunSettings& s) {
       std::string file;
       std::string problem = non_empty(v, file);
       s.sync.mqtt.cert_file = file;
       return problem;
     }},
    {"mqtt_key_file", SettingType::value, "FILE", "", "the client certificate's key (PEM)",
     [](std::string_view v, RunSettings& s) {
       std::string file;
       std::string problem = non_empty(v, file);
       s.sync.mqtt.key_file = file;
       return problem;
     }},
    {"mqtt_keepalive_s", SettingType::value, "S", "60",
     "seconds between pings; the broker publishes the last will after 1.5 times this",
     [](std::string_view v, RunSettings& s) {
       auto seconds = parse_int(v, 5, 65535);
       s.sync.mqtt.keepalive_s = seconds.value_or(60);
       return std::string(seconds ? "" : "needs whole seconds, 5..65535");
     }},
    {"mqtt_status_interval_s", SettingType::value, "S", "60",
     "the retained status is published on every change and at least this often",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 1, s.sync.mqtt.status_interval_s);
     }},
    {"mqtt_update_jitter_s", SettingType::value, "S", "5",
     "an update message waits a random 0..S seconds before the web check, so a fleet does not "
     "hit the server at once",
     [](std::string_view v, RunSettings& s) {
       return seconds_at_least(v, 0, s.sync.mqtt.update_jitter_s);
     }},
    {"display_hours", SettingType::value, "HOURS", "the playlist's display_hours, else always",
     "when the screen is on, e.g. \"mon-fri 07:30-21:00, sat-sun 09:00-17:00\" or always; "
     "overrides the playlist's (see docs/sources.md)",
     [](std::string_view v, RunSettings& s) {
       std::string why;
       s.player.display_hours = content::parse_display_hours(v, &why);
       return s.player.display_hours ? std::string() : "needs days and times: " + why;
     },
     "The screen (display hours; the commands are this box's, never a playlist's):"},
    {"display_off_command", SettingType::value, "CMD", "",
     "run with /bin/sh -c when the screen turns off (HDMI-CEC standby: see "
     "platform/raspberry-pi/README.md)",
     [](std::string_view v, RunSettings& s) {
       return non_empty(v, s.player.display_commands.off);
     }},
    {"display_on_command", SettingType::value, "CMD", "",
     "run with /bin/sh -c when the screen turns on, and at start when it is on",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.player.display_commands.on); }},
    {"headless", SettingType::boolean, "", "",
     "no display: SDL's software renderer drawing offscreen",
     [](std::string_view v, RunSettings& s) { return set_switch(v, s.headless); },
     "Tests and benchmarks (command line only):", false},
    {"duration", SettingType::value, "S", "", "stop after S seconds",
     [](std::string_view v, RunSettings& s) {
       s.player.duration = parse_seconds(v);
       return std::string(s.player.duration ? "" : "needs seconds >= 0");
     },
     "", false},
    {"unpaced", SettingType::boolean, "", "",
     "draw as fast as possible instead of at the display rate",
     [](std::string_view v, RunSettings& s) {
       s.player.paced = v != "true";
       return std::string();
     },
     "", false},
    {"stats_json", SettingType::value, "FILE", "",
     "at exit, write frame and present times, dropped frames, damage, renderer, texture "
     "bytes, peak RSS, CPU, glyph counts to FILE",
     [](std::string_view v, RunSettings& s) { return non_empty(v, s.stats_file.emplace()); }, "",
     false},
    {"clock", SettingType::value, "ISO8601", "now",
     "the wall-clock time at start (schedules, the clock)",
     [](std::string_view v, RunSettings& s) { return set_clock(v, s.screen); }, "", false},
    {"debug_stall_after", SettingType::value, "S", "",
     "for tests of the systemd watchdog only: the frame loop hangs after S seconds of playing "
     "(the watchdog pings stop; systemd restarts the player)",
     [](std::string_view v, RunSettings& s) {
       auto d = parse_seconds(v);
       if (d) s.debug_stall_after_s = double(*d) / 1e9;
       return std::string(d ? "" : "needs seconds >= 0");
     },
     "", false},
};

const Setting* find_setting(std::string_view key) {
  for (const Setting& setting : kSettings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

std::string_view trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// "key = value  # comment" -> key and value. A '#' starts a comment at the start of a line or
// after a space or tab; a value in double quotes may hold anything but a double quote.
std::string split_line(std::string_view line, std::string_view& key, std::string_view& value) {
  auto equals = line.find('=');
  if (equals == std::string_view::npos) {
    return "expected \"key = value\", got \"" + std::string(line) + "\"";
  }
  key = trim(line.substr(0, equals));
  std::string_view rest = trim(line.substr(equals + 1));
  std::string_view after;
  if (rest.starts_with('"')) {
    auto close = rest.find('"', 1);
    if (close == std::string_view::npos) return "the value's closing \" is missing";
    value = rest.substr(1, close - 1);
    after = trim(rest.substr(close + 1));
    if (!after.empty() && after[0] != '#') {
      return "text after the closing \": \"" + std::string(after) + "\"";
    }
    return "";
  }
  std::size_t end = rest.size();
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '#' && (i == 0 || rest[i - 1] == ' ' || rest[i - 1] == '\t')) {
      end = i;
      break;
    }
  }
  value = trim(rest.substr(0, end));
  return "";
}

std::string known_keys() {
  std::string keys;
  for (const Setting& setting : kSettings) {
    if (setting.in_config) keys += (keys.empty() ? "" : ", ") + std::string(setting.key);
  }
  return keys;
}

// Applies `value` for `setting`: "" or "NAME needs ..., got "VALUE"", NAME as the user wrote it.
// `seen` holds the repeated settings this source (file or command line) gave already.
std::string apply(const Setting& setting, std::string_view name, std::string_view value,
                  RunSettings& s, std::set<std::string_view>& seen) {
  if (setting.type == SettingType::repeated && seen.insert(setting.key).second && setting.clear) {
    setting.clear(s);
  }
  if (setting.type == SettingType::boolean && value != "true" && value != "false") {
    return std::string(name) + ": expected true or false, got \"" + std::string(value) + "\"";
  }
  std::string problem = setting.apply(value, s);
  if (problem.empty()) return "";
  return std::string(name) + " " + problem + ", got \"" + std::string(value) + "\"";
}

// Breaks `text` into lines of at most `width` columns (counting bytes: the help is ASCII).
std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
  std::string out, line;
  std::size_t start = 0;
  while (start < text.size()) {
    auto space = text.find(' ', start);
    std::string_view word =
        text.substr(start, space == std::string_view::npos ? text.npos : space - start);
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + std::string(word);
    start = space == std::string_view::npos ? text.size() : space + 1;
  }
  return out + line + "\n";
}

}  // namespace

std::span<const Setting> run_settings() {
  return kSettings;
}

std::string flag_of(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

std::string parse_run_arguments(const std::vector<std::string>& args, RunSettings& s, bool* help) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      continue;
    }
    if (arg.empty() || arg[0] != '-') {
      if (s.origin["playlist"] == "PATH") return "more than one PATH";
      s.origin["playlist"] = "PATH";
      if (std::string problem = apply(*find_setting("playlist"), "PATH", arg, s, seen);
          !problem.empty())
        return problem;
      continue;
    }
    // --key VALUE, --key=VALUE, --flag, --no-flag
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto equals = arg.find('='); equals != std::string_view::npos) {
      name = arg.substr(0, equals);
      inline_value = arg.substr(equals + 1);
    }
    const Setting* setting = nullptr;
    bool negated = false;
    for (const Setting& candidate : kSettings) {
      std::string flag = flag_of(candidate.key);
      if (name == flag) setting = &candidate;
      if (candidate.type == SettingType::boolean && name == "--no-" + flag.substr(2)) {
        setting = &candidate;
        negated = true;
      }
    }
    if (!setting) return "unknown option " + std::string(arg);
    std::string_view value;
    if (setting->type == SettingType::boolean) {
      if (inline_value) return std::string(name) + " takes no value";
      value = negated ? "false" : "true";
    } else if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return std::string(name) + " needs a value";
    }
    s.origin[std::string(setting->key)] = std::string(name);
    if (std::string problem = apply(*setting, name, value, s, seen); !problem.empty())
      return problem;
  }
  return "";
}

std::string parse_run_config(std::string_view file, std::string_view text, RunSettings& s) {
  std::set<std::string_view> seen;
  int number = 0;
  while (!text.empty()) {
    ++number;
    auto newline = text.find('\n');
    std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line[0] == '#') continue;
    std::string where = std::string(file) + ":" + std::to_string(number);
    auto error = [&](const std::string& message) { return where + ": error: " + message; };
    std::string_view key, value;
    if (std::string problem = split_line(line, key, value); !problem.empty()) return error(problem);
    const Setting* setting = find_setting(key);
    if (setting && !setting->in_config) {
      return error(std::string(key) + " is for the command line only (" + flag_of(key) + ")");
    }
    if (!setting) {
      std::string hint;
      std::string underscored(key);
      for (char& c : underscored) c = c == '-' ? '_' : c;
      if (underscored != key && find_setting(underscored)) hint = "; write " + underscored;
      return error("unknown key \"" + std::string(key) + "\"" +
                   (hint.empty() ? " (known: " + known_keys() + ")" : hint));
    }
    auto& origin = s.origin[std::string(key)];
    if (setting->type != SettingType::repeated && origin.starts_with(std::string(file) + ":")) {
      return error(std::string(key) + " is set twice (first at " + origin + ")");
    }
    origin = where;
    if (value.empty()) return error(std::string(key) + " has no value");
    if (std::string problem = apply(*setting, key, value, s, seen); !problem.empty()) {
      return error(problem);
    }
  }
  return "";
}

std::string read_run_config(const std::string& file, RunSettings& s) {
  std::string why;
  auto text = files::read_file(file, 1 << 20, &why);  // a config file is a few hundred bytes
  if (!text) return file + ": error: " + why;
  return parse_run_config(file, *text, s);
}

std::string finish_run_settings(RunSettings& s) {
  auto from_command_line = [&](std::string_view key) {
    auto it = s.origin.find(key);
    return it != s.origin.end() && it->second.starts_with("--");
  };
  if (s.headless && s.fullscreen) {
    // The command line overrides the config file; both in one place contradict each other.
    if (from_command_line("headless") != from_command_line("fullscreen")) {
      (from_command_line("headless") ? s.fullscreen : s.headless) = false;
    } else {
      return s.origin["headless"] + " (headless) and " + s.origin["fullscreen"] +
             " (fullscreen) exclude each other";
    }
  }
  const auto& ca = s.sync.http.ca_file;
  if (!ca.empty() && !std::filesystem::is_regular_file(ca)) {
    const std::string& where = s.origin["ca_file"];
    return where.starts_with("--") ? where + ": no such file " + ca.string()
                                   : where + ": error: ca_file: no such file " + ca.string();
  }
  for (auto [key, file] : {std::pair{"mqtt_ca_file", &s.sync.mqtt.ca_file},
                           std::pair{"mqtt_cert_file", &s.sync.mqtt.cert_file},
                           std::pair{"mqtt_key_file", &s.sync.mqtt.key_file},
                           std::pair{"mqtt_password_file", &s.sync.mqtt.password_file}}) {
    if (file->empty() || std::filesystem::is_regular_file(*file)) continue;
    const std::string& where = s.origin[key];
    return where.starts_with("--") ? where + ": no such file " + file->string()
                                   : where + ": error: " + key + ": no such file " + file->string();
  }
  if (s.sync.mqtt.cert_file.empty() != s.sync.mqtt.key_file.empty()) {
    return "mqtt_cert_file and mqtt_key_file go together: give both or neither";
  }
  return "";
}

std::string run_usage() {
  std::string out =
      "usage: signage-player run [PATH] [OPTIONS]\n\n"
      "Plays PATH (a bundle folder or its playlist.json; default: the demo bundle hexi-2024). "
      "PATH is\nwatched: a changed playlist takes over at the next item boundary (an invalid one "
      "is reported and\nthe player keeps what it had). Escape, q or closing the window quits.\n";
  std::string_view group = "\n";  // a blank line before the first option
  for (const Setting& setting : kSettings) {
    if (!setting.group.empty()) group = setting.group;
    if (!group.empty()) {
      out += group == "\n" ? "\n" : "\n" + std::string(group) + "\n";
      group = {};
    }
    std::string left = "  " + (setting.type == SettingType::boolean && setting.fallback == "true"
                                   ? "--no-" + flag_of(setting.key).substr(2)
                                   : flag_of(setting.key));
    if (setting.type != SettingType::boolean) left += " " + std::string(setting.value_name);
    std::string help(setting.help);
    std::vector<std::string> notes;
    if (setting.type == SettingType::repeated) notes.push_back("repeatable");
    if (!setting.fallback.empty() && setting.type != SettingType::boolean) {
      notes.push_back("default: " + std::string(setting.fallback));
    }
    for (std::size_t i = 0; i < notes.size(); ++i) {
      help += (i == 0 ? " (" : "; ") + notes[i] + (i + 1 == notes.size() ? ")" : "");
    }
    constexpr std::size_t kColumn = 25;
    left.resize(std::max(left.size() + 1, kColumn), ' ');
    out += left + wrap(help, kColumn, 100);
  }
  out +=
      "\nIn player.conf each setting is a line \"key = value\": the option's name without \"--\" "
      "and with\n\"_\" for \"-\" (poll_interval = 60); switches take true or false (usb = "
      "false). \"#\" starts a comment\nat the start of a line or after a space; quote a value "
      "holding \" #\". A bad line stops the player\nwith FILE:LINE: error. With a state "
      "directory the player starts with the stored bundle, without\nany network. With none "
      "stored it plays PATH when given, else a waiting screen, until a source\ndelivers.\n";
  return out;
}

namespace {

// `text` wrapped as "# " comment lines of at most 100 columns.
std::string comment_lines(std::string_view text) {
  std::string wrapped = "# " + wrap(text, 2, 100);
  for (std::size_t at = wrapped.find("\n  "); at != std::string::npos;
       at = wrapped.find("\n  ", at + 1)) {
    wrapped.replace(at, 3, "\n# ");
  }
  return wrapped;
}

}  // namespace

std::string run_config_example() {
  std::string out =
      "# /etc/signage-player/player.conf: the settings of `signage-player run` on this box\n"
      "# (signage-player.service reads it at start; `systemctl restart signage-player` after a\n"
      "# change). One \"key = value\" a line; switches take true or false. Every setting is\n"
      "# below, commented out: remove the \"#\" in front of a key to set it. Made from the same\n"
      "# table as `signage-player run --help`; docs/sources.md explains the content sources.\n";
  std::string_view group;
  for (const Setting& setting : kSettings) {
    if (!setting.group.empty()) group = setting.group;
    if (!setting.in_config) continue;
    if (!group.empty()) {
      out += "\n" + comment_lines(group);
      group = {};
    }
    std::string help(setting.help);
    if (setting.type == SettingType::repeated) help += " (one line each)";
    if (!setting.fallback.empty()) help += " (default: " + std::string(setting.fallback) + ")";
    // A switch shows the value that changes something; the rest their value's name.
    std::string value = setting.type != SettingType::boolean ? std::string(setting.value_name)
                        : setting.fallback == "true"         ? "false"
                                                             : "true";
    out += "\n" + comment_lines(help) + "#" + std::string(setting.key) + " = " + value + "\n";
  }
  return out;
}

}  // namespace signage
