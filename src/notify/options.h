// notify::NotifyOptions: how notifications are delivered (SMTP server,
// webhook timeouts, retry schedule, delivery loop) and what the messages link
// to. Filled by config/ from the `notifications:` key; the defaults live here only
// (ARCHITECTURE notes C8). Plain values, header-only so config/ can include
// it without linking notify/.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dbinsight::notify {

// How the SMTP connection is protected.
enum class SmtpTls {
  kOff,               // plain SMTP; never STARTTLS
  kStartTlsOptional,  // STARTTLS when the server offers it
  kStartTls,          // STARTTLS or fail (the message is retried)
  kImplicit,          // SMTPS: TLS from the first byte (port 465)
};

// Config spellings: "off", "starttls-optional", "starttls", "smtps".
inline std::optional<SmtpTls> ParseSmtpTls(std::string_view s) {
  if (s == "off") return SmtpTls::kOff;
  if (s == "starttls-optional") return SmtpTls::kStartTlsOptional;
  if (s == "starttls") return SmtpTls::kStartTls;
  if (s == "smtps") return SmtpTls::kImplicit;
  return std::nullopt;
}

struct SmtpOptions {
  // Default localhost:25: the host's own mail relay, the usual setup on a
  // database server. Use port 587 with kStartTls for a submission server.
  std::string host = "localhost";
  int port = 25;
  // The sender, "alerts@example.com" or "dbinsight <alerts@example.com>"; the
  // address inside <> is the envelope sender. Default dbinsight@localhost.
  std::string from = "dbinsight@localhost";
  // Default kStartTlsOptional: encrypt whenever the relay can. Credentials are
  // never sent in the clear: with a username set, kStartTlsOptional acts as
  // kStartTls.
  SmtpTls tls = SmtpTls::kStartTlsOptional;
  // Default empty: no AUTH. With a username, the password is the first line of
  // password_file (read when the transport is created; never logged).
  std::string username;
  std::string password_file;
  // Default empty: the system CA bundle verifies the server certificate. Set
  // it to trust a private CA or a self-signed relay certificate.
  std::string ca_file;
  // Default 10 s to connect, 30 s for the whole exchange: a hung relay must
  // not hold the delivery loop.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};
};

struct WebhookOptions {
  // Default 5 s to connect and 10 s per POST (Slack and Teams answer in well
  // under a second; SNS itself gives an HTTP endpoint 15 s).
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{10'000};
};

// Exponential backoff with "equal jitter": after the n-th failed attempt the
// next one waits d/2 + random·d/2 with d = min(max_delay, base_delay·2^(n-1)),
// so retries of many messages spread out but never come sooner than half the
// schedule.
struct RetryOptions {
  // Default 5 s, doubling to at most 10 min: ten attempts cover roughly half
  // an hour of receiver outage.
  std::chrono::milliseconds base_delay{5'000};
  std::chrono::milliseconds max_delay{600'000};
  // Default 10 attempts, then the delivery moves to the dead-letter queue.
  // A permanent rejection (HTTP 4xx other than 408/429, SMTP 5xx, bad
  // credentials) goes there at once: retrying cannot fix it; re-drive can,
  // once the receiver or the configuration is fixed.
  int max_attempts = 10;
};

struct DeliveryOptions {
  // Default 1 s between looks at the outbox: a published message leaves
  // within about a second.
  std::chrono::milliseconds poll_interval{1'000};
  // Default 4 deliveries in flight at once, so one slow receiver (bounded by
  // its timeout) does not hold up the others.
  int max_parallel = 4;
  // Default 7 days: delivered messages are kept that long (for inspection),
  // then removed. Dead letters stay until re-driven or unsubscribed.
  std::chrono::hours delivered_retention{24 * 7};
};

struct NotifyOptions {
  SmtpOptions smtp;
  WebhookOptions webhook;
  RetryOptions retry;
  DeliveryOptions delivery;
  // Where messages link to: "<ui_base_url>/#/alarms/<name>". Default the API
  // server's default address (the UI is served beside the API).
  std::string ui_base_url = "http://127.0.0.1:8421";
  // The region and account in topic ARNs (arn:aws:sns:<region>:<account>:<name>).
  // Default us-east-1 / 000000000000, what local AWS tools expect.
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

}  // namespace dbinsight::notify
