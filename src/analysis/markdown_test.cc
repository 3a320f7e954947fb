#include "analysis/markdown.h"

#include <gtest/gtest.h>

namespace dbinsight::analysis {
namespace {

TEST(CodeSpan, FenceLongerThanAnyBackquoteRun) {
  EXPECT_EQ(CodeSpan("SELECT 1"), "`SELECT 1`");
  EXPECT_EQ(CodeSpan("SELECT `a` FROM `t`"), "`` SELECT `a` FROM `t` ``");
  EXPECT_EQ(CodeSpan("x `` y"), "```x `` y```");
}

TEST(PlainText, CodeSpansBecomeQuotedAndNoBackquoteRemains) {
  EXPECT_EQ(PlainText("Run " + CodeSpan("ALTER TABLE `s`.`t` ADD INDEX (`c`)") + " now."),
            "Run \"ALTER TABLE `s`.`t` ADD INDEX (`c`)\" now.");
  EXPECT_EQ(PlainText("`a` and `b`"), "\"a\" and \"b\"");
  EXPECT_EQ(PlainText("dangling ` here"), "dangling \" here");
}

}  // namespace
}  // namespace dbinsight::analysis
