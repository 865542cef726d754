// The kernel benchmark: a timer-heavy workload with a large pending set, run through the real
// Scheduler. Shared by `tcpsim bench kernel` and bench/kernel_bench.cpp.
#pragma once

#include <cstdint>
#include <string>

#include "sim/kernel/scheduler.hpp"

namespace tcpsim::cli {

struct KernelBenchParams {
  std::uint64_t pending = 1'000'000;   // timers kept armed at all times
  std::uint64_t events = 10'000'000;   // events to execute (after setup)
  double touch = 0.30;                 // share of firings that re-arm or cancel another timer first
  std::uint64_t seed = 1;
  sim::QueueKind queue = sim::QueueKind::Wheel;
};

struct KernelBenchResult {
  std::uint64_t executed = 0;
  std::uint64_t rearmed = 0;    // other timers moved before they fired
  std::uint64_t cancelled = 0;  // other timers cancelled (then armed anew) before they fired
  std::uint64_t pending_at_end = 0;
  double setup_seconds = 0;
  double run_seconds = 0;
  double run_cpu_seconds = 0;  // processor time of the run: about run_seconds on an idle machine
  double events_per_second() const { return run_seconds > 0 ? executed / run_seconds : 0; }
  double events_per_cpu_second() const { return run_cpu_seconds > 0 ? executed / run_cpu_seconds : 0; }
};

// Workload: `pending` Timers, armed at uniform random times in [0, 1 s). Each firing re-arms the
// fired timer at now + U(1 us, 1 s), and with probability `touch` picks another random timer
// and either re-arms it to a new random deadline or cancels it and arms it again (half each),
// so that share of timers is moved or cancelled before it fires while the pending set stays at
// `pending`. Deterministic for a seed.
KernelBenchResult run_kernel_bench(const KernelBenchParams& p);

}  // namespace tcpsim::cli
