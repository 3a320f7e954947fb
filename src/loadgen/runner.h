// Runner: runs one loadgen scenario against one target — sets the schema up
// (idempotently, in PostgreSQL schema / MariaDB database dbinsight_loadgen),
// connects one session per client, puts the scenario's state in place and
// reports the ground truth, then drives one thread per client until the
// duration passes or the caller stops it, and leaves no session behind.
//
// Ownership: the Runner owns its sessions (an admin session and one per
// client) and the client threads, which live only inside Run().
// Thread-safety: Prepare() and Run() from one thread; Run() blocks, and its
// stop_token may be triggered from any thread (a signal handler's thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "loadgen/scenario.h"
#include "loadgen/session.h"
#include "loadgen/workload.h"

namespace dbinsight::loadgen {

struct RunOptions {
  std::string target;  // DSN: libpq conninfo/URI, or mysql:// / mariadb:// URI
  std::string scenario;
  // Default: 60 s.
  std::chrono::milliseconds duration{60000};
  // 0: the scenario's default_clients.
  int clients = 0;
  // Multiplies the row counts of the scenario's tables. Default: 1.
  int scale = 1;
};

// InvalidArgument naming the option for an unknown scenario, a duration
// <= 0, clients < 0 or below the scenario's minimum, or scale < 1.
Status Validate(const RunOptions& options);

// What the run put in place, printed as the `started` JSON line.
struct GroundTruth {
  const Scenario* scenario = nullptr;
  Engine engine = Engine::kPostgres;
  int clients = 0;
  int scale = 1;
  std::chrono::milliseconds duration{0};
  std::chrono::milliseconds setup{0};                     // schema + data, before any client connected
  std::vector<int64_t> session_ids;                       // per client, in client order
  std::optional<int64_t> blocker_id;                      // lock-chain: client 0's pid / connection id
  std::optional<std::chrono::milliseconds> change_after;  // regression: the index drop, from the start

  std::string ToJson() const;
};

// What the clients did, printed as the `finished` JSON line.
struct RunSummary {
  int64_t statements = 0;  // finished without error
  int64_t errors = 0;
  // Mean latency of successful statements before/after the midpoint change
  // (regression only).
  std::optional<double> mean_ms_before_change;
  std::optional<double> mean_ms_after_change;

  std::string ToJson() const;
};

class Runner {
 public:
  // Validates, connects, sets up the scenario's tables, connects and
  // prepares every client (lock-chain: the blocker holds its row lock when
  // this returns). Unavailable when the target cannot be reached; Internal
  // with the server's message when a setup statement fails.
  static Result<std::unique_ptr<Runner>> Prepare(const RunOptions& options, Clock& clock);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;
  ~Runner();

  const GroundTruth& truth() const { return truth_; }

  // Runs the clients until options.duration has passed since Run() started
  // or stop is requested, then stops every client (the blocker rolls back,
  // which releases the waiters), restores what the scenario changed, closes
  // every session and returns. REQUIRES: called once.
  RunSummary Run(std::stop_token stop);

 private:
  struct Client;
  Runner(const RunOptions& options, Clock& clock, Target target, const Scenario& scenario);
  Status SetUp();
  void RunClient(Client& client, std::stop_token stop);

  RunOptions options_;
  Clock& clock_;
  Target target_;
  Workload workload_;
  GroundTruth truth_;
  std::unique_ptr<Session> admin_;
  std::vector<std::unique_ptr<Client>> clients_;
  // Set by Run() once the midpoint change is done; read by client threads
  // to file each latency under before or after.
  std::atomic<bool> changed_{false};
};

}  // namespace dbinsight::loadgen
