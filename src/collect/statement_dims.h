// The statement dimensions every engine's sampler stamps on a session
// (db.sql_tokenized and db.sql values) and the generated db_id form, shared
// by postgres/ and mysql/ so both name statements alike. Plain values and a
// pure function.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight::collect {

struct StatementDims {
  // db.sql_tokenized: StableId(digest text), the engine's id (query_id in
  // decimal, MySQL digest) or "pi-<digits>", and the digest text (full,
  // never truncated here).
  std::string tokenized_id;
  std::string tokenized_db_id;
  std::string tokenized_text;
  // db.sql: with store_literals the raw text and its own ids; without, the
  // same values as db.sql_tokenized.
  std::string sql_id;
  std::string sql_db_id;
  std::string sql_text;
};

// "pi-" + up to 10 decimal digits taken from a StableId: the generated
// db_id form Performance Insights uses (e.g. "pi-2372568224") when the
// engine has no id of its own.
std::string GeneratedDbId(std::string_view stable_id);

// The dimensions of a session running `raw`, whose tokenized statement is
// (id, db_id, text). With store_literals db.sql is the raw text with its own
// ids (engines have no id for a statement with its literals); without, the
// tokenized values.
StatementDims MakeStatementDims(std::string tokenized_id, std::string tokenized_db_id, std::string tokenized_text,
                                std::string_view raw, bool store_literals);

}  // namespace dbinsight::collect
