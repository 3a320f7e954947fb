// ChildProcess: a helper program a test runs beside itself (an SMTP sink, a
// driver the test kills with SIGKILL): started with the caller's environment,
// its stdout read line by line through a pipe, stderr inherited. Owned by the
// test; the destructor kills (SIGTERM) and reaps the child if it still runs.
// Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace dbinsight::testing {

class ChildProcess {
 public:
  // argv[0] is the program's absolute path. Internal when it cannot start.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of the child's stdout, without its newline. Unavailable at
  // end of output or when nothing arrives for `quiet`.
  Result<std::string> ReadLine(std::chrono::milliseconds quiet);
  // Sends `signal` and reaps the child; returns its wait status.
  int Kill(int signal);
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int out) : pid_(pid), out_(out) {}
  pid_t pid_;
  int out_;
  bool reaped_ = false;
  std::string buffered_;
};

}  // namespace dbinsight::testing
