#include "common/log.h"

#include <spdlog/spdlog.h>

#include <regex>

namespace dbinsight::log {

void Write(Level level, std::string_view message) {
  switch (level) {
    case Level::kDebug: spdlog::debug("{}", message); break;
    case Level::kInfo: spdlog::info("{}", message); break;
    case Level::kWarn: spdlog::warn("{}", message); break;
    case Level::kError: spdlog::error("{}", message); break;
  }
}

void SetLevel(Level level) {
  switch (level) {
    case Level::kDebug: spdlog::set_level(spdlog::level::debug); break;
    case Level::kInfo: spdlog::set_level(spdlog::level::info); break;
    case Level::kWarn: spdlog::set_level(spdlog::level::warn); break;
    case Level::kError: spdlog::set_level(spdlog::level::err); break;
  }
}

std::string RedactDsn(std::string_view dsn) {
  static const std::regex kKeyword(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))", std::regex::icase);
  static const std::regex kUri(R"((://[^:/@]*:)[^@]*@)");
  std::string out = std::regex_replace(std::string(dsn), kKeyword, "$1***");
  return std::regex_replace(out, kUri, "$1***@");
}

}  // namespace dbinsight::log
