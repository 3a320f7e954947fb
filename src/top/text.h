// Terminal text helpers for `dbinsight top`: what a string looks like on a
// terminal, and how to cut or pad it to a number of columns without ever
// emitting a control character or half a UTF-8 sequence (statement texts come
// from the monitored server and may hold newlines, tabs, escapes, any bytes).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight::top {

// Control characters (C0, DEL, C1) become spaces, runs of white space one
// space, invalid UTF-8 bytes '?'; leading and trailing spaces go.
std::string Sanitize(std::string_view text);

// Terminal columns of sanitized UTF-8: East Asian wide characters take 2,
// combining marks 0, everything else 1.
int DisplayWidth(std::string_view text);

enum class Align { kLeft, kRight };

// `text` (sanitized first) in exactly `width` columns: padded with spaces, or
// cut with a trailing '~' marking the cut. Empty for width <= 0.
std::string Fit(std::string_view text, int width, Align align = Align::kLeft);

// At most `width` columns of `text`, cut with '~', never padded. Unlike
// Fit, keeps runs of spaces (for composed lines); control characters still
// become spaces and invalid bytes '?'.
std::string Clip(std::string_view text, int width);

}  // namespace dbinsight::top
