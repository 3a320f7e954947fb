// The view state machine and key decoding; see view_state.h.
#include "top/view_state.h"

namespace dbinsight::top {

model::Group SliceGroup(Slice slice) {
  switch (slice) {
    case Slice::kWaits:
      return model::Group::kWaitEvent;
    case Slice::kSql:
      return model::Group::kSqlTokenized;
    case Slice::kUsers:
      return model::Group::kUser;
    case Slice::kHosts:
      return model::Group::kHost;
    case Slice::kDatabases:
      return model::Group::kDb;
    case Slice::kApplications:
      return model::Group::kApplication;
  }
  return model::Group::kWaitEvent;
}

int SliceNameIndex(Slice slice) {
  switch (slice) {
    case Slice::kWaits:
      return model::dim::kWaitName;
    case Slice::kSql:
      return model::dim::kTokStatement;
    case Slice::kUsers:
      return model::dim::kUserName;
    case Slice::kHosts:
      return model::dim::kHostName;
    case Slice::kDatabases:
    case Slice::kApplications:
      return 0;
  }
  return 0;
}

std::string_view SliceName(Slice slice) {
  switch (slice) {
    case Slice::kWaits:
      return "waits";
    case Slice::kSql:
      return "sql";
    case Slice::kUsers:
      return "users";
    case Slice::kHosts:
      return "hosts";
    case Slice::kDatabases:
      return "databases";
    case Slice::kApplications:
      return "applications";
  }
  return "";
}

std::string_view SortName(Sort sort) {
  switch (sort) {
    case Sort::kLoad:
      return "load";
    case Sort::kTime:
      return "time";
    case Sort::kName:
      return "name";
  }
  return "";
}

bool HandleKey(ViewState& state, int key) {
  const auto slice = [&](Slice s) {
    state.help = false;
    state.slice = s;
    return true;
  };
  switch (key) {
    case 'q':
    case kKeyCtrlC:
      state.quit = true;
      return false;
    case 'w':
      return slice(Slice::kWaits);
    case 's':
      return slice(Slice::kSql);
    case 'u':
      return slice(Slice::kUsers);
    case 'h':
      return slice(Slice::kHosts);
    case 'd':
      return slice(Slice::kDatabases);
    case 'a':
      return slice(Slice::kApplications);
    case ' ':
    case 'p':
      state.paused = !state.paused;
      return true;
    case 'o':
      state.sort = state.sort == Sort::kLoad ? Sort::kTime : state.sort == Sort::kTime ? Sort::kName : Sort::kLoad;
      return true;
    case '?':
      state.help = !state.help;
      return true;
    case kKeyEscape:
      if (!state.help) return false;
      state.help = false;
      return true;
    case kKeyCtrlL:
      return true;
    default:
      return false;
  }
}

const std::vector<std::string_view>& HelpLines() {
  // One key a line, most used first: a small terminal shows the top of the list.
  static const std::vector<std::string_view> lines = {
      "w  slice by waits (db.wait_event)",
      "s  slice by SQL (db.sql_tokenized)",
      "u  slice by users",
      "h  slice by hosts",
      "d  slice by databases",
      "a  slice by applications",
      "p  pause / resume (also space): the screen keeps its data",
      "o  sort: load, time (sessions), name",
      "?  this help (Esc closes it)",
      "q  quit (also Ctrl-C)",
      "Load is the average number of active sessions over the window.",
      "Sessions blocking others come first in the session list.",
  };
  return lines;
}

std::vector<int> KeyDecoder::Decode(std::string_view bytes) {
  std::vector<int> keys;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    switch (state_) {
      case State::kNormal:
        if (c == kKeyEscape)
          state_ = State::kEscape;
        else
          keys.push_back(c);
        break;
      case State::kEscape:
        if (c == '[')
          state_ = State::kCsi;
        else if (c == 'O')
          state_ = State::kSs3;
        else {
          // ESC then a key: Alt+key, or Escape typed before it. Escape it is.
          keys.push_back(kKeyEscape);
          state_ = State::kNormal;
          if (c == kKeyEscape)
            state_ = State::kEscape;
          else
            keys.push_back(c);
        }
        break;
      case State::kCsi:
        if (c >= 0x40 && c <= 0x7E) state_ = State::kNormal;  // the final byte
        break;
      case State::kSs3:
        state_ = State::kNormal;
        break;
    }
  }
  if (state_ == State::kEscape) {
    keys.push_back(kKeyEscape);
    state_ = State::kNormal;
  }
  return keys;
}

}  // namespace dbinsight::top
