// S3 wire helpers: S3's two timestamp forms, reading the small request
// documents S3 takes (Delete, CompleteMultipartUpload,
// VersioningConfiguration: flat enough that no general XML parser is
// needed), and the hex form of continuation tokens. Pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace dbinsight::api::s3 {

// "2026-11-27T06:00:00.000Z" (XML bodies).
std::string Iso(WallTime t);
// RFC 7231 IMF-fixdate "Fri, 27 Nov 2026 06:00:00 GMT" (Last-Modified).
std::string HttpDate(WallTime t);

// Resolves the five named entities and numeric character references.
std::string XmlUnescape(std::string_view s);
// The raw inner XML of every <name>...</name> (attributes allowed; <name/>
// is empty) in document order. Views into xml.
std::vector<std::string_view> Inner(std::string_view xml, std::string_view name);
// The unescaped text of the first <name>, or nullopt.
std::optional<std::string> Text(std::string_view xml, std::string_view name);

std::string HexEncode(std::string_view s);
// nullopt unless s is an even number of hex digits.
std::optional<std::string> HexDecode(std::string_view s);

}  // namespace dbinsight::api::s3
