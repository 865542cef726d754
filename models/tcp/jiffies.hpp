// The Linux tick clock and timer wheel, as far as they decide when a TCP timer fires (linux
// profile, TcpParams::hz > 0). Pure and sans-IO: model time in, model time out.
//
// Linux keeps its TCP timeouts in jiffies, a counter that advances once per tick (HZ ticks a
// second, CONFIG_HZ), and arms them on the timer wheel of kernel/time/timer.c:
//   - a timeout of T ticks armed at jiffies j expires at j + T (sk_reset_timer(), mod_timer());
//   - __mod_timer() -> calc_wheel_index() picks the wheel level from delta = expires - base->clk:
//     level n holds deltas below LVL_START(n + 1) = 63 << 3n (LVL_BITS 6, LVL_CLK_SHIFT 3), so
//     level 0 < 63 ticks, level 1 < 504, level 2 < 4032, level 3 < 32256, ...; LVL_DEPTH is 9
//     when HZ > 100, else 8; a delta beyond WHEEL_TIMEOUT_CUTOFF is capped at WHEEL_TIMEOUT_MAX;
//   - calc_index() rounds the expiry up with the level's granularity (8^n ticks) so a timer never
//     fires early: bucket_expiry = ((expires >> 3n) + 1) << 3n, and the timer runs at the tick
//     edge where jiffies reaches bucket_expiry. Late by 1 tick on level 0, up to 8 ticks on
//     level 1, 64 on level 2, 512 on level 3.
//   - msecs_to_jiffies() and usecs_to_jiffies() round a duration up to whole ticks.
// Tick edges lie at multiples of TICK_NSEC = (10^9 + HZ/2) / HZ of CLOCK_MONOTONIC (the tick is
// set up aligned, tick_sched_timer() advances it by TICK_NSEC); the model places them by two
// numbers: the jiffies value at model time 0 and how far into its tick model time 0 lies.
//
// Simplification: the wheel's clock (base->clk) is taken to be jiffies at the moment of arming.
// Linux's may be one tick ahead when a timer is re-armed from a timer callback (__run_timers()
// has already advanced it), which moves a timeout of exactly LVL_START(n) ticks down a level.
#pragma once

#include <cstdint>
#include <string>

#include "models/tcp/params.hpp"
#include "sim/kernel/tie_order.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// calc_wheel_index() + calc_index(): the jiffies value at which a timer with expiry `expires`,
// enqueued while the wheel's clock reads `clk`, runs (its bucket's expiry). `hz` only chooses
// LVL_DEPTH. Never before `expires`, except for an expiry already in the past, which runs at
// `clk` (the kernel's "(long) delta < 0" branch).
std::uint64_t wheel_expiry(std::uint64_t clk, std::uint64_t expires, int hz);

// The bucket calc_wheel_index() puts the timer in: its level and the jiffies value it runs at.
struct WheelBucket {
  unsigned level = 0;
  std::uint64_t expiry = 0;
};
WheelBucket wheel_bucket(std::uint64_t clk, std::uint64_t expires, int hz);

// When a timer fires, and its place among the timers of that tick: __run_timers() expires the
// levels from the highest down, each bucket last-enqueued first (enqueue_timer() adds at the
// head), and the tick's timers run before whatever else the model has at that instant (a packet
// or a system call "at" a tick edge comes a little after the tick interrupt on a real host).
struct TimerFiring {
  sim::Time at;
  sim::TieOrder order;
};

// A host's tick clock: HZ and where model time 0 lies on it.
class TickClock {
 public:
  TickClock() = default;  // off: continuous time
  TickClock(int hz, std::uint64_t jiffies_at_start, sim::Duration tick_offset);
  static TickClock of(const TcpParams& p) { return {p.hz, p.jiffies_at_start, p.tick_offset}; }

  bool on() const { return hz_ > 0; }
  int hz() const { return hz_; }
  // TICK_NSEC: the length of one tick (4 ms at HZ = 250).
  sim::Duration tick() const { return sim::Duration::ns(tick_ns_); }

  // The jiffies value at `now` (the tick `now` lies in; a tick edge belongs to the tick it starts).
  std::uint64_t jiffies_at(sim::Time now) const;
  // The model time at which tick `j` starts (j no earlier than the tick of time 0).
  sim::Time tick_start(std::uint64_t j) const;
  // msecs_to_jiffies() / usecs_to_jiffies(): `d` in whole ticks, rounded up (negative: 0).
  std::uint64_t ticks(sim::Duration d) const;
  // `d` rounded up to whole ticks, as a duration (the RTO Linux keeps in jiffies).
  sim::Duration round_up(sim::Duration d) const;
  // When a timer of `timeout` armed at `now` fires: its expiry j + ticks(timeout) put in the
  // wheel's bucket (wheel_expiry), at the start of that tick. Never earlier than now + timeout.
  sim::Time fire_time(sim::Time now, sim::Duration timeout) const { return firing(now, timeout).at; }
  // fire_time() and the timer's place among the timers of that tick (continuous time: the
  // default order, scheduling order).
  TimerFiring firing(sim::Time now, sim::Duration timeout) const;

 private:
  int hz_ = 0;
  std::uint64_t jiffies_at_start_ = 0;
  std::int64_t offset_ns_ = 0;
  std::int64_t tick_ns_ = 0;
};

// Why `hz` and `tick_offset` cannot be used, or "" when they can: HZ is 0 (no tick clock) or
// 100..1000 (CONFIG_HZ's range), and time 0 lies inside its tick (0 <= tick_offset < 1/HZ).
std::string tick_clock_problem(int hz, sim::Duration tick_offset);

}  // namespace tcpsim::tcp
