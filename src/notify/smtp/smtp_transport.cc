#include "notify/smtp/smtp_transport.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "notify/curl_request.h"
#include "notify/time_text.h"

namespace dbinsight::notify::smtp {

namespace {

// SMTP's hard line limit is 998 octets; longer lines need an encoding.
constexpr size_t kMaxLine = 998;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A header value on one line: CR and LF would start a header of the sender's choosing.
std::string OneLine(std::string_view s) {
  std::string out(s);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

// RFC 2047 encoded-word for non-ASCII header text.
std::string HeaderText(std::string_view s) {
  std::string line = OneLine(s);
  return IsAscii(line) ? line : "=?UTF-8?B?" + Base64(line) + "?=";
}

std::string Crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

bool Needs7BitEncoding(std::string_view crlf_text) {
  if (!IsAscii(crlf_text)) return true;
  size_t start = 0;
  for (size_t end; (end = crlf_text.find("\r\n", start)) != std::string_view::npos; start = end + 2)
    if (end - start > kMaxLine) return true;
  return crlf_text.size() - start > kMaxLine;
}

struct Upload {
  std::string_view rest;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t len = std::min(size * n, u->rest.size());
  std::copy_n(u->rest.data(), len, buffer);
  u->rest.remove_prefix(len);
  return len;
}

}  // namespace

std::string EnvelopeAddress(std::string_view from) {
  size_t open = from.rfind('<');
  size_t close = from.rfind('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::string(from);
  return std::string(from.substr(open + 1, close - open - 1));
}

std::string FormatMail(const Delivery& d, std::string_view from) {
  std::string text = d.body;
  if (!d.link.empty()) text += "\n\nView in dbinsight: " + d.link;
  text += fmt::format("\n\n--\nYou receive this because {} is subscribed to the dbinsight topic {}.\n",
                      d.subscription.endpoint, d.topic_arn);
  std::string body = Crlf(text);
  const bool encode = Needs7BitEncoding(body);
  std::string mail = fmt::format(
      "Date: {}\r\nFrom: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{}@dbinsight>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: {}\r\n\r\n",
      MailDate(d.published), HeaderText(from), OneLine(d.subscription.endpoint),
      HeaderText(d.subject.empty() ? kDefaultSubject : d.subject), d.message_id, encode ? "base64" : "7bit");
  if (!encode) return mail + body;
  std::string b64 = Base64(body);
  for (size_t i = 0; i < b64.size(); i += 76) mail += b64.substr(i, 76) + "\r\n";
  return mail;
}

SmtpTransport::SmtpTransport(SmtpOptions options, std::string password)
    : options_(std::move(options)), password_(std::move(password)) {}

Result<std::unique_ptr<SmtpTransport>> SmtpTransport::Create(SmtpOptions options) {
  std::string password;
  if (!options.password_file.empty()) {
    std::ifstream in(options.password_file);
    if (!in || !std::getline(in, password))
      return Status::InvalidArgument("cannot read the SMTP password file " + options.password_file);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  }
  return std::unique_ptr<SmtpTransport>(new SmtpTransport(std::move(options), std::move(password)));
}

Status SmtpTransport::Deliver(const Delivery& delivery) {
  const bool implicit = options_.tls == SmtpTls::kImplicit;
  const std::string server = fmt::format("{}://{}:{}", implicit ? "smtps" : "smtp", options_.host, options_.port);
  CurlRequest curl(server, options_.connect_timeout, options_.timeout);
  CURL* h = curl.handle();
  curl_easy_setopt(h, CURLOPT_URL, server.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  long use_ssl = CURLUSESSL_NONE;
  if (options_.tls == SmtpTls::kStartTls || implicit) use_ssl = CURLUSESSL_ALL;
  // Credentials never travel in the clear (options.h).
  if (options_.tls == SmtpTls::kStartTlsOptional) use_ssl = options_.username.empty() ? CURLUSESSL_TRY : CURLUSESSL_ALL;
  curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
  }
  const std::string sender = "<" + EnvelopeAddress(options_.from) + ">";
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, curl.List({"<" + delivery.subscription.endpoint + ">"}));
  const std::string mail = FormatMail(delivery, options_.from);
  Upload upload{mail};
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE, static_cast<long>(mail.size()));
  Status st = curl.Perform();
  if (st.ok()) return st;
  const long code = curl.ResponseCode();
  if (code >= 500 && code < 600)
    return Status::InvalidArgument(fmt::format("{} (SMTP reply {}, permanent)", st.message(), code));
  return st;
}

}  // namespace dbinsight::notify::smtp
