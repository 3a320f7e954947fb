// Byte-level encoding used by the store's blocks (docs/store-format.md):
// LEB128 varints, fixed-point load values, and zstd frames. Pure functions and
// a cursor type; no I/O. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dbinsight::store::codec {

// Load values (session counts, sums of per-second load) are stored as
// integers of micro-sessions: exact for integer counts, 1e-6 otherwise.
inline constexpr double kLoadScale = 1e6;

void PutVarint(std::string& out, uint64_t v);
void PutLoad(std::string& out, double v);  // REQUIRES: v >= 0
void PutBytes(std::string& out, std::string_view bytes);  // varint length + bytes

// Reads what the Put* functions wrote. Any overrun or malformed varint sets
// failed(); later reads return 0 / empty.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  uint64_t Varint();
  double Load() { return static_cast<double>(Varint()) / kLoadScale; }
  std::string_view Bytes();
  void Skip(uint64_t n);
  bool failed() const { return failed_; }
  bool done() const { return pos_ >= data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

Result<std::string> Compress(std::string_view raw, int level);
Result<std::string> Decompress(std::string_view frame);

}  // namespace dbinsight::store::codec
