#include "web/ui.h"

#include <fmt/format.h>

#include <cstdint>

#include "api/protocol/query_dispatcher.h"
#include "web/assets.h"

namespace dbinsight::web {
namespace {

std::string_view ContentType(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

// FNV-1a: an ETag only has to change when the bytes do.
uint64_t Fingerprint(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  return h;
}

api::Server::Handler ServeAsset(const Asset& asset) {
  std::string etag = fmt::format("\"{:016x}\"", Fingerprint(asset.body));
  std::string content_type(ContentType(asset.path));
  return [asset, etag, content_type](const api::HttpRequest& request) {
    api::HttpResponse r;
    r.content_type = content_type;
    // Asset URLs carry no version, so the browser revalidates each time and
    // gets a 304 until the binary changes: never a stale page after an upgrade.
    r.headers["Cache-Control"] = "no-cache";
    r.headers["ETag"] = etag;
    r.headers["X-Content-Type-Options"] = "nosniff";
    // The page talks to its own origin only (the UI works offline); data: is
    // the empty favicon.
    r.headers["Content-Security-Policy"] =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
    if (request.Header("If-None-Match") == etag) {
      r.status = 304;
      return r;
    }
    r.body = std::string(asset.body);
    return r;
  };
}

}  // namespace

std::vector<UiRoute> UiRoutes() {
  std::vector<UiRoute> routes;
  for (const Asset& asset : Assets()) {
    routes.push_back({std::string(asset.path), ServeAsset(asset)});
    if (asset.path == "/ui/index.html") routes.push_back({"/", ServeAsset(asset)});
  }
  return routes;
}

api::Server::Handler StatusAsData(api::Server::Handler serve) {
  return [serve = std::move(serve)](const api::HttpRequest& request) {
    auto params = api::protocol::ParseFormEncoded(request.query);
    auto path = params.ok() ? params->find("path") : api::protocol::QueryParams::const_iterator();
    if (!params.ok() || path == params->end() || !path->second.starts_with('/'))
      return api::HttpResponse{400, "application/json", R"({"message":"expected ?path=/<absolute path>"})", {}};
    api::HttpRequest inner;
    inner.method = "GET";
    inner.path = path->second;
    if (auto query = params->find("query"); query != params->end()) inner.query = query->second;
    inner.remote_addr = request.remote_addr;
    api::HttpResponse r = serve(inner);
    r.headers["X-Dbi-Status"] = std::to_string(r.status);
    r.headers["Cache-Control"] = "no-store";
    r.status = 200;
    return r;
  };
}

void RegisterUi(api::Server& server) {
  for (UiRoute& route : UiRoutes()) server.Handle("GET", std::move(route.path), std::move(route.handler));
  server.Handle("GET", "/ui/fetch", StatusAsData([&server](const api::HttpRequest& r) { return server.Serve(r); }));
}

}  // namespace dbinsight::web
