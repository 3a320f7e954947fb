#include "api/server.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <system_error>

#include "api/cloudwatch/alarm_service.h"
#include "api/cloudwatch/cloudwatch_service.h"
#include "api/cloudwatch/dashboard_service.h"
#include "api/events/events_service.h"
#include "api/lambda/lambda_service.h"
#include "api/s3/s3_service.h"
#include "api/sns/sns_service.h"
#include "api/httplib_door.h"
#include "api/pi/analysis_reports.h"
#include "api/pi/pi_service.h"
#include "api/protocol/json_dispatcher.h"
#include "api/protocol/query_dispatcher.h"
#include "api/protocol/timestamps.h"
#include "api/rds/rds_service.h"
#include "common/log.h"
#include "pi/query_engine.h"

namespace dbinsight::api {

struct Server::Http {
  httplib::Server server;
  std::atomic<bool> listener_done{false};
};

struct Server::Services {
  Services(::dbinsight::pi::QueryEngine& engine, metrics::MetricEngine& metric_engine,
           const std::function<std::vector<model::InstanceInfo>()>& instances, const Backends& backends)
      : pi(engine, instances),
        rds(instances),
        cloudwatch(metric_engine, instances),
        pi_dispatcher(std::string(pi::kTargetPrefix), pi::kErrors),
        rds_dispatcher(std::string(rds::kSigningName), std::string(rds::kVersion), std::string(rds::kXmlns),
                       rds::kErrors),
        cloudwatch_json(std::string(cloudwatch::kTargetPrefix), cloudwatch::kErrors,
                        protocol::JsonProtocol::kJson10QueryCompatible),
        cloudwatch_query(std::string(cloudwatch::kSigningName), std::string(cloudwatch::kVersion),
                         std::string(cloudwatch::kXmlns), cloudwatch::kErrors),
        sns_dispatcher(std::string(sns::kSigningName), std::string(sns::kVersion), std::string(sns::kXmlns),
                       sns::kErrors),
        analyzer(backends.analyzer),
        events_dispatcher(std::string(events::kTargetPrefix), events::kErrors) {
    pi.Register(pi_dispatcher);
    if (backends.reports != nullptr)
      reports
          .emplace(engine, instances, *backends.reports, [&metric_engine] { return metric_engine.Now(); },
                   backends.report_history, backends.index_advisors)
          .Register(pi_dispatcher);
    rds.Register(rds_dispatcher);
    cloudwatch.Register(cloudwatch_query, cloudwatch_json);
    if (backends.alarms != nullptr)
      alarms.emplace(*backends.alarms, metric_engine, backends.alarm_transitions)
          .Register(cloudwatch_query, cloudwatch_json);
    if (backends.dashboards != nullptr)
      dashboards.emplace(*backends.dashboards, metric_engine).Register(cloudwatch_query, cloudwatch_json);
    if (backends.buckets != nullptr) s3.emplace(*backends.buckets);
    if (backends.outbox != nullptr)
      sns.emplace(*backends.outbox, [&metric_engine] { return metric_engine.Now(); }).Register(sns_dispatcher);
    if (analyzer.run) {
      lambda.emplace(analyzer, [&metric_engine] { return metric_engine.Now(); });
      events.emplace(analyzer).Register(events_dispatcher);
    }
  }
  pi::PiService pi;
  std::optional<pi::AnalysisReportService> reports;  // registered on pi_dispatcher
  rds::RdsService rds;
  cloudwatch::CloudWatchService cloudwatch;
  std::optional<cloudwatch::AlarmService> alarms;
  std::optional<cloudwatch::DashboardService> dashboards;
  protocol::JsonDispatcher pi_dispatcher;
  protocol::QueryDispatcher rds_dispatcher;
  protocol::JsonDispatcher cloudwatch_json;
  protocol::QueryDispatcher cloudwatch_query;
  std::optional<sns::SnsService> sns;
  std::optional<s3::S3Service> s3;
  protocol::QueryDispatcher sns_dispatcher;
  const AnalyzerPort analyzer;  // the Lambda and EventBridge services borrow it
  std::optional<lambda::LambdaService> lambda;
  std::optional<events::EventsService> events;
  protocol::JsonDispatcher events_dispatcher;
};

namespace {

HttpRequest FromHttplib(const httplib::Request& in, std::string body) {
  HttpRequest r;
  r.method = in.method;
  r.path = in.path;
  if (size_t q = in.target.find('?'); q != std::string::npos) r.query = in.target.substr(q + 1);
  for (const auto& [k, v] : in.headers) {
    auto [it, inserted] = r.headers.emplace(k, v);
    if (!inserted) it->second += "," + v;
  }
  r.body = std::move(body);
  r.remote_addr = in.remote_addr;
  return r;
}

void ToHttplib(const HttpResponse& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [k, v] : in.headers) out.set_header(k, v);
  out.set_content(in.body, in.content_type);
}

HttpResponse PlainJson(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

bool LooksLikeJson(const HttpRequest& request) {
  return request.Header("Content-Type").find("json") != std::string::npos;
}

}  // namespace

Server::Server(ServerOptions options, ::dbinsight::pi::QueryEngine& engine, metrics::MetricEngine& metric_engine,
               std::function<std::vector<model::InstanceInfo>()> instances, Backends backends)
    : options_(std::move(options)),
      engine_(engine),
      instances_(std::move(instances)),
      services_(std::make_unique<Services>(engine, metric_engine, instances_, backends)),
      bound_port_(options_.port),
      request_id_salt_((uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}

Server::~Server() { Stop(); }

void Server::Handle(std::string method, std::string path, Handler handler) {
  DBI_CHECK(!http_);
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler)});
}

Status Server::Start() {
  DBI_CHECK(!http_);
  http_ = std::make_unique<Http>();
  httplib::Server& s = http_->server;
  size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  // httplib takes ownership of the queue it gets from this factory.
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_keep_alive_max_count(options_.keep_alive_max_requests);
  s.set_keep_alive_timeout(options_.keep_alive_timeout.count());
  s.set_read_timeout(options_.read_timeout.count(), 0);
  s.set_write_timeout(options_.write_timeout.count(), 0);
  s.set_payload_max_length(options_.max_body_bytes);
  // httplib's default also sets SO_REUSEPORT, which lets a second dbinsight
  // bind the same port and silently take half the connections. Keep only
  // SO_REUSEADDR (quick restarts over TIME_WAIT sockets).
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.Get(".*", [this](const httplib::Request& in, httplib::Response& out) {
    // httplib would cut any body, errors included, to a Range header's span
    // once more; ranges are the handler's business (S3 GetObject). The
    // request object is httplib's own non-const local.
    const_cast<httplib::Request&>(in).ranges.clear();
    ToHttplib(Serve(FromHttplib(in, in.body)), out);
  });
  // Bodies through a content reader: httplib's own body reading refuses
  // form-encoded bodies over 8 KiB (a compile-time limit of the system
  // library), and query-protocol PutMetricData forms are larger. The reader
  // still applies max_body_bytes and inflates gzip; when it fails it has set
  // the error status.
  auto with_body = [this](const httplib::Request& in, httplib::Response& out, const httplib::ContentReader& read) {
    std::string body;
    if (!read([&body](const char* data, size_t n) {
          body.append(data, n);
          return true;
        }))
      return;
    ToHttplib(Serve(FromHttplib(in, std::move(body))), out);
  };
  s.Post(".*", with_body);
  s.Put(".*", with_body);
  s.Delete(".*", with_body);
  s.Patch(".*", with_body);
  s.set_exception_handler([](const httplib::Request&, httplib::Response& out, std::exception_ptr) {
    ToHttplib(PlainJson(500, {{"__type", "InternalServiceError"}, {"message", "internal error"}}), out);
  });

  errno = 0;
  bool bound = false;
  if (options_.port == 0) {
    int p = s.bind_to_any_port(options_.host);
    bound = p > 0;
    if (bound) bound_port_ = p;
  } else {
    bound = s.bind_to_port(options_.host, options_.port);
    bound_port_ = options_.port;
  }
  if (!bound) {
    int err = errno;
    http_.reset();
    return Status::Unavailable(fmt::format("cannot listen on {}:{}{}", options_.host, options_.port,
                                           err ? ": " + std::generic_category().message(err) : std::string()));
  }
  listener_ = std::jthread([http = http_.get()] {
    http->server.listen_after_bind();
    http->listener_done = true;
  });
  // httplib's stop() is a no-op until the accept loop runs: wait for it here
  // (microseconds) so a Stop() right after Start() cannot be lost.
  while (!s.is_running() && !http_->listener_done) std::this_thread::yield();
  return Status::Ok();
}

int Server::port() const { return bound_port_; }

void Server::Stop() {
  if (!http_) return;
  if (http_->server.is_running()) http_->server.stop();
  if (listener_.joinable()) listener_.join();
  http_.reset();
}

std::string Server::NextRequestId() const {
  uint64_t n = request_counter_.fetch_add(1, std::memory_order_relaxed);
  uint64_t a = request_id_salt_;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", static_cast<uint32_t>(a >> 32),
                     static_cast<uint16_t>(a >> 16), static_cast<uint16_t>(a), static_cast<uint16_t>(n >> 48),
                     n & 0xFFFFFFFFFFFFULL);
}

HttpResponse Server::Serve(const HttpRequest& request) const {
  try {
    // S3 is REST-shaped (any method, any path): a request signed for s3 is
    // S3's even on a path another route uses (a bucket named "healthz").
    if (services_->s3 && s3::IsSignedForS3(request)) return services_->s3->Serve(request, NextRequestId());
    if (services_->lambda && lambda::Accepts(request)) return services_->lambda->Serve(request, NextRequestId());
    // GET /?Action=... is the query protocol even when a route (the web UI) owns GET /.
    const bool query_protocol_get = request.path == "/" && !request.query.empty();
    for (const Route& r : routes_)
      if (!query_protocol_get && r.method == request.method && r.path == request.path) return r.handler(request);
    if (request.path == "/healthz" && request.method == "GET") return Healthz();
    if (request.path == "/gaps" && request.method == "GET") return GapList(request);
    if (request.path == "/processes" && request.method == "GET") return ProcessList(request);
    if (services_->sns) {
      if (request.path == sns::kDeadLettersPath && request.method == "GET") return services_->sns->DeadLetters(request);
      if (request.path == sns::kPendingPath && request.method == "GET") return services_->sns->Pending(request);
      if (request.path == sns::kRedrivePath && request.method == "POST") return services_->sns->Redrive(request);
    }
    if (request.path == "/" && (request.method == "POST" || request.method == "GET")) return ServeAws(request);
    if (services_->s3 && s3::LooksLikePathStyle(request)) return services_->s3->Serve(request, NextRequestId());
    return PlainJson(404, {{"message", fmt::format("No route for {} {}", request.method, request.path)}});
  } catch (const std::exception& e) {
    log::Error("{} {}: {}", request.method, request.path, e.what());
    return PlainJson(500, {{"__type", "InternalServiceError"}, {"message", "internal error"}});
  }
}

HttpResponse Server::ServeAws(const HttpRequest& request) const {
  protocol::RequestContext context;
  context.request_id = NextRequestId();
  protocol::ParseAuthorization(request.Header("Authorization"), context);

  std::string target = request.Header("X-Amz-Target");
  if (!target.empty()) {
    if (services_->pi_dispatcher.Accepts(target)) return services_->pi_dispatcher.Dispatch(request, context);
    if (services_->cloudwatch_json.Accepts(target)) return services_->cloudwatch_json.Dispatch(request, context);
    if (services_->events && services_->events_dispatcher.Accepts(target))
      return services_->events_dispatcher.Dispatch(request, context);
    return protocol::UnknownOperationResponse(target, context.request_id);
  }
  if (LooksLikeJson(request)) return protocol::UnknownOperationResponse("", context.request_id);

  // Query protocol: a form body, or the URL query string for GET.
  auto params =
      protocol::ParseFormEncoded(request.method == "GET" || request.body.empty() ? request.query : request.body);
  if (!params.ok())
    return protocol::XmlErrorResponse(protocol::AwsError{"MalformedQueryString", params.status().message(), 400, true},
                                      "", context.request_id);
  if (services_->rds_dispatcher.Accepts(params.value(), context))
    return services_->rds_dispatcher.Dispatch(params.value(), context);
  if (services_->cloudwatch_query.Accepts(params.value(), context))
    return services_->cloudwatch_query.Dispatch(params.value(), context);
  if (services_->sns && services_->sns_dispatcher.Accepts(params.value(), context))
    return services_->sns_dispatcher.Dispatch(params.value(), context);
  return protocol::UnknownActionResponse(params.value(), context.request_id);
}

namespace {

// By instance id or resource id; nullptr if none.
const model::InstanceInfo* FindInstance(const std::vector<model::InstanceInfo>& all, const std::string& id) {
  for (const auto& i : all)
    if (i.id == id || i.resource_id == id) return &i;
  return nullptr;
}

}  // namespace

// GET /processes?Identifier=ID: the host's busiest processes as last read for
// an instance with host_metrics (Enhanced Monitoring's process list).
HttpResponse Server::ProcessList(const HttpRequest& request) const {
  auto params = protocol::ParseFormEncoded(request.query);
  const std::vector<model::InstanceInfo> all = instances_();
  const std::string id = params.ok() && params->count("Identifier") ? params->at("Identifier") : "";
  const model::InstanceInfo* instance = FindInstance(all, id);
  if (!instance)
    return PlainJson(400, {{"__type", "InvalidArgumentException"},
                           {"message", "Invalid value for parameter Identifier: no instance '" + id + "'"}});
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : instance->top_processes)
    list.push_back({{"pid", p.pid}, {"name", p.name}, {"cmdline", p.cmdline}, {"cpuUsedPc", p.cpu_percent},
                    {"memoryUsedPc", p.mem_percent}, {"rss", p.rss_kb}});
  return PlainJson(200, {{"Identifier", instance->resource_id}, {"processList", std::move(list)}});
}

// GET /gaps?Identifier=ID&StartTime=T&EndTime=T: the outages recorded for an
// instance (not an AWS API; PI shows them only as missing points).
HttpResponse Server::GapList(const HttpRequest& request) const {
  auto bad = [](const std::string& message) {
    return PlainJson(400, {{"__type", "InvalidArgumentException"}, {"message", message}});
  };
  auto params = protocol::ParseFormEncoded(request.query);
  if (!params.ok()) return bad(params.status().message());
  auto get = [&](const char* name) -> std::string {
    auto it = params->find(name);
    return it == params->end() ? std::string() : it->second;
  };
  const std::vector<model::InstanceInfo> all = instances_();
  const model::InstanceInfo* instance = FindInstance(all, get("Identifier"));
  if (!instance) return bad("Invalid value for parameter Identifier: no instance '" + get("Identifier") + "'");
  std::optional<WallTime> range[2];
  const char* names[2] = {"StartTime", "EndTime"};
  for (int k = 0; k < 2; ++k) {
    range[k] = protocol::ParseTimestampString(get(names[k]));
    if (!range[k])
      return bad(std::string("Invalid value for parameter ") + names[k] + ": expected epoch seconds or ISO-8601");
  }
  if (*range[0] >= *range[1]) return bad("Invalid value for parameter EndTime: must be later than StartTime");
  nlohmann::json gaps = nlohmann::json::array();
  for (const ::dbinsight::pi::GapInfo& g : engine_.Gaps(instance->id, *range[0], *range[1]))
    gaps.push_back({{"StartTime", g.from}, {"EndTime", g.to}, {"Reason", g.reason}});
  return PlainJson(200, {{"Identifier", instance->resource_id}, {"Gaps", std::move(gaps)}});
}

HttpResponse Server::Healthz() const {
  nlohmann::json list = nlohmann::json::array();
  bool all_live = true;
  for (const model::InstanceInfo& i : instances_()) {
    all_live = all_live && i.sampling_live;
    list.push_back({{"id", i.id},
                    {"resource_id", i.resource_id},
                    {"sampling_live", i.sampling_live},
                    {"last_error", i.last_error},
                    {"last_sample", i.last_sample_epoch > 0 ? nlohmann::json(i.last_sample_epoch) : nlohmann::json()},
                    {"samples", i.samples},
                    {"failures", i.failures},
                    {"gaps", i.gaps},
                    {"engine", i.engine},
                    {"role", i.role},
                    {"vcpus", i.vcpus},
                    {"version", i.version},
                    {"metrics_error", i.metrics_error},
                    {"statements_warning", i.statements_warning}});
  }
  return PlainJson(all_live ? 200 : 503, {{"status", all_live ? "ok" : "degraded"}, {"instances", std::move(list)}});
}

}  // namespace dbinsight::api
