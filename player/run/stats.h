// What a run measured, written by --stats-json at exit. Frame times go into a fixed histogram so
// recording never allocates, however long the player runs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "run/work_counters.h"

namespace signage::run {

// Frame intervals (present to present) in 10 us buckets up to 1 s; longer ones in the last.
class FrameTimes {
 public:
  void add(std::int64_t interval_ns);
  std::uint64_t count() const { return count_; }
  double percentile_ms(double p) const;  // p in [0, 100]
  double max_ms() const { return double(max_ns_) / 1e6; }
  // Frames whose interval exceeded `limit_ns` (1.5 refresh periods: a missed vsync).
  std::uint64_t longer_than(std::int64_t limit_ns) const;

 private:
  static constexpr std::int64_t kBucketNs = 10'000;
  static constexpr std::size_t kBuckets = 100'000;
  std::array<std::uint32_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ns_ = 0;
};

struct RunStats {
  std::uint64_t frames = 0;
  double frame_ms_p50 = 0, frame_ms_p99 = 0, frame_ms_max = 0;
  std::uint64_t dropped_frames = 0;  // intervals longer than 1.5 refresh periods
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
