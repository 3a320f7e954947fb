#include "model/dimensions.h"

namespace dbinsight::model {

namespace {
constexpr std::string_view kWaitEvent[] = {"db.wait_event.name", "db.wait_event.type"};
constexpr std::string_view kWaitEventType[] = {"db.wait_event_type.name"};
constexpr std::string_view kSqlTokenized[] = {"db.sql_tokenized.id", "db.sql_tokenized.db_id",
                                              "db.sql_tokenized.statement"};
constexpr std::string_view kSql[] = {"db.sql.id", "db.sql.db_id", "db.sql.statement",
                                     "db.sql.tokenized_id"};
constexpr std::string_view kUser[] = {"db.user.id", "db.user.name"};
constexpr std::string_view kHost[] = {"db.host.id", "db.host.name"};
constexpr std::string_view kDb[] = {"db.name"};
constexpr std::string_view kApplication[] = {"db.application.name"};
constexpr std::string_view kSessionType[] = {"db.session_type.name"};

constexpr GroupInfo kGroups[kGroupCount] = {
    {Group::kWaitEvent, "db.wait_event", kWaitEvent},
    {Group::kWaitEventType, "db.wait_event_type", kWaitEventType},
    {Group::kSqlTokenized, "db.sql_tokenized", kSqlTokenized},
    {Group::kSql, "db.sql", kSql},
    {Group::kUser, "db.user", kUser},
    {Group::kHost, "db.host", kHost},
    {Group::kDb, "db", kDb},
    {Group::kApplication, "db.application", kApplication},
    {Group::kSessionType, "db.session_type", kSessionType},
};
}  // namespace

const GroupInfo& Info(Group g) { return kGroups[static_cast<int>(g)]; }

std::optional<Group> GroupByName(std::string_view name) {
  for (const auto& g : kGroups)
    if (g.name == name) return g.group;
  return std::nullopt;
}

std::optional<DimensionRef> DimensionByName(std::string_view full_name) {
  for (const auto& g : kGroups)
    for (size_t i = 0; i < g.dimensions.size(); ++i)
      if (g.dimensions[i] == full_name) return DimensionRef{g.group, static_cast<int>(i)};
  return std::nullopt;
}

}  // namespace dbinsight::model
