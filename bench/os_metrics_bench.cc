// Cost of one HostMetrics::Read() on this host (plain driver): wall and CPU
// time per call over many calls one injected second apart, with and without a
// data directory (mountinfo, diskstats, statvfs). Reads that scan every
// /proc/<pid>/stat and those that do not differ a lot on hosts with many
// processes, so the median and the maximum are shown beside the mean. Usage:
//   os_metrics_bench [DATA_DIR=.] [CALLS=2000]
// Start extra processes first to see the scan policy at work, e.g.
//   for i in $(seq 1000); do sleep 600 & done
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "collect/os/host_metrics.h"

using namespace dbinsight;  // NOLINT: a benchmark driver

namespace {

using Wall = std::chrono::steady_clock;  // timing the benchmark itself, not product code

double CpuMicros() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

void Report(const char* label, const char* what, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  std::printf("%-22s %-4s mean %7.1f us  median %7.1f us  max %8.1f us\n", label, what,
              std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size()), us[us.size() / 2],
              us.back());
}

void Measure(const char* label, const std::string& data_dir, int calls) {
  collect::os::HostMetrics m;
  WallTime t = FromEpochSeconds(1.8e9);
  std::vector<double> wall, cpu;
  for (int i = 0; i < calls; ++i) {
    t += std::chrono::seconds(1);
    const auto w0 = Wall::now();
    const double c0 = CpuMicros();
    Result<model::Readings> r = m.Read(t, data_dir);
    cpu.push_back(CpuMicros() - c0);
    wall.push_back(std::chrono::duration<double, std::micro>(Wall::now() - w0).count());
    if (!r.ok()) {
      std::fprintf(stderr, "Read: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
  }
  std::printf("%s: %zu processes\n", label, m.TopProcesses(1 << 30).size());
  Report(label, "cpu", cpu);
  Report(label, "wall", wall);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data_dir = argc > 1 ? argv[1] : ".";
  const int calls = argc > 2 ? std::atoi(argv[2]) : 2000;
  Measure("with data directory", data_dir, calls);
  Measure("no data directory", "", calls);
}
