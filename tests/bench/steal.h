// Steal time for the benchmarks: what the hypervisor says it took from this machine's CPUs.
#pragma once

#include <unistd.h>

#include <fstream>
#include <string>

namespace signage::bench {

// The steal column of the cpu line of /proc/stat (all CPUs), in ms; -1 when unknown. Some
// hypervisors report none: then time a vCPU is away while a thread runs is counted as that
// thread's CPU time.
inline double steal_ms() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double v[8] = {};
  if (!(in >> cpu) || cpu != "cpu") return -1;
  for (double& x : v) in >> x;
  return in ? v[7] * 1000.0 / double(sysconf(_SC_CLK_TCK)) : -1;
}

}  // namespace signage::bench
