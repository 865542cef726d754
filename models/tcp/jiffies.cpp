// The tick clock and the timer wheel's rounding of kernel/time/timer.c (see jiffies.hpp).
#include "models/tcp/jiffies.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace tcpsim::tcp {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// The wheel's geometry (kernel/time/timer.c): each level has 2^LVL_BITS buckets and is
// 2^LVL_CLK_SHIFT times coarser than the one below.
constexpr unsigned kLvlClkShift = 3;
constexpr unsigned kLvlBits = 6;
constexpr std::uint64_t kLvlSize = std::uint64_t{1} << kLvlBits;

constexpr unsigned lvl_shift(unsigned n) { return n * kLvlClkShift; }
constexpr std::uint64_t lvl_gran(unsigned n) { return std::uint64_t{1} << lvl_shift(n); }
// LVL_START(n): the smallest delta that goes to level n. It starts one granule below the end of
// the previous level's range, because calc_index() adds a granule when it rounds up.
constexpr std::uint64_t lvl_start(unsigned n) { return (kLvlSize - 1) << ((n - 1) * kLvlClkShift); }

// calc_index(): the expiry rounded up to the next multiple of the level's granularity, strictly
// above `expires` (so also a timer armed right at a tick edge waits a whole tick).
constexpr std::uint64_t bucket_expiry(std::uint64_t expires, unsigned lvl) {
  return ((expires >> lvl_shift(lvl)) + 1) << lvl_shift(lvl);
}

}  // namespace

WheelBucket wheel_bucket(std::uint64_t clk, std::uint64_t expires, int hz) {
  // LVL_DEPTH: 9 levels when HZ > 100, else 8.
  const unsigned depth = hz > 100 ? 9 : 8;
  const std::uint64_t delta = expires - clk;  // unsigned long arithmetic, as the kernel's
  for (unsigned lvl = 0; lvl + 1 < depth; ++lvl) {
    if (delta < lvl_start(lvl + 1)) return {lvl, bucket_expiry(expires, lvl)};
  }
  // calc_wheel_index(): an expiry already in the past goes to the bucket the clock is at (level 0).
  if (static_cast<std::int64_t>(delta) < 0) return {0, clk};
  // "Force expire obscene large timeouts to expire at the capacity limit of the wheel":
  // WHEEL_TIMEOUT_CUTOFF = LVL_START(LVL_DEPTH), WHEEL_TIMEOUT_MAX one top-level granule below it.
  const std::uint64_t cutoff = lvl_start(depth);
  if (delta >= cutoff) expires = clk + (cutoff - lvl_gran(depth - 1));
  return {depth - 1, bucket_expiry(expires, depth - 1)};
}

std::uint64_t wheel_expiry(std::uint64_t clk, std::uint64_t expires, int hz) { return wheel_bucket(clk, expires, hz).expiry; }

TickClock::TickClock(int hz, std::uint64_t jiffies_at_start, sim::Duration tick_offset)
    : hz_(std::max(0, hz)), jiffies_at_start_(jiffies_at_start), offset_ns_(tick_offset.count()),
      // TICK_NSEC = (NSEC_PER_SEC + HZ/2) / HZ (include/vdso/jiffies.h).
      tick_ns_(hz_ > 0 ? (kNsPerSecond + hz_ / 2) / hz_ : 0) {}

std::uint64_t TickClock::jiffies_at(sim::Time now) const {
  if (!on()) return jiffies_at_start_;
  const std::int64_t since_edge = std::max<std::int64_t>(0, now.ns()) + offset_ns_;
  return jiffies_at_start_ + static_cast<std::uint64_t>(since_edge / tick_ns_);
}

sim::Time TickClock::tick_start(std::uint64_t j) const {
  if (!on()) return sim::Time::zero();
  const std::uint64_t n = j - jiffies_at_start_;
  if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return sim::Time::max();
  const sim::Duration since_edge = sim::Duration::ns(tick_ns_) * static_cast<std::int64_t>(n);
  return sim::Time::zero() + (since_edge - sim::Duration::ns(offset_ns_));
}

std::uint64_t TickClock::ticks(sim::Duration d) const {
  if (!on() || d.count() <= 0) return 0;
  // msecs_to_jiffies()/usecs_to_jiffies() round up: ceil(d * HZ / 1 s), whole seconds apart so
  // that the product cannot overflow.
  const auto hz = static_cast<std::uint64_t>(hz_);
  const auto whole = static_cast<std::uint64_t>(d.count() / kNsPerSecond);
  const auto rest = static_cast<std::uint64_t>(d.count() % kNsPerSecond);
  constexpr auto second = static_cast<std::uint64_t>(kNsPerSecond);
  return whole * hz + (rest * hz + second - 1) / second;
}

sim::Duration TickClock::round_up(sim::Duration d) const {
  if (!on()) return d;
  const std::uint64_t n = ticks(d);
  if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return sim::Duration::max();
  return sim::Duration::ns(tick_ns_) * static_cast<std::int64_t>(n);
}

TimerFiring TickClock::firing(sim::Time now, sim::Duration timeout) const {
  if (!on()) return {now + timeout, {}};
  const std::uint64_t j = jiffies_at(now);
  const WheelBucket b = wheel_bucket(j, j + ticks(timeout), hz_);
  // Ranks below the default, the highest level lowest: 0x7f for level 0 down to 0x77 for level 8.
  const auto rank = static_cast<std::uint8_t>(sim::TieOrder::kDefaultRank - 1 - b.level);
  return {tick_start(b.expiry), {rank, /*lifo=*/true}};
}

std::string tick_clock_problem(int hz, sim::Duration tick_offset) {
  if (hz != 0 && (hz < 100 || hz > 1000)) {
    return "hz is " + std::to_string(hz) + ": expected 0 (continuous time) or a CONFIG_HZ from 100 to 1000";
  }
  if (tick_offset.count() < 0) return "tick_offset is negative";
  if (hz > 0 && tick_offset >= TickClock(hz, 0, {}).tick()) {
    return "tick_offset (" + sim::format_duration(tick_offset) + ") must be shorter than one tick (" +
           sim::format_duration(TickClock(hz, 0, {}).tick()) + " at hz " + std::to_string(hz) + ")";
  }
  return "";
}

}  // namespace tcpsim::tcp
