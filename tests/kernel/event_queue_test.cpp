#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/kernel/event_queue.hpp"
#include "sim/kernel/random.hpp"

using namespace tcpsim::sim;

namespace {

// Drives a queue with a seeded mix of pushes and pops and returns every popped entry in order.
// Keys are unique; pushes may go below keys already popped (the queues accept any key).
struct Script {
  std::uint64_t seed;
  std::uint64_t span;        // times are drawn from [floor, floor + span]
  double pop_share;          // probability that a step pops instead of pushes
  bool below_popped = true;  // let the floor lag behind the last popped time
};

std::vector<QueueEntry> drive(EventQueue& q, const Script& sc, int steps) {
  Rng rng(sc.seed);
  std::vector<QueueEntry> out;
  std::uint64_t seq = 0, floor = 0;
  const std::uint64_t max_time = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < steps; ++i) {
    if (!q.empty() && rng.bernoulli(sc.pop_share)) {
      out.push_back(q.top());
      q.pop();
      if (!sc.below_popped || rng.bernoulli(0.9)) floor = out.back().time;
    } else {
      const std::uint64_t room = max_time - floor;
      const std::uint64_t t = floor + rng.uniform_int(0, sc.span < room ? sc.span : room);
      // Mostly growing seqs, as fresh schedule calls have; sometimes a scrambled one (unique too:
      // multiplying by an odd constant is a bijection), as moved entries carry older seqs.
      ++seq;
      const std::uint64_t s = rng.bernoulli(0.9) ? seq << 1 : ((seq * 0x9e3779b97f4a7c15ULL) | 1);
      q.push({t, s, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(s)});
    }
  }
  while (!q.empty()) {
    out.push_back(q.top());
    q.pop();
  }
  return out;
}

bool same(const std::vector<QueueEntry>& a, const std::vector<QueueEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].time != b[i].time || a[i].seq != b[i].seq || a[i].slot != b[i].slot) return false;
  return true;
}

bool sorted(const std::vector<QueueEntry>& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] < v[i - 1]) return false;
  return true;
}

}  // namespace

TEST_CASE("The wheel and radix queues pop exactly what the heap pops", "[kernel][queue]") {
  const std::uint64_t seed = GENERATE(range(1, 9));
  const std::uint64_t span = GENERATE(std::uint64_t{0}, std::uint64_t{7}, std::uint64_t{1000},
                                      std::uint64_t{1'000'000'000}, std::uint64_t{1} << 62);
  const double pop_share = GENERATE(0.3, 0.5, 0.7);
  const Script sc{seed, span, pop_share};
  INFO("seed " << seed << " span " << span << " pop share " << pop_share);
  HeapQueue heap;
  const auto expected = drive(heap, sc, 20000);
  WheelQueue wheel;
  CHECK(same(drive(wheel, sc, 20000), expected));
  RadixQueue radix;
  CHECK(same(drive(radix, sc, 20000), expected));
}

TEST_CASE("The wheel queue sorts a large batch pushed before any pop", "[kernel][queue]") {
  WheelQueue q;
  Rng rng(11);
  for (std::uint32_t i = 0; i < 200000; ++i) q.push({rng.uniform_int(0, 1'000'000'000), i, i, 0});
  for (std::uint32_t i = 0; i < 1000; ++i) q.push({500'000'000, 300000 + i, i, 0});  // one crowded instant
  std::vector<QueueEntry> out;
  while (!q.empty()) {
    out.push_back(q.top());
    q.pop();
  }
  CHECK(out.size() == 201000);
  CHECK(sorted(out));
}

TEST_CASE("A large wheel queue lets its next entries be inspected ahead of popping", "[kernel][queue]") {
  WheelQueue q;
  const std::uint32_t n = 20000;  // large enough for the lookahead run
  for (std::uint32_t i = 0; i < n; ++i) q.push({10ull * (n - i), i, i, 0});
  CHECK(q.top().time == 10);
  for (int round = 0; round < 3; ++round) {
    const std::uint64_t top = q.top().time;
    for (std::size_t k = 0; k < WheelQueue::kLookahead; ++k) {
      const QueueEntry* e = q.ahead(k);
      REQUIRE(e != nullptr);
      CHECK(e->time == top + 10 * k);
    }
    q.pop();
    CHECK(q.top().time == top + 10);
  }
}

TEST_CASE("make_queue knows every queue by name", "[kernel][queue]") {
  CHECK(std::string(make_queue("wheel")->name()) == "wheel");
  CHECK(std::string(make_queue("radix")->name()) == "radix");
  CHECK(std::string(make_queue("heap")->name()) == "heap");
  CHECK_THROWS_AS(make_queue("splay"), std::invalid_argument);
}

TEST_CASE("The wheel queue matches the heap with a large queue and delays of every scale", "[kernel][queue]") {
  // Tens of thousands queued (so the wheel keeps its lookahead run), phases of short delays (most
  // pushes land in the range already sorted, which narrows what the wheel sorts) and of long
  // ones (which widens it again), and some pushes below the last popped key.
  HeapQueue heap;
  WheelQueue wheel;
  Rng rng(21);
  std::uint64_t seq = 0, now = 0;
  std::size_t compared = 0;
  auto push_both = [&](std::uint64_t t) {
    const QueueEntry e{t, ++seq, static_cast<std::uint32_t>(seq), 0};
    heap.push(e);
    wheel.push(e);
  };
  for (int i = 0; i < 40000; ++i) push_both(rng.uniform_int(0, 2'000'000'000));
  for (int phase = 0; phase < 6; ++phase) {
    const std::uint64_t max_delay = phase % 2 == 0 ? 50'000 : 1'500'000'000;
    for (int i = 0; i < 60000; ++i) {
      REQUIRE(wheel.size() == heap.size());
      REQUIRE(wheel.top().time == heap.top().time);
      REQUIRE(wheel.top().seq == heap.top().seq);
      now = heap.top().time;
      heap.pop();
      wheel.pop();
      ++compared;
      push_both(now + rng.uniform_int(0, max_delay));
      if (rng.bernoulli(0.01)) push_both(now > 1000 ? now - rng.uniform_int(0, 1000) : now);
      if (rng.bernoulli(0.2)) push_both(now + rng.uniform_int(0, 3));  // crowded instants
    }
  }
  while (!heap.empty()) {
    REQUIRE(wheel.top().seq == heap.top().seq);
    heap.pop();
    wheel.pop();
    ++compared;
  }
  CHECK(wheel.empty());
  CHECK(compared > 400000);
}

TEST_CASE("The heap queue knows the entry that follows its top", "[kernel][queue]") {
  HeapQueue q;
  CHECK(q.second() == nullptr);
  Rng rng(8);
  for (std::uint32_t i = 0; i < 2000; ++i) {
    q.push({rng.uniform_int(0, 500), i, i, 0});
    if (rng.bernoulli(0.3)) q.pop();
  }
  while (q.size() > 1) {
    const QueueEntry next = *q.second();
    q.pop();
    REQUIRE(q.top().seq == next.seq);
  }
  CHECK(q.second() == nullptr);
}
