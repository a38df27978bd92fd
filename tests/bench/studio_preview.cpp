// studio_preview: the studio's previews (studio::Previews, the real engine) on the demo bundle.
// Latency of one card's live preview (median over 30 different titles, so the cache does not
// answer, and cached), of a 320 px thumbnail, where the time goes (draw, downscale, PNG at two
// zlib levels), and the process's memory at idle and after previewing every demo item in both
// orientations. Prints numbers; asserts nothing. `--cache-mb N`: the cache's bound (4). `--out DIR`
// also writes a card, a thumbnail by area averaging and one by SDL's linear scaling, to look at.
#include <SDL.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "render/render.h"
#include "run/player.h"
#include "studio/previews.h"

namespace {

namespace fs = std::filesystem;
using namespace signage;
using Clock = std::chrono::steady_clock;
constexpr std::int64_t kClock = 1740965400;  // 2025-03-03T09:30:00+08:00

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// VmRSS and VmHWM in MB.
std::pair<double, double> memory_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  double rss = 0, hwm = 0;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stod(line.substr(6)) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stod(line.substr(6)) / 1024.0;
  }
  return {rss, hwm};
}

void print_memory(const char* when) {
  auto [rss, hwm] = memory_mb();
  std::printf("memory %-44s VmRSS %6.1f MB  VmHWM %6.1f MB\n", when, rss, hwm);
}

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Wall time of f() in ms; its CPU time (the process's: the caller waits while the worker draws)
// goes to `cpu` when given. On a loaded machine the CPU time is the steadier number.
template <typename F>
double ms(F&& f, std::vector<double>* cpu = nullptr) {
  const double cpu_start = cpu_ms();
  const auto start = Clock::now();
  f();
  if (cpu) cpu->push_back(cpu_ms() - cpu_start);
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void print_times(const char* what, std::vector<double> times) {
  std::sort(times.begin(), times.end());
  std::printf("%-52s median %7.1f ms  p90 %7.1f ms  max %7.1f ms  (n=%zu)\n", what,
              times[times.size() / 2], times[times.size() * 9 / 10], times.back(), times.size());
}

text::RgbaImage sdl_linear(const text::RgbaImage& image, int width, int height) {
  text::RgbaImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(std::size_t(width) * height * 4);
  SDL_Surface* src = SDL_CreateRGBSurfaceWithFormatFrom(
      const_cast<std::uint8_t*>(image.pixels.data()), image.width, image.height, 32,
      image.width * 4, SDL_PIXELFORMAT_RGBA32);
  SDL_Surface* dst = SDL_CreateRGBSurfaceWithFormatFrom(out.pixels.data(), width, height, 32,
                                                        width * 4, SDL_PIXELFORMAT_RGBA32);
  SDL_SoftStretchLinear(src, nullptr, dst, nullptr);
  SDL_FreeSurface(src);
  SDL_FreeSurface(dst);
  return out;
}

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  run::tune_allocator_for_playing();  // as signage-studio does at its start
  fs::path out;
  std::size_t cache_mb = 4;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--out") out = argv[i + 1];
    if (std::string(argv[i]) == "--cache-mb") cache_mb = std::stoul(argv[i + 1]);
  }
  const fs::path bundle = run::demo_playlist_path();
  const std::string original = read(bundle / "playlist.json");
  studio::StudioPaths paths;
  paths.data_dir = fs::temp_directory_path();
  studio::PreviewOptions options;
  options.now = [] { return kClock; };
  options.cache_bytes = cache_mb << 20;
  std::printf("cache bound %zu MB\n", cache_mb);
  studio::Previews previews(
      [&] {
        return studio::DraftSnapshot{"v", original, bundle};
      },
      paths, options);
  print_memory("idle (Previews made, nothing drawn)");

  auto playlist = nlohmann::json::parse(original);
  const std::string item = "four-highlands";
  auto with_title = [&](int i) {
    playlist["items"][1]["title"] = "四个高地 第" + std::to_string(i) + "稿";
    return playlist.dump();
  };
  // The first draw opens the fonts and the renderer: timed on its own.
  std::printf("first preview (engine and renderer made)             %7.1f ms\n", ms([&] {
                previews.preview(with_title(-1), item, studio::Orientation::landscape, {});
              }));
  print_memory("after the first preview");
  std::vector<double> uncached, cached, thumbs, uncached_cpu, thumbs_cpu;
  std::size_t png_bytes = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string json = with_title(i);
    uncached.push_back(ms(
        [&] {
          png_bytes = previews.preview(json, item, studio::Orientation::landscape, {}).png->size();
        },
        &uncached_cpu));
  }
  for (int i = 0; i < 30; ++i) {
    const std::string json = with_title(i % 4 + 26);  // the last 4: still in a 4 MB cache
    cached.push_back(ms([&] { previews.preview(json, item, studio::Orientation::landscape, {}); }));
  }
  print_times("preview 1920x1080, 30 different titles (uncached)", uncached);
  print_times("  the same, CPU time", uncached_cpu);
  print_times("preview 1920x1080, cached", cached);
  std::printf("  PNG of one card: %zu bytes\n", png_bytes);
  for (int i = 0; i < 30; ++i) {
    thumbs.push_back(ms([&] { previews.thumbnail("v", item, 320, kClock + 60 * i); }, &thumbs_cpu));
  }
  print_times("thumbnail 320x180 (draw, scale, PNG), 30 clocks", thumbs);
  print_times("  the same, CPU time", thumbs_cpu);
  print_memory("after 61 previews of one card");

  for (const auto& orientation : {studio::Orientation::landscape, studio::Orientation::portrait}) {
    for (const auto& it : nlohmann::json::parse(original)["items"]) {
      previews.preview(original, it["id"].get<std::string>(), orientation, {});
    }
  }
  const studio::PreviewStats stats = previews.stats();
  std::printf("renders %llu, cache %zu entries, %zu bytes\n", (unsigned long long)stats.renders,
              stats.cache_entries, stats.cache_bytes);
  print_memory("after every demo item in both orientations");

  // Where one uncached preview's time goes.
  run::StillRenderer still;
  run::StillOptions so;
  so.wall_clock_at_start_s = kClock;
  std::string error;
  auto parsed = run::load_and_report(bundle);
  so.at = *run::item_time(parsed, 1, kClock, std::nullopt);
  std::vector<double> draw, small, png1, png6, draw_cpu, small_cpu, png1_cpu, png6_cpu;
  std::optional<text::RgbaImage> frame;
  std::size_t bytes1 = 0, bytes6 = 0;
  for (int i = 0; i < 15; ++i) {
    draw.push_back(ms([&] { frame = still.render(parsed, so, &error); }, &draw_cpu));
    small.push_back(ms([&] { render::downscale(*frame, 320, 180); }, &small_cpu));
    png1.push_back(ms([&] { bytes1 = render::encode_png(*frame, 1)->size(); }, &png1_cpu));
    png6.push_back(ms([&] { bytes6 = render::encode_png(*frame, 6)->size(); }, &png6_cpu));
  }
  print_times("  draw (StillRenderer, engine kept)", draw);
  print_times("  downscale to 320x180 (area average)", small);
  print_times("  PNG zlib level 1", png1);
  print_times("  PNG zlib level 6", png6);
  print_times("  CPU: draw", draw_cpu);
  print_times("  CPU: downscale", small_cpu);
  print_times("  CPU: PNG level 1", png1_cpu);
  print_times("  CPU: PNG level 6", png6_cpu);
  std::printf("  PNG bytes: level 1 %zu, level 6 %zu\n", bytes1, bytes6);

  if (!out.empty()) {
    fs::create_directories(out);
    write(out / "card.png", *render::encode_png(*frame));
    write(out / "portrait.png",
          *previews.preview(original, "industry-talent", studio::Orientation::portrait, {}).png);
    write(out / "thumb_banner.png", *previews.thumbnail("v", "banner", 320, kClock).png);
    write(out / "thumb_area.png", *render::encode_png(render::downscale(*frame, 320, 180)));
    write(out / "thumb_sdl_linear.png", *render::encode_png(sdl_linear(*frame, 320, 180)));
    std::printf("wrote %s/{card,portrait,thumb_banner,thumb_area,thumb_sdl_linear}.png\n",
                out.c_str());
  }
  return 0;
}
