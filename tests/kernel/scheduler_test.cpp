#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/kernel/random.hpp"
#include "sim/kernel/scheduler.hpp"

using namespace tcpsim::sim;
using namespace tcpsim::sim::literals;

// Every test here runs once per queue implementation.
#define EACH_QUEUE()                                                         \
  const QueueKind kind = GENERATE(QueueKind::Radix, QueueKind::Heap);      \
  Scheduler s(kind);                                                         \
  INFO("queue: " << s.queue_name())

TEST_CASE("Events run in time order whatever order they were scheduled in", "[kernel][scheduler]") {
  EACH_QUEUE();
  std::vector<int> order;
  s.schedule_at(Time::zero() + 30_ms, [&] { order.push_back(3); });
  s.schedule_at(Time::zero() + 10_ms, [&] { order.push_back(1); });
  s.schedule_at(Time::zero() + 20_ms, [&] { order.push_back(2); });
  CHECK(s.run() == 3);
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(s.now() == Time::zero() + 30_ms);
}

TEST_CASE("Events at the same time run in the order they were scheduled", "[kernel][scheduler]") {
  EACH_QUEUE();
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) s.schedule_at(Time::zero() + 5_ms, [&order, i] { order.push_back(i); });
  s.run();
  for (int i = 0; i < 100; ++i) REQUIRE(order[i] == i);
}

TEST_CASE("An event scheduled by a handler for now runs after the events already due now", "[kernel][scheduler]") {
  EACH_QUEUE();
  std::vector<std::string> order;
  s.schedule_at(Time::zero() + 1_ms, [&] {
    order.push_back("a");
    s.schedule_in(0_ns, [&] { order.push_back("c"); });
  });
  s.schedule_at(Time::zero() + 1_ms, [&] { order.push_back("b"); });
  s.run();
  CHECK(order == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("Scheduling in the past is a causality error", "[kernel][scheduler]") {
  EACH_QUEUE();
  s.schedule_at(Time::zero() + 10_ms, [] {});
  s.run();
  CHECK_THROWS_AS(s.schedule_at(Time::zero() + 5_ms, [] {}), CausalityError);
  CHECK_THROWS_WITH(s.schedule_at(Time::zero() + 5_ms, [] {}), Catch::Contains("before now"));
}

TEST_CASE("Cancelling a pending event prevents it and cancelling again is harmless", "[kernel][scheduler]") {
  EACH_QUEUE();
  int fired = 0;
  const EventId id = s.schedule_in(5_ms, [&] { ++fired; });
  CHECK(s.pending(id));
  CHECK(s.cancel(id));
  CHECK_FALSE(s.cancel(id));
  CHECK(s.run() == 0);
  CHECK(fired == 0);
}

TEST_CASE("Cancelling an event that already fired is a no-op, even after its slot is reused", "[kernel][scheduler]") {
  EACH_QUEUE();
  int a = 0, b = 0;
  const EventId first = s.schedule_in(1_ms, [&] { ++a; });
  s.run();
  const EventId second = s.schedule_in(1_ms, [&] { ++b; });  // reuses the freed slot
  CHECK_FALSE(s.cancel(first));
  CHECK(s.pending(second));
  s.run();
  CHECK(a == 1);
  CHECK(b == 1);
}

TEST_CASE("A handler can cancel another event due at the same time", "[kernel][scheduler]") {
  EACH_QUEUE();
  int victim = 0;
  EventId id;
  s.schedule_at(Time::zero() + 1_ms, [&] { CHECK(s.cancel(id)); });
  id = s.schedule_at(Time::zero() + 1_ms, [&] { ++victim; });
  s.run();
  CHECK(victim == 0);
}

TEST_CASE("A timer can be cancelled and re-armed from inside its own handler", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  int fired = 0;
  Timer* self = nullptr;
  Timer t(s, [&] {
    ++fired;
    if (fired < 3) self->arm_in(10_ms);  // periodic three times
    else self->cancel();
  });
  self = &t;
  t.arm_in(10_ms);
  s.run();
  CHECK(fired == 3);
  CHECK(s.now() == Time::zero() + 30_ms);
  CHECK_FALSE(t.armed());
}

TEST_CASE("Re-arming a timer later moves it, re-arming earlier moves it forward", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  std::vector<std::int64_t> at;
  Timer t(s, [&] { at.push_back(s.now().ns()); });
  t.arm_in(10_ms);
  t.arm_in(50_ms);  // later: the old entry is kept and re-queued lazily
  s.run(Time::zero() + 20_ms);
  CHECK(at.empty());
  t.arm_at(Time::zero() + 30_ms);  // earlier than 50 ms: a new entry supersedes the old one
  s.run();
  CHECK(at == std::vector<std::int64_t>{30'000'000});
  CHECK(s.executed() == 1);
}

TEST_CASE("Re-arming one timer a million times leaves a single pending event", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  int fired = 0;
  Timer t(s, [&] { ++fired; });
  for (int i = 1; i <= 1'000'000; ++i) t.arm_at(Time::zero() + Duration::us(i));
  CHECK(s.pending_count() == 1);
  CHECK(t.deadline() == Time::zero() + Duration::us(1'000'000));
  s.run();
  CHECK(fired == 1);
  CHECK(s.now() == Time::zero() + Duration::us(1'000'000));
}

TEST_CASE("A timer cancelled after it fired stays quiet and can be armed again", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  int fired = 0;
  Timer t(s, [&] { ++fired; });
  t.arm_in(1_ms);
  s.run();
  t.cancel();
  t.cancel();
  t.arm_in(1_ms);
  s.run();
  CHECK(fired == 2);
}

TEST_CASE("Destroying a timer inside its own handler is safe", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  int after = 0;
  s.schedule_in(2_ms, [&] { ++after; });
  std::unique_ptr<Timer> owned;
  owned = std::make_unique<Timer>(s, [&owned] { owned.reset(); });
  owned->arm_in(1_ms);
  s.run();
  CHECK(owned == nullptr);
  CHECK(after == 1);
  // The freed slot is reused without disturbing anything.
  Timer again(s, [&] { ++after; });
  again.arm_in(1_ms);
  s.run();
  CHECK(after == 2);
}

TEST_CASE("run(until) stops at the limit and advances the clock to it", "[kernel][scheduler]") {
  EACH_QUEUE();
  int fired = 0;
  s.schedule_at(Time::zero() + 10_ms, [&] { ++fired; });
  s.schedule_at(Time::zero() + 30_ms, [&] { ++fired; });
  CHECK(s.run(Time::zero() + 20_ms) == 1);
  CHECK(s.now() == Time::zero() + 20_ms);
  // After stopping early, scheduling before the remaining event still works.
  s.schedule_at(Time::zero() + 25_ms, [&] { fired += 10; });
  s.run();
  CHECK(fired == 12);
}

TEST_CASE("step() executes exactly one event", "[kernel][scheduler]") {
  EACH_QUEUE();
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) s.schedule_at(Time::zero() + Duration::ms(3 - i), [&order, i] { order.push_back(i); });
  const EventId gone = s.schedule_at(Time::zero() + 500_us, [&] { order.push_back(99); });
  s.cancel(gone);
  CHECK(s.next_time() == Time::zero() + 1_ms);
  CHECK(s.step());
  CHECK(order == std::vector<int>{2});
  CHECK(s.now() == Time::zero() + 1_ms);
  CHECK(s.step());
  CHECK(s.step());
  CHECK_FALSE(s.step());
  CHECK(order == std::vector<int>{2, 1, 0});
}

TEST_CASE("stop() ends run() after the current event", "[kernel][scheduler]") {
  EACH_QUEUE();
  int fired = 0;
  s.schedule_in(1_ms, [&] { ++fired; s.stop(); });
  s.schedule_in(2_ms, [&] { ++fired; });
  CHECK(s.run() == 1);
  CHECK(s.run() == 1);
  CHECK(fired == 2);
}

TEST_CASE("Both queues execute a random timer-heavy workload identically", "[kernel][scheduler]") {
  // The radix queue is checked against the heap: same events, same order, same times.
  auto trace_of = [](QueueKind k) {
    Scheduler s(k);
    Rng rng(99);
    std::vector<std::pair<std::int64_t, int>> log;
    std::vector<std::unique_ptr<Timer>> timers;
    for (int i = 0; i < 200; ++i)
      timers.push_back(std::make_unique<Timer>(s, [&log, &s, i] { log.emplace_back(s.now().ns(), i); }));
    for (int round = 0; round < 20000; ++round) {
      Timer& t = *timers[rng.uniform_int(0, timers.size() - 1)];
      const auto r = rng.uniform_int(0, 9);
      if (r < 6) t.arm_in(Duration::us(static_cast<std::int64_t>(rng.uniform_int(0, 5000))));
      else if (r < 8) t.cancel();
      else s.schedule_in(Duration::us(static_cast<std::int64_t>(rng.uniform_int(0, 100))),
                         [&log, &s, round] { log.emplace_back(s.now().ns(), -round); });
      if (rng.bernoulli(0.3)) s.step();
    }
    s.run();
    return log;
  };
  const auto radix = trace_of(QueueKind::Radix);
  const auto heap = trace_of(QueueKind::Heap);
  CHECK(radix.size() > 1000);
  CHECK(radix == heap);
}

namespace {
// A self-rescheduling event: each firing schedules its successor 1 ms later.
struct Chain {
  Scheduler* s;
  int* remaining;
  void operator()() const {
    if (--*remaining > 0) s->schedule_in(1_ms, Chain{s, remaining});
  }
};
}  // namespace

TEST_CASE("Schedule and arm reuse slots instead of growing in steady state", "[kernel][scheduler]") {
  EACH_QUEUE();
  int remaining = 100000;
  for (int i = 0; i < 1000; ++i) s.schedule_in(Duration::us(i), Chain{&s, &remaining});
  Timer t(s, [] {});
  s.run(Time::zero() + 10_ms);  // warm up
  const auto slots = s.slots_allocated();
  for (int i = 0; i < 1000; ++i) {
    t.arm_in(Duration::us(500 + i));
    s.step();
  }
  s.run();
  CHECK(remaining <= 0);
  CHECK(s.slots_allocated() == slots);
  CHECK(s.pending_count() == 0);
}
