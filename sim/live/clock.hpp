// The clock of a live run: CLOCK_MONOTONIC in nanoseconds. The relay, the hosts' apps (in other
// processes) and the kernel's tracepoints (trace_clock "mono") all read this one clock, so their
// times merge into one trace.
#pragma once

#include <time.h>

#include <cstdint>

namespace tcpsim::live {

inline std::int64_t monotonic_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

}  // namespace tcpsim::live
