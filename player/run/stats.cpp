#include "stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace signage::run {

void FrameTimes::add(std::int64_t interval_ns) {
  interval_ns = std::max<std::int64_t>(interval_ns, 0);
  auto bucket = std::min<std::size_t>(std::size_t(interval_ns / kBucketNs), kBuckets - 1);
  ++buckets_[bucket];
  ++count_;
  max_ns_ = std::max(max_ns_, interval_ns);
}

double FrameTimes::percentile_ms(double p) const {
  if (count_ == 0) return 0;
  // The smallest bucket below which at least p% of the frames fall; its upper edge.
  auto rank = std::uint64_t(std::max(1.0, std::ceil(double(count_) * p / 100.0)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      double upper = double((std::int64_t(i) + 1) * kBucketNs) / 1e6;
      return std::min(upper, max_ms());
    }
  }
  return max_ms();
}

std::uint64_t FrameTimes::longer_than(std::int64_t limit_ns) const {
  std::uint64_t n = 0;
  // Buckets that start at or past the limit (10 us resolution).
  auto limit = std::max<std::int64_t>(limit_ns, 0);
  auto first = std::size_t((limit + kBucketNs - 1) / kBucketNs);
  for (std::size_t i = std::min(first, kBuckets); i < kBuckets; ++i) n += buckets_[i];
  return n;
}

double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

ThreadEvents thread_events() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return {usage.ru_minflt, usage.ru_majflt, usage.ru_nvcsw, usage.ru_nivcsw};
}

ThreadEvents operator-(const ThreadEvents& a, const ThreadEvents& b) {
  return {a.minor_faults - b.minor_faults, a.major_faults - b.major_faults,
          a.voluntary_switches - b.voluntary_switches,
          a.involuntary_switches - b.involuntary_switches};
}

namespace {
double round3(double v) {
  return std::round(v * 1000) / 1000;
}
nlohmann::json counters_json(const WorkCounters& c) {
  return {{"text_layouts", c.text_layouts},
          {"glyph_rasterizations", c.glyph_rasterizations},
          {"file_reads", c.file_reads}};
}
}  // namespace

std::string stats_json(const RunStats& s) {
  nlohmann::json j = {
      {"frames", s.frames},
      {"frame_ms_p50", round3(s.frame_ms_p50)},
      {"frame_ms_p99", round3(s.frame_ms_p99)},
      {"frame_ms_max", round3(s.frame_ms_max)},
      {"dropped_frames", s.dropped_frames},
      {"refresh_hz", s.refresh_hz},
      {"peak_rss_mb", round3(s.peak_rss_mb)},
      {"cpu_s", round3(s.cpu_s)},
      {"glyph_rasterizations", s.glyph_rasterizations},
      {"atlas_pages", s.atlas_pages},
      {"cards_prepared", s.cards_prepared},
      {"late_boundaries", s.late_boundaries},
      {"playlist_swaps", s.playlist_swaps},
      {"fallback_slots", s.fallback_slots},
      {"texture_uploads", s.texture_uploads},
      {"ticker_gaps", s.ticker_gaps},
      {"ticker_tiles_max", s.ticker_tiles_max},
      {"ticker_windows", s.ticker_windows},
      {"display_offs", s.display_offs},
      {"display_off_s", round3(s.display_off_s)},
      {"render_thread", counters_json(s.render_thread)},
      {"worker_thread", counters_json(s.worker_thread)},
  };
  return j.dump(2) + "\n";
}

}  // namespace signage::run
