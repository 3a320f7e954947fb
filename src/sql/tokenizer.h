// The in-house SQL tokenizer: a single-pass, regex-free lexer that replaces
// literals with placeholders while keeping every other byte (identifiers,
// keywords, casing, whitespace, comments) as written. It is the fallback for
// text libpg_query cannot parse (truncated at track_activity_query_size,
// unterminated strings, other dialects) and the only normalizer for MySQL.
// Stateless free functions over caller-owned text; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight::sql {

enum class Dialect { kPostgres, kMySql };

// Replaces numeric literals (ints, decimals, 1e10, 0x1F, 0b101, a negative
// number after an operator or keyword as one literal), string literals
// ('..', E'..', B'..', X'..', N'..', U&'..', $tag$..$tag$; MySQL also "..",
// _charset'..') with placeholders.
// kPostgres: placeholders are $1, $2, ... in text order, starting after the
// highest $n already in the text (as pg_stat_statements numbers them).
// kMySql: placeholders are ?, and IN lists of two or more literals collapse to
// "IN (...)" as MySQL digests do.
// true/false/null are kept: they are keywords to a lexer, constants only to a
// parser (pg_stat_statements replaces them; this function does not).
// A literal cut off by the end of the text becomes a placeholder too, so no
// literal text leaks from a truncated statement. Never fails.
std::string ReplaceLiterals(std::string_view sql, Dialect dialect);

// The highest $n parameter in PostgreSQL text, ignoring strings, quoted
// identifiers and comments; 0 when there is none. Saturates at 2^30.
int HighestParamNumber(std::string_view sql);

// Renumbers the placeholders libpg_query inserted into `normalized` (those
// numbered above `highest_existing`) to highest_existing+1, +2, ... in text
// order. libpg_query numbers in parse-tree order ("LIMIT $3 OFFSET $2");
// pg_stat_statements numbers by position ("LIMIT $2 OFFSET $3").
std::string RenumberParams(std::string_view normalized, int highest_existing);

}  // namespace dbinsight::sql
