// Transport: sends one Delivery to its subscription's endpoint (one per
// protocol family: smtp/ for e-mail, webhook/ for http/https). The Deliverer
// decides about retries from the returned Status:
//   Ok                 the receiver accepted the message;
//   Unavailable        worth retrying (connection refused, timeout, HTTP 5xx,
//                      408/429, SMTP 4xx);
//   InvalidArgument    rejected for good (HTTP 4xx, SMTP 5xx, bad
//                      credentials): straight to the dead-letter queue.
// Messages must not contain a webhook's full URL (its path is a secret; see
// RedactEndpoint). Implementations are called from several delivery workers
// at once and must be thread-safe, and must bound every call by a timeout.
#pragma once

#include "common/status.h"
#include "notify/types.h"

namespace dbinsight::notify {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Status Deliver(const Delivery& delivery) = 0;
};

}  // namespace dbinsight::notify
