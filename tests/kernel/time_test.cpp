#include <catch2/catch.hpp>

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
