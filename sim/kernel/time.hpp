// Virtual time: 64-bit integer nanoseconds behind two strong types.
//
// `Time` is a point on the simulation clock (0 = start of the run); `Duration` is a signed
// distance between two points. Arithmetic that mixes them follows the affine rules
// (Time - Time = Duration, Time + Duration = Time, Time + Time does not compile).
//
// Arithmetic saturates instead of overflowing: a result beyond the int64 range is the nearest
// end of it (Time::max(), Duration::max(), ...). A timer armed far beyond every bound thus lands
// at Time::max(), which no run reaches (the scenario runtime stops every run at its virtual-time
// bound, see sim/scenario/limits.hpp), instead of wrapping to a time in the past.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tcpsim::sim {

namespace detail {
inline constexpr std::int64_t kMaxNs = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t kMinNs = std::numeric_limits<std::int64_t>::min();
// a + b, a - b and a * b, clamped to [kMinNs, kMaxNs].
constexpr std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMaxNs : kMinNs;
  return r;
}
constexpr std::int64_t sat_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMaxNs : kMinNs;
  return r;
}
constexpr std::int64_t sat_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? kMinNs : kMaxNs;
  return r;
}
}  // namespace detail

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration ns(std::int64_t v) { return Duration{v}; }
  static constexpr Duration us(std::int64_t v) { return Duration{detail::sat_mul(v, 1'000)}; }
  static constexpr Duration ms(std::int64_t v) { return Duration{detail::sat_mul(v, 1'000'000)}; }
  static constexpr Duration s(std::int64_t v) { return Duration{detail::sat_mul(v, 1'000'000'000)}; }
  static constexpr Duration max() { return Duration{std::numeric_limits<std::int64_t>::max()}; }
  static constexpr Duration zero() { return Duration{0}; }

  constexpr std::int64_t count() const { return ns_; }  // nanoseconds
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration{detail::sat_add(ns_, o.ns_)}; }
  constexpr Duration operator-(Duration o) const { return Duration{detail::sat_sub(ns_, o.ns_)}; }
  constexpr Duration operator-() const { return Duration{detail::sat_sub(0, ns_)}; }
  constexpr Duration operator*(std::int64_t k) const { return Duration{detail::sat_mul(ns_, k)}; }
  constexpr Duration operator/(std::int64_t k) const { return Duration{ns_ / k}; }
  constexpr Duration& operator+=(Duration o) { return *this = *this + o; }
  constexpr Duration& operator-=(Duration o) { return *this = *this - o; }

 private:
  constexpr explicit Duration(std::int64_t v) : ns_(v) {}
  std::int64_t ns_ = 0;
};

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ns(std::int64_t v) { return Time{v}; }
  static constexpr Time zero() { return Time{0}; }
  static constexpr Time max() { return Time{std::numeric_limits<std::int64_t>::max()}; }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }
  constexpr Duration since_start() const { return Duration::ns(ns_); }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return Time{detail::sat_add(ns_, d.count())}; }
  constexpr Time operator-(Duration d) const { return Time{detail::sat_sub(ns_, d.count())}; }
  constexpr Duration operator-(Time o) const { return Duration::ns(detail::sat_sub(ns_, o.ns_)); }
  constexpr Time& operator+=(Duration d) { return *this = *this + d; }

 private:
  constexpr explicit Time(std::int64_t v) : ns_(v) {}
  std::int64_t ns_ = 0;
};

// `now + d`, saturating at Time::max() (what `t + d` does too; kept for the places that say so).
constexpr Time saturating_add(Time t, Duration d) { return t + d; }

namespace literals {
constexpr Duration operator""_ns(unsigned long long v) { return Duration::ns(static_cast<std::int64_t>(v)); }
constexpr Duration operator""_us(unsigned long long v) { return Duration::us(static_cast<std::int64_t>(v)); }
constexpr Duration operator""_ms(unsigned long long v) { return Duration::ms(static_cast<std::int64_t>(v)); }
constexpr Duration operator""_s(unsigned long long v) { return Duration::s(static_cast<std::int64_t>(v)); }
}  // namespace literals

// Thrown by parse_duration(); what() is a complete sentence naming the input and the rule broken.
class DurationError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses "<number><unit>" where number is a non-negative decimal ("10", "1.5", ".5") and unit is
// one of ns, us, ms, s, min, h. The result is exact (no floating point): "1.5s" is 1'500'000'000 ns.
// Rejects a missing or unknown unit, a sign, spaces, precision finer than 1 ns, and values that
// overflow int64 nanoseconds (about 292 years).
Duration parse_duration(std::string_view text);

// Canonical text for a duration: the largest unit that represents it exactly ("1.5s", "250us",
// "2min"); parse_duration(format_duration(d)) == d for every d >= 0.
std::string format_duration(Duration d);

// Seconds with 6 decimals for tables and ladders ("1.500000"); exact, no floating point.
std::string format_seconds(Time t);

}  // namespace tcpsim::sim
