#include "testing/smtp_sink.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace dbinsight::testing {

Result<std::unique_ptr<SmtpSink>> SmtpSink::Start(const Options& options) {
  auto dir = TempDir::Create("dbi-smtp");
  if (!dir.ok()) return dir.status();
  // Debian's python, not whatever python3 is first on PATH: only it has aiosmtpd.
  std::vector<std::string> argv = {"/usr/bin/python3", "-u", DBI_REPO_ROOT "/src/testing/smtp_sink.py", "--out",
                                   dir.value()->File("mails.jsonl")};
  if (options.starttls) argv.insert(argv.end(), {"--tls-dir", dir.value()->path().string()});
  if (!options.username.empty()) argv.insert(argv.end(), {"--user", options.username, "--password", options.password});
  auto server = ChildProcess::Start(argv);
  if (!server.ok()) return server.status();
  // Generous: key generation for the TLS certificate takes a moment on a busy machine.
  auto line = server.value()->ReadLine(std::chrono::seconds(60));
  if (!line.ok()) return Status::Unavailable("SMTP sink did not start: " + line.status().message());
  if (!line->starts_with("PORT ")) return Status::Internal("SMTP sink said: " + line.value());
  const int port = std::stoi(line->substr(5));
  return std::unique_ptr<SmtpSink>(new SmtpSink(std::move(dir).value(), std::move(server).value(), port));
}

std::vector<SmtpSink::Mail> SmtpSink::mails() const {
  std::vector<Mail> out;
  std::ifstream in(dir_->File("mails.jsonl"));
  for (std::string line; std::getline(in, line);) {
    // A line still being written has no newline yet and does not parse: skip it.
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    Mail m;
    m.mail_from = j.value("mail_from", "");
    m.rcpt_tos = j.value("rcpt_tos", std::vector<std::string>());
    m.subject = j.value("subject", "");
    m.from = j.value("from", "");
    m.to = j.value("to", "");
    m.message_id = j.value("message_id", "");
    m.body = j.value("body", "");
    m.tls = j.value("tls", false);
    m.auth_user = j.value("auth_user", "");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace dbinsight::testing
