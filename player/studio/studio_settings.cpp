// The table of signage-studio's settings and what is made from it.
#include "studio/studio_settings.h"

#include <charconv>

#include "files/files.h"

namespace signage::studio {
namespace {

std::string non_empty(std::string_view v, std::string& out) {
  if (v.empty()) return "needs a value";
  out = std::string(v);
  return "";
}

std::string set_path(std::string_view v, std::filesystem::path& out) {
  if (v.empty()) return "needs a path";
  out = std::string(v);
  return "";
}

// To add a setting, add one entry: the command line, studio.conf and --help follow.
constexpr StudioSetting kSettings[] = {
    {"data_dir", "DIR", "/var/lib/signage-studio",
     "the draft, revisions, accounts; made (0700) when missing",
     [](std::string_view v, StudioSettings& s) { return set_path(v, s.paths.data_dir); }},
    {"listen", "ADDR", "127.0.0.1",
     "the address to serve on: 0.0.0.0 (or ::) for the LAN; use TLS then",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.server.listen_address); }},
    {"port", "N", "8080", "the TCP port (0: any free one, printed at start)",
     [](std::string_view v, StudioSettings& s) {
       int port = -1;
       auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
       if (ec != std::errc() || end != v.data() + v.size() || port < 0 || port > 65535) {
         return std::string("needs a port number 0..65535");
       }
       s.server.port = port;
       return std::string();
     }},
    {"tls_cert", "FILE", "", "a PEM certificate (chain): serve HTTPS (with tls_key)",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.server.tls_cert_file); }},
    {"tls_key", "FILE", "", "the certificate's PEM private key",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.server.tls_key_file); }},
    {"sign_key", "FILE", "", "sign published revisions with this `signage-player keygen` key",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.sign_key); }},
    {"seed", "DIR", "", "a bundle folder a new draft starts from (e.g. the demo bundle)",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.seed); }},
    {"player_state_dir", "DIR", "/var/lib/signage-player",
     "the local player's state (status.json, what its screen shows)",
     [](std::string_view v, StudioSettings& s) { return set_path(v, s.paths.player_state_dir); }},
    {"max_upload_mb", "MB", "50", "the largest picture file a browser may send",
     [](std::string_view v, StudioSettings& s) {
       int mb = 0;
       auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), mb);
       if (ec != std::errc() || end != v.data() + v.size() || mb < 1 || mb > 1024) {
         return std::string("needs megabytes 1..1024");
       }
       s.max_upload_bytes = std::uint64_t(mb) << 20;
       return std::string();
     }},
    {"run_as", "USER", "", "started as root: become USER once the port is bound (required then)",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.run_as); }},
    {"mqtt_broker", "URL", "",
     "the fleet's MQTT broker, mqtt://host:port or mqtts://host:port: the fleet page (what the "
     "screens play, screenshots, alert acknowledgements; docs/fleet.md)",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.broker); }},
    {"mqtt_fleet", "NAME", "default", "the fleet in the topics signage/NAME/...",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.fleet); }},
    {"mqtt_groups", "GROUP,...", "all",
     "the groups a publish pushes to (a comma list): an update at once, and the alerts of the "
     "Alerts page signed with sign_key (the players' mqtt_groups)",
     [](std::string_view v, StudioSettings& s) {
       s.fleet.groups.clear();  // the command line replaces the config file's list
       for (std::size_t start = 0; start <= v.size();) {
         std::size_t comma = std::min(v.find(',', start), v.size());
         std::string_view group = v.substr(start, comma - start);
         while (!group.empty() && group.front() == ' ') group.remove_prefix(1);
         while (!group.empty() && group.back() == ' ') group.remove_suffix(1);
         if (group.empty()) return std::string("needs group names, comma-separated");
         s.fleet.groups.push_back(std::string(group));  // checked by fleet_settings_problem
         start = comma + 1;
       }
       return std::string();
     }},
    {"mqtt_username", "NAME", "", "the studio's user name at the broker",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.username); }},
    {"mqtt_password_file", "FILE", "",
     "a file holding the broker password (mode 0600; read before root is given up)",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.password_file); }},
    {"mqtt_ca_file", "FILE", "the system's CAs", "the CA certificate of an mqtts:// broker",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.ca_file); }},
    {"mqtt_cert_file", "FILE", "", "a client certificate (PEM) for mqtts://",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.cert_file); }},
    {"mqtt_key_file", "FILE", "", "the client certificate's key (PEM), readable by run_as",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.fleet.key_file); }},
    {"config", "FILE", "/etc/signage-player/studio.conf when it exists",
     "settings as \"key = value\" lines; the command line overrides them",
     [](std::string_view v, StudioSettings& s) { return non_empty(v, s.config_file); }, false},
};

std::string flag_of(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

std::string_view trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

const StudioSetting* find_key(std::string_view key) {
  for (const StudioSetting& s : kSettings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::string apply(const StudioSetting& setting, std::string_view name, std::string_view value,
                  StudioSettings& s) {
  std::string problem = setting.apply(value, s);
  if (problem.empty()) return "";
  return std::string(name) + " " + problem + ", got \"" + std::string(value) + "\"";
}

}  // namespace

std::span<const StudioSetting> studio_settings() {
  return kSettings;
}

std::string parse_studio_arguments(const std::vector<std::string>& args, StudioSettings& s,
                                   bool* help, std::vector<std::string>* rest) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      continue;
    }
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const StudioSetting* setting = nullptr;
    for (const StudioSetting& candidate : kSettings) {
      if (name == flag_of(candidate.key)) setting = &candidate;
    }
    if (!setting) {
      if (!rest) return "unknown option " + std::string(arg) + " (see --help)";
      rest->push_back(std::string(arg));
      continue;
    }
    std::string_view value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return std::string(name) + " needs a value";
    }
    if (auto problem = apply(*setting, name, value, s); !problem.empty()) return problem;
    s.origin[std::string(setting->key)] = std::string(name);
  }
  return "";
}

std::string parse_studio_config(std::string_view file, std::string_view text, StudioSettings& s) {
  int number = 0;
  while (!text.empty()) {
    ++number;
    auto newline = text.find('\n');
    std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? "" : text.substr(newline + 1);
    if (line.empty() || line[0] == '#') continue;
    std::string where = std::string(file) + ":" + std::to_string(number);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return where + ": error: expected \"key = value\", got \"" + std::string(line) + "\"";
    }
    std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (auto hash = value.find(" #"); hash != std::string_view::npos)
      value = trim(value.substr(0, hash));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const StudioSetting* setting = find_key(key);
    if (!setting || !setting->in_config) {
      std::string keys;
      for (const StudioSetting& k : kSettings) {
        if (k.in_config) keys += (keys.empty() ? "" : ", ") + std::string(k.key);
      }
      return where + ": error: unknown key \"" + std::string(key) + "\" (known: " + keys + ")";
    }
    if (auto problem = apply(*setting, key, value, s); !problem.empty()) {
      return where + ": error: " + problem;
    }
    s.origin[std::string(key)] = where;
  }
  return "";
}

std::string load_studio_settings(const std::vector<std::string>& args, StudioSettings& out,
                                 bool* help, std::vector<std::string>* rest) {
  // First only to learn --config; then the file; then the command line again over it.
  StudioSettings first;
  std::vector<std::string> ignored;
  if (auto problem = parse_studio_arguments(args, first, help, rest ? &ignored : nullptr);
      !problem.empty()) {
    return problem;
  }
  if (*help) return "";
  std::string file = first.config_file;
  std::error_code ec;
  if (file.empty() && std::filesystem::exists(kDefaultStudioConfig, ec))
    file = kDefaultStudioConfig;
  if (!file.empty()) {
    std::string why;
    auto text = files::read_file(file, 1 << 20, &why);
    if (!text) return why;
    if (auto problem = parse_studio_config(file, *text, out); !problem.empty()) return problem;
  }
  return parse_studio_arguments(args, out, help, rest);
}

std::string studio_usage() {
  std::string out =
      "usage: signage-studio [SETTINGS]                serve the studio\n"
      "       signage-studio add-user NAME --role ROLE [--data-dir DIR] [--run-as USER]\n"
      "                                               (or --add-user NAME ...)\n"
      "                                               add or reset an account; the password is\n"
      "                                               read from stdin (asked twice on a terminal)\n"
      "       signage-studio --help | --version\n"
      "roles: editor, approver, alert_sender, admin\n\n"
      "settings (also \"key = value\" in the config file):\n";
  for (const StudioSetting& s : kSettings) {
    std::string left = "  " + flag_of(s.key) + " " + std::string(s.value_name);
    if (left.size() < 28) left.resize(28, ' ');
    out += left + " " + std::string(s.help);
    if (!s.fallback.empty()) out += " (default: " + std::string(s.fallback) + ")";
    out += "\n";
  }
  return out;
}

}  // namespace signage::studio
