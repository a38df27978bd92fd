// player_bench: the frame loop headless at 1920x1080, printing numbers (asserts nothing).
//
//   1. floor: one full-screen opaque texture copy + present per frame, with the same renderer
//   2. demo: the demo bundle played unpaced; per-frame cost (present to present), its median
//      against the floor's, the render thread's heap allocations (counted by the replaced
//      operator new below) and glyph rasterizations per frame
//   3. swap: the 200-item playlist swapped in mid-run; the worst frame against the median
//   4. the same run without the swap, and the floor paced at 60 Hz: what worst / median this
//      machine gives frames that do nothing new (controls for the swap)
//   5. floor again, to see whether the machine's speed drifted during the run
//
// The replaced operator new/delete count allocations per thread; this is benchmark-only code
// (the player itself has no global state besides its documented thread-local work counters).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "content/content.h"
#include "render/render.h"
#include "run/player.h"
#include "run/work_counters.h"
#include "steal.h"

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
using bench::steal_ms;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// An opaque full-screen image, uploaded, and the draw list that copies it onto the whole screen.
struct FullScreenCopy {
  std::shared_ptr<scene::Image> image;
  scene::DrawList list;
};

FullScreenCopy full_screen_copy(render::Renderer& renderer, std::uint64_t k) {
  const scene::Size size = renderer.scene_size();
  FullScreenCopy copy;
  copy.image = std::make_shared<scene::Image>();
  copy.image->id = (std::uint64_t(1) << 62) + k;  // far from the worker's ids
  copy.image->pixels = text::RgbaImage(size.width, size.height);
  auto& px = copy.image->pixels.pixels;
  for (std::size_t i = 0; i < px.size(); i += 4) {
    px[i] = std::uint8_t(i / 4 % 251);
    px[i + 1] = 80;
    px[i + 2] = 120;
    px[i + 3] = 255;
  }
  renderer.upload(*copy.image);
  scene::DrawCommand c;
  c.kind = scene::DrawCommand::Kind::image;
  c.image = copy.image.get();
  c.source = {0, 0, size.width, size.height};
  c.target = {0, 0, float(size.width), float(size.height)};
  copy.list.commands.push_back(c);
  return copy;
}

double floor_median_ms(render::Renderer& renderer, int frames) {
  // Two images with the same pixels and different ids, alternating: the renderer repaints only
  // what changed from one frame to the next, so the floor must change the whole screen.
  const FullScreenCopy copies[2] = {full_screen_copy(renderer, 0), full_screen_copy(renderer, 1)};
  std::vector<double> times;
  times.reserve(std::size_t(frames));
  auto last = Clock::now();
  for (int i = 0; i < frames + 30; ++i) {
    renderer.draw(copies[i % 2].list);
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

// Frame times in 1 us buckets up to 100 ms (the last bucket holds longer ones): percentiles
// without storing every frame, however fast the frames are.
struct Histogram {
  static constexpr std::size_t kBuckets = 100'000;
  std::vector<std::uint32_t> buckets = std::vector<std::uint32_t>(kBuckets);
  std::uint64_t count = 0;
  double max_ms = 0;
  void add(double ms) {
    auto b = std::size_t(std::max(0.0, ms) * 1000);
    ++buckets[std::min(b, kBuckets - 1)];
    ++count;
    max_ms = std::max(max_ms, ms);
  }
  double percentile(double p) const {
    if (count == 0) return 0;
    auto rank = std::uint64_t(std::max(1.0, std::ceil(double(count) * p / 100)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets[i];
      if (seen >= rank) return std::min(max_ms, double(i + 1) / 1000);  // the bucket's upper edge
    }
    return max_ms;
  }
  double worst_over_median() const { return max_ms / std::max(percentile(50), 1e-9); }
};

std::string summary(const Histogram& h) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "median %.3f ms, p99 %.3f ms, worst %.3f ms over %llu frames",
                h.percentile(50), h.percentile(99), h.max_ms, (unsigned long long)h.count);
  return buf;
}

double cpu_ms(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The floor's frame paced at the refresh rate (60 Hz headless), as the swap runs are: the render
// thread's CPU time for one full-screen copy + present, per frame. Every frame is the same work, so
// its worst against its median is what this machine adds to any frame.
Histogram floor_paced_cpu(render::Renderer& renderer, double seconds) {
  const FullScreenCopy copy = full_screen_copy(renderer, 2);
  Histogram cpu;
  const auto period = std::chrono::nanoseconds(std::int64_t(1e9 / renderer.refresh_hz()));
  const auto frames = int(seconds * 60);
  auto next = Clock::now();
  for (int i = 0; i < frames + 30; ++i) {
    const double before = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
    renderer.draw(copy.list);
    renderer.present();
    if (i >= 30) cpu.add(cpu_ms(CLOCK_THREAD_CPUTIME_ID) - before);
    next += period;
    std::this_thread::sleep_until(next);
  }
  std::uint64_t keep = 0;
  renderer.retain_only({&keep, 0});
  return cpu;
}

// The demo unpaced: present-to-present times after the first 200 frames, and the render
// thread's allocations in each frame.
struct DemoRun {
  bool ok = false;
  Histogram frame_ms;
  std::uint64_t frames_with_allocations = 0, switch_frames_with_allocations = 0, allocations = 0;
  run::RunStats stats;
};

DemoRun run_demo(render::Renderer& renderer, std::shared_ptr<const content::Playlist> demo,
                 double seconds, std::string* error) {
  DemoRun result;
  run::PlayerOptions po;
  po.paced = false;
  po.wall_clock_at_start_s = 1740965400;  // 2025-03-03T09:30:00+08:00
  po.duration = scene::Nanos(seconds * 1e9);
  auto player = run::Player::create(renderer, po, std::move(demo), error);
  if (!player) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return result;
  }
  auto last = Clock::now();
  std::uint64_t allocations_before = t_allocations, last_sequence = 0;
  result.stats = player->run([&](const run::FrameInfo& f) {
    auto now = Clock::now();
    const std::uint64_t allocated = t_allocations - allocations_before;
    if (f.frame >= 200) {
      result.frame_ms.add(std::chrono::duration<double, std::milli>(now - last).count());
      if (allocated) {
        (f.shown_sequence != last_sequence ? result.switch_frames_with_allocations
                                           : result.frames_with_allocations) += 1;
        result.allocations += allocated;
      }
    }
    last_sequence = f.shown_sequence;
    last = Clock::now();
    allocations_before = t_allocations;
    return true;
  });
  result.ok = true;
  return result;
}

// CPU time of the process's threads other than the calling one (the frame loop, in a hook).
double others_cpu_ms() {
  return cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu_ms(CLOCK_THREAD_CPUTIME_ID);
}

// The demo paced at 60 Hz (unless unpaced), with the 200-item playlist submitted 2 s in (it
// takes over at the boundary after the next prepared slot); with no `big`, nothing is submitted
// and the same frames are recorded from 2 s on. For every frame after the request:
// the frame loop's CPU time and wall time up to present (FrameInfo::work_cpu, work; no pacing
// sleep) and the present-to-present interval, fade frames apart.
struct SwapRun {
  bool ok = false;
  Histogram work_cpu, work_wall, fade_cpu, interval;
  // Non-fade frames split by whether the other threads (the worker) used more than 0.5 ms of CPU
  // since the last frame: both cores busy, sharing caches and memory bandwidth.
  Histogram work_cpu_others_busy, work_cpu_others_idle;
  std::uint64_t late_frames = 0;
  double steal_ms = -1;  // reported by the hypervisor during the run, all CPUs
  run::RunStats stats;
};

SwapRun run_swap(render::Renderer& renderer, std::shared_ptr<const content::Playlist> demo,
                 std::shared_ptr<const content::Playlist> big, bool paced, double seconds,
                 bool slow_log, std::string* error) {
  SwapRun result;
  run::PlayerOptions po;
  po.paced = paced;
  po.wall_clock_at_start_s = 1740965400;
  po.duration = scene::Nanos(seconds * 1e9);
  auto player = run::Player::create(renderer, po, std::move(demo), error);
  if (!player) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return result;
  }
  const scene::Nanos request_at = 2 * scene::kSecond;
  const double period_ms = 1000.0 / renderer.refresh_hz();
  const double steal_before = steal_ms();
  bool swapped = false, last_transition = false;
  std::uint64_t last_sequence = 0, last_uploads = renderer.uploads();
  std::uint64_t last_in_draw = renderer.uploads_in_draw();
  auto last = Clock::now();
  double last_others_cpu = others_cpu_ms();
  result.stats = player->run([&](const run::FrameInfo& f) {
    auto now = Clock::now();
    const double cpu_ms = double(f.work_cpu) / 1e6;
    const double others_cpu = others_cpu_ms();
    const double others_ms = others_cpu - last_others_cpu;
    last_others_cpu = others_cpu;
    if (swapped) {
      if (f.transition) {
        result.fade_cpu.add(cpu_ms);
      } else {
        result.work_cpu.add(cpu_ms);
        result.work_wall.add(double(f.work) / 1e6);
        (others_ms > 0.5 ? result.work_cpu_others_busy : result.work_cpu_others_idle).add(cpu_ms);
      }
      const double interval = std::chrono::duration<double, std::milli>(now - last).count();
      result.interval.add(interval);
      if (paced && interval > 1.5 * period_ms) ++result.late_frames;
      if (slow_log && (cpu_ms > 0.5 || f.work > 2'000'000)) {
        std::printf(
            "slow frame %llu: CPU %.3f ms, wall %.3f ms, other threads' CPU since the last frame "
            "%.3f ms, faults %lld minor %lld major, switches %lld voluntary %lld "
            "involuntary%s%s%s%s%s\n",
            (unsigned long long)f.frame, cpu_ms, double(f.work) / 1e6, others_ms,
            (long long)f.events.minor_faults, (long long)f.events.major_faults,
            (long long)f.events.voluntary_switches, (long long)f.events.involuntary_switches,
            renderer.uploads() != last_uploads ? ", new texture" : "",
            f.shown_sequence != last_sequence ? ", switch" : "", f.transition ? ", fade" : "",
            !f.transition && last_transition ? ", first after a fade" : "",
            renderer.uploads_in_draw() != last_in_draw ? ", draw() made textures" : "");
      }
    }
    if (!swapped && f.t >= request_at) {
      if (big) player->submit_playlist(big);
      swapped = true;
    }
    last_sequence = f.shown_sequence;
    last_transition = f.transition;
    last_uploads = renderer.uploads();
    last_in_draw = renderer.uploads_in_draw();
    last = Clock::now();
    return true;
  });
  const double steal_after = steal_ms();
  if (steal_before >= 0 && steal_after >= 0) result.steal_ms = steal_after - steal_before;
  result.ok = true;
  return result;
}

int main_bench(int argc, char** argv) {
  run::tune_allocator_for_playing();  // as `signage-player run` does
  double seconds = 20, swap_seconds = 40;
  bool swap_paced = true;
  fs::path playlist_path = run::demo_playlist_path();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--seconds=", 0) == 0) seconds = std::atof(a.c_str() + 10);
    if (a.rfind("--swap_seconds=", 0) == 0) swap_seconds = std::atof(a.c_str() + 15);
    if (a == "--swap_unpaced") swap_paced = false;
    if (a.rfind("--playlist=", 0) == 0) playlist_path = a.substr(11);
  }
  const bool slow_log = std::getenv("PLAYER_BENCH_SLOW") != nullptr;
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

  DemoRun demo_changed = run_demo(*renderer, demo, seconds, &error);
  ro.repaint_everything = true;
  auto full_renderer = render::Renderer::open(ro, &error);
  if (!full_renderer) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  DemoRun demo_full = run_demo(*full_renderer, demo, seconds, &error);
  if (!demo_changed.ok || !demo_full.ok) return 1;

  // Phase 2: the 200-item swap, once as headless plays (repainting what changed) and once
  // repainting every pixel of every frame as a display does, where frames have one base cost.
  SwapRun changed = run_swap(*renderer, demo, big, swap_paced, swap_seconds, slow_log, &error);
  SwapRun full = run_swap(*full_renderer, demo, big, swap_paced, swap_seconds, slow_log, &error);
  if (!changed.ok || !full.ok) return 1;
  SwapRun no_swap =
      run_swap(*full_renderer, demo, nullptr, swap_paced, swap_seconds, false, &error);
  if (!no_swap.ok) return 1;
  const Histogram floor_paced = floor_paced_cpu(*full_renderer, swap_seconds);
  const double floor_after = floor_median_ms(*renderer, 600);
  const double floor = std::max(floor_before, floor_after);

  std::printf("player_bench: headless software renderer, 1920x1080, %s\n",
              playlist_path.string().c_str());
  std::printf("floor (full-screen copy + present), median ms: before %.3f, after %.3f\n",
              floor_before, floor_after);
  for (const DemoRun* run : {&demo_full, &demo_changed}) {
    std::printf("demo, %.0f s unpaced, repainting %s, frame (present to present): %s\n", seconds,
                run == &demo_full ? "every pixel" : "what changed", summary(run->frame_ms).c_str());
    std::printf("  median / floor median: %.2f (goal <= 2)\n",
                run->frame_ms.percentile(50) / floor);
    std::printf(
        "  render thread heap allocations in steady-state frames: %llu in %llu frames (plus %llu "
        "card-switch frames with allocations)\n",
        (unsigned long long)run->allocations, (unsigned long long)run->frames_with_allocations,
        (unsigned long long)run->switch_frames_with_allocations);
  }
  for (const auto* s : {&demo_full.stats, &demo_changed.stats, &full.stats, &changed.stats}) {
    std::printf(
        "%s: render thread %llu layouts, %llu glyph rasterizations, %llu file reads; worker %llu "
        "cards, %llu glyph rasterizations, %llu atlas pages; peak RSS %.1f MB, CPU %.2f s\n",
        s == &demo_full.stats      ? "demo run (every pixel)"
        : s == &demo_changed.stats ? "demo run (what changed)"
        : s == &full.stats         ? "swap run (every pixel)"
                                   : "swap run (what changed)",
        (unsigned long long)s->render_thread.text_layouts,
        (unsigned long long)s->render_thread.glyph_rasterizations,
        (unsigned long long)s->render_thread.file_reads, (unsigned long long)s->cards_prepared,
        (unsigned long long)s->glyph_rasterizations, (unsigned long long)s->atlas_pages,
        s->peak_rss_mb, s->cpu_s);
  }
  for (const SwapRun* run : {&full, &changed}) {
    std::printf(
        "200-item swap (%.0f s, %s), repainting %s: playlist swaps %llu, late boundaries %llu\n",
        swap_seconds, swap_paced ? "paced 60 Hz" : "unpaced",
        run == &full ? "every pixel (as a display)" : "what changed (headless)",
        (unsigned long long)run->stats.playlist_swaps,
        (unsigned long long)run->stats.late_boundaries);
    const Histogram& h = run->work_cpu;
    std::printf("  non-fade frames after the request, frame loop CPU time: %s\n",
                summary(h).c_str());
    std::printf("  worst / median: %.2f%s; worst / floor: %.2f\n", h.worst_over_median(),
                run == &full ? " (goal <= 2)" : "", h.max_ms / floor);
    std::printf("  same frames while the other threads ran > 0.5 ms since the last frame: %s\n",
                summary(run->work_cpu_others_busy).c_str());
    std::printf("  same frames while they did not: %s\n",
                summary(run->work_cpu_others_idle).c_str());
    std::printf("  same frames, wall time (with preemption by other processes): %s\n",
                summary(run->work_wall).c_str());
    std::printf("  fade frames after the request, CPU time: %s\n", summary(run->fade_cpu).c_str());
    std::printf("  present-to-present after the request: %s; %llu later than 1.5 periods\n",
                summary(run->interval).c_str(), (unsigned long long)run->late_frames);
    std::printf("  steal time reported by the hypervisor during the run (/proc/stat): %.0f ms\n",
                run->steal_ms);
  }
  const Histogram& with_swap = full.work_cpu;
  const Histogram& without = no_swap.work_cpu;
  std::printf("controls, repainting every pixel, frame loop CPU time:\n");
  std::printf(
      "  the same run without the swap (%s), non-fade frames from 2 s: %s; worst / median %.2f; "
      "steal %.0f ms\n",
      swap_paced ? "paced 60 Hz" : "unpaced", summary(without).c_str(), without.worst_over_median(),
      no_swap.steal_ms);
  std::printf("  the floor's frame (%.0f s, paced 60 Hz): %s; worst / median %.2f\n", swap_seconds,
              summary(floor_paced).c_str(), floor_paced.worst_over_median());
  auto ratio = [](double a, double b) { return a / std::max(b, 1e-9); };
  std::printf("  swap against no swap: median %.2f, p99 %.2f, worst %.2f\n",
              ratio(with_swap.percentile(50), without.percentile(50)),
              ratio(with_swap.percentile(99), without.percentile(99)),
              ratio(with_swap.max_ms, without.max_ms));
  return 0;
}
}  // namespace
}  // namespace signage

int main(int argc, char** argv) {
  return signage::main_bench(argc, argv);
}
