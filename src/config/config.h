// Config: the `dbinsight serve --config FILE` YAML mapped onto each module's
// Options struct (defaults live in those structs, never here). Every error
// names the offending key, e.g. "instances[0].vcpus: expected a positive
// integer". Plain values; parsing is a pure function of the text (and the
// environment/files that passwords are read from).
#pragma once

#include <string>
#include <vector>

#include "analysis/incident_detector.h"
#include "analysis/options.h"
#include "api/options.h"
#include "collect/options.h"
#include "common/log.h"
#include "common/status.h"
#include "dbconn/mysql_connection.h"
#include "dbconn/pg_connection.h"
#include "model/instance.h"
#include "notify/options.h"
#include "notify/types.h"
#include "store/options.h"

namespace dbinsight::config {

// The resources of AWS's RDS monitoring recipe that serve makes once for each
// instance (app/defaults.h says which): each can be switched off, top level
// or per instance. Default all on, so a fresh config alarms out of the box.
struct DefaultResources {
  bool alarms = true;            // the four RDS-* alarms
  bool anomaly_detector = true;  // on DatabaseConnections Average
  bool dashboard = true;         // RDS-Performance-<id>
  // The default alarms notify the topic db-performance-alerts (made when any
  // instance wants it) on ALARM and OK.
  bool topic = true;
};

// One subscriber of the default topic, from notifications.subscriptions.
struct Subscriber {
  notify::Protocol protocol = notify::Protocol::kEmail;
  std::string endpoint;
  notify::WebhookFormat format = notify::WebhookFormat::kSns;
};

struct InstanceConfig {
  model::InstanceInfo info;  // id, resource_id, engine, endpoint host/port, vcpus
  dbconn::ConnectOptions connect;      // engine postgres
  dbconn::MySqlConnectOptions mysql;   // engine mariadb / mysql
  collect::SamplerOptions sampler;
  DefaultResources defaults;  // the top level's, overridden by the instance's `defaults:`
  // `explain: true`: index advice may run EXPLAIN (and hypopg) on the
  // monitored tables; opt-in, the monitoring role then needs read access.
  bool explain = false;
};

struct Config {
  api::ServerOptions server;  // `listen:` fills host and port
  store::StoreOptions store;
  std::vector<InstanceConfig> instances;
  notify::NotifyOptions notify;  // `notifications:`: SMTP, webhooks, retries, UI links
  std::vector<Subscriber> subscribers;  // `notifications.subscriptions:`, of the default topic
  DefaultResources defaults;            // `defaults:`
  analysis::AnalyzerOptions analysis;   // `analysis:`: the scheduled analyzer
  analysis::IncidentOptions incidents;  // `incidents:`: the live detectors
  log::Level log_level = log::Level::kInfo;
};

// Relative paths (store, password_file) resolve against base_dir.
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& base_dir);
Result<Config> LoadConfig(const std::string& path);

}  // namespace dbinsight::config
