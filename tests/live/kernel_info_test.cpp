// kernel_info(): the release as uname says it, and HZ from the kernel's configuration.
#include <sys/utsname.h>

#include <catch2/catch.hpp>
#include <string>

#include "sim/live/tracefs.hpp"

using tcpsim::live::config_hz;

TEST_CASE("The kernel's release is uname's and its HZ is known", "[kernel-info]") {
  const auto info = tcpsim::live::kernel_info();
  utsname u{};
  REQUIRE(uname(&u) == 0);
  CHECK(info.release == u.release);
  REQUIRE(info.hz.has_value());
  CHECK(*info.hz > 0);
  CHECK((info.hz_source == "config" || info.hz_source == "measured"));
}

TEST_CASE("CONFIG_HZ is read from a kernel configuration's own line", "[kernel-info]") {
  CHECK(config_hz("CONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_SCHED_HRTICK=y\n") == 250);
  CHECK(config_hz("# CONFIG_HZ_PERIODIC is not set\nCONFIG_HZ=1000") == 1000);
  CHECK_FALSE(config_hz("CONFIG_HZ_300=y\n# CONFIG_HZ is not set\n"));
  CHECK_FALSE(config_hz("CONFIG_HZ=\n"));
  CHECK_FALSE(config_hz(""));
}

namespace {

using tcpsim::live::fit_ticks;
using tcpsim::live::TickReading;

// Readings of a tick clock whose edges lie at edge + k * 4 ms (HZ 250) and read `j0` at `edge`,
// taken at `phases` (ns into a tick) of successive ticks.
std::vector<TickReading> readings_of(std::int64_t edge, std::uint64_t j0, std::initializer_list<std::int64_t> phases) {
  std::vector<TickReading> r;
  std::uint64_t k = 3;
  for (const std::int64_t p : phases) {
    r.push_back({edge + static_cast<std::int64_t>(k) * 4'000'000 + p, j0 + k});
    k += 2;
  }
  return r;
}

}  // namespace

TEST_CASE("The kernel's tick clock is fitted from timer_list readings, also one whose jiffies moved on", "[kernel-info]") {
  // Edges on multiples of 4 ms of CLOCK_MONOTONIC, as tick_init_jiffy_update() lays them.
  const std::int64_t edge = 31'374'348'000'000;
  auto r = readings_of(edge, 4'302'735'837, {2'890'493, 725'150, 3'527'930, 1'127'891, 305'631, 3'906'105});
  // A reading made 20 us before an edge whose jiffies line was printed after it.
  r.push_back({edge + 20 * 4'000'000 - 20'000, 4'302'735'837 + 20});
  const auto t = fit_ticks(r, 250);
  REQUIRE(t);
  CHECK(t->edge_ns % 4'000'000 == 0);
  const auto at = t->at(edge + 100 * 4'000'000 + 1'500'000);
  CHECK(at.jiffies == 4'302'735'837 + 100);
  CHECK(at.offset_ns == 1'500'000);
  // Just before an edge is the end of the tick before it.
  const auto before = t->at(edge + 100 * 4'000'000 - 1);
  CHECK(before.jiffies == 4'302'735'837 + 99);
  CHECK(before.offset_ns == 3'999'999);
}

TEST_CASE("A tick clock whose edges are not on multiples of the tick is found within a reading's lag", "[kernel-info]") {
  const std::int64_t edge = 5'000'001'300'000;  // 1.3 ms past a multiple of 4 ms
  auto r = readings_of(edge, 1000, {3'100'000, 40'000, 2'000'000, 900'000, 3'700'000, 15'000});
  r.push_back({edge + 30 * 4'000'000 - 30'000, 1000 + 30});  // jiffies moved on while it was read
  const auto t = fit_ticks(r, 250);
  REQUIRE(t);
  const auto at = t->at(edge + 2 * 4'000'000 + 1'000'000);
  CHECK(at.jiffies == 1002);
  CHECK(at.offset_ns >= 1'000'000);
  CHECK(at.offset_ns <= 1'030'000);
}

TEST_CASE("A reading whose jiffies line came a millisecond late does not move the tick edge", "[kernel-info]") {
  // On a busy machine /proc/timer_list prints its jiffies line long after "now": that reading
  // seems to lie 0.8 ms before its tick's edge. The other readings fill the tick up to its end, so
  // a window starting at the outlier would leave them out.
  const std::int64_t edge = 8'000'000'000;
  auto r = readings_of(edge, 500, {150'000, 3'950'000, 1'200'000, 2'600'000, 3'500'000, 700'000, 3'800'000, 2'000'000});
  r.push_back({edge + 40 * 4'000'000 - 800'000, 500 + 40});
  for (const bool aligned : {true, false}) {
    const std::int64_t shift = aligned ? 0 : 1'700'000;  // edges 1.7 ms past a multiple of 4 ms
    auto shifted = r;
    for (auto& reading : shifted) reading.now_ns += shift;
    const auto t = fit_ticks(shifted, 250);
    REQUIRE(t);
    const auto at = t->at(edge + shift + 10 * 4'000'000 + 1'000'000);
    CHECK(at.jiffies == 510);
    CHECK(at.offset_ns == 1'000'000 - (aligned ? 0 : 150'000));  // unaligned: from the earliest honest reading
  }
}

TEST_CASE("Readings no steady tick clock explains, or too few, fit none", "[kernel-info]") {
  CHECK_FALSE(fit_ticks(readings_of(0, 10, {1, 2, 3}), 250));
  CHECK_FALSE(fit_ticks(readings_of(0, 10, {1, 2, 3, 4}), 0));
  // Jiffies that run at twice the rate HZ says.
  std::vector<TickReading> fast;
  for (std::int64_t i = 0; i < 8; ++i) fast.push_back({i * 4'000'000 + 1'000'000, static_cast<std::uint64_t>(100 + 2 * i)});
  CHECK_FALSE(fit_ticks(fast, 250));
}
