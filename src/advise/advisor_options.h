// What every index advisor is configured with; only the connection's type
// differs by engine. Plain data.
#pragma once

namespace dbinsight::advise {

template <class ConnectOptions>
struct AdvisorOptions {
  ConnectOptions connect;  // the instance's monitoring connection
  // Default off: EXPLAIN needs read access to the monitored tables
  // (pg_read_all_data; SELECT on MariaDB/MySQL), which a least-privilege
  // monitor lacks; a DBA grants it and turns this on.
  bool explain = false;
  // Tables with fewer rows are not worth an index: a scan of them is cheap.
  double min_rows = 10000;
};

}  // namespace dbinsight::advise
