#include "app/serve.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "advise/my_index_advisor.h"
#include "advise/pg_index_advisor.h"
#include "alarm/alarm_store.h"
#include "analysis/report_job.h"
#include "analysis/report_store.h"
#include "api/server.h"
#include "app/alarm_loop.h"
#include "app/analyzer.h"
#include "app/defaults.h"
#include "app/incident_loop.h"
#include "bucket/bucket_store.h"
#include "collect/mysql/mysql_sampler.h"
#include "collect/poller.h"
#include "collect/postgres/pg_sampler.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "dashboard/dashboard_store.h"
#include "metrics/metric_engine.h"
#include "notify/alarm_message.h"
#include "notify/deliverer.h"
#include "notify/outbox.h"
#include "notify/smtp/smtp_transport.h"
#include "notify/webhook/webhook_transport.h"
#include "pi/query_engine.h"
#include "sql/normalizer.h"
#include "store/metric_store.h"
#include "store/store.h"
#include "web/ui.h"

namespace dbinsight::app {

namespace {

// How often finished minutes of idle instances are sealed and retention runs.
constexpr std::chrono::seconds kMaintenanceEvery{60};
// How often alarms are evaluated: CloudWatch's shortest alarm period.
constexpr std::chrono::seconds kAlarmEvery{10};

// Blocks SIGTERM/SIGINT in every thread started after this, so sigwait() in
// the main thread is the one place that sees them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

std::unique_ptr<collect::Sampler> MakeSampler(const config::InstanceConfig& ic, sql::NormalizerCache& normalizer) {
  if (ic.info.engine == "postgres")
    return std::make_unique<collect::postgres::PgSampler>(ic.info.id, ic.connect, ic.sampler, normalizer);
  return std::make_unique<collect::mysql::MySqlSampler>(ic.info.id, ic.mysql, ic.sampler, normalizer);
}

namespace {

// The advisor, shared by every report that asks, as analysis' port.
template <class Advisor, class Options>
analysis::IndexAdvisor Port(Options options) {
  auto advisor = std::make_shared<Advisor>(std::move(options));
  return [advisor](const std::string& statement, const std::string& database) {
    return advisor->Advise(statement, database);
  };
}

}  // namespace

analysis::IndexAdvisors MakeIndexAdvisors(const std::vector<config::InstanceConfig>& instances) {
  auto advisors = std::make_shared<std::map<std::string, analysis::IndexAdvisor>>();
  for (const config::InstanceConfig& ic : instances)
    (*advisors)[ic.info.id] =
        ic.info.engine == "postgres"
            ? Port<advise::PgIndexAdvisor>(advise::PgAdvisorOptions{.connect = ic.connect, .explain = ic.explain})
            : Port<advise::MyIndexAdvisor>(advise::MyAdvisorOptions{.connect = ic.mysql, .explain = ic.explain});
  return [advisors](const std::string& id) -> analysis::IndexAdvisor {
    auto it = advisors->find(id);
    return it == advisors->end() ? analysis::IndexAdvisor() : it->second;
  };
}

int Serve(const std::string& config_path) {
  auto cfg = config::LoadConfig(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "dbinsight: %s\n", cfg.status().message().c_str());
    return 2;
  }
  log::SetLevel(cfg->log_level);
  const sigset_t signals = BlockShutdownSignals();
  SystemClock clock;

  auto store = store::Store::Open(cfg->store, clock);
  if (!store.ok()) {
    log::Error("cannot open store: {}", store.status().ToString());
    return 1;
  }
  auto metric_store = store::MetricStore::Open(cfg->store, clock);
  if (!metric_store.ok()) {
    log::Error("cannot open metric store: {}", metric_store.status().ToString());
    return 1;
  }
  auto alarm_store = alarm::AlarmStore::Open(cfg->store.directory);
  if (!alarm_store.ok()) {
    log::Error("cannot open alarm store: {}", alarm_store.status().ToString());
    return 1;
  }
  auto dashboard_store = dashboard::DashboardStore::Open(cfg->store.directory);
  if (!dashboard_store.ok()) {
    log::Error("cannot open dashboard store: {}", dashboard_store.status().ToString());
    return 1;
  }
  auto outbox =
      notify::Outbox::Open(cfg->store.directory + "/notify.sqlite3", cfg->notify.region, cfg->notify.account_id);
  if (!outbox.ok()) {
    log::Error("cannot open the notification outbox: {}", outbox.status().ToString());
    return 1;
  }
  // The report store: versioned S3-style buckets beside the SQLite files.
  auto buckets = bucket::BucketStore::Open(cfg->store.directory + "/buckets", clock);
  if (!buckets.ok()) {
    log::Error("cannot open the bucket store: {}", buckets.status().ToString());
    return 1;
  }
  // PI performance analysis reports (root-cause reports).
  auto reports = analysis::ReportStore::Open(cfg->store.directory);
  if (!reports.ok()) {
    log::Error("cannot open the analysis report store: {}", reports.status().ToString());
    return 1;
  }
  // Before the API serves, so the first describe-alarms already lists them.
  // A failure leaves the rest working and is retried at the next start.
  if (Status st =
          ProvisionDefaults(*cfg, {*alarm_store.value(), *outbox.value(), *dashboard_store.value()}, clock.Now());
      !st.ok())
    log::Warn("default alarms, detector, dashboard or topic not all made: {}", st.ToString());
  auto smtp = notify::smtp::SmtpTransport::Create(cfg->notify.smtp);
  if (!smtp.ok()) {
    log::Error("notifications.smtp: {}", smtp.status().message());
    return 2;
  }
  notify::webhook::WebhookTransport webhook(cfg->notify.webhook);
  notify::Deliverer deliverer(*outbox.value(), *smtp.value(), webhook, cfg->notify.retry, cfg->notify.delivery);
  sql::NormalizerCache normalizer;
  collect::Poller poller(*store.value(), *metric_store.value(), clock);
  for (const config::InstanceConfig& ic : cfg->instances) {
    Status st = poller.Add(MakeSampler(ic, normalizer), ic.sampler);
    if (!st.ok()) {
      log::Error("instance {}: {}", ic.info.id, st.ToString());
      return 2;
    }
    log::Info("sampling instance {} ({} at {}:{}, resource id {}) every {} ms", ic.info.id, ic.info.engine,
              ic.info.host, ic.info.port, ic.info.resource_id, ic.sampler.interval.count());
  }

  pi::QueryEngine engine(*store.value(), *metric_store.value());
  auto instances = [&cfg, &poller] {
    std::vector<model::InstanceInfo> out;
    for (const config::InstanceConfig& ic : cfg->instances) {
      model::InstanceInfo info = ic.info;
      if (auto st = poller.StatusOf(info.id)) {
        info.sampling_live = st->live;
        info.last_error = st->last_error;
        if (st->last_sample_time) info.last_sample_epoch = ToEpochSeconds(*st->last_sample_time);
        info.samples = st->samples;
        info.failures = st->failures;
        info.gaps = st->gaps;
        info.role = st->facts.role;
        info.version = st->facts.version;
        info.features = st->facts.features;
        info.metrics_error = st->metrics.last_error;
        info.statements_warning = st->metrics.statements_warning;
        for (const auto& p : st->metrics.top_processes)
          info.top_processes.push_back({p.pid, p.name, p.cmdline, p.cpu_percent, p.mem_percent, p.rss_kb});
      }
      out.push_back(std::move(info));
    }
    return out;
  };
  metrics::MetricEngine metric_engine(*metric_store.value(), clock);
  std::vector<std::string> instance_ids;
  for (const config::InstanceConfig& ic : cfg->instances) instance_ids.push_back(ic.info.id);
  ScheduledAnalyzer analyzer(engine, metric_engine, *buckets.value(), instance_ids, cfg->analysis);
  // Each transition goes to the outbox of every SNS topic among its actions;
  // the delivery thread takes it from there (retries, dead letters).
  // Evaluations and SetAlarmState alike.
  auto notify_transition = [&](const alarm::Transition& t) {
    log::Info("alarm {}: {} -> {}: {}", t.definition.name, alarm::Name(t.previous.value), alarm::Name(t.current.value),
              t.current.reason);
    notify::AlarmEvent event{t.definition.name,
                             t.definition.description,
                             "",
                             std::string(alarm::Name(t.previous.value)),
                             std::string(alarm::Name(t.current.value)),
                             t.current.reason,
                             t.current.updated};
    for (const auto& d : t.definition.dimensions)
      if (d.name == "DBInstanceIdentifier") event.instance = d.value;
    if (!event.instance.empty() && t.current.value == alarm::StateValue::kAlarm)
      event.top_finding = analyzer.StatusOf(event.instance).top_finding;
    for (const std::string& arn : t.actions) {
      if (arn.rfind("arn:aws:sns:", 0) != 0) continue;
      auto id = outbox.value()->Publish(arn, notify::FormatAlarmMessage(event, cfg->notify), clock.Now());
      if (!id.ok()) log::Warn("alarm {}: cannot notify {}: {}", t.definition.name, arn, id.status().message());
    }
  };
  // Incidents left open by a previous run cannot be followed: the detectors
  // start afresh (and reopen what still goes on).
  auto incidents = analysis::IncidentStore::Open(cfg->store.directory);
  if (!incidents.ok()) {
    log::Error("cannot open the incident store: {}", incidents.status().ToString());
    return 1;
  }
  if (Status st = incidents.value()->CloseOpen(clock.Now(), "dbinsight restarted"); !st.ok())
    log::Warn("incidents left open: {}", st.ToString());
  std::vector<WatchedInstance> watched;
  for (const config::InstanceConfig& ic : cfg->instances) {
    watched.push_back({ic.info.id, static_cast<double>(ic.info.vcpus), ic.info.engine,
                       std::chrono::ceil<std::chrono::seconds>(ic.sampler.statements_interval)});
  }
  const std::string default_topic =
      fmt::format("arn:aws:sns:{}:{}:{}", cfg->notify.region, cfg->notify.account_id, kDefaultTopic);
  const analysis::IndexAdvisors index_advisors = MakeIndexAdvisors(cfg->instances);
  IncidentLoop incident_loop(engine, *incidents.value(), watched, cfg->incidents, [&](const IncidentEvent& e) {
    notify::IncidentNotice notice{e.id, e.instance, e.incident.kind, e.opened, e.incident.Summary()};
    if (!e.opened) {
      // Its root-cause report: the incident and the minute before it, so the
      // report sees what led to it. Listed with the instance's PI reports.
      const auto ic = std::find_if(cfg->instances.begin(), cfg->instances.end(),
                                   [&](const config::InstanceConfig& c) { return c.info.id == e.instance; });
      analysis::Report report;
      auto report_id = analysis::StoreAnalysis(
          engine, *reports.value(),
          {ic->info,
           e.incident.opened - std::chrono::minutes(1),
           e.incident.closed.value_or(clock.Now()),
           {{"incident", std::to_string(e.id)}, {"kind", e.incident.kind}},
           // The detector already found the condition sustained: an episode
           // as short as the incident still counts.
           {.min_high = std::min(analysis::RootCauseOptions{}.min_high,
                                 std::chrono::seconds(std::max<int64_t>(1, e.incident.seconds)))}},
          clock.Now(), index_advisors(e.instance), &report);
      if (report_id.ok()) {
        notice.report_id = *report_id;
        if (!report.findings.empty()) notice.top_finding = report.findings.front().summary;
      } else {
        log::Warn("incident {}: no root-cause report: {}", e.id, report_id.status().ToString());
      }
    }
    auto id = outbox.value()->Publish(default_topic, notify::FormatIncidentMessage(notice, cfg->notify), clock.Now());
    // No default topic (switched off or deleted): the incident is still stored and listed.
    if (!id.ok() && id.status().code() != StatusCode::kNotFound)
      log::Warn("incident {}: cannot notify {}: {}", e.id, default_topic, id.status().message());
  });
  // `aws lambda invoke` runs the analyzer from API workers; EventBridge shows its schedule.
  api::AnalyzerPort analyzer_port{.rule_name = cfg->analysis.rule_name,
                                  .schedule = cfg->analysis.schedule,
                                  .enabled = cfg->analysis.enabled,
                                  .region = cfg->notify.region,
                                  .account_id = cfg->notify.account_id,
                                  .run = [&analyzer](const std::string& id, WallTime now) -> Result<std::string> {
                                    auto report = analyzer.Run(id, now);
                                    if (!report.ok()) return report.status();
                                    return report->ToJson();
                                  }};
  for (const std::string& id : instance_ids)
    analyzer_port.functions.push_back({analyzer.FunctionOf(id), id, analyzer.BucketOf(id)});
  api::Server server(cfg->server, engine, metric_engine, instances,
                     {.alarms = alarm_store.value().get(),
                      .outbox = outbox.value().get(),
                      .dashboards = dashboard_store.value().get(),
                      .buckets = buckets.value().get(),
                      .reports = reports.value().get(),
                      .report_history = cfg->store.retention.one_second,
                      .analyzer = std::move(analyzer_port),
                      .index_advisors = index_advisors,
                      .alarm_transitions = notify_transition});
  server.Handle("GET", "/incidents",
                [&](const api::HttpRequest& request) { return IncidentList(*incidents.value(), request); });
  web::RegisterUi(server);
  if (Status st = server.Start(); !st.ok()) {
    log::Error("{}", st.ToString());
    return 1;
  }
  log::Info("dbinsight listening on http://{}:{} (store {})", cfg->server.host, server.port(), cfg->store.directory);

  std::jthread maintenance([&](std::stop_token stop) {
    while (clock.SleepUntil(clock.Monotonic() + kMaintenanceEvery, stop)) {
      if (Status st = store.value()->Maintain(clock.Now()); !st.ok())
        log::Warn("store maintenance failed: {}", st.ToString());
      if (Status st = metric_store.value()->Maintain(clock.Now()); !st.ok())
        log::Warn("metric store maintenance failed: {}", st.ToString());
    }
  });

  AlarmLoop alarm_loop(*alarm_store.value(), metric_engine, notify_transition);
  std::jthread delivery([&](std::stop_token stop) { deliverer.Run(clock, stop); });
  std::jthread analysis([&](std::stop_token stop) {
    if (!cfg->analysis.enabled) return;
    log::Info("analysis scheduled {}; reports in buckets {}", cfg->analysis.schedule, cfg->analysis.bucket);
    while (auto due = analyzer.NextDue(clock.Now())) {
      const auto wait = std::max<std::chrono::nanoseconds>(*due - clock.Now(), std::chrono::nanoseconds(0));
      if (!clock.SleepUntil(clock.Monotonic() + wait, stop)) return;
      // Failures are logged and retried by the analyzer itself.
      if (clock.Now() >= *due) (void)analyzer.RunDue(clock.Now());
    }
  });
  std::jthread alarms([&](std::stop_token stop) {
    while (clock.SleepUntil(clock.Monotonic() + kAlarmEvery, stop)) {
      if (Status st = alarm_loop.RunOnce(clock.Now()); !st.ok()) log::Warn("alarm evaluation: {}", st.ToString());
    }
  });

  std::jthread incident_thread([&](std::stop_token stop) {
    if (!cfg->incidents.enabled) return;
    while (clock.SleepUntil(clock.Monotonic() + std::chrono::seconds(1), stop))
      (void)incident_loop.RunOnce(clock.Now());
  });

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server.Stop();
  poller.Stop();
  maintenance.request_stop();
  alarms.request_stop();
  delivery.request_stop();
  analysis.request_stop();
  incident_thread.request_stop();
  return 0;
}

}  // namespace dbinsight::app
