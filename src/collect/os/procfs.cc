#include "collect/os/procfs.h"

#include <charconv>

namespace dbinsight::collect::os {

namespace {

// Calls f(line) for each line without its '\n'.
template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    f(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "major:minor"
bool ParseDeviceId(std::string_view s, DeviceId& out) {
  size_t colon = s.find(':');
  return colon != std::string_view::npos && ParseNumber(s.substr(0, colon), out.major) &&
         ParseNumber(s.substr(colon + 1), out.minor);
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
std::string DecodeOctalEscapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool octal = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        octal = octal && c >= '0' && c <= '7';
        v = v * 8 + (c - '0');
      }
      if (octal) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view text) {
  ProcStat out;
  bool have_cpu = false, have_running = false, have_blocked = false;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) return;
    if (f[0] == "cpu") {
      // Older kernels print fewer columns (steal since 2.6.11, guest since
      // 2.6.24, guest_nice since 2.6.33); missing ones stay 0.
      uint64_t* dst[] = {&out.cpu.user, &out.cpu.nice,    &out.cpu.system, &out.cpu.idle,  &out.cpu.iowait,
                         &out.cpu.irq,  &out.cpu.softirq, &out.cpu.steal,  &out.cpu.guest, &out.cpu.guest_nice};
      have_cpu = f.size() >= 5;
      for (size_t i = 1; i < f.size() && i <= std::size(dst); ++i)
        have_cpu = have_cpu && ParseNumber(f[i], *dst[i - 1]);
    } else if (f[0].starts_with("cpu")) {
      ++out.cpu_count;
    } else if (f[0] == "procs_running" && f.size() == 2) {
      have_running = ParseNumber(f[1], out.procs_running);
    } else if (f[0] == "procs_blocked" && f.size() == 2) {
      have_blocked = ParseNumber(f[1], out.procs_blocked);
    }
  });
  if (!have_cpu) return Status::Internal("no valid aggregate cpu line");
  if (!have_running || !have_blocked) return Status::Internal("no procs_running/procs_blocked line");
  return out;
}

Result<LoadAvg> ParseLoadAvg(std::string_view text) {
  std::vector<std::string_view> f = Fields(text.substr(0, text.find('\n')));
  LoadAvg out;
  if (f.size() < 3 || !ParseNumber(f[0], out.one) || !ParseNumber(f[1], out.five) || !ParseNumber(f[2], out.fifteen)) {
    return Status::Internal("expected three load averages");
  }
  return out;
}

Result<MemInfo> ParseMemInfo(std::string_view text) {
  struct Field {
    std::string_view key;
    uint64_t MemInfo::*member;
  };
  static constexpr Field kFields[] = {
      {"MemTotal:", &MemInfo::mem_total},
      {"MemFree:", &MemInfo::mem_free},
      {"MemAvailable:", &MemInfo::mem_available},
      {"Buffers:", &MemInfo::buffers},
      {"Cached:", &MemInfo::cached},
      {"SwapCached:", &MemInfo::swap_cached},
      {"Active:", &MemInfo::active},
      {"Inactive:", &MemInfo::inactive},
      {"SwapTotal:", &MemInfo::swap_total},
      {"SwapFree:", &MemInfo::swap_free},
      {"Dirty:", &MemInfo::dirty},
      {"Writeback:", &MemInfo::writeback},
      {"Mapped:", &MemInfo::mapped},
      {"Slab:", &MemInfo::slab},
      {"PageTables:", &MemInfo::page_tables},
      {"HugePages_Total:", &MemInfo::huge_pages_total},
      {"HugePages_Free:", &MemInfo::huge_pages_free},
      {"Hugepagesize:", &MemInfo::huge_page_size},
  };
  MemInfo out;
  bool have_total = false, have_available = false;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 2) return;
    for (const Field& field : kFields) {
      if (f[0] != field.key) continue;
      if (!ParseNumber(f[1], out.*field.member)) return;
      have_total = have_total || field.member == &MemInfo::mem_total;
      have_available = have_available || field.member == &MemInfo::mem_available;
      return;
    }
  });
  if (!have_total) return Status::Internal("no MemTotal line");
  if (!have_available) out.mem_available = out.mem_free + out.buffers + out.cached;
  return out;
}

Result<VmStat> ParseVmStat(std::string_view text) {
  VmStat out;
  bool have_in = false, have_out = false;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.size() != 2) return;
    if (f[0] == "pswpin") have_in = ParseNumber(f[1], out.pswpin);
    if (f[0] == "pswpout") have_out = ParseNumber(f[1], out.pswpout);
  });
  if (!have_in || !have_out) return Status::Internal("no pswpin/pswpout line");
  return out;
}

std::vector<DiskStats> ParseDiskStats(std::string_view text) {
  std::vector<DiskStats> out;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 14) return;
    DiskStats d;
    d.name = std::string(f[2]);
    uint64_t* dst[] = {&d.reads,     &d.reads_merged,  &d.sectors_read,    &d.read_ms,
                       &d.writes,    &d.writes_merged, &d.sectors_written, &d.write_ms,
                       &d.in_flight, &d.io_ms,         &d.weighted_io_ms};
    bool ok = ParseNumber(f[0], d.device.major) && ParseNumber(f[1], d.device.minor);
    for (size_t i = 0; i < std::size(dst); ++i) ok = ok && ParseNumber(f[3 + i], *dst[i]);
    if (ok) out.push_back(std::move(d));
  });
  return out;
}

std::vector<NetDevStats> ParseNetDev(std::string_view text) {
  std::vector<NetDevStats> out;
  ForEachLine(text, [&](std::string_view line) {
    // "  eth0: 44215074 1144 0 0 0 0 0 0 56154 670 ...": 8 receive columns,
    // then transmit. Large counters may touch the colon ("eth0:123").
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;  // header lines
    std::vector<std::string_view> name = Fields(line.substr(0, colon));
    std::vector<std::string_view> f = Fields(line.substr(colon + 1));
    NetDevStats d;
    if (name.size() != 1 || f.size() < 9 || !ParseNumber(f[0], d.rx_bytes) || !ParseNumber(f[8], d.tx_bytes)) return;
    d.name = std::string(name[0]);
    out.push_back(std::move(d));
  });
  return out;
}

std::vector<MountEntry> ParseMountInfo(std::string_view text) {
  std::vector<MountEntry> out;
  ForEachLine(text, [&](std::string_view line) {
    // id parent major:minor root mount_point options [optional...] - fstype source superopts
    std::vector<std::string_view> f = Fields(line);
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    MountEntry m;
    if (dash + 2 >= f.size() || !ParseDeviceId(f[2], m.device)) return;
    m.mount_point = DecodeOctalEscapes(f[4]);
    m.fs_type = std::string(f[dash + 1]);
    m.source = DecodeOctalEscapes(f[dash + 2]);
    out.push_back(std::move(m));
  });
  return out;
}

const MountEntry* FindMount(std::span<const MountEntry> mounts, std::string_view path) {
  const MountEntry* best = nullptr;
  for (const MountEntry& m : mounts) {
    std::string_view mp = m.mount_point;
    bool holds = mp == "/" || path == mp || (path.starts_with(mp) && path.size() > mp.size() && path[mp.size()] == '/');
    if (holds && (!best || mp.size() >= best->mount_point.size())) best = &m;
  }
  return best;
}

const DiskStats* FindDisk(std::span<const MountEntry> mounts, std::span<const DiskStats> disks, std::string_view path) {
  const MountEntry* mount = FindMount(mounts, path);
  if (!mount) return nullptr;
  for (const DiskStats& d : disks) {
    if (d.device == mount->device) return &d;
  }
  // btrfs (and other multi-device file systems) report an anonymous 0:N
  // device; their source still names the block device.
  constexpr std::string_view kDev = "/dev/";
  std::string_view source = mount->source;
  if (!source.starts_with(kDev)) return nullptr;
  source.remove_prefix(kDev.size());
  for (const DiskStats& d : disks) {
    if (d.name == source) return &d;
  }
  return nullptr;
}

Result<PidStat> ParsePidStat(std::string_view text) {
  // "pid (comm) state ppid ...": comm may hold spaces and ')', so it ends at
  // the last ')'.
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Status::Internal("no (comm) field");
  }
  PidStat out;
  std::vector<std::string_view> head = Fields(text.substr(0, open));
  if (head.size() != 1 || !ParseNumber(head[0], out.pid)) return Status::Internal("no pid field");
  out.comm = std::string(text.substr(open + 1, close - open - 1));
  std::vector<std::string_view> f = Fields(text.substr(close + 1, text.find('\n', close) - close - 1));
  // f[i] is field i + 3 of proc(5): state 3, utime 14, stime 15, starttime 22,
  // vsize 23, rss 24.
  if (f.size() < 22 || f[0].size() != 1 || !ParseNumber(f[11], out.utime) || !ParseNumber(f[12], out.stime) ||
      !ParseNumber(f[19], out.start_time) || !ParseNumber(f[20], out.vsize) || !ParseNumber(f[21], out.rss_pages)) {
    return Status::Internal("malformed or truncated stat line");
  }
  out.state = f[0][0];
  return out;
}

std::string FormatCmdline(std::string_view raw, size_t max_bytes) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  if (raw.size() > max_bytes) {
    size_t cut = max_bytes;
    // Never split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;
    raw = raw.substr(0, cut);
  }
  std::string out(raw);
  for (char& c : out) {
    if (c == '\0') c = ' ';
  }
  return out;
}

}  // namespace dbinsight::collect::os
