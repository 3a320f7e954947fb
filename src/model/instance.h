// What the rest of the system knows about one monitored instance: identity,
// engine, endpoint and live sampling status. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dbinsight::model {

struct InstanceInfo {
  std::string id;           // config id, e.g. "demo-pg"
  std::string resource_id;  // DbiResourceId, "db-" + 26 [A-Z0-9]
  std::string engine;       // "postgres", "mariadb" or "mysql"
  std::string host;         // endpoint address, as configured
  int port = 0;
  int vcpus = 0;
  std::string replica_of;  // configured source instance id of a replica ("" if none)
  // Learned from the server by the sampler; empty until the first read.
  std::string role;     // "primary", "replica", "standby"
  std::string version;  // e.g. "15.18", "10.11.19-MariaDB-0+deb12u1"
  // PI features for GetResourceMetadata, name -> status (ENABLED, DISABLED...).
  std::vector<std::pair<std::string, std::string>> features;
  // Live status, filled by the collector.
  bool sampling_live = false;
  std::string last_error;  // already redacted
  double last_sample_epoch = 0;
  uint64_t samples = 0;   // successful samples since start
  uint64_t failures = 0;  // failed attempts since start
  uint64_t gaps = 0;      // outages recorded since start (history: GET /gaps)
  // Metric reads: the latest failure (redacted), and a standing warning such
  // as a full digest table, with its remedy.
  std::string metrics_error;
  std::string statements_warning;
  // The host's busiest processes (instances on this host only), as
  // Enhanced Monitoring's process list.
  struct Process {
    int64_t pid = 0;
    std::string name;
    std::string cmdline;
    double cpu_percent = 0;
    double mem_percent = 0;
    uint64_t rss_kb = 0;
  };
  std::vector<Process> top_processes;
};

// Stable resource id for an instance id: "db-" + 26 upper-case letters/digits
// derived from a hash of the id, so it survives restarts and store wipes.
std::string DeriveResourceId(const std::string& instance_id);

}  // namespace dbinsight::model
