#include "metrics/expression.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "common/check.h"

namespace dbinsight::metrics {

namespace {

constexpr std::string_view kAggregates[] = {"SUM", "AVG", "MIN", "MAX"};
constexpr std::string_view kBand = "ANOMALY_DETECTION_BAND";

bool IsAggregate(std::string_view f) {
  for (std::string_view a : kAggregates)
    if (f == a) return true;
  return false;
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdChar(char c) { return IsLower(c) || IsUpper(c) || IsDigit(c) || c == '_'; }

// Recursive descent over:
//   sum     := product (("+" | "-") product)*
//   product := unary (("*" | "/") unary)*
//   unary   := "-" unary | primary
//   primary := number | id | FUNCTION "(" [sum ("," sum)*] ")" | "(" sum ")" | "[" sum ("," sum)* "]"
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Expr> Parse() {
    Result<Expr> e = Sum();
    if (!e.ok()) return e;
    Skip();
    if (pos_ != text_.size()) return Error("unexpected '" + std::string(1, text_[pos_]) + "'");
    return e;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument(fmt::format("syntax error at character {}: {}", pos_ + 1, what));
  }
  void Skip() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
  }
  bool Take(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<Expr> Binary(Result<Expr> (Parser::*operand)(), std::string_view ops) {
    Result<Expr> left = (this->*operand)();
    if (!left.ok()) return left;
    while (true) {
      Skip();
      if (pos_ >= text_.size() || ops.find(text_[pos_]) == std::string_view::npos) return left;
      Expr e{Expr::Kind::kBinary, 0, std::string(1, text_[pos_]), {}, pos_};
      ++pos_;
      Result<Expr> right = (this->*operand)();
      if (!right.ok()) return right;
      e.args.push_back(std::move(left).value());
      e.args.push_back(std::move(right).value());
      left = std::move(e);
    }
  }
  Result<Expr> Sum() { return Binary(&Parser::Product, "+-"); }
  Result<Expr> Product() { return Binary(&Parser::Unary, "*/"); }

  Result<Expr> Unary() {
    Skip();
    const size_t at = pos_;
    if (!Take('-')) return Primary();
    Result<Expr> operand = Unary();
    if (!operand.ok()) return operand;
    Expr e{Expr::Kind::kNegate, 0, "", {}, at};
    e.args.push_back(std::move(operand).value());
    return e;
  }

  // Comma-separated expressions up to `close`.
  Result<std::vector<Expr>> List(char close, bool allow_empty) {
    std::vector<Expr> items;
    if (allow_empty && Take(close)) return items;
    do {
      Result<Expr> item = Sum();
      if (!item.ok()) return item.status();
      items.push_back(std::move(item).value());
    } while (Take(','));
    if (!Take(close)) return Error(fmt::format("expected '{}' or ','", close));
    return items;
  }

  Result<Expr> Primary() {
    Skip();
    if (pos_ >= text_.size()) return Error("expression ends too early");
    const size_t at = pos_;
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      Result<Expr> inner = Sum();
      if (!inner.ok()) return inner;
      if (!Take(')')) return Error("expected ')'");
      return inner;
    }
    if (c == '[') {
      ++pos_;
      auto items = List(']', false);
      if (!items.ok()) return items.status();
      return Expr{Expr::Kind::kArray, 0, "", std::move(items).value(), at};
    }
    if (IsDigit(c) || c == '.') {
      double v = 0;
      auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), v);
      if (ec != std::errc() || !std::isfinite(v)) return Error("malformed number");
      pos_ = static_cast<size_t>(end - text_.data());
      return Expr{Expr::Kind::kNumber, v, "", {}, at};
    }
    if (IsLower(c) || IsUpper(c)) {
      while (pos_ < text_.size() && IsIdChar(text_[pos_])) ++pos_;
      std::string name(text_.substr(at, pos_ - at));
      if (IsLower(c)) return Expr{Expr::Kind::kId, 0, std::move(name), {}, at};
      if (!Take('(')) return Error(fmt::format("expected '(' after function {}", name));
      auto args = List(')', true);
      if (!args.ok()) return args.status();
      return Expr{Expr::Kind::kCall, 0, std::move(name), std::move(args).value(), at};
    }
    return Error("unexpected '" + std::string(1, c) + "'");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::string_view KindName(ValueKind k) {
  switch (k) {
    case ValueKind::kScalar:
      return "a number";
    case ValueKind::kSeries:
      return "a time series";
    case ValueKind::kArray:
      return "an array of time series";
    case ValueKind::kBand:
      return "an anomaly detection band";
  }
  return "";
}

Status KindError(const Expr& at, const std::string& what) {
  return Status::InvalidArgument(fmt::format("at character {}: {}", at.position + 1, what));
}

// a op b; non-finite results (x/0, overflow) are no value.
double Apply(char op, double a, double b) {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
  }
  DBI_CHECK(false);
  return 0;
}

Series Map(const Series& s, const std::function<double(double)>& f) {
  Series out;
  for (const auto& [t, v] : s)
    if (double r = f(v); std::isfinite(r)) out.emplace(t, r);
  return out;
}

// One value per timestamp of any of the series: sum, mean, min or max of the
// series that have one there.
Series Across(std::string_view f, std::span<const Series> all) {
  std::map<int64_t, std::pair<double, int>> acc;  // timestamp -> (running value, how many)
  for (const Series& s : all) {
    for (const auto& [t, v] : s) {
      auto [it, fresh] = acc.try_emplace(t, v, 1);
      if (fresh) continue;
      auto& [x, n] = it->second;
      x = f == "MIN" ? std::min(x, v) : f == "MAX" ? std::max(x, v) : x + v;
      ++n;
    }
  }
  Series out;
  for (const auto& [t, xn] : acc) out.emplace(t, f == "AVG" ? xn.first / xn.second : xn.first);
  return out;
}

double Over(std::string_view f, const Series& s) {
  if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
  double x = f == "MIN"   ? std::numeric_limits<double>::infinity()
             : f == "MAX" ? -std::numeric_limits<double>::infinity()
                          : 0;
  for (const auto& [t, v] : s) x = f == "MIN" ? std::min(x, v) : f == "MAX" ? std::max(x, v) : x + v;
  return f == "AVG" ? x / static_cast<double>(s.size()) : x;
}

}  // namespace

Result<Expr> ParseExpression(std::string_view text) { return Parser(text).Parse(); }

Result<ValueKind> Check(const Expr& e, const std::function<std::optional<ValueKind>(std::string_view id)>& kind_of) {
  std::vector<ValueKind> args;
  for (const Expr& a : e.args) {
    Result<ValueKind> k = Check(a, kind_of);
    if (!k.ok()) return k;
    args.push_back(k.value());
  }
  const bool band = e.kind == Expr::Kind::kCall && e.text == kBand;
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == ValueKind::kBand && !band)
      return KindError(e.args[i], "an ANOMALY_DETECTION_BAND cannot be an operand: use it as a whole expression");
  switch (e.kind) {
    case Expr::Kind::kNumber:
      return ValueKind::kScalar;
    case Expr::Kind::kId: {
      std::optional<ValueKind> k = kind_of(e.text);
      if (!k) return KindError(e, fmt::format("no query has the id {}", e.text));
      if (*k == ValueKind::kBand)
        return KindError(
            e, fmt::format("{} is an ANOMALY_DETECTION_BAND, which cannot be used in another expression", e.text));
      return *k;
    }
    case Expr::Kind::kNegate:
      return args[0];
    case Expr::Kind::kBinary: {
      const ValueKind a = args[0], b = args[1];
      if (a == ValueKind::kArray && b == ValueKind::kArray)
        return KindError(e, fmt::format("'{}' cannot combine two arrays of time series", e.text));
      if ((a == ValueKind::kArray && b == ValueKind::kSeries) || (a == ValueKind::kSeries && b == ValueKind::kArray))
        return KindError(e, fmt::format("'{}' cannot combine an array with a time series", e.text));
      if (a == ValueKind::kArray || b == ValueKind::kArray) return ValueKind::kArray;
      if (a == ValueKind::kSeries || b == ValueKind::kSeries) return ValueKind::kSeries;
      return ValueKind::kScalar;
    }
    case Expr::Kind::kArray:
      for (size_t i = 0; i < args.size(); ++i)
        if (args[i] != ValueKind::kSeries)
          return KindError(e.args[i], fmt::format("an array holds time series, not {}", KindName(args[i])));
      return ValueKind::kArray;
    case Expr::Kind::kCall:
      break;
  }
  if (band) {
    if (args.empty() || args.size() > 2)
      return KindError(e,
                       "ANOMALY_DETECTION_BAND takes a metric id and optionally the band width in standard "
                       "deviations, e.g. ANOMALY_DETECTION_BAND(m1, 2)");
    if (e.args[0].kind != Expr::Kind::kId || args[0] != ValueKind::kSeries)
      return KindError(e.args[0], "the first argument of ANOMALY_DETECTION_BAND must be the id of a metric");
    if (e.args.size() == 2 && (e.args[1].kind != Expr::Kind::kNumber || !(e.args[1].number > 0)))
      return KindError(e.args[1],
                       "the second argument of ANOMALY_DETECTION_BAND must be a positive number (standard deviations)");
    return ValueKind::kBand;
  }
  if (e.text == "METRICS") {
    if (!args.empty()) return KindError(e, "METRICS() takes no arguments here");
    return ValueKind::kArray;
  }
  const bool aggregate = IsAggregate(e.text);
  if (!aggregate && e.text != "ABS")
    return KindError(e, fmt::format("unknown function {} (supported: SUM, AVG, MIN, MAX, ABS, METRICS)", e.text));
  if (args.size() != 1) return KindError(e, fmt::format("{} takes one argument", e.text));
  if (!aggregate) return args[0];
  if (args[0] == ValueKind::kScalar) return KindError(e, fmt::format("{} needs a time series or an array", e.text));
  return args[0] == ValueKind::kArray ? ValueKind::kSeries : ValueKind::kScalar;
}

std::optional<BandCall> AsBandCall(const Expr& e) {
  if (e.kind != Expr::Kind::kCall || e.text != kBand) return std::nullopt;
  BandCall call{e.args[0].text};
  if (e.args.size() == 2) call.k = e.args[1].number;
  return call;
}

Value Evaluate(const Expr& e, const std::function<const Value&(std::string_view id)>& lookup,
               std::span<const Series> metrics) {
  switch (e.kind) {
    case Expr::Kind::kNumber:
      return Value{ValueKind::kScalar, e.number, {}, {}};
    case Expr::Kind::kId:
      return lookup(e.text);
    case Expr::Kind::kNegate: {
      Value v = Evaluate(e.args[0], lookup, metrics);
      v.scalar = -v.scalar;
      v.series = Map(v.series, [](double x) { return -x; });
      for (Series& s : v.array) s = Map(s, [](double x) { return -x; });
      return v;
    }
    case Expr::Kind::kBinary: {
      const Value a = Evaluate(e.args[0], lookup, metrics);
      const Value b = Evaluate(e.args[1], lookup, metrics);
      const char op = e.text[0];
      if (a.kind == ValueKind::kScalar && b.kind == ValueKind::kScalar)
        return Value{ValueKind::kScalar, Apply(op, a.scalar, b.scalar), {}, {}};
      auto with_scalar = [&](const Series& s, double x, bool scalar_left) {
        return Map(s, [&](double v) { return scalar_left ? Apply(op, x, v) : Apply(op, v, x); });
      };
      if (a.kind == ValueKind::kArray || b.kind == ValueKind::kArray) {
        const bool left = a.kind == ValueKind::kScalar;
        Value out{ValueKind::kArray, 0, {}, {}};
        for (const Series& s : left ? b.array : a.array)
          out.array.push_back(with_scalar(s, left ? a.scalar : b.scalar, left));
        return out;
      }
      Value out{ValueKind::kSeries, 0, {}, {}};
      if (a.kind == ValueKind::kScalar) {
        out.series = with_scalar(b.series, a.scalar, true);
      } else if (b.kind == ValueKind::kScalar) {
        out.series = with_scalar(a.series, b.scalar, false);
      } else {
        for (const auto& [t, v] : a.series) {
          auto it = b.series.find(t);
          if (it == b.series.end()) continue;
          if (double r = Apply(op, v, it->second); std::isfinite(r)) out.series.emplace(t, r);
        }
      }
      return out;
    }
    case Expr::Kind::kArray: {
      Value out{ValueKind::kArray, 0, {}, {}};
      for (const Expr& a : e.args) out.array.push_back(Evaluate(a, lookup, metrics).series);
      return out;
    }
    case Expr::Kind::kCall:
      break;
  }
  if (e.text == "METRICS") return Value{ValueKind::kArray, 0, {}, {metrics.begin(), metrics.end()}};
  Value arg = Evaluate(e.args[0], lookup, metrics);
  if (e.text == "ABS") {
    arg.scalar = std::fabs(arg.scalar);
    arg.series = Map(arg.series, [](double x) { return std::fabs(x); });
    for (Series& s : arg.array) s = Map(s, [](double x) { return std::fabs(x); });
    return arg;
  }
  if (arg.kind == ValueKind::kArray) return Value{ValueKind::kSeries, 0, Across(e.text, arg.array), {}};
  return Value{ValueKind::kScalar, Over(e.text, arg.series), {}, {}};
}

}  // namespace dbinsight::metrics
