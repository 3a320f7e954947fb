// Terminal text helpers; see text.h.
#include "top/text.h"

#include <cstdint>

namespace dbinsight::top {

namespace {

// One decoded code point and its length in bytes; len 0 marks an invalid byte.
struct CodePoint {
  uint32_t value = 0;
  int len = 0;
};

CodePoint Decode(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  int len = 0;
  uint32_t v = 0;
  if ((c & 0xE0) == 0xC0)
    len = 2, v = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    len = 3, v = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    len = 4, v = c & 0x07;
  else
    return {};
  if (i + len > s.size()) return {};
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return {};
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return {};
  return {v, len};
}

int Width(uint32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0xFE00 && cp <= 0xFE0F)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
      (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// Control characters to spaces, invalid bytes to '?'; with collapse, runs of
// spaces to one and no leading or trailing space.
std::string Clean(std::string_view text, bool collapse) {
  std::string out;
  out.reserve(text.size());
  bool space = true;
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = Decode(text, i);
    if (cp.len == 0) {
      out += '?';
      space = false;
      ++i;
      continue;
    }
    if (cp.value == ' ' || IsControl(cp.value)) {
      if (!space || !collapse) out += ' ';
      space = true;
    } else {
      out.append(text.substr(i, cp.len));
      space = false;
    }
    i += cp.len;
  }
  if (collapse && !out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string Sanitize(std::string_view text) { return Clean(text, true); }

int DisplayWidth(std::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = Decode(text, i);
    width += cp.len == 0 ? 1 : Width(cp.value);
    i += cp.len == 0 ? 1 : cp.len;
  }
  return width;
}

std::string Clip(std::string_view text, int width) {
  if (width <= 0) return "";
  std::string clean = Clean(text, false);
  if (DisplayWidth(clean) <= width) return clean;
  // Keep whole code points up to width - 1 columns, then the cut marker.
  std::string out;
  int used = 0;
  for (size_t i = 0; i < clean.size();) {
    const CodePoint cp = Decode(clean, i);  // valid: Clean replaced bad bytes
    const int w = Width(cp.value);
    if (used + w > width - 1) break;
    out.append(clean, i, cp.len);
    used += w;
    i += cp.len;
  }
  out += '~';
  return out;
}

std::string Fit(std::string_view text, int width, Align align) {
  if (width <= 0) return "";
  std::string clipped = Clip(Sanitize(text), width);
  const std::string pad(width - DisplayWidth(clipped), ' ');
  return align == Align::kLeft ? clipped + pad : pad + clipped;
}

}  // namespace dbinsight::top
