#include "notify/webhook/webhook_transport.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "notify/curl_request.h"
#include "notify/time_text.h"

namespace dbinsight::notify::webhook {

namespace {

using json = nlohmann::json;

constexpr std::string_view kLinkTitle = "View in dbinsight";
// How much of a rejecting receiver's reply is kept in the delivery error.
constexpr size_t kMaxReplyBytes = 300;

// Message text is whatever a client published: invalid UTF-8 becomes U+FFFD
// rather than an exception.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string SnsEnvelope(const Delivery& d) {
  json j = {{"Type", "Notification"}, {"MessageId", d.message_id}, {"TopicArn", d.topic_arn}};
  if (!d.subject.empty()) j["Subject"] = d.subject;
  j["Message"] = d.body;
  j["Timestamp"] = IsoTime(d.published);
  // Not signed: there is no AWS certificate to sign with (docs/notifications.md).
  j["SignatureVersion"] = "1";
  j["Signature"] = "";
  j["SigningCertURL"] = "";
  j["UnsubscribeURL"] = "";
  return Dump(j);
}

// Slack treats &, < and > as control characters in message text.
std::string SlackEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string SlackPayload(const Delivery& d) {
  std::string text;
  if (!d.subject.empty()) text += "*" + SlackEscape(d.subject) + "*\n";
  text += SlackEscape(d.body);
  if (!d.link.empty()) text += fmt::format("\n<{}|{}>", d.link, kLinkTitle);
  return Dump(json{{"text", text}});
}

// One TextBlock per line: Teams does not reliably break lines inside one.
std::string TeamsPayload(const Delivery& d) {
  json body = json::array();
  if (!d.subject.empty())
    body.push_back(
        {{"type", "TextBlock"}, {"text", d.subject}, {"weight", "Bolder"}, {"size", "Medium"}, {"wrap", true}});
  bool gap = false;
  for (size_t start = 0; start <= d.body.size();) {
    size_t end = std::min(d.body.find('\n', start), d.body.size());
    std::string_view line = std::string_view(d.body).substr(start, end - start);
    if (line.empty()) {
      gap = true;
    } else {
      json block = {{"type", "TextBlock"}, {"text", line}, {"wrap", true}};
      if (gap) block["spacing"] = "Medium";
      body.push_back(std::move(block));
      gap = false;
    }
    start = end + 1;
  }
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"body", std::move(body)}};
  if (!d.link.empty())
    card["actions"] = json::array({{{"type", "Action.OpenUrl"}, {"title", kLinkTitle}, {"url", d.link}}});
  json message = {{"type", "message"},
                  {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                                {"contentUrl", nullptr},
                                                {"content", std::move(card)}}})}};
  return Dump(message);
}

size_t KeepReply(char* data, size_t size, size_t n, void* user) {
  auto* reply = static_cast<std::string*>(user);
  if (reply->size() < kMaxReplyBytes) reply->append(data, std::min(size * n, kMaxReplyBytes - reply->size()));
  return size * n;
}

}  // namespace

WebhookRequest BuildRequest(const Delivery& d) {
  WebhookRequest r;
  r.headers = {
      "x-amz-sns-message-type: Notification",
      "x-amz-sns-message-id: " + d.message_id,
      "x-amz-sns-topic-arn: " + d.topic_arn,
      "x-amz-sns-subscription-arn: " + d.subscription.arn,
  };
  switch (d.subscription.format) {
    case WebhookFormat::kSns:
      r.headers.push_back("Content-Type: text/plain; charset=UTF-8");
      r.body = SnsEnvelope(d);
      break;
    case WebhookFormat::kRaw:
      r.headers.push_back("Content-Type: text/plain; charset=UTF-8");
      r.body = d.body;
      break;
    case WebhookFormat::kSlack:
      r.headers.push_back("Content-Type: application/json");
      r.body = SlackPayload(d);
      break;
    case WebhookFormat::kTeams:
      r.headers.push_back("Content-Type: application/json");
      r.body = TeamsPayload(d);
      break;
  }
  return r;
}

WebhookTransport::WebhookTransport(WebhookOptions options) : options_(options) {}

Status WebhookTransport::Deliver(const Delivery& delivery) {
  WebhookRequest request = BuildRequest(delivery);
  CurlRequest curl(RedactEndpoint(delivery.subscription.endpoint), options_.connect_timeout, options_.timeout);
  std::string reply;
  CURL* h = curl.handle();
  curl_easy_setopt(h, CURLOPT_URL, delivery.subscription.endpoint.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "dbinsight-notify");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, curl.List(request.headers));
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepReply);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
  DBI_RETURN_IF_ERROR(curl.Perform());
  const long code = curl.ResponseCode();
  if (code >= 200 && code < 300) return Status::Ok();
  std::string error = fmt::format("HTTP {} from {}{}{}", code, curl.where(), reply.empty() ? "" : ": ", reply);
  if (code == 408 || code == 429 || code >= 500) return Status::Unavailable(std::move(error));
  return Status::InvalidArgument(std::move(error));
}

}  // namespace dbinsight::notify::webhook
