#include "model/metric_catalog.h"

#include <string>
#include <unordered_map>

namespace dbinsight::model {

const MetricInfo* FindMetricInfo(std::string_view name) {
  // Built once; the tables are constant. Families may share a name (both
  // engines' db.state.* gauges): the first family wins, descriptions agree.
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const MetricInfo*>;
    for (auto family : {PostgresMetrics(), MySqlMetrics(), OsMetrics(), InstanceMetrics(), PostgresStatementStats(),
                        MySqlStatementStats()}) {
      for (const MetricInfo& info : family) m->emplace(info.name, &info);
    }
    return m;
  }();
  auto it = index->find(name);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace dbinsight::model
