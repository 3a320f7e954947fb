// Screen layout of `dbinsight top`; see layout.h.
#include "top/layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "top/text.h"

namespace dbinsight::top {

namespace {

// One table column. A fixed column is as wide as its title and widest cell,
// at most `width`; width kFlex takes what the fixed columns leave (at most
// flex_max when set). Columns with the highest drop rank go first while the
// flex column would get less than flex_min; rank 0 never goes.
constexpr int kFlex = -1;

struct Column {
  std::string title;
  int width = kFlex;  // the most a fixed column takes
  Align align = Align::kLeft;
  int drop = 0;
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;  // one cell per column
  std::string empty;                           // the one line shown without rows
  int flex_min = 10;
  int flex_max = 0;  // 0: no cap
};

// Widths of the columns kept at `width` columns (0 for a dropped column).
std::vector<int> FitWidths(const Table& t, int width) {
  std::vector<int> widths;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    int w = c.width;
    if (w != kFlex) {
      w = DisplayWidth(c.title);
      for (const auto& row : t.rows) w = std::max(w, DisplayWidth(Sanitize(row[i])));
      w = std::min(w, c.width);
    }
    widths.push_back(w);
  }
  const auto need = [&] {
    int sum = 0, kept = 0;
    for (const int w : widths) {
      if (w == 0) continue;
      sum += w == kFlex ? t.flex_min : w;
      ++kept;
    }
    return sum + std::max(0, kept - 1);
  };
  while (need() > width) {
    int victim = -1;
    for (size_t i = 0; i < widths.size(); ++i)
      if (widths[i] > 0 && t.columns[i].drop > 0 && (victim < 0 || t.columns[i].drop > t.columns[victim].drop))
        victim = static_cast<int>(i);
    if (victim < 0) break;
    widths[victim] = 0;
  }
  int fixed = 0, kept = 0;
  for (const int w : widths) {
    if (w == 0) continue;
    fixed += w == kFlex ? 0 : w;
    ++kept;
  }
  int flex = std::max(1, width - fixed - std::max(0, kept - 1));
  if (t.flex_max > 0) flex = std::min(flex, t.flex_max);
  for (int& w : widths)
    if (w == kFlex) w = flex;
  return widths;
}

std::string Compose(const std::vector<std::string>& cells, const Table& t, const std::vector<int>& widths, int width) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (widths[i] == 0) continue;
    if (!line.empty()) line += ' ';
    line += Fit(cells[i], widths[i], t.columns[i].align);
  }
  // Trailing padding carries nothing; the terminal clears the rest of the line.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return Clip(line, width);
}

// The title line and `rows` data lines (or the empty line) of a table.
void Emit(const Table& t, int rows, int width, std::vector<Line>& out) {
  const std::vector<int> widths = FitWidths(t, width);
  std::vector<std::string> titles;
  for (const Column& c : t.columns) titles.push_back(c.title);
  out.push_back({Compose(titles, t, widths, width), Style::kTitle});
  if (t.rows.empty()) {
    out.push_back({Clip(t.empty, width)});
    return;
  }
  for (int r = 0; r < rows && r < static_cast<int>(t.rows.size()); ++r)
    out.push_back({Compose(t.rows[r], t, widths, width)});
}

std::string_view SliceTitle(Slice slice) {
  switch (slice) {
    case Slice::kWaits:
      return "WAIT";
    case Slice::kSql:
      return "SQL STATEMENT";
    case Slice::kUsers:
      return "USER";
    case Slice::kHosts:
      return "HOST";
    case Slice::kDatabases:
      return "DATABASE";
    case Slice::kApplications:
      return "APPLICATION";
  }
  return "";
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string Percent(double share) { return fmt::format("{:.0f}%", share * 100); }

Table SliceTable(const LoadWindow& window, const ViewState& state, int vcpus, int width) {
  Table t;
  const std::vector<DimensionLoad> loads = window.LoadBy(state.slice, state.sort);
  // Bars are drawn against the larger of the load and the vCPUs, so a full
  // bar means the instance is saturated.
  double scale = std::max(window.Aas(), static_cast<double>(vcpus));
  for (const DimensionLoad& l : loads) scale = std::max(scale, l.load);
  const int bar = std::clamp((width - 14) / 3, 0, 30);
  int longest = static_cast<int>(SliceTitle(state.slice).size());
  for (const DimensionLoad& l : loads) longest = std::max(longest, DisplayWidth(Sanitize(OrDash(l.name))));
  t.columns = {{std::string(SliceTitle(state.slice)), kFlex, Align::kLeft, 0},
               {"LOAD", 6, Align::kRight, 0},
               {"SHARE", 5, Align::kRight, 2}};
  if (bar >= 5) t.columns.push_back({vcpus > 0 ? fmt::format("vs {} vCPUs", vcpus) : "", bar, Align::kLeft, 1});
  t.flex_max = std::max(longest, t.flex_min);
  const double total = window.Aas();
  for (const DimensionLoad& l : loads) {
    std::vector<std::string> row = {OrDash(l.name), fmt::format("{:.2f}", l.load),
                                    Percent(total > 0 ? l.load / total : 0)};
    if (bar >= 5) row.push_back(std::string(static_cast<size_t>(std::lround(l.load / scale * bar)), '#'));
    t.rows.push_back(std::move(row));
  }
  t.empty = window.samples() == 0 ? "(waiting for the first sample)" : "(no active sessions)";
  return t;
}

Table SessionTable(const LoadWindow& window, const ViewState& state, int width) {
  Table t;
  // Narrow terminals keep pid, wait and statement; the state, user and time next.
  t.columns = {{"PID", 7, Align::kRight, 0},         {"STATE", 11, Align::kLeft, 4}, {"USER", 12, Align::kLeft, 5},
               {"DB", 12, Align::kLeft, 7},          {"APP", 18, Align::kLeft, 9},   {"WAIT", 26, Align::kLeft, 0},
               {"TIME", 6, Align::kRight, 3},        {"LOAD", 4, Align::kRight, 6},  {"BLK", 3, Align::kRight, 8},
               {"STATEMENT", kFlex, Align::kLeft, 0}};
  t.flex_min = std::max(20, width / 3);  // the statement says most; other columns yield first
  for (const SessionView& s : window.Sessions(state.sort)) {
    t.rows.push_back({std::to_string(s.pid), s.state, OrDash(s.user), OrDash(s.db), OrDash(s.application),
                      OrDash(s.wait), s.seconds ? FormatSeconds(*s.seconds, s.at_least) : "-",
                      s.state == "active" ? Percent(s.load) : "-", s.blocks > 0 ? std::to_string(s.blocks) : "",
                      OrDash(s.statement)});
  }
  t.empty = "(no active sessions)";
  return t;
}

Table StatementTable(const LoadWindow& window, const ViewState& state) {
  Table t;
  t.columns = {{"LOAD", 6, Align::kRight, 0},
               {"TOP WAIT", 26, Align::kLeft, 2},
               {"W%", 4, Align::kRight, 3},
               {"TOP SQL", kFlex, Align::kLeft, 0}};
  t.flex_min = 20;
  for (const DimensionLoad& l : window.Statements(state.sort))
    t.rows.push_back({fmt::format("{:.2f}", l.load), OrDash(l.top_wait), Percent(l.top_wait_share), OrDash(l.name)});
  t.empty = "(no statements)";
  return t;
}

std::string Clock(std::optional<WallTime> t) {
  if (!t) return "";
  const std::time_t secs = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:02}:{:02}:{:02} UTC", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::vector<Line> HeaderLines(const Header& h, const LoadWindow& window, const ViewState& state, int width) {
  std::vector<Line> out;
  // The pause flag leads: on a narrow terminal the tail is what gets cut.
  std::string first = state.paused ? "[PAUSED] " : "";
  if (window.latest()) first += Clock(window.latest()) + "  ";
  first += Sanitize(h.instance) + "  " + h.engine;
  if (!h.version.empty()) first += " " + Sanitize(h.version);
  first += "  dbinsight top";
  out.push_back({Clip(first, width), Style::kHeader});
  const double aas = window.Aas();
  std::string second = fmt::format("AAS {:.2f}", aas);
  if (h.vcpus > 0) second += fmt::format(" / {} vCPUs ({:.0f}%)", h.vcpus, aas / h.vcpus * 100);
  second += fmt::format("  window {:g}s, {} sample{}  slice {}  sort {}",
                        std::chrono::duration<double>(window.span()).count(), window.samples(),
                        window.samples() == 1 ? "" : "s", SliceName(state.slice), SortName(state.sort));
  out.push_back({Clip(second, width)});
  if (!h.error.empty()) out.push_back({Clip("sampling failed: " + Sanitize(h.error), width), Style::kError});
  return out;
}

}  // namespace

std::string FormatSeconds(double seconds, bool at_least) {
  const auto s = static_cast<int64_t>(std::max(0.0, seconds));
  std::string text = s < 60     ? fmt::format("{}s", s)
                     : s < 3600 ? fmt::format("{}m{:02}s", s / 60, s % 60)
                                : fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return at_least ? text + "+" : text;
}

std::vector<Line> Render(const Header& header, const LoadWindow& window, const ViewState& state, Size size,
                         bool interactive) {
  const int width = std::max(size.width, 1);
  const int height = std::max(size.height, 1);
  std::vector<Line> out = HeaderLines(header, window, state, width);
  const bool footer = interactive && height >= 10;
  if (state.help) {
    for (const std::string_view line : HelpLines()) out.push_back({Clip(line, width)});
  } else {
    std::vector<Table> tables = {SliceTable(window, state, header.vcpus, width), SessionTable(window, state, width)};
    // The SQL slice already lists the statements.
    if (state.slice != Slice::kSql) tables.push_back(StatementTable(window, state));
    // Each table shown needs its title and one line; the rows left go round
    // the tables one at a time, so none crowds the others out.
    int left = height - static_cast<int>(out.size()) - (footer ? 1 : 0);
    std::vector<int> rows(tables.size(), -1);
    for (size_t i = 0; i < tables.size() && left >= 2; ++i, left -= 2) rows[i] = 1;
    for (bool grew = true; grew && left > 0;) {
      grew = false;
      for (size_t i = 0; i < tables.size() && left > 0; ++i) {
        if (rows[i] < 0 || rows[i] >= static_cast<int>(tables[i].rows.size())) continue;
        ++rows[i];
        --left;
        grew = true;
      }
    }
    for (size_t i = 0; i < tables.size(); ++i)
      if (rows[i] >= 0) Emit(tables[i], rows[i], width, out);
  }
  if (static_cast<int>(out.size()) > height - (footer ? 1 : 0)) out.resize(std::max(0, height - (footer ? 1 : 0)));
  if (footer)
    out.push_back({Clip(state.help ? "? or Esc: back  q: quit"
                                   : "q quit  ? help  p pause  o sort  w waits  s sql  u users  h hosts  d dbs  a apps",
                        width),
                   Style::kTitle});
  return out;
}

}  // namespace dbinsight::top
