// Unit tests of ParseMySqlDsn: every component, defaults, percent-decoding,
// and errors that name the faulty part without repeating the password.
#include <gtest/gtest.h>

#include "dbconn/mysql_connection.h"

namespace dbinsight::dbconn {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseMySqlDsnTest, AllComponents) {
  auto o = ParseMySqlDsn("mysql://monitor:s3cret@db.example.com:3307/app?socket=/run/m.sock&connect_timeout=5"
                         "&read_timeout=2&program_name=pi");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->user, "monitor");
  EXPECT_EQ(o->password, "s3cret");
  EXPECT_EQ(o->host, "db.example.com");
  EXPECT_EQ(o->port, 3307);
  EXPECT_EQ(o->database, "app");
  EXPECT_EQ(o->socket, "/run/m.sock");
  EXPECT_EQ(o->connect_timeout, seconds(5));
  EXPECT_EQ(o->read_timeout, seconds(2));
  EXPECT_EQ(o->program_name, "pi");
}

TEST(ParseMySqlDsnTest, DefaultsAndMariaDbScheme) {
  auto o = ParseMySqlDsn("mariadb://127.0.0.1");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  const MySqlConnectOptions d;
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 3306);
  EXPECT_EQ(o->user, "");
  EXPECT_EQ(o->password, "");
  EXPECT_EQ(o->database, "");
  EXPECT_EQ(o->socket, "");
  EXPECT_EQ(o->connect_timeout, d.connect_timeout);
  EXPECT_EQ(o->read_timeout, d.read_timeout);
  EXPECT_EQ(o->program_name, "dbinsight");

  auto slash = ParseMySqlDsn("mysql://u@h/");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->user, "u");
  EXPECT_EQ(slash->password, "");
  EXPECT_EQ(slash->host, "h");
  EXPECT_EQ(slash->database, "");
}

TEST(ParseMySqlDsnTest, PercentDecodingAndReservedCharactersInPassword) {
  auto o = ParseMySqlDsn("mysql://mon%40itor:p%40ss%3Aw%2Fo%25rd@h:1/my%20db?socket=%2Ftmp%2Fx%20y.sock");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->user, "mon@itor");
  EXPECT_EQ(o->password, "p@ss:w/o%rd");
  EXPECT_EQ(o->database, "my db");
  EXPECT_EQ(o->socket, "/tmp/x y.sock");
  // An unencoded '@' in the password: the last '@' ends the user info.
  auto raw = ParseMySqlDsn("mysql://u:a@b@h:2/d");
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->password, "a@b");
  EXPECT_EQ(raw->host, "h");
  EXPECT_EQ(raw->port, 2);
}

TEST(ParseMySqlDsnTest, Ipv6HostAndSocketWithoutHost) {
  auto v6 = ParseMySqlDsn("mysql://u:p@[::1]:3308/d");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3308);
  auto sock = ParseMySqlDsn("mysql://root@/app?socket=/tmp/s.sock");
  ASSERT_TRUE(sock.ok()) << sock.status().ToString();
  EXPECT_EQ(sock->socket, "/tmp/s.sock");
  EXPECT_EQ(sock->database, "app");
}

// Each bad DSN fails with InvalidArgument naming what is wrong; none of the
// messages may contain the password "hunter2".
TEST(ParseMySqlDsnTest, ErrorsNameTheProblemNotThePassword) {
  struct Case {
    const char* dsn;
    const char* mentions;
  };
  const Case cases[] = {
      {"postgres://u:hunter2@h/d", "mysql://"},
      {"hunter2", "mysql://"},
      {"mysql://u:hunter2@h:99999/d", "port"},
      {"mysql://u:hunter2@h:abc/d", "port"},
      {"mysql://u:hunter2@h:/d", "port"},
      // A '/' in the password must be encoded; unencoded, the rest lands in
      // the port, which must not echo it.
      {"mysql://u:hunter2/x@h/d", "port"},
      {"mysql://u:hunt%zzer2@h/d", "password"},
      {"mysql://u%2:hunter2@h/d", "user name"},
      {"mysql://u:hunter2@h/d/e", "single database"},
      {"mysql://u:hunter2@h/d?sslmode=require", "unknown parameter 'sslmode'"},
      {"mysql://u:hunter2@h/d?socket", "no '=value'"},
      {"mysql://u:hunter2@h/d?connect_timeout=-1", "connect_timeout"},
      {"mysql://u:hunter2@[::1/d", "']'"},
      {"mysql://u:hunter2@/d", "no host"},
  };
  for (const Case& c : cases) {
    auto o = ParseMySqlDsn(c.dsn);
    ASSERT_FALSE(o.ok()) << c.dsn;
    EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument) << c.dsn;
    EXPECT_NE(o.status().message().find(c.mentions), std::string::npos) << c.dsn << " -> " << o.status().message();
    EXPECT_EQ(o.status().message().find("hunter2"), std::string::npos) << c.dsn << " -> " << o.status().message();
  }
}

}  // namespace
}  // namespace dbinsight::dbconn
