// Logging facade over spdlog (the single process-wide sink, configured once by
// app/). Thread-safe. Never log passwords or full DSNs: use RedactDsn().
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace dbinsight::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void Write(Level level, std::string_view message);
void SetLevel(Level level);

template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}

// Replaces password=... in a libpq keyword DSN and the password of a URI DSN
// with "***", so a DSN can appear in logs and errors.
std::string RedactDsn(std::string_view dsn);

}  // namespace dbinsight::log
