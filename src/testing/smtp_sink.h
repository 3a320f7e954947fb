// SmtpSink: a real SMTP server for tests (aiosmtpd under Debian's
// /usr/bin/python3, started from smtp_sink.py) on 127.0.0.1 at a free port,
// optionally requiring STARTTLS with a fresh self-signed certificate and AUTH.
// Received messages are read back decoded. Owned by the test; the server
// stops in the destructor. mails() is safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "testing/child_process.h"
#include "testing/temp_dir.h"

namespace dbinsight::testing {

class SmtpSink {
 public:
  struct Options {
    bool starttls = false;  // offer and require STARTTLS (certificate in ca_file())
    std::string username;   // non-empty: require AUTH with username/password
    std::string password;
  };
  struct Mail {
    std::string mail_from;                            // envelope sender
    std::vector<std::string> rcpt_tos;                // envelope recipients
    std::string subject, from, to, message_id, body;  // decoded
    bool tls = false;                                 // the session ran STARTTLS
    std::string auth_user;                            // who authenticated, empty if nobody
  };

  static Result<std::unique_ptr<SmtpSink>> Start(const Options& options);

  int port() const { return port_; }
  // The certificate to trust when starttls is on.
  std::string ca_file() const { return dir_->File("cert.pem"); }
  // Every message received so far, in arrival order.
  std::vector<Mail> mails() const;

 private:
  SmtpSink(std::unique_ptr<TempDir> dir, std::unique_ptr<ChildProcess> server, int port)
      : dir_(std::move(dir)), server_(std::move(server)), port_(port) {}
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> server_;
  int port_;
};

}  // namespace dbinsight::testing
