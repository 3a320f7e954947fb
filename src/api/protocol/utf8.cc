#include "api/protocol/utf8.h"

namespace dbinsight::api::protocol {

namespace {
bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length a lead byte announces; 1 for ASCII and for bytes that cannot lead.
size_t SequenceLength(unsigned char c) {
  if (c >= 0xF0 && c <= 0xF4) return 4;
  if (c >= 0xE0) return c <= 0xEF ? 3 : 1;
  if (c >= 0xC2) return 2;
  return 1;
}
}  // namespace

std::string_view TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  // Walk back from the cut to the lead byte of the sequence the cut falls in;
  // keep that sequence only if it ends at or before the cut.
  size_t cut = max_bytes;
  size_t lead = cut;
  size_t back = 0;
  while (lead > 0 && back < 3 && IsContinuation(static_cast<unsigned char>(text[lead]))) {
    --lead;
    ++back;
  }
  if (lead == cut) return text.substr(0, cut);  // the cut is at a sequence start
  size_t len = SequenceLength(static_cast<unsigned char>(text[lead]));
  if (len == 1) return text.substr(0, cut);  // stray continuation bytes: cut anywhere
  return text.substr(0, lead + len <= cut ? lead + len : lead);
}

std::string EchoValue(std::string_view text) {
  constexpr size_t kMax = 100;
  if (text.size() <= kMax) return std::string(text);
  return std::string(TruncateUtf8(text, kMax)) + "...";
}

}  // namespace dbinsight::api::protocol
