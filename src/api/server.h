// api::Server: the HTTP front door of every AWS-compatible API dbinsight
// serves (PI over JSON 1.1, RDS over the query protocol, CloudWatch metrics
// over both query and JSON 1.0) plus GET /healthz.
// Owns a cpp-httplib server and the one thread that accepts connections
// (Start() starts it; Stop() or the destructor joins it); requests run on
// ServerOptions::threads workers. Borrows the query engine and the metric
// engine, which must outlive the server. Handle() must be called before Start(); Serve(),
// port() are safe from any thread once started; Start()/Stop() from one
// controlling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "analysis/index_advice.h"
#include "api/analyzer_port.h"
#include "api/options.h"
#include "api/protocol/http_types.h"
#include "common/status.h"
#include "model/instance.h"

namespace dbinsight::pi {
class QueryEngine;
}
namespace dbinsight::metrics {
class MetricEngine;
}
namespace dbinsight::alarm {
class AlarmStore;
struct Transition;
}  // namespace dbinsight::alarm
namespace dbinsight::notify {
class Outbox;
}
namespace dbinsight::bucket {
class BucketStore;
}
namespace dbinsight::dashboard {
class DashboardStore;
}
namespace dbinsight::analysis {
class ReportStore;
}

namespace dbinsight::api {

// The stores behind the APIs that write, each borrowed and optional.
struct Backends {
  alarm::AlarmStore* alarms = nullptr;              // CloudWatch alarms and anomaly detectors
  notify::Outbox* outbox = nullptr;                 // SNS topics, subscriptions, deliveries
  dashboard::DashboardStore* dashboards = nullptr;  // CloudWatch dashboards
  bucket::BucketStore* buckets = nullptr;           // S3 buckets (the report store)
  analysis::ReportStore* reports = nullptr;         // PI performance analysis reports
  // How far back per-second load is kept (the store's retention.one_second):
  // the oldest StartTime a performance analysis report may have.
  std::chrono::seconds report_history{7 * 86400};
  AnalyzerPort analyzer;                   // Lambda and EventBridge (absent while analyzer.run is empty)
  analysis::IndexAdvisors index_advisors;  // index advice in performance analysis reports (optional)
  // Hears the state changes SetAlarmState makes (notifications hang off it).
  std::function<void(const alarm::Transition&)> alarm_transitions;
};

class Server {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // instances: the current monitored instances with live status; called
  // once per request (PI Identifier resolution, RDS, CloudWatch ListMetrics,
  // /healthz).
  // backends: the optional stores behind the write APIs; a null one leaves
  // its operations out (servers that only read metrics, as in tests).
  Server(ServerOptions options, ::dbinsight::pi::QueryEngine& engine, metrics::MetricEngine& metric_engine,
         std::function<std::vector<model::InstanceInfo>()> instances, Backends backends = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds a route for other modules (e.g. web/): exact method and path match,
  // checked before the built-in routes. REQUIRES: before Start().
  void Handle(std::string method, std::string path, Handler handler);

  // Binds host:port (port 0 picks a free one) and starts serving. Returns
  // Unavailable naming the address when binding fails.
  Status Start();
  // The bound port after a successful Start(); otherwise options' port.
  int port() const;
  // Stops accepting, finishes running requests, joins the thread. Idempotent.
  void Stop();

  // Routes one request without the network: what every HTTP request goes
  // through. Never throws.
  HttpResponse Serve(const HttpRequest& request) const;

 private:
  struct Http;      // cpp-httplib server (server.cc), kept out of this header
  struct Services;  // protocol dispatchers and the services behind them
  struct Route {
    std::string method;
    std::string path;
    Handler handler;
  };

  HttpResponse ServeAws(const HttpRequest& request) const;
  HttpResponse Healthz() const;
  HttpResponse GapList(const HttpRequest& request) const;
  HttpResponse ProcessList(const HttpRequest& request) const;
  std::string NextRequestId() const;

  ServerOptions options_;
  ::dbinsight::pi::QueryEngine& engine_;
  std::function<std::vector<model::InstanceInfo>()> instances_;
  std::unique_ptr<Services> services_;
  std::vector<Route> routes_;
  std::unique_ptr<Http> http_;
  int bound_port_ = 0;
  uint64_t request_id_salt_;
  mutable std::atomic<uint64_t> request_counter_{0};
  std::jthread listener_;
};

}  // namespace dbinsight::api
