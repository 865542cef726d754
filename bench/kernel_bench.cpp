// The kernel benchmark (sim/cli/bench_kernel.hpp) for every event queue, through the real
// Scheduler: timers kept pending, each firing re-arms itself at now + U(1 us, 1 s) and 30% of
// firings re-arm or cancel another random timer first. One run per case (setup excluded from
// the reported time); counters:
//   events_per_s      executed events / run wall time
//   events_per_cpu_s  executed events / run processor time (the figure to trust on a busy machine)
//
//   ./kernel_bench                                  all cases, well under a minute
//   ./kernel_bench --benchmark_filter='wheel'       one queue
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "sim/cli/bench_kernel.hpp"

namespace {

using tcpsim::cli::KernelBenchParams;
using tcpsim::cli::KernelBenchResult;
using tcpsim::sim::QueueKind;

void kernel(benchmark::State& state, KernelBenchParams params) {
  KernelBenchResult r;
  for (auto _ : state) {
    r = tcpsim::cli::run_kernel_bench(params);
    state.SetIterationTime(r.run_seconds);
  }
  state.counters["events_per_s"] = r.events_per_second();
  state.counters["events_per_cpu_s"] = r.events_per_cpu_second();
  state.counters["executed"] = static_cast<double>(r.executed);
  state.counters["setup_s"] = r.setup_seconds;
}

void add(QueueKind queue, std::uint64_t pending) {
  KernelBenchParams p;
  p.queue = queue;
  p.pending = pending;
  p.events = 10'000'000;
  const std::string name =
      std::string("kernel/") + tcpsim::sim::queue_kind_name(queue) + "/pending:" + std::to_string(pending);
  benchmark::RegisterBenchmark(name.c_str(), kernel, p)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  for (const QueueKind q : {QueueKind::Wheel, QueueKind::Radix, QueueKind::Heap}) {
    add(q, 1'000'000);
    add(q, 10'000);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
