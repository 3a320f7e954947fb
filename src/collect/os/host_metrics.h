// HostMetrics: the Enhanced Monitoring OS metrics (os.*) and the CloudWatch
// AWS/RDS instance metrics that come from the host (CPUUtilization, ReadIOPS,
// ReadLatency, FreeableMemory, FreeStorageSpace, ...), read from /proc and
// statvfs(3) on the host where the monitored database runs. Names, sources
// and formulas: docs/os-metrics.md; catalog: model/metric_catalog_os.cc and
// metric_catalog_instance.cc.
// One per monitored instance: it keeps the previous raw counters, so values
// come out already computed (percentages, per-second rates) and are all
// model::MetricKind::kGauge. Not thread-safe: the instance's poller thread
// alone calls it.
#pragma once

#include <sys/statvfs.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/os/procfs.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/metric.h"

namespace dbinsight::collect::os {

// One process as Enhanced Monitoring's process list shows it.
struct ProcessInfo {
  int64_t pid = 0;
  std::string name;        // comm, at most 15 bytes
  std::string cmdline;     // arguments joined by spaces, cut to 256 bytes; "[name]" for kernel threads
  double cpu_percent = 0;  // share of the whole host's CPU time (all CPUs) between the last two scans
  uint64_t rss_kb = 0;
  uint64_t vss_kb = 0;
  double mem_percent = 0;  // rss_kb / MemTotal
};

class HostMetrics {
 public:
  // proc_root: where /proc is mounted; tests pass a directory of captured
  // files laid out like /proc (stat, net/dev, self/mountinfo, <pid>/stat...).
  explicit HostMetrics(std::string proc_root = "/proc");

  // Reads the host once. Rates and percentages are over [previous Read, now]
  // (now is injected, C6), so the first call returns only the instantaneous
  // gauges (memory, load, tasks, file system). A counter that went backwards
  // (device re-created, 32-bit wrap) yields no rate for that interval rather
  // than a negative one; CPU fields that step back are taken as unchanged.
  // data_directory: the database's data directory; its file system gives
  // os.fileSys.* and FreeStorageSpace, its block device os.diskIO.* and the
  // CloudWatch I/O metrics. Empty or unreadable: those are skipped, no error;
  // not on a block device (overlay, tmpfs): no disk metrics.
  // Internal naming the file when a /proc file is missing or unparsable.
  Result<model::Readings> Read(WallTime now, const std::string& data_directory);

  // The n busiest processes as of the last process scan (by CPU share, then
  // RSS). Reads the command lines of those n now; a process gone since keeps
  // an empty one. Processes are scanned on the first Read and then every
  // ceil(processes / 256) Reads, which bounds the cost to ~256 /proc/<pid>/stat
  // reads per Read on average (docs/os-metrics.md has the measured cost).
  std::vector<ProcessInfo> TopProcesses(size_t n);

 private:
  // The cumulative counters of one Read, for the next one's deltas.
  struct Counters {
    WallTime time;
    CpuTimes cpu;
    VmStat vm;
    std::vector<NetDevStats> net;
    std::optional<DiskStats> disk;  // of the data directory's device
  };
  struct TaskCounts {
    uint64_t sleeping = 0;
    uint64_t stopped = 0;
    uint64_t zombie = 0;
    uint64_t total = 0;
  };
  struct ProcessTicks {
    uint64_t start_time = 0;
    uint64_t ticks = 0;  // utime + stime
  };

  std::string Path(const std::string& rel) const { return proc_root_ + "/" + rel; }
  // The data directory's statvfs and diskstats entry; each nullopt when not
  // available (see Read).
  Status ReadDataDirectory(const std::string& data_directory, std::optional<struct statvfs>& fs,
                           std::optional<DiskStats>& disk);
  // Reads every /proc/<pid>/stat: task counts and per-process CPU shares.
  Status ScanProcesses(uint64_t cpu_ticks, uint64_t mem_total_kb);

  const std::string proc_root_;
  const uint64_t page_kb_;
  std::optional<Counters> prev_;
  std::string disk_note_;  // last logged data-directory device state

  TaskCounts tasks_;
  std::vector<ProcessInfo> processes_;  // last scan, cmdline not filled
  std::unordered_map<int64_t, ProcessTicks> process_ticks_;
  std::optional<uint64_t> scan_cpu_ticks_;  // host CPU ticks at the last scan
  uint64_t reads_until_scan_ = 0;
};

}  // namespace dbinsight::collect::os
