// signage-player render: the exact frame the player would show SECONDS after start, as a PNG.
#include <ctime>
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

constexpr const char* kRenderUsage =
    R"(usage: signage-player render PATH --at SECONDS -o OUT.png [--clock ISO8601] [--size WxH]
                            [--rotate 0|90|180|270] [--max-texture-size PX]

Draws the frame the player shows SECONDS after it starts playing PATH (a bundle folder or its
playlist.json). --clock is the wall-clock time at start, with its UTC offset (for schedules and
the clock zone), e.g. 2025-03-03T09:30:00+08:00; default now. --size is the screen (default
1920x1080); --rotate 90 or 270 lays out for that screen turned to portrait and writes a
1080x1920 image. The same arguments give the same pixels.
)";

int fail(const std::string& message) {
  std::cerr << "signage-player render: " << message << "\n";
  return 1;
}

int usage_error(const std::string& message) {
  std::cerr << "signage-player render: " << message << "\n\n" << kRenderUsage;
  return 2;
}

}  // namespace

int render_command(const std::vector<std::string_view>& args) {
  std::optional<std::string> path, out;
  std::optional<scene::Nanos> at;
  run::StillOptions options;
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
      std::cout << kRenderUsage;
      return 0;
    } else if (arg == "--at") {
      auto v = value();
      if (!v || !(at = parse_seconds(*v))) return usage_error("--at needs seconds >= 0");
    } else if (arg == "-o" || arg == "--output") {
      auto v = value();
      if (!v || v->empty()) return usage_error("-o needs a file name");
      out = std::string(*v);
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error("unknown option " + std::string(arg));
    } else if (!path) {
      path = std::string(arg);
    } else {
      return usage_error("more than one PATH");
    }
  }
  if (!path) return usage_error("PATH is missing");
  if (!at) return usage_error("--at is missing");
  if (!out) return usage_error("-o is missing");
  options.at = *at;
  if (screen.size) options.size = *screen.size;
  if (screen.rotate) options.rotate = *screen.rotate;
  if (screen.max_texture_size) options.max_texture_size = *screen.max_texture_size;
  options.wall_clock_at_start_s = screen.clock.value_or(std::int64_t(std::time(nullptr)));

  auto playlist = run::load_and_report(*path);
  if (!playlist) return fail(*path + " is not a valid playlist (see above)");
  std::string error;
  auto image = run::render_still(playlist, options, &error);
  if (!image) return fail(error);
  if (std::string e = render::save_png(*image, *out); !e.empty()) return fail(e);
  return 0;
}

}  // namespace signage
