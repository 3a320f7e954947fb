#include "store/aggregate.h"

#include <algorithm>
#include <unordered_map>

#include "store/codec.h"

namespace dbinsight::store {

namespace {

struct Acc {
  double sum = 0, min = 0, max = 0;
  uint32_t present = 0;  // sampled seconds (or periods' seconds) in which the key had load
};

// Turns accumulators into sorted KeyStats; a key absent in some sampled
// second has min 0.
std::vector<KeyStat> Finish(const std::unordered_map<uint32_t, Acc>& accs, uint32_t observations) {
  std::vector<KeyStat> out;
  out.reserve(accs.size());
  for (const auto& [key, a] : accs)
    out.push_back({key, a.sum, a.present < observations ? 0.0 : a.min, a.max});
  std::sort(out.begin(), out.end(), [](const KeyStat& x, const KeyStat& y) { return x.key < y.key; });
  return out;
}

std::vector<ComboSum> SortedCombos(const std::unordered_map<uint32_t, double>& combos) {
  std::vector<ComboSum> out;
  out.reserve(combos.size());
  for (const auto& [c, sum] : combos) out.push_back({c, sum});
  std::sort(out.begin(), out.end(), [](const ComboSum& x, const ComboSum& y) { return x.combo < y.combo; });
  return out;
}

void Observe(Acc& a, double v) {
  a.min = a.present == 0 ? v : std::min(a.min, v);
  a.max = std::max(a.max, v);
  a.sum += v;
  ++a.present;
}

}  // namespace

void SeriesStats::Observe(double v, bool first) {
  sum += v;
  min = first ? v : std::min(min, v);
  max = std::max(max, v);
}

void SeriesStats::Merge(const SeriesStats& part, bool first) {
  sum += part.sum;
  min = first ? part.min : std::min(min, part.min);
  max = std::max(max, part.max);
}

PeriodAgg AggregateSeconds(int64_t start, std::span<const Second> seconds,
                           std::span<const ComboKeys> combo_keys) {
  PeriodAgg agg;
  agg.start = start;
  std::array<std::unordered_map<uint32_t, Acc>, model::kGroupCount> accs;
  std::unordered_map<uint32_t, double> combos;
  std::array<std::unordered_map<uint32_t, double>, model::kGroupCount> this_second;
  bool first = true;
  for (const Second& s : seconds) {
    if (s.samples == 0) continue;
    ++agg.seconds;
    double total = 0;
    for (auto& m : this_second) m.clear();
    for (const ComboHits& r : s.rows) {
      double load = static_cast<double>(r.hits) / s.samples;
      total += load;
      combos[r.combo] += load;
      const ComboKeys& keys = combo_keys[r.combo];
      for (int g = 0; g < model::kGroupCount; ++g) this_second[g][keys[g]] += load;
    }
    for (int g = 0; g < model::kGroupCount; ++g)
      for (const auto& [key, load] : this_second[g]) Observe(accs[g][key], load);
    agg.load.Observe(total, first);
    agg.idle_in_transaction.Observe(static_cast<double>(s.idle_in_transaction) / s.samples, first);
    first = false;
  }
  for (int g = 0; g < model::kGroupCount; ++g) agg.groups[g] = Finish(accs[g], agg.seconds);
  agg.combos = SortedCombos(combos);
  return agg;
}

PeriodAgg MergePeriods(int64_t start, std::span<const PeriodAgg> parts) {
  PeriodAgg agg;
  agg.start = start;
  // Here Acc::present counts parts; a key missing from a sampled part had
  // load 0 throughout it, so its merged min is 0.
  std::array<std::unordered_map<uint32_t, Acc>, model::kGroupCount> accs;
  std::unordered_map<uint32_t, double> combos;
  uint32_t sampled_parts = 0;
  for (const PeriodAgg& p : parts) {
    if (p.seconds == 0) continue;
    agg.seconds += p.seconds;
    agg.load.Merge(p.load, sampled_parts == 0);
    agg.idle_in_transaction.Merge(p.idle_in_transaction, sampled_parts == 0);
    ++sampled_parts;
    for (int g = 0; g < model::kGroupCount; ++g) {
      for (const KeyStat& k : p.groups[g]) {
        Acc& a = accs[g][k.key];
        a.min = a.present == 0 ? k.min : std::min(a.min, k.min);
        a.max = std::max(a.max, k.max);
        a.sum += k.sum;
        ++a.present;
      }
    }
    for (const ComboSum& c : p.combos) combos[c.combo] += c.sum;
  }
  for (int g = 0; g < model::kGroupCount; ++g) agg.groups[g] = Finish(accs[g], sampled_parts);
  agg.combos = SortedCombos(combos);
  return agg;
}

std::string EncodeSeconds(std::span<const Second> seconds) {
  std::string out;
  codec::PutVarint(out, seconds.size());
  int64_t prev_ts = seconds.empty() ? 0 : seconds.front().ts;
  codec::PutVarint(out, static_cast<uint64_t>(prev_ts));
  for (const Second& s : seconds) {
    codec::PutVarint(out, static_cast<uint64_t>(s.ts - prev_ts));
    prev_ts = s.ts;
    codec::PutVarint(out, s.samples);
    codec::PutVarint(out, s.idle_in_transaction);
    codec::PutVarint(out, s.rows.size());
    uint32_t prev = 0;
    for (const ComboHits& r : s.rows) {
      codec::PutVarint(out, r.combo - prev);
      prev = r.combo;
      codec::PutVarint(out, r.hits);
    }
  }
  return out;
}

Result<std::vector<Second>> DecodeSeconds(std::string_view raw) {
  codec::Reader in(raw);
  uint64_t n = in.Varint();
  int64_t ts = static_cast<int64_t>(in.Varint());
  std::vector<Second> out;
  if (n > raw.size()) return Status::DataLoss("corrupt seconds block (count)");
  out.resize(n);
  for (Second& s : out) {
    ts += static_cast<int64_t>(in.Varint());
    s.ts = ts;
    s.samples = static_cast<uint32_t>(in.Varint());
    s.idle_in_transaction = static_cast<uint32_t>(in.Varint());
    uint64_t rows = in.Varint();
    if (in.failed() || rows > raw.size()) return Status::DataLoss("corrupt seconds block (rows)");
    s.rows.resize(rows);
    uint32_t combo = 0;
    for (ComboHits& r : s.rows) {
      combo += static_cast<uint32_t>(in.Varint());
      r.combo = combo;
      r.hits = static_cast<uint32_t>(in.Varint());
    }
  }
  if (in.failed()) return Status::DataLoss("corrupt seconds block");
  return out;
}

EncodedPeriod EncodePeriod(const PeriodAgg& agg) {
  EncodedPeriod enc;
  std::string& out = enc.groups;
  codec::PutVarint(out, agg.seconds);
  for (const SeriesStats* st : {&agg.load, &agg.idle_in_transaction}) {
    codec::PutLoad(out, st->sum);
    codec::PutLoad(out, st->min);
    codec::PutLoad(out, st->max);
  }
  std::string section;
  for (const auto& keys : agg.groups) {
    section.clear();
    codec::PutVarint(section, keys.size());
    uint32_t prev = 0;
    for (const KeyStat& k : keys) {
      codec::PutVarint(section, k.key - prev);
      prev = k.key;
      codec::PutLoad(section, k.sum);
      codec::PutLoad(section, k.min);
      codec::PutLoad(section, k.max);
    }
    codec::PutBytes(out, section);
  }
  codec::PutVarint(enc.combos, agg.combos.size());
  uint32_t prev = 0;
  for (const ComboSum& c : agg.combos) {
    codec::PutVarint(enc.combos, c.combo - prev);
    prev = c.combo;
    codec::PutLoad(enc.combos, c.sum);
  }
  return enc;
}

Result<PeriodAgg> DecodePeriod(std::string_view raw, std::string_view combos_raw, int64_t start,
                               std::optional<model::Group> only) {
  codec::Reader in(raw);
  PeriodAgg agg;
  agg.start = start;
  agg.seconds = static_cast<uint32_t>(in.Varint());
  for (SeriesStats* st : {&agg.load, &agg.idle_in_transaction}) {
    st->sum = in.Load();
    st->min = in.Load();
    st->max = in.Load();
  }
  for (int g = 0; g < model::kGroupCount; ++g) {
    std::string_view section = in.Bytes();
    if (only && static_cast<int>(*only) != g) continue;
    codec::Reader sin(section);
    auto& keys = agg.groups[g];
    uint64_t n = sin.Varint();
    if (sin.failed() || n > section.size()) return Status::DataLoss("corrupt period block (keys)");
    keys.resize(n);
    uint32_t key = 0;
    for (KeyStat& k : keys) {
      key += static_cast<uint32_t>(sin.Varint());
      k.key = key;
      k.sum = sin.Load();
      k.min = sin.Load();
      k.max = sin.Load();
    }
    if (sin.failed()) return Status::DataLoss("corrupt period block (keys)");
  }
  if (in.failed()) return Status::DataLoss("corrupt period block");
  if (combos_raw.empty()) return agg;
  codec::Reader cin(combos_raw);
  uint64_t n = cin.Varint();
  if (cin.failed() || n > combos_raw.size()) return Status::DataLoss("corrupt period block (combos)");
  agg.combos.resize(n);
  uint32_t combo = 0;
  for (ComboSum& c : agg.combos) {
    combo += static_cast<uint32_t>(cin.Varint());
    c.combo = combo;
    c.sum = cin.Load();
  }
  if (cin.failed()) return Status::DataLoss("corrupt period block (combos)");
  return agg;
}

}  // namespace dbinsight::store
