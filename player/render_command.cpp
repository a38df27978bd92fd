// signage-player render: the exact frame the player would show SECONDS after start, as a PNG.
#include <algorithm>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>

#include "commands.h"
#include "content/content.h"
#include "player_options.h"
#include "render/render.h"
#include "run/player.h"
#include "scene/scene.h"

namespace signage {
namespace {

constexpr const char* kRenderUsage =
    R"(usage: signage-player render PATH (--at SECONDS | --item ID|N [--at SECONDS]) -o OUT.png
                            [--clock ISO8601] [--size WxH] [--rotate 0|90|180|270]
                            [--max-texture-size PX]

Draws the frame the player shows SECONDS after it starts playing PATH (a bundle folder or its
playlist.json). --item draws an item instead: its id or its number (1 is the first item), at
its first frame after the transition in, the first time the loop shows it (`check` lists when
that is); with --at, SECONDS after it starts. --clock is the wall-clock time at start, with its
UTC offset (for schedules and the clock zone), e.g. 2025-03-03T09:30:00+08:00; default now.
--size is the screen (default 1920x1080); --rotate 90 or 270 lays out for that screen turned to
portrait and writes a 1080x1920 image. The same arguments give the same pixels.
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
  std::optional<std::string> item;  // --item: an id or a number from 1
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
    } else if (arg == "--item") {
      auto v = value();
      if (!v || v->empty()) return usage_error("--item needs an item id or number");
      item = std::string(*v);
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
  if (!at && !item) return usage_error("--at or --item is missing");
  if (!out) return usage_error("-o is missing");
  if (screen.size) options.size = *screen.size;
  if (screen.rotate) options.rotate = *screen.rotate;
  if (screen.max_texture_size) options.max_texture_size = *screen.max_texture_size;
  options.wall_clock_at_start_s = screen.clock.value_or(std::int64_t(std::time(nullptr)));

  auto playlist = run::load_and_report(*path);
  if (!playlist) return fail(*path + " is not a valid playlist (see above)");
  if (item) {
    auto index = run::find_item(*playlist, *item);
    if (!index) {
      return fail("no item \"" + *item + "\": give an item's id or its number, 1 to " +
                  std::to_string(playlist->items.size()));
    }
    at = run::item_time(playlist, *index, options.wall_clock_at_start_s, at);
    if (!at) {
      return fail("item " + std::to_string(*index + 1) + " (" + playlist->items[*index].id +
                  ") does not show in the 24 hours after " +
                  content::format_instant(options.wall_clock_at_start_s, playlist->timezone) +
                  " (its schedule, or an alert instead); give --clock a time when it shows");
    }
  }
  options.at = *at;
  std::string error;
  auto image = run::render_still(playlist, options, &error);
  if (!image) return fail(error);
  if (std::string e = render::save_png(*image, *out); !e.empty()) return fail(e);
  return 0;
}

}  // namespace signage
