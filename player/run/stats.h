// What a run measured, written by --stats-json at exit. Frame and present times go into fixed
// histograms so recording never allocates, however long the player runs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "run/work_counters.h"

namespace signage::run {

// Counts of non-negative integers in buckets 1/128 of a doubling wide (exact below 256), from 0 to
// 2^27 (larger values share the last bucket; max() stays exact): a percentile within 0.4% in
// 11 kB, never allocating, however long the player runs.
class Histogram {
 public:
  void add(std::uint64_t value);
  std::uint64_t count() const { return count_; }
  // The middle of the bucket holding the p-th percentile (p in [0, 100]), at most max(); 0 when
  // empty.
  double percentile(double p) const;
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? double(sum_) / double(count_) : 0; }

 private:
  static constexpr int kSubBits = 7;
  static constexpr int kTopBits = 27;
  static constexpr std::size_t kBuckets = std::size_t(kTopBits - kSubBits + 1) << kSubBits;
  std::array<std::uint32_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0, sum_ = 0, max_ = 0;
};

// What putting frames on the screen costs, recorded by the frame loop after each present.
struct DisplayStats {
  Histogram present_us;        // time spent in Renderer::present(), microseconds
  Histogram presented_pixels;  // Renderer::presented_pixels() of each frame
  std::int64_t output_pixels = 0;
  std::uint64_t texture_bytes = 0, texture_bytes_peak = 0;
};

// The same summed up, for --stats-json and status.json. Damage is the share of the output's
// pixels that one present sent to the screen (1: the whole screen).
struct DisplaySummary {
  double present_ms_p50 = 0, present_ms_p99 = 0, present_ms_max = 0;
  double damaged_mean = 0, damaged_p99 = 0, damaged_max = 0;
  std::uint64_t texture_bytes = 0, texture_bytes_peak = 0;
};
DisplaySummary summarize(const DisplayStats& display);

struct RunStats {
  std::uint64_t frames = 0;
  double frame_ms_p50 = 0, frame_ms_p99 = 0, frame_ms_max = 0;
  std::uint64_t dropped_frames = 0;  // intervals longer than 1.5 refresh periods
  std::string renderer;              // Renderer::driver(), e.g. "x11/software"
  bool accelerated = false;          // drawn by a GPU renderer (Renderer::accelerated())
  DisplaySummary display;
  double refresh_hz = 60;
  double peak_rss_mb = 0;
  double cpu_s = 0;                        // user + system, all threads, during the run
  std::uint64_t glyph_rasterizations = 0;  // by the worker's glyph cache, whole run
  std::uint64_t atlas_pages = 0;
  std::uint64_t cards_prepared = 0;
  std::uint64_t late_boundaries = 0;  // frames past a slot's end without the next card ready
  std::uint64_t playlist_swaps = 0;   // slots shown from a playlist other than the previous one
  std::uint64_t fallback_slots = 0;   // slots that showed the fallback screen (no valid item)
  std::uint64_t texture_uploads = 0;
  // Frames in which part of the visible ticker band had no tile (the worker fell behind): 0.
  std::uint64_t ticker_gaps = 0;
  std::uint64_t ticker_tiles_max = 0;  // most tiles in a ticker window drawn from
  std::uint64_t ticker_windows = 0;    // new windows of the shown ticker taken from the worker
  std::uint64_t display_offs = 0;      // times the screen turned off (display hours)
  double display_off_s = 0;            // time it spent off
  WorkCounters render_thread;          // work the frame loop did itself: all zero when it behaves
  WorkCounters worker_thread;
};

std::string stats_json(const RunStats& stats);

// Peak resident set of the process so far (VmHWM), and CPU seconds used (user + system).
double peak_rss_mb();
double cpu_seconds();
// CPU time of the calling thread, in nanoseconds.
std::int64_t thread_cpu_ns();

// The calling thread's page faults and context switches so far (getrusage RUSAGE_THREAD): what
// explains a frame whose CPU time is out of line, besides the work it did.
struct ThreadEvents {
  std::int64_t minor_faults = 0, major_faults = 0;
  std::int64_t voluntary_switches = 0, involuntary_switches = 0;
};
ThreadEvents thread_events();
ThreadEvents operator-(const ThreadEvents& a, const ThreadEvents& b);

}  // namespace signage::run
