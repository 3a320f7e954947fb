// TempDir: a fresh directory under /tmp, removed with its contents on
// destruction. Owned by the test. Not thread-safe to destroy while in use.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace dbinsight::testing {

class TempDir {
 public:
  // prefix: first part of the directory name, e.g. "dbi-store".
  static Result<std::unique_ptr<TempDir>> Create(const std::string& prefix = "dbi-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  // Path of a file inside the directory.
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  explicit TempDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

}  // namespace dbinsight::testing
