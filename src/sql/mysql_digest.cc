#include "sql/mysql_digest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace dbinsight::sql {
namespace {

enum class Tok { kWord, kQuoted, kString, kPlaceholder, kList, kEllipsis, kPunct };

struct Token {
  Tok kind;
  std::string text;  // as written; kQuoted: the identifier without backquotes
};

bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '@'; }

// Digest tokens: `ident`, 'string' and "string" (the tokenizer's text may
// keep none, but a quote must never split), ?, (...) (a collapsed value
// list), ... (the rest of one), words, and one-character punctuation.
std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '`' || c == '\'' || c == '"') {
      std::string text;
      size_t j = i + 1;
      for (; j < s.size(); ++j) {
        if (s[j] == c && j + 1 < s.size() && s[j + 1] == c) {
          text += c;
          ++j;
        } else if (s[j] == c) {
          break;
        } else {
          text += s[j];
        }
      }
      out.push_back({c == '`' ? Tok::kQuoted : Tok::kString, c == '`' ? text : std::string(s.substr(i, j + 1 - i))});
      i = std::min(j + 1, s.size());
    } else if (s.substr(i, 5) == "(...)") {
      out.push_back({Tok::kList, "(...)"});
      i += 5;
    } else if (s.substr(i, 3) == "...") {
      out.push_back({Tok::kEllipsis, "..."});
      i += 3;
    } else if (c == '?') {
      out.push_back({Tok::kPlaceholder, "?"});
      ++i;
    } else if (WordChar(c)) {
      size_t j = i;
      while (j < s.size() && WordChar(s[j])) ++j;
      out.push_back({Tok::kWord, std::string(s.substr(i, j - i))});
      i = j;
    } else {
      out.push_back({Tok::kPunct, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

bool Is(const Token& t, std::string_view word) {
  return t.kind == Tok::kWord && t.text.size() == word.size() &&
         std::equal(word.begin(), word.end(), t.text.begin(),
                    [](char a, char b) { return std::toupper(static_cast<unsigned char>(b)) == a; });
}

// `, ...` after a value: the values MySQL folded into the ellipsis. Dropping
// both keeps the first value, which is all an index needs to see.
std::vector<Token> DropEllipses(std::vector<Token> toks) {
  std::vector<Token> out;
  for (Token& t : toks) {
    if (t.kind == Tok::kEllipsis) {
      if (!out.empty() && out.back().kind == Tok::kPunct && out.back().text == ",") out.pop_back();
      continue;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string Join(const std::vector<Token>& toks, size_t from, size_t to, bool pg) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    const Token& t = toks[i];
    if (!out.empty()) out += ' ';
    if (t.kind != Tok::kQuoted) {
      out += t.text;
      continue;
    }
    const char q = pg ? '"' : '`';
    out += q;
    for (char c : t.text) {
      if (c == q) out += q;
      out += c;
    }
    out += q;
  }
  return out;
}

// The index of the first word `word` at parenthesis depth 0 from `from`, or
// toks.size().
size_t FindTopLevel(const std::vector<Token>& toks, size_t from, std::string_view word) {
  int depth = 0;
  for (size_t i = from; i < toks.size(); ++i) {
    if (toks[i].kind == Tok::kPunct && toks[i].text == "(") ++depth;
    if (toks[i].kind == Tok::kPunct && toks[i].text == ")") --depth;
    if (depth == 0 && Is(toks[i], word)) return i;
  }
  return toks.size();
}

}  // namespace

Result<StatementShape> ShapeOfMySql(std::string_view digest) {
  std::vector<Token> toks = DropEllipses(Lex(digest));
  int param = 0;
  for (Token& t : toks) {
    if (t.kind == Tok::kPlaceholder) t.text = "$" + std::to_string(++param);
    if (t.kind == Tok::kList) t.text = "($" + std::to_string(++param) + ")";
  }
  auto shape = ShapeOf(Join(toks, 0, toks.size(), /*pg=*/true));
  if (!shape.ok()) return shape.status();
  for (Predicate& p : shape->predicates)
    std::transform(p.column.begin(), p.column.end(), p.column.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return shape;
}

Result<std::string> ExplainableMySql(std::string_view digest) {
  std::vector<Token> toks = DropEllipses(Lex(digest));
  if (toks.empty() || !(Is(toks[0], "SELECT") || Is(toks[0], "UPDATE") || Is(toks[0], "DELETE")))
    return Status::InvalidArgument("only SELECT, UPDATE and DELETE are explained");
  bool numeric = false;  // after LIMIT or OFFSET, and LIMIT's `a, b`
  for (Token& t : toks) {
    if (t.kind == Tok::kPlaceholder) t.text = numeric ? "1" : "'1'";
    if (t.kind == Tok::kList) t.text = "('1')";
    if (t.kind == Tok::kWord) numeric = Is(t, "LIMIT") || Is(t, "OFFSET");
  }
  if (Is(toks[0], "SELECT")) return Join(toks, 0, toks.size(), false);
  if (Is(toks[0], "DELETE")) {
    const size_t from = FindTopLevel(toks, 1, "FROM");
    if (from == toks.size()) return Status::InvalidArgument("a DELETE without FROM");
    return "SELECT * " + Join(toks, from, toks.size(), false);
  }
  const size_t set = FindTopLevel(toks, 1, "SET");
  if (set == toks.size()) return Status::InvalidArgument("an UPDATE without SET");
  const size_t where = FindTopLevel(toks, set, "WHERE");
  std::string select = "SELECT * FROM " + Join(toks, 1, set, false);
  if (where < toks.size()) select += " " + Join(toks, where, toks.size(), false);
  return select;
}

}  // namespace dbinsight::sql
