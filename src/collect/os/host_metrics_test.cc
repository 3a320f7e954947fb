#include "collect/os/host_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "model/metric_catalog.h"
#include "testing/temp_dir.h"

namespace dbinsight::collect::os {
namespace {

namespace fs = std::filesystem;

// capture1/capture2 were taken 1.112547059 s apart (their .time files) while
// a busy loop (pid 29719), a sleeper, a stopped shell, a sleeper and its
// zombie child ran and 64 MiB were written with fsync. The expected values
// below are worked out by hand from the two files.
const fs::path kTestdata = OS_TESTDATA_DIR;
constexpr double kT1 = 1795751040.652219426;
constexpr double kDt = 1.112547059;
// Exactly kDt after kT1 (epoch seconds as a double would round the nanoseconds).
WallTime Time2() { return FromEpochSeconds(kT1) + std::chrono::nanoseconds(1112547059); }

using Values = std::map<std::string, double>;

class HostMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::TempDir::Create("dbi-os");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::move(dir).value();
    root_ = dir_->path() / "proc";
    data_dir_ = dir_->path().string();
    Install("capture1");
  }

  // Lays a capture over the fake /proc (same pids in both captures).
  void Install(const std::string& capture) {
    fs::copy(kTestdata / capture, root_, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }

  // One Read at t; every value must be a gauge, once.
  Values ReadAt(HostMetrics& m, WallTime t, const std::string& data_dir) {
    Result<model::Readings> r = m.Read(t, data_dir);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Values v;
    if (!r.ok()) return v;
    EXPECT_EQ(r->time, t);
    for (const model::Reading& x : r->values) {
      EXPECT_EQ(x.kind, model::MetricKind::kGauge) << x.name;
      EXPECT_TRUE(v.emplace(x.name, x.value).second) << "twice: " << x.name;
    }
    return v;
  }
  Values ReadAt(HostMetrics& m, double epoch_seconds, const std::string& data_dir) {
    return ReadAt(m, FromEpochSeconds(epoch_seconds), data_dir);
  }

  static bool HasPrefix(const Values& v, std::string_view prefix) {
    auto it = v.lower_bound(std::string(prefix));
    return it != v.end() && it->first.starts_with(prefix);
  }

  std::unique_ptr<testing::TempDir> dir_;
  fs::path root_;
  std::string data_dir_;
};

TEST_F(HostMetricsTest, FirstReadHasOnlyInstantaneousGauges) {
  HostMetrics m(root_.string());
  Values v = ReadAt(m, kT1, data_dir_);
  EXPECT_EQ(v.at("os.memory.total"), 24684096);
  EXPECT_EQ(v.at("os.memory.available"), 24274280);
  EXPECT_EQ(v.at("FreeableMemory"), 24274280.0 * 1024);
  EXPECT_EQ(v.at("os.memory.hugePagesSize"), 2048);
  EXPECT_EQ(v.at("os.swap.total"), 0);
  EXPECT_DOUBLE_EQ(v.at("os.loadAverageMinute.five"), 0.66);
  EXPECT_EQ(v.at("os.tasks.running"), 4);
  EXPECT_EQ(v.at("os.tasks.total"), 5);
  EXPECT_TRUE(v.contains("os.fileSys.total"));
  EXPECT_TRUE(v.contains("FreeStorageSpace"));
  EXPECT_FALSE(HasPrefix(v, "os.cpuUtilization."));
  EXPECT_FALSE(HasPrefix(v, "os.diskIO."));
  EXPECT_FALSE(HasPrefix(v, "os.network."));
  EXPECT_FALSE(v.contains("os.swap.in"));
  EXPECT_FALSE(v.contains("CPUUtilization"));
  EXPECT_FALSE(v.contains("ReadIOPS"));
}

TEST_F(HostMetricsTest, SecondReadComputesRatesFromCapturedPair) {
  HostMetrics m(root_.string());
  ReadAt(m, kT1, data_dir_);
  Install("capture2");
  Values v = ReadAt(m, Time2(), data_dir_);

  // cpu: user +111, system +7, idle +99, iowait +3 = 220 ticks.
  EXPECT_NEAR(v.at("os.cpuUtilization.user"), 111.0 / 220 * 100, 1e-9);
  EXPECT_NEAR(v.at("os.cpuUtilization.system"), 7.0 / 220 * 100, 1e-9);
  EXPECT_NEAR(v.at("os.cpuUtilization.idle"), 45, 1e-9);
  EXPECT_NEAR(v.at("os.cpuUtilization.wait"), 3.0 / 220 * 100, 1e-9);
  EXPECT_EQ(v.at("os.cpuUtilization.steal"), 0);
  EXPECT_NEAR(v.at("os.cpuUtilization.total"), 55, 1e-9);
  EXPECT_NEAR(v.at("CPUUtilization"), 55, 1e-9);

  // vda: reads +12 (448 sectors, 2 ms), writes +19 (131088 sectors, 431 ms),
  // io_ms +28, weighted +433.
  EXPECT_NEAR(v.at("os.diskIO.readIOsPS"), 12 / kDt, 1e-6);
  EXPECT_NEAR(v.at("os.diskIO.writeIOsPS"), 19 / kDt, 1e-6);
  EXPECT_EQ(v.at("os.diskIO.readKb"), 224);
  EXPECT_EQ(v.at("os.diskIO.writeKb"), 65544);
  EXPECT_NEAR(v.at("os.diskIO.writeKbPS"), 65544 / kDt, 1e-4);
  EXPECT_EQ(v.at("os.diskIO.rrqmPS"), 0);
  EXPECT_NEAR(v.at("os.diskIO.tps"), 31 / kDt, 1e-6);
  EXPECT_NEAR(v.at("os.diskIO.await"), 433.0 / 31, 1e-9);
  EXPECT_NEAR(v.at("os.diskIO.util"), 28 / (kDt * 1000) * 100, 1e-6);
  EXPECT_NEAR(v.at("os.diskIO.avgQueueLen"), 433 / (kDt * 1000), 1e-6);
  EXPECT_NEAR(v.at("os.diskIO.avgReqSz"), (448 + 131088) * 0.5 / 31, 1e-9);
  EXPECT_NEAR(v.at("ReadIOPS"), 12 / kDt, 1e-6);
  EXPECT_NEAR(v.at("WriteIOPS"), 19 / kDt, 1e-6);
  EXPECT_NEAR(v.at("ReadLatency"), 2.0 / 12 / 1000, 1e-12);
  EXPECT_NEAR(v.at("WriteLatency"), 431.0 / 19 / 1000, 1e-12);
  EXPECT_NEAR(v.at("ReadThroughput"), 448 * 512 / kDt, 1e-3);
  EXPECT_NEAR(v.at("WriteThroughput"), 131088 * 512 / kDt, 1e-1);

  // No traffic on eth0 in that second; lo is excluded.
  EXPECT_EQ(v.at("os.network.rx"), 0);
  EXPECT_EQ(v.at("os.network.tx"), 0);
  EXPECT_EQ(v.at("os.swap.in"), 0);
  EXPECT_EQ(v.at("os.swap.out"), 0);

  // Threads from /proc/stat; processes by state from the scan (the busy
  // loop is R and counts only in total).
  EXPECT_EQ(v.at("os.tasks.running"), 2);
  EXPECT_EQ(v.at("os.tasks.blocked"), 0);
  EXPECT_EQ(v.at("os.tasks.sleeping"), 2);
  EXPECT_EQ(v.at("os.tasks.stopped"), 1);
  EXPECT_EQ(v.at("os.tasks.zombie"), 1);
  EXPECT_EQ(v.at("os.tasks.total"), 5);
}

TEST_F(HostMetricsTest, TopProcessesByCpuThenRss) {
  HostMetrics m(root_.string());
  EXPECT_TRUE(m.TopProcesses(3).empty());  // before any Read
  ReadAt(m, kT1, "");
  Install("capture2");
  ReadAt(m, Time2(), "");
  const uint64_t page_kb = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)) / 1024;

  std::vector<ProcessInfo> top = m.TopProcesses(3);
  ASSERT_EQ(top.size(), 3u);
  // The busy loop used 110 of the host's 220 ticks.
  EXPECT_EQ(top[0].pid, 29719);
  EXPECT_EQ(top[0].name, "sh");
  EXPECT_EQ(top[0].cmdline, "sh -c while :; do :; done");
  EXPECT_NEAR(top[0].cpu_percent, 50, 1e-9);
  EXPECT_EQ(top[0].rss_kb, 409 * page_kb);
  EXPECT_EQ(top[0].vss_kb, 2654208u / 1024);
  EXPECT_NEAR(top[0].mem_percent, 409.0 * page_kb * 100 / 24684096, 1e-9);
  // Then idle processes by RSS: 428 pages, 387 pages.
  EXPECT_EQ(top[1].pid, 29722);
  EXPECT_EQ(top[1].cmdline, "sleep 300");
  EXPECT_EQ(top[1].cpu_percent, 0);
  EXPECT_EQ(top[2].pid, 29720);

  std::vector<ProcessInfo> all = m.TopProcesses(100);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all.back().pid, 29724);
  EXPECT_EQ(all.back().cmdline, "[sleep]");  // zombie: no arguments left
}

TEST_F(HostMetricsTest, CountersGoingBackYieldNoNegativeRates) {
  HostMetrics m(root_.string());
  Install("capture2");
  ReadAt(m, kT1, data_dir_);
  Install("capture1");
  Values v = ReadAt(m, kT1 + 1, data_dir_);
  for (const auto& [name, value] : v) EXPECT_GE(value, 0) << name;
  // Every CPU field stepped back: no tick elapsed, no CPU figures.
  EXPECT_FALSE(HasPrefix(v, "os.cpuUtilization."));
  // The disk counters went back (device reset): a gap, not a negative rate.
  EXPECT_FALSE(HasPrefix(v, "os.diskIO."));
  EXPECT_FALSE(v.contains("WriteIOPS"));
  EXPECT_TRUE(v.contains("os.fileSys.total"));
}

TEST_F(HostMetricsTest, CpuFieldSteppingBackCountsAsUnchanged) {
  HostMetrics m(root_.string());
  Write("stat", "cpu  1000 0 100 5000 500 0 0 0 0 0\ncpu0 1\nprocs_running 1\nprocs_blocked 0\n");
  ReadAt(m, 100, "");
  // iowait went back by 5 (tickless accounting); user +50, idle +50.
  Write("stat", "cpu  1050 0 100 5050 495 0 0 0 0 0\ncpu0 1\nprocs_running 1\nprocs_blocked 0\n");
  Values v = ReadAt(m, 101, "");
  EXPECT_EQ(v.at("os.cpuUtilization.wait"), 0);
  EXPECT_EQ(v.at("os.cpuUtilization.user"), 50);
  EXPECT_EQ(v.at("os.cpuUtilization.idle"), 50);
}

TEST_F(HostMetricsTest, GuestTimeIsSplitOutOfUserSoPartsSumTo100) {
  HostMetrics m(root_.string());
  Write("stat", "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 1\nprocs_running 1\nprocs_blocked 0\n");
  ReadAt(m, 100, "");
  // user 60 of which guest 20; nice 10 of which guest_nice 10; irq 5 +
  // softirq 5; steal 10; idle 10.
  Write("stat", "cpu  60 10 0 10 0 5 5 10 20 10\ncpu0 1\nprocs_running 1\nprocs_blocked 0\n");
  Values v = ReadAt(m, 101, "");
  EXPECT_EQ(v.at("os.cpuUtilization.user"), 40);
  EXPECT_EQ(v.at("os.cpuUtilization.nice"), 0);
  EXPECT_EQ(v.at("os.cpuUtilization.guest"), 30);
  EXPECT_EQ(v.at("os.cpuUtilization.irq"), 10);
  EXPECT_EQ(v.at("os.cpuUtilization.steal"), 10);
  EXPECT_EQ(v.at("os.cpuUtilization.total"), 90);
  double sum = 0;
  for (const char* part : {"user", "nice", "system", "wait", "irq", "steal", "guest", "idle"}) {
    sum += v.at(std::string("os.cpuUtilization.") + part);
  }
  EXPECT_DOUBLE_EQ(sum, 100);
}

TEST_F(HostMetricsTest, NetworkSumsNonLoopbackInterfacesSeenTwice) {
  const std::string header =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
      "carrier compressed\n";
  HostMetrics m(root_.string());
  Write("net/dev", header +
                       "    lo: 1000 1 0 0 0 0 0 0 1000 1 0 0 0 0 0 0\n"
                       "  eth0: 5000 1 0 0 0 0 0 0 7000 1 0 0 0 0 0 0\n"
                       " veth1: 9000 1 0 0 0 0 0 0 9000 1 0 0 0 0 0 0\n");
  ReadAt(m, 100, "");
  // lo busy (ignored), eth0 +3000/+500, veth1 re-created (counters went
  // back: left out), veth2 new (left out).
  Write("net/dev", header +
                       "    lo: 900000 1 0 0 0 0 0 0 900000 1 0 0 0 0 0 0\n"
                       "  eth0: 8000 1 0 0 0 0 0 0 7500 1 0 0 0 0 0 0\n"
                       " veth1: 10 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n"
                       " veth2: 500 1 0 0 0 0 0 0 500 1 0 0 0 0 0 0\n");
  Values v = ReadAt(m, 102, "");
  EXPECT_EQ(v.at("os.network.rx"), 1500);
  EXPECT_EQ(v.at("os.network.tx"), 250);

  // Only loopback (a container without network): 0, not missing.
  Write("net/dev", header + "    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n");
  ReadAt(m, 103, "");
  Write("net/dev", header + "    lo: 9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0\n");
  v = ReadAt(m, 104, "");
  EXPECT_EQ(v.at("os.network.rx"), 0);
  EXPECT_EQ(v.at("os.network.tx"), 0);
}

TEST_F(HostMetricsTest, SwapRatesInKbPerSecond) {
  HostMetrics m(root_.string());
  Write("vmstat", "pswpin 100\npswpout 1000\n");
  ReadAt(m, 100, "");
  Write("vmstat", "pswpin 150\npswpout 1400\n");
  Values v = ReadAt(m, 102, "");
  const double page_kb = static_cast<double>(::sysconf(_SC_PAGESIZE) / 1024);
  EXPECT_EQ(v.at("os.swap.in"), 25 * page_kb);
  EXPECT_EQ(v.at("os.swap.out"), 200 * page_kb);
}

TEST_F(HostMetricsTest, DataDirectoryOnOverlayHasFileSystemButNoDiskMetrics) {
  fs::copy_file(kTestdata / "mounts/container.mountinfo", root_ / "self/mountinfo",
                fs::copy_options::overwrite_existing);
  HostMetrics m(root_.string());
  ReadAt(m, kT1, data_dir_);
  Install("capture2");
  fs::copy_file(kTestdata / "mounts/container.mountinfo", root_ / "self/mountinfo",
                fs::copy_options::overwrite_existing);
  Values v = ReadAt(m, Time2(), data_dir_);
  EXPECT_FALSE(HasPrefix(v, "os.diskIO."));
  EXPECT_FALSE(v.contains("ReadLatency"));
  EXPECT_TRUE(v.contains("os.fileSys.usedPercent"));
  EXPECT_TRUE(v.contains("FreeStorageSpace"));
  EXPECT_TRUE(v.contains("CPUUtilization"));
}

TEST_F(HostMetricsTest, EmptyOrUnreadableDataDirectorySkipsDiskAndFileSystem) {
  for (const std::string dir : {"", "/nonexistent/dbi-os-test"}) {
    HostMetrics m(root_.string());
    ReadAt(m, kT1, dir);
    Install("capture2");
    Values v = ReadAt(m, Time2(), dir);
    EXPECT_FALSE(HasPrefix(v, "os.diskIO.")) << dir;
    EXPECT_FALSE(HasPrefix(v, "os.fileSys.")) << dir;
    EXPECT_FALSE(v.contains("FreeStorageSpace")) << dir;
    EXPECT_TRUE(v.contains("os.cpuUtilization.total")) << dir;
    Install("capture1");
  }
}

TEST_F(HostMetricsTest, MissingProcFileIsInternalNamingIt) {
  for (const char* file : {"stat", "loadavg", "meminfo", "vmstat", "net/dev", "diskstats", "self/mountinfo"}) {
    Install("capture1");
    fs::remove(root_ / file);
    HostMetrics m(root_.string());
    Result<model::Readings> r = m.Read(FromEpochSeconds(kT1), data_dir_);
    ASSERT_FALSE(r.ok()) << file;
    EXPECT_EQ(r.status().code(), StatusCode::kInternal);
    EXPECT_NE(r.status().message().find(file), std::string::npos) << r.status().message();
  }
  Install("capture1");
  Write("meminfo", "MemFree: 1 kB\n");
  HostMetrics m(root_.string());
  Result<model::Readings> r = m.Read(FromEpochSeconds(kT1), "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("meminfo: no MemTotal"), std::string::npos) << r.status().message();
}

TEST_F(HostMetricsTest, TimeNotAdvancingGivesNoRates) {
  HostMetrics m(root_.string());
  ReadAt(m, kT1, data_dir_);
  Install("capture2");
  Values v = ReadAt(m, kT1, data_dir_);
  EXPECT_FALSE(v.contains("CPUUtilization"));
  EXPECT_FALSE(v.contains("os.network.rx"));
  EXPECT_FALSE(v.contains("ReadIOPS"));
}

TEST_F(HostMetricsTest, EveryNameIsInTheCatalogAndEveryHostMetricIsEmitted) {
  HostMetrics m(root_.string());
  ReadAt(m, kT1, data_dir_);
  Install("capture2");
  Values v = ReadAt(m, Time2(), data_dir_);
  std::set<std::string> catalog;
  for (const model::MetricInfo& info : model::OsMetrics()) {
    catalog.emplace(info.name);
    EXPECT_TRUE(v.contains(std::string(info.name))) << "not emitted: " << info.name;
    EXPECT_FALSE(info.unit.empty()) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
  }
  for (const model::MetricInfo& info : model::InstanceMetrics()) {
    catalog.emplace(info.name);
    const bool from_database = info.name == "DatabaseConnections" || info.name == "ReplicaLag";
    EXPECT_EQ(v.contains(std::string(info.name)), !from_database) << info.name;
  }
  EXPECT_EQ(model::InstanceMetrics().size(), 11u);
  for (const auto& [name, value] : v) EXPECT_TRUE(catalog.contains(name)) << "not in catalog: " << name;
}

TEST_F(HostMetricsTest, ManyProcessesAreScannedEveryNthRead) {
  // 600 more sleepers: 605 processes, 256 per Read on average -> every 3rd.
  const std::string rest = " S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 100 4096 1 0\n";
  for (int pid = 100000; pid < 100600; ++pid) Write(std::to_string(pid) + "/stat", std::to_string(pid) + " (w)" + rest);
  HostMetrics m(root_.string());
  std::vector<bool> scanned;
  for (int i = 0; i < 7; ++i) scanned.push_back(ReadAt(m, kT1 + i, "").contains("os.tasks.total"));
  EXPECT_EQ(scanned, (std::vector<bool>{true, false, false, true, false, false, true}));
  // Between scans running/blocked still come from /proc/stat.
  EXPECT_TRUE(ReadAt(m, kT1 + 7, "").contains("os.tasks.running"));
  EXPECT_EQ(m.TopProcesses(1000).size(), 605u);
}

}  // namespace
}  // namespace dbinsight::collect::os
