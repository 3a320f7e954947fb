#include "app/defaults.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

#include "common/log.h"
#include "dashboard/recipe.h"

namespace dbinsight::app {
namespace {

// Ledger items; the topic is one for all instances, recorded under "*".
constexpr const char* kAlarms = "alarms";
constexpr const char* kDetector = "anomaly_detector";
constexpr const char* kDashboard = "dashboard";
constexpr const char* kTopic = "topic";
constexpr const char* kAllInstances = "*";

// The ledger: lines "<instance id>\t<item>", appended and fsynced as each
// item is made. A torn last line (a crash mid-append) is ignored, and the
// item is made again only if it is missing.
class Ledger {
 public:
  explicit Ledger(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) {  // no newline: torn; the next append starts a new line
        torn_ = true;
        break;
      }
      if (auto tab = line.find('\t'); tab != std::string::npos)
        done_.emplace(line.substr(0, tab), line.substr(tab + 1));
    }
  }
  bool Has(const std::string& instance, const std::string& item) const { return done_.count({instance, item}) > 0; }
  Status Add(const std::string& instance, const std::string& item) {
    const std::string line = (torn_ ? "\n" : "") + instance + "\t" + item + "\n";
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Unavailable("cannot write " + path_);
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status::Unavailable("cannot write " + path_);
    done_.emplace(instance, item);
    torn_ = false;
    return Status::Ok();
  }

 private:
  std::string path_;
  std::set<std::pair<std::string, std::string>> done_;
  bool torn_ = false;
};

alarm::AlarmDefinition RecipeAlarm(const std::string& name, const std::string& description, const std::string& ns,
                                   const std::string& metric, alarm::Statistic stat, double threshold,
                                   const std::string& instance_id, const std::string& topic_arn) {
  alarm::AlarmDefinition d;
  d.name = name;
  d.description = description;
  d.metric_namespace = ns;
  d.metric_name = metric;
  d.dimensions = {{"DBInstanceIdentifier", instance_id}};
  d.statistic = stat;
  d.period = std::chrono::seconds(300);
  d.evaluation_periods = 2;
  d.threshold = threshold;
  d.comparison_operator = alarm::ComparisonOperator::kGreaterThanThreshold;
  if (!topic_arn.empty()) d.alarm_actions = d.ok_actions = {topic_arn};
  return d;
}

// Runs `make` unless the ledger has the item, and records it when it worked.
Status Once(Ledger& ledger, const std::string& instance, const std::string& item, const std::function<Status()>& make) {
  if (ledger.Has(instance, item)) return Status::Ok();
  DBI_RETURN_IF_ERROR(make());
  return ledger.Add(instance, item);
}

}  // namespace

std::vector<alarm::AlarmDefinition> RecipeAlarms(const std::string& id, const std::string& topic_arn) {
  const std::string pi = "RDS/PerformanceInsights";
  auto events = RecipeAlarm("RDS-HighLoadEvents-" + id, "Wait events with average load above 1.0 on " + id, pi,
                            "HighLoadEvents", alarm::Statistic::kSum, 5, id, topic_arn);
  auto queries = RecipeAlarm("RDS-ProblematicQueries-" + id, "SQL statements with average load above 0.5 on " + id,
                             pi, "ProblematicQueries", alarm::Statistic::kSum, 3, id, topic_arn);
  // The analyzer publishes these counts when it runs: no data means no
  // analysis yet, not a problem.
  events.treat_missing_data = queries.treat_missing_data = alarm::TreatMissingData::kNotBreaching;
  return {RecipeAlarm("RDS-HighDatabaseLoad-" + id, "More than 80 connections on " + id, "AWS/RDS",
                      "DatabaseConnections", alarm::Statistic::kAverage, 80, id, topic_arn),
          RecipeAlarm("RDS-HighCPUUtilization-" + id, "CPU above 75% on " + id, "AWS/RDS", "CPUUtilization",
                      alarm::Statistic::kAverage, 75, id, topic_arn),
          std::move(events), std::move(queries)};
}

Status ProvisionDefaults(const config::Config& cfg, const DefaultStores& stores, WallTime now) {
  Ledger ledger((std::filesystem::path(cfg.store.directory) / "defaults.applied").string());
  Status first = Status::Ok();
  auto note = [&first](const std::string& what, Status st) {
    if (st.ok()) return;
    log::Warn("default {}: {}", what, st.ToString());
    if (first.ok()) first = std::move(st);
  };

  bool want_topic = false;
  for (const auto& instance : cfg.instances) want_topic |= instance.defaults.topic;
  std::string topic_arn;
  if (want_topic) {
    // The topic is created (CreateTopic is idempotent) unless it was made
    // once already and since deleted by a user.
    if (!ledger.Has(kAllInstances, kTopic)) {
      auto topic = stores.outbox.CreateTopic(kDefaultTopic, now);
      if (topic.ok()) note("topic", ledger.Add(kAllInstances, kTopic));
      else note("topic", topic.status());
    }
    auto topics = stores.outbox.ListTopics();
    if (topics.ok()) {
      for (const auto& t : topics.value())
        if (t.name == kDefaultTopic) topic_arn = t.arn;
    } else {
      note("topic", topics.status());
    }
    for (const auto& s : cfg.subscribers) {
      if (topic_arn.empty()) {
        note("subscription", Status::NotFound(std::string("topic ") + kDefaultTopic + " was deleted; subscriber " +
                                              notify::RedactEndpoint(s.endpoint) + " not subscribed"));
        continue;
      }
      note("subscription", stores.outbox.Subscribe(topic_arn, s.protocol, s.endpoint, s.format, now).status());
    }
  }

  for (const auto& instance : cfg.instances) {
    const std::string& id = instance.info.id;
    const config::DefaultResources& want = instance.defaults;
    if (want.alarms) {
      note("alarms of " + id, Once(ledger, id, kAlarms, [&]() -> Status {
             for (const auto& def : RecipeAlarms(id, want.topic ? topic_arn : "")) {
               auto existing = stores.alarms.Get(def.name);
               if (!existing.ok()) return existing.status();
               if (!existing.value()) DBI_RETURN_IF_ERROR(stores.alarms.Put(def, now));
             }
             return Status::Ok();
           }));
    }
    if (want.anomaly_detector) {
      note("anomaly detector of " + id, Once(ledger, id, kDetector, [&] {
             return stores.alarms.PutDetector({.metric_namespace = "AWS/RDS",
                                               .metric_name = "DatabaseConnections",
                                               .dimensions = {{"DBInstanceIdentifier", id}},
                                               .stat = "Average",
                                               .configuration = ""});
           }));
    }
    if (want.dashboard) {
      note("dashboard of " + id, Once(ledger, id, kDashboard, [&]() -> Status {
             const std::string name = dashboard::RdsPerformanceDashboardName(id);
             auto existing = stores.dashboards.Get(name);
             if (!existing.ok()) return existing.status();
             if (existing.value()) return Status::Ok();
             return stores.dashboards.Put(name, dashboard::RdsPerformanceDashboard(id, cfg.notify.region), now);
           }));
    }
  }
  return first;
}

}  // namespace dbinsight::app
