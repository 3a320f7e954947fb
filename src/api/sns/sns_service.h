// SnsService: the slice of the SNS API (query protocol, version 2010-03-31)
// that alarm notifications need, over notify::Outbox: CreateTopic,
// DeleteTopic, ListTopics, Subscribe, Unsubscribe, ListSubscriptionsByTopic,
// Publish. Protocols email, http and https; a subscription is confirmed at
// once (no confirmation handshake: dbinsight is a local tool whose operators
// own the endpoints), so Subscribe returns the real SubscriptionArn where AWS
// says "pending confirmation". Subscription attributes: WebhookFormat
// (sns|raw|slack|teams, dbinsight's own) and RawMessageDelivery; without
// either, Slack and Teams webhook hosts get their format (notify/types.h).
// SNS has no dead-letter API, so the outbox's dead-letter queue is served as
// plain JSON (DeadLetters, Redrive) on routes app/ adds.
// Borrows the outbox, which must outlive it. Thread-safe: the outbox is, and
// `now` must be.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/protocol/errors.h"
#include "api/protocol/http_types.h"
#include "api/protocol/query_dispatcher.h"
#include "common/clock.h"
#include "common/status.h"
#include "notify/outbox.h"

namespace dbinsight::api::sns {

inline constexpr std::string_view kSigningName = "sns";
inline constexpr std::string_view kVersion = "2010-03-31";
inline constexpr std::string_view kXmlns = "http://sns.amazonaws.com/doc/2010-03-31/";

// SNS's codes; a missing topic or subscription is NotFound (404).
inline constexpr protocol::ErrorVocabulary kErrors = {
    .invalid_argument = {"InvalidParameter", 400},
    .not_found = {"NotFound", 404},
    .unavailable = {"InternalError", 500},
    .resource_exhausted = {"Throttled", 429},
    .internal = {"InternalError", 500},
};

// Paths of the dead-letter routes (the CLI calls them too).
inline constexpr std::string_view kDeadLettersPath = "/notify/dead-letters";
inline constexpr std::string_view kPendingPath = "/notify/pending";
inline constexpr std::string_view kRedrivePath = "/notify/redrive";

class SnsService {
 public:
  // now: the wall clock (Publish stamps messages with it; re-drive makes
  // deliveries due at it).
  SnsService(notify::Outbox& outbox, std::function<WallTime()> now);

  // Registers the seven operations on a dispatcher built from kSigningName,
  // kVersion, kXmlns and kErrors. The dispatcher must not outlive this service.
  void Register(protocol::QueryDispatcher& dispatcher) const;

  // Each returns the inner XML of <ActionResult> (DeleteTopic and
  // Unsubscribe have no output).
  Result<std::string> CreateTopic(const protocol::QueryParams& params) const;
  Status DeleteTopic(const protocol::QueryParams& params) const;
  Result<std::string> ListTopics(const protocol::QueryParams& params) const;
  Result<std::string> Subscribe(const protocol::QueryParams& params) const;
  Status Unsubscribe(const protocol::QueryParams& params) const;
  Result<std::string> ListSubscriptionsByTopic(const protocol::QueryParams& params) const;
  Result<std::string> Publish(const protocol::QueryParams& params) const;

  // GET kDeadLettersPath: 200 {"DeadLetters": [{"MessageId", "Subject",
  // "TopicArn", "SubscriptionArn", "Protocol", "Endpoint", "Published",
  // "Attempts", "LastAttempt", "LastError"}]}, oldest first, times ISO 8601.
  HttpResponse DeadLetters(const HttpRequest& request) const;
  // GET kPendingPath: 200 {"Pending": [{"MessageId", "Subject", "TopicArn",
  // "SubscriptionArn", "Protocol", "Endpoint", "Published", "Attempts",
  // "NextAttempt", "LastError"}]}: every pending delivery in publish order,
  // due or not (Attempts > 0: being retried; a later message of the same
  // subscription waits behind its queue head). Read-only.
  HttpResponse Pending(const HttpRequest& request) const;
  // POST kRedrivePath[?MessageId=<id>]: puts that message's dead deliveries
  // (without MessageId: all of them) back in the queue with a fresh set of
  // attempts; 200 {"Redriven": n}.
  HttpResponse Redrive(const HttpRequest& request) const;

 private:
  notify::Outbox& outbox_;
  std::function<WallTime()> now_;
};

}  // namespace dbinsight::api::sns
