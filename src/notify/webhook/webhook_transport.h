// WebhookTransport: delivers to http/https subscriptions with one POST per
// delivery (libcurl), in the subscription's WebhookFormat:
//   sns    the SNS JSON envelope (Content-Type text/plain, as SNS sends it):
//          {"Type":"Notification","MessageId","TopicArn","Subject","Message",
//           "Timestamp","SignatureVersion":"1","Signature":"",...}; unsigned;
//   raw    the message text alone (RawMessageDelivery);
//   slack  {"text": "*subject*\nbody\n<link|View in dbinsight>"} (Slack mrkdwn);
//   teams  {"type":"message","attachments":[Adaptive Card]} (Teams workflow
//          and incoming webhooks).
// Every POST carries SNS's x-amz-sns-message-id / -topic-arn /
// -subscription-arn / -message-type headers, so any receiver can drop
// duplicates by MessageId. Status classes as transport.h says: 2xx is
// success, 408/429/5xx and network errors are retried, other statuses are
// permanent. Thread-safe: no state besides the options.
#pragma once

#include <string>
#include <vector>

#include "notify/options.h"
#include "notify/transport.h"

namespace dbinsight::notify::webhook {

// The request a delivery becomes (without the connection details).
struct WebhookRequest {
  std::vector<std::string> headers;  // "Name: value", Content-Type included
  std::string body;
};
WebhookRequest BuildRequest(const Delivery& delivery);

class WebhookTransport final : public Transport {
 public:
  explicit WebhookTransport(WebhookOptions options);
  Status Deliver(const Delivery& delivery) override;

 private:
  WebhookOptions options_;
};

}  // namespace dbinsight::notify::webhook
