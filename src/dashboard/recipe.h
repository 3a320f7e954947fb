// The default per-instance dashboard of AWS's RDS monitoring recipe,
// "RDS-Performance-<instance id>": database load, Performance Insights
// problem counters, I/O, and the recent slow-query log. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight::dashboard {

// "RDS-Performance-<instance_id>".
std::string RdsPerformanceDashboardName(std::string_view instance_id);

// The dashboard body (JSON text) for one instance in `region`: four widgets,
// each 12x6 on a two-column grid, every metric filtered by
// DBInstanceIdentifier = instance_id. Passes ValidateBody without warnings.
std::string RdsPerformanceDashboard(std::string_view instance_id, std::string_view region);

}  // namespace dbinsight::dashboard
