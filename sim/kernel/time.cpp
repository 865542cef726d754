#include "sim/kernel/time.hpp"

#include <array>
#include <cstdio>

namespace tcpsim::sim {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ns;
};
constexpr std::array<Unit, 6> kUnits{{{"h", 3'600'000'000'000},
                                      {"min", 60'000'000'000},
                                      {"s", 1'000'000'000},
                                      {"ms", 1'000'000},
                                      {"us", 1'000},
                                      {"ns", 1}}};

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw DurationError("invalid duration \"" + std::string(text) + "\": " + std::string(why));
}

constexpr std::string_view kExpected =
    "expected a non-negative number followed by a unit (ns, us, ms, s, min, h), e.g. \"10ms\"";

}  // namespace

Duration parse_duration(std::string_view text) {
  if (text.empty()) fail(text, kExpected);
  if (text.front() == '-') fail(text, "durations cannot be negative");
  if (text.front() == '+') fail(text, "no sign is allowed; " + std::string(kExpected));
  std::size_t i = 0;
  std::int64_t whole = 0;
  bool any_digit = false;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    any_digit = true;
    const int digit = text[i] - '0';
    if (whole > (kMax - digit) / 10) fail(text, "too large; the longest representable duration is about 292 years");
    whole = whole * 10 + digit;
  }
  std::string_view frac;
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac = text.substr(start, i - start);
    any_digit = any_digit || !frac.empty();
  }
  if (!any_digit) fail(text, kExpected);
  const std::string_view unit_text = text.substr(i);
  if (unit_text.empty()) fail(text, "missing unit; " + std::string(kExpected));
  const Unit* unit = nullptr;
  for (const auto& u : kUnits)
    if (u.name == unit_text) unit = &u;
  if (unit == nullptr) {
    if (unit_text.front() == ' ') fail(text, "no space is allowed between the number and the unit");
    fail(text, "unknown unit \"" + std::string(unit_text) + "\"; " + std::string(kExpected));
  }
  if (whole > kMax / unit->ns) fail(text, "too large; the longest representable duration is about 292 years");
  std::int64_t total = whole * unit->ns;
  // Fractional part: digit k (1-based) is worth unit/10^k nanoseconds; it must be whole.
  std::int64_t place = unit->ns;
  for (char c : frac) {
    const int digit = c - '0';
    if (place % 10 != 0) {
      if (digit != 0) fail(text, "more precise than the 1 ns resolution of virtual time");
      continue;
    }
    place /= 10;
    if (total > kMax - digit * place) fail(text, "too large; the longest representable duration is about 292 years");
    total += digit * place;
  }
  return Duration::ns(total);
}

std::string format_duration(Duration d) {
  // The magnitude as unsigned, so that the most negative duration has one too.
  const bool negative = d.count() < 0;
  const std::uint64_t v = negative ? 0 - static_cast<std::uint64_t>(d.count()) : static_cast<std::uint64_t>(d.count());
  const std::string sign = negative ? "-" : "";
  if (v == 0) return "0s";
  // The largest unit in which the value has at most three decimals: "1.5s", "250us", "2min".
  for (const auto& u : kUnits) {
    const auto unit = static_cast<std::uint64_t>(u.ns);
    if (v < unit) continue;
    if (v % unit == 0) return sign + std::to_string(v / unit) + std::string(u.name);
    const std::uint64_t milli = unit / 1000;
    if (milli > 0 && v % milli == 0) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(v / unit),
                    static_cast<unsigned long long>((v % unit) / milli));
      std::string s(buf);
      while (s.back() == '0') s.pop_back();
      return sign + s + std::string(u.name);
    }
  }
  return sign + std::to_string(v) + "ns";
}

std::string format_seconds(Time t) {
  const bool negative = t.ns() < 0;
  const std::uint64_t v = negative ? 0 - static_cast<std::uint64_t>(t.ns()) : static_cast<std::uint64_t>(t.ns());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%llu.%06llu", negative ? "-" : "", static_cast<unsigned long long>(v / 1'000'000'000),
                static_cast<unsigned long long>((v % 1'000'000'000) / 1000));
  return buf;
}

}  // namespace tcpsim::sim
