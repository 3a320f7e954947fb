// One active-session sample of one instance: what the collector saw at one
// instant. Plain values; knows no database driver, SQL dialect or store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/dimensions.h"

namespace dbinsight::model {

// The values of every dimension of one session, one string per dimension of
// each group, in the order of Info(group).dimensions. Two sessions with equal
// DimensionValues are the same "combination" in the store.
using GroupKey = std::vector<std::string>;
using DimensionValues = std::array<GroupKey, kGroupCount>;

struct SessionRow {
  int64_t pid = 0;
  DimensionValues dims;
};

struct Sample {
  std::string instance_id;
  WallTime time;
  // Sessions that add load (state active / fastpath, background workers
  // doing work). The sampler's own connection is never here.
  std::vector<SessionRow> active;
  // Sessions idle in a transaction: no load, but usual lock blockers.
  int idle_in_transaction = 0;
};

// A span of time an instance was not sampled (dbinsight down, instance
// unreachable). Queries answer no value there, never a zero.
struct Gap {
  std::string instance_id;
  WallTime from;
  WallTime to;
  std::string reason;
};

// Where collectors write. Implementations must accept calls from several
// collector threads at once and must not block for long (bounded work).
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual void Append(Sample&& sample) = 0;
  virtual void RecordGap(Gap&& gap) = 0;
};

}  // namespace dbinsight::model
