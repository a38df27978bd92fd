// signage-player run: plays a playlist on a window, the console (KMSDRM) or headless.
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

namespace signage {
namespace {

constexpr const char* kRunUsage =
    R"(usage: signage-player run [PATH] [--fullscreen] [--size WxH] [--rotate 0|90|180|270]
                         [--headless] [--duration SECONDS] [--unpaced] [--stats-json FILE]
                         [--clock ISO8601] [--max-texture-size PX]

Plays PATH (a bundle folder or its playlist.json; default: the demo bundle hexi-2024). PATH is
watched: a changed playlist takes over at the next item boundary (an invalid one is reported and
the player keeps what it had). Escape, q or closing the window quits.

  --fullscreen     the whole display (on a Raspberry Pi console without X: SDL_VIDEODRIVER=kmsdrm,
                   see platform/raspberry-pi/README.md)
  --size WxH       the window, or the headless screen (default 1920x1080)
  --rotate DEG     the screen is turned: 90 or 270 lays out for portrait
  --headless       no display: SDL's software renderer drawing offscreen
  --duration S     stop after S seconds
  --unpaced        draw as fast as possible instead of at the display's rate
  --stats-json F   at exit, write frame times, dropped frames, peak RSS, CPU, glyph counts to F
  --clock ISO8601  the wall-clock time at start (schedules, the clock); default now
)";

int usage_error(const std::string& message) {
  std::cerr << "signage-player run: " << message << "\n\n" << kRunUsage;
  return 2;
}

}  // namespace

int run_command(const std::vector<std::string_view>& args) {
  std::optional<std::string> path, stats_file;
  render::RendererOptions ro;
  run::PlayerOptions po;
  bool headless = false, fullscreen = false;
  ScreenOptions screen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (auto problem = parse_screen_option(arg, value, screen)) {
      if (!problem->empty()) return usage_error(*problem);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kRunUsage;
      return 0;
    } else if (arg == "--fullscreen") {
      fullscreen = true;
    } else if (arg == "--headless") {
      headless = true;
    } else if (arg == "--unpaced") {
      po.paced = false;
    } else if (arg == "--duration") {
      auto v = value();
      auto d = v ? parse_seconds(*v) : std::nullopt;
      if (!d) return usage_error("--duration needs seconds >= 0");
      po.duration = *d;
    } else if (arg == "--stats-json") {
      auto v = value();
      if (!v || v->empty()) return usage_error("--stats-json needs a file name");
      stats_file = std::string(*v);
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error("unknown option " + std::string(arg));
    } else if (!path) {
      path = std::string(arg);
    } else {
      return usage_error("more than one PATH");
    }
  }
  if (headless && fullscreen) return usage_error("--headless and --fullscreen exclude each other");
  ro.output = headless     ? render::Output::headless
              : fullscreen ? render::Output::fullscreen
                           : render::Output::window;
  ro.vsync = po.paced;
  if (screen.size) ro.size = *screen.size;
  if (screen.rotate) ro.rotate = *screen.rotate;
  if (screen.max_texture_size) ro.max_texture_size = *screen.max_texture_size;
  po.wall_clock_at_start_s = screen.clock.value_or(std::int64_t(std::time(nullptr)));
  const std::filesystem::path playlist_path =
      path ? std::filesystem::path(*path) : run::demo_playlist_path();
  po.watch_path = playlist_path;

  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  if (!renderer) {
    std::cerr << "signage-player run: " << error << "\n";
    return 1;
  }
  auto playlist = run::load_and_report(playlist_path);
  if (!playlist) {
    std::cerr << "signage-player run: " << playlist_path.string()
              << " is not a valid playlist (problems above); showing the fallback screen and "
                 "waiting for it to be fixed\n";
  }
  auto player = run::Player::create(*renderer, po, playlist, &error);
  if (!player) {
    std::cerr << "signage-player run: " << error << "\n";
    return 1;
  }
  std::cerr << "signage-player: playing " << playlist_path.string() << " on " << renderer->driver()
            << " at " << renderer->output_size().width << "x" << renderer->output_size().height
            << " (scene " << renderer->scene_size().width << "x" << renderer->scene_size().height
            << ", " << renderer->refresh_hz() << " Hz)\n";
  run::RunStats stats = player->run();
  player.reset();
  if (stats_file) {
    std::ofstream out(*stats_file);
    out << run::stats_json(stats);
    if (!out) {
      std::cerr << "signage-player run: cannot write " << *stats_file << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace signage
