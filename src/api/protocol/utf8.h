// UTF-8 helpers for response text limits (PI cuts dimension values such as
// SQL statements to 500 bytes). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dbinsight::api::protocol {

// The longest prefix of text of at most max_bytes bytes that does not split a
// UTF-8 sequence. Bytes that are not valid UTF-8 are treated as single units.
std::string_view TruncateUtf8(std::string_view text, size_t max_bytes);

// A value quoted in an error message: cut to 100 bytes with "..." appended,
// so a 1 MB statement never ends up in an error body.
std::string EchoValue(std::string_view text);

}  // namespace dbinsight::api::protocol
