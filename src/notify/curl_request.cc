#include "notify/curl_request.h"

#include <fmt/format.h>

#include "common/check.h"

namespace dbinsight::notify {

// curl_easy_init runs curl_global_init on first use; that is thread-safe
// since libcurl 7.84 (Debian 12 ships 7.88, built "threadsafe").
CurlRequest::CurlRequest(std::string where, std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds timeout)
    : where_(std::move(where)), curl_(curl_easy_init()) {
  DBI_CHECK(curl_ != nullptr);  // only fails when out of memory
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
  // Delivery workers are threads: libcurl must not use signals for timeouts.
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
}

CurlRequest::~CurlRequest() {
  curl_easy_cleanup(curl_);
  for (curl_slist* l : lists_) curl_slist_free_all(l);
}

curl_slist* CurlRequest::List(const std::vector<std::string>& items) {
  curl_slist* list = nullptr;
  for (const std::string& item : items) {
    curl_slist* next = curl_slist_append(list, item.c_str());
    DBI_CHECK(next != nullptr);
    list = next;
  }
  lists_.push_back(list);
  return list;
}

Status CurlRequest::Perform() {
  error_[0] = '\0';
  CURLcode rc = curl_easy_perform(curl_);
  if (rc == CURLE_OK) return Status::Ok();
  return Status::Unavailable(
      fmt::format("{}: {}", where_, error_[0] != '\0' ? std::string_view(error_) : curl_easy_strerror(rc)));
}

long CurlRequest::ResponseCode() const {
  long code = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

}  // namespace dbinsight::notify
