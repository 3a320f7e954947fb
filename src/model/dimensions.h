// The Performance Insights dimension vocabulary: groups and their dimensions,
// with the exact names the PI API uses (../shared/reference/pi-api.md §5).
// Group numbers are persisted in the store: never renumber (docs/store-format.md).
// Constant tables only; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace dbinsight::model {

// Persisted. Never renumber; append only.
enum class Group : uint8_t {
  kWaitEvent = 0,      // db.wait_event
  kWaitEventType = 1,  // db.wait_event_type
  kSqlTokenized = 2,   // db.sql_tokenized
  kSql = 3,            // db.sql
  kUser = 4,           // db.user
  kHost = 5,           // db.host
  kDb = 6,             // db
  kApplication = 7,    // db.application
  kSessionType = 8,    // db.session_type
};
inline constexpr int kGroupCount = 9;

inline constexpr std::array<Group, kGroupCount> kAllGroups = {
    Group::kWaitEvent, Group::kWaitEventType, Group::kSqlTokenized, Group::kSql, Group::kUser,
    Group::kHost,      Group::kDb,            Group::kApplication,  Group::kSessionType};

struct GroupInfo {
  Group group;
  std::string_view name;  // e.g. "db.wait_event"
  // Full dimension names in the order a key's values are stored.
  std::span<const std::string_view> dimensions;
};

const GroupInfo& Info(Group g);
std::optional<Group> GroupByName(std::string_view name);
// Finds the group owning a full dimension name ("db.user.name") and the
// dimension's index within it.
struct DimensionRef {
  Group group;
  int index;
};
std::optional<DimensionRef> DimensionByName(std::string_view full_name);

// Index of each dimension inside its group's key (see kDims in dimensions.cc).
namespace dim {
inline constexpr int kWaitName = 0, kWaitType = 1;                        // db.wait_event
inline constexpr int kTokId = 0, kTokDbId = 1, kTokStatement = 2;         // db.sql_tokenized
inline constexpr int kSqlId = 0, kSqlDbId = 1, kSqlStatement = 2, kSqlTokenizedId = 3;  // db.sql
inline constexpr int kUserId = 0, kUserName = 1;                          // db.user
inline constexpr int kHostId = 0, kHostName = 1;                          // db.host
}  // namespace dim

}  // namespace dbinsight::model
