// Reads this machine's live /proc twice (HostMetrics is what production
// runs: no fixture) and checks the values are sane and agree with the kernel
// and statvfs(3) read independently here.
#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "collect/os/host_metrics.h"
#include "testing/poll_until.h"
#include "testing/temp_dir.h"

namespace dbinsight::collect::os {
namespace {

using Values = std::map<std::string, double>;

Values ToMap(const model::Readings& r) {
  Values v;
  for (const model::Reading& x : r.values) v[x.name] = x.value;
  return v;
}

uint64_t MemTotalKb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  while (in >> key >> kb) {
    if (key == "MemTotal:") return kb;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

TEST(HostMetricsLive, TwoReadsOfThisHostAreSane) {
  auto dir = testing::TempDir::Create("dbi-os-live");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  const std::string data_dir = (*dir)->path().string();
  HostMetrics m;
  SystemClock clock;
  const WallTime t0 = clock.Now();
  Result<model::Readings> first = m.Read(t0, data_dir);
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  // The CPU figures need at least one clock tick between reads: read again
  // (one injected 100 ms step per call) until they appear.
  Values v;
  int step = 0;
  ASSERT_TRUE(testing::PollUntil(clock, std::chrono::seconds(10), [&] {
    Result<model::Readings> r = m.Read(t0 + std::chrono::milliseconds(100) * ++step, data_dir);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    v = r.ok() ? ToMap(*r) : Values{};
    return v.contains("os.cpuUtilization.idle");
  }));

  double sum = 0;
  for (const char* part : {"user", "nice", "system", "wait", "irq", "steal", "guest", "idle"}) {
    double p = v.at(std::string("os.cpuUtilization.") + part);
    EXPECT_GE(p, 0) << part;
    EXPECT_LE(p, 100) << part;
    sum += p;
  }
  EXPECT_NEAR(sum, 100, 1e-6);
  EXPECT_NEAR(v.at("os.cpuUtilization.total"), 100 - v.at("os.cpuUtilization.idle"), 1e-9);
  EXPECT_EQ(v.at("CPUUtilization"), v.at("os.cpuUtilization.total"));

  EXPECT_EQ(v.at("os.memory.total"), static_cast<double>(MemTotalKb()));
  EXPECT_GT(v.at("os.memory.available"), 0);
  EXPECT_LE(v.at("os.memory.available"), v.at("os.memory.total"));
  EXPECT_GE(v.at("os.tasks.running"), 1);  // this thread
  EXPECT_GE(v.at("os.network.rx"), 0);

  struct statvfs st;
  ASSERT_EQ(::statvfs(data_dir.c_str(), &st), 0);
  EXPECT_EQ(v.at("os.fileSys.total"), static_cast<double>(st.f_blocks) * static_cast<double>(st.f_frsize) / 1024);
  EXPECT_EQ(v.at("os.fileSys.maxFiles"), static_cast<double>(st.f_files));
  EXPECT_GE(v.at("os.fileSys.usedPercent"), 0);
  EXPECT_LE(v.at("os.fileSys.usedPercent"), 100);
  EXPECT_GT(v.at("FreeStorageSpace"), 0);
  // A temp dir on tmpfs or overlay has no block device; on a disk it must
  // have all the I/O figures, in range.
  if (v.contains("os.diskIO.util")) {
    EXPECT_GE(v.at("os.diskIO.util"), 0);
    EXPECT_LE(v.at("os.diskIO.util"), 100);
    EXPECT_GE(v.at("ReadLatency"), 0);
    EXPECT_GE(v.at("WriteThroughput"), 0);
  }

  // This process is among the scanned ones, with its own name.
  std::ifstream comm("/proc/self/comm");
  std::string self_name;
  std::getline(comm, self_name);
  bool found = false;
  for (const ProcessInfo& p : m.TopProcesses(100000)) {
    if (p.pid != ::getpid()) continue;
    found = true;
    EXPECT_EQ(p.name, self_name);
    EXPECT_GT(p.rss_kb, 0u);
    EXPECT_GE(p.cpu_percent, 0);
    EXPECT_LE(p.cpu_percent, 100);
    EXPECT_NE(p.cmdline.find("collect_os_integration_test"), std::string::npos) << p.cmdline;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace dbinsight::collect::os
