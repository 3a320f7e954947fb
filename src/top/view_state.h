// What `dbinsight top` shows and how the keyboard changes it: the slice
// (waits, SQL, users, hosts, databases, applications), the sort order, pause,
// help and quit, and KeyDecoder, which turns the bytes a terminal sends into
// keys (escape sequences such as arrow keys are swallowed whole, so their
// letters never act as commands). Plain values and a small state machine; no
// terminal needed. Thread-safety: none; one UI thread owns them.
#pragma once

#include <string_view>
#include <vector>

#include "model/dimensions.h"

namespace dbinsight::top {

enum class Slice { kWaits, kSql, kUsers, kHosts, kDatabases, kApplications };

// The PI dimension group a slice aggregates, and the index of the value shown
// within its key (e.g. db.user -> db.user.name).
model::Group SliceGroup(Slice slice);
int SliceNameIndex(Slice slice);
// "waits", "sql", "users", "hosts", "databases", "applications".
std::string_view SliceName(Slice slice);

// kLoad: biggest load first. kTime: sessions running longest first (slices
// and statements stay by load). kName: slice values and statements by name,
// sessions by pid.
enum class Sort { kLoad, kTime, kName };
std::string_view SortName(Sort sort);

struct ViewState {
  Slice slice = Slice::kWaits;
  Sort sort = Sort::kLoad;
  bool paused = false;  // the display keeps the data it had; new samples are dropped
  bool help = false;    // the key list replaces the tables
  bool quit = false;
};

// Keys are bytes; these name the non-printing ones KeyDecoder yields.
inline constexpr int kKeyCtrlC = 3;
inline constexpr int kKeyCtrlL = 12;
inline constexpr int kKeyEscape = 27;

// Applies one key: w s u h d a pick the slice, space / p pause, o cycles the
// sort, ? toggles help (Escape closes it), q / Ctrl-C quit, Ctrl-L redraws.
// Returns true when the screen must be drawn again.
bool HandleKey(ViewState& state, int key);

// The key list the help screen shows, one line each.
const std::vector<std::string_view>& HelpLines();

class KeyDecoder {
 public:
  // The keys in `bytes` (one read from the terminal). A sequence cut between
  // two reads is continued in the next; a lone ESC at the end of a read is
  // the Escape key.
  std::vector<int> Decode(std::string_view bytes);

 private:
  enum class State { kNormal, kEscape, kCsi, kSs3 };
  State state_ = State::kNormal;
};

}  // namespace dbinsight::top
