// Checks a CloudWatch dashboard's name and body the way PutDashboard does
// (AWS "Dashboard Body Structure and Syntax"), so a body dbinsight accepts is
// one CloudWatch would accept and the UI can render. Errors reject the body;
// warnings (widget types the UI does not draw, members it ignores) are
// returned beside a stored body, as CloudWatch's DashboardValidationMessages.
// Paths are JSON pointers into the body ("/widgets/0/properties/metrics/1").
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::dashboard {

// CloudWatch's limits: names of 1-255 [A-Za-z0-9_-]; a body of at most 1 MB;
// 500 widgets per dashboard and 500 metrics per graph.
inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxBodyBytes = size_t{1} << 20;
inline constexpr size_t kMaxWidgets = 500;
inline constexpr size_t kMaxMetricsPerWidget = 500;

struct ValidationMessage {
  std::string data_path;  // "" for the body itself
  std::string message;
  bool operator==(const ValidationMessage&) const = default;
};

struct Validation {
  std::vector<ValidationMessage> errors;
  std::vector<ValidationMessage> warnings;
};

// True for 1-255 characters of [A-Za-z0-9_-] (DashboardName); with
// allow_dot, also '.' and 0 characters (DashboardNamePrefix).
bool IsValidName(std::string_view name, bool allow_dot = false);

// Every error and warning of `body` (a JSON object text).
Validation ValidateBody(std::string_view body);

// The warnings of a valid body, or InvalidArgument worded as CloudWatch's
// InvalidParameterInput: "The field DashboardBody must be a valid JSON
// object" or "The dashboard body is invalid, there are N validation errors:"
// followed by the errors as a JSON list of {dataPath, message}.
Result<std::vector<ValidationMessage>> CheckBody(std::string_view body);

}  // namespace dbinsight::dashboard
