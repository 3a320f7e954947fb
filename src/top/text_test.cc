// Column-safe text: no control characters, no half code points, exact widths.
#include "top/text.h"

#include <gtest/gtest.h>

namespace dbinsight::top {
namespace {

TEST(TextTest, SanitizeRemovesControlsAndBadBytes) {
  EXPECT_EQ(Sanitize("  select\n\t 1\x1b[31m  "), "select 1 [31m");
  EXPECT_EQ(Sanitize("a\xff"
                     "b"),
            "a?b");
  EXPECT_EQ(Sanitize("\xc3"), "?");  // a cut code point
  EXPECT_EQ(Sanitize("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(Sanitize("a\xc2\x9b"
                     "b"),
            "a b");  // C1 CSI
}

TEST(TextTest, DisplayWidth) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("caf\xc3\xa9"), 4);
  EXPECT_EQ(DisplayWidth("\xe6\x97\xa5\xe6\x9c\xac"), 4);  // 日本
  EXPECT_EQ(DisplayWidth("e\xcc\x81"), 1);                 // e + combining acute
}

TEST(TextTest, FitCutsAndPads) {
  EXPECT_EQ(Fit("abc", 5), "abc  ");
  EXPECT_EQ(Fit("abc", 5, Align::kRight), "  abc");
  EXPECT_EQ(Fit("abcdef", 4), "abc~");
  EXPECT_EQ(Fit("abc", 0), "");
  EXPECT_EQ(Fit("abc", 1), "~");
  EXPECT_EQ(Fit("caf\xc3\xa9s", 4), "caf~");
  // A wide character never straddles the edge.
  EXPECT_EQ(Fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4), "\xe6\x97\xa5~ ");
  EXPECT_EQ(Fit("a\nb", 3), "a b");
}

TEST(TextTest, ClipKeepsSpaces) {
  EXPECT_EQ(Clip("a   b", 10), "a   b");
  EXPECT_EQ(Clip("a   b", 3), "a ~");
  EXPECT_EQ(Clip("x\x1by", 5), "x y");
}

}  // namespace
}  // namespace dbinsight::top
