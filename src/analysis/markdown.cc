#include "analysis/markdown.h"

#include <algorithm>

namespace dbinsight::analysis {
namespace {

size_t RunAt(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && s[i + n] == '`') ++n;
  return n;
}

}  // namespace

std::string CodeSpan(std::string_view text) {
  size_t longest = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t run = RunAt(text, i);
    longest = std::max(longest, run);
    i += run;
  }
  const std::string fence(longest + 1, '`');
  // A space keeps a backquote at either end off the fence; CommonMark strips it.
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + std::string(text) + (pad ? " " : "") + fence;
}

std::string PlainText(std::string_view markdown) {
  std::string out;
  for (size_t i = 0; i < markdown.size();) {
    const size_t run = RunAt(markdown, i);
    if (run == 0) {
      out += markdown[i++];
      continue;
    }
    // The closing fence is the next run of exactly the same length.
    size_t close = i + run;
    while (close < markdown.size() && !(markdown[close] == '`' && RunAt(markdown, close) == run))
      close += std::max<size_t>(1, RunAt(markdown, close));
    if (close >= markdown.size()) {
      out += std::string(run, '"');  // an unmatched fence
      i += run;
      continue;
    }
    std::string_view body = markdown.substr(i + run, close - i - run);
    if (body.size() >= 2 && body.front() == ' ' && body.back() == ' ') body = body.substr(1, body.size() - 2);
    out += '"' + std::string(body) + '"';
    i = close + run;
  }
  return out;
}

}  // namespace dbinsight::analysis
