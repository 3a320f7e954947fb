// Pure parsers of the Linux /proc files HostMetrics reads: file text in,
// plain structs out; no file I/O here, so every format quirk is tested from
// captured text (testdata/). Counters are as the kernel reports them
// (cumulative since boot); rates are HostMetrics' job. Stateless free
// functions, safe from any thread. Formats: proc(5), Documentation/
// filesystems/proc.rst and Documentation/admin-guide/iostats.rst.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::collect::os {

// The aggregate "cpu" line of /proc/stat: USER_HZ ticks summed over all CPUs.
// The kernel counts guest time twice: user includes guest and nice includes
// guest_nice.
struct CpuTimes {
  uint64_t user = 0;
  uint64_t nice = 0;
  uint64_t system = 0;
  uint64_t idle = 0;
  uint64_t iowait = 0;
  uint64_t irq = 0;
  uint64_t softirq = 0;
  uint64_t steal = 0;
  uint64_t guest = 0;
  uint64_t guest_nice = 0;
};

struct ProcStat {
  CpuTimes cpu;
  int cpu_count = 0;           // cpuN lines (online CPUs)
  uint64_t procs_running = 0;  // runnable threads now (vmstat "r")
  uint64_t procs_blocked = 0;  // threads in uninterruptible I/O wait (vmstat "b")
};

// Internal when the cpu line or procs_running/procs_blocked is missing.
Result<ProcStat> ParseProcStat(std::string_view text);

struct LoadAvg {
  double one = 0;
  double five = 0;
  double fifteen = 0;
};
Result<LoadAvg> ParseLoadAvg(std::string_view text);

// /proc/meminfo, in kB except the HugePages_* page counts. Lines not listed
// here are ignored; absent ones stay 0.
struct MemInfo {
  uint64_t mem_total = 0;
  uint64_t mem_free = 0;
  // Kernel's estimate of memory usable without swapping (Linux >= 3.14);
  // older kernels get MemFree + Buffers + Cached.
  uint64_t mem_available = 0;
  uint64_t buffers = 0;
  uint64_t cached = 0;
  uint64_t swap_cached = 0;
  uint64_t active = 0;
  uint64_t inactive = 0;
  uint64_t swap_total = 0;
  uint64_t swap_free = 0;
  uint64_t dirty = 0;
  uint64_t writeback = 0;
  uint64_t mapped = 0;
  uint64_t slab = 0;
  uint64_t page_tables = 0;
  uint64_t huge_pages_total = 0;  // pages
  uint64_t huge_pages_free = 0;   // pages
  uint64_t huge_page_size = 0;    // kB per huge page
};
// Internal when MemTotal is missing.
Result<MemInfo> ParseMemInfo(std::string_view text);

// Swap traffic from /proc/vmstat, in pages since boot.
struct VmStat {
  uint64_t pswpin = 0;
  uint64_t pswpout = 0;
};
// Internal when pswpin or pswpout is missing (the kernel always has them,
// even without swap).
Result<VmStat> ParseVmStat(std::string_view text);

struct DeviceId {
  uint32_t major = 0;
  uint32_t minor = 0;
  bool operator==(const DeviceId&) const = default;
};

// One /proc/diskstats line (the first 11 counters; kernels >= 4.18 append
// discard and flush counters, which are not used). Sectors are always 512
// bytes; times are milliseconds.
struct DiskStats {
  DeviceId device;
  std::string name;  // "vda", "sda1", "nvme0n1p2", "dm-0", "loop3"
  uint64_t reads = 0;
  uint64_t reads_merged = 0;
  uint64_t sectors_read = 0;
  uint64_t read_ms = 0;
  uint64_t writes = 0;
  uint64_t writes_merged = 0;
  uint64_t sectors_written = 0;
  uint64_t write_ms = 0;
  uint64_t in_flight = 0;
  uint64_t io_ms = 0;           // time the device had I/O in flight
  uint64_t weighted_io_ms = 0;  // sum over requests of their time in flight
};
// Lines with fewer than 14 fields are skipped.
std::vector<DiskStats> ParseDiskStats(std::string_view text);

struct NetDevStats {
  std::string name;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
};
// /proc/net/dev: the two header lines and malformed lines are skipped.
std::vector<NetDevStats> ParseNetDev(std::string_view text);

// One /proc/self/mountinfo line.
struct MountEntry {
  DeviceId device;          // st_dev of files on this mount
  std::string mount_point;  // octal escapes (\040 for a space) decoded
  std::string fs_type;      // "ext4", "xfs", "overlay", "tmpfs", ...
  std::string source;       // "/dev/vda", "overlay", "tmpfs", ...
};
// Malformed lines are skipped.
std::vector<MountEntry> ParseMountInfo(std::string_view text);

// The mount holding `path` (an absolute path without symlinks: a realpath):
// the longest mount point that is `path` or a directory above it; among equal
// mount points the last, since a later mount hides an earlier one. nullptr
// when none matches (mounts empty).
const MountEntry* FindMount(std::span<const MountEntry> mounts, std::string_view path);

// The diskstats entry of the block device holding `path`: the entry whose
// major:minor is the mount's (a partition, a device-mapper or loop device
// each has its own entry), else, for file systems that report an anonymous
// device (btrfs), the entry named like the mount source "/dev/<name>".
// nullptr when nothing matches: overlay, tmpfs, NFS, a container's root.
const DiskStats* FindDisk(std::span<const MountEntry> mounts, std::span<const DiskStats> disks, std::string_view path);

// The fields of /proc/[pid]/stat HostMetrics uses.
struct PidStat {
  int64_t pid = 0;
  std::string comm;         // may contain spaces and parentheses
  char state = '?';         // R S D I T t Z X ...
  uint64_t utime = 0;       // USER_HZ ticks
  uint64_t stime = 0;       // USER_HZ ticks
  uint64_t start_time = 0;  // ticks after boot; tells a reused pid apart
  uint64_t vsize = 0;       // bytes
  uint64_t rss_pages = 0;
};
// Internal when the line is truncated or malformed.
Result<PidStat> ParsePidStat(std::string_view text);

// /proc/[pid]/cmdline (arguments separated by NUL) as one line with spaces,
// cut to at most max_bytes.
std::string FormatCmdline(std::string_view raw, size_t max_bytes);

}  // namespace dbinsight::collect::os
