// HttpReceiver: a local HTTP server (cpp-httplib) on 127.0.0.1 that records
// every request, for tests of webhook deliveries. A test can make it answer
// with a chosen status, hold each reply for a while, or take it down (the
// port then refuses connections) and bring it back on the same port.
// Owned by the test; serves on a thread of its own, joined by Stop() and the
// destructor. All methods are safe from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace httplib {
class Server;
}

namespace dbinsight::testing {

class HttpReceiver {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    int status = 0;  // what the receiver answered
  };

  // Listens on a free port.
  static Result<std::unique_ptr<HttpReceiver>> Start();
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string Url(std::string_view path) const;

  // Answer every request with `status` from now on (default 200).
  void SetStatus(int status);
  // Hold every reply this long first (default 0): a hung receiver.
  void SetDelay(std::chrono::milliseconds delay);
  // Closes the listening socket: new connections are refused. Idempotent.
  void Stop();
  // Listens again on the same port. REQUIRES: stopped.
  Status Restart();

  // Every request received so far, in arrival order.
  std::vector<Request> requests() const;
  // The requests answered with a 2xx status.
  std::vector<Request> accepted() const;

 private:
  HttpReceiver() = default;
  Status Listen(int port);

  mutable std::mutex mu_;
  std::vector<Request> requests_;       // guarded by mu_
  int status_ = 200;                    // guarded by mu_
  std::chrono::milliseconds delay_{0};  // guarded by mu_
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::jthread thread_;
};

}  // namespace dbinsight::testing
