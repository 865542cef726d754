#include "sim/kernel/printable.hpp"

#include <cstdint>

namespace tcpsim::sim {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

void append_code_point(std::string& out, std::uint32_t cp) {
  out += "\\u{";
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[cp & 0xF]);
    cp >>= 4;
  } while (cp != 0);
  out += digits;
  out += '}';
}

// The escape for an ASCII control character (or DEL), given the options; empty = keep it.
const char* c0_escape(unsigned char c, PrintableOptions o) {
  switch (c) {
    case '\n': return o.keep_newlines ? "" : "\\n";
    case '\t': return o.keep_tabs ? "" : "\\t";
    case '\r': return "\\r";
    case 0x1B: return "\\e";
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\v': return "\\v";
    default: return nullptr;  // \xNN
  }
}

std::uint32_t decode(std::string_view s, std::size_t len) {
  const auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])); };
  switch (len) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

bool must_escape_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F)         // C1 controls (0x9B is CSI on many terminals)
         || (cp >= 0x202A && cp <= 0x202E)  // bidi embeddings and overrides
         || (cp >= 0x2066 && cp <= 0x2069);  // bidi isolates
}

// Walks `text`, calling keep(pos, len) for runs to copy and escape(...) for the rest; stops
// early when a callback returns false.
template <class Keep, class Escape>
void scan(std::string_view text, PrintableOptions o, Keep keep, Escape escape) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 || c == 0x7F) && !(c == '\n' && o.keep_newlines) && !(c == '\t' && o.keep_tabs)) {
        if (!escape(i, 1, std::uint32_t{c}, true)) return;
      } else if (!keep(i, 1)) {
        return;
      }
      ++i;
      continue;
    }
    const std::size_t len = utf8_char_length(text.substr(i));
    if (len == 0) {
      if (!escape(i, 1, std::uint32_t{c}, false)) return;
      ++i;
      continue;
    }
    const std::uint32_t cp = decode(text.substr(i), len);
    if (must_escape_code_point(cp)) {
      if (!escape(i, len, cp, true)) return;
    } else if (!keep(i, len)) {
      return;
    }
    i += len;
  }
}

}  // namespace

std::size_t utf8_char_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) len = 3;
  else if (b0 >= 0xF0 && b0 <= 0xF4) len = 4;
  else return 0;  // a continuation byte, an overlong lead (C0, C1) or past U+10FFFF (F5-FF)
  if (s.size() < len) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) return 0;
  const auto b1 = static_cast<unsigned char>(s[1]);
  if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong 3-byte form
  if (b0 == 0xED && b1 > 0x9F) return 0;  // UTF-16 surrogates
  if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong 4-byte form
  if (b0 == 0xF4 && b1 > 0x8F) return 0;  // past U+10FFFF
  return len;
}

std::string printable(std::string_view text, PrintableOptions options) {
  std::string out;
  out.reserve(text.size());
  scan(
      text, options,
      [&](std::size_t pos, std::size_t len) {
        out.append(text.substr(pos, len));
        return true;
      },
      [&](std::size_t, std::size_t, std::uint32_t cp, bool valid) {
        if (!valid) {
          append_hex_byte(out, static_cast<unsigned char>(cp));
        } else if (cp < 0x80) {
          const char* e = c0_escape(static_cast<unsigned char>(cp), options);
          if (e != nullptr) out += e;
          else append_hex_byte(out, static_cast<unsigned char>(cp));
        } else {
          append_code_point(out, cp);
        }
        return true;
      });
  return out;
}

bool is_printable(std::string_view text, PrintableOptions options) {
  bool clean = true;
  scan(
      text, options, [](std::size_t, std::size_t) { return true; },
      [&](std::size_t, std::size_t, std::uint32_t, bool) {
        clean = false;
        return false;
      });
  return clean;
}

}  // namespace tcpsim::sim
