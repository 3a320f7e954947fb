#include "api/protocol/params.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "api/protocol/timestamps.h"
#include "api/protocol/utf8.h"

namespace dbinsight::api::protocol {

namespace {

bool IsSanitizedChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-': case '_': case '.': case ':': case '/': case '*': case ')': case '(': case ' ':
      return true;
    default:
      return false;
  }
}

// How a JSON value is quoted in an error message.
std::string Echo(const nlohmann::json& v) {
  if (v.is_string()) return EchoValue(v.get_ref<const std::string&>());
  return EchoValue(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string JoinQuoted(std::span<const std::string_view> values) {
  return fmt::format("{}", fmt::join(values, ", "));
}

}  // namespace

std::string_view PatternText(Pattern p) {
  switch (p) {
    case Pattern::kAny: return ".*";
    case Pattern::kNonBlank: return ".*\\S.*";
    case Pattern::kIdentifier: return "^[a-zA-Z0-9-]+$";
    case Pattern::kSanitized: return "^[a-zA-Z0-9-_\\.:/*)( ]+$";
    case Pattern::kNextToken: return "^[a-zA-Z0-9_=-]+$";
    case Pattern::kPrintable:
      return "^[\\x20-\\x7E]*[\\x21-\\x7E][\\x20-\\x7E]*$";
  }
  return "";
}

bool MatchesPattern(std::string_view v, Pattern p) {
  switch (p) {
    case Pattern::kAny:
      return true;
    case Pattern::kNonBlank:
      return std::any_of(v.begin(), v.end(), [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
    case Pattern::kIdentifier:
      return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      });
    case Pattern::kSanitized:
      return !v.empty() && std::all_of(v.begin(), v.end(), IsSanitizedChar);
    case Pattern::kNextToken:
      return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '=' || c == '-';
      });
    case Pattern::kPrintable:
      return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c <= 0x7e; }) &&
             std::any_of(v.begin(), v.end(), [](char c) { return c > 0x20 && c <= 0x7e; });
  }
  return false;
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path, ParamErrors& errors, InputStyle style)
    : object_(value.is_object() ? &value : nullptr), path_(std::move(path)), errors_(&errors), style_(style) {
  if (!object_) TypeError(path_.empty() ? "request body" : path_, value, "object");
}

std::string ObjectReader::PathOf(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return fmt::format("{}.{}", path_, name);
}

std::string ObjectReader::ElementPath(std::string_view list_path, size_t i) const {
  return style_ == InputStyle::kQuery ? fmt::format("{}.member.{}", list_path, i + 1)
                                      : fmt::format("{}[{}]", list_path, i);
}

void ObjectReader::TypeError(const std::string& path, const nlohmann::json& value,
                             std::string_view expected) {
  errors_->Add(Status::InvalidArgument(fmt::format(
      "Invalid type for parameter {}, value: {}, type: {}, valid types: {}", path, Echo(value),
      value.type_name(), expected)));
}

void ObjectReader::InvalidValue(std::string_view name, std::string_view value, std::string_view detail) {
  errors_->Add(Status::InvalidArgument(
      fmt::format("Invalid value for parameter {}, value: {}, {}", PathOf(name), EchoValue(value), detail)));
}

const nlohmann::json* ObjectReader::Find(std::string_view name, bool required) {
  const nlohmann::json* found = nullptr;
  if (object_) {
    auto it = object_->find(name);
    if (it != object_->end() && !it->is_null()) found = &*it;
  }
  if (!found && required) errors_->Add(Status::InvalidArgument(MissingParameterMessage(PathOf(name))));
  return found;
}

bool ObjectReader::CheckString(const std::string& path, const std::string& value, const StringRule& rule) {
  if (value.size() < rule.min_length) {
    errors_->Add(Status::InvalidArgument(fmt::format(
        "Invalid length for parameter {}, value: {}, valid min length: {}", path, value.size(), rule.min_length)));
    return false;
  }
  if (value.size() > rule.max_length) {
    errors_->Add(Status::InvalidArgument(fmt::format(
        "Invalid length for parameter {}, value: {}, valid max length: {}", path, value.size(), rule.max_length)));
    return false;
  }
  if (!rule.allowed.empty()) {
    if (std::find(rule.allowed.begin(), rule.allowed.end(), value) == rule.allowed.end()) {
      errors_->Add(Status::InvalidArgument(fmt::format("Invalid value for parameter {}, value: {}, valid values: {}",
                                                       path, EchoValue(value), JoinQuoted(rule.allowed))));
      return false;
    }
    return true;
  }
  if (!MatchesPattern(value, rule.pattern)) {
    errors_->Add(Status::InvalidArgument(fmt::format("Invalid value for parameter {}, value: {}, valid pattern: {}",
                                                     path, EchoValue(value), PatternText(rule.pattern))));
    return false;
  }
  return true;
}

std::optional<std::string> ObjectReader::String(std::string_view name, const StringRule& rule) {
  const nlohmann::json* v = Find(name, rule.required);
  if (!v) return std::nullopt;
  std::string path = PathOf(name);
  if (!v->is_string()) {
    TypeError(path, *v, "string");
    return std::nullopt;
  }
  const std::string& s = v->get_ref<const std::string&>();
  if (!CheckString(path, s, rule)) return std::nullopt;
  return s;
}

std::optional<int64_t> ObjectReader::Int(std::string_view name, const IntRule& rule) {
  const nlohmann::json* found = Find(name, rule.required);
  if (!found) return std::nullopt;
  std::string path = PathOf(name);
  // Query style: the digits as a JSON number, so one set of checks follows.
  nlohmann::json parsed;
  if (style_ == InputStyle::kQuery && found->is_string()) {
    const std::string& text = found->get_ref<const std::string&>();
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) parsed = n;
  }
  const nlohmann::json* v = parsed.is_null() ? found : &parsed;
  if (!v->is_number_integer()) {
    TypeError(path, *found, "integer");
    return std::nullopt;
  }
  // A huge unsigned value does not fit int64: report it as above the maximum.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    errors_->Add(Status::InvalidArgument(fmt::format("Invalid value for parameter {}, value: {}, valid max value: {}",
                                                     path, v->dump(), rule.max)));
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < rule.min) {
    errors_->Add(Status::InvalidArgument(
        fmt::format("Invalid value for parameter {}, value: {}, valid min value: {}", path, n, rule.min)));
    return std::nullopt;
  }
  if (n > rule.max) {
    errors_->Add(Status::InvalidArgument(
        fmt::format("Invalid value for parameter {}, value: {}, valid max value: {}", path, n, rule.max)));
    return std::nullopt;
  }
  if (!rule.allowed.empty() && std::find(rule.allowed.begin(), rule.allowed.end(), n) == rule.allowed.end()) {
    errors_->Add(Status::InvalidArgument(fmt::format("Invalid value for parameter {}, value: {}, valid values: {}",
                                                     path, n, fmt::join(rule.allowed, ", "))));
    return std::nullopt;
  }
  return n;
}

std::optional<double> ObjectReader::Number(const std::string& path, const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (style_ == InputStyle::kQuery && v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return d;
  }
  TypeError(path, v, "float");
  return std::nullopt;
}

std::optional<double> ObjectReader::Double(std::string_view name, bool required) {
  const nlohmann::json* v = Find(name, required);
  if (!v) return std::nullopt;
  std::string path = PathOf(name);
  std::optional<double> d = Number(path, *v);
  if (d && !std::isfinite(*d)) {
    InvalidValue(name, Echo(*v), "valid values: finite numbers");
    return std::nullopt;
  }
  return d;
}

std::optional<bool> ObjectReader::Bool(std::string_view name, bool required) {
  const nlohmann::json* v = Find(name, required);
  if (!v) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (style_ == InputStyle::kQuery && v->is_string()) {
    if (*v == "true") return true;
    if (*v == "false") return false;
  }
  TypeError(PathOf(name), *v, "boolean");
  return std::nullopt;
}

std::optional<WallTime> ObjectReader::Timestamp(std::string_view name, bool required) {
  const nlohmann::json* v = Find(name, required);
  if (!v) return std::nullopt;
  std::optional<WallTime> t;
  if (v->is_number()) {
    t = FromEpochSecondsChecked(v->get<double>());
  } else if (v->is_string()) {
    t = ParseTimestampString(v->get_ref<const std::string&>());
  } else {
    TypeError(PathOf(name), *v, "timestamp (epoch seconds or ISO-8601 string)");
    return std::nullopt;
  }
  if (!t) {
    InvalidValue(name, Echo(*v), "valid forms: epoch seconds (0 to 253402300799) or an ISO-8601 timestamp");
  }
  return t;
}

const nlohmann::json* ObjectReader::FindList(std::string_view name, const ListRule& rule) {
  const nlohmann::json* v = Find(name, rule.required);
  if (!v) return nullptr;
  static const nlohmann::json kEmptyList = nlohmann::json::array();
  if (style_ == InputStyle::kQuery && *v == "") v = &kEmptyList;
  std::string path = PathOf(name);
  if (!v->is_array()) {
    TypeError(path, *v, "list");
    return nullptr;
  }
  if (v->size() < rule.min_items || v->size() > rule.max_items) {
    bool low = v->size() < rule.min_items;
    errors_->Add(
        Status::InvalidArgument(fmt::format("Invalid length for parameter {}, value: {}, valid {} length: {}", path,
                                            v->size(), low ? "min" : "max", low ? rule.min_items : rule.max_items)));
    return nullptr;
  }
  return v;
}

std::optional<std::vector<std::string>> ObjectReader::StringList(std::string_view name, const ListRule& list,
                                                                 const StringRule& item) {
  const nlohmann::json* v = FindList(name, list);
  if (!v) return std::nullopt;
  std::string path = PathOf(name);
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& e = (*v)[i];
    std::string item_path = ElementPath(path, i);
    if (!e.is_string()) {
      TypeError(item_path, e, "string");
      return std::nullopt;
    }
    if (!CheckString(item_path, e.get_ref<const std::string&>(), item)) return std::nullopt;
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<std::vector<double>> ObjectReader::DoubleList(std::string_view name, const ListRule& list) {
  const nlohmann::json* v = FindList(name, list);
  if (!v) return std::nullopt;
  std::string path = PathOf(name);
  std::vector<double> out;
  for (size_t i = 0; i < v->size(); ++i) {
    std::string item_path = ElementPath(path, i);
    std::optional<double> d = Number(item_path, (*v)[i]);
    if (!d) return std::nullopt;
    if (!std::isfinite(*d)) {
      errors_->Add(Status::InvalidArgument(fmt::format(
          "Invalid value for parameter {}, value: {}, valid values: finite numbers", item_path, Echo((*v)[i]))));
      return std::nullopt;
    }
    out.push_back(*d);
  }
  return out;
}

std::optional<std::map<std::string, std::string>> ObjectReader::StringMap(std::string_view name, bool required,
                                                                          const StringRule& key,
                                                                          const StringRule& value) {
  const nlohmann::json* v = Find(name, required);
  if (!v) return std::nullopt;
  std::string path = PathOf(name);
  if (!v->is_object()) {
    TypeError(path, *v, "map");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, e] : v->items()) {
    if (!CheckString(fmt::format("{} key", path), k, key)) return std::nullopt;
    std::string value_path = fmt::format("{}[{}]", path, EchoValue(k));
    if (!e.is_string()) {
      TypeError(value_path, e, "string");
      return std::nullopt;
    }
    if (!CheckString(value_path, e.get_ref<const std::string&>(), value)) return std::nullopt;
    out.emplace(k, e.get<std::string>());
  }
  return out;
}

std::optional<ObjectReader> ObjectReader::Object(std::string_view name, bool required) {
  const nlohmann::json* v = Find(name, required);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    TypeError(PathOf(name), *v, "structure");
    return std::nullopt;
  }
  return ObjectReader(*v, PathOf(name), *errors_, style_);
}

std::vector<ObjectReader> ObjectReader::ObjectList(std::string_view name, const ListRule& rule) {
  const nlohmann::json* v = FindList(name, rule);
  if (!v) return {};
  std::string path = PathOf(name);
  std::vector<ObjectReader> out;
  for (size_t i = 0; i < v->size(); ++i) {
    std::string item_path = ElementPath(path, i);
    if (!(*v)[i].is_object()) {
      TypeError(item_path, (*v)[i], "structure");
      return {};
    }
    out.emplace_back((*v)[i], item_path, *errors_, style_);
  }
  return out;
}

}  // namespace dbinsight::api::protocol
