#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "sim/kernel/random.hpp"
#include "sim/kernel/scheduler.hpp"

using namespace tcpsim::sim;
using namespace tcpsim::sim::literals;

// Every test here runs once per queue implementation.
#define EACH_QUEUE()                                                         \
  const QueueKind kind = GENERATE(QueueKind::Wheel, QueueKind::Radix, QueueKind::Heap); \
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

TEST_CASE("Every queue executes a random timer-heavy workload identically", "[kernel][scheduler]") {
  // The wheel and radix queues are checked against the heap: same events, same order, same times.
  // Delays are drawn from a few scales (many ties, microseconds, seconds) and next_time() peeks
  // between steps, so entries are pushed below ones already popped as stale.
  const std::uint64_t seed = GENERATE(99, 7, 2024);
  INFO("seed " << seed);
  auto trace_of = [seed](QueueKind k) {
    Scheduler s(k);
    Rng rng(seed);
    auto delay = [&rng] {
      switch (rng.uniform_int(0, 3)) {
        case 0: return Duration::ns(static_cast<std::int64_t>(rng.uniform_int(0, 3)));
        case 1: return Duration::us(static_cast<std::int64_t>(rng.uniform_int(0, 5000)));
        case 2: return Duration::ms(static_cast<std::int64_t>(rng.uniform_int(0, 2000)));
        default: return Duration::us(static_cast<std::int64_t>(rng.uniform_int(0, 100)));
      }
    };
    std::vector<std::pair<std::int64_t, int>> log;
    std::vector<std::unique_ptr<Timer>> timers;
    for (int i = 0; i < 200; ++i)
      timers.push_back(std::make_unique<Timer>(s, [&log, &s, i] { log.emplace_back(s.now().ns(), i); }));
    for (int round = 0; round < 20000; ++round) {
      Timer& t = *timers[rng.uniform_int(0, timers.size() - 1)];
      const auto r = rng.uniform_int(0, 9);
      if (r < 6) t.arm_in(delay());
      else if (r < 8) t.cancel();
      else s.schedule_in(delay(), [&log, &s, round] { log.emplace_back(s.now().ns(), -round); });
      if (rng.bernoulli(0.05)) s.next_time();
      if (rng.bernoulli(0.3)) s.step();
    }
    s.run();
    return log;
  };
  const auto heap = trace_of(QueueKind::Heap);
  CHECK(heap.size() > 1000);
  CHECK(trace_of(QueueKind::Wheel) == heap);
  CHECK(trace_of(QueueKind::Radix) == heap);
}

namespace {
// A timer-heavy run with enough pending timers for the wheel's prefetching lookahead. Handlers
// re-arm, cancel and destroy timers; a destroyed timer's slot is reused (by a one-shot event or
// a new timer) while its stale entries are still queued.
struct BigRun {
  Scheduler s;
  Rng rng{3};
  std::vector<std::uint64_t> log;
  std::vector<std::unique_ptr<Timer>> timers;
  std::uint64_t fired = 0;

  explicit BigRun(QueueKind k) : s(k), timers(30000) {}

  void make(std::size_t i) { timers[i] = std::make_unique<Timer>(s, [this, i] { fire(i); }); }
  void note(std::size_t what) { log.push_back(static_cast<std::uint64_t>(s.now().ns()) * 40000 + what); }

  void fire(std::size_t i) {
    note(i);
    if (++fired > 200000) return;
    timers[i]->arm_in(Duration::ns(static_cast<std::int64_t>(rng.uniform_int(1, 1'000'000'000))));
    const std::size_t j = rng.uniform_int(0, timers.size() - 1);
    switch (rng.uniform_int(0, 5)) {
      case 0:
        if (timers[j]) timers[j]->arm_in(Duration::us(static_cast<std::int64_t>(rng.uniform_int(0, 900'000))));
        break;
      case 1:
        if (timers[j]) timers[j]->cancel();
        break;
      case 2:
        if (j != i && timers[j]) {
          timers[j].reset();
          s.schedule_in(Duration::us(static_cast<std::int64_t>(rng.uniform_int(0, 1000))),
                        [this, j] { note(30000 + j % 10000); });
          make(j);
          timers[j]->arm_in(Duration::ms(static_cast<std::int64_t>(rng.uniform_int(0, 999))));
        }
        break;
      default:
        break;
    }
  }

  std::vector<std::uint64_t> run() {
    for (std::size_t i = 0; i < timers.size(); ++i) {
      make(i);
      timers[i]->arm_at(Time::zero() + Duration::ns(static_cast<std::int64_t>(rng.uniform_int(0, 999'999'999))));
    }
    s.run();
    CHECK(s.pending_count() == 0);
    return log;
  }
};
}  // namespace

TEST_CASE("Every queue runs a large timer workload identically", "[kernel][scheduler]") {
  const auto heap = BigRun(QueueKind::Heap).run();
  CHECK(heap.size() > 200000);
  CHECK(BigRun(QueueKind::Wheel).run() == heap);
  CHECK(BigRun(QueueKind::Radix).run() == heap);
}

TEST_CASE("A timer destroyed while armed leaves nothing behind, even when its slot is reused", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  std::vector<std::string> order;
  auto t = std::make_unique<Timer>(s, [&] { order.push_back("dead timer"); });
  t->arm_at(Time::zero() + 10_ms);
  t->arm_at(Time::zero() + 5_ms);  // a second, earlier entry
  CHECK(s.pending_count() == 1);
  t.reset();
  CHECK(s.pending_count() == 0);
  // The freed slot is reused at once; the dead timer's two entries must not run its new owner.
  const EventId id = s.schedule_at(Time::zero() + 20_ms, [&] { order.push_back("event"); });
  Timer u(s, [&] { order.push_back("new timer"); });
  u.arm_at(Time::zero() + 5_ms);
  CHECK(s.pending(id));
  CHECK(s.run() == 2);
  CHECK(order == std::vector<std::string>{"new timer", "event"});
}

TEST_CASE("An event scheduled earlier than a discarded entry still runs first", "[kernel][scheduler]") {
  // next_time() pops the cancelled entry at 30 ms; the queue must then accept an entry at 20 ms,
  // below the key it last popped.
  EACH_QUEUE();
  std::vector<int> order;
  const EventId gone = s.schedule_at(Time::zero() + 30_ms, [&] { order.push_back(30); });
  s.schedule_at(Time::zero() + 40_ms, [&] { order.push_back(40); });
  s.cancel(gone);
  CHECK(s.next_time() == Time::zero() + 40_ms);
  s.schedule_at(Time::zero() + 20_ms, [&] { order.push_back(20); });
  CHECK(s.next_time() == Time::zero() + 20_ms);
  s.run();
  CHECK(order == std::vector<int>{20, 40});
}

TEST_CASE("Timers re-armed later keep their place among events at the same instant", "[kernel][scheduler][timer]") {
  // A lazily moved entry is re-queued with the seq of the re-arm call, which is older than that of
  // events scheduled afterwards for the same instant.
  EACH_QUEUE();
  std::vector<std::string> order;
  Timer a(s, [&] { order.push_back("a"); });
  Timer b(s, [&] { order.push_back("b"); });
  a.arm_at(Time::zero() + 1_ms);
  b.arm_at(Time::zero() + 2_ms);
  a.arm_at(Time::zero() + 5_ms);  // kept lazily, moved when its 1 ms entry surfaces
  s.schedule_at(Time::zero() + 5_ms, [&] { order.push_back("e"); });
  b.arm_at(Time::zero() + 5_ms);  // also lazy; scheduled after e
  s.schedule_at(Time::zero() + 5_ms, [&] { order.push_back("f"); });
  s.run();
  CHECK(order == std::vector<std::string>{"a", "e", "b", "f"});
}

TEST_CASE("Tie orders: lower ranks first, lifo timers last-armed first, a same-instant re-arm keeps its place", "[kernel][scheduler][timer]") {
  // Linux's timer wheel at one tick: the coarser level's bucket first, each bucket newest first;
  // mod_timer() into the same bucket leaves a timer where it is; everything else after them.
  EACH_QUEUE();
  std::vector<std::string> order;
  const Time t = Time::zero() + 8_ms;
  const TieOrder level0{0x7f, true}, level1{0x7e, true};
  s.schedule_at(t, [&] { order.push_back("event"); });
  Timer a(s, [&] { order.push_back("a"); });
  Timer b(s, [&] { order.push_back("b"); });
  Timer c(s, [&] { order.push_back("c"); });
  Timer d(s, [&] { order.push_back("d"); });
  Timer e(s, [&] { order.push_back("e"); });
  a.arm_at(t, level0);
  b.arm_at(Time::zero() + 1_ms, level0);
  b.arm_at(t, level0);  // re-armed later: now after a in its bucket's list, so before it
  c.arm_at(t, level1);  // the coarser level runs first
  d.arm_at(t, level0);
  a.arm_at(t, level0);  // still pending for the same instant: keeps its place
  e.arm_at(t, level0);
  e.cancel();
  e.arm_at(t, level0);  // cancelled then armed: enqueued anew, at the head
  s.run();
  CHECK(order == std::vector<std::string>{"c", "e", "d", "b", "a", "event"});
}

TEST_CASE("Every queue runs a workload of mixed tie orders identically", "[kernel][scheduler][timer]") {
  // Many timers re-armed at random onto few instants, with random ranks and lifo flags.
  struct Workload {
    Scheduler s;
    Rng rng{7};
    std::vector<int> fired;
    std::vector<std::unique_ptr<Timer>> timers;
    int rearms = 0;
    explicit Workload(QueueKind kind) : s(kind) {}
    void fire(int i) {
      fired.push_back(i);
      if (++rearms >= 3000) return;
      const TieOrder o{static_cast<std::uint8_t>(0x78 + rng.uniform_int(0, 8)), rng.uniform_int(0, 1) == 1};
      timers[rng.uniform_int(0, timers.size() - 1)]->arm_at(s.now() + Duration::ms(static_cast<std::int64_t>(rng.uniform_int(0, 3)) * 4), o);
    }
  };
  std::vector<std::vector<int>> runs;
  for (const QueueKind kind : {QueueKind::Wheel, QueueKind::Radix, QueueKind::Heap}) {
    Workload w(kind);
    for (int i = 0; i < 300; ++i) w.timers.push_back(std::make_unique<Timer>(w.s, [p = &w, i] { p->fire(i); }));
    for (auto& t : w.timers) t->arm_at(Time::zero() + Duration::ms(static_cast<std::int64_t>(w.rng.uniform_int(0, 5)) * 4), TieOrder{0x7f, true});
    w.s.run();
    runs.push_back(w.fired);
  }
  CHECK(runs[0].size() > 1000);
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0] == runs[2]);
}

TEST_CASE("Events at the far end of the clock run in order", "[kernel][scheduler]") {
  EACH_QUEUE();
  std::vector<int> order;
  const Time end = Time::max();
  s.schedule_at(end, [&] { order.push_back(3); });
  s.schedule_at(end - Duration::ns(1), [&] { order.push_back(2); });
  s.schedule_at(end, [&] { order.push_back(4); });
  s.schedule_at(Time::zero() + Duration::s(1), [&] { order.push_back(1); });
  CHECK(s.run() == 4);
  CHECK(order == std::vector<int>{1, 2, 3, 4});
  CHECK(s.now() == end);
}

TEST_CASE("Many timers with random deadlines fire in deadline order", "[kernel][scheduler][timer]") {
  EACH_QUEUE();
  Rng rng(5);
  std::vector<std::unique_ptr<Timer>> timers;
  std::vector<std::pair<std::int64_t, int>> fired;
  for (int i = 0; i < 20000; ++i) {
    timers.push_back(std::make_unique<Timer>(s, [&fired, &s, i] { fired.emplace_back(s.now().ns(), i); }));
    timers.back()->arm_at(Time::zero() + Duration::ns(static_cast<std::int64_t>(rng.uniform_int(0, 1'000'000'000))));
  }
  for (int i = 0; i < 20000; i += 3) timers[i]->arm_in(Duration::ns(static_cast<std::int64_t>(rng.uniform_int(0, 2'000'000'000))));
  std::vector<std::pair<std::int64_t, int>> expected;
  for (int i = 0; i < 20000; ++i) expected.emplace_back(timers[i]->deadline().ns(), i);
  std::sort(expected.begin(), expected.end(), [&](const auto& x, const auto& y) {
    // same instant: the order of the arm calls (the re-armed third were armed last, in index order)
    if (x.first != y.first) return x.first < y.first;
    const bool rx = x.second % 3 == 0, ry = y.second % 3 == 0;
    return rx != ry ? ry : x.second < y.second;
  });
  CHECK(s.run() == 20000);
  CHECK(fired == expected);
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
