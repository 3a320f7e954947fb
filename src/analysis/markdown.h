// The bits of Markdown reports are written in: a code span that survives
// backquotes in what it quotes (MySQL identifiers), and the plain-text form
// of a Markdown line. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight::analysis {

// `text` as an inline code span: delimited by one more backquote than its
// longest run of them (CommonMark), so `SELECT `a` FROM `t`` reads back
// whole.
std::string CodeSpan(std::string_view text);

// `markdown` with each code span as "its text" (double quotes, content
// verbatim, so a MySQL statement keeps its backquotes) and no backquote
// outside them.
std::string PlainText(std::string_view markdown);

}  // namespace dbinsight::analysis
