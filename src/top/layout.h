// Layout of `dbinsight top`: one screen (or one plain snapshot) as lines of
// text, from the window's loads and the view state, for a terminal of a given
// size. Every line is at most `width` columns and there are at most `height`
// lines, whatever the size: on a small terminal columns are dropped (least
// useful first), texts cut with '~', and the sections share the rows left.
// No escape sequences here; Style tells the terminal door how to draw a line.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "top/load_window.h"
#include "top/view_state.h"

namespace dbinsight::top {

struct Size {
  int width = 80;
  int height = 24;
};

enum class Style { kNormal, kHeader, kTitle, kError };

struct Line {
  std::string text;  // UTF-8, no control characters, at most Size::width columns
  Style style = Style::kNormal;
};

// What the header says about the instance. Never holds a password: instance
// is the config's id or the redacted target.
struct Header {
  std::string instance;
  std::string engine;   // "postgres", "mariadb", "mysql"
  std::string version;  // "" until the first sample
  int vcpus = 0;        // 0: not configured
  std::string error;    // the last sampling failure (redacted); "" when the last sample worked
};

// interactive: with the key line at the bottom (a snapshot for scripts has none).
std::vector<Line> Render(const Header& header, const LoadWindow& window, const ViewState& state, Size size,
                         bool interactive);

// "12s", "4m05s", "3h07m"; "+" appended when the time is a lower bound.
std::string FormatSeconds(double seconds, bool at_least);

}  // namespace dbinsight::top
