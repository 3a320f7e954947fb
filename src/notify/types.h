// The values notify/ persists and passes around: topics, subscriptions,
// messages and their per-subscription deliveries, in SNS's vocabulary (ARNs,
// protocols, MessageId). Plain values; thread-compatible. The file format is
// described in docs/notifications.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace dbinsight::notify {

// Persisted enums carry explicit numbers: never renumber, only append.

// SNS protocols dbinsight delivers to.
enum class Protocol : int {
  kEmail = 1,
  kHttp = 2,
  kHttps = 3,
};

// What an http/https subscription receives (email ignores it). Chosen by the
// subscription attribute WebhookFormat, or else by the endpoint's host
// (DefaultWebhookFormat).
enum class WebhookFormat : int {
  kSns = 1,    // the SNS JSON envelope {Type, MessageId, TopicArn, ...}
  kRaw = 2,    // the message text alone (SNS RawMessageDelivery=true)
  kSlack = 3,  // a Slack incoming-webhook payload {"text": ...}
  kTeams = 4,  // a Microsoft Teams message with an Adaptive Card
};

// SNS spellings: "email", "http", "https".
std::string_view Name(Protocol p);
std::optional<Protocol> ParseProtocol(std::string_view s);
// "sns", "raw", "slack", "teams".
std::string_view Name(WebhookFormat f);
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view s);

// Whether endpoint can be delivered to with protocol: one address for
// email, an http:// or https:// URL with a host for http/https; never
// whitespace or angle brackets (they would break mail headers).
bool ValidEndpoint(Protocol protocol, std::string_view endpoint);

// Slack for hooks.slack.com, Teams for Microsoft's webhook hosts
// (*.webhook.office.com, outlook.office.com, *.logic.azure.com), otherwise
// the SNS envelope.
WebhookFormat DefaultWebhookFormat(std::string_view url);

// "scheme://host[:port]" of a URL, or the URL cut at its first '/', '?' or
// '#' after the host: how endpoints appear in logs and delivery errors, since
// a Slack or Teams webhook path is itself the secret.
std::string RedactEndpoint(std::string_view endpoint);

struct Topic {
  std::string arn;  // arn:aws:sns:<region>:<account>:<name>
  std::string name;
};

struct Subscription {
  std::string arn;  // <topic arn>:<uuid>
  std::string topic_arn;
  Protocol protocol = Protocol::kEmail;
  std::string endpoint;  // an e-mail address or an http(s) URL
  WebhookFormat format = WebhookFormat::kSns;
};

// What Publish (or an alarm) hands in. bodies replaces `message` per
// protocol, as SNS MessageStructure=json does ({"default": .., "email": ..}),
// for e-mail and for webhooks in the sns and raw formats; Slack and Teams
// subscribers always get `message`, the text written for people.
struct PublishInput {
  std::string subject;  // may be empty
  std::string message;
  std::map<Protocol, std::string> bodies;
  // A page about the message (the alarm's view in the UI): a button or a
  // closing line in the readable formats. May be empty.
  std::string link;
};

// One message on its way to one subscription, as a transport sees it.
struct Delivery {
  int64_t id = 0;          // the delivery row
  std::string message_id;  // SNS MessageId: stable across retries and re-drives
  std::string subject;
  std::string body;  // the subscription's protocol's body, else the message
  std::string link;
  WallTime published;
  std::string topic_arn;
  Subscription subscription;
  int attempts = 0;  // failed attempts before this one
  WallTime next_attempt;   // due from then
  std::string last_error;  // of the last failed attempt; "" before the first
};

// A delivery that ran out of attempts or was rejected for good.
struct DeadLetter {
  std::string message_id;
  std::string subject;
  std::string topic_arn;
  Subscription subscription;
  WallTime published;
  int attempts = 0;
  WallTime last_attempt;
  std::string last_error;
};

}  // namespace dbinsight::notify
