#include "store/metric_block.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "store/codec.h"

namespace dbinsight::store {

namespace {

// Values are stored as decimals (an integer and a power-of-ten scale) when
// that reproduces the double exactly, as raw bits otherwise. Gauges (sessions,
// bytes, percents with two decimals) and idle counters are decimals of a few
// bytes; a rate divided by a measured interval has a full mantissa and stays
// raw. Scales above 9 rarely fit and only lengthen the varints.
constexpr int kMaxScale = 9;
constexpr uint64_t kRawMode = 15;  // > kMaxScale; persisted, never change
constexpr std::array<double, kMaxScale + 1> kPow10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

// The integer that represents v at scale k, if decoding it gives v back bit
// for bit (up to the sign of zero). The decoder computes the same expression.
std::optional<int64_t> Scaled(double v, int k) {
  double s = v * kPow10[k];
  if (!(std::fabs(s) < kMaxExactInt)) return std::nullopt;
  auto r = static_cast<int64_t>(std::llround(s));
  if (static_cast<double>(r) / kPow10[k] != v) return std::nullopt;
  return r;
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Sequence: varint mode; decimal mode k: per value, zigzag varint of the
// scaled integer minus the previous one; raw mode: the bits of each value
// XOR the previous value's bits, as 8 byte planes, most significant first
// (length-prefixed). Neighbouring values share sign, exponent and high
// mantissa bits, so the high planes are runs of zeros that zstd removes.
void PutValues(std::string& out, std::span<const double> values) {
  int k = 0;
  bool decimal = true;
  for (double v : values) {
    while (k <= kMaxScale && !Scaled(v, k)) ++k;
    if (k > kMaxScale) {
      decimal = false;
      break;
    }
  }
  std::vector<int64_t> ints;
  if (decimal) {
    ints.reserve(values.size());
    for (double v : values) {
      auto r = Scaled(v, k);  // fitting at a smaller scale need not imply fitting at k
      if (!r) {
        decimal = false;
        break;
      }
      ints.push_back(*r);
    }
  }
  if (decimal) {
    codec::PutVarint(out, static_cast<uint64_t>(k));
    int64_t prev = 0;
    for (int64_t r : ints) {
      codec::PutVarint(out, ZigZag(r - prev));
      prev = r;
    }
    return;
  }
  codec::PutVarint(out, kRawMode);
  std::string planes(values.size() * 8, '\0');
  uint64_t prev = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t bits = std::bit_cast<uint64_t>(values[i]);
    uint64_t x = bits ^ prev;
    prev = bits;
    for (size_t p = 0; p < 8; ++p) planes[p * values.size() + i] = static_cast<char>(x >> (56 - 8 * p));
  }
  codec::PutBytes(out, planes);
}

// Reads n values written by PutValues; false on malformed input.
bool GetValues(codec::Reader& in, size_t n, std::vector<double>& out) {
  uint64_t mode = in.Varint();
  out.clear();
  out.reserve(n);
  if (mode <= kMaxScale) {
    int64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      prev += UnZigZag(in.Varint());
      out.push_back(static_cast<double>(prev) / kPow10[mode]);
    }
    return !in.failed();
  }
  if (mode != kRawMode) return false;
  std::string_view planes = in.Bytes();
  if (in.failed() || planes.size() != n * 8) return false;
  uint64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = 0;
    for (size_t p = 0; p < 8; ++p) x = (x << 8) | static_cast<uint8_t>(planes[p * n + i]);
    prev ^= x;
    out.push_back(std::bit_cast<double>(prev));
  }
  return true;
}

// One value on its own: varint (zigzag(scaled) << 4 | k), or kRawMode then
// the 8 bytes little-endian (length-prefixed).
void PutNumber(std::string& out, double v) {
  for (int k = 0; k <= kMaxScale; ++k) {
    if (auto r = Scaled(v, k)) {
      codec::PutVarint(out, ZigZag(*r) << 4 | static_cast<uint64_t>(k));
      return;
    }
  }
  codec::PutVarint(out, kRawMode);
  uint64_t bits = std::bit_cast<uint64_t>(v);
  std::string raw(8, '\0');
  for (size_t i = 0; i < 8; ++i) raw[i] = static_cast<char>(bits >> (8 * i));
  codec::PutBytes(out, raw);
}

double GetNumber(codec::Reader& in) {
  uint64_t h = in.Varint();
  uint64_t k = h & 15;
  if (k <= kMaxScale) return static_cast<double>(UnZigZag(h >> 4)) / kPow10[k];
  std::string_view raw = in.Bytes();
  if (k != kRawMode || raw.size() != 8) {
    in.Skip(~uint64_t{0});  // marks the reader failed
    return 0;
  }
  uint64_t bits = 0;
  for (size_t i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(raw[i])) << (8 * i);
  return std::bit_cast<double>(bits);
}

// Walks "varint n, then per entry varint id-delta and a length-prefixed
// section", handing each wanted section to fn. Entries are sorted by id, so
// the walk stops past `only`.
template <typename Fn>
bool ForEachSection(std::string_view raw, std::optional<uint32_t> only, Fn&& fn) {
  codec::Reader in(raw);
  uint64_t n = in.Varint();
  uint64_t id = 0;
  for (uint64_t i = 0; i < n && !in.failed(); ++i) {
    id += in.Varint();
    std::string_view section = in.Bytes();
    if (in.failed() || id > UINT32_MAX) return false;
    if (only && id > *only) return true;
    if (only && id != *only) continue;
    codec::Reader sec(section);
    if (!fn(static_cast<uint32_t>(id), sec) || sec.failed()) return false;
  }
  return !in.failed();
}

void PutSection(std::string& out, uint32_t id, uint32_t& prev_id, const std::string& section) {
  codec::PutVarint(out, id - prev_id);
  prev_id = id;
  codec::PutBytes(out, section);
}

}  // namespace

void MetricPeriod::Add(double v) {
  min = count == 0 ? v : std::min(min, v);
  max = count == 0 ? v : std::max(max, v);
  sum += v;
  ++count;
}

void MetricPeriod::Merge(const MetricPeriod& part) {
  if (part.count == 0) return;
  min = count == 0 ? part.min : std::min(min, part.min);
  max = count == 0 ? part.max : std::max(max, part.max);
  sum += part.sum;
  count += part.count;
}

std::string EncodeSecondBlock(int64_t minute, std::span<const SeriesSeconds> series) {
  std::string out, section;
  std::vector<double> values;
  codec::PutVarint(out, series.size());
  uint32_t prev_id = 0;
  for (const SeriesSeconds& s : series) {
    section.clear();
    values.clear();
    codec::PutVarint(section, s.seconds.size());
    int64_t prev = minute - 1;
    for (const MetricPeriod& p : s.seconds) {
      codec::PutVarint(section, static_cast<uint64_t>(p.start - prev - 1));
      prev = p.start;
    }
    for (const MetricPeriod& p : s.seconds) {
      codec::PutVarint(section, static_cast<uint64_t>(p.count - 1));
      values.push_back(p.sum);
      if (p.count > 1) {
        values.push_back(p.min);
        values.push_back(p.max);
      }
    }
    PutValues(section, values);
    PutSection(out, s.metric, prev_id, section);
  }
  return out;
}

Result<std::vector<SeriesSeconds>> DecodeSecondBlock(std::string_view raw, int64_t minute,
                                                     std::optional<uint32_t> only) {
  std::vector<SeriesSeconds> out;
  std::vector<double> values;
  bool ok = ForEachSection(raw, only, [&](uint32_t id, codec::Reader& in) {
    SeriesSeconds s{id, {}};
    uint64_t n = in.Varint();
    if (n > 60) return false;
    s.seconds.resize(n);
    int64_t prev = minute - 1;
    for (MetricPeriod& p : s.seconds) {
      uint64_t skip = in.Varint();
      if (skip >= 60) return false;
      p.start = prev + 1 + static_cast<int64_t>(skip);
      prev = p.start;
    }
    size_t n_values = 0;
    for (MetricPeriod& p : s.seconds) {
      uint64_t c = in.Varint();
      if (c >= (uint64_t{1} << 62)) return false;
      p.count = static_cast<int64_t>(c) + 1;
      n_values += p.count > 1 ? 3 : 1;
    }
    if (in.failed() || prev >= minute + 60 || !GetValues(in, n_values, values)) return false;
    size_t v = 0;
    for (MetricPeriod& p : s.seconds) {
      p.sum = values[v++];
      if (p.count > 1) {
        p.min = values[v++];
        p.max = values[v++];
      } else {
        p.min = p.max = p.sum;
      }
    }
    out.push_back(std::move(s));
    return true;
  });
  if (!ok) return Status::DataLoss("malformed per-second metric block");
  return out;
}

std::string EncodeRollup(std::span<const SeriesStat> series) {
  std::string out, section;
  codec::PutVarint(out, series.size());
  uint32_t prev_id = 0;
  for (const SeriesStat& s : series) {
    section.clear();
    codec::PutVarint(section, static_cast<uint64_t>(s.stat.count));
    const double v[3] = {s.stat.sum, s.stat.min, s.stat.max};
    PutValues(section, v);
    PutSection(out, s.metric, prev_id, section);
  }
  return out;
}

Result<std::vector<SeriesStat>> DecodeRollup(std::string_view raw, int64_t start, std::optional<uint32_t> only) {
  std::vector<SeriesStat> out;
  std::vector<double> values;
  bool ok = ForEachSection(raw, only, [&](uint32_t id, codec::Reader& in) {
    uint64_t count = in.Varint();
    if (count == 0 || count >= (uint64_t{1} << 62) || !GetValues(in, 3, values)) return false;
    out.push_back({id, {start, values[0], values[1], values[2], static_cast<int64_t>(count)}});
    return true;
  });
  if (!ok) return Status::DataLoss("malformed metric rollup");
  return out;
}

void StatementSumsBuilder::Add(uint32_t sql, std::span<const CounterValue> values) {
  auto [slot, fresh] = slots_.emplace(sql, sums_.size());
  if (fresh) sums_.push_back({sql, {}});
  std::vector<CounterValue>& have = sums_[slot->second].values;
  // Usual case: the same counters as before, in the same order.
  const bool same = have.size() == values.size() &&
                    std::equal(have.begin(), have.end(), values.begin(),
                               [](const CounterValue& a, const CounterValue& b) { return a.counter == b.counter; });
  if (same) {
    for (size_t i = 0; i < values.size(); ++i) have[i].value += values[i].value;
    return;
  }
  for (const CounterValue& v : values) {
    auto it = std::lower_bound(have.begin(), have.end(), v.counter,
                               [](const CounterValue& a, uint32_t c) { return a.counter < c; });
    if (it != have.end() && it->counter == v.counter) {
      it->value += v.value;
    } else {
      have.insert(it, v);
    }
  }
}

std::vector<StatementSums> StatementSumsBuilder::Finish() && {
  std::sort(sums_.begin(), sums_.end(), [](const StatementSums& a, const StatementSums& b) { return a.sql < b.sql; });
  slots_.clear();
  return std::move(sums_);
}

std::string EncodeStatementSums(std::span<const StatementSums> statements) {
  std::string out, section;
  codec::PutVarint(out, statements.size());
  uint32_t prev_id = 0;
  for (const StatementSums& s : statements) {
    section.clear();
    codec::PutVarint(section, s.values.size());
    uint32_t prev_counter = 0;
    for (const CounterValue& c : s.values) {
      codec::PutVarint(section, c.counter - prev_counter);
      prev_counter = c.counter;
      PutNumber(section, c.value);
    }
    PutSection(out, s.sql, prev_id, section);
  }
  return out;
}

Status DecodeStatementSums(std::string_view raw, std::optional<uint32_t> only,
                           const std::function<void(uint32_t sql, std::span<const CounterValue> values)>& fn) {
  std::vector<CounterValue> values;
  bool ok = ForEachSection(raw, only, [&](uint32_t id, codec::Reader& in) {
    uint64_t n = in.Varint();
    values.clear();
    uint64_t counter = 0;
    for (uint64_t i = 0; i < n && !in.failed(); ++i) {
      counter += in.Varint();
      double v = GetNumber(in);
      if (in.failed() || counter > UINT32_MAX) return false;
      values.push_back({static_cast<uint32_t>(counter), v});
    }
    fn(id, values);
    return true;
  });
  return ok ? Status::Ok() : Status::DataLoss("malformed statement statistics block");
}

}  // namespace dbinsight::store
