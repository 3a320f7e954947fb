#include "collect/options.h"

namespace dbinsight::collect {

Status SamplerOptions::Validate() const {
  using std::chrono::milliseconds;
  if (interval < milliseconds(100) || interval > milliseconds(60'000))
    return Status::InvalidArgument("sample_interval must be between 100 ms and 60 s");
  if (connect_timeout < milliseconds(1))
    return Status::InvalidArgument("connect_timeout must be positive");
  if (query_timeout < milliseconds(1))
    return Status::InvalidArgument("query_timeout must be positive");
  if (backoff_min < milliseconds(1) || backoff_max < backoff_min)
    return Status::InvalidArgument("backoff_min must be positive and at most backoff_max");
  if (max_tracked_statements == 0)
    return Status::InvalidArgument("max_tracked_statements must be positive");
  if (counters_interval < milliseconds(100) || counters_interval > milliseconds(3'600'000))
    return Status::InvalidArgument("counters_interval must be between 100 ms and 1 h");
  if (statements_interval < milliseconds(1000) || statements_interval > milliseconds(3'600'000))
    return Status::InvalidArgument("statements_interval must be between 1 s and 1 h");
  if (max_statements_per_read == 0) return Status::InvalidArgument("max_statements_per_read must be positive");
  // Every statement of a read must fit among the remembered names, or names
  // are dropped and fetched again on every read.
  if (max_tracked_statements < max_statements_per_read)
    return Status::InvalidArgument("max_tracked_statements must be at least max_statements_per_read");
  return Status::Ok();
}

}  // namespace dbinsight::collect
