#include "api/sns/sns_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "api/protocol/pagination.h"
#include "api/protocol/timestamps.h"
#include "api/protocol/utf8.h"
#include "api/protocol/xml_writer.h"

namespace dbinsight::api::sns {

namespace {

using json = nlohmann::json;
using protocol::QueryParams;

// SNS lists 100 topics or subscriptions per page.
constexpr int kPageSize = 100;
constexpr size_t kMaxMessageBytes = 256 * 1024;
constexpr size_t kMaxSubjectChars = 100;

Result<std::string> Required(const QueryParams& params, std::string_view name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return Status::InvalidArgument(protocol::MissingParameterMessage(name));
  return it->second;
}

std::string Optional(const QueryParams& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Status Invalid(std::string_view what) { return Status::InvalidArgument(fmt::format("Invalid parameter: {}", what)); }

// arn:aws:sns:<region>:<account>:<name>, checked for shape only: whether the
// topic exists is the outbox's NotFound.
Result<std::string> TopicArn(const QueryParams& params, std::string_view name) {
  auto arn = Required(params, name);
  if (!arn.ok()) return arn;
  const std::string& s = arn.value();
  if (!s.starts_with("arn:aws:sns:") || std::count(s.begin(), s.end(), ':') != 5 || s.ends_with(':'))
    return Invalid(name);
  return arn;
}

// The account field of arn:aws:sns:<region>:<account>:<name>.
std::string AccountOf(std::string_view arn) {
  for (int i = 0; i < 4; ++i) arn.remove_prefix(arn.find(':') + 1);
  return std::string(arn.substr(0, arn.find(':')));
}

// Attributes.entry.N.key / Attributes.entry.N.value → key → value.
std::map<std::string, std::string> ReadAttributes(const QueryParams& params) {
  constexpr std::string_view kPrefix = "Attributes.entry.";
  std::map<std::string, std::string> keys;    // N → key
  std::map<std::string, std::string> values;  // N → value
  for (auto it = params.lower_bound(kPrefix); it != params.end() && it->first.starts_with(kPrefix); ++it) {
    std::string_view rest = std::string_view(it->first).substr(kPrefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) continue;
    std::string n(rest.substr(0, dot));
    if (rest.substr(dot + 1) == "key") keys[n] = it->second;
    if (rest.substr(dot + 1) == "value") values[n] = it->second;
  }
  std::map<std::string, std::string> out;
  for (const auto& [n, key] : keys) out[key] = values[n];
  return out;
}

// The format a new subscription gets: the WebhookFormat attribute, else
// raw for RawMessageDelivery=true, else by the endpoint's host.
Result<notify::WebhookFormat> FormatFor(notify::Protocol protocol, const std::string& endpoint,
                                        const QueryParams& params) {
  std::optional<notify::WebhookFormat> format;
  bool raw = false;
  for (const auto& [key, value] : ReadAttributes(params)) {
    if (key == "WebhookFormat") {
      format = notify::ParseWebhookFormat(value);
      if (!format)
        return Invalid(fmt::format("Attributes Reason: WebhookFormat must be sns, raw, slack or teams, not {}",
                                   protocol::EchoValue(value)));
    } else if (key == "RawMessageDelivery") {
      if (value != "true" && value != "false")
        return Invalid("Attributes Reason: RawMessageDelivery: Invalid value [" + protocol::EchoValue(value) +
                       "]. Must be true or false.");
      raw = value == "true";
    } else {
      return Invalid(
          fmt::format("Attributes Reason: {} is not supported (dbinsight supports WebhookFormat and "
                      "RawMessageDelivery)",
                      protocol::EchoValue(key)));
    }
  }
  if (protocol == notify::Protocol::kEmail) return notify::WebhookFormat::kSns;  // e-mail has one form
  if (raw && format && format != notify::WebhookFormat::kRaw)
    return Invalid("Attributes Reason: RawMessageDelivery=true contradicts WebhookFormat");
  if (format) return *format;
  if (raw) return notify::WebhookFormat::kRaw;
  return notify::DefaultWebhookFormat(endpoint);
}

// SNS subjects: printable ASCII without line breaks, at most 100 characters.
Status CheckSubject(const std::string& subject) {
  if (subject.size() > kMaxSubjectChars) return Invalid("Subject");
  for (char c : subject)
    if (c < 0x20 || c > 0x7e) return Invalid("Subject");
  return Status::Ok();
}

// MessageStructure=json: {"default": text, "email": .., "http": .., "https": ..};
// other protocols' keys are ignored, as SNS ignores keys of protocols a topic
// does not deliver to.
Status ReadStructuredMessage(const std::string& message, notify::PublishInput& out) {
  json doc = json::parse(message, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Invalid("Message Structure - JSON message body failed to parse");
  auto def = doc.find("default");
  if (def == doc.end() || !def->is_string())
    return Invalid("Message Structure - No default entry in JSON message body");
  out.message = def->get<std::string>();
  for (const auto& [key, value] : doc.items()) {
    auto protocol = notify::ParseProtocol(key);
    if (!protocol) continue;
    if (!value.is_string()) return Invalid(fmt::format("Message Structure - {} entry is not a string", key));
    out.bodies[*protocol] = value.get<std::string>();
  }
  return Status::Ok();
}

// <list_name><member>..</member>...</list_name> for the page of `items` a
// NextToken asks for (100 per page), then the NextToken for the rest.
template <class T, class WriteMember>
Result<std::string> ListPage(const QueryParams& params, std::string_view list_name, const std::vector<T>& items,
                             WriteMember write_member) {
  QueryParams canonical = params;
  canonical.erase("NextToken");
  std::string text;
  for (const auto& [k, v] : canonical) text += k + "=" + v + "&";
  protocol::PageRequest page;
  page.fingerprint = protocol::Fingerprint(text);
  page.max_results = kPageSize;
  if (auto token = params.find("NextToken"); token != params.end()) {
    auto offset = protocol::DecodePageToken(token->second, page.fingerprint, "NextToken");
    if (!offset.ok()) return offset.status();
    page.offset = offset.value();
  }
  const protocol::PageSlice slice = protocol::Paginate(items.size(), page);
  protocol::XmlWriter w;
  w.Open(list_name);
  for (size_t i = slice.begin; i < slice.end; ++i) {
    w.Open("member");
    write_member(w, items[i]);
    w.Close();
  }
  w.Close();
  if (slice.next_token) w.Element("NextToken", *slice.next_token);
  return w.Take();
}

// The whole result of an operation that returns one value.
std::string OneElement(std::string_view name, std::string_view text) {
  protocol::XmlWriter w;
  w.Element(name, text);
  return w.Take();
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

HttpResponse JsonError(const Status& st) {
  const int status = st.code() == StatusCode::kInvalidArgument ? 400 : st.code() == StatusCode::kNotFound ? 404 : 500;
  return JsonResponse(status, {{"message", st.message()}});
}

std::string Iso(WallTime t) { return protocol::FormatIsoTimestamp(ToEpochSeconds(t)); }

// What a queued delivery and a dead letter share: the message, where it goes
// and how often it was tried.
template <typename D>
json DeliveryJson(const D& d) {
  return {{"MessageId", d.message_id},
          {"Subject", d.subject},
          {"TopicArn", d.topic_arn},
          {"SubscriptionArn", d.subscription.arn},
          {"Protocol", notify::Name(d.subscription.protocol)},
          {"Endpoint", d.subscription.endpoint},
          {"Published", Iso(d.published)},
          {"Attempts", d.attempts}};
}

}  // namespace

SnsService::SnsService(notify::Outbox& outbox, std::function<WallTime()> now) : outbox_(outbox), now_(std::move(now)) {}

void SnsService::Register(protocol::QueryDispatcher& d) const {
  using Operation = Result<std::string> (SnsService::*)(const QueryParams&) const;
  const std::pair<const char*, Operation> operations[] = {
      {"CreateTopic", &SnsService::CreateTopic}, {"ListTopics", &SnsService::ListTopics},
      {"Subscribe", &SnsService::Subscribe},     {"ListSubscriptionsByTopic", &SnsService::ListSubscriptionsByTopic},
      {"Publish", &SnsService::Publish},
  };
  for (const auto& [name, op] : operations)
    d.Register(name,
               [this, op](const QueryParams& params, const protocol::RequestContext&) { return (this->*op)(params); });
  using NoOutput = Status (SnsService::*)(const QueryParams&) const;
  const std::pair<const char*, NoOutput> no_output[] = {
      {"DeleteTopic", &SnsService::DeleteTopic},
      {"Unsubscribe", &SnsService::Unsubscribe},
  };
  for (const auto& [name, op] : no_output)
    d.RegisterNoOutput(
        name, [this, op](const QueryParams& params, const protocol::RequestContext&) { return (this->*op)(params); });
}

Result<std::string> SnsService::CreateTopic(const QueryParams& params) const {
  auto name = Required(params, "Name");
  if (!name.ok()) return name.status();
  const std::string& n = name.value();
  if (n.ends_with(".fifo")) return Invalid("Topic Name: FIFO topics are not supported by dbinsight");
  if (n.size() > 256 ||
      !std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; }))
    return Invalid("Topic Name");
  for (const auto& [key, value] : params)
    if (key.starts_with("Attributes.") || key.starts_with("Tags.") || key == "DataProtectionPolicy")
      return Invalid(fmt::format("{} is not supported by dbinsight", protocol::EchoValue(key)));
  auto topic = outbox_.CreateTopic(n, now_());
  if (!topic.ok()) return topic.status();
  return OneElement("TopicArn", topic->arn);
}

Status SnsService::DeleteTopic(const QueryParams& params) const {
  auto arn = TopicArn(params, "TopicArn");
  if (!arn.ok()) return arn.status();
  return outbox_.DeleteTopic(arn.value());
}

Result<std::string> SnsService::ListTopics(const QueryParams& params) const {
  auto topics = outbox_.ListTopics();
  if (!topics.ok()) return topics.status();
  return ListPage(params, "Topics", topics.value(),
                  [](protocol::XmlWriter& w, const notify::Topic& t) { w.Element("TopicArn", t.arn); });
}

Result<std::string> SnsService::Subscribe(const QueryParams& params) const {
  auto arn = TopicArn(params, "TopicArn");
  if (!arn.ok()) return arn.status();
  auto protocol_name = Required(params, "Protocol");
  if (!protocol_name.ok()) return protocol_name.status();
  auto protocol = notify::ParseProtocol(protocol_name.value());
  if (!protocol)
    return Invalid(fmt::format("Protocol: {} (dbinsight delivers email, http and https)",
                               protocol::EchoValue(protocol_name.value())));
  auto endpoint = Required(params, "Endpoint");
  if (!endpoint.ok()) return endpoint.status();
  if (!notify::ValidEndpoint(*protocol, endpoint.value())) return Invalid("Endpoint");
  auto format = FormatFor(*protocol, endpoint.value(), params);
  if (!format.ok()) return format.status();
  auto sub = outbox_.Subscribe(arn.value(), *protocol, endpoint.value(), format.value(), now_());
  if (!sub.ok()) return sub.status();
  return OneElement("SubscriptionArn", sub->arn);
}

Status SnsService::Unsubscribe(const QueryParams& params) const {
  auto arn = Required(params, "SubscriptionArn");
  if (!arn.ok()) return arn.status();
  return outbox_.Unsubscribe(arn.value());
}

Result<std::string> SnsService::ListSubscriptionsByTopic(const QueryParams& params) const {
  auto arn = TopicArn(params, "TopicArn");
  if (!arn.ok()) return arn.status();
  auto subs = outbox_.ListSubscriptions(arn.value());
  if (!subs.ok()) return subs.status();
  const std::string owner = AccountOf(arn.value());
  // Members in the order of the captured reply.
  return ListPage(params, "Subscriptions", subs.value(), [&](protocol::XmlWriter& w, const notify::Subscription& s) {
    w.Element("TopicArn", s.topic_arn);
    w.Element("Protocol", notify::Name(s.protocol));
    w.Element("SubscriptionArn", s.arn);
    w.Element("Owner", owner);
    w.Element("Endpoint", s.endpoint);
  });
}

Result<std::string> SnsService::Publish(const QueryParams& params) const {
  if (params.contains("PhoneNumber")) return Invalid("PhoneNumber: SMS is not supported by dbinsight");
  for (std::string_view fifo_only : {"MessageGroupId", "MessageDeduplicationId"})
    if (params.contains(fifo_only))
      return Invalid(fmt::format("{} Reason: The request includes {} parameter that is not valid for this topic type",
                                 fifo_only, fifo_only));
  const bool target = params.contains("TargetArn") && !params.contains("TopicArn");
  auto arn = TopicArn(params, target ? "TargetArn" : "TopicArn");
  if (!arn.ok()) return arn.status();
  auto message = Required(params, "Message");
  if (!message.ok()) return message.status();
  if (message->size() > kMaxMessageBytes) return Invalid("Message too long");
  notify::PublishInput input;
  input.subject = Optional(params, "Subject");
  DBI_RETURN_IF_ERROR(CheckSubject(input.subject));
  const std::string structure = Optional(params, "MessageStructure");
  if (structure == "json") {
    DBI_RETURN_IF_ERROR(ReadStructuredMessage(message.value(), input));
  } else if (!structure.empty()) {
    return Invalid("MessageStructure");
  } else {
    input.message = message.value();
  }
  auto id = outbox_.Publish(arn.value(), input, now_());
  if (!id.ok()) return id.status();
  return OneElement("MessageId", id.value());
}

HttpResponse SnsService::DeadLetters(const HttpRequest&) const {
  auto dead = outbox_.DeadLetters();
  if (!dead.ok()) return JsonError(dead.status());
  json list = json::array();
  for (const notify::DeadLetter& d : dead.value()) {
    json one = DeliveryJson(d);
    one["LastAttempt"] = Iso(d.last_attempt);
    one["LastError"] = d.last_error;
    list.push_back(std::move(one));
  }
  return JsonResponse(200, {{"DeadLetters", std::move(list)}});
}

HttpResponse SnsService::Pending(const HttpRequest&) const {
  auto pending = outbox_.Pending();
  if (!pending.ok()) return JsonError(pending.status());
  json list = json::array();
  for (const notify::Delivery& d : pending.value()) {
    json one = DeliveryJson(d);
    one["NextAttempt"] = Iso(d.next_attempt);
    one["LastError"] = d.last_error;
    list.push_back(std::move(one));
  }
  return JsonResponse(200, {{"Pending", std::move(list)}});
}

HttpResponse SnsService::Redrive(const HttpRequest& request) const {
  auto params = protocol::ParseFormEncoded(request.query);
  if (!params.ok()) return JsonError(params.status());
  std::optional<std::string> id;
  if (auto it = params->find("MessageId"); it != params->end()) id = it->second;
  auto n = outbox_.Redrive(id, now_());
  if (!n.ok()) return JsonError(n.status());
  return JsonResponse(200, {{"Redriven", n.value()}});
}

}  // namespace dbinsight::api::sns
