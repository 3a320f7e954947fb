// Config: the `dbinsight serve --config FILE` YAML mapped onto each module's
// Options struct (defaults live in those structs, never here). Every error
// names the offending key, e.g. "instances[0].vcpus: expected a positive
// integer". Plain values; parsing is a pure function of the text (and the
// environment/files that passwords are read from).
#pragma once

#include <string>
#include <vector>

#include "api/options.h"
#include "collect/options.h"
#include "common/log.h"
#include "common/status.h"
#include "dbconn/mysql_connection.h"
#include "dbconn/pg_connection.h"
#include "model/instance.h"
#include "notify/options.h"
#include "store/options.h"

namespace dbinsight::config {

struct InstanceConfig {
  model::InstanceInfo info;  // id, resource_id, engine, endpoint host/port, vcpus
  dbconn::ConnectOptions connect;      // engine postgres
  dbconn::MySqlConnectOptions mysql;   // engine mariadb / mysql
  collect::SamplerOptions sampler;
};

struct Config {
  api::ServerOptions server;  // `listen:` fills host and port
  store::StoreOptions store;
  std::vector<InstanceConfig> instances;
  notify::NotifyOptions notify;  // `notify:`: SMTP, webhooks, retries, UI links
  log::Level log_level = log::Level::kInfo;
};

// Relative paths (store, password_file) resolve against base_dir.
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& base_dir);
Result<Config> LoadConfig(const std::string& path);

}  // namespace dbinsight::config
