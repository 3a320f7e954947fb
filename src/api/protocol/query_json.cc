#include "api/protocol/query_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <string>

#include "api/protocol/timestamps.h"

namespace dbinsight::api::protocol {

namespace {

// One key's place in the form's tree before it becomes JSON.
struct Node {
  std::string value;
  std::map<std::string, Node, std::less<>> fields;
  std::map<int64_t, Node> members;  // by N of ".member.N"

  nlohmann::json ToJson() const {
    if (!members.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& [n, m] : members) list.push_back(m.ToJson());
      return list;
    }
    if (!fields.empty()) {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& [name, f] : fields) object[name] = f.ToJson();
      return object;
    }
    return value;
  }
};

// N of a "member.N" step, or nullopt when `text` is not a positive integer.
std::optional<int64_t> MemberIndex(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void WriteValue(XmlWriter& w, std::string_view name, const nlohmann::json& v, bool timestamp, const XmlShape& shape);

void WriteScalar(XmlWriter& w, std::string_view name, const nlohmann::json& v, bool timestamp) {
  if (v.is_string()) {
    w.Element(name, v.get_ref<const std::string&>());
  } else if (v.is_boolean()) {
    w.Element(name, v.get<bool>() ? "true" : "false");
  } else if (timestamp && v.is_number()) {
    w.Element(name, FormatIsoTimestamp(v.get<double>()));
  } else if (v.is_number_float()) {
    w.Element(name, fmt::format("{}", v.get<double>()));
  } else if (v.is_number()) {
    w.Element(name, v.dump());
  }  // null: the member is absent
}

void WriteValue(XmlWriter& w, std::string_view name, const nlohmann::json& v, bool timestamp, const XmlShape& shape) {
  if (v.is_array()) {
    w.Open(name);
    for (const nlohmann::json& e : v) WriteValue(w, "member", e, timestamp, shape);
    w.Close();
  } else if (v.is_object() && Contains(shape.maps, name)) {
    w.Open(name);
    for (const auto& [key, value] : v.items()) {
      w.Open("entry");
      w.Element("key", key);
      WriteScalar(w, "value", value, false);
      w.Close();
    }
    w.Close();
  } else if (v.is_object()) {
    w.Open(name);
    WriteJsonAsXml(w, v, shape);
    w.Close();
  } else {
    WriteScalar(w, name, v, timestamp);
  }
}

}  // namespace

nlohmann::json QueryParamsToJson(const QueryParams& params) {
  Node root;
  for (const auto& [key, value] : params) {
    Node* node = &root;
    std::string_view rest = key;
    while (!rest.empty()) {
      size_t dot = rest.find('.');
      std::string_view step = rest.substr(0, dot);
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
      if (step == "member" && !rest.empty()) {
        size_t next = rest.find('.');
        if (std::optional<int64_t> n = MemberIndex(rest.substr(0, next))) {
          node = &node->members[*n];
          rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
          continue;
        }
      }
      auto it = node->fields.find(step);
      if (it == node->fields.end()) it = node->fields.emplace(std::string(step), Node{}).first;
      node = &it->second;
    }
    node->value = value;
  }
  return root.fields.empty() ? nlohmann::json::object() : root.ToJson();
}

void WriteJsonAsXml(XmlWriter& w, const nlohmann::json& object, const XmlShape& shape) {
  for (const auto& [name, v] : object.items()) WriteValue(w, name, v, Contains(shape.timestamps, name), shape);
}

}  // namespace dbinsight::api::protocol
