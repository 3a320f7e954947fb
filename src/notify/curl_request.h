// CurlRequest: one libcurl easy handle with the settings every notify/
// transport shares (timeouts, no signals, no redirects, an error buffer) and
// the string lists it points to. libcurl's door is notify/ (ARCHITECTURE
// notes §3); include this header from notify/ .cc files only. One request per
// delivery; not shared between threads.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::notify {

class CurlRequest {
 public:
  // `where` names the peer in error messages (a redacted endpoint).
  CurlRequest(std::string where, std::chrono::milliseconds connect_timeout, std::chrono::milliseconds timeout);
  ~CurlRequest();
  CurlRequest(const CurlRequest&) = delete;
  CurlRequest& operator=(const CurlRequest&) = delete;

  CURL* handle() const { return curl_; }
  // A string list owned by this request, for CURLOPT_HTTPHEADER or
  // CURLOPT_MAIL_RCPT.
  curl_slist* List(const std::vector<std::string>& items);

  // Runs the transfer. Unavailable naming `where` and libcurl's reason when
  // it fails (every transport failure is worth a retry unless the protocol's
  // response code says otherwise; see ResponseCode()).
  Status Perform();
  // The last HTTP status or SMTP reply code; 0 if none arrived.
  long ResponseCode() const;
  const std::string& where() const { return where_; }

 private:
  std::string where_;
  CURL* curl_;
  std::vector<curl_slist*> lists_;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace dbinsight::notify
