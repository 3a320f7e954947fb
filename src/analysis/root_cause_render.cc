// Root-cause reports as JSON (the report store's format: snake_case members,
// times as epoch seconds, absent optionals omitted) and as text for people
// (plain text for terminals, markdown for documents and PI Descriptions).
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/markdown.h"
#include "analysis/root_cause.h"

namespace dbinsight::analysis {

using Json = nlohmann::ordered_json;

namespace {

double Secs(WallTime t) { return ToEpochSeconds(t); }

void PutOptional(Json& j, const char* key, const std::optional<double>& v) {
  if (v) j[key] = *v;
}
std::optional<double> GetOptional(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? std::nullopt : std::optional(it->get<double>());
}

Json ToJson(const Evidence& e) {
  Json j = {{"metric", e.metric},
            {"display_name", e.display_name},
            {"dimensions", e.dimensions},
            {"filter", e.filter},
            {"value", e.value}};
  PutOptional(j, "baseline", e.baseline);
  return j;
}
Evidence EvidenceFrom(const Json& j) {
  return {j.at("metric"), j.at("display_name"), j.at("dimensions"),
          j.at("filter"), j.at("value"),        GetOptional(j, "baseline")};
}

Json ToJson(const Finding& f) {
  Json j = {{"id", f.id},
            {"type", f.type},
            {"causal", f.causal},
            {"severity", SeverityName(f.severity)},
            {"start", Secs(f.start)},
            {"end", Secs(f.end)},
            {"summary", f.summary},
            {"evidence", Json::array()},
            {"recommendations", Json::array()},
            {"supporting", Json::array()}};
  for (const Evidence& e : f.evidence) j["evidence"].push_back(ToJson(e));
  for (const Recommendation& r : f.recommendations) j["recommendations"].push_back({{"id", r.id}, {"text", r.text}});
  if (!f.index_advice.empty()) {
    Json& advice = j["index_advice"] = Json::array();
    for (const model::IndexAdvice& a : f.index_advice) {
      Json one = {{"table", a.table},
                  {"columns", a.columns},
                  {"create_index", a.create_index},
                  {"basis", a.basis},
                  {"live_rows", a.live_rows},
                  {"seq_scans", a.seq_scans},
                  {"seq_rows_read", a.seq_rows_read},
                  {"index_scans", a.index_scans},
                  {"counts_rows", a.counts_rows},
                  {"index_rows_read", a.index_rows_read},
                  {"calls", a.calls},
                  {"calls_without_index", a.calls_without_index},
                  {"rows_examined_per_call", a.rows_examined_per_call},
                  {"plan", a.plan},
                  {"hypothetical_plan", a.hypothetical_plan},
                  {"notes", a.notes}};
      PutOptional(one, "cost_before", a.cost_before);
      PutOptional(one, "cost_after", a.cost_after);
      advice.push_back(std::move(one));
    }
  }
  for (const Finding& s : f.supporting) j["supporting"].push_back(ToJson(s));
  return j;
}
Finding FindingFrom(const Json& j) {
  Finding f;
  f.id = j.at("id");
  f.type = j.at("type");
  f.causal = j.at("causal");
  const std::string sev = j.at("severity");
  f.severity = sev == "HIGH" ? Severity::kHigh : sev == "MEDIUM" ? Severity::kMedium : Severity::kLow;
  f.start = FromEpochSeconds(j.at("start"));
  f.end = FromEpochSeconds(j.at("end"));
  f.summary = j.at("summary");
  for (const Json& e : j.at("evidence")) f.evidence.push_back(EvidenceFrom(e));
  for (const Json& r : j.at("recommendations")) f.recommendations.push_back({r.at("id"), r.at("text")});
  for (const Json& a : j.value("index_advice", Json::array())) {
    model::IndexAdvice& one = f.index_advice.emplace_back();
    one.table = a.at("table");
    one.live_rows = a.at("live_rows");
    one.seq_scans = a.at("seq_scans");
    one.seq_rows_read = a.at("seq_rows_read");
    one.index_scans = a.at("index_scans");
    // Reports stored before MariaDB/MySQL advice lack these.
    one.counts_rows = a.value("counts_rows", false);
    one.index_rows_read = a.value("index_rows_read", int64_t{0});
    one.calls = a.value("calls", int64_t{0});
    one.calls_without_index = a.value("calls_without_index", int64_t{0});
    one.rows_examined_per_call = a.value("rows_examined_per_call", 0.0);
    one.columns = a.at("columns");
    one.create_index = a.at("create_index");
    one.basis = a.at("basis");
    one.plan = a.at("plan");
    one.hypothetical_plan = a.at("hypothetical_plan");
    one.cost_before = GetOptional(a, "cost_before");
    one.cost_after = GetOptional(a, "cost_after");
    one.notes = a.at("notes");
  }
  for (const Json& s : j.at("supporting")) f.supporting.push_back(FindingFrom(s));
  return f;
}

Json ToJson(const std::vector<Share>& shares) {
  Json out = Json::array();
  for (const Share& s : shares) {
    Json j = {{"key", s.key}, {"load", s.load}, {"fraction", s.fraction}};
    if (!s.id.empty()) j["id"] = s.id;
    out.push_back(std::move(j));
  }
  return out;
}
std::vector<Share> SharesFrom(const Json& j) {
  std::vector<Share> out;
  for (const Json& s : j) out.push_back({s.at("key"), s.value("id", ""), s.at("load"), s.at("fraction")});
  return out;
}

Json ToJson(const StatementCheck& c) {
  Json j = {{"id", c.id},
            {"statement", c.statement},
            {"load", c.load},
            {"fraction", c.fraction},
            {"comparison", c.comparison},
            {"offset_hours", c.offset_hours}};
  PutOptional(j, "calls_per_sec", c.calls_per_sec);
  PutOptional(j, "latency_ms_per_call", c.latency_ms_per_call);
  PutOptional(j, "rows_per_call", c.rows_per_call);
  PutOptional(j, "blocks_per_call", c.blocks_per_call);
  PutOptional(j, "prev_calls_per_sec", c.prev_calls_per_sec);
  PutOptional(j, "prev_latency_ms_per_call", c.prev_latency_ms_per_call);
  PutOptional(j, "prev_rows_per_call", c.prev_rows_per_call);
  return j;
}
StatementCheck StatementFrom(const Json& j) {
  return {j.at("id"),
          j.at("statement"),
          j.at("load"),
          j.at("fraction"),
          GetOptional(j, "calls_per_sec"),
          GetOptional(j, "latency_ms_per_call"),
          GetOptional(j, "rows_per_call"),
          GetOptional(j, "blocks_per_call"),
          GetOptional(j, "prev_calls_per_sec"),
          GetOptional(j, "prev_latency_ms_per_call"),
          GetOptional(j, "prev_rows_per_call"),
          j.at("comparison"),
          j.value("offset_hours", 24)};  // reports stored before the week fallback compared with the day
}

Json ToJson(const LockChain& c) {
  Json j = {{"blocker_pid", c.blocker_pid},
            {"blocker_state", c.blocker_state},
            {"blocker_statement", c.blocker_statement},
            {"blocker_user", c.blocker_user},
            {"blocker_host", c.blocker_host},
            {"blocker_application", c.blocker_application},
            {"blocker_xact_seconds", c.blocker_xact_seconds},
            {"blocker_state_seconds", c.blocker_state_seconds},
            {"max_waiters", c.max_waiters},
            {"distinct_waiters", c.distinct_waiters},
            {"waiter_samples", c.waiter_samples},
            {"longest_wait_seconds", c.longest_wait_seconds},
            {"first_seen", Secs(c.first_seen)},
            {"last_seen", Secs(c.last_seen)},
            {"waiters", Json::array()}};
  for (const LockChainWaiters& w : c.waiters)
    j["waiters"].push_back({{"statement", w.statement},
                            {"wait_event", w.wait_event},
                            {"sessions", w.sessions},
                            {"longest_wait_seconds", w.longest_wait_seconds}});
  return j;
}
LockChain LockChainFrom(const Json& j) {
  LockChain c;
  c.blocker_pid = j.at("blocker_pid");
  c.blocker_state = j.at("blocker_state");
  c.blocker_statement = j.at("blocker_statement");
  c.blocker_user = j.at("blocker_user");
  c.blocker_host = j.at("blocker_host");
  c.blocker_application = j.at("blocker_application");
  c.blocker_xact_seconds = j.at("blocker_xact_seconds");
  c.blocker_state_seconds = j.at("blocker_state_seconds");
  c.max_waiters = j.at("max_waiters");
  c.distinct_waiters = j.at("distinct_waiters");
  c.waiter_samples = j.at("waiter_samples");
  c.longest_wait_seconds = j.at("longest_wait_seconds");
  c.first_seen = FromEpochSeconds(j.at("first_seen"));
  c.last_seen = FromEpochSeconds(j.at("last_seen"));
  for (const Json& w : j.at("waiters"))
    c.waiters.push_back({w.at("statement"), w.at("wait_event"), w.at("sessions"), w.at("longest_wait_seconds")});
  return c;
}

// The share lists of an episode, by their JSON names.
constexpr std::pair<const char*, std::vector<Share> Episode::*> kShareLists[] = {
    {"by_sql", &Episode::by_sql},
    {"by_wait_event", &Episode::by_wait_event},
    {"by_wait_type", &Episode::by_wait_type},
    {"by_user", &Episode::by_user},
    {"by_host", &Episode::by_host},
    {"by_application", &Episode::by_application},
    {"by_database", &Episode::by_database}};

std::string Timestamp(WallTime t) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<time_t>(std::floor(Secs(t)))));
}

std::string EvidenceLine(const Evidence& e) {
  std::string about;
  for (const auto& [k, v] : e.dimensions)
    about +=
        fmt::format("{}{}={}", about.empty() ? " [" : ", ", k, CodeSpan(v.size() > 60 ? v.substr(0, 60) + "..." : v));
  if (!about.empty()) about += "]";
  return fmt::format("{}{}: {:.2f}{} (series: {})", e.display_name, about, e.value,
                     e.baseline ? fmt::format(", before {:.2f}", *e.baseline) : "", e.metric);
}

void AppendFinding(std::string& out, const Finding& f, TextFormat format, const std::string& indent) {
  out += indent + fmt::format("[{}] {}: {}\n", SeverityName(f.severity), f.type, InFormat(f.summary, format));
  for (const Evidence& e : f.evidence) out += indent + "    - " + InFormat(EvidenceLine(e), format) + "\n";
  for (const Recommendation& r : f.recommendations) out += indent + "    > " + InFormat(r.text, format) + "\n";
  for (const Finding& s : f.supporting) AppendFinding(out, s, format, indent + "    ");
}

}  // namespace

std::string InFormat(const std::string& markdown, TextFormat format) {
  if (format == TextFormat::kMarkdown) return markdown;
  return PlainText(markdown);
}

std::string DescribeFinding(const Finding& f, TextFormat format) {
  const bool md = format == TextFormat::kMarkdown;
  std::string out = InFormat(f.summary, format) + "\n\n" + (md ? "**Evidence**\n\n" : "Evidence:\n");
  for (const Evidence& e : f.evidence) out += "- " + InFormat(EvidenceLine(e), format) + "\n";
  return out;
}

std::string Report::ToJson() const {
  Json j = {{"instance_id", instance_id},
            {"engine", engine},
            {"vcpus", vcpus},
            {"start", Secs(start)},
            {"end", Secs(end)},
            {"period_seconds", period_seconds},
            {"average_load", average_load},
            {"peak_load", peak_load},
            {"threshold", threshold},
            {"threshold_reason", threshold_reason},
            {"episodes", Json::array()},
            {"episodes_skipped", episodes_skipped},
            {"findings", Json::array()},
            {"lock_chains", Json::array()}};
  PutOptional(j, "baseline", baseline);
  for (const Episode& e : episodes) {
    Json ej = {{"start", Secs(e.start)},         {"end", Secs(e.end)},
               {"average_load", e.average_load}, {"peak_load", e.peak_load},
               {"high_seconds", e.high_seconds}, {"statements", Json::array()}};
    for (const auto& [name, member] : kShareLists) ej[name] = analysis::ToJson(e.*member);
    for (const StatementCheck& c : e.statements) ej["statements"].push_back(analysis::ToJson(c));
    j["episodes"].push_back(std::move(ej));
  }
  for (const Finding& f : findings) j["findings"].push_back(analysis::ToJson(f));
  for (const LockChain& c : lock_chains) j["lock_chains"].push_back(analysis::ToJson(c));
  return j.dump(2);
}

Result<Report> Report::FromJson(const std::string& text) {
  try {
    const Json j = Json::parse(text);
    Report r;
    r.instance_id = j.at("instance_id");
    r.engine = j.at("engine");
    r.vcpus = j.at("vcpus");
    r.start = FromEpochSeconds(j.at("start"));
    r.end = FromEpochSeconds(j.at("end"));
    r.period_seconds = j.at("period_seconds");
    r.average_load = j.at("average_load");
    r.peak_load = j.at("peak_load");
    r.baseline = GetOptional(j, "baseline");
    r.threshold = j.at("threshold");
    r.threshold_reason = j.at("threshold_reason");
    for (const Json& ej : j.at("episodes")) {
      Episode e;
      e.start = FromEpochSeconds(ej.at("start"));
      e.end = FromEpochSeconds(ej.at("end"));
      e.average_load = ej.at("average_load");
      e.peak_load = ej.at("peak_load");
      e.high_seconds = ej.at("high_seconds");
      for (const auto& [name, member] : kShareLists) e.*member = SharesFrom(ej.at(name));
      for (const Json& c : ej.at("statements")) e.statements.push_back(StatementFrom(c));
      r.episodes.push_back(std::move(e));
    }
    r.episodes_skipped = j.at("episodes_skipped");
    for (const Json& f : j.at("findings")) r.findings.push_back(FindingFrom(f));
    // Reports stored before chains were captured hold an empty list.
    for (const Json& c : j.at("lock_chains")) r.lock_chains.push_back(LockChainFrom(c));
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Status::DataLoss(std::string("stored report is not valid: ") + e.what());
  }
}

std::string Report::Render(TextFormat format) const {
  const bool md = format == TextFormat::kMarkdown;
  auto quoted = [md](const std::string& text, size_t max = 80) {
    const std::string t = text.size() > max ? text.substr(0, max) + "..." : text;
    return md ? CodeSpan(t) : "\"" + t + "\"";
  };
  std::string out = fmt::format("{}Root-cause report: {} ({}, {} vCPUs)\n{}", md ? "# " : "", instance_id, engine,
                                vcpus, md ? "\n" : "");
  out += fmt::format("Window {} to {}. DB load averaged {:.2f}, peak {:.2f}; high above {:.2f} ({}).{}\n",
                     Timestamp(start), Timestamp(end), average_load, peak_load, threshold, threshold_reason,
                     baseline ? fmt::format(" Baseline (median before): {:.2f}.", *baseline) : "");
  out += fmt::format("{}{} episode(s) of high load{}.\n", md ? "\n" : "", episodes.size(),
                     episodes_skipped ? fmt::format(" ({} smaller ones not analyzed)", episodes_skipped) : "");
  out += md ? "\n## Findings\n\n" : "\nFindings\n";
  for (size_t i = 0; i < findings.size(); ++i) {
    if (md) {
      const Finding& f = findings[i];
      out +=
          fmt::format("### {}. [{}] {}\n\n{}\n", i + 1, SeverityName(f.severity), f.type, DescribeFinding(f, format));
      if (!f.recommendations.empty()) out += "**Recommendations**\n\n";
      for (const Recommendation& r : f.recommendations) out += "- " + r.text + "\n";
      for (const Finding& s : f.supporting)
        out += fmt::format("\n#### [{}] {}\n\n{}", SeverityName(s.severity), s.type, DescribeFinding(s, format)) +
               (s.recommendations.empty() ? "" : "\n- " + s.recommendations.front().text + "\n");
      out += "\n";
    } else {
      AppendFinding(out, findings[i], format, "  ");
    }
  }
  for (size_t i = 0; i < episodes.size(); ++i) {
    const Episode& e = episodes[i];
    out += fmt::format("{}Episode {}: {} to {}, load {:.2f} (peak {:.2f})\n", md ? "\n## " : "\n", i + 1,
                       Timestamp(e.start), Timestamp(e.end), e.average_load, e.peak_load);
    const std::pair<const char*, const std::vector<Share>*> lists[] = {
        {"SQL", &e.by_sql},   {"Wait event", &e.by_wait_event},   {"Wait type", &e.by_wait_type}, {"User", &e.by_user},
        {"Host", &e.by_host}, {"Application", &e.by_application}, {"Database", &e.by_database}};
    for (const auto& [title, shares] : lists) {
      if (shares->empty()) continue;
      out += fmt::format("{}{}:", md ? "- **" : "  ", title) + (md ? "**" : "");
      for (const Share& s : *shares) out += fmt::format(" {} {:.0f}%;", quoted(s.key, 60), 100 * s.fraction);
      out += "\n";
    }
  }
  out += md ? "\n## Lock chains\n\n" : "\nLock chains";
  if (lock_chains.empty()) out += md ? "No session waited on a lock held by another.\n" : ": none\n";
  if (!md && !lock_chains.empty()) out += "\n";
  for (const LockChain& c : lock_chains) {
    out += fmt::format("{}blocker pid {} ({}{}{}{}), transaction {:.0f} s old, {:.0f} s in its state", md ? "- " : "  ",
                       c.blocker_pid, c.blocker_state.empty() ? "state unknown" : c.blocker_state,
                       c.blocker_user.empty() ? "" : ", user " + c.blocker_user,
                       c.blocker_host.empty() ? "" : ", host " + c.blocker_host,
                       c.blocker_application.empty() ? "" : ", application " + c.blocker_application,
                       c.blocker_xact_seconds, c.blocker_state_seconds);
    if (!c.blocker_statement.empty()) out += ", statement " + quoted(c.blocker_statement);
    out += fmt::format("; {} to {}: {} session(s) waited ({} at most at once), longest wait {:.0f} s\n",
                       Timestamp(c.first_seen), Timestamp(c.last_seen), c.distinct_waiters, c.max_waiters,
                       c.longest_wait_seconds);
    for (const LockChainWaiters& w : c.waiters)
      out += fmt::format("{}{} x {} on {}, longest {:.0f} s\n", md ? "  - " : "      ", w.sessions,
                         w.statement.empty() ? std::string("(no statement)") : quoted(w.statement), w.wait_event,
                         w.longest_wait_seconds);
  }
  return out;
}

}  // namespace dbinsight::analysis
