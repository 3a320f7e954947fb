// `dbinsight serve`: wires config → store → collectors → PI engine → API and
// runs until SIGTERM/SIGINT. The composition root for the serving process.
#pragma once

#include <string>

namespace dbinsight::app {

// Returns the process exit code: 0 after a graceful shutdown, 2 for a bad
// config, 1 when the store or the listener cannot start.
int Serve(const std::string& config_path);

}  // namespace dbinsight::app
