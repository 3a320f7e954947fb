// The web UI (fleet overview, Performance Insights view) served by
// `dbinsight serve` at / on the API port. The pages are static and embedded
// in the binary; in the browser they read the same APIs any client uses
// (GET /healthz, PI over JSON 1.1 on POST /). Stateless: the handlers only
// read the embedded assets, so they are safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "api/server.h"

namespace dbinsight::web {

struct UiRoute {
  std::string path;  // GET only
  api::Server::Handler handler;
};

// GET / (the page) and GET /ui/<file> for every embedded asset, with their
// content types and caching headers.
std::vector<UiRoute> UiRoutes();

// Adds UiRoutes() to the server. REQUIRES: before server.Start().
void RegisterUi(api::Server& server);

}  // namespace dbinsight::web
