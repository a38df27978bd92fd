// player_bench: the frame loop headless at 1920x1080, printing numbers (asserts nothing).
//
//   1. floor: one full-screen opaque texture copy + present per frame, with the same renderer
//   2. demo: the demo bundle played unpaced; per-frame cost (present to present), its median
//      against the floor's, the render thread's heap allocations (counted by the replaced
//      operator new below) and glyph rasterizations per frame
//   3. swap: the 200-item playlist swapped in mid-run; the worst frame against the median
//   4. floor again, to see whether the machine's speed drifted during the run
//
// The replaced operator new/delete count allocations per thread; this is benchmark-only code
// (the player itself has no global state besides its documented thread-local work counters).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "content/content.h"
#include "render/render.h"
#include "run/player.h"
#include "run/work_counters.h"

namespace {
thread_local std::uint64_t t_allocations = 0;
}

void* operator new(std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++t_allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return operator new(n, std::nothrow);
}
void* operator new(std::size_t n, std::align_val_t a) {
  ++t_allocations;
  std::size_t align = std::max(std::size_t(a), sizeof(void*));
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return operator new(n, a);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace signage {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(double(v.size()) * p / 100))];
}

double floor_median_ms(render::Renderer& renderer, int frames) {
  // Two images with the same pixels and different ids, alternating: the renderer repaints only
  // what changed from one frame to the next, so the floor must change the whole screen.
  const scene::Size size = renderer.scene_size();
  std::shared_ptr<scene::Image> images[2];
  for (int k = 0; k < 2; ++k) {
    images[k] = std::make_shared<scene::Image>();
    images[k]->id = (std::uint64_t(1) << 62) + std::uint64_t(k);  // far from the worker's ids
    images[k]->pixels = text::RgbaImage(size.width, size.height);
    auto& px = images[k]->pixels.pixels;
    for (std::size_t i = 0; i < px.size(); i += 4) {
      px[i] = std::uint8_t(i / 4 % 251);
      px[i + 1] = 80;
      px[i + 2] = 120;
      px[i + 3] = 255;
    }
    renderer.upload(*images[k]);
  }
  scene::DrawList lists[2];
  for (int k = 0; k < 2; ++k) {
    scene::DrawCommand c;
    c.kind = scene::DrawCommand::Kind::image;
    c.image = images[k].get();
    c.source = {0, 0, size.width, size.height};
    c.target = {0, 0, float(size.width), float(size.height)};
    lists[k].commands.push_back(c);
  }
  std::vector<double> times;
  times.reserve(std::size_t(frames));
  auto last = Clock::now();
  for (int i = 0; i < frames + 30; ++i) {
    renderer.draw(lists[i % 2]);
    renderer.present();
    auto now = Clock::now();
    if (i >= 30) times.push_back(std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  }
  std::uint64_t keep = 0;
  renderer.retain_only({&keep, 0});
  return median(times);
}

std::shared_ptr<const content::Playlist> big_playlist() {
  std::string json = R"({"version": 1, "id": "big", "title": "二百项", "timezone": "Asia/Shanghai",
    "items": [)";
  for (int i = 0; i < 200; ++i) {
    if (i) json += ",";
    if (i % 3 == 1) {
      json += R"({"type": "statistic", "value": ")" + std::to_string(1000 + i) +
              R"(", "unit": "户", "label": "第)" + std::to_string(i) + R"(项统计", "duration": 2})";
    } else {
      json +=
          R"({"type": "headline", "title": "第)" + std::to_string(i) +
          R"(条：全区经济社会发展各项事业迈出坚实步伐", "body": "打造2.9平方公里“数字岛”，编号)" +
          std::to_string(i * 7) + R"(。", "duration": 2})";
    }
  }
  json += R"(], "ticker": {"items": ["城镇调查失业率控制在5.5%以内", "新引进各类人才2000余人"]}})";
  return content::parse_playlist(json, "big.json", fs::temp_directory_path()).playlist;
}

struct FrameLog {
  std::vector<double> ms;
  std::vector<std::uint64_t> allocations;  // the render thread's, during each frame
  std::vector<std::uint64_t> sequence;
  std::vector<std::uint64_t> uploads;  // textures uploaded so far, after each frame
  std::vector<bool> transition;
};

int main_bench(int argc, char** argv) {
  double seconds = 45;
  fs::path playlist_path = run::demo_playlist_path();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--seconds=", 0) == 0) seconds = std::atof(a.c_str() + 10);
    if (a.rfind("--playlist=", 0) == 0) playlist_path = a.substr(11);
  }
  render::RendererOptions ro;
  ro.output = render::Output::headless;
  ro.size = {1920, 1080};
  ro.vsync = false;
  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  if (!renderer) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  auto demo = run::load_and_report(playlist_path);
  auto big = big_playlist();
  if (!demo || !big) return 1;

  const double floor_before = floor_median_ms(*renderer, 600);

  run::PlayerOptions po;
  po.paced = false;
  po.wall_clock_at_start_s = 1740965400;  // 2025-03-03T09:30:00+08:00
  po.duration = scene::Nanos(seconds * 1e9);
  auto player = run::Player::create(*renderer, po, demo, &error);
  if (!player) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  // Phase 1: the demo; phase 2: the 200-item playlist swapped in at a third of the run (it takes
  // over at the boundary after the next prepared slot).
  FrameLog log;
  const std::size_t capacity = std::size_t(seconds * 20000);
  log.ms.reserve(capacity);
  log.allocations.reserve(capacity);
  log.sequence.reserve(capacity);
  log.uploads.reserve(capacity);
  log.transition.reserve(capacity);
  std::uint64_t swap_frame = 0;
  bool swapped = false;
  auto last = Clock::now();
  std::uint64_t allocations_before = t_allocations;
  const scene::Nanos third = scene::Nanos(seconds * 1e9 / 3);
  run::RunStats stats = player->run([&](const run::FrameInfo& f) {
    auto now = Clock::now();
    if (log.ms.size() < capacity) {
      log.ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
      log.allocations.push_back(t_allocations - allocations_before);
      log.sequence.push_back(f.shown_sequence);
      log.uploads.push_back(renderer->uploads());
      log.transition.push_back(f.transition);
    }
    if (!swapped && f.t >= third) {
      player->submit_playlist(big);
      swapped = true;
      swap_frame = f.frame;
    }
    last = Clock::now();
    allocations_before = t_allocations;
    return true;
  });
  player.reset();
  const double floor_after = floor_median_ms(*renderer, 600);

  // Steady state: demo frames after the first second, excluding the frame of each card switch.
  const std::size_t warmup = std::min<std::size_t>(log.ms.size(), 200);
  std::vector<double> demo_ms, swap_ms, fade_ms;
  std::uint64_t demo_frames = 0, frames_with_allocations = 0, allocations = 0;
  std::uint64_t switch_frames_with_allocations = 0;
  for (std::size_t i = warmup; i < log.ms.size(); ++i) {
    bool switched = i > 0 && log.sequence[i] != log.sequence[i - 1];
    if (i < swap_frame) {
      demo_ms.push_back(log.ms[i]);
      ++demo_frames;
      if (log.allocations[i]) {
        (switched ? switch_frames_with_allocations : frames_with_allocations) += 1;
        allocations += log.allocations[i];
      }
    } else if (log.transition[i]) {
      fade_ms.push_back(log.ms[i]);  // two full-screen cards blended: the software renderer's cost
    } else {
      swap_ms.push_back(log.ms[i]);
    }
  }
  const double demo_median = median(demo_ms);
  if (std::getenv("PLAYER_BENCH_SLOW")) {
    for (std::size_t i = 1; i < log.ms.size(); ++i) {
      if (log.ms[i] > 4 * demo_median) {
        std::printf("slow frame %zu: %.2f ms, %s%s%s\n", i, log.ms[i],
                    log.uploads[i] != log.uploads[i - 1] ? "upload " : "",
                    log.sequence[i] != log.sequence[i - 1] ? "switch" : "",
                    log.transition[i] ? " fade" : "");
      }
    }
  }
  std::printf("player_bench: headless software renderer, 1920x1080, %s, %.0f s unpaced\n",
              playlist_path.string().c_str(), seconds);
  std::printf("floor (full-screen copy + present), median ms: before %.3f, after %.3f\n",
              floor_before, floor_after);
  std::printf("demo frame, ms: median %.3f, p99 %.3f, max %.3f over %llu frames\n", demo_median,
              percentile(demo_ms, 99), percentile(demo_ms, 100), (unsigned long long)demo_frames);
  std::printf("demo median / floor median: %.2f (goal <= 2)\n",
              demo_median / std::max(floor_before, floor_after));
  std::printf(
      "render thread heap allocations in steady-state demo frames: %llu in %llu frames "
      "(plus %llu card-switch frames with allocations)\n",
      (unsigned long long)allocations, (unsigned long long)frames_with_allocations,
      (unsigned long long)switch_frames_with_allocations);
  std::printf(
      "render thread work over the whole run: %llu layouts, %llu glyph rasterizations, "
      "%llu file reads\n",
      (unsigned long long)stats.render_thread.text_layouts,
      (unsigned long long)stats.render_thread.glyph_rasterizations,
      (unsigned long long)stats.render_thread.file_reads);
  std::printf("worker: %llu cards prepared, %llu glyph rasterizations, %llu atlas pages\n",
              (unsigned long long)stats.cards_prepared,
              (unsigned long long)stats.glyph_rasterizations,
              (unsigned long long)stats.atlas_pages);
  const double swap_median = median(swap_ms), swap_max = percentile(swap_ms, 100);
  std::printf(
      "200-item swap, frames after the request outside fades: median %.3f ms, p99 %.3f "
      "ms, worst %.3f ms, worst / median %.2f (goal <= 2); playlist swaps %llu, late "
      "boundaries %llu\n",
      swap_median, percentile(swap_ms, 99), swap_max, swap_max / std::max(swap_median, 1e-9),
      (unsigned long long)stats.playlist_swaps, (unsigned long long)stats.late_boundaries);
  std::printf("fade frames after the request: %zu, median %.3f ms, worst %.3f ms\n", fade_ms.size(),
              median(fade_ms), percentile(fade_ms, 100));
  std::printf("peak RSS %.1f MB, CPU %.2f s\n", stats.peak_rss_mb, stats.cpu_s);
  return 0;
}

}  // namespace
}  // namespace signage

int main(int argc, char** argv) {
  return signage::main_bench(argc, argv);
}
