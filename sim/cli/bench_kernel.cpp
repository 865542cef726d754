#include "sim/cli/bench_kernel.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <vector>

#include "sim/kernel/random.hpp"

namespace tcpsim::cli {
namespace {

struct Workload {
  sim::Scheduler sched;
  sim::Rng rng;
  std::deque<sim::Timer> timers;  // contiguous blocks, stable addresses
  std::uint64_t target;
  double touch;
  KernelBenchResult result;

  Workload(const KernelBenchParams& p) : sched(p.queue), rng(p.seed), target(p.events), touch(p.touch) {}

  sim::Duration random_delay() {
    return sim::Duration::ns(static_cast<std::int64_t>(rng.uniform_int(1'000, 1'000'000'000)));
  }

  void fire(std::uint32_t i) {
    timers[i].arm_in(random_delay());
    if (rng.bernoulli(touch)) {
      sim::Timer& other = timers[rng.uniform_int(0, timers.size() - 1)];
      if (rng.bernoulli(0.5)) {
        other.arm_in(random_delay());
        ++result.rearmed;
      } else {
        other.cancel();
        ++result.cancelled;
        other.arm_in(random_delay());
      }
    }
    if (sched.executed() >= target) sched.stop();
  }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

KernelBenchResult run_kernel_bench(const KernelBenchParams& p) {
  auto w = std::make_unique<Workload>(p);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < p.pending; ++i) {
    Workload* self = w.get();
    w->timers.emplace_back(w->sched, [self, i] { self->fire(i); });
    w->timers.back().arm_at(sim::Time::zero() +
                             sim::Duration::ns(static_cast<std::int64_t>(w->rng.uniform_int(0, 999'999'999))));
  }
  w->result.setup_seconds = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  w->sched.run();
  w->result.run_seconds = seconds_since(t1);
  w->result.executed = w->sched.executed();
  w->result.pending_at_end = w->sched.pending_count();
  return w->result;
}

}  // namespace tcpsim::cli
