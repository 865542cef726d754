// Bounds on a run (sim/scenario/limits.hpp): the "limits" field, and the World stopping at each
// bound deterministically, the same way when run and when stepped.

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "loader_support.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/jsonl.hpp"
#include "tests/support/alloc_probe.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;
using namespace tcpsim::sim::literals;

namespace {

// A connection kept open with keep-alive probes every 720 h that the live peer answers: without
// "until" nothing ends it. Before time saturated, 2^63 ns came after 3 600 probes and the run
// died of a causality violation.
constexpr std::string_view kKeepalive720h = R"({
  "name": "keepalive-720h",
  "tcp": {"keepalive": true, "keepalive_idle": "720h", "keepalive_interval": "720h"},
  "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2"}],
  "links": [{"between": ["A", "B"], "delay": "10ms"}],
  "apps": [
    {"host": "B", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
    {"host": "A", "steps": [{"at": "1ms", "do": "connect", "to": "B:80"}]}
  ] LIMITS
})";

// B never reads and A has a terabyte to send: A's persist timer probes the zero window every
// 60 s (never giving up) and its Send step looks for buffer space every 10 ms.
constexpr std::string_view kZeroWindowForever = R"({
  "name": "zero-window-forever",
  "tcp": {"mss": 1024},
  "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2", "tcp": {"recv_buffer": 4096}}],
  "links": [{"between": ["A", "B"], "delay": "10ms"}],
  "apps": [
    {"host": "B", "auto_receive": false, "steps": [{"at": "0s", "do": "listen", "port": 80}]},
    {"host": "A", "steps": [{"at": "1ms", "do": "connect", "to": "B:80"},
                            {"on": "connected", "do": "send", "bytes": 1099511627776}]}
  ] LIMITS
})";

Scenario with_limits(std::string_view text, const std::string& limits) {
  std::string s(text);
  s.replace(s.find("LIMITS"), 6, limits.empty() ? "" : ", " + limits);
  LoadResult r = load(s);
  INFO(report(r));
  REQUIRE(r.ok());
  return *r.scenario;
}

std::string jsonl_of(World& w) {
  std::ostringstream out;
  for (const auto& r : w.trace().records()) out << trace::to_json(r, w.trace()) << "\n";
  return out.str();
}

}  // namespace

TEST_CASE("The limits field sets each bound and leaves the others at their defaults", "[limits][loader]") {
  const Scenario s = loaded(load(scenario_with(R"(, "limits": {"time": "2h", "records": 1000})")));
  CHECK(s.limits.time == sim::Duration::s(7200));
  CHECK_FALSE(s.limits.events);
  CHECK(s.limits.records == 1000u);
  const Bounds b = Bounds::resolve({}, s.limits);
  CHECK(b.time == sim::Duration::s(7200));
  CHECK(b.events == kDefaultEventBound);
  CHECK(b.records == 1000u);
  // A command's bound wins over the scenario's.
  Limits command;
  command.records = 5;
  command.events = 7;
  const Bounds c = Bounds::resolve(command, s.limits);
  CHECK(c.records == 5u);
  CHECK(c.events == 7u);
  CHECK(c.time == sim::Duration::s(7200));
  CHECK(loaded(load(scenario_with(""))).limits.time == std::nullopt);
}

TEST_CASE("Bad limits are reported at their value with the range expected", "[limits][loader]") {
  const std::string zero = scenario_with(R"(, "limits": {"events": 0})");
  check_error(only_error(load(zero)), where(zero, "0}"), "/limits/events", "expected an integer in [1, 1000000000000000], found 0");
  const std::string time = scenario_with(R"(, "limits": {"time": "900000h"})");
  check_error(only_error(load(time)), where(time, "\"900000h\""), "/limits/time", "at most 876000h (100 years)");
  const std::string unit = scenario_with(R"(, "limits": {"time": 30})");
  check_error(only_error(load(unit)), where(unit, "30}"), "/limits/time", "expected a duration string");
  const std::string records = scenario_with(R"(, "limits": {"records": "5"})");
  check_error(only_error(load(records)), where(records, "\"5\""), "/limits/records", "write the number without quotes");
  const std::string unknown = scenario_with(R"(, "limits": {"event": 5})");
  check_error(only_error(load(unknown)), where(unknown, "\"event\""), "/limits/event", "did you mean \"events\"?");
  const std::string type = scenario_with(R"(, "limits": 5)");
  check_error(only_error(load(type)), where(type, "5}"), "/limits", "an object of bounds on the run");
}

TEST_CASE("Keep-alive every 720 h stops at the virtual-time bound instead of overflowing", "[limits][world]") {
  World w(with_limits(kKeepalive720h, R"("limits": {"time": "87600h"})"));  // 10 years
  w.run();
  REQUIRE(w.bound_hit());
  const BoundHit& hit = *w.bound_hit();
  CHECK(hit.bound == Bound::Time);
  REQUIRE(hit.next);
  CHECK(*hit.next > sim::Time::zero() + sim::Duration::s(87600LL * 3600));
  CHECK(hit.at <= sim::Time::zero() + sim::Duration::s(87600LL * 3600));
  CHECK(w.scheduler().now() == hit.at);  // the clock stays at the last event
  CHECK(w.finished());
  CHECK_THAT(hit.what(), Catch::StartsWith("stopped at the virtual-time bound of 87600h: the next event is at t="));
  CHECK(hit.how_to_raise(true) == R"(raise it with --max-time T or "limits": {"time": "T"}, or end the run with "until")");
  CHECK(hit.how_to_raise(false) == R"(raise it with "limits": {"time": "T"} in the scenario, or end the run with "until")");
  // Twelve probes a year, each answered: the run got that far.
  CHECK(w.trace().segments().sent > 2 * 120);
}

TEST_CASE("Keep-alive every 720 h up to the largest time bound never overflows the clock", "[limits][world]") {
  RunOptions opt;
  opt.limits.time = kMaxTimeBound;
  World w(with_limits(kKeepalive720h, ""), opt);
  w.run();
  REQUIRE(w.bound_hit());
  CHECK(w.bound_hit()->bound == Bound::Time);
  CHECK(w.scheduler().now() <= sim::Time::zero() + kMaxTimeBound);
  CHECK(w.scheduler().now() > sim::Time::zero() + kMaxTimeBound - sim::Duration::s(2 * 720 * 3600));
}

TEST_CASE("A run without a bound in sight is not stopped and ends as before", "[limits][world]") {
  const std::string text = std::string(kKeepalive720h).replace(std::string(kKeepalive720h).find("LIMITS"), 6,
                                                               R"(, "until": "10s")");
  World w(loaded(load(text)));
  w.run();
  CHECK_FALSE(w.bound_hit());
  CHECK(w.scheduler().now() == sim::Time::zero() + 10_s);
}

TEST_CASE("The event bound stops the run after exactly that many events", "[limits][world]") {
  World w(with_limits(kZeroWindowForever, R"("limits": {"events": 100000})"));
  w.run();
  REQUIRE(w.bound_hit());
  CHECK(w.bound_hit()->bound == Bound::Events);
  CHECK(w.scheduler().executed() == 100000u);
  CHECK(w.bound_hit()->events == 100000u);
  CHECK(w.bound_hit()->at == w.scheduler().now());
  CHECK(w.bound_hit()->what() ==
        "stopped at the event bound: 100000 events executed by t=" + sim::format_seconds(w.scheduler().now()) + " s");
  CHECK(w.bound_hit()->how_to_raise(true) ==
        R"(raise it with --max-events N or "limits": {"events": N}, or end the run with "until")");
}

TEST_CASE("The record bound stops the run after the event that reached it", "[limits][world]") {
  RunOptions opt;
  opt.limits.records = 500;
  World w(with_limits(kZeroWindowForever, R"("limits": {"records": 1000000})"), opt);  // the command's wins
  w.run();
  REQUIRE(w.bound_hit());
  CHECK(w.bound_hit()->bound == Bound::Records);
  const std::size_t kept = w.trace().records().size();
  CHECK(kept >= 500);
  CHECK(kept < 520);  // the rest of the one event that reached it
  CHECK(w.bound_hit()->records == kept);
  CHECK_THAT(w.bound_hit()->what(), Catch::StartsWith("stopped at the record bound: " + std::to_string(kept) +
                                                      " trace records kept (bound 500) after "));
}

TEST_CASE("Records not kept in memory do not count against the record bound", "[limits][world]") {
  RunOptions opt;
  opt.keep_records = false;
  opt.limits.records = 10;
  opt.limits.events = 20000;
  World w(with_limits(kZeroWindowForever, ""), opt);
  w.run();
  REQUIRE(w.bound_hit());
  CHECK(w.bound_hit()->bound == Bound::Events);
  CHECK(w.trace().record_count() > 10);
}

TEST_CASE("A bounded run and a stepped one stop after the same event with the same trace", "[limits][world]") {
  for (const char* limits : {R"("limits": {"events": 3000})", R"("limits": {"records": 700})",
                             R"("limits": {"time": "3h"})"}) {
    INFO(limits);
    World ran(with_limits(kZeroWindowForever, limits));
    ran.run();
    World stepped(with_limits(kZeroWindowForever, limits));
    while (stepped.step()) {
    }
    REQUIRE(ran.bound_hit());
    REQUIRE(stepped.bound_hit());
    CHECK(stepped.bound_hit()->bound == ran.bound_hit()->bound);
    CHECK(stepped.scheduler().executed() == ran.scheduler().executed());
    CHECK(stepped.bound_hit()->what() == ran.bound_hit()->what());
    CHECK(jsonl_of(stepped) == jsonl_of(ran));
    // Once stopped, it stays stopped.
    CHECK_FALSE(stepped.step());
    // And a second run of the same scenario and seed is byte-identical.
    World again(with_limits(kZeroWindowForever, limits));
    again.run();
    CHECK(jsonl_of(again) == jsonl_of(ran));
  }
}

TEST_CASE("Destroying a world in the middle of a run allocates nothing", "[limits][world][oom]") {
  // What unwinding does when std::bad_alloc ends a run: apps cancel their pending steps, timers
  // release their slots. An allocation there would throw from a destructor and abort.
  auto w = std::make_unique<World>(with_limits(kZeroWindowForever, R"("limits": {"events": 5000})"));
  w->run();
  REQUIRE(w->bound_hit());
  REQUIRE(w->scheduler().pending_count() > 0);
  tcpsim::test::FailingAllocations no_memory;
  w.reset();
  CHECK(no_memory.refused() == 0);
}

TEST_CASE("A run with nothing to do still ends at its stop time", "[limits][world]") {
  World w(loaded(load(scenario_with(R"(, "until": "5s")"))));
  w.run();
  CHECK_FALSE(w.bound_hit());
  CHECK(w.scheduler().executed() == 0);
  CHECK(w.scheduler().now() == sim::Time::zero() + 5_s);
}
