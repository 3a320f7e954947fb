// Thin RAII wrappers over the SQLite C API: a connection and a prepared
// statement. The only place sqlite3.h is seen. Not thread-safe: the owner
// (Store) serializes access.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dbinsight::store {

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& Bind(int index, int64_t v);  // 1-based
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view blob);
  Statement& BindReal(int index, double v);  // named apart: Bind(i, 0) would be ambiguous
  // Returns true while a row is available; Status on error.
  Result<bool> Step();
  Status Run();  // Step to completion, then Reset.
  // Calls fn for each row (read through this statement's accessors) until the
  // rows end or fn returns an error, which is returned.
  Status ForEachRow(const std::function<Status()>& fn);
  void Reset();
  int64_t Int(int col) const;
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;
  double Real(int col) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Commits on Commit(); rolls back if destroyed first.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Status Begin();
  Status Commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace dbinsight::store
