// vcpu_gaps: how often this machine's hypervisor takes the CPU away from a running thread and
// charges the thread for it (asserts nothing).
//
// One thread copies through a buffer 64 KB at a time, like a frame repainting the screen, and
// reads CLOCK_MONOTONIC and its own CLOCK_THREAD_CPUTIME_ID between copies (a few microseconds
// apart). A jump of the wall clock over 0.5 ms is either the guest's scheduler running something
// else (the thread's CPU time does not advance) or the virtual CPU not running at all while the
// guest believes the thread ran: then the thread's CPU time advances by the whole jump. A guest
// that gets steal time from its hypervisor subtracts it; one that gets none cannot (the steal
// column of /proc/stat stays 0). player_bench's per-frame CPU times include such jumps.
//
//   vcpu_gaps [--seconds=20] [--touch_mb=16] [--partner_thread] [--list]
//
// --partner_thread adds a thread in the same process that maps, fills and unmaps 4 MB every
// 2 ms (page-table changes in the copying thread's address space). --list prints each charged
// jump with its time since the start, to see whether they come periodically.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "steal.h"

namespace {

using signage::bench::steal_ms;

long long now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

struct Gaps {
  long long charged = 0, charged_ns = 0, longest_ns = 0, over_1ms = 0, over_2ms = 0;
  long long switched_out = 0;  // the guest ran something else: not charged to the thread
};

Gaps spin(double seconds, std::size_t touch_bytes, bool list) {
  constexpr std::size_t kChunk = 64 * 1024;
  touch_bytes = std::max(touch_bytes / kChunk, std::size_t(1)) * kChunk;
  std::vector<unsigned char> a(touch_bytes, 1), b(touch_bytes, 2);
  Gaps g;
  const long long start = now_ns(CLOCK_MONOTONIC);
  const long long end = start + (long long)(seconds * 1e9);
  long long wall = now_ns(CLOCK_MONOTONIC), cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
  std::size_t offset = 0;
  while (wall < end) {
    std::memcpy(b.data() + offset, a.data() + offset, kChunk);
    offset = (offset + kChunk) % touch_bytes;
    const long long wall2 = now_ns(CLOCK_MONOTONIC), cpu2 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    const long long dw = wall2 - wall, dc = cpu2 - cpu;
    if (dw > 500'000) {
      if (dc > dw / 2) {
        ++g.charged;
        g.charged_ns += dc;
        g.longest_ns = std::max(g.longest_ns, dc);
        g.over_1ms += dc > 1'000'000;
        g.over_2ms += dc > 2'000'000;
        if (list) std::printf("%.3f s: %.3f ms\n", double(wall - start) / 1e9, double(dc) / 1e6);
      } else {
        ++g.switched_out;
      }
    }
    wall = wall2;
    cpu = cpu2;
  }
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 20, touch_mb = 16;
  bool partner = false, list = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--seconds=", 0) == 0) seconds = std::atof(a.c_str() + 10);
    if (a.rfind("--touch_mb=", 0) == 0) touch_mb = std::atof(a.c_str() + 11);
    if (a == "--partner_thread") partner = true;
    if (a == "--list") list = true;
  }
  std::atomic<bool> stop{false};
  std::thread churn;
  if (partner) {
    churn = std::thread([&] {
      constexpr std::size_t kBytes = 4 << 20;
      while (!stop) {
        void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
          std::memset(p, 1, kBytes);
          munmap(p, kBytes);
        }
        usleep(2000);
      }
    });
  }
  const double steal_before = steal_ms();
  const Gaps g = spin(seconds, std::size_t(touch_mb * 1024 * 1024), list);
  const double steal_after = steal_ms();
  stop = true;
  if (churn.joinable()) churn.join();
  std::printf(
      "vcpu_gaps: %.0f s copying through %.0f MB%s: %lld wall-clock jumps over 0.5 ms charged to "
      "the thread as CPU time, %.1f ms in all, longest %.3f ms, %lld over 1 ms, %lld over 2 ms; "
      "%lld with the thread switched out; steal reported by the hypervisor meanwhile: %.0f ms\n",
      seconds, touch_mb, partner ? ", a thread mapping and unmapping 4 MB every 2 ms" : "",
      g.charged, double(g.charged_ns) / 1e6, double(g.longest_ns) / 1e6, g.over_1ms, g.over_2ms,
      g.switched_out, steal_before >= 0 && steal_after >= 0 ? steal_after - steal_before : -1.0);
  return 0;
}
