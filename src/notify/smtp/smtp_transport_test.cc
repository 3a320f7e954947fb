// The e-mail text (unit). Delivery through a real SMTP server is in
// delivery_integration_test.cc.
#include "notify/smtp/smtp_transport.h"

#include <gtest/gtest.h>

#include "notify/samples_for_test.h"

namespace dbinsight::notify::smtp {
namespace {

Delivery Make() { return SampleDelivery(Protocol::kEmail, "ops@example.com", WebhookFormat::kSns); }

TEST(SmtpFormatTest, PlainAsciiMail) {
  EXPECT_EQ(FormatMail(Make(), "dbinsight <alerts@example.com>"),
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "From: dbinsight <alerts@example.com>\r\n"
            "To: ops@example.com\r\n"
            "Subject: ALARM: high-connections in pg1\r\n"
            "Message-ID: <ecba7919-9da9-4290-b197-af90f28ecc12@dbinsight>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "State: OK -> ALARM\r\n"
            "\r\n"
            "Reason: 85 > 80 & rising <fast>\r\n"
            "\r\n"
            "View in dbinsight: http://ui:8421/#/alarms/high-connections\r\n"
            "\r\n"
            "--\r\n"
            "You receive this because ops@example.com is subscribed to the dbinsight topic "
            "arn:aws:sns:us-east-1:000000000000:alerts.\r\n");
}

TEST(SmtpFormatTest, NonAsciiIsEncodedAndHeadersStayOnOneLine) {
  Delivery d = Make();
  d.subject = "ALARM: größe\r\nBcc: evil@example.com";
  d.body = "Grüße";
  std::string mail = FormatMail(d, "alerts@example.com");
  EXPECT_NE(mail.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(mail.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(mail.find("Content-Transfer-Encoding: base64\r\n\r\nR3LDvMOfZQ0KDQpWaWV3IGlu"), std::string::npos) << mail;
  d.subject.clear();
  EXPECT_NE(FormatMail(d, "a@b").find("Subject: dbinsight Notification Message\r\n"), std::string::npos);
}

TEST(SmtpFormatTest, LongLinesAreEncoded) {
  Delivery d = Make();
  d.body = std::string(1200, 'x');
  EXPECT_NE(FormatMail(d, "a@b").find("Content-Transfer-Encoding: base64"), std::string::npos);
}

TEST(SmtpFormatTest, EnvelopeAddress) {
  EXPECT_EQ(EnvelopeAddress("dbinsight <alerts@example.com>"), "alerts@example.com");
  EXPECT_EQ(EnvelopeAddress("alerts@example.com"), "alerts@example.com");
}

TEST(SmtpTransportTest, UnreadablePasswordFileIsAConfigurationError) {
  SmtpOptions o;
  o.username = "u";
  o.password_file = "/nonexistent/dbinsight-smtp-password";
  auto t = SmtpTransport::Create(o);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("/nonexistent/dbinsight-smtp-password"), std::string::npos);
}

}  // namespace
}  // namespace dbinsight::notify::smtp
