// The loadgen scenario catalogue: what each workload does and what a correct
// analysis of it must find (its ground truth), for PostgreSQL and MariaDB.
// Tests and demos assert against these values; docs/loadgen.md explains them.
//
// Ownership: the catalogue is a constant table with static storage; pointers
// and string_views into it stay valid for the whole program.
// Thread-safety: everything here is immutable or a pure function.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace dbinsight::loadgen {

enum class ScenarioId { kRecipe, kLockChain, kMissingIndex, kCpu, kIo, kConnectionStorm, kRegression };

// What the load looks like on one engine, in the sampler's vocabulary
// (docs/sampling.md, docs/sampling-mysql.md): db.wait_event.type and
// db.wait_event.name of the sessions that make the load.
struct ExpectedWait {
  std::string_view wait_class;
  std::string_view wait_event;
};

struct Scenario {
  ScenarioId id;
  std::string_view name;
  std::string_view summary;
  // A substring of the top statement's normalized text (db.sql_tokenized on
  // both engines, any case): a column alias only that statement has, so
  // literal replacement, keyword case and MariaDB's back-quoting keep it.
  std::string_view top_statement;
  ExpectedWait postgres;
  ExpectedWait mariadb;
  // How the blocking session is identified (lock-chain only; empty otherwise).
  std::string_view blocker;
  // What else the server shows while the scenario runs.
  std::string_view evidence;
  // Clients when --clients is not given.
  int default_clients;
  // Fewest clients the scenario makes sense with (lock-chain: a blocker and a waiter).
  int min_clients;
};

std::span<const Scenario> Scenarios();
// nullptr when no scenario has that name.
const Scenario* FindScenario(std::string_view name);

// One JSON object with every field above (`--describe NAME`).
std::string DescribeJson(const Scenario& scenario);
// A human-readable block per scenario (`--list`).
std::string ListText();


}  // namespace dbinsight::loadgen
