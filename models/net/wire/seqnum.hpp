// 32-bit TCP sequence numbers with modular (RFC 1982 style) comparison.
//
// RFC 9293 §3.4: "It is essential to remember that the actual sequence number space is finite,
// though very large. This space ranges from 0 to 2**32 - 1. Since the space is finite, all
// arithmetic dealing with sequence numbers must be performed modulo 2**32."
// a < b means b is ahead of a by less than 2^31. The order is not total (a and a + 2^31 are
// incomparable: both a < b and b < a are false), so there is deliberately no operator<=>.
#pragma once

#include <cstdint>
#include <string>

namespace tcpsim::net {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(std::uint32_t v) : v_(v) {}
  constexpr std::uint32_t raw() const { return v_; }

  constexpr SeqNum operator+(std::uint32_t n) const { return SeqNum(v_ + n); }
  constexpr SeqNum operator-(std::uint32_t n) const { return SeqNum(v_ - n); }
  constexpr SeqNum& operator+=(std::uint32_t n) { v_ += n; return *this; }
  // Signed distance from o to *this, in (-2^31, 2^31].
  constexpr std::int32_t operator-(SeqNum o) const { return static_cast<std::int32_t>(v_ - o.v_); }

  constexpr bool operator==(const SeqNum&) const = default;
  friend constexpr bool operator<(SeqNum a, SeqNum b) { return static_cast<std::int32_t>(a.v_ - b.v_) < 0; }
  friend constexpr bool operator>(SeqNum a, SeqNum b) { return b < a; }
  friend constexpr bool operator<=(SeqNum a, SeqNum b) { return a == b || a < b; }
  friend constexpr bool operator>=(SeqNum a, SeqNum b) { return a == b || b < a; }

  std::string to_string() const { return std::to_string(v_); }

 private:
  std::uint32_t v_ = 0;
};

// lo <= x < hi in sequence space (the window test of RFC 9293 §3.4).
constexpr bool seq_in_window(SeqNum x, SeqNum lo, SeqNum hi) { return lo <= x && x < hi; }

}  // namespace tcpsim::net
