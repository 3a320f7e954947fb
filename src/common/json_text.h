// JsonQuote: a string as a JSON string literal, for the few places that write
// a small JSON document by hand (alarm reason data, loadgen's ground-truth
// lines) in modules that do not take a JSON library. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight {

// s as a JSON string literal, quotes included; control characters escaped.
std::string JsonQuote(std::string_view s);

}  // namespace dbinsight
