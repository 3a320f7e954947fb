// The web UI's files, embedded at build time (embed_assets.cmake writes the
// definition into the build tree from web/ and the npm packages). Immutable
// static data: safe from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace dbinsight::web {

struct Asset {
  std::string_view path;  // URL path, e.g. "/ui/app.js"
  std::string_view body;  // the file's bytes
};

const std::vector<Asset>& Assets();

}  // namespace dbinsight::web
