// The tick clock and the timer wheel (models/tcp/jiffies.hpp), checked against the rules of
// kernel/time/timer.c (calc_wheel_index(), calc_index()) and the timings a Linux 6.18 kernel
// with CONFIG_HZ=250 showed in the differential mode.
#include <catch2/catch.hpp>

#include <cstdint>

#include "models/tcp/jiffies.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using sim::Duration;
using sim::Time;

namespace {

// HZ = 250, time 0 at the start of tick `j0`.
TickClock hz250(std::uint64_t j0 = 0, Duration offset = {}) { return TickClock(250, j0, offset); }

Time at_ms(std::int64_t ms) { return Time::zero() + Duration::ms(ms); }

}  // namespace

TEST_CASE("Level 0 holds deltas below 63 ticks and fires one tick after the expiry", "[jiffies]") {
  CHECK(wheel_expiry(0, 0, 250) == 1);
  CHECK(wheel_expiry(0, 1, 250) == 2);
  CHECK(wheel_expiry(0, 62, 250) == 63);
  CHECK(wheel_expiry(1000, 1056, 250) == 1057);  // a 56-tick RTO: 57 ticks, 228 ms
}

TEST_CASE("Each level starts at 63 << 3(n-1) ticks and rounds up to its granularity, strictly above the expiry", "[jiffies]") {
  // level 1: 8-tick granules, deltas 63..503
  CHECK(wheel_expiry(0, 63, 250) == 64);
  CHECK(wheel_expiry(0, 64, 250) == 72);
  CHECK(wheel_expiry(0, 503, 250) == 504);
  // level 2: 64-tick granules, deltas 504..4031
  CHECK(wheel_expiry(0, 504, 250) == 512);
  CHECK(wheel_expiry(0, 4031, 250) == 4032);
  // level 3: 512-tick granules, deltas 4032..32255
  CHECK(wheel_expiry(0, 4032, 250) == 4096);
  CHECK(wheel_expiry(0, 32255, 250) == 32256);
  // level 4: 4096-tick granules
  CHECK(wheel_expiry(0, 32256, 250) == 32768);
  // The level follows the delta from the clock, the rounding the absolute expiry.
  CHECK(wheel_expiry(5, 5 + 62, 250) == 68);        // level 0
  CHECK(wheel_expiry(5, 5 + 63, 250) == 72);        // level 1: 68 rounds up to 72
  CHECK(wheel_expiry(440, 440 + 503, 250) == 944);  // level 1
}

TEST_CASE("A timeout beyond the wheel fires at its capacity; HZ 100 has one level less", "[jiffies]") {
  // HZ > 100: LVL_DEPTH 9, WHEEL_TIMEOUT_CUTOFF = 63 << 24, WHEEL_TIMEOUT_MAX = 62 << 24.
  const std::uint64_t cutoff250 = std::uint64_t{63} << 24;
  CHECK(wheel_expiry(0, cutoff250 - 1, 250) == cutoff250);
  CHECK(wheel_expiry(0, cutoff250 * 4, 250) == cutoff250);
  // HZ = 100: LVL_DEPTH 8, cutoff 63 << 21.
  const std::uint64_t cutoff100 = std::uint64_t{63} << 21;
  CHECK(wheel_expiry(0, cutoff100 * 2, 100) == cutoff100);
  CHECK(wheel_expiry(0, cutoff100 * 2, 250) == ((cutoff100 * 2 >> 24) + 1) << 24);  // level 8
}

TEST_CASE("An expiry already past runs at the wheel's clock, and jiffies wrap as unsigned long", "[jiffies]") {
  CHECK(wheel_expiry(100, 90, 250) == 100);
  const std::uint64_t near_wrap = ~std::uint64_t{0} - 10;  // 11 ticks before the counter wraps
  CHECK(wheel_expiry(near_wrap, near_wrap + 56, 250) == near_wrap + 57);
}

TEST_CASE("A 1 s SYN timer armed on a tick edge fires at tick 256 (1024 ms); 2 s at 504 (2016 ms)", "[jiffies]") {
  const TickClock c = hz250();
  CHECK(c.ticks(Duration::s(1)) == 250);
  CHECK(c.fire_time(Time::zero(), Duration::s(1)) == at_ms(1024));
  // Each linear SYN retransmission is armed on the tick its timer fired on: 256 ticks again.
  CHECK(c.fire_time(at_ms(1024), Duration::s(1)) == at_ms(2048));
  // tcp_synack_retries' backoff: 2 s = 500 ticks, level 1, 504 ticks (the kernel's 2016.2 ms).
  CHECK(c.fire_time(Time::zero(), Duration::s(2)) == at_ms(2016));
  // Armed 3.3 ms into a tick: the same tick, the same edge (the kernel's 1020.7 ms).
  CHECK(c.fire_time(Time::zero() + Duration::us(3300), Duration::s(1)) == at_ms(1024));
}

TEST_CASE("A FIN's 224 ms RTO series fires 228, 460 and 928 ms apart, as the kernel's did", "[jiffies]") {
  // 56 ticks on level 0 (57 ticks), then 112 ticks on level 1 (115 or 120: it depends on where
  // the expiry falls in its 8-tick granule), then 224 (232).
  const TickClock c = hz250(4);  // the FIN leaves in tick 4: 4 + 57 = 61, 61 + 115 = 176
  const Time fin = Time::zero() + Duration::us(700);
  const Time r1 = c.fire_time(fin, Duration::ms(224));
  CHECK(r1 == at_ms(57 * 4));  // tick 61 starts 57 ticks after tick 4
  const Time r2 = c.fire_time(r1, Duration::ms(448));
  CHECK(r2 - r1 == Duration::ms(460));
  const Time r3 = c.fire_time(r2, Duration::ms(896));
  CHECK(r3 - r2 == Duration::ms(928));
  // The same 112 ticks armed at a multiple of 8 wait 120 ticks.
  CHECK(hz250().fire_time(Time::zero(), Duration::ms(448)) == at_ms(480));
}

TEST_CASE("TIME-WAIT's 60 s (15000 ticks) lands on level 3, up to 2.048 s late", "[jiffies]") {
  const TickClock c = hz250();
  CHECK(c.fire_time(Time::zero(), Duration::s(60)) == at_ms(15360 * 4));  // 61.44 s
  // Armed 170 ms in (tick 42): 15042 rounds up to 15360 as well, 61.27 s later.
  CHECK(c.fire_time(at_ms(170), Duration::s(60)) == at_ms(15360 * 4));
  // With the counter 500 ticks further on at time 0, the expiry 15542 rounds up to 15872.
  CHECK(hz250(500).fire_time(at_ms(170), Duration::s(60)) == at_ms((15872 - 500) * 4));
}

TEST_CASE("Durations become whole ticks rounded up, as msecs_to_jiffies does", "[jiffies]") {
  const TickClock c = hz250();
  CHECK(c.tick() == Duration::ms(4));
  CHECK(c.ticks(Duration::zero()) == 0);
  CHECK(c.ticks(Duration::ns(1)) == 1);
  CHECK(c.ticks(Duration::ms(4)) == 1);
  CHECK(c.ticks(Duration::ms(4) + Duration::ns(1)) == 2);
  CHECK(c.ticks(Duration::ms(40)) == 10);        // delayed ACK: TCP_DELACK_MIN = HZ/25
  CHECK(c.ticks(Duration::ms(200)) == 50);       // TCP_RTO_MIN = HZ/5
  CHECK(c.ticks(Duration::ms(220)) == 55);
  CHECK(c.ticks(Duration::us(220'300)) == 56);
  CHECK(c.ticks(Duration::s(60)) == 15000);      // TCP_TIMEWAIT_LEN = 60 * HZ
  CHECK(c.round_up(Duration::us(220'300)) == Duration::ms(224));
  CHECK(c.round_up(Duration::ms(220)) == Duration::ms(220));
  CHECK(TickClock(1000, 0, {}).ticks(Duration::ms(1)) == 1);
  CHECK(TickClock(300, 0, {}).ticks(Duration::s(1)) == 300);
  CHECK(TickClock(300, 0, {}).tick() == Duration::ns(3'333'333));  // TICK_NSEC rounds
  CHECK(TickClock(100, 0, {}).ticks(Duration::s(30 * 86400)) == 259'200'000);
}

TEST_CASE("Time 0 lies tick_offset into tick jiffies_at_start; a tick edge belongs to the tick it starts", "[jiffies]") {
  const TickClock c = hz250(1000, Duration::us(1500));
  CHECK(c.jiffies_at(Time::zero()) == 1000);
  CHECK(c.jiffies_at(Time::zero() + Duration::us(2499)) == 1000);
  CHECK(c.jiffies_at(Time::zero() + Duration::us(2500)) == 1001);
  CHECK(c.tick_start(1001) == Time::zero() + Duration::us(2500));
  CHECK(c.tick_start(1000) == Time::zero() - Duration::us(1500));
  // 56 ticks armed at time 0 (tick 1000): bucket 1057, which starts 2.5 ms + 56 * 4 ms in.
  CHECK(c.fire_time(Time::zero(), Duration::ms(224)) == Time::zero() + Duration::us(2500 + 56 * 4000));
}

TEST_CASE("A timer never fires early and at most one granule and a tick late", "[jiffies]") {
  // A deterministic walk over arming times, counters, offsets and timeouts of every level.
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 20000; ++i) {
    const int hz = (i % 3 == 0) ? 100 : (i % 3 == 1) ? 250 : 1000;
    const TickClock probe(hz, 0, {});
    const auto offset = Duration::ns(static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(probe.tick().count())));
    const TickClock c(hz, next(), offset);
    const Time now = Time::zero() + Duration::ns(static_cast<std::int64_t>(next() % 100'000'000'000ULL));
    const Duration timeout = Duration::ns(static_cast<std::int64_t>(next() % (std::uint64_t{1} << (next() % 44))));
    const Time fires = c.fire_time(now, timeout);
    INFO("hz " << hz << " now " << now.ns() << " timeout " << timeout.count());
    REQUIRE(fires > now + timeout - Duration::ns(1));
    // Late by the rounding to whole ticks, the tick it was armed in, and one granule of the level
    // (the level's granularity is at most an eighth of the delta, or one tick on level 0).
    const Duration slack = c.tick() * 2 + Duration::ns(timeout.count() / 7);
    REQUIRE(fires <= now + timeout + slack);
    REQUIRE(c.tick_start(c.jiffies_at(fires)) == fires);  // on a tick edge
  }
}

TEST_CASE("Without a tick clock a timer fires exactly after its timeout", "[jiffies]") {
  const TickClock off;
  CHECK_FALSE(off.on());
  CHECK(off.fire_time(at_ms(3), Duration::us(1234)) == at_ms(3) + Duration::us(1234));
  CHECK(off.round_up(Duration::us(1234)) == Duration::us(1234));
}

TEST_CASE("HZ is 0 or 100..1000 and time 0 lies inside its tick", "[jiffies]") {
  CHECK(tick_clock_problem(0, {}).empty());
  CHECK(tick_clock_problem(250, Duration::us(3999)).empty());
  CHECK(tick_clock_problem(99, {}) == "hz is 99: expected 0 (continuous time) or a CONFIG_HZ from 100 to 1000");
  CHECK(tick_clock_problem(1001, {}).starts_with("hz is 1001"));
  CHECK(tick_clock_problem(250, Duration::ms(4)) == "tick_offset (4ms) must be shorter than one tick (4ms at hz 250)");
  CHECK(tick_clock_problem(250, Duration::ns(-1)) == "tick_offset is negative");
}

TEST_CASE("A timer's place in its tick: coarser levels first, each bucket last-armed first, before other events", "[jiffies]") {
  const TickClock c = hz250();
  // 40 ms = 10 ticks: level 0; 1 s = 250 ticks: level 1; 4 s = 1000 ticks: level 2.
  const TimerFiring delack = c.firing(at_ms(0), Duration::ms(40));
  const TimerFiring syn = c.firing(at_ms(0), Duration::s(1));
  const TimerFiring synack = c.firing(at_ms(0), Duration::s(4));
  CHECK(delack.order == sim::TieOrder{0x7f, true});
  CHECK(syn.order == sim::TieOrder{0x7e, true});
  CHECK(synack.order == sim::TieOrder{0x7d, true});
  CHECK(synack.order.rank < syn.order.rank);
  CHECK(syn.order.rank < sim::TieOrder::kDefaultRank);
  CHECK(syn.at == c.fire_time(at_ms(0), Duration::s(1)));
  CHECK(wheel_bucket(0, 250, 250).level == 1);
  CHECK(wheel_bucket(0, 250, 250).expiry == wheel_expiry(0, 250, 250));
  // Continuous time: the time itself, in scheduling order.
  const TimerFiring plain = TickClock().firing(at_ms(5), Duration::ms(200));
  CHECK(plain.at == at_ms(205));
  CHECK(plain.order == sim::TieOrder{});
}
