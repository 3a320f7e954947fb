// SmtpTransport: delivers to email subscriptions through the configured SMTP
// server (libcurl): STARTTLS or SMTPS as SmtpOptions::tls says, AUTH when a
// username is set, the server certificate checked against the system CAs or
// SmtpOptions::ca_file. One connection per delivery. The e-mail is plain
// UTF-8 text: Subject is the message's subject (alarms: "ALARM: <alarm> in
// <instance>"), the body the message text, the link and a line saying why the
// reader gets it; Message-ID is <MessageId@dbinsight>, stable across retries.
// SMTP 5xx replies (bad recipient, bad credentials) are permanent; 4xx replies
// and connection failures are retried. Thread-safe: no state besides the
// options and the password.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "notify/options.h"
#include "notify/transport.h"

namespace dbinsight::notify::smtp {

// Subject of a message published without one (SNS says "AWS Notification Message").
inline constexpr std::string_view kDefaultSubject = "dbinsight Notification Message";

// The RFC 5322 text of the e-mail for delivery d (CRLF line ends), sent from
// `from` ("addr" or "Name <addr>").
std::string FormatMail(const Delivery& d, std::string_view from);

// The address of "Name <addr>", or `from` itself: the envelope sender.
std::string EnvelopeAddress(std::string_view from);

class SmtpTransport final : public Transport {
 public:
  // InvalidArgument when password_file is set but cannot be read (the
  // message names the file, never its content).
  static Result<std::unique_ptr<SmtpTransport>> Create(SmtpOptions options);
  Status Deliver(const Delivery& delivery) override;

 private:
  SmtpTransport(SmtpOptions options, std::string password);
  SmtpOptions options_;
  std::string password_;
};

}  // namespace dbinsight::notify::smtp
