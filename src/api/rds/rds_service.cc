#include "api/rds/rds_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "api/protocol/pagination.h"
#include "api/protocol/utf8.h"
#include "api/protocol/xml_writer.h"

namespace dbinsight::api::rds {

namespace {

using protocol::QueryParams;

// Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M → name → values.
Result<std::map<std::string, std::set<std::string>>> ReadFilters(const QueryParams& params) {
  constexpr std::string_view kPrefix = "Filters.Filter.";
  std::map<std::string, std::set<std::string>> filters;
  std::map<std::string, std::string> names;  // N → Name
  for (auto it = params.lower_bound(kPrefix); it != params.end() && it->first.starts_with(kPrefix); ++it) {
    std::string_view rest = std::string_view(it->first).substr(kPrefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) continue;
    if (rest.substr(dot + 1) == "Name") names[std::string(rest.substr(0, dot))] = it->second;
  }
  for (const auto& [n, name] : names) {
    if (name != "db-instance-id" && name != "dbi-resource-id" && name != "engine")
      return Status::InvalidArgument(fmt::format(
          "Unrecognized filter name: {}. Supported: db-instance-id, dbi-resource-id, engine.", protocol::EchoValue(name)));
    std::string values_prefix = std::string(kPrefix) + n + ".Values.Value.";
    auto& values = filters[name];
    for (auto it = params.lower_bound(values_prefix); it != params.end() && it->first.starts_with(values_prefix); ++it)
      values.insert(it->second);
    if (values.empty())
      return Status::InvalidArgument(fmt::format("The filter {} has no values.", protocol::EchoValue(name)));
  }
  return filters;
}

bool Matches(const model::InstanceInfo& i, const std::map<std::string, std::set<std::string>>& filters) {
  for (const auto& [name, values] : filters) {
    const std::string& field = name == "db-instance-id" ? i.id : name == "dbi-resource-id" ? i.resource_id : i.engine;
    if (!values.contains(field)) return false;
  }
  return true;
}

// The role the sampler found (primary/replica/standby) has no DBInstance
// member of its own: it is shown as the tag dbinsight:role, plus the members
// RDS gives replicas (ReplicaMode, the configured source and replicas).
void WriteInstance(protocol::XmlWriter& w, const model::InstanceInfo& i, const std::vector<model::InstanceInfo>& all) {
  w.Open("DBInstance");
  w.Element("DBInstanceIdentifier", i.id);
  w.Element("DbiResourceId", i.resource_id);
  w.Element("DBInstanceClass", "db.custom");
  w.Element("Engine", i.engine);
  if (!i.version.empty()) w.Element("EngineVersion", i.version);
  w.Element("DBInstanceStatus", i.sampling_live ? kStatusAvailable : kStatusUnavailable);
  w.Open("Endpoint");
  w.Element("Address", i.host);
  w.Element("Port", std::to_string(i.port));
  w.Close();
  w.Element("PerformanceInsightsEnabled", "true");
  if (i.role == "replica" || i.role == "standby") w.Element("ReplicaMode", "open-read-only");
  if (!i.replica_of.empty()) w.Element("ReadReplicaSourceDBInstanceIdentifier", i.replica_of);
  std::vector<const std::string*> replicas;
  for (const auto& other : all)
    if (other.replica_of == i.id) replicas.push_back(&other.id);
  if (!replicas.empty()) {
    w.Open("ReadReplicaDBInstanceIdentifiers");
    for (const std::string* r : replicas) w.Element("ReadReplicaDBInstanceIdentifier", *r);
    w.Close();
  }
  w.Open("TagList");
  w.Open("Tag");
  w.Element("Key", "dbinsight:role");
  w.Element("Value", i.role.empty() ? "unknown" : i.role);
  w.Close();
  w.Close();
  w.Close();
}

}  // namespace

RdsService::RdsService(std::function<std::vector<model::InstanceInfo>()> instances)
    : instances_(std::move(instances)) {}

void RdsService::Register(protocol::QueryDispatcher& d) const {
  d.Register("DescribeDBInstances",
             [this](const QueryParams& params, const protocol::RequestContext&) { return DescribeDBInstances(params); });
}

Result<std::string> RdsService::DescribeDBInstances(const QueryParams& params) const {
  auto max_records = protocol::QueryInt(params, "MaxRecords", 20, 100);
  if (!max_records.ok()) return max_records.status();
  auto filters = ReadFilters(params);
  if (!filters.ok()) return filters.status();

  std::vector<model::InstanceInfo> all = instances_();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<const model::InstanceInfo*> selected;
  auto id = params.find("DBInstanceIdentifier");
  for (const auto& i : all) {
    if (id != params.end() && i.id != id->second) continue;
    if (Matches(i, filters.value())) selected.push_back(&i);
  }
  if (id != params.end() && selected.empty())
    return Status::NotFound(fmt::format("DBInstance {} not found.", protocol::EchoValue(id->second)));

  // Marker: the same opaque offset tokens PI uses, bound to the filters.
  QueryParams canonical = params;
  canonical.erase("Marker");
  canonical.erase("MaxRecords");
  std::string text;
  for (const auto& [k, v] : canonical) text += k + "=" + v + "&";
  protocol::PageRequest page;
  page.fingerprint = protocol::Fingerprint(text);
  page.max_results = static_cast<int>(max_records.value().value_or(100));  // RDS default
  if (auto marker = params.find("Marker"); marker != params.end()) {
    auto offset = protocol::DecodePageToken(marker->second, page.fingerprint, "Marker");
    if (!offset.ok()) return offset.status();
    page.offset = offset.value();
  }
  protocol::PageSlice slice = protocol::Paginate(selected.size(), page);

  protocol::XmlWriter w;
  w.Open("DBInstances");
  for (size_t k = slice.begin; k < slice.end; ++k) WriteInstance(w, *selected[k], all);
  w.Close();
  if (slice.next_token) w.Element("Marker", *slice.next_token);
  return w.Take();
}

}  // namespace dbinsight::api::rds
