// Unit tests of `dbinsight loadgen`'s arguments: durations, defaults,
// rejected values, and the catalogue printed by --list / --describe.
#include "app/loadgen_cli.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <sstream>
#include <vector>

namespace dbinsight::app {
namespace {

using std::chrono::milliseconds;

// Parses `dbinsight loadgen args...`; false when CLI11 rejects them.
bool Parse(std::vector<std::string> args, LoadgenCommand& command) {
  CLI::App cli;
  AddLoadgenCommand(cli, command);
  args.insert(args.begin(), "loadgen");
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    cli.parse(args);
    return true;
  } catch (const CLI::ParseError&) {
    return false;
  }
}

TEST(LoadgenCliTest, ParseDurationUnits) {
  EXPECT_EQ(ParseDuration("60s").value(), milliseconds(60000));
  EXPECT_EQ(ParseDuration("500ms").value(), milliseconds(500));
  EXPECT_EQ(ParseDuration("2m").value(), milliseconds(120000));
  EXPECT_EQ(ParseDuration("1h").value(), milliseconds(3600000));
  EXPECT_EQ(ParseDuration("90").value(), milliseconds(90000));
  for (const char* bad : {"", "0s", "-5s", "5x", "s", "1.5s"}) EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
}

TEST(LoadgenCliTest, ParsesEveryOptionWithDefaults) {
  LoadgenCommand c;
  ASSERT_TRUE(Parse({"--target", "mysql://root@localhost/?socket=/tmp/s", "--scenario", "lock-chain"}, c));
  EXPECT_EQ(c.run.scenario, "lock-chain");
  EXPECT_EQ(c.run.duration, milliseconds(60000));
  EXPECT_EQ(c.run.clients, 0);
  EXPECT_EQ(c.run.scale, 1);

  LoadgenCommand d;
  ASSERT_TRUE(
      Parse({"--target", "host=/tmp", "--scenario", "io", "--duration", "5s", "--clients", "3", "--scale", "2"}, d));
  EXPECT_EQ(d.run.duration, milliseconds(5000));
  EXPECT_EQ(d.run.clients, 3);
  EXPECT_EQ(d.run.scale, 2);
}

TEST(LoadgenCliTest, RejectsBadValues) {
  LoadgenCommand c;
  EXPECT_FALSE(Parse({"--target", "x", "--scenario", "nope"}, c));
  EXPECT_FALSE(Parse({"--target", "x", "--scenario", "cpu", "--duration", "soon"}, c));
  EXPECT_FALSE(Parse({"--target", "x", "--scenario", "cpu", "--clients", "0"}, c));
  EXPECT_FALSE(Parse({"--target", "x", "--scenario", "cpu", "--scale", "-1"}, c));
  EXPECT_FALSE(Parse({"--describe", "nope"}, c));

  // Missing target/scenario, or too few clients for the scenario: usage errors.
  LoadgenCommand missing;
  ASSERT_TRUE(Parse({"--scenario", "cpu"}, missing));
  std::ostringstream out, err;
  EXPECT_EQ(RunLoadgen(missing, out, err), 2);
  EXPECT_NE(err.str().find("--target"), std::string::npos);
  LoadgenCommand lonely;
  ASSERT_TRUE(Parse({"--target", "host=/tmp", "--scenario", "lock-chain", "--clients", "1"}, lonely));
  EXPECT_EQ(RunLoadgen(lonely, out, err), 2);
  EXPECT_NE(err.str().find("--clients"), std::string::npos);
}

TEST(LoadgenCliTest, ListAndDescribePrintTheCatalogue) {
  LoadgenCommand list;
  ASSERT_TRUE(Parse({"--list"}, list));
  std::ostringstream out, err;
  EXPECT_EQ(RunLoadgen(list, out, err), 0);
  for (const loadgen::Scenario& s : loadgen::Scenarios())
    EXPECT_NE(out.str().find(std::string(s.name) + "\n"), std::string::npos) << s.name;

  LoadgenCommand describe;
  ASSERT_TRUE(Parse({"--describe", "lock-chain"}, describe));
  std::ostringstream json;
  EXPECT_EQ(RunLoadgen(describe, json, err), 0);
  EXPECT_EQ(json.str(), loadgen::DescribeJson(*loadgen::FindScenario("lock-chain")) + "\n");
}

}  // namespace
}  // namespace dbinsight::app
