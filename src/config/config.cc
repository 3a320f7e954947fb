#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "analysis/schedule.h"

namespace dbinsight::config {

namespace {

Status Bad(const std::string& key, const std::string& what) { return Status::InvalidArgument(key + ": " + what); }

// Rejects keys we do not know, so a typo ("intervall") is an error instead of
// a silently ignored setting.
Status CheckKeys(const YAML::Node& map, const std::string& where, const std::set<std::string>& known) {
  for (const auto& kv : map) {
    std::string k = kv.first.as<std::string>();
    if (!known.count(k)) {
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      return Bad(where.empty() ? k : where + "." + k, "unknown key (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<std::string> String(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return Bad(key, "expected a string");
  return n.as<std::string>();
}

Result<int64_t> PositiveInt(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return Bad(key, "expected a positive integer");
  const std::string s = n.as<std::string>();
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || v <= 0) return Bad(key, "expected a positive integer, got '" + s + "'");
  return static_cast<int64_t>(v);
}

Result<bool> Bool(const YAML::Node& n, const std::string& key) {
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) return Bad(key, "expected true or false");
  return v;
}

// "1s", "100ms", "2m", or a plain number of seconds.
Result<std::chrono::milliseconds> Duration(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return Bad(key, "expected a duration such as 1s or 100ms");
  const std::string s = n.as<std::string>();
  static const std::regex kRe(R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)?\s*$)");
  std::smatch m;
  if (!std::regex_match(s, m, kRe)) return Bad(key, "expected a duration such as 1s or 100ms, got '" + s + "'");
  double v = std::stod(m[1]);
  const std::string unit = m[2].matched ? m[2].str() : "s";
  double ms = unit == "ms" ? v : unit == "s" ? v * 1e3 : unit == "m" ? v * 6e4 : v * 3.6e6;
  return std::chrono::milliseconds(static_cast<int64_t>(ms + 0.5));
}

Result<store::Days> DaysValue(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return Bad(key, "expected a number of days such as 7d");
  std::string s = n.as<std::string>();
  if (!s.empty() && s.back() == 'd') s.pop_back();
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || v <= 0) return Bad(key, "expected a positive number of days such as 7d");
  return store::Days(v);
}

// Endpoint address and port from a libpq DSN (keyword form or URI), for
// describe-db-instances. Falls back to libpq's defaults.
void ParseEndpoint(const std::string& dsn, model::InstanceInfo& info) {
  info.host = "localhost";
  info.port = 5432;
  static const std::regex kUri(R"(^postgres(?:ql)?://(?:[^@/]*@)?(\[[^\]]*\]|[^:/?,]*)(?::([0-9]+))?)");
  std::smatch m;
  if (std::regex_search(dsn, m, kUri)) {
    if (m[1].length()) info.host = m[1];
    if (m[2].matched) info.port = std::stoi(m[2]);
    return;
  }
  static const std::regex kKv(R"((\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+))");
  for (auto it = std::sregex_iterator(dsn.begin(), dsn.end(), kKv); it != std::sregex_iterator(); ++it) {
    std::string k = (*it)[1], v = (*it)[2];
    if (v.size() >= 2 && v.front() == '\'') v = v.substr(1, v.size() - 2);
    if (k == "host" || k == "hostaddr") info.host = v;
    if (k == "port") info.port = std::atoi(v.c_str());
  }
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? path : (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

Status ParseSampler(const YAML::Node& node, const std::string& key, collect::SamplerOptions& s) {
  if (auto n = node["sample_interval"]) {
    auto d = Duration(n, key + "sample_interval");
    if (!d.ok()) return d.status();
    s.interval = d.value();
  }
  if (auto n = node["store_literals"]) {
    auto b = Bool(n, key + "store_literals");
    if (!b.ok()) return b.status();
    s.store_literals = b.value();
  }
  for (auto [name, field] : {std::pair{"counters_interval", &s.counters_interval},
                             std::pair{"statements_interval", &s.statements_interval},
                             std::pair{"connect_timeout", &s.connect_timeout},
                             std::pair{"query_timeout", &s.query_timeout}}) {
    if (auto n = node[name]) {
      auto d = Duration(n, key + name);
      if (!d.ok()) return d.status();
      *field = d.value();
    }
  }
  if (auto n = node["host_metrics"]) {
    auto b = Bool(n, key + "host_metrics");
    if (!b.ok()) return b.status();
    s.host_metrics = b.value();
  }
  Status st = s.Validate();
  // Validate()'s messages start with the field's name, which is the key at
  // top level; inside an instance the instance's key comes first.
  if (st.ok() || key.empty()) return st;
  return Bad(key.substr(0, key.size() - 1), st.message());
}

Result<InstanceConfig> ParseInstance(const YAML::Node& node, const std::string& key,
                                     const collect::SamplerOptions& defaults, const std::string& base_dir) {
  if (!node.IsMap()) return Bad(key, "expected a mapping with id, engine, dsn");
  DBI_RETURN_IF_ERROR(CheckKeys(node, key, {"id", "engine", "dsn", "vcpus", "resource_id", "password_env",
                                             "password_file", "replica_of", "sample_interval", "store_literals",
                                             "counters_interval", "statements_interval", "connect_timeout",
                                             "query_timeout", "host_metrics", "defaults", "explain"}));
  InstanceConfig ic;
  for (const char* required : {"id", "engine", "dsn"})
    if (!node[required]) return Bad(key + "." + required, "is required");
  auto id = String(node["id"], key + ".id");
  if (!id.ok()) return id.status();
  static const std::regex kId("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$");
  if (!std::regex_match(id.value(), kId))
    return Bad(key + ".id", "must be 1-63 letters, digits, '-', '_' or '.', got '" + id.value() + "'");
  ic.info.id = id.value();
  auto engine = String(node["engine"], key + ".engine");
  if (!engine.ok()) return engine.status();
  if (engine.value() == "postgres" || engine.value() == "postgresql") {
    ic.info.engine = "postgres";
  } else if (engine.value() == "mariadb" || engine.value() == "mysql") {
    ic.info.engine = engine.value();
  } else {
    return Bad(key + ".engine", "unsupported engine '" + engine.value() + "' (supported: postgres, mariadb, mysql)");
  }
  auto dsn = String(node["dsn"], key + ".dsn");
  if (!dsn.ok()) return dsn.status();
  if (ic.info.engine == "postgres") {
    ic.connect.conninfo = dsn.value();
    ParseEndpoint(dsn.value(), ic.info);
  } else {
    auto my = dbconn::ParseMySqlDsn(dsn.value());
    if (!my.ok()) return Bad(key + ".dsn", my.status().message());
    ic.mysql = std::move(my).value();
    ic.info.host = ic.mysql.socket.empty() ? ic.mysql.host : ic.mysql.socket;
    ic.info.port = ic.mysql.port;
  }
  ic.info.vcpus = 0;
  if (auto n = node["vcpus"]) {
    auto v = PositiveInt(n, key + ".vcpus");
    if (!v.ok()) return v.status();
    ic.info.vcpus = static_cast<int>(v.value());
  }
  ic.info.resource_id = model::DeriveResourceId(ic.info.id);
  if (auto n = node["resource_id"]) {
    auto r = String(n, key + ".resource_id");
    if (!r.ok()) return r.status();
    static const std::regex kRid("^db-[A-Za-z0-9-]{1,60}$");
    if (!std::regex_match(r.value(), kRid))
      return Bad(key + ".resource_id", "must look like db-ABC123 (letters, digits, '-'), got '" + r.value() + "'");
    ic.info.resource_id = r.value();
  }
  if (node["password_env"] && node["password_file"])
    return Bad(key + ".password_env", "give password_env or password_file, not both");
  if (auto n = node["password_env"]) {
    auto var = String(n, key + ".password_env");
    if (!var.ok()) return var.status();
    const char* v = std::getenv(var.value().c_str());
    if (!v) return Bad(key + ".password_env", "environment variable " + var.value() + " is not set");
    ic.connect.password = v;
    ic.mysql.password = v;
  }
  if (auto n = node["password_file"]) {
    auto path = String(n, key + ".password_file");
    if (!path.ok()) return path.status();
    std::ifstream f(Resolve(base_dir, path.value()));
    if (!f) return Bad(key + ".password_file", "cannot read " + path.value());
    std::string pw;
    std::getline(f, pw);
    ic.connect.password = pw;
    ic.mysql.password = pw;
  }
  if (auto n = node["replica_of"]) {
    auto r = String(n, key + ".replica_of");
    if (!r.ok()) return r.status();
    ic.info.replica_of = r.value();
  }
  if (auto n = node["explain"]) {
    auto b = Bool(n, key + ".explain");
    if (!b.ok()) return b.status();
    ic.explain = b.value();
  }
  ic.sampler = defaults;
  DBI_RETURN_IF_ERROR(ParseSampler(node, key + ".", ic.sampler));
  return ic;
}

Status ParseRetention(const YAML::Node& node, store::RetentionOptions& r) {
  if (!node.IsMap()) return Bad("retention", "expected a mapping such as {one_second: 7d}");
  DBI_RETURN_IF_ERROR(CheckKeys(node, "retention", {"one_second", "one_minute", "five_minute", "one_hour", "one_day"}));
  std::pair<const char*, store::Days*> fields[] = {{"one_second", &r.one_second},
                                                   {"one_minute", &r.one_minute},
                                                   {"five_minute", &r.five_minute},
                                                   {"one_hour", &r.one_hour},
                                                   {"one_day", &r.one_day}};
  for (auto& [name, field] : fields) {
    if (auto n = node[name]) {
      auto d = DaysValue(n, std::string("retention.") + name);
      if (!d.ok()) return d.status();
      *field = d.value();
    }
  }
  return Status::Ok();
}

// Reads each listed key of `node` that is present into its field.
template <class T, class Read>
Status ReadFields(const YAML::Node& node, const std::string& where,
                  std::initializer_list<std::pair<const char*, T*>> fields, Read read) {
  for (auto [name, field] : fields) {
    if (auto n = node[name]) {
      auto v = read(n, where + "." + name);
      if (!v.ok()) return v.status();
      *field = v.value();
    }
  }
  return Status::Ok();
}

// notifications.subscriptions: the subscribers of the default topic.
Result<std::vector<Subscriber>> ParseSubscribers(const YAML::Node& node) {
  const std::string key = "notifications.subscriptions";
  if (!node.IsSequence()) return Bad(key, "expected a list such as [{protocol: email, endpoint: oncall@example.com}]");
  std::vector<Subscriber> out;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string at = key + "[" + std::to_string(i) + "]";
    const YAML::Node& n = node[i];
    if (!n.IsMap()) return Bad(at, "expected {protocol, endpoint}");
    DBI_RETURN_IF_ERROR(CheckKeys(n, at, {"protocol", "endpoint", "format"}));
    Subscriber s;
    if (!n["protocol"] || !n["endpoint"]) return Bad(at, "needs protocol and endpoint");
    auto protocol = String(n["protocol"], at + ".protocol");
    if (!protocol.ok()) return protocol.status();
    auto parsed = notify::ParseProtocol(protocol.value());
    if (!parsed) return Bad(at + ".protocol", "expected email, http or https");
    s.protocol = *parsed;
    auto endpoint = String(n["endpoint"], at + ".endpoint");
    if (!endpoint.ok()) return endpoint.status();
    s.endpoint = endpoint.value();
    if (!notify::ValidEndpoint(s.protocol, s.endpoint))
      return Bad(at + ".endpoint", "expected an e-mail address, or a URL matching the protocol");
    s.format = notify::DefaultWebhookFormat(s.endpoint);
    if (auto f = n["format"]) {
      auto format = String(f, at + ".format");
      if (!format.ok()) return format.status();
      auto parsed_format = notify::ParseWebhookFormat(format.value());
      if (!parsed_format) return Bad(at + ".format", "expected sns, raw, slack or teams");
      s.format = *parsed_format;
    }
    out.push_back(std::move(s));
  }
  return out;
}

// `defaults: false`, or a mapping switching each kind on or off.
Status ParseDefaults(const YAML::Node& node, const std::string& key, DefaultResources& d) {
  if (node.IsScalar()) {
    auto b = Bool(node, key);
    if (!b.ok()) return Bad(key, "expected true, false or {alarms, anomaly_detector, dashboard, topic}");
    d = {.alarms = b.value(), .anomaly_detector = b.value(), .dashboard = b.value(), .topic = b.value()};
    return Status::Ok();
  }
  if (!node.IsMap()) return Bad(key, "expected true, false or {alarms, anomaly_detector, dashboard, topic}");
  DBI_RETURN_IF_ERROR(CheckKeys(node, key, {"alarms", "anomaly_detector", "dashboard", "topic"}));
  for (auto [name, field] : {std::pair{"alarms", &d.alarms}, std::pair{"anomaly_detector", &d.anomaly_detector},
                             std::pair{"dashboard", &d.dashboard}, std::pair{"topic", &d.topic}}) {
    if (auto n = node[name]) {
      auto b = Bool(n, key + "." + name);
      if (!b.ok()) return b.status();
      *field = b.value();
    }
  }
  return Status::Ok();
}

Status ParseAnalysis(const YAML::Node& node, analysis::AnalyzerOptions& o) {
  if (!node.IsMap()) return Bad("analysis", "expected a mapping such as {schedule: rate(15 minutes)}");
  DBI_RETURN_IF_ERROR(CheckKeys(node, "analysis", {"enabled", "schedule", "bucket", "function_name", "rule_name",
                                                   "retry_after", "high_load_threshold",
                                                   "problematic_query_threshold"}));
  if (auto n = node["enabled"]) {
    auto b = Bool(n, "analysis.enabled");
    if (!b.ok()) return b.status();
    o.enabled = b.value();
  }
  DBI_RETURN_IF_ERROR(ReadFields<std::string>(node, "analysis",
                                              {{"schedule", &o.schedule},
                                               {"bucket", &o.bucket},
                                               {"function_name", &o.function_name},
                                               {"rule_name", &o.rule_name}},
                                              String));
  if (auto s = analysis::Schedule::Parse(o.schedule); !s.ok()) return Bad("analysis.schedule", s.status().message());
  if (o.bucket.empty()) return Bad("analysis.bucket", "expected a bucket name such as dbinsight-reports-{id}");
  // Lambda and EventBridge names: letters, digits, '-' and '_' ('.' too for
  // rules), at most 64; a function name's "{id}" is filled in per instance.
  auto name_ok = [](std::string name, std::string_view extra) {
    if (auto at = name.find("{id}"); at != std::string::npos && extra.empty()) name.erase(at, 4);
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || extra.find(c) != extra.npos;
    });
  };
  if (!name_ok(o.function_name, ""))
    return Bad("analysis.function_name", "expected letters, digits, '-', '_' and {id}, e.g. dbinsight-analyzer-{id}");
  if (!name_ok(o.rule_name, "."))
    return Bad("analysis.rule_name", "expected letters, digits, '.', '-' and '_', e.g. dbinsight-performance-analysis");
  if (auto n = node["retry_after"]) {
    auto d = Duration(n, "analysis.retry_after");
    if (!d.ok()) return d.status();
    o.retry_after = std::chrono::duration_cast<std::chrono::seconds>(d.value());
    if (o.retry_after.count() < 1) return Bad("analysis.retry_after", "expected at least 1s");
  }
  for (auto [name, field] : {std::pair{"high_load_threshold", &o.reference.high_load_threshold},
                             std::pair{"problematic_query_threshold", &o.reference.problematic_query_threshold}}) {
    if (auto n = node[name]) {
      double v = 0;
      if (!YAML::convert<double>::decode(n, v) || !(v >= 0))
        return Bad(std::string("analysis.") + name, "expected a number of average active sessions, e.g. 1.0");
      *field = v;
    }
  }
  return Status::Ok();
}

// The keys every incident kind has (enabled, open_after, close_after), then
// its own numbers (each positive) and durations (each at least 1 s). Unknown
// keys are errors; `extra` names keys the caller parses itself.
struct KindNumber {
  const char* key;
  double* field;
  const char* what;  // "a multiple of the vCPUs"
};
struct KindDuration {
  const char* key;
  std::chrono::seconds* field;
};
Status ParseKind(const YAML::Node& node, const std::string& where, analysis::RunOptions& run,
                 std::initializer_list<KindNumber> numbers, std::initializer_list<KindDuration> durations,
                 const std::set<std::string>& extra = {}) {
  if (!node.IsMap()) return Bad(where, "expected a mapping such as {open_after: 5s, close_after: 30s}");
  std::set<std::string> known = {"enabled", "open_after", "close_after"};
  for (const auto& n : numbers) known.insert(n.key);
  for (const auto& d : durations) known.insert(d.key);
  known.insert(extra.begin(), extra.end());
  DBI_RETURN_IF_ERROR(CheckKeys(node, where, known));
  if (auto n = node["enabled"]) {
    auto b = Bool(n, where + ".enabled");
    if (!b.ok()) return b.status();
    run.enabled = b.value();
  }
  std::vector<KindDuration> all_durations = {{"open_after", &run.open_after}, {"close_after", &run.close_after}};
  all_durations.insert(all_durations.end(), durations.begin(), durations.end());
  for (const auto& [name, field] : all_durations) {
    if (auto n = node[name]) {
      auto d = Duration(n, where + "." + name);
      if (!d.ok()) return d.status();
      *field = std::chrono::duration_cast<std::chrono::seconds>(d.value());
      if (field->count() < 1) return Bad(where + "." + name, "expected at least 1s");
    }
  }
  for (const auto& [name, field, what] : numbers) {
    if (auto n = node[name]) {
      double v = 0;
      if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !(v > 0))
        return Bad(where + "." + name, std::string("expected a positive number (") + what + ")");
      *field = v;
    }
  }
  return Status::Ok();
}

// A close line above its open line would open and close on the same value.
Status CheckLines(const std::string& where, const char* close_key, double close, double open) {
  if (close > open) return Bad(where + "." + close_key, "must not be above the open line, or incidents would flap");
  return Status::Ok();
}

// `incidents:`: the top level holds high-load's keys (as before the other
// kinds existed) and one mapping per other kind.
Status ParseIncidents(const YAML::Node& node, analysis::IncidentOptions& o) {
  DBI_RETURN_IF_ERROR(ParseKind(node, "incidents", o.high_load.run,
                                {{"open_factor", &o.high_load.open_factor, "a multiple of the vCPUs"},
                                 {"close_factor", &o.high_load.close_factor, "a multiple of the vCPUs"}},
                                {}, {"lock_chain", "connections", "latency_regression"}));
  // `enabled` at the top level switches all live detection, high-load's with it.
  o.enabled = o.high_load.run.enabled;
  DBI_RETURN_IF_ERROR(CheckLines("incidents", "close_factor", o.high_load.close_factor, o.high_load.open_factor));
  if (auto n = node["lock_chain"]) {
    DBI_RETURN_IF_ERROR(
        ParseKind(n, "incidents.lock_chain", o.lock_chain.run, {}, {{"min_wait", &o.lock_chain.min_wait}}));
  }
  if (auto n = node["connections"]) {
    auto& c = o.connections;
    DBI_RETURN_IF_ERROR(ParseKind(n, "incidents.connections", c.run,
                                  {{"open_fraction", &c.open_fraction, "a fraction of max_connections"},
                                   {"close_fraction", &c.close_fraction, "a fraction of max_connections"}},
                                  {}));
    if (c.open_fraction > 1) return Bad("incidents.connections.open_fraction", "expected at most 1");
    DBI_RETURN_IF_ERROR(CheckLines("incidents.connections", "close_fraction", c.close_fraction, c.open_fraction));
  }
  if (auto n = node["latency_regression"]) {
    auto& r = o.latency_regression;
    DBI_RETURN_IF_ERROR(ParseKind(n, "incidents.latency_regression", r.run,
                                  {{"ratio", &r.ratio, "a multiple of the baseline latency"},
                                   {"close_ratio", &r.close_ratio, "a multiple of the baseline latency"},
                                   {"min_calls", &r.min_calls, "calls in one statistics interval"}},
                                  {{"baseline", &r.baseline}}, {"min_increase"}));
    if (auto m = n["min_increase"]) {
      auto d = Duration(m, "incidents.latency_regression.min_increase");
      if (!d.ok()) return d.status();
      r.min_increase_ms = static_cast<double>(d->count());
    }
    if (r.ratio <= 1) return Bad("incidents.latency_regression.ratio", "expected more than 1");
    DBI_RETURN_IF_ERROR(CheckLines("incidents.latency_regression", "close_ratio", r.close_ratio, r.ratio));
  }
  return Status::Ok();
}

Status ParseNotify(const YAML::Node& node, const std::string& base_dir, notify::NotifyOptions& o) {
  if (!node.IsMap()) return Bad("notifications", "expected a mapping such as {smtp: {host: mail.example.com}}");
  DBI_RETURN_IF_ERROR(CheckKeys(node, "notifications", {"smtp", "webhook", "retry", "delivery", "ui_base_url", "region",
                                                        "account_id", "subscriptions"}));
  DBI_RETURN_IF_ERROR(ReadFields<std::string>(
      node, "notifications", {{"ui_base_url", &o.ui_base_url}, {"region", &o.region}, {"account_id", &o.account_id}}, String));
  if (auto smtp = node["smtp"]) {
    if (!smtp.IsMap()) return Bad("notifications.smtp", "expected a mapping with host, port, from...");
    DBI_RETURN_IF_ERROR(CheckKeys(smtp, "notifications.smtp", {"host", "port", "from", "tls", "starttls", "username",
                                                               "password_file", "ca_file", "connect_timeout",
                                                               "timeout"}));
    DBI_RETURN_IF_ERROR(ReadFields<std::string>(
        smtp, "notifications.smtp",
        {{"host", &o.smtp.host}, {"from", &o.smtp.from}, {"username", &o.smtp.username},
         {"password_file", &o.smtp.password_file}, {"ca_file", &o.smtp.ca_file}},
        String));
    if (!o.smtp.password_file.empty()) o.smtp.password_file = Resolve(base_dir, o.smtp.password_file);
    if (!o.smtp.ca_file.empty()) o.smtp.ca_file = Resolve(base_dir, o.smtp.ca_file);
    if (auto n = smtp["port"]) {
      auto p = PositiveInt(n, "notifications.smtp.port");
      if (!p.ok()) return p.status();
      if (p.value() > 65535) return Bad("notifications.smtp.port", "expected a port number");
      o.smtp.port = static_cast<int>(p.value());
    }
    if (auto n = smtp["tls"]) {
      auto t = String(n, "notifications.smtp.tls");
      if (!t.ok()) return t.status();
      auto tls = notify::ParseSmtpTls(t.value());
      if (!tls) return Bad("notifications.smtp.tls", "expected off, starttls-optional, starttls or smtps");
      o.smtp.tls = *tls;
    }
    // The short form: starttls true (required) or false (plain SMTP).
    if (auto n = smtp["starttls"]) {
      if (smtp["tls"]) return Bad("notifications.smtp.starttls", "give either tls or starttls, not both");
      auto b = Bool(n, "notifications.smtp.starttls");
      if (!b.ok()) return b.status();
      o.smtp.tls = b.value() ? notify::SmtpTls::kStartTls : notify::SmtpTls::kOff;
    }
    DBI_RETURN_IF_ERROR(ReadFields<std::chrono::milliseconds>(
        smtp, "notifications.smtp", {{"connect_timeout", &o.smtp.connect_timeout}, {"timeout", &o.smtp.timeout}}, Duration));
  }
  if (auto webhook = node["webhook"]) {
    DBI_RETURN_IF_ERROR(CheckKeys(webhook, "notifications.webhook", {"connect_timeout", "timeout"}));
    DBI_RETURN_IF_ERROR(ReadFields<std::chrono::milliseconds>(
        webhook, "notifications.webhook", {{"connect_timeout", &o.webhook.connect_timeout}, {"timeout", &o.webhook.timeout}},
        Duration));
  }
  if (auto retry = node["retry"]) {
    DBI_RETURN_IF_ERROR(CheckKeys(retry, "notifications.retry", {"base_delay", "max_delay", "max_attempts"}));
    DBI_RETURN_IF_ERROR(ReadFields<std::chrono::milliseconds>(
        retry, "notifications.retry", {{"base_delay", &o.retry.base_delay}, {"max_delay", &o.retry.max_delay}}, Duration));
    if (auto n = retry["max_attempts"]) {
      auto a = PositiveInt(n, "notifications.retry.max_attempts");
      if (!a.ok()) return a.status();
      o.retry.max_attempts = static_cast<int>(a.value());
    }
  }
  if (auto delivery = node["delivery"]) {
    DBI_RETURN_IF_ERROR(CheckKeys(delivery, "notifications.delivery", {"poll_interval", "max_parallel"}));
    DBI_RETURN_IF_ERROR(ReadFields<std::chrono::milliseconds>(
        delivery, "notifications.delivery", {{"poll_interval", &o.delivery.poll_interval}}, Duration));
    if (auto n = delivery["max_parallel"]) {
      auto a = PositiveInt(n, "notifications.delivery.max_parallel");
      if (!a.ok()) return a.status();
      o.delivery.max_parallel = static_cast<int>(a.value());
    }
  }
  return Status::Ok();
}

Result<Config> Parse(const YAML::Node& root, const std::string& base_dir) {
  if (!root.IsMap()) return Status::InvalidArgument("config: expected a mapping with listen, store, instances");
  DBI_RETURN_IF_ERROR(CheckKeys(root, "", {"listen", "store", "instances", "retention", "sample_interval",
                                           "store_literals", "counters_interval", "statements_interval",
                                           "connect_timeout", "query_timeout", "log_level", "notifications",
                                           "defaults", "analysis", "incidents"}));
  Config c;
  if (auto n = root["listen"]) {
    auto l = String(n, "listen");
    if (!l.ok()) return l.status();
    static const std::regex kListen(R"(^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$)");
    std::smatch m;
    if (!std::regex_match(l.value(), m, kListen) || std::stoi(m[2]) > 65535)
      return Bad("listen", "expected HOST:PORT such as 127.0.0.1:8421, got '" + l.value() + "'");
    c.server.host = m[1];
    if (c.server.host.front() == '[') c.server.host = c.server.host.substr(1, c.server.host.size() - 2);
    c.server.port = std::stoi(m[2]);
  }
  if (!root["store"]) return Bad("store", "is required (the data directory)");
  auto store = String(root["store"], "store");
  if (!store.ok()) return store.status();
  c.store.directory = Resolve(base_dir, store.value());
  if (auto n = root["retention"]) DBI_RETURN_IF_ERROR(ParseRetention(n, c.store.retention));
  if (auto n = root["notifications"]) {
    DBI_RETURN_IF_ERROR(ParseNotify(n, base_dir, c.notify));
    if (auto subs = n["subscriptions"]) {
      auto parsed = ParseSubscribers(subs);
      if (!parsed.ok()) return parsed.status();
      c.subscribers = std::move(parsed.value());
    }
  }
  if (auto n = root["defaults"]) DBI_RETURN_IF_ERROR(ParseDefaults(n, "defaults", c.defaults));
  if (auto n = root["analysis"]) DBI_RETURN_IF_ERROR(ParseAnalysis(n, c.analysis));
  if (auto n = root["incidents"]) DBI_RETURN_IF_ERROR(ParseIncidents(n, c.incidents));
  if (auto n = root["log_level"]) {
    auto l = String(n, "log_level");
    if (!l.ok()) return l.status();
    if (l.value() == "debug") c.log_level = log::Level::kDebug;
    else if (l.value() == "info") c.log_level = log::Level::kInfo;
    else if (l.value() == "warn") c.log_level = log::Level::kWarn;
    else if (l.value() == "error") c.log_level = log::Level::kError;
    else return Bad("log_level", "expected debug, info, warn or error");
  }
  collect::SamplerOptions defaults;
  DBI_RETURN_IF_ERROR(ParseSampler(root, "", defaults));
  const YAML::Node instances = root["instances"];
  if (!instances || !instances.IsSequence() || instances.size() == 0)
    return Bad("instances", "expected a list of at least one instance");
  std::set<std::string> ids, resource_ids;
  for (size_t i = 0; i < instances.size(); ++i) {
    const std::string key = "instances[" + std::to_string(i) + "]";
    auto ic = ParseInstance(instances[i], key, defaults, base_dir);
    if (!ic.ok()) return ic.status();
    ic->defaults = c.defaults;
    if (auto n = instances[i]["defaults"]) DBI_RETURN_IF_ERROR(ParseDefaults(n, key + ".defaults", ic->defaults));
    if (!ids.insert(ic->info.id).second) return Bad(key + ".id", "duplicate id '" + ic->info.id + "'");
    if (!resource_ids.insert(ic->info.resource_id).second)
      return Bad(key + ".resource_id", "duplicate resource_id '" + ic->info.resource_id + "'");
    c.instances.push_back(std::move(ic.value()));
  }
  for (size_t i = 0; i < c.instances.size(); ++i) {
    const std::string& source = c.instances[i].info.replica_of;
    if (!source.empty() && !ids.count(source))
      return Bad("instances[" + std::to_string(i) + "].replica_of", "no instance with id '" + source + "'");
  }
  return c;
}

}  // namespace

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& base_dir) {
  try {
    return Parse(YAML::Load(yaml_text), base_dir);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("config: YAML syntax error at line " + std::to_string(e.mark.line + 1) +
                                   ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::InvalidArgument("config: cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto base = std::filesystem::absolute(path).parent_path().string();
  auto c = ParseConfig(ss.str(), base);
  if (!c.ok()) return Status::InvalidArgument(path + ": " + c.status().message());
  return c;
}

}  // namespace dbinsight::config
