// XmlWriter: builds the small XML documents of the AWS query protocol
// (responses and ErrorResponse) with correct escaping. One writer per
// document; not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbinsight::api::protocol {

class XmlWriter {
 public:
  // Starts <name> (with xmlns="..." when xmlns is not empty).
  void Open(std::string_view name, std::string_view xmlns = {});
  // Ends the innermost open element. REQUIRES: an element is open.
  void Close();
  // <name>escaped text</name>
  void Element(std::string_view name, std::string_view text);
  // Appends already well-formed XML (a handler's result body).
  void Raw(std::string_view xml);
  // REQUIRES: every element closed. Leaves the writer empty.
  std::string Take();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// Escapes &, <, >, " and ' and drops characters XML 1.0 forbids (C0 controls
// other than tab/newline/CR), which a database's error text may contain.
std::string XmlEscape(std::string_view text);

}  // namespace dbinsight::api::protocol
