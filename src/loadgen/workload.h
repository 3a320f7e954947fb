// Workload: the SQL of one scenario on one engine — the tables it needs
// (created and loaded idempotently), each client's session settings and
// statements, and the scenario's scripted moments (the lock-chain blocker's
// open transaction, the regression's index drop). The Runner executes it;
// nothing here talks to a server.
//
// Ownership: a value type. Thread-safety: const methods may be called from
// any thread (the random generator is the caller's).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "loadgen/scenario.h"
#include "loadgen/session.h"

namespace dbinsight::loadgen {

struct TableSpec {
  std::string name;
  std::string create;                   // CREATE TABLE IF NOT EXISTS ...
  int64_t rows = 0;                     // loaded again whenever the table holds a different count
  std::string load;                     // INSERT of exactly `rows` rows into the empty table
  std::vector<std::string> after_load;  // e.g. ANALYZE
  // Idempotent statements run on every setup (CREATE INDEX IF NOT EXISTS):
  // they also restore what a scenario changed.
  std::vector<std::string> every_run;
};

class Workload {
 public:
  // REQUIRES: scale >= 1.
  Workload(const Scenario& scenario, Engine engine, int scale);

  const std::vector<TableSpec>& tables() const { return tables_; }
  // Pause between one client's statements.
  std::chrono::milliseconds think() const { return think_; }
  // True when the scenario changes something at half the duration.
  bool has_midpoint() const { return !midpoint_.empty(); }

  // Session settings, run once per client after connecting.
  std::vector<std::string> Prelude(int client) const;
  // Run once per client after every client is connected, before the
  // ground truth is printed: the lock-chain blocker opens its transaction.
  std::vector<std::string> Begin(int client) const;
  // The client's next statement with fresh literals; "" means stay idle
  // this round (the lock-chain blocker).
  std::string Next(int client, std::mt19937_64& rng) const;
  // Run once per client when it stops: the blocker rolls back.
  std::vector<std::string> End(int client) const;
  // Run by the coordinator at half the duration (regression: drop the index).
  const std::vector<std::string>& midpoint() const { return midpoint_; }

 private:
  const Scenario& scenario_;
  Engine engine_;
  int scale_;
  std::vector<TableSpec> tables_;
  std::chrono::milliseconds think_{5};
  std::vector<std::string> midpoint_;
};

}  // namespace dbinsight::loadgen
