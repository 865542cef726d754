// What recorded a trace, read from its metadata (Trace::meta()): the model sets none; a live run
// on kernel sockets (sim/live/run.hpp) says source=kernel, kernel=<release>, hz=..., end=...,
// relay=... . The CLI's headers (`tcpsim compare`, `tcpsim diff`) and the GUI's Compare tab name
// a side with the same words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/trace/trace.hpp"

namespace tcpsim::trace {

// "Linux kernel 6.18.44, HZ 250" for a kernel's trace; another source as its metadata names it
// ("ns-3, HZ 100"); "model" for a trace without metadata (every trace the model records).
std::string origin_text(const Trace& t);

// The metadata says source=kernel: a kernel's trace cannot see the segments its TCP discarded on
// arrival, and its windows are scaled (compare it with CompareOptions::discards and ::windows off).
bool from_kernel(const Trace& t);

// The value of the metadata's `key`; "" when it has none.
std::string meta_value(const Trace& t, std::string_view key);

// Where a kernel trace's time 0 fell on the kernel's tick clock: its HZ (the number the meta "hz"
// starts with), and the meta "jiffies_at_start" and "tick_offset_ns" a live run records. nullopt
// when the trace does not say all three (a model's trace; a run without /proc/timer_list).
struct TickPhase {
  int hz = 0;
  std::uint64_t jiffies_at_start = 0;
  sim::Duration tick_offset{};
};
std::optional<TickPhase> tick_phase(const Trace& t);

// How late a live run's relay wrote the median packet into its namespace: the meta "relay"
// ("15 packets written, late by median 178 us, ..."). Every hop of the kernel's network was that
// much longer than the scenario's link delay (its reads from the kernel are late too, by an
// amount the run cannot see). nullopt when the trace does not say (a model's trace, no packets).
std::optional<sim::Duration> relay_lateness(const Trace& t);

}  // namespace tcpsim::trace
