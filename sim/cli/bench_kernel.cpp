#include "sim/cli/bench_kernel.hpp"

#include <chrono>
#include <cstddef>
#include <ctime>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

#include "sim/kernel/random.hpp"

namespace tcpsim::cli {
namespace {

// The workload's timers in one contiguous array (Timers cannot move, so not a std::vector; a
// std::deque would add a lookup in its block map to every random access).
class TimerArray {
 public:
  explicit TimerArray(std::size_t capacity)
      : data_(static_cast<sim::Timer*>(::operator new(capacity * sizeof(sim::Timer)))), capacity_(capacity) {}
  ~TimerArray() {
    while (size_ > 0) data_[--size_].~Timer();
    ::operator delete(data_);
  }
  TimerArray(const TimerArray&) = delete;
  TimerArray& operator=(const TimerArray&) = delete;

  template <class F>
  void emplace_back(sim::Scheduler& s, F&& f) {
    if (size_ == capacity_) throw std::length_error("TimerArray is full");
    ::new (static_cast<void*>(data_ + size_)) sim::Timer(s, std::forward<F>(f));
    ++size_;
  }
  sim::Timer& operator[](std::size_t i) { return data_[i]; }
  sim::Timer& back() { return data_[size_ - 1]; }
  std::size_t size() const { return size_; }

 private:
  sim::Timer* data_;
  std::size_t capacity_;
  std::size_t size_ = 0;
};

struct Workload {
  sim::Scheduler sched;
  sim::Rng rng;
  TimerArray timers;
  std::uint64_t target;
  double touch;
  KernelBenchResult result;

  Workload(const KernelBenchParams& p)
      : sched(p.queue), rng(p.seed), timers(p.pending), target(p.events), touch(p.touch) {}

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
  const std::clock_t c1 = std::clock();
  const auto t1 = std::chrono::steady_clock::now();
  w->sched.run();
  w->result.run_seconds = seconds_since(t1);
  w->result.run_cpu_seconds = static_cast<double>(std::clock() - c1) / CLOCKS_PER_SEC;
  w->result.executed = w->sched.executed();
  w->result.pending_at_end = w->sched.pending_count();
  return w->result;
}

}  // namespace tcpsim::cli
