// The key state machine and the byte -> key decoder.
#include "top/view_state.h"

#include <gtest/gtest.h>

namespace dbinsight::top {
namespace {

TEST(HandleKeyTest, SlicesPauseSortHelpQuit) {
  ViewState s;
  EXPECT_EQ(s.slice, Slice::kWaits);
  const std::pair<char, Slice> slices[] = {{'s', Slice::kSql},       {'u', Slice::kUsers},        {'h', Slice::kHosts},
                                           {'d', Slice::kDatabases}, {'a', Slice::kApplications}, {'w', Slice::kWaits}};
  for (const auto& [key, slice] : slices) {
    EXPECT_TRUE(HandleKey(s, key));
    EXPECT_EQ(s.slice, slice) << key;
  }
  EXPECT_TRUE(HandleKey(s, 'p'));
  EXPECT_TRUE(s.paused);
  EXPECT_TRUE(HandleKey(s, ' '));
  EXPECT_FALSE(s.paused);
  EXPECT_TRUE(HandleKey(s, 'o'));
  EXPECT_EQ(s.sort, Sort::kTime);
  EXPECT_TRUE(HandleKey(s, 'o'));
  EXPECT_EQ(s.sort, Sort::kName);
  EXPECT_TRUE(HandleKey(s, 'o'));
  EXPECT_EQ(s.sort, Sort::kLoad);
  EXPECT_TRUE(HandleKey(s, '?'));
  EXPECT_TRUE(s.help);
  EXPECT_TRUE(HandleKey(s, kKeyEscape));
  EXPECT_FALSE(s.help);
  EXPECT_FALSE(HandleKey(s, kKeyEscape));  // nothing to close
  HandleKey(s, '?');
  EXPECT_TRUE(HandleKey(s, 'u'));  // a slice key leaves the help
  EXPECT_FALSE(s.help);
  EXPECT_FALSE(HandleKey(s, 'x'));
  EXPECT_FALSE(HandleKey(s, 'A'));  // letters are lower case only
  EXPECT_EQ(s.slice, Slice::kUsers);
  EXPECT_FALSE(s.quit);
  HandleKey(s, 'q');
  EXPECT_TRUE(s.quit);
  ViewState c;
  HandleKey(c, kKeyCtrlC);
  EXPECT_TRUE(c.quit);
}

TEST(KeyDecoderTest, EscapeSequencesAreSwallowed) {
  KeyDecoder d;
  EXPECT_EQ(d.Decode("q"), std::vector<int>{'q'});
  EXPECT_TRUE(d.Decode("\x1b[A\x1b[1;5D\x1bOB").empty());   // arrows, Ctrl+Left, SS3 arrow
  EXPECT_EQ(d.Decode("\x1b[15~s"), std::vector<int>{'s'});  // F5 then s
  // A sequence cut between reads.
  EXPECT_TRUE(d.Decode("\x1b[1;").empty());
  EXPECT_EQ(d.Decode("5Aw"), std::vector<int>{'w'});
  // A lone Escape at the end of a read, and Escape before a key.
  EXPECT_EQ(d.Decode("\x1b"), std::vector<int>{kKeyEscape});
  EXPECT_EQ(d.Decode("\x1bq"), (std::vector<int>{kKeyEscape, 'q'}));
  EXPECT_EQ(d.Decode("\x03"), std::vector<int>{kKeyCtrlC});
}

TEST(SliceTest, GroupsAndNames) {
  EXPECT_EQ(SliceGroup(Slice::kSql), model::Group::kSqlTokenized);
  EXPECT_EQ(SliceNameIndex(Slice::kSql), model::dim::kTokStatement);
  EXPECT_EQ(SliceGroup(Slice::kUsers), model::Group::kUser);
  EXPECT_EQ(SliceNameIndex(Slice::kUsers), model::dim::kUserName);
  EXPECT_EQ(SliceName(Slice::kApplications), "applications");
  EXPECT_EQ(SortName(Sort::kTime), "time");
}

}  // namespace
}  // namespace dbinsight::top
