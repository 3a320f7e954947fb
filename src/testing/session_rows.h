// Builders of model::SessionRow for tests of the store, the PI engine and the
// API: one place that knows how a session's dimension values are laid out, so
// tests state only what matters to them (wait, statement, user). Pure values.
#pragma once

#include <string>

#include "model/sample.h"

namespace dbinsight::testing {

struct SessionSpec {
  std::string wait = "CPU";  // "Type:Event" or "CPU"
  std::string sql;           // tokenized text; empty = a session without SQL
  std::string user = "app";
  std::string host = "local";
  std::string db = "testdb";
  std::string application = "psql";
  std::string session_type = "client backend";
};

// Ids are derived from the text ("T" + text for db.sql_tokenized.id, "S" +
// text for db.sql.id, "D" + text for both db_ids), so tests can name them.
model::SessionRow MakeSessionRow(const SessionSpec& spec);

}  // namespace dbinsight::testing
