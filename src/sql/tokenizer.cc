#include "sql/tokenizer.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace dbinsight::sql {
namespace {

constexpr int kMaxParamNumber = 1 << 30;

enum class Kind {
  kEnd,
  kSpace,
  kComment,
  kIdent,        // bare identifier or keyword
  kQuotedIdent,  // "..." (PostgreSQL) or `...` (MySQL)
  kString,       // any string literal form, prefix included
  kNumber,
  kParam,  // $n (PostgreSQL) or ? (MySQL)
  kOther,  // one byte of operator or punctuation
};

struct Token {
  Kind kind = Kind::kEnd;
  size_t begin = 0;
  size_t end = 0;  // one past the last byte
};

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHexDigit(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// Bytes >= 0x80 are identifier bytes in both servers (UTF-8 names).
bool IsIdentStart(unsigned char c) { return IsAlpha(c) || c == '_' || c >= 0x80; }
bool IsIdentCont(unsigned char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }
bool IsDollarTagChar(unsigned char c) { return IsIdentStart(c) || IsDigit(c); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != b[i]) return false;
  }
  return true;
}

// Keywords after which a '-' starts a negative number rather than a
// subtraction ("where v > -1", "then -1", "limit -1").
constexpr std::string_view kExprKeywords[] = {
    "all",      "and",    "any",       "between", "by",    "case",    "default", "distinct",
    "div",      "else",   "escape",    "for",     "from",  "having",  "ilike",   "in",
    "interval", "is",     "like",      "limit",   "mod",   "not",     "offset",  "on",
    "or",       "return", "returning", "select",  "set",   "similar", "some",    "then",
    "to",       "using",  "values",    "when",    "where", "xor"};

bool IsExprKeyword(std::string_view word) {
  if (word.size() < 2 || word.size() > 9) return false;
  for (std::string_view k : kExprKeywords) {
    if (EqualsIgnoreCase(word, k)) return true;
  }
  return false;
}

// Parses the digits of "$123"; saturates so huge numbers cannot overflow.
int ParamValue(std::string_view digits) {
  int v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v >= kMaxParamNumber) return kMaxParamNumber;
  }
  return v;
}

// Splits text into tokens by the dialect's lexical rules. Only what decides
// where literals start and end is modelled; everything else is kOther bytes.
class Lexer {
 public:
  Lexer(std::string_view s, Dialect d) : s_(s), pg_(d == Dialect::kPostgres) {}

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

  Token Next() {
    const size_t n = s_.size();
    const size_t i = pos_;
    if (i >= n) return {Kind::kEnd, n, n};
    const unsigned char c = s_[i];
    Kind kind = Kind::kOther;
    size_t end = i + 1;
    if (IsSpace(c)) {
      while (end < n && IsSpace(s_[end])) ++end;
      kind = Kind::kSpace;
    } else if (c == '-' && At(i + 1) == '-' &&
               (pg_ || i + 2 >= n || static_cast<unsigned char>(s_[i + 2]) <= ' ')) {
      // MySQL needs "-- " (dash dash whitespace); "5--1" is 5 minus -1 there.
      end = LineEnd(i);
      kind = Kind::kComment;
    } else if (c == '#' && !pg_) {
      end = LineEnd(i);
      kind = Kind::kComment;
    } else if (c == '/' && At(i + 1) == '*') {
      end = BlockCommentEnd(i);
      kind = Kind::kComment;
    } else if (c == '\'') {
      end = StringEnd(i, /*backslash=*/!pg_);
      kind = Kind::kString;
    } else if (c == '"') {
      // MySQL's default sql_mode (no ANSI_QUOTES) makes "..." a string.
      end = pg_ ? QuotedEnd(i, '"', false) : StringEnd(i, true);
      kind = pg_ ? Kind::kQuotedIdent : Kind::kString;
    } else if (c == '`' && !pg_) {
      end = QuotedEnd(i, '`', false);
      kind = Kind::kQuotedIdent;
    } else if (IsIdentStart(c)) {
      end = i + 1;
      while (end < n && IsIdentCont(s_[end])) ++end;
      kind = Kind::kIdent;
      IdentOrPrefixedString(i, &end, &kind);
    } else if (IsDigit(c) || (c == '.' && IsDigit(At(i + 1)))) {
      end = NumberEnd(i);
      kind = Kind::kNumber;
    } else if (c == '$' && pg_) {
      DollarToken(i, &end, &kind);
    } else if (c == '?' && !pg_) {
      kind = Kind::kParam;
    }
    pos_ = end;
    return {kind, i, end};
  }

 private:
  unsigned char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  size_t LineEnd(size_t i) const {
    size_t nl = s_.find('\n', i);
    return nl == std::string_view::npos ? s_.size() : nl;
  }

  // PostgreSQL nests block comments; MySQL does not. An unterminated comment
  // runs to the end (it is kept, and holds no literal we promised to hide).
  size_t BlockCommentEnd(size_t i) const {
    int depth = 0;
    size_t j = i;
    while (j < s_.size()) {
      if (s_[j] == '/' && At(j + 1) == '*' && (pg_ || depth == 0)) {
        ++depth;
        j += 2;
      } else if (s_[j] == '*' && At(j + 1) == '/') {
        j += 2;
        if (--depth == 0) return j;
      } else {
        ++j;
      }
    }
    return s_.size();
  }

  // `quote` at s_[i]; returns one past the closing quote, or the text's end
  // when the quote is unterminated. A doubled quote is part of the text.
  size_t QuotedEnd(size_t i, char quote, bool backslash) const {
    size_t j = i + 1;
    while (j < s_.size()) {
      char c = s_[j];
      if (backslash && c == '\\') {
        j += 2;
      } else if (c == quote) {
        if (At(j + 1) != static_cast<unsigned char>(quote)) return j + 1;
        j += 2;
      } else {
        ++j;
      }
    }
    return s_.size();
  }

  // A string literal at s_[i] plus its continuations: PostgreSQL joins
  // 'a'<newline>'b' into one literal, MySQL joins any 'a' "b" run.
  size_t StringEnd(size_t i, bool backslash) const {
    size_t end = QuotedEnd(i, s_[i], backslash);
    for (;;) {
      if (end >= s_.size()) return s_.size();
      size_t k = end;
      bool newline = false;
      while (k < s_.size() && IsSpace(s_[k])) {
        newline = newline || s_[k] == '\n' || s_[k] == '\r';
        ++k;
      }
      if (k == end || k >= s_.size()) return end;
      const char q = s_[k];
      const bool joins = pg_ ? (newline && q == '\'') : (q == '\'' || q == '"');
      if (!joins) return end;
      end = QuotedEnd(k, q, backslash);
    }
  }

  // Recognises E'..', B'..', X'..', N'..', U&'..' and MySQL's _charset'..'
  // introducers: the prefix belongs to the literal.
  void IdentOrPrefixedString(size_t i, size_t* end, Kind* kind) const {
    const size_t j = *end;
    if (j >= s_.size()) return;
    const char lc = Lower(s_[i]);
    if (j == i + 1 && s_[j] == '\'') {
      if ((lc == 'e' && pg_) || lc == 'b' || lc == 'x' || lc == 'n') {
        *end = StringEnd(j, /*backslash=*/lc == 'e' || (!pg_ && lc == 'n'));
        *kind = Kind::kString;
      }
    } else if (j == i + 1 && pg_ && lc == 'u' && s_[j] == '&' && At(j + 1) == '\'') {
      *end = StringEnd(j + 1, false);
      *kind = Kind::kString;
    } else if (!pg_ && s_[i] == '_' && s_[j] == '\'') {
      *end = StringEnd(j, true);
      *kind = Kind::kString;
    }
  }

  size_t DigitsEnd(size_t j, bool (*is_digit)(unsigned char)) const {
    // PostgreSQL 16 accepts 1_000_000; an underscore must sit between digits.
    while (j < s_.size() && (is_digit(s_[j]) || (pg_ && s_[j] == '_' && is_digit(At(j + 1)) &&
                                                 j > 0 && is_digit(s_[j - 1])))) {
      ++j;
    }
    return j;
  }

  size_t NumberEnd(size_t i) const {
    if (s_[i] == '0') {
      const char p = Lower(At(i + 1));
      if (p == 'x' && IsHexDigit(At(i + 2))) return DigitsEnd(i + 2, IsHexDigit);
      if (p == 'b' && (At(i + 2) == '0' || At(i + 2) == '1')) {
        return DigitsEnd(i + 2, [](unsigned char c) { return c == '0' || c == '1'; });
      }
      if (p == 'o' && pg_ && At(i + 2) >= '0' && At(i + 2) <= '7') {
        return DigitsEnd(i + 2, [](unsigned char c) { return c >= '0' && c <= '7'; });
      }
    }
    size_t j = DigitsEnd(i, IsDigit);
    // "1." is a number, "1..5" is not a decimal.
    if (At(j) == '.' && At(j + 1) != '.') j = DigitsEnd(j + 1, IsDigit);
    if (Lower(At(j)) == 'e') {
      size_t k = j + 1;
      if (At(k) == '+' || At(k) == '-') ++k;
      if (IsDigit(At(k))) j = DigitsEnd(k, IsDigit);
    }
    return j;
  }

  // "$3" is a parameter; "$$" and "$tag$" open a dollar-quoted string that
  // ends at the same delimiter (or at the end of truncated text).
  void DollarToken(size_t i, size_t* end, Kind* kind) const {
    if (IsDigit(At(i + 1))) {
      size_t j = i + 1;
      while (j < s_.size() && IsDigit(s_[j])) ++j;
      *end = j;
      *kind = Kind::kParam;
      return;
    }
    size_t j = i + 1;
    if (At(j) != '$') {
      if (!IsIdentStart(At(j))) return;
      while (j < s_.size() && IsDollarTagChar(s_[j])) ++j;
      if (At(j) != '$') return;
    }
    std::string_view delimiter = s_.substr(i, j + 1 - i);
    size_t close = s_.find(delimiter, j + 1);
    *end = close == std::string_view::npos ? s_.size() : close + delimiter.size();
    *kind = Kind::kString;
  }

  std::string_view s_;
  bool pg_;
  size_t pos_ = 0;
};

// Tracks "IN ( literal , literal ... )" so MySQL output can collapse it.
class InListCollapser {
 public:
  // Feeds one significant token; returns true when `out` was rewritten to end
  // in "(...)" and the ')' must not be appended.
  bool Step(std::string_view token, bool literal, std::string& out) {
    switch (state_) {
      case State::kAfterIn:
        if (token == "(") {
          state_ = State::kExpectValue;
          out_start_ = out.size();
          count_ = 0;
          return false;
        }
        break;
      case State::kExpectValue:
        if (literal) {
          ++count_;
          state_ = State::kExpectComma;
          return false;
        }
        break;
      case State::kExpectComma:
        if (token == ",") {
          state_ = State::kExpectValue;
          return false;
        }
        if (token == ")" && count_ >= 2) {
          out.resize(out_start_);
          out += "(...)";
          state_ = State::kIdle;
          return true;
        }
        break;
      case State::kIdle:
        break;
    }
    state_ = EqualsIgnoreCase(token, "in") ? State::kAfterIn : State::kIdle;
    return false;
  }

 private:
  enum class State { kIdle, kAfterIn, kExpectValue, kExpectComma };
  State state_ = State::kIdle;
  size_t out_start_ = 0;
  int count_ = 0;
};

}  // namespace

std::string ReplaceLiterals(std::string_view sql, Dialect dialect) {
  const bool pg = dialect == Dialect::kPostgres;
  Lexer lexer(sql, dialect);
  std::string out;
  out.reserve(sql.size());
  // PostgreSQL placeholders are numbered after the highest existing $n, which
  // may come later in the text: remember where they go, number at the end.
  std::vector<size_t> holes;
  int highest = 0;
  InListCollapser in_list;
  // Whether the previous significant token ends an operand, deciding if '-'
  // is binary ("a - 1") or the sign of a literal ("a > -1").
  enum class Prev { kStart, kOperand, kIdent, kOperator };
  Prev prev = Prev::kStart;
  std::string_view prev_ident;

  auto emit_placeholder = [&] {
    if (pg) {
      holes.push_back(out.size());
    } else {
      out += '?';
    }
  };

  for (;;) {
    Token t = lexer.Next();
    if (t.kind == Kind::kEnd) break;
    std::string_view text = sql.substr(t.begin, t.end - t.begin);
    bool literal = false;
    switch (t.kind) {
      case Kind::kSpace:
      case Kind::kComment:
        out += text;
        continue;
      case Kind::kString:
      case Kind::kNumber:
        literal = true;
        emit_placeholder();
        prev = Prev::kOperand;
        break;
      case Kind::kParam:
        if (pg) highest = std::max(highest, ParamValue(text.substr(1)));
        literal = true;  // an existing "?" still counts in a MySQL IN list
        out += text;
        prev = Prev::kOperand;
        break;
      case Kind::kIdent:
        out += text;
        prev = Prev::kIdent;
        prev_ident = text;
        break;
      case Kind::kQuotedIdent:
        out += text;
        prev = Prev::kOperand;
        break;
      case Kind::kOther: {
        const char c = text[0];
        const bool sign_position = prev == Prev::kStart || prev == Prev::kOperator ||
                                   (prev == Prev::kIdent && IsExprKeyword(prev_ident));
        if (c == '-' && sign_position) {
          const size_t saved = lexer.pos();
          Token u = lexer.Next();
          while (u.kind == Kind::kSpace) u = lexer.Next();
          if (u.kind == Kind::kNumber) {
            // pg_stat_statements makes "-1" and "- 1" one constant.
            literal = true;
            emit_placeholder();
            prev = Prev::kOperand;
            break;
          }
          lexer.set_pos(saved);
        }
        prev = (c == ')' || c == ']') ? Prev::kOperand : Prev::kOperator;
        if (!pg && in_list.Step(text, false, out)) continue;
        out += text;
        continue;
      }
      case Kind::kEnd:
        break;
    }
    if (!pg) in_list.Step(text, literal, out);
  }

  if (holes.empty()) return out;
  std::string numbered;
  numbered.reserve(out.size() + holes.size() * 4);
  size_t from = 0;
  int next = std::min(highest, kMaxParamNumber);
  for (size_t hole : holes) {
    numbered.append(out, from, hole - from);
    numbered += '$';
    numbered += std::to_string(++next);
    from = hole;
  }
  numbered.append(out, from, std::string::npos);
  return numbered;
}

int HighestParamNumber(std::string_view sql) {
  // Most statements have no '$' at all; memchr is far cheaper than lexing.
  if (sql.find('$') == std::string_view::npos) return 0;
  Lexer lexer(sql, Dialect::kPostgres);
  int highest = 0;
  for (Token t = lexer.Next(); t.kind != Kind::kEnd; t = lexer.Next()) {
    if (t.kind == Kind::kParam) {
      highest = std::max(highest, ParamValue(sql.substr(t.begin + 1, t.end - t.begin - 1)));
    }
  }
  return highest;
}

std::string RenumberParams(std::string_view normalized, int highest_existing) {
  Lexer lexer(normalized, Dialect::kPostgres);
  std::string out;
  out.reserve(normalized.size() + 8);
  // new_number[old - highest_existing - 1], assigned in order of first
  // appearance (0 = not seen yet). libpg_query numbers its K constants
  // highest_existing+1..+K, and K < text size, which bounds the vector; a
  // number beyond that cannot be one of them and is kept as written.
  std::vector<int> new_number;
  int next = highest_existing;
  auto append_param = [&](std::string_view digits) {
    const int old_number = ParamValue(digits);
    out += '$';
    const size_t index = static_cast<size_t>(old_number) - highest_existing - 1;
    if (old_number <= highest_existing || index >= normalized.size()) {
      out += digits;
      return;
    }
    if (index >= new_number.size()) new_number.resize(index + 1, 0);
    if (new_number[index] == 0) new_number[index] = ++next;
    out += std::to_string(new_number[index]);
  };
  for (Token t = lexer.Next(); t.kind != Kind::kEnd; t = lexer.Next()) {
    std::string_view text = normalized.substr(t.begin, t.end - t.begin);
    if (t.kind == Kind::kParam) {
      append_param(text.substr(1));
    } else if (t.kind == Kind::kIdent && text.size() > 2 && Lower(text[0]) == 'n' &&
               text[1] == '$' &&
               std::all_of(text.begin() + 2, text.end(), [](char c) { return IsDigit(c); })) {
      // libpg_query turns N'x' into "N$3" (the constant starts at the quote),
      // which then lexes as one identifier.
      out += text[0];
      append_param(text.substr(2));
    } else {
      out += text;
    }
  }
  return out;
}

}  // namespace dbinsight::sql
