// A timer's place among the events of its instant, in a header of its own for the interfaces
// that pass it along without needing the scheduler.
#pragma once

#include <cstdint>

namespace tcpsim::sim {

// Where a timer stands among the events of its instant (scheduler.hpp, "Ordering"). Linux's timer wheel
// is the model for it: the timers of one tick run level by level, the coarsest first, and within
// a bucket the last one enqueued first (kernel/time/timer.c: enqueue_timer() adds at the head of
// the bucket's list, __run_timers() expires the collected levels from the highest down).
struct TieOrder {
  static constexpr std::uint8_t kDefaultRank = 0x80;
  std::uint8_t rank = kDefaultRank;
  bool lifo = false;
  bool operator==(const TieOrder&) const = default;
};

}  // namespace tcpsim::sim
