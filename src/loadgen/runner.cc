// Runner (runner.h): setup, one thread per client paced through the injected
// Clock, the midpoint change, and an orderly stop.
#include "loadgen/runner.h"

#include <fmt/format.h>

#include <thread>

#include "common/json_text.h"
#include "common/log.h"

namespace dbinsight::loadgen {
namespace {

using std::chrono::milliseconds;

Status ExecAll(Session& session, const std::vector<std::string>& statements, std::string_view what) {
  for (const std::string& sql : statements) {
    if (Status st = session.Exec(sql); !st.ok()) return Status(st.code(), fmt::format("{}: {}", what, st.message()));
  }
  return Status::Ok();
}

std::vector<std::string> EnterSchema(Engine engine) {
  if (engine == Engine::kPostgres) return {fmt::format("SET search_path TO {}", kSchema)};
  return {fmt::format("USE {}", kSchema)};
}

double MeanMs(std::chrono::nanoseconds total, int64_t n) {
  return std::chrono::duration<double, std::milli>(total).count() / static_cast<double>(n);
}

std::string JsonOrNull(const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : "null"; }

}  // namespace

struct Runner::Client {
  int index = 0;
  std::unique_ptr<Session> session;
  std::mt19937_64 rng;
  int64_t statements = 0;
  int64_t errors = 0;
  // Successful statements' latency, before and after the midpoint change.
  std::chrono::nanoseconds latency[2]{};
  int64_t timed[2]{};
};

Status Validate(const RunOptions& options) {
  const Scenario* scenario = FindScenario(options.scenario);
  if (scenario == nullptr) return Status::InvalidArgument("--scenario: unknown scenario '" + options.scenario + "'");
  if (options.duration <= milliseconds(0)) return Status::InvalidArgument("--duration: must be positive");
  if (options.clients < 0 || (options.clients > 0 && options.clients < scenario->min_clients))
    return Status::InvalidArgument(
        fmt::format("--clients: {} needs at least {} clients", scenario->name, scenario->min_clients));
  if (options.scale < 1) return Status::InvalidArgument("--scale: must be at least 1");
  return Status::Ok();
}

std::string GroundTruth::ToJson() const {
  std::string ids, waiters;
  for (const int64_t id : session_ids) {
    ids += fmt::format("{}{}", ids.empty() ? "" : ",", id);
    if (blocker_id && id != *blocker_id) waiters += fmt::format("{}{}", waiters.empty() ? "" : ",", id);
  }
  const ExpectedWait& wait = engine == Engine::kPostgres ? scenario->postgres : scenario->mariadb;
  return fmt::format(
      R"({{"event":"started","scenario":{},"engine":"{}","clients":{},"scale":{},"duration_ms":{},"setup_ms":{},)"
      R"("session_ids":[{}],"blocker_id":{},"waiter_ids":[{}],"change_after_ms":{},"top_statement":{},)"
      R"("wait_class":{},"wait_event":{}}})",
      JsonQuote(scenario->name), EngineName(engine), clients, scale, duration.count(), setup.count(), ids,
      blocker_id ? std::to_string(*blocker_id) : "null", waiters,
      change_after ? std::to_string(change_after->count()) : "null", JsonQuote(scenario->top_statement),
      JsonQuote(wait.wait_class), JsonQuote(wait.wait_event));
}

std::string RunSummary::ToJson() const {
  return fmt::format(
      R"({{"event":"finished","statements":{},"errors":{},"mean_ms_before_change":{},"mean_ms_after_change":{}}})",
      statements, errors, JsonOrNull(mean_ms_before_change), JsonOrNull(mean_ms_after_change));
}

Runner::Runner(const RunOptions& options, Clock& clock, Target target, const Scenario& scenario)
    : options_(options), clock_(clock), target_(std::move(target)), workload_(scenario, target_.engine, options.scale) {
  truth_.scenario = &scenario;
  truth_.engine = target_.engine;
  truth_.clients = options.clients > 0 ? options.clients : scenario.default_clients;
  truth_.scale = options.scale;
  truth_.duration = options.duration;
  if (workload_.has_midpoint()) truth_.change_after = options.duration / 2;
}

Runner::~Runner() = default;

Result<std::unique_ptr<Runner>> Runner::Prepare(const RunOptions& options, Clock& clock) {
  DBI_RETURN_IF_ERROR(Validate(options));
  auto target = ParseTarget(options.target);
  if (!target.ok()) return target.status();
  std::unique_ptr<Runner> runner(
      new Runner(options, clock, std::move(target).value(), *FindScenario(options.scenario)));

  const MonoTime setup_start = clock.Monotonic();
  DBI_RETURN_IF_ERROR(runner->SetUp());
  runner->truth_.setup = std::chrono::duration_cast<milliseconds>(clock.Monotonic() - setup_start);

  for (int i = 0; i < runner->truth_.clients; ++i) {
    auto session = Session::Connect(runner->target_);
    if (!session.ok())
      return Status(session.status().code(), fmt::format("client {}: {}", i, session.status().message()));
    auto client = std::make_unique<Client>();
    client->index = i;
    client->session = std::move(session).value();
    client->rng.seed(static_cast<uint64_t>(i) + 1);
    DBI_RETURN_IF_ERROR(ExecAll(*client->session, EnterSchema(runner->target_.engine), "client schema"));
    DBI_RETURN_IF_ERROR(ExecAll(*client->session, runner->workload_.Prelude(i), "client settings"));
    runner->truth_.session_ids.push_back(client->session->Id());
    runner->clients_.push_back(std::move(client));
  }
  // Only after every client is connected: a blocker holding its lock while
  // later clients connect would already make the first waiters wait.
  for (auto& client : runner->clients_)
    DBI_RETURN_IF_ERROR(ExecAll(*client->session, runner->workload_.Begin(client->index), "client begin"));
  if (runner->truth_.scenario->id == ScenarioId::kLockChain)
    runner->truth_.blocker_id = runner->truth_.session_ids.front();
  return runner;
}

Status Runner::SetUp() {
  auto admin = Session::Connect(target_);
  if (!admin.ok()) return admin.status();
  admin_ = std::move(admin).value();
  const std::string create = target_.engine == Engine::kPostgres
                                 ? fmt::format("CREATE SCHEMA IF NOT EXISTS {}", kSchema)
                                 : fmt::format("CREATE DATABASE IF NOT EXISTS {}", kSchema);
  // Keeps libpq's "already exists, skipping" notices of idempotent DDL off stderr.
  if (target_.engine == Engine::kPostgres)
    DBI_RETURN_IF_ERROR(ExecAll(*admin_, {"SET client_min_messages = warning"}, "session settings"));
  DBI_RETURN_IF_ERROR(ExecAll(*admin_, {create}, "create schema"));
  DBI_RETURN_IF_ERROR(ExecAll(*admin_, EnterSchema(target_.engine), "enter schema"));
  for (const TableSpec& table : workload_.tables()) {
    const std::string what = "set up " + table.name;
    DBI_RETURN_IF_ERROR(ExecAll(*admin_, {table.create}, what));
    auto count = admin_->Scalar("SELECT count(*) FROM " + table.name);
    if (!count.ok()) return Status(count.status().code(), what + ": " + count.status().message());
    if (count.value() != std::to_string(table.rows)) {
      log::Info("loadgen: loading {} rows into {}", table.rows, table.name);
      DBI_RETURN_IF_ERROR(ExecAll(*admin_, {"TRUNCATE TABLE " + table.name, table.load}, what));
      DBI_RETURN_IF_ERROR(ExecAll(*admin_, table.after_load, what));
    }
    DBI_RETURN_IF_ERROR(ExecAll(*admin_, table.every_run, what));
  }
  return Status::Ok();
}

void Runner::RunClient(Client& c, std::stop_token stop) {
  while (!stop.stop_requested()) {
    const std::string sql = workload_.Next(c.index, c.rng);
    if (!sql.empty()) {
      const int phase = changed_.load() ? 1 : 0;
      const MonoTime start = clock_.Monotonic();
      const Status st = c.session->Exec(sql);
      if (st.ok()) {
        ++c.statements;
        c.latency[phase] += clock_.Monotonic() - start;
        ++c.timed[phase];
      } else {
        if (c.errors++ == 0) log::Warn("loadgen client {}: {}", c.index, st.message());
        if (!c.session->Healthy()) break;
      }
    }
    if (!clock_.SleepUntil(clock_.Monotonic() + workload_.think(), stop)) break;
  }
  if (Status st = ExecAll(*c.session, workload_.End(c.index), "client end"); !st.ok())
    log::Warn("loadgen client {}: {}", c.index, st.message());
}

RunSummary Runner::Run(std::stop_token stop) {
  const MonoTime start = clock_.Monotonic();
  {
    std::stop_source clients_stop;
    std::vector<std::jthread> threads;
    for (auto& client : clients_)
      threads.emplace_back([this, &c = *client, token = clients_stop.get_token()] { RunClient(c, token); });
    if (truth_.change_after && clock_.SleepUntil(start + *truth_.change_after, stop)) {
      if (Status st = ExecAll(*admin_, workload_.midpoint(), "midpoint change"); !st.ok())
        log::Warn("loadgen: {}", st.message());
      changed_ = true;
    }
    clock_.SleepUntil(start + options_.duration, stop);
    clients_stop.request_stop();
  }  // joins the clients
  for (const TableSpec& table : workload_.tables()) {
    if (Status st = ExecAll(*admin_, table.every_run, "restore " + table.name); !st.ok())
      log::Warn("loadgen: {}", st.message());
  }
  // Disconnect now, not when the Runner goes: the run leaves no session behind.
  admin_.reset();
  for (auto& c : clients_) c->session.reset();
  RunSummary summary;
  std::chrono::nanoseconds latency[2]{};
  int64_t timed[2]{};
  for (const auto& c : clients_) {
    summary.statements += c->statements;
    summary.errors += c->errors;
    for (int phase : {0, 1}) {
      latency[phase] += c->latency[phase];
      timed[phase] += c->timed[phase];
    }
  }
  if (truth_.change_after) {
    if (timed[0] > 0) summary.mean_ms_before_change = MeanMs(latency[0], timed[0]);
    if (timed[1] > 0) summary.mean_ms_after_change = MeanMs(latency[1], timed[1]);
  }
  return summary;
}

}  // namespace dbinsight::loadgen
