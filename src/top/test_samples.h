// Test-only: builds model::Sample values for the top/ unit tests.
#pragma once

#include <chrono>
#include <string>

#include "model/sample.h"

namespace dbinsight::top::testing {

struct RowSpec {
  int64_t pid = 0;
  std::string wait = "CPU";
  std::string statement = "select 1";
  std::string user = "app";
  std::string db = "shop";
  std::string application = "web";
  std::string host = "10.0.0.1";
};

inline model::SessionRow Row(const RowSpec& s) {
  using model::Group;
  model::SessionRow row;
  row.pid = s.pid;
  const auto at = [&](Group g) -> model::GroupKey& { return row.dims[static_cast<int>(g)]; };
  const std::string type = s.wait.substr(0, s.wait.find(':'));
  at(Group::kWaitEvent) = {s.wait, type};
  at(Group::kWaitEventType) = {type};
  const std::string id = "id-" + s.statement;
  at(Group::kSqlTokenized) = {id, "db1", s.statement};
  at(Group::kSql) = {id, "db1", s.statement, id};
  at(Group::kUser) = {"u-" + s.user, s.user};
  at(Group::kHost) = {"h-" + s.host, s.host};
  at(Group::kDb) = {s.db};
  at(Group::kApplication) = {s.application};
  at(Group::kSessionType) = {"client backend"};
  return row;
}

// A sample at `second` seconds after a fixed epoch.
inline model::Sample At(int second, std::vector<model::SessionRow> rows) {
  model::Sample s;
  s.instance_id = "test";
  s.time = WallTime(std::chrono::seconds(1'800'000'000 + second));
  s.active = std::move(rows);
  return s;
}

}  // namespace dbinsight::top::testing
