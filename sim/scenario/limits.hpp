// Bounds on a run: how far in virtual time, how many events and how many trace records kept in
// memory. A scenario without "until" whose timers never stop (a keep-alive answered forever, a
// persist timer probing a window that never opens) or that sends a terabyte would otherwise run
// until memory is gone. Every run has all three bounds; the defaults are far above what any
// bundled scenario needs (the busiest executes 14 001 events and keeps 62 002 records, the
// longest ends at t = 946 s), and a scenario ("limits") or a command (--max-time, --max-events,
// --max-records) can set each one.
//
// When a bound is hit the run stops between two events (deterministically: the same scenario and
// seed stop after the same event, with the same trace) and World::bound_hit() says which bound,
// where and how to raise it. The checks cost one comparison per event (the event budget), one per
// record kept, and none for time (the scheduler never looks past the bound).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/kernel/time.hpp"

namespace tcpsim::scenario {

// Each unset field falls back to the next source: command line, then scenario, then default.
struct Limits {
  std::optional<sim::Duration> time;     // the virtual time the run may reach
  std::optional<std::uint64_t> events;   // events executed
  std::optional<std::uint64_t> records;  // trace records kept in memory (not counted when not kept)
  // Every field at its largest: no bound at all (benchmarks that measure huge runs on purpose).
  static Limits none();
};

// Defaults: a month of virtual time (the longest "until" a scenario may give), 50 million events
// (a few seconds to a minute of work), 2 million records (about 300 MB).
inline constexpr sim::Duration kDefaultTimeBound = sim::Duration::s(720 * 3600);
inline constexpr std::uint64_t kDefaultEventBound = 50'000'000;
inline constexpr std::uint64_t kDefaultRecordBound = 2'000'000;
// What a scenario or a command may ask for. 100 years keeps every deadline far from the 292-year
// end of 64-bit nanoseconds.
inline constexpr sim::Duration kMaxTimeBound = sim::Duration::s(876'000LL * 3600);
inline constexpr std::string_view kMaxTimeBoundText = "876000h (100 years)";
inline constexpr std::uint64_t kMaxEventBound = 1'000'000'000'000'000;  // 10^15
inline constexpr std::uint64_t kMaxRecordBound = 1'000'000'000'000;     // 10^12

// The bounds in force for one run.
struct Bounds {
  sim::Duration time = kDefaultTimeBound;
  std::uint64_t events = kDefaultEventBound;
  std::uint64_t records = kDefaultRecordBound;
  // `command` over `scenario` over the defaults.
  static Bounds resolve(const Limits& command, const Limits& scenario);
};

enum class Bound : std::uint8_t { Time, Events, Records };
const char* to_string(Bound b);  // "virtual-time", "event", "record"

// Where a run stopped at a bound.
struct BoundHit {
  Bound bound = Bound::Events;
  Bounds bounds;                    // the bounds in force
  std::uint64_t events = 0;         // executed
  std::uint64_t records = 0;        // kept
  sim::Time at{};                   // virtual time of the last event executed
  std::optional<sim::Time> next{};  // the time bound: the first event past it

  // "stopped at the event bound: 50000000 events executed by t=12.300000 s"
  std::string what() const;
  // How to raise it, for the command line ("raise it with --max-events N or "limits":
  // {"events": N}, or end the run with "until"") or for a scenario alone (the GUI).
  std::string how_to_raise(bool command_line) const;
};

}  // namespace tcpsim::scenario
