// signage-player run: plays a playlist on a window, the console (KMSDRM) or headless, and with a
// state directory takes content from a web server (--source) and from USB sticks.
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "commands.h"
#include "content/content.h"
#include "player_options.h"
#include "render/render.h"
#include "run/player.h"
#include "sync/sync.h"

namespace signage {
namespace {

constexpr const char* kRunUsage =
    R"(usage: signage-player run [PATH] [--fullscreen] [--size WxH] [--rotate 0|90|180|270]
                         [--headless] [--duration SECONDS] [--unpaced] [--stats-json FILE]
                         [--clock ISO8601] [--max-texture-size PX]
                         [--config FILE] [--state-dir DIR] [--source URL] [--poll-interval S]
                         [--backoff-cap S] [--connect-timeout S] [--low-speed-time S]
                         [--usb-root DIR]... [--no-usb] [--public-key KEY|FILE] [--ca-file FILE]
                         [--store-max-mb N] [--heartbeat-url URL] [--player-id ID]
                         [--channel ID] [--heartbeat-interval S] [--min-transfer-rate B]

Plays PATH (a bundle folder or its playlist.json; default: the demo bundle hexi-2024). PATH is
watched: a changed playlist takes over at the next item boundary (an invalid one is reported and
the player keeps what it had). Escape, q or closing the window quits.

  --fullscreen     the whole display (on a Raspberry Pi console without X: SDL_VIDEODRIVER=kmsdrm,
                   see platform/raspberry-pi/README.md)
  --size WxH       the window, or the headless screen (default 1920x1080)
  --rotate DEG     the screen is turned: 90 or 270 lays out for portrait
  --headless       no display: SDL's software renderer drawing offscreen
  --duration S     stop after S seconds
  --unpaced        draw as fast as possible instead of at the display rate
  --stats-json F   at exit, write frame times, dropped frames, peak RSS, CPU, glyph counts to F
  --clock ISO8601  the wall-clock time at start (schedules, the clock); default now

Content sources (any of these turns on the store in the state directory; see docs/sources.md):
  --config FILE        settings as "key = value" lines (default /etc/signage-player/player.conf
                       when it exists); flags given here override it
  --state-dir DIR      where verified bundles and status.json live (default /var/lib/signage-player)
  --source URL         a playlist.json on a web server, polled with conditional requests
  --poll-interval S    seconds between polls, +-10% (default 60)
  --backoff-cap S      failed polls back off exponentially up to this (default 900)
  --connect-timeout S  give up connecting after S seconds (default 15)
  --low-speed-time S   give up a transfer slower than 100 bytes/s for S seconds (default 30)
  --usb-root DIR       where USB sticks are mounted (repeatable; default /media /run/media /mnt)
  --no-usb             do not watch for USB sticks
  --public-key K       only take bundles signed with this ed25519 key (base64, or a file);
                       repeatable: any of the keys (for a rotation)
  --channel ID         only take playlists whose "id" is ID
  --ca-file FILE       a CA certificate for HTTPS besides the system's
  --store-max-mb N     the most the store keeps for the current and previous bundle (default 1024)
  --heartbeat-url URL  POST status.json there every --heartbeat-interval S (default 60)
  --min-transfer-rate B  every download ends within 60 s + its size at B bytes/s (default 4096)
  --player-id ID       this screen's name in the User-Agent and status (default: made once)
With a state directory the player starts with the stored bundle, without any network. With none
stored it plays PATH when given, else a waiting screen, until a source delivers.
)";

int usage_error(const std::string& message) {
  std::cerr << "signage-player run: " << message << "\n\n" << kRunUsage;
  return 2;
}

constexpr const char* kDefaultConfig = "/etc/signage-player/player.conf";

// The config file as the flags it stands for ("poll_interval = 30" -> "--poll-interval" "30"),
// each with where it came from for messages. Booleans: "fullscreen = true".
struct ConfigArg {
  std::string text;
  std::string where;  // "FILE:LINE"
};

std::optional<std::vector<ConfigArg>> read_config(const std::string& file, std::string* error) {
  static const char* const kValueKeys[] = {
      "source",           "poll_interval",    "usb_root",      "public_key", "ca_file",
      "state_dir",        "store_max_mb",     "heartbeat_url", "player_id",  "size",
      "rotate",           "max_texture_size", "playlist",      "channel",    "heartbeat_interval",
      "min_transfer_rate"};
  static const char* const kFlagKeys[] = {"fullscreen", "usb"};
  std::ifstream in(file);
  if (!in) {
    *error = file + ": cannot read the config file";
    return std::nullopt;
  }
  std::vector<ConfigArg> args;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string where = file + ":" + std::to_string(number);
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto equals = line.find('=');
    if (equals == std::string::npos) {
      *error = where + ": error: expected \"key = value\", got \"" + line + "\"";
      return std::nullopt;
    }
    std::string key = trim(line.substr(0, equals));
    std::string value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    std::string flag = "--" + key;
    for (char& c : flag) c = c == '_' ? '-' : c;
    bool known = false;
    for (const char* k : kValueKeys) {
      if (key != k) continue;
      known = true;
      args.push_back({key == "playlist" ? value : flag, where});
      if (key != "playlist") args.push_back({value, where});
    }
    for (const char* k : kFlagKeys) {
      if (key != k) continue;
      known = true;
      if (value != "true" && value != "false") {
        *error = where + ": error: " + key + ": expected true or false, got \"" + value + "\"";
        return std::nullopt;
      }
      if (key == "fullscreen" && value == "true") args.push_back({"--fullscreen", where});
      if (key == "usb" && value == "false") args.push_back({"--no-usb", where});
    }
    if (!known) {
      std::string keys;
      for (const char* k : kValueKeys) keys += std::string(keys.empty() ? "" : ", ") + k;
      for (const char* k : kFlagKeys) keys += std::string(", ") + k;
      *error = where + ": error: unknown key \"" + key + "\" (known: " + keys + ")";
      return std::nullopt;
    }
  }
  return args;
}

// Everything `run` was asked to do, from the config file and then the command line.
struct RunSettings {
  std::optional<std::string> path, stats_file;
  run::PlayerOptions player;
  bool headless = false, fullscreen = false;
  ScreenOptions screen;
  sync::SyncOptions sync;
  bool use_store = false;  // any content-source setting was given
  bool path_from_command_line = false;
  std::vector<std::filesystem::path> usb_roots_here;  // from the current source of settings
};

// Applies `args` (from the command line or the config file); "" or the usage problem.
std::string apply_args(const std::vector<std::string>& args, RunSettings& s, bool from_config,
                       bool* help) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto seconds = [&](const char* what, double min, double& out) -> std::string {
      auto v = value();
      auto d = v ? parse_seconds(*v) : std::nullopt;
      if (!d || double(*d) / 1e9 < min) {
        return std::string(what) + " needs seconds >= " + std::to_string(min).substr(0, 3);
      }
      out = double(*d) / 1e9;
      return "";
    };
    auto text = [&](const char* what, std::string& out) -> std::string {
      auto v = value();
      if (!v || v->empty()) return std::string(what) + " needs a value";
      out = std::string(*v);
      return "";
    };
    std::string problem;
    if (auto screen_problem = parse_screen_option(arg, value, s.screen)) {
      problem = *screen_problem;
    } else if (arg == "--help" || arg == "-h") {
      *help = true;
    } else if (arg == "--fullscreen") {
      s.fullscreen = true;
    } else if (arg == "--headless") {
      s.headless = true;
    } else if (arg == "--unpaced") {
      s.player.paced = false;
    } else if (arg == "--duration") {
      auto v = value();
      auto d = v ? parse_seconds(*v) : std::nullopt;
      if (!d) problem = "--duration needs seconds >= 0";
      s.player.duration = d;
    } else if (arg == "--stats-json") {
      std::string file;
      problem = text("--stats-json", file);
      s.stats_file = file;
    } else if (arg == "--state-dir") {
      std::string dir;
      problem = text("--state-dir", dir);
      s.sync.state_dir = dir;
      s.use_store = true;
    } else if (arg == "--source") {
      problem = text("--source", s.sync.http.url);
      if (problem.empty() && !s.sync.http.url.starts_with("http://") &&
          !s.sync.http.url.starts_with("https://")) {
        problem = "--source needs an http:// or https:// URL of a playlist.json";
      }
      s.use_store = true;
    } else if (arg == "--poll-interval") {
      problem = seconds("--poll-interval", 0.1, s.sync.http.poll_interval_s);
    } else if (arg == "--connect-timeout") {
      problem = seconds("--connect-timeout", 0.1, s.sync.http.connect_timeout_s);
    } else if (arg == "--low-speed-time") {
      problem = seconds("--low-speed-time", 1, s.sync.http.low_speed_time_s);
    } else if (arg == "--backoff-cap") {
      problem = seconds("--backoff-cap", 0.1, s.sync.http.backoff_cap_s);
    } else if (arg == "--usb-root") {
      std::string dir;
      problem = text("--usb-root", dir);
      s.usb_roots_here.push_back(dir);
      s.use_store = true;
    } else if (arg == "--no-usb") {
      s.sync.watch_usb = false;
    } else if (arg == "--public-key") {
      std::string key_text;
      problem = text("--public-key", key_text);
      if (problem.empty()) {
        std::string why;
        std::ifstream file(key_text);
        if (file) key_text.assign(std::istreambuf_iterator<char>(file), {});
        auto key = sync::parse_public_key(key_text, &why);
        if (key) s.sync.public_keys.push_back(*key);
        if (!key) problem = "--public-key: " + why;
      }
    } else if (arg == "--ca-file") {
      std::string file;
      problem = text("--ca-file", file);
      s.sync.http.ca_file = file;
      if (problem.empty() && !std::filesystem::is_regular_file(file)) {
        problem = "--ca-file: no such file " + file;
      }
    } else if (arg == "--store-max-mb") {
      auto v = value();
      auto mb = v ? parse_int(*v, 1, 1 << 20) : std::nullopt;
      if (!mb) problem = "--store-max-mb needs megabytes, 1..1048576";
      s.sync.store_max_bytes = std::uint64_t(mb.value_or(1024)) << 20;
    } else if (arg == "--heartbeat-url") {
      problem = text("--heartbeat-url", s.sync.http.heartbeat_url);
    } else if (arg == "--channel") {
      problem = text("--channel", s.sync.channel);
    } else if (arg == "--heartbeat-interval") {
      problem = seconds("--heartbeat-interval", 0.1, s.sync.http.heartbeat_interval_s);
    } else if (arg == "--min-transfer-rate") {
      auto v = value();
      auto rate = v ? parse_int(*v, 1, 1 << 30) : std::nullopt;
      if (!rate) problem = "--min-transfer-rate needs bytes per second, 1..1073741824";
      s.sync.http.min_rate_bytes_per_s = double(rate.value_or(4096));
    } else if (arg == "--player-id") {
      problem = text("--player-id", s.sync.player_id);
    } else if (arg == "--config") {
      if (from_config) problem = "--config inside a config file";
      value();  // read before everything else by run_command
    } else if (!arg.empty() && arg[0] == '-') {
      problem = "unknown option " + std::string(arg);
    } else if (from_config || !s.path_from_command_line) {
      s.path = std::string(arg);  // the command line's PATH replaces the config file's
      s.path_from_command_line = !from_config;
    } else {
      problem = "more than one PATH";
    }
    if (!problem.empty()) return problem;
  }
  return "";
}

}  // namespace

int run_command(const std::vector<std::string_view>& args_in) {
  std::vector<std::string> args(args_in.begin(), args_in.end());
  RunSettings s;
  bool help = false;

  // The config file first (named, or the default one when it exists); the command line after it.
  std::optional<std::string> config_file;
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") config_file = args[i + 1];
  }
  if (!config_file && std::filesystem::exists(kDefaultConfig)) config_file = kDefaultConfig;
  if (config_file) {
    std::string error;
    auto config = read_config(*config_file, &error);
    if (!config) {
      std::cerr << "signage-player run: " << error << "\n";
      return 2;
    }
    std::vector<std::string> config_args;
    for (const auto& a : *config) config_args.push_back(a.text);
    std::string problem = apply_args(config_args, s, true, &help);
    if (!problem.empty()) {
      std::cerr << "signage-player run: " << *config_file << ": " << problem << "\n";
      return 2;
    }
    s.use_store = true;
  }
  std::vector<std::filesystem::path> config_usb_roots = std::move(s.usb_roots_here);
  s.usb_roots_here.clear();
  if (std::string problem = apply_args(args, s, false, &help); !problem.empty()) {
    return usage_error(problem);
  }
  if (help) {
    std::cout << kRunUsage;
    return 0;
  }
  // --usb-root on the command line replaces the config file's roots, which replace the defaults.
  if (!s.usb_roots_here.empty()) {
    s.sync.usb_roots = s.usb_roots_here;
  } else if (!config_usb_roots.empty()) {
    s.sync.usb_roots = config_usb_roots;
  }
  if (s.headless && s.fullscreen)
    return usage_error("--headless and --fullscreen exclude each other");

  render::RendererOptions ro;
  ro.output = s.headless     ? render::Output::headless
              : s.fullscreen ? render::Output::fullscreen
                             : render::Output::window;
  ro.vsync = s.player.paced;
  if (s.screen.size) ro.size = *s.screen.size;
  if (s.screen.rotate) ro.rotate = *s.screen.rotate;
  if (s.screen.max_texture_size) ro.max_texture_size = *s.screen.max_texture_size;
  s.player.wall_clock_at_start_s = s.screen.clock.value_or(std::int64_t(std::time(nullptr)));

  std::string error;
  std::unique_ptr<sync::Sync> syncer;
  std::shared_ptr<const content::Playlist> playlist;
  std::string playing;
  if (s.use_store) {
    syncer = sync::Sync::open(s.sync, &error);
    if (!syncer) {
      std::cerr << "signage-player run: " << error << "\n";
      return 1;
    }
    playlist = syncer->stored_playlist();
    if (playlist) playing = "the stored bundle in " + s.sync.state_dir.string();
  }
  if (!playlist && (s.path || !s.use_store)) {
    const std::filesystem::path playlist_path =
        s.path ? std::filesystem::path(*s.path) : run::demo_playlist_path();
    // Watched without a store; with one, what the sources deliver must not be undone by PATH.
    if (!s.use_store) s.player.watch_path = playlist_path;
    playlist = run::load_and_report(playlist_path);
    playing = playlist_path.string();
    if (!playlist) {
      std::cerr << "signage-player run: " << playlist_path.string()
                << " is not a valid playlist (problems above); showing the fallback screen and "
                   "waiting for it to be fixed\n";
    }
  }
  if (!playlist && s.use_store) {
    playlist = run::empty_playlist("正在等待播放内容");
    playing = "a waiting screen (nothing stored yet)";
  }

  auto renderer = render::Renderer::open(ro, &error);
  if (!renderer) {
    std::cerr << "signage-player run: " << error << "\n";
    return 1;
  }
  auto player = run::Player::create(*renderer, s.player, playlist, &error);
  if (!player) {
    std::cerr << "signage-player run: " << error << "\n";
    return 1;
  }
  std::cerr << "signage-player: playing " << playing << " on " << renderer->driver() << " at "
            << renderer->output_size().width << "x" << renderer->output_size().height << " (scene "
            << renderer->scene_size().width << "x" << renderer->scene_size().height << ", "
            << renderer->refresh_hz() << " Hz)\n";
  if (syncer) {
    sync::SyncCallbacks callbacks;
    callbacks.on_playlist = [&player](std::shared_ptr<const content::Playlist> next) {
      player->submit_playlist(std::move(next));
    };
    callbacks.on_notice = [&player](const sync::Notice& notice) {
      if (notice.problem) std::cerr << "signage-player: on screen: " << notice.text << "\n";
      player->show_notice(notice.text, notice.problem,
                          scene::Nanos(notice.show_for_s * double(scene::kSecond)));
    };
    syncer->start(std::move(callbacks));
  }
  run::RunStats stats = player->run([&](const run::FrameInfo& frame) {
    // Relaxed stores only: the frame loop must not block.
    if (syncer && frame.frame % 64 == 0) syncer->report_player({frame.frame, 0});
    return true;
  });
  if (syncer) {
    syncer->report_player({stats.frames, stats.dropped_frames});
    syncer.reset();  // joins the sync threads, writes status.json a last time
  }
  player.reset();
  if (s.stats_file) {
    std::ofstream out(*s.stats_file);
    out << run::stats_json(stats);
    if (!out) {
      std::cerr << "signage-player run: cannot write " << *s.stats_file << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace signage
