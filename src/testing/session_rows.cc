#include "testing/session_rows.h"

namespace dbinsight::testing {

model::SessionRow MakeSessionRow(const SessionSpec& s) {
  model::SessionRow r;
  const std::string type = s.wait.substr(0, s.wait.find(':'));
  auto set = [&r](model::Group g, model::GroupKey v) { r.dims[static_cast<int>(g)] = std::move(v); };
  set(model::Group::kWaitEvent, {s.wait, type});
  set(model::Group::kWaitEventType, {type});
  if (s.sql.empty()) {
    set(model::Group::kSqlTokenized, {"", "", ""});
    set(model::Group::kSql, {"", "", "", ""});
  } else {
    set(model::Group::kSqlTokenized, {"T" + s.sql, "D" + s.sql, s.sql});
    set(model::Group::kSql, {"S" + s.sql, "D" + s.sql, s.sql, "T" + s.sql});
  }
  set(model::Group::kUser, {"10", s.user});
  set(model::Group::kHost, {s.host, s.host});
  set(model::Group::kDb, {s.db});
  set(model::Group::kApplication, {s.application});
  set(model::Group::kSessionType, {s.session_type});
  return r;
}

}  // namespace dbinsight::testing
