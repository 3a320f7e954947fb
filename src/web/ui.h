// The web UI (fleet, Performance Insights, alarms, reports, incidents,
// notifications, dashboards) served by `dbinsight serve` at / on the API port.
// The pages are static and embedded in the binary; in the browser they read
// the same APIs any client uses (GET /healthz, PI over JSON 1.1, CloudWatch
// over JSON 1.0, SNS, S3 and the /incidents and /notify/* lists). Stateless:
// the handlers only read the embedded assets or forward to the server, so
// they are safe from any thread.
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

// GET /ui/fetch?path=<path>[&query=<query string>]: answers the GET request
// <path>?<query> as `serve` does, but always with status 200 and the real one
// in the X-Dbi-Status header. Browsers log every 4xx/5xx response as a console
// error, yet some are data to the pages: /healthz is 503 while an instance is
// down, S3 is 404 for a report bucket not made yet. Only GET is forwarded, so
// it can do nothing a plain GET to the server cannot. 400 when path is missing or not
// absolute.
api::Server::Handler StatusAsData(api::Server::Handler serve);

// Adds UiRoutes() and /ui/fetch (StatusAsData of server.Serve) to the server. REQUIRES: before server.Start().
void RegisterUi(api::Server& server);

}  // namespace dbinsight::web
