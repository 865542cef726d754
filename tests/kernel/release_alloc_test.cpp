// Releasing scheduler slots happens in destructors (a Timer's, an app's that cancels its pending
// steps), also while an exception such as std::bad_alloc unwinds: it must not allocate.
#include <catch2/catch.hpp>

#include <memory>
#include <new>
#include <vector>

#include "sim/kernel/scheduler.hpp"
#include "tests/support/alloc_probe.hpp"

using namespace tcpsim::sim;
using namespace tcpsim::sim::literals;
using tcpsim::test::FailingAllocations;

static_assert(noexcept(std::declval<Scheduler&>().cancel(EventId{})));
static_assert(noexcept(std::declval<Timer&>().cancel()));
static_assert(std::is_nothrow_destructible_v<Timer>);

TEST_CASE("Cancelling events and destroying timers allocates nothing, even when allocation fails",
          "[kernel][scheduler][oom]") {
  for (const auto kind : {QueueKind::Wheel, QueueKind::Radix, QueueKind::Heap}) {
    INFO(queue_kind_name(kind));
    Scheduler s(kind);
    int fired = 0;
    std::vector<EventId> events;
    std::vector<std::unique_ptr<Timer>> timers;
    events.reserve(5000);
    timers.reserve(5000);
    for (int i = 0; i < 5000; ++i) {
      events.push_back(s.schedule_in(Duration::ms(1 + i % 97), [&fired] { ++fired; }));
      timers.push_back(std::make_unique<Timer>(s, [&fired] { ++fired; }));
      timers.back()->arm_in(Duration::ms(2 + i % 89));
    }
    s.run(Time::zero() + 1_ms);  // some fire: their slots are released by the scheduler
    const std::size_t slots = s.slots_allocated();
    {
      FailingAllocations no_memory;
      for (const EventId id : events) s.cancel(id);
      for (std::size_t i = 0; i < timers.size(); i += 2) timers[i]->cancel();
      timers.clear();  // ~Timer releases each slot
      CHECK(no_memory.refused() == 0);
    }
    CHECK(s.pending_count() == 0);
    CHECK_FALSE(s.step());
    // The released slots are reused: the pool does not grow.
    for (int i = 0; i < 5000; ++i) s.schedule_in(1_ms, [&fired] { ++fired; });
    CHECK(s.slots_allocated() == slots);
    const int before = fired;
    s.run();
    CHECK(fired == before + 5000);
  }
}
