// Default resources: what AWS's RDS monitoring recipe sets up by hand, made by
// `dbinsight serve` for each configured instance so alarms work out of the
// box: the alarms RDS-HighDatabaseLoad-<id>, RDS-HighCPUUtilization-<id>,
// RDS-HighLoadEvents-<id>, RDS-ProblematicQueries-<id>, an anomaly detector on
// DatabaseConnections Average, the dashboard RDS-Performance-<id>, and the
// topic db-performance-alerts (the alarms' ALARM and OK action) with the
// config's subscribers. config::DefaultResources switches each off.
//
// Each resource is made once: a ledger file (<store>/defaults.applied) records
// what was made per instance, so an alarm a user deleted or changed stays so
// across restarts, and one made by hand under the same name is never
// overwritten. Subscribers listed in the config are (re)subscribed at every
// start; removing one from the config does not unsubscribe it (use
// `aws sns unsubscribe`), because the API may have subscribed it too.
// Runs once at start, before the API serves; not thread-safe.
#pragma once

#include <string>

#include "alarm/alarm_store.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "dashboard/dashboard_store.h"
#include "notify/outbox.h"

namespace dbinsight::app {

inline constexpr const char* kDefaultTopic = "db-performance-alerts";

struct DefaultStores {
  alarm::AlarmStore& alarms;
  notify::Outbox& outbox;
  dashboard::DashboardStore& dashboards;
};

// The recipe's four alarms for one instance; `topic_arn` (may be empty) is
// their ALARM and OK action.
std::vector<alarm::AlarmDefinition> RecipeAlarms(const std::string& instance_id, const std::string& topic_arn);

// Makes the resources `cfg` asks for that the ledger in cfg.store.directory
// does not list yet, and subscribes the config's subscribers. A failure is
// returned after the other resources were still attempted; what failed is
// not recorded, so the next start tries it again.
Status ProvisionDefaults(const config::Config& cfg, const DefaultStores& stores, WallTime now);

}  // namespace dbinsight::app
