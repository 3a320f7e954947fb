#include "store/codec.h"

#include <zstd.h>

#include <cmath>

namespace dbinsight::store::codec {

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutLoad(std::string& out, double v) {
  PutVarint(out, static_cast<uint64_t>(std::llround(v * kLoadScale)));
}

void PutBytes(std::string& out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out.append(bytes);
}

uint64_t Reader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) break;
    auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  failed_ = true;
  pos_ = data_.size();
  return 0;
}

std::string_view Reader::Bytes() {
  uint64_t n = Varint();
  if (failed_ || n > data_.size() - pos_) {
    failed_ = true;
    pos_ = data_.size();
    return {};
  }
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

void Reader::Skip(uint64_t n) {
  if (n > data_.size() - pos_) {
    failed_ = true;
    pos_ = data_.size();
    return;
  }
  pos_ += n;
}

Result<std::string> Compress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compress: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> Decompress(std::string_view frame) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ULL << 31))
    return Status::DataLoss("corrupt zstd block header");
  std::string out(size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) return Status::DataLoss(std::string("zstd decompress: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace dbinsight::store::codec
