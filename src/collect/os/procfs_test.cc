#include "collect/os/procfs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dbinsight::collect::os {
namespace {

// testdata/capture1, capture2: /proc files captured on the dev VM one second
// apart; testdata/mounts: hand-made mount tables (README.md there).
const std::filesystem::path kTestdata = OS_TESTDATA_DIR;

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in) << p;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ProcStat, CapturedFile) {
  Result<ProcStat> s = ParseProcStat(Slurp(kTestdata / "capture1/stat"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->cpu.user, 811654u);
  EXPECT_EQ(s->cpu.system, 150332u);
  EXPECT_EQ(s->cpu.idle, 507505u);
  EXPECT_EQ(s->cpu.iowait, 19258u);
  EXPECT_EQ(s->cpu.softirq, 1365u);
  EXPECT_EQ(s->cpu.steal, 6961u);
  EXPECT_EQ(s->cpu_count, 2);
  EXPECT_EQ(s->procs_running, 4u);
  EXPECT_EQ(s->procs_blocked, 0u);
}

TEST(ProcStat, OldKernelWithoutGuestColumns) {
  Result<ProcStat> s =
      ParseProcStat("cpu  10 1 5 100 2 0 3 4\ncpu0 10 1 5 100 2 0 3 4\nprocs_running 2\nprocs_blocked 1\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->cpu.steal, 4u);
  EXPECT_EQ(s->cpu.guest, 0u);
  EXPECT_EQ(s->procs_blocked, 1u);
}

TEST(ProcStat, MissingLinesAreErrors) {
  EXPECT_FALSE(ParseProcStat("").ok());
  EXPECT_FALSE(ParseProcStat("cpu 1 2 3 4 5\n").ok());
  EXPECT_FALSE(ParseProcStat("cpu 1 x 3 4 5\nprocs_running 1\nprocs_blocked 0\n").ok());
}

TEST(LoadAvg, Parses) {
  Result<LoadAvg> l = ParseLoadAvg("0.07 0.86 1.30 1/90 27398\n");
  ASSERT_TRUE(l.ok());
  EXPECT_DOUBLE_EQ(l->one, 0.07);
  EXPECT_DOUBLE_EQ(l->five, 0.86);
  EXPECT_DOUBLE_EQ(l->fifteen, 1.30);
  EXPECT_FALSE(ParseLoadAvg("0.07 0.86\n").ok());
}

TEST(MemInfo, CapturedFile) {
  Result<MemInfo> m = ParseMemInfo(Slurp(kTestdata / "capture1/meminfo"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->mem_total, 24684096u);
  EXPECT_GT(m->mem_available, m->mem_free);
  EXPECT_EQ(m->huge_page_size, 2048u);
  EXPECT_EQ(m->huge_pages_total, 0u);
  // "Active(anon):" must not be taken for "Active:".
  EXPECT_GT(m->active, 0u);
}

TEST(MemInfo, WithoutMemAvailableEstimatesIt) {
  Result<MemInfo> m = ParseMemInfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->mem_available, 420u);
  EXPECT_FALSE(ParseMemInfo("MemFree: 100 kB\n").ok());
}

TEST(VmStat, Parses) {
  Result<VmStat> v = ParseVmStat("pgpgin 1\npswpin 12\npswpout 34\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->pswpin, 12u);
  EXPECT_EQ(v->pswpout, 34u);
  EXPECT_FALSE(ParseVmStat("pgpgin 1\n").ok());
}

TEST(DiskStats, CapturedAndOldFormats) {
  std::vector<DiskStats> d = ParseDiskStats(Slurp(kTestdata / "capture1/diskstats"));
  ASSERT_EQ(d.size(), 10u);  // loop0-7, vda, zram0
  const DiskStats& vda = d[8];
  EXPECT_EQ(vda.name, "vda");
  EXPECT_EQ(vda.device, (DeviceId{254, 0}));
  EXPECT_EQ(vda.reads, 341375u);
  EXPECT_EQ(vda.sectors_written, 170187920u);
  EXPECT_EQ(vda.weighted_io_ms, 6815669u);
  // 11-counter lines (kernels before 4.18) parse; shorter ones are skipped.
  d = ParseDiskStats("   8      16 sdb 80 0 2300 40 10 0 80 20 0 60 60\n   8 17 sdb1 1 2 3\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].io_ms, 60u);
}

TEST(NetDev, CapturedFileAndTouchingColon) {
  std::vector<NetDevStats> n = ParseNetDev(Slurp(kTestdata / "capture1/net/dev"));
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(n[0].name, "lo");
  EXPECT_EQ(n[3].name, "eth0");
  EXPECT_GT(n[3].rx_bytes, 0u);
  n = ParseNetDev("eth1:123456789012 5 0 0 0 0 0 0 987 4 0 0 0 0 0 0\n");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].rx_bytes, 123456789012u);
  EXPECT_EQ(n[0].tx_bytes, 987u);
}

TEST(MountInfo, EscapesAndOptionalFields) {
  std::vector<MountEntry> m = ParseMountInfo(Slurp(kTestdata / "mounts/lvm.mountinfo"));
  ASSERT_EQ(m.size(), 7u);
  EXPECT_EQ(m[0].device, (DeviceId{253, 0}));
  EXPECT_EQ(m[0].fs_type, "ext4");
  EXPECT_EQ(m[0].source, "/dev/mapper/vg0-root");
  EXPECT_EQ(m[5].mount_point, "/mnt/my disk");
}

std::string DiskOf(const std::string& fixture, std::string_view path) {
  std::vector<MountEntry> mounts = ParseMountInfo(Slurp(kTestdata / "mounts" / (fixture + ".mountinfo")));
  std::vector<DiskStats> disks = ParseDiskStats(Slurp(kTestdata / "mounts" / (fixture + ".diskstats")));
  const DiskStats* d = FindDisk(mounts, disks, path);
  return d ? d->name : "(none)";
}

TEST(FindDisk, DeviceMapperPartitionsLoopAndShadowedMounts) {
  EXPECT_EQ(DiskOf("lvm", "/home/me"), "dm-0");
  EXPECT_EQ(DiskOf("lvm", "/"), "dm-0");
  EXPECT_EQ(DiskOf("lvm", "/boot/grub"), "sda1");  // a partition has its own line
  EXPECT_EQ(DiskOf("lvm", "/bootx"), "dm-0");      // prefix must end at a path component
  // Two mounts on /var/lib/postgresql: the later one is visible.
  EXPECT_EQ(DiskOf("lvm", "/var/lib/postgresql/15/main"), "dm-1");
  EXPECT_EQ(DiskOf("lvm", "/snap/core/100/bin"), "loop3");
  EXPECT_EQ(DiskOf("lvm", "/mnt/my disk/db"), "sdb1");
  EXPECT_EQ(DiskOf("lvm", "/run/postgresql"), "(none)");  // tmpfs
}

TEST(FindDisk, ContainerOverlayRootHasNoDiskButAVolumeHas) {
  EXPECT_EQ(DiskOf("container", "/var/lib/mysql"), "(none)");
  EXPECT_EQ(DiskOf("container", "/var/lib/postgresql/data/base"), "nvme0n1p1");
}

TEST(FindDisk, BtrfsAnonymousDeviceFallsBackToSource) {
  EXPECT_EQ(DiskOf("btrfs", "/home/pg"), "sda2");
  // /dev/mapper names are not diskstats names (dm-N): no disk metrics.
  EXPECT_EQ(DiskOf("btrfs", "/data/db"), "(none)");
}

TEST(FindDisk, CapturedMountTable) {
  // The dev VM: ext4 on the whole virtio disk, tmpfs and pseudo file systems.
  std::vector<MountEntry> mounts = ParseMountInfo(Slurp(kTestdata / "capture1/self/mountinfo"));
  std::vector<DiskStats> disks = ParseDiskStats(Slurp(kTestdata / "capture1/diskstats"));
  const DiskStats* d = FindDisk(mounts, disks, "/work/main");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "vda");
  EXPECT_EQ(FindDisk(mounts, disks, "/dev/shm/PostgreSQL.1"), nullptr);
}

TEST(PidStat, CapturedAndTrickyNames) {
  Result<PidStat> p = ParsePidStat(Slurp(kTestdata / "capture2/29719/stat"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->pid, 29719);
  EXPECT_EQ(p->comm, "sh");
  EXPECT_EQ(p->state, 'R');
  EXPECT_EQ(p->utime, 144u);
  EXPECT_EQ(p->stime, 0u);
  EXPECT_EQ(p->start_time, 750372u);
  EXPECT_EQ(p->vsize, 2654208u);
  EXPECT_EQ(p->rss_pages, 409u);

  p = ParsePidStat("42 (a) b (c)) S 1 42 42 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 99 4096 2 0\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->comm, "a) b (c)");
  EXPECT_EQ(p->utime, 7u);
  EXPECT_EQ(p->rss_pages, 2u);

  EXPECT_FALSE(ParsePidStat("42 (a) S 1 42").ok());
  EXPECT_FALSE(ParsePidStat("").ok());
}

TEST(Cmdline, JoinsAndCutsAtCharacterBoundary) {
  EXPECT_EQ(FormatCmdline(Slurp(kTestdata / "capture1/29719/cmdline"), 256), "sh -c while :; do :; done");
  EXPECT_EQ(FormatCmdline(std::string_view("a\0bc\0", 5), 256), "a bc");
  EXPECT_EQ(FormatCmdline("", 256), "");
  // "é" is two bytes; a cut inside it backs up.
  EXPECT_EQ(FormatCmdline("ab\xc3\xa9z", 3), "ab");
  EXPECT_EQ(FormatCmdline("ab\xc3\xa9z", 4), "ab\xc3\xa9");
}

}  // namespace
}  // namespace dbinsight::collect::os
