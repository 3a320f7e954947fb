// SamplerOptions: how often and how patiently dbinsight samples one monitored
// instance. Declared once here with its defaults (config/ only maps YAML keys
// onto it). Plain value; copy freely.
#pragma once

#include <chrono>
#include <cstddef>

#include "common/status.h"

namespace dbinsight::collect {

struct SamplerOptions {
  // Time between active-session samples. Default: 1 s, Performance Insights'
  // own rate (db.load is the average count of sessions seen per second). May
  // go down to 100 ms for finer short spikes at ~10x the (small) query cost.
  std::chrono::milliseconds interval{1000};
  // Default: 3 s. Long enough for a TLS handshake to a remote host, short
  // enough that a dead host is noticed before many ticks are missed.
  std::chrono::milliseconds connect_timeout{3000};
  // Server-side statement_timeout of the sampling query (it normally takes
  // well under 1 ms; the client gives up 1 s later still). Default: 2 s: a
  // server this slow to list its sessions is reported as failing, not waited on.
  std::chrono::milliseconds query_timeout{2000};
  // Retry delays after a failure double from backoff_min up to backoff_max.
  // Default: 250 ms / 2 s, so sampling resumes within ~2 s of the server
  // being back while a long outage costs one connection attempt per 2 s.
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{2000};
  // false: db.sql statements are stored with literals replaced ($1, $2...),
  // so no customer values (emails, ids) reach the store. Default: false, as
  // the safe choice; true keeps the raw text in db.sql.statement.
  bool store_literals = false;
  // Distinct statements (query_ids, digests) whose names a sampler
  // remembers (like pg_stat_statements.max); the least recently seen are
  // forgotten. Default: 20000: twice max_statements_per_read, so one read of
  // statistics plus what sessions run always fits (a name forgotten while
  // still read would be fetched again every cycle).
  size_t max_tracked_statements = 20000;
  // Time between reads of the server's counters (db.*) and, with
  // host_metrics, of /proc (os.*). Default: 1 s, so rates are as fine as DB
  // load. Counters are cheap (one small query, ~0.3 ms).
  std::chrono::milliseconds counters_interval{1000};
  // Time between reads of per-SQL statistics (pg_stat_statements,
  // events_statements_summary_by_digest). Default: 60 s, Performance
  // Insights' own granularity for them: the view may hold 10,000+ rows, so
  // reading it every second would cost more than everything else together.
  std::chrono::milliseconds statements_interval{60'000};
  // Rows of per-SQL statistics read per cycle, most total time first; the
  // rest wait for a later cycle. Default: 5000 (~50-150 ms of server time
  // once per statements_interval; bench/README.md). At most
  // max_tracked_statements.
  size_t max_statements_per_read = 5000;
  // The instance runs on this host: read os.* from /proc and statvfs for the
  // file system and disk holding its data directory. Default: false (a
  // remote server's /proc is not ours).
  bool host_metrics = false;

  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
};

}  // namespace dbinsight::collect
