#include "model/instance.h"

#include <cstdint>

namespace dbinsight::model {

std::string DeriveResourceId(const std::string& instance_id) {
  // Two FNV-1a lanes give 128 bits; base-36 digits from them are plenty for 26 chars.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  uint64_t a = 1469598103934665603ULL, b = 1099511628211ULL ^ 0x9e3779b97f4a7c15ULL;
  for (unsigned char c : instance_id) {
    a = (a ^ c) * 1099511628211ULL;
    b = (b ^ c) * 0x100000001b3ULL + 0x7f4a7c15;
  }
  std::string out = "db-";
  for (int i = 0; i < 26; ++i) {
    uint64_t& lane = (i % 2) ? b : a;
    out += kAlphabet[lane % 36];
    lane = lane / 36 ^ (lane << 29) ^ 0x5851f42d4c957f2dULL;
  }
  return out;
}

}  // namespace dbinsight::model
