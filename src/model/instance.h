// What the rest of the system knows about one monitored instance: identity,
// engine, endpoint and live sampling status. Plain value type.
#pragma once

#include <cstdint>
#include <string>

namespace dbinsight::model {

struct InstanceInfo {
  std::string id;           // config id, e.g. "demo-pg"
  std::string resource_id;  // DbiResourceId, "db-" + 26 [A-Z0-9]
  std::string engine;       // "postgres"
  std::string host;         // endpoint address, as configured
  int port = 0;
  int vcpus = 0;
  // Live status, filled by the collector.
  bool sampling_live = false;
  std::string last_error;  // already redacted
  double last_sample_epoch = 0;
  uint64_t samples = 0;   // successful samples since start
  uint64_t failures = 0;  // failed attempts since start
  uint64_t gaps = 0;      // outages recorded since start (history: GET /gaps)
};

// Stable resource id for an instance id: "db-" + 26 upper-case letters/digits
// derived from a hash of the id, so it survives restarts and store wipes.
std::string DeriveResourceId(const std::string& instance_id);

}  // namespace dbinsight::model
