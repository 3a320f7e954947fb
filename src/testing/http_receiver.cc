#include "testing/http_receiver.h"

// The feature macros cpp-httplib was built with come from its pkg-config
// target (PkgConfig::HTTPLIB), which dbi_testing links.
#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace dbinsight::testing {

Result<std::unique_ptr<HttpReceiver>> HttpReceiver::Start() {
  std::unique_ptr<HttpReceiver> r(new HttpReceiver());
  DBI_RETURN_IF_ERROR(r->Listen(0));
  return r;
}

HttpReceiver::~HttpReceiver() { Stop(); }

std::string HttpReceiver::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void HttpReceiver::SetStatus(int status) {
  std::lock_guard lock(mu_);
  status_ = status;
}

void HttpReceiver::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  delay_ = delay;
}

Status HttpReceiver::Listen(int port) {
  auto server = std::make_unique<httplib::Server>();
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    Request r{req.method, req.path, {}, req.body, 0};
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      r.headers[lower] = value;
    }
    std::chrono::milliseconds delay;
    {
      std::lock_guard lock(mu_);
      r.status = status_;
      delay = delay_;
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    res.status = r.status;
    res.set_content("ok", "text/plain");
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(r));
  };
  server->Post(".*", handler);
  server->Put(".*", handler);
  server->Get(".*", handler);
  if (port == 0) {
    port = server->bind_to_any_port("127.0.0.1");
    if (port < 0) return Status::Unavailable("HttpReceiver: cannot bind 127.0.0.1");
  } else if (!server->bind_to_port("127.0.0.1", port)) {
    return Status::Unavailable("HttpReceiver: cannot bind 127.0.0.1:" + std::to_string(port));
  }
  port_ = port;
  server_ = std::move(server);
  thread_ = std::jthread([s = server_.get()] { s->listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs: wait for it, or
  // a Stop() right after Start() would leave the loop running forever.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpReceiver::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

Status HttpReceiver::Restart() { return Listen(port_); }

std::vector<HttpReceiver::Request> HttpReceiver::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<HttpReceiver::Request> HttpReceiver::accepted() const {
  std::vector<Request> out;
  for (Request& r : requests())
    if (r.status >= 200 && r.status < 300) out.push_back(std::move(r));
  return out;
}

}  // namespace dbinsight::testing
