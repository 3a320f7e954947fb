#include "collect/statement_dims.h"

#include <cstdint>

#include "sql/normalizer.h"

namespace dbinsight::collect {

std::string GeneratedDbId(std::string_view stable_id) {
  // The first 8 hex digits as an unsigned 32-bit number: at most 10 digits.
  uint32_t v = 0;
  for (char c : stable_id.substr(0, 8)) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
  }
  return "pi-" + std::to_string(v);
}

StatementDims MakeStatementDims(std::string tokenized_id, std::string tokenized_db_id, std::string tokenized_text,
                                std::string_view raw, bool store_literals) {
  StatementDims d;
  if (store_literals) {
    d.sql_text = std::string(raw);
    d.sql_id = sql::StableId(raw);
    d.sql_db_id = GeneratedDbId(d.sql_id);
  } else {
    d.sql_text = tokenized_text;
    d.sql_id = tokenized_id;
    d.sql_db_id = tokenized_db_id;
  }
  d.tokenized_id = std::move(tokenized_id);
  d.tokenized_db_id = std::move(tokenized_db_id);
  d.tokenized_text = std::move(tokenized_text);
  return d;
}

}  // namespace dbinsight::collect
