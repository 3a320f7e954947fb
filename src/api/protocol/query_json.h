// Bridges between the query protocol and JSON-shaped operation handlers, so a
// service that speaks both (CloudWatch: query for older clients, JSON 1.0 for
// newer ones) implements each operation once over JSON: the form is
// unflattened into the JSON the other protocol would have sent, and the JSON
// result is written as the query protocol's XML. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string_view>

#include "api/protocol/query_dispatcher.h"
#include "api/protocol/xml_writer.h"

namespace dbinsight::api::protocol {

// "A.member.2.B=x&A.member.1.B=y&C=z" → {"A": [{"B": "y"}, {"B": "x"}],
// "C": "z"}: ".member.N" (N from 1, in numeric order; gaps close up) makes a
// list, other dots nest structures. Every scalar stays a string; read the
// result with an InputStyle::kQuery ObjectReader. A key that is both a value
// and a parent ("L=" beside "L.member.1=v") keeps the children.
nlohmann::json QueryParamsToJson(const QueryParams& params);

// How a JSON result maps onto query XML beyond the generic rules.
struct XmlShape {
  // Members whose numbers are epoch seconds, written as ISO-8601 (also the
  // elements of a list with that name).
  std::span<const std::string_view> timestamps;
  // Members whose objects are maps: <entry><key>k</key><value>v</value></entry>.
  std::span<const std::string_view> maps;
};

// Writes each member of `object` as an element: strings escaped, numbers in
// their shortest round-trip form, booleans as true/false, lists as
// <Name><member>..</member></Name> (an empty one as <Name></Name>), objects as
// nested elements. REQUIRES: object.is_object().
void WriteJsonAsXml(XmlWriter& w, const nlohmann::json& object, const XmlShape& shape);

}  // namespace dbinsight::api::protocol
