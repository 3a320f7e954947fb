#include "notify/types.h"

#include <array>
#include <utility>

namespace dbinsight::notify {

namespace {

constexpr std::array<std::pair<Protocol, std::string_view>, 3> kProtocols = {{
    {Protocol::kEmail, "email"},
    {Protocol::kHttp, "http"},
    {Protocol::kHttps, "https"},
}};

constexpr std::array<std::pair<WebhookFormat, std::string_view>, 4> kFormats = {{
    {WebhookFormat::kSns, "sns"},
    {WebhookFormat::kRaw, "raw"},
    {WebhookFormat::kSlack, "slack"},
    {WebhookFormat::kTeams, "teams"},
}};

template <class E, size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "unknown";
}

template <class E, size_t N>
std::optional<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [value, name] : table)
    if (name == s) return value;
  return std::nullopt;
}

// [scheme://][userinfo@]host[:port] of a URL: (scheme, host[:port]); empty
// host when s is not a URL.
std::pair<std::string_view, std::string_view> SchemeAndHost(std::string_view s) {
  size_t sep = s.find("://");
  if (sep == std::string_view::npos) return {};
  std::string_view rest = s.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  return {s.substr(0, sep), rest};
}

bool EndsWith(std::string_view host, std::string_view suffix) {
  return host == suffix.substr(1) || host.ends_with(suffix);
}

}  // namespace

std::string_view Name(Protocol p) { return NameIn(kProtocols, p); }
std::optional<Protocol> ParseProtocol(std::string_view s) { return ParseIn(kProtocols, s); }
std::string_view Name(WebhookFormat f) { return NameIn(kFormats, f); }
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view s) { return ParseIn(kFormats, s); }

bool ValidEndpoint(Protocol protocol, std::string_view endpoint) {
  if (endpoint.find_first_of(" \t\r\n<>") != std::string_view::npos) return false;
  switch (protocol) {
    case Protocol::kEmail: {
      const size_t at = endpoint.find('@');
      return at != 0 && at != std::string_view::npos && at + 1 != endpoint.size() &&
             endpoint.find('@', at + 1) == std::string_view::npos;
    }
    case Protocol::kHttp:
      return endpoint.starts_with("http://") && endpoint.size() > 7;
    case Protocol::kHttps:
      return endpoint.starts_with("https://") && endpoint.size() > 8;
  }
  return false;
}

WebhookFormat DefaultWebhookFormat(std::string_view url) {
  std::string_view host = SchemeAndHost(url).second;
  host = host.substr(0, host.find(':'));
  if (EndsWith(host, ".hooks.slack.com")) return WebhookFormat::kSlack;
  if (EndsWith(host, ".webhook.office.com") || host == "outlook.office.com" || EndsWith(host, ".logic.azure.com"))
    return WebhookFormat::kTeams;
  return WebhookFormat::kSns;
}

std::string RedactEndpoint(std::string_view endpoint) {
  auto [scheme, host] = SchemeAndHost(endpoint);
  if (host.empty()) return std::string(endpoint);
  return std::string(scheme) + "://" + std::string(host);
}

}  // namespace dbinsight::notify
