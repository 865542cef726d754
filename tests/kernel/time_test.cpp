#include <catch2/catch.hpp>

#include <limits>

#include "sim/kernel/time.hpp"

using namespace tcpsim::sim;
using namespace tcpsim::sim::literals;

namespace {
std::string error_of(const char* text) {
  try {
    parse_duration(text);
  } catch (const DurationError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("Durations with units parse to exact nanoseconds", "[kernel][time]") {
  CHECK(parse_duration("500us") == 500_us);
  CHECK(parse_duration("10ms") == 10_ms);
  CHECK(parse_duration("1.5s") == Duration::ms(1500));
  CHECK(parse_duration("2min") == 120_s);
  CHECK(parse_duration("1h") == 3600_s);
  CHECK(parse_duration("7ns") == 7_ns);
  CHECK(parse_duration("0s") == Duration::zero());
  CHECK(parse_duration(".25s") == 250_ms);
  CHECK(parse_duration("0.000000001s") == 1_ns);
}

TEST_CASE("A duration without a unit is rejected with the expected form", "[kernel][time]") {
  CHECK_THAT(error_of("10"), Catch::Contains("\"10\"") && Catch::Contains("missing unit") &&
                                 Catch::Contains("e.g. \"10ms\""));
}

TEST_CASE("A negative duration is rejected", "[kernel][time]") {
  CHECK_THAT(error_of("-1ms"), Catch::Contains("cannot be negative"));
}

TEST_CASE("An unknown unit is named in the error", "[kernel][time]") {
  CHECK_THAT(error_of("10parsecs"), Catch::Contains("unknown unit \"parsecs\""));
  CHECK_THAT(error_of("10 parsecs"), Catch::Contains("no space"));
  CHECK_THAT(error_of("ms"), Catch::Contains("expected a non-negative number"));
  CHECK_THAT(error_of(""), Catch::Contains("expected a non-negative number"));
  CHECK_THAT(error_of("+5s"), Catch::Contains("no sign"));
}

TEST_CASE("A duration that overflows 64-bit nanoseconds is rejected", "[kernel][time]") {
  CHECK_THAT(error_of("300000000000h"), Catch::Contains("too large"));
  CHECK_THAT(error_of("99999999999999999999999ns"), Catch::Contains("too large"));
  CHECK(parse_duration("9223372036854775807ns") == Duration::max());
}

TEST_CASE("Precision finer than a nanosecond is rejected", "[kernel][time]") {
  CHECK_THAT(error_of("0.5ns"), Catch::Contains("1 ns resolution"));
  CHECK(parse_duration("1.000ns") == 1_ns);
}

TEST_CASE("Formatting a duration gives text that parses back to it", "[kernel][time]") {
  for (auto d : {0_ns, 1_ns, 1500_us, 10_ms, 1500_ms, 120_s, 3600_s, 90_s, 1234567_ns, Duration::ms(2500)}) {
    INFO(format_duration(d));
    CHECK(parse_duration(format_duration(d)) == d);
  }
  CHECK(format_duration(1500_ms) == "1.5s");
  CHECK(format_duration(10_ms) == "10ms");
  CHECK(format_duration(120_s) == "2min");
  CHECK(format_seconds(Time::from_ns(1'500'000'000)) == "1.500000");
}

TEST_CASE("Time and Duration follow affine arithmetic", "[kernel][time]") {
  const Time t = Time::zero() + 10_ms;
  CHECK((t - Time::zero()) == 10_ms);
  CHECK(t + 5_ms > t);
  CHECK(saturating_add(Time::max() - 1_ns, 10_s) == Time::max());
}

TEST_CASE("Time plus a duration saturates at Time::max() instead of overflowing", "[kernel][time]") {
  // The keep-alive-every-720h case: 3 200 probes later the clock is near 2^63 ns.
  const Duration period = Duration::s(720 * 3600);
  Time t = Time::zero();
  for (int i = 0; i < 4000; ++i) t += period;
  CHECK(t == Time::max());
  CHECK(Time::max() + 1_ns == Time::max());
  CHECK(Time::max() + Duration::max() == Time::max());
  CHECK(Time::max() - 1_ns + 1_ns == Time::max());
  CHECK((Time::max() - 1_ns) + 10_s == Time::max());
  CHECK(saturating_add(Time::max() - 1_ns, 10_s) == Time::max());
  // Below the edge the arithmetic is exact.
  CHECK((Time::max() - 10_s) + 10_s == Time::max());
  CHECK(((Time::max() - 10_s) + 9_s).ns() == Time::max().ns() - 1'000'000'000);
}

TEST_CASE("Time and Duration arithmetic saturates at both ends of the int64 range", "[kernel][time]") {
  const Time min = Time::from_ns(std::numeric_limits<std::int64_t>::min());
  CHECK(min - 1_ns == min);
  CHECK(Time::zero() - Duration::max() - Duration::max() == min);
  CHECK(Time::max() - min == Duration::max());
  CHECK(min - Time::max() == Duration::ns(std::numeric_limits<std::int64_t>::min()));
  CHECK(Duration::max() + 1_ns == Duration::max());
  CHECK(Duration::max() * 2 == Duration::max());
  CHECK(Duration::max() * -2 == Duration::ns(std::numeric_limits<std::int64_t>::min()));
  CHECK(-Duration::ns(std::numeric_limits<std::int64_t>::min()) == Duration::max());
  CHECK(Duration::s(std::numeric_limits<std::int64_t>::max() / 10) == Duration::max());
  CHECK(Duration::ms(3) * 4 == 12_ms);
  Duration d = Duration::max();
  d += 1_s;
  CHECK(d == Duration::max());
  d = Duration::ns(std::numeric_limits<std::int64_t>::min());
  d -= 1_s;
  CHECK(d == Duration::ns(std::numeric_limits<std::int64_t>::min()));
}

TEST_CASE("The ends of the time range format without overflowing", "[kernel][time]") {
  CHECK(format_seconds(Time::max()) == "9223372036.854775");
  CHECK(format_seconds(Time::from_ns(std::numeric_limits<std::int64_t>::min())) == "-9223372036.854775");
  CHECK(format_duration(Duration::ns(std::numeric_limits<std::int64_t>::min())) == "-9223372036854775.808us");
  CHECK(format_duration(-1500_ms) == "-1.5s");
  CHECK(parse_duration(format_duration(Duration::max())) == Duration::max());
}
