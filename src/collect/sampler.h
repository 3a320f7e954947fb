// Sampler: takes one active-session sample of one monitored instance. One
// implementation per engine (postgres/PgSampler, later mariadb/). A Sampler
// owns its own connection to its instance.
// Thread-safety: not thread-safe; the Poller calls it from the instance's one
// thread only.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "model/sample.h"

namespace dbinsight::collect {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The dbinsight instance id stamped on samples and gaps.
  virtual const std::string& instance_id() const = 0;
  // Reads the instance's sessions once (connecting first if needed) and
  // returns them as a Sample timed `now`. Unavailable when the instance cannot
  // be reached or the query failed; the message is already redacted.
  virtual Result<model::Sample> SampleOnce(WallTime now) = 0;
  // Drops the connection; the next SampleOnce() reconnects. Called after any
  // failure, since the connection's state is then unknown.
  virtual void Reset() = 0;
};

}  // namespace dbinsight::collect
