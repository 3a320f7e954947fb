#include "collect/poller.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "collect/postgres/pg_sampler.h"
#include "testing/manual_clock.h"
#include "testing/pg_cluster.h"
#include "testing/poll_until.h"

namespace dbinsight::collect {
namespace {

using dbinsight::testing::PgCluster;
using dbinsight::testing::PollUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

// In-memory SampleSink (the one kind of fake the architecture allows).
class MemorySink final : public model::SampleSink, public model::MetricSink {
 public:
  void Append(model::Sample&& s) override {
    std::lock_guard l(mu_);
    samples_.push_back(std::move(s));
  }
  void RecordGap(model::Gap&& g) override {
    std::lock_guard l(mu_);
    gaps_.push_back(std::move(g));
  }
  void AppendMetrics(model::MetricSample&& m) override {
    std::lock_guard l(mu_);
    metrics_.push_back(std::move(m));
  }
  void AppendStatementStats(model::StatementStatsSample&& s) override {
    std::lock_guard l(mu_);
    statements_.push_back(std::move(s));
  }
  std::vector<WallTime> SampleTimes(const std::string& id) const {
    std::lock_guard l(mu_);
    std::vector<WallTime> out;
    for (const auto& s : samples_)
      if (s.instance_id == id) out.push_back(s.time);
    return out;
  }
  std::vector<model::Gap> Gaps() const {
    std::lock_guard l(mu_);
    return gaps_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<model::Sample> samples_;
  std::vector<model::Gap> gaps_;
  std::vector<model::MetricSample> metrics_;
  std::vector<model::StatementStatsSample> statements_;
};

// A TCP port that accepts connections (the kernel completes the handshake
// from the backlog) but never answers: a hung server.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof(a);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen";
    }
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class PollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = PgCluster::Start();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
  }

  std::unique_ptr<Sampler> MonitorSampler(const std::string& id, const SamplerOptions& o) {
    dbconn::ConnectOptions c;
    c.conninfo = cluster_->MonitorDsnWithoutPassword();
    c.password = cluster_->monitor_password();
    return std::make_unique<postgres::PgSampler>(id, c, o, cache_);
  }

  SystemClock clock_;
  sql::NormalizerCache cache_;
  MemorySink sink_;
  std::unique_ptr<PgCluster> cluster_;
};

TEST_F(PollerTest, ResumesAfterServerRestartAndRecordsGap) {
  SamplerOptions o;
  o.interval = milliseconds(100);
  Poller poller(sink_, sink_, clock_);
  ASSERT_TRUE(poller.Add(MonitorSampler("pg", o), o).ok());
  EXPECT_FALSE(poller.Add(MonitorSampler("pg", o), o).ok()) << "duplicate id";

  ASSERT_TRUE(PollUntil(clock_, seconds(10), [&] { return sink_.SampleTimes("pg").size() >= 5; }));
  {
    auto times = sink_.SampleTimes("pg");
    // Ticks sit on the 100 ms wall-clock grid (late wake-ups only).
    for (WallTime t : times) EXPECT_LT(ToEpochMillis(t) % 100, 60) << ToEpochMillis(t);
    auto st = poller.StatusOf("pg");
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->live);
    EXPECT_EQ(st->failures, 0u);
  }

  ASSERT_TRUE(cluster_->StopServer().ok());
  const WallTime stopped = clock_.Now();
  ASSERT_TRUE(PollUntil(clock_, seconds(10), [&] { return !poller.StatusOf("pg")->live; }));
  const size_t before_restart = sink_.SampleTimes("pg").size();
  auto down = *poller.StatusOf("pg");
  EXPECT_GE(down.failures, 1u);
  EXPECT_FALSE(down.last_error.empty());
  EXPECT_EQ(down.last_error.find(cluster_->monitor_password()), std::string::npos);
  // Stay down long enough for the backoff to reach its maximum.
  ASSERT_TRUE(PollUntil(clock_, seconds(10), [&] { return poller.StatusOf("pg")->failures >= 4; }));
  EXPECT_EQ(sink_.SampleTimes("pg").size(), before_restart) << "no samples while down";

  ASSERT_TRUE(cluster_->StartServer().ok());
  const WallTime back = clock_.Now();
  ASSERT_TRUE(PollUntil(clock_, seconds(10), [&] {
    return sink_.SampleTimes("pg").size() > before_restart;
  })) << "sampling did not resume";
  const WallTime resumed = sink_.SampleTimes("pg")[before_restart];
  EXPECT_LE(resumed - back, seconds(5));
  std::printf("resumed %.0f ms after the server was back\n",
              std::chrono::duration<double, std::milli>(resumed - back).count());

  auto gaps = sink_.Gaps();
  ASSERT_EQ(gaps.size(), 1u);
  const model::Gap& g = gaps[0];
  EXPECT_EQ(g.instance_id, "pg");
  const WallTime last_before = sink_.SampleTimes("pg")[before_restart - 1];
  EXPECT_EQ(g.from, last_before + o.interval);
  EXPECT_LE(g.from, stopped + o.interval);
  EXPECT_EQ(g.to, resumed);
  EXPECT_GE(g.to, back);
  EXPECT_FALSE(g.reason.empty());
  EXPECT_EQ(g.reason.find(cluster_->monitor_password()), std::string::npos);

  ASSERT_TRUE(PollUntil(clock_, seconds(5), [&] { return poller.StatusOf("pg")->live; }));
  auto st = *poller.StatusOf("pg");
  EXPECT_EQ(st.gaps, 1u);
  EXPECT_GT(st.samples, before_restart);
}

TEST_F(PollerTest, HungInstanceDoesNotDelayAnother) {
  SilentListener hung;
  SamplerOptions o;
  o.interval = milliseconds(100);
  o.connect_timeout = seconds(2);
  Poller poller(sink_, sink_, clock_);
  dbconn::ConnectOptions dead;
  dead.conninfo = "host=127.0.0.1 port=" + std::to_string(hung.port()) + " user=monitor";
  ASSERT_TRUE(poller.Add(std::make_unique<postgres::PgSampler>("hung", dead, o, cache_), o).ok());
  ASSERT_TRUE(poller.Add(MonitorSampler("live", o), o).ok());

  // While "hung" sits in its 2 s connect timeout, "live" keeps its 100 ms pace.
  const MonoTime start = clock_.Monotonic();
  ASSERT_TRUE(PollUntil(clock_, seconds(10), [&] { return sink_.SampleTimes("live").size() >= 15; }));
  EXPECT_LT(clock_.Monotonic() - start, seconds(3));
  ASSERT_TRUE(PollUntil(clock_, seconds(10), [&] { return poller.StatusOf("hung")->failures >= 1; }));
  auto hung_status = *poller.StatusOf("hung");
  EXPECT_FALSE(hung_status.live);
  EXPECT_EQ(sink_.SampleTimes("hung").size(), 0u);
  auto statuses = poller.Statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].instance_id, "hung");
  EXPECT_EQ(statuses[1].instance_id, "live");
  EXPECT_TRUE(statuses[1].live);
}

// The loop's timing on a ManualClock, against a port where nothing listens
// (connection refused at once): deterministic, no server needed.
TEST(PollerManualClockTest, BacksOffOnTheClockAndStopsPromptly) {
  dbinsight::testing::ManualClock clock(FromEpochSeconds(1000.5));
  MemorySink sink;
  sql::NormalizerCache cache;
  SamplerOptions o;  // 1 s interval, backoff 250 ms .. 2 s
  dbconn::ConnectOptions refused;
  refused.conninfo = "host=127.0.0.1 port=1 user=monitor";
  auto failures = [](Poller& p) { return p.StatusOf("refused")->failures; };
  {
    Poller poller(sink, sink, clock);
    ASSERT_TRUE(
        poller.Add(std::make_unique<postgres::PgSampler>("refused", refused, o, cache), o).ok());
    clock.WaitForSleepers(1);  // until the first tick, at 1001.000
    EXPECT_EQ(failures(poller), 0u);
    clock.Advance(milliseconds(499));
    clock.WaitForSleepers(1);
    EXPECT_EQ(failures(poller), 0u);
    clock.Advance(milliseconds(1));  // 1001.000: first attempt
    clock.WaitForSleepers(1);
    EXPECT_EQ(failures(poller), 1u);
    clock.Advance(milliseconds(250));  // first retry after 250 ms
    clock.WaitForSleepers(1);
    EXPECT_EQ(failures(poller), 2u);
    clock.Advance(milliseconds(499));  // the next retry waits 500 ms
    clock.WaitForSleepers(1);
    EXPECT_EQ(failures(poller), 2u);
    clock.Advance(milliseconds(1));
    clock.WaitForSleepers(1);
    EXPECT_EQ(failures(poller), 3u);
    auto st = *poller.StatusOf("refused");
    EXPECT_FALSE(st.live);
    EXPECT_NE(st.last_error.find("port=1"), std::string::npos) << st.last_error;
    // Leaving the scope stops the thread mid-sleep; no clock advance needed.
  }
  EXPECT_TRUE(sink.SampleTimes("refused").empty());
  EXPECT_TRUE(sink.Gaps().empty());
}

}  // namespace
}  // namespace dbinsight::collect
