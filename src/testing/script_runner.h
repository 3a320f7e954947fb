// RunScript: runs one of the repository's scripts (scripts/*.sh) as a child
// process with a few environment variables replaced, and returns its stdout.
// How the throwaway-server harnesses (mariadb_cluster.h) drive their shell
// recipe. Stateless; safe from any thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace dbinsight::testing {

// Runs `bash <script> <args...>` with the caller's environment, except that
// each (name, value) of env replaces or adds that variable. stderr is
// inherited (the script's log lines reach the test output). Internal when the
// script cannot start or exits non-zero.
Result<std::string> RunScript(const std::string& script, const std::vector<std::string>& args,
                              const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace dbinsight::testing
