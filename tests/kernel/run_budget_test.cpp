// Scheduler::run with an event budget and run_within: the mechanism behind the scenario
// runtime's event and virtual-time bounds.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/kernel/scheduler.hpp"

using namespace tcpsim::sim;
using namespace tcpsim::sim::literals;

TEST_CASE("run stops after max_events events and leaves the clock at the last one", "[kernel][scheduler]") {
  for (const auto kind : {QueueKind::Wheel, QueueKind::Radix, QueueKind::Heap}) {
    INFO(queue_kind_name(kind));
    Scheduler s(kind);
    std::vector<int> order;
    for (int i = 0; i < 10; ++i) s.schedule_at(Time::zero() + Duration::ms(i + 1), [&order, i] { order.push_back(i); });
    CHECK(s.run(Time::zero() + 1_s, 4) == 4);
    CHECK(order == std::vector<int>{0, 1, 2, 3});
    CHECK(s.now() == Time::zero() + 4_ms);  // not moved on to `until`: events are left before it
    CHECK(s.run(Time::zero() + 1_s, 0) == 0);
    CHECK(s.now() == Time::zero() + 4_ms);
    // The rest, then the clock moves on to `until`.
    CHECK(s.run(Time::zero() + 1_s, 6) == 6);
    CHECK(s.now() == Time::zero() + 1_s);
    CHECK(order.size() == 10);
  }
}

TEST_CASE("run_within executes up to the limit without moving the clock past the last event", "[kernel][scheduler]") {
  Scheduler s;
  int fired = 0;
  s.schedule_at(Time::zero() + 1_s, [&fired] { ++fired; });
  s.schedule_at(Time::zero() + 5_s, [&fired] { ++fired; });
  CHECK(s.run_within(Time::zero() + 2_s) == 1);
  CHECK(s.now() == Time::zero() + 1_s);
  CHECK(s.next_time() == Time::zero() + 5_s);
  CHECK(s.run_within(Time::max()) == 1);
  CHECK(s.now() == Time::zero() + 5_s);
  CHECK(fired == 2);
}
