#include "stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace signage::run {

namespace {
constexpr std::uint64_t kSub = 1u << 7;  // Histogram's buckets per doubling

std::size_t bucket_of(std::uint64_t v) {
  if (v < kSub) return std::size_t(v);
  const int shift = std::bit_width(v) - 1 - std::countr_zero(kSub);  // >= 0
  return std::size_t(shift) * kSub + std::size_t(v >> shift);        // v >> shift in [128, 256)
}
}  // namespace

void Histogram::add(std::uint64_t value) {
  ++buckets_[std::min(bucket_of(value), kBuckets - 1)];
  ++count_;
  sum_ += value;
  max_ = std::max(max_, value);
}

double Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  // The smallest bucket below which at least p% of the values fall.
  auto rank = std::uint64_t(std::max(1.0, std::ceil(double(count_) * p / 100.0)));
  std::uint64_t seen = 0;
  std::size_t i = 0;
  for (; i + 1 < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) break;
  }
  double lower = double(i), width = 1;
  if (i >= kSub) {
    const int shift = int(i / kSub) - 1;
    lower = double((i % kSub + kSub) << shift);
    width = double(std::uint64_t(1) << shift);
  }
  return std::min(lower + (width - 1) / 2, double(max_));
}

DisplaySummary summarize(const DisplayStats& d) {
  DisplaySummary s;
  s.present_ms_p50 = d.present_us.percentile(50) / 1e3;
  s.present_ms_p99 = d.present_us.percentile(99) / 1e3;
  s.present_ms_max = double(d.present_us.max()) / 1e3;
  if (d.output_pixels > 0) {
    const double whole = double(d.output_pixels);
    s.damaged_mean = d.presented_pixels.mean() / whole;
    s.damaged_p99 = d.presented_pixels.percentile(99) / whole;
    s.damaged_max = double(d.presented_pixels.max()) / whole;
  }
  s.texture_bytes = d.texture_bytes;
  s.texture_bytes_peak = d.texture_bytes_peak;
  return s;
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
double round4(double v) {
  return std::round(v * 10000) / 10000;
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
      {"renderer", s.renderer},
      {"accelerated", s.accelerated},
      {"present_ms_p50", round3(s.display.present_ms_p50)},
      {"present_ms_p99", round3(s.display.present_ms_p99)},
      {"present_ms_max", round3(s.display.present_ms_max)},
      {"damaged_mean", round4(s.display.damaged_mean)},
      {"damaged_p99", round4(s.display.damaged_p99)},
      {"damaged_max", round4(s.display.damaged_max)},
      {"texture_bytes", s.display.texture_bytes},
      {"texture_bytes_peak", s.display.texture_bytes_peak},
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
