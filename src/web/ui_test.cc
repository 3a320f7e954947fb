// Unit tests of the UI routes: every embedded asset is served with its content
// type, revalidation headers and the same-origin policy; a matching ETag is a 304;
// /ui/fetch hands on a GET and turns its status into data.
#include "web/ui.h"

#include <gtest/gtest.h>

#include <map>

namespace dbinsight::web {
namespace {

std::map<std::string, api::Server::Handler> Routes() {
  std::map<std::string, api::Server::Handler> m;
  for (UiRoute& r : UiRoutes()) m.emplace(r.path, std::move(r.handler));
  return m;
}

api::HttpResponse Get(const api::Server::Handler& handler, const std::string& etag = "") {
  api::HttpRequest request;
  request.method = "GET";
  if (!etag.empty()) request.headers["If-None-Match"] = etag;
  return handler(request);
}

TEST(UiRoutes, ServesThePageAndItsAssetsWithTheirTypes) {
  auto routes = Routes();
  const std::map<std::string, std::string> want = {{"/", "text/html; charset=utf-8"},
                                                   {"/ui/index.html", "text/html; charset=utf-8"},
                                                   {"/ui/app.js", "text/javascript; charset=utf-8"},
                                                   {"/ui/style.css", "text/css; charset=utf-8"},
                                                   {"/ui/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
                                                   {"/ui/uPlot.min.css", "text/css; charset=utf-8"}};
  ASSERT_EQ(routes.size(), want.size());
  for (const auto& [path, type] : want) {
    ASSERT_TRUE(routes.count(path)) << path;
    api::HttpResponse r = Get(routes.at(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.content_type, type) << path;
    EXPECT_FALSE(r.body.empty()) << path;
    EXPECT_EQ(r.headers["Cache-Control"], "no-cache") << path;
    EXPECT_NE(r.headers["Content-Security-Policy"].find("default-src 'self'"), std::string::npos) << path;
  }
  EXPECT_NE(Get(routes.at("/")).body.find("/ui/app.js"), std::string::npos);
  EXPECT_NE(Get(routes.at("/ui/uPlot.iife.min.js")).body.find("uPlot"), std::string::npos);
}

TEST(UiRoutes, MatchingEtagIsNotModified) {
  auto routes = Routes();
  api::HttpResponse first = Get(routes.at("/ui/app.js"));
  std::string etag = first.headers["ETag"];
  ASSERT_FALSE(etag.empty());
  api::HttpResponse again = Get(routes.at("/ui/app.js"), etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(routes.at("/ui/app.js"), "\"other\"").status, 200);
  EXPECT_NE(Get(routes.at("/ui/style.css")).headers["ETag"], etag);
}

TEST(StatusAsData, ForwardsTheGetAndMovesTheStatusIntoAHeader) {
  api::HttpRequest seen;
  auto handler = StatusAsData([&seen](const api::HttpRequest& r) {
    seen = r;
    return api::HttpResponse{503, "application/json", R"({"status":"degraded"})", {}};
  });
  api::HttpRequest request;
  request.method = "GET";
  request.query = "path=%2Fdbinsight-reports-pg1&query=list-type%3D2%26prefix%3Dperformance-reports%2F";
  api::HttpResponse r = handler(request);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/dbinsight-reports-pg1");
  EXPECT_EQ(seen.query, "list-type=2&prefix=performance-reports/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["X-Dbi-Status"], "503");
  EXPECT_EQ(r.body, R"({"status":"degraded"})");
}

TEST(StatusAsData, RejectsAMissingOrRelativePath) {
  int calls = 0;
  auto handler = StatusAsData([&calls](const api::HttpRequest&) {
    ++calls;
    return api::HttpResponse{};
  });
  for (const char* query : {"", "path=healthz", "query=a%3Db"}) {
    api::HttpRequest request;
    request.method = "GET";
    request.query = query;
    EXPECT_EQ(handler(request).status, 400) << query;
  }
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace dbinsight::web
