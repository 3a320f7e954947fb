#include "collect/os/host_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/log.h"

namespace dbinsight::collect::os {

namespace {

// Average /proc/<pid>/stat reads per Read: ~3 ms of CPU on the 2-core dev VM
// (about 10 us per process, docs/os-metrics.md).
constexpr uint64_t kProcessesPerRead = 256;
constexpr size_t kCmdlineBytes = 256;
constexpr double kSectorKb = 0.5;  // diskstats sectors are 512 bytes on every device

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("open " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Status::Internal("read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Reads and parses one /proc file; errors name the file.
template <typename T>
Result<T> Load(const std::string& path, Result<T> (*parse)(std::string_view)) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  Result<T> parsed = parse(*text);
  if (!parsed.ok()) return Status::Internal(path + ": " + parsed.status().message());
  return parsed;
}

void Emit(std::vector<model::Reading>& out, const char* name, double value) {
  out.push_back({name, value, model::MetricKind::kGauge});
}

// A cumulative counter's growth; nullopt when it went backwards (reset or
// wrap), which must not become a negative rate.
std::optional<double> Grew(uint64_t prev, uint64_t cur) {
  if (cur < prev) return std::nullopt;
  return static_cast<double>(cur - prev);
}

// /proc/stat fields may step back slightly (per-CPU iowait accounting with
// tickless idle); such a field counts as unchanged, as top(1) does.
double TickDelta(uint64_t prev, uint64_t cur) { return cur > prev ? static_cast<double>(cur - prev) : 0; }

// All CPU time; guest and guest_nice are already inside user and nice.
uint64_t TotalTicks(const CpuTimes& c) {
  return c.user + c.nice + c.system + c.idle + c.iowait + c.irq + c.softirq + c.steal;
}

void EmitCpu(const CpuTimes& a, const CpuTimes& b, std::vector<model::Reading>& out) {
  const double user = TickDelta(a.user, b.user), nice = TickDelta(a.nice, b.nice);
  // Guest time moves out of user/nice so the parts add up to 100 (mpstat's
  // %usr/%guest split); a guest delta larger than user's is sampling skew.
  const double guest = std::min(TickDelta(a.guest, b.guest), user);
  const double guest_nice = std::min(TickDelta(a.guest_nice, b.guest_nice), nice);
  const double system = TickDelta(a.system, b.system), idle = TickDelta(a.idle, b.idle);
  const double wait = TickDelta(a.iowait, b.iowait), steal = TickDelta(a.steal, b.steal);
  const double irq = TickDelta(a.irq, b.irq) + TickDelta(a.softirq, b.softirq);
  const double total = user + nice + system + idle + wait + irq + steal;
  if (total <= 0) return;  // no tick elapsed: no information
  auto pct = [total](double ticks) { return ticks * 100 / total; };
  Emit(out, "os.cpuUtilization.user", pct(user - guest));
  Emit(out, "os.cpuUtilization.nice", pct(nice - guest_nice));
  Emit(out, "os.cpuUtilization.system", pct(system));
  Emit(out, "os.cpuUtilization.wait", pct(wait));
  Emit(out, "os.cpuUtilization.irq", pct(irq));
  Emit(out, "os.cpuUtilization.steal", pct(steal));
  Emit(out, "os.cpuUtilization.guest", pct(guest + guest_nice));
  Emit(out, "os.cpuUtilization.idle", pct(idle));
  Emit(out, "os.cpuUtilization.total", 100 - pct(idle));
  Emit(out, "CPUUtilization", 100 - pct(idle));
}

void EmitMemory(const MemInfo& m, std::vector<model::Reading>& out) {
  const auto kb = [](uint64_t v) { return static_cast<double>(v); };
  Emit(out, "os.memory.total", kb(m.mem_total));
  Emit(out, "os.memory.free", kb(m.mem_free));
  Emit(out, "os.memory.cached", kb(m.cached));
  Emit(out, "os.memory.buffers", kb(m.buffers));
  Emit(out, "os.memory.active", kb(m.active));
  Emit(out, "os.memory.inactive", kb(m.inactive));
  Emit(out, "os.memory.dirty", kb(m.dirty));
  Emit(out, "os.memory.writeback", kb(m.writeback));
  Emit(out, "os.memory.slab", kb(m.slab));
  Emit(out, "os.memory.mapped", kb(m.mapped));
  Emit(out, "os.memory.pageTables", kb(m.page_tables));
  Emit(out, "os.memory.hugePagesTotal", kb(m.huge_pages_total));
  Emit(out, "os.memory.hugePagesFree", kb(m.huge_pages_free));
  Emit(out, "os.memory.hugePagesSize", kb(m.huge_page_size));
  Emit(out, "os.memory.available", kb(m.mem_available));
  Emit(out, "os.swap.total", kb(m.swap_total));
  Emit(out, "os.swap.free", kb(m.swap_free));
  Emit(out, "os.swap.cached", kb(m.swap_cached));
  Emit(out, "FreeableMemory", kb(m.mem_available) * 1024);
}

// Sum over non-loopback interfaces seen in both reads. An interface that
// appeared, vanished or was re-created (counters went back) in the interval
// is left out, so container veths coming and going do not make spikes.
void EmitNetwork(const std::vector<NetDevStats>& a, const std::vector<NetDevStats>& b, double seconds,
                 std::vector<model::Reading>& out) {
  double rx = 0, tx = 0;
  for (const NetDevStats& cur : b) {
    if (cur.name == "lo") continue;
    auto prev = std::find_if(a.begin(), a.end(), [&](const NetDevStats& p) { return p.name == cur.name; });
    if (prev == a.end()) continue;
    std::optional<double> drx = Grew(prev->rx_bytes, cur.rx_bytes), dtx = Grew(prev->tx_bytes, cur.tx_bytes);
    if (!drx || !dtx) continue;
    rx += *drx;
    tx += *dtx;
  }
  Emit(out, "os.network.rx", rx / seconds);
  Emit(out, "os.network.tx", tx / seconds);
}

// iostat -x semantics over the interval.
void EmitDisk(const DiskStats& a, const DiskStats& b, double seconds, std::vector<model::Reading>& out) {
  uint64_t DiskStats::*const kFields[] = {
      &DiskStats::reads,  &DiskStats::reads_merged,  &DiskStats::sectors_read,    &DiskStats::read_ms,
      &DiskStats::writes, &DiskStats::writes_merged, &DiskStats::sectors_written, &DiskStats::write_ms,
      &DiskStats::io_ms,  &DiskStats::weighted_io_ms};
  double d[std::size(kFields)];
  for (size_t i = 0; i < std::size(kFields); ++i) {
    std::optional<double> g = Grew(a.*kFields[i], b.*kFields[i]);
    if (!g) return;
    d[i] = *g;
  }
  const auto& [reads, rmerged, rsectors, rms, writes, wmerged, wsectors, wms, io_ms, weighted_ms] = d;
  const double ios = reads + writes;
  const auto per = [](double num, double den) { return den > 0 ? num / den : 0.0; };
  Emit(out, "os.diskIO.readIOsPS", reads / seconds);
  Emit(out, "os.diskIO.writeIOsPS", writes / seconds);
  Emit(out, "os.diskIO.readKbPS", rsectors * kSectorKb / seconds);
  Emit(out, "os.diskIO.writeKbPS", wsectors * kSectorKb / seconds);
  Emit(out, "os.diskIO.readKb", rsectors * kSectorKb);
  Emit(out, "os.diskIO.writeKb", wsectors * kSectorKb);
  Emit(out, "os.diskIO.rrqmPS", rmerged / seconds);
  Emit(out, "os.diskIO.wrqmPS", wmerged / seconds);
  Emit(out, "os.diskIO.tps", ios / seconds);
  Emit(out, "os.diskIO.await", per(rms + wms, ios));
  Emit(out, "os.diskIO.util", std::min(100.0, io_ms / (seconds * 1000) * 100));
  Emit(out, "os.diskIO.avgQueueLen", weighted_ms / (seconds * 1000));
  Emit(out, "os.diskIO.avgReqSz", per((rsectors + wsectors) * kSectorKb, ios));
  Emit(out, "ReadIOPS", reads / seconds);
  Emit(out, "WriteIOPS", writes / seconds);
  Emit(out, "ReadLatency", per(rms, reads) / 1000);
  Emit(out, "WriteLatency", per(wms, writes) / 1000);
  Emit(out, "ReadThroughput", rsectors * kSectorKb * 1024 / seconds);
  Emit(out, "WriteThroughput", wsectors * kSectorKb * 1024 / seconds);
}

void EmitFileSystem(const struct statvfs& fs, std::vector<model::Reading>& out) {
  const double frsize = static_cast<double>(fs.f_frsize);
  const double total_kb = static_cast<double>(fs.f_blocks) * frsize / 1024;
  const double used_kb = static_cast<double>(fs.f_blocks - fs.f_bfree) * frsize / 1024;
  const double avail_kb = static_cast<double>(fs.f_bavail) * frsize / 1024;
  const double used_files = static_cast<double>(fs.f_files - fs.f_ffree);
  Emit(out, "os.fileSys.total", total_kb);
  Emit(out, "os.fileSys.used", used_kb);
  // df's Use%: blocks reserved for root count neither as used nor available.
  Emit(out, "os.fileSys.usedPercent", used_kb + avail_kb > 0 ? used_kb * 100 / (used_kb + avail_kb) : 0);
  Emit(out, "os.fileSys.maxFiles", static_cast<double>(fs.f_files));
  Emit(out, "os.fileSys.usedFiles", used_files);
  // btrfs and some network file systems report no inode limit (0).
  Emit(out, "os.fileSys.usedFilePercent", fs.f_files > 0 ? used_files * 100 / static_cast<double>(fs.f_files) : 0);
  Emit(out, "FreeStorageSpace", avail_kb * 1024);
}

}  // namespace

HostMetrics::HostMetrics(std::string proc_root)
    : proc_root_(std::move(proc_root)), page_kb_(static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)) / 1024) {}

Status HostMetrics::ReadDataDirectory(const std::string& data_directory, std::optional<struct statvfs>& fs,
                                      std::optional<DiskStats>& disk) {
  std::string note;
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(data_directory.c_str(), nullptr), &std::free);
  struct statvfs st;
  if (!real || ::statvfs(real.get(), &st) != 0) {
    note = "data directory " + data_directory + " is unreadable (" + std::strerror(errno) +
           "): no os.fileSys/os.diskIO metrics";
  } else {
    fs = st;
    Result<std::string> mountinfo = ReadFile(Path("self/mountinfo"));
    if (!mountinfo.ok()) return mountinfo.status();
    Result<std::string> diskstats = ReadFile(Path("diskstats"));
    if (!diskstats.ok()) return diskstats.status();
    std::vector<MountEntry> mounts = ParseMountInfo(*mountinfo);
    std::vector<DiskStats> disks = ParseDiskStats(*diskstats);
    if (const DiskStats* d = FindDisk(mounts, disks, real.get())) disk = *d;
    const MountEntry* m = FindMount(mounts, real.get());
    note = "data directory " + std::string(real.get()) + " is on " +
           (m ? m->source + " (" + m->fs_type + ")" : std::string("no listed mount")) +
           (disk ? ", block device " + disk->name : ", not a block device in diskstats: no os.diskIO metrics");
  }
  if (note != disk_note_) {
    log::Info("os metrics: {}", note);
    disk_note_ = std::move(note);
  }
  return Status::Ok();
}

Status HostMetrics::ScanProcesses(uint64_t cpu_ticks, uint64_t mem_total_kb) {
  struct CloseDir {
    void operator()(DIR* d) const { ::closedir(d); }
  };
  std::unique_ptr<DIR, CloseDir> dir(::opendir(proc_root_.c_str()));
  if (!dir) return Status::Internal("opendir " + proc_root_ + ": " + std::strerror(errno));
  // Share of all CPUs' time since the last scan; 0 on the first scan.
  const double interval_ticks =
      scan_cpu_ticks_ && cpu_ticks > *scan_cpu_ticks_ ? static_cast<double>(cpu_ticks - *scan_cpu_ticks_) : 0;
  TaskCounts tasks;
  std::vector<ProcessInfo> processes;
  std::unordered_map<int64_t, ProcessTicks> ticks;
  processes.reserve(processes_.size());
  ticks.reserve(process_ticks_.size());
  while (const dirent* e = ::readdir(dir.get())) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    // A process may exit between readdir and read: skip it.
    Result<std::string> text = ReadFile(Path(std::string(e->d_name) + "/stat"));
    if (!text.ok()) continue;
    Result<PidStat> ps = ParsePidStat(*text);
    if (!ps.ok()) continue;
    ++tasks.total;
    switch (ps->state) {
      case 'S':
      case 'I':  // idle kernel thread; top(1) counts it as sleeping
        ++tasks.sleeping;
        break;
      case 'T':
      case 't':
        ++tasks.stopped;
        break;
      case 'Z':
        ++tasks.zombie;
        break;
      default:  // R and D are counted as threads from /proc/stat
        break;
    }
    const uint64_t used = ps->utime + ps->stime;
    // A pid not seen at the last scan started after it: all its time is new.
    uint64_t before = 0;
    if (auto it = process_ticks_.find(ps->pid); it != process_ticks_.end() && it->second.start_time == ps->start_time) {
      before = std::min(it->second.ticks, used);
    }
    ticks.emplace(ps->pid, ProcessTicks{ps->start_time, used});
    ProcessInfo info;
    info.pid = ps->pid;
    info.name = std::move(ps->comm);
    info.cpu_percent =
        interval_ticks > 0 ? std::min(100.0, static_cast<double>(used - before) * 100 / interval_ticks) : 0;
    info.rss_kb = ps->rss_pages * page_kb_;
    info.vss_kb = ps->vsize / 1024;
    info.mem_percent =
        mem_total_kb > 0 ? static_cast<double>(info.rss_kb) * 100 / static_cast<double>(mem_total_kb) : 0;
    processes.push_back(std::move(info));
  }
  tasks_ = tasks;
  processes_ = std::move(processes);
  process_ticks_ = std::move(ticks);
  scan_cpu_ticks_ = cpu_ticks;
  return Status::Ok();
}

Result<model::Readings> HostMetrics::Read(WallTime now, const std::string& data_directory) {
  Result<ProcStat> stat = Load(Path("stat"), &ParseProcStat);
  if (!stat.ok()) return stat.status();
  Result<LoadAvg> load = Load(Path("loadavg"), &ParseLoadAvg);
  if (!load.ok()) return load.status();
  Result<MemInfo> mem = Load(Path("meminfo"), &ParseMemInfo);
  if (!mem.ok()) return mem.status();
  Result<VmStat> vm = Load(Path("vmstat"), &ParseVmStat);
  if (!vm.ok()) return vm.status();
  Result<std::string> netdev = ReadFile(Path("net/dev"));
  if (!netdev.ok()) return netdev.status();
  std::optional<struct statvfs> fs;
  std::optional<DiskStats> disk;
  if (!data_directory.empty()) DBI_RETURN_IF_ERROR(ReadDataDirectory(data_directory, fs, disk));
  const bool scan = reads_until_scan_ == 0;
  if (scan) {
    DBI_RETURN_IF_ERROR(ScanProcesses(TotalTicks(stat->cpu), mem->mem_total));
    reads_until_scan_ = std::max<uint64_t>(1, (tasks_.total + kProcessesPerRead - 1) / kProcessesPerRead);
  }
  --reads_until_scan_;

  Counters cur{now, stat->cpu, *vm, ParseNetDev(*netdev), std::move(disk)};
  model::Readings out;
  out.time = now;
  std::vector<model::Reading>& v = out.values;
  const double seconds = prev_ ? std::chrono::duration<double>(now - prev_->time).count() : 0;
  const bool rates = prev_ && seconds > 0;

  if (rates) EmitCpu(prev_->cpu, cur.cpu, v);
  Emit(v, "os.loadAverageMinute.one", load->one);
  Emit(v, "os.loadAverageMinute.five", load->five);
  Emit(v, "os.loadAverageMinute.fifteen", load->fifteen);
  EmitMemory(*mem, v);
  if (rates) {
    std::optional<double> in = Grew(prev_->vm.pswpin, cur.vm.pswpin),
                          out_pages = Grew(prev_->vm.pswpout, cur.vm.pswpout);
    if (in && out_pages) {
      Emit(v, "os.swap.in", *in * static_cast<double>(page_kb_) / seconds);
      Emit(v, "os.swap.out", *out_pages * static_cast<double>(page_kb_) / seconds);
    }
  }
  Emit(v, "os.tasks.running", static_cast<double>(stat->procs_running));
  Emit(v, "os.tasks.blocked", static_cast<double>(stat->procs_blocked));
  if (scan) {
    Emit(v, "os.tasks.sleeping", static_cast<double>(tasks_.sleeping));
    Emit(v, "os.tasks.stopped", static_cast<double>(tasks_.stopped));
    Emit(v, "os.tasks.zombie", static_cast<double>(tasks_.zombie));
    Emit(v, "os.tasks.total", static_cast<double>(tasks_.total));
  }
  if (rates) EmitNetwork(prev_->net, cur.net, seconds, v);
  if (rates && prev_->disk && cur.disk && prev_->disk->name == cur.disk->name) {
    EmitDisk(*prev_->disk, *cur.disk, seconds, v);
  }
  if (fs) EmitFileSystem(*fs, v);
  prev_ = std::move(cur);
  return out;
}

std::vector<ProcessInfo> HostMetrics::TopProcesses(size_t n) {
  std::vector<ProcessInfo> top = processes_;
  n = std::min(n, top.size());
  std::partial_sort(top.begin(), top.begin() + static_cast<ptrdiff_t>(n), top.end(),
                    [](const ProcessInfo& a, const ProcessInfo& b) {
                      return a.cpu_percent != b.cpu_percent ? a.cpu_percent > b.cpu_percent : a.rss_kb > b.rss_kb;
                    });
  top.resize(n);
  for (ProcessInfo& p : top) {
    Result<std::string> raw = ReadFile(Path(std::to_string(p.pid) + "/cmdline"));
    if (!raw.ok()) continue;
    p.cmdline = FormatCmdline(*raw, kCmdlineBytes);
    // Kernel threads and zombies have no arguments; ps(1) shows [name].
    if (p.cmdline.empty()) p.cmdline = "[" + p.name + "]";
  }
  return top;
}

}  // namespace dbinsight::collect::os
