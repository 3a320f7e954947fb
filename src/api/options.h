// api::ServerOptions: how the HTTP API listens. Filled by config/ from the
// `listen:` key; defaults live here only (ARCHITECTURE notes C8).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace dbinsight::api {

struct ServerOptions {
  // Default loopback: the API does not verify SigV4 signatures, so exposing
  // it beyond the host is an explicit choice (docs/api-coverage.md).
  std::string host = "127.0.0.1";
  // Default 8421. 0 = any free port (tests); Server::port() tells which.
  int port = 8421;
  // Default 8 worker threads: PI queries are short, and each keep-alive
  // connection holds a worker while open.
  int threads = 8;
  // Default 2 s: frees a worker soon after a CLI call instead of holding it
  // for httplib's 5 s.
  std::chrono::seconds keep_alive_timeout{2};
  // Default 100 requests per connection, then the client reconnects.
  size_t keep_alive_max_requests = 100;
  // Default 10 s to receive a request / send a response: a stuck client
  // must not pin a worker.
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  // Default 16 MiB: PI bodies are tiny; CloudWatch PutMetricData reaches 1 MB;
  // an S3 part from `aws s3 cp` is 8 MiB plus its aws-chunked framing.
  // A single S3 PutObject larger than this gets 413 (clients use multipart).
  size_t max_body_bytes = 16 << 20;
};

}  // namespace dbinsight::api
