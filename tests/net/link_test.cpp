#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/net/link.hpp"
#include "tests/net/fixture.hpp"

using namespace tcpsim;
using namespace tcpsim::net;
using namespace tcpsim::sim::literals;
using net::test::World;
using trace::DropReason;
using trace::EffectCause;

namespace {

// Two hosts a (10.0.0.1) and b (10.0.0.2) joined by one link with `ab` from a to b.
struct Pair : World {
  NodeId a = 0, b = 0;
  explicit Pair(const LinkParams& ab, std::uint64_t seed = 1) : World(seed) {
    a = host("a", "10.0.0.1");
    b = host("b", "10.0.0.2");
    link("a", "b", ab, test::delay_of(1_ms));
  }
  SegmentId send_ab(std::uint32_t len = 0) { return send(a, seg(a, "10.0.0.2", {.ack = true}, len)); }
  // Sends n segments from a at time 0 and runs to the end.
  void burst(int n) {
    for (int i = 0; i < n; ++i) send_ab();
    run();
  }
  std::size_t drops(DropReason r) const {
    std::size_t n = 0;
    for (const auto& [t, d] : all<trace::SegmentDropped>()) n += d.reason == r ? 1 : 0;
    return n;
  }
};

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

}  // namespace

TEST_CASE("A segment arrives exactly one propagation delay after it is sent", "[link]") {
  LinkParams ab = test::delay_of(10_ms);
  Pair w(ab);
  const SegmentId first = w.send_ab();
  w.send_at(at(3_ms), w.b, w.seg(w.b, "10.0.0.1"));  // the other direction has its own delay
  w.run();
  CHECK(w.delivered_at(first) == at(10_ms));
  CHECK(w.delivered_at(first + 1) == at(3_ms + 1_ms));
  const auto d = w.all<trace::SegmentDelivered>();
  REQUIRE(d.size() == 2);
  CHECK(d[0].second.node == w.a);  // the 4 ms arrival comes first
  CHECK(d[1].second.node == w.b);
}

TEST_CASE("Serialization time is size * 8 / bandwidth, rounded up to a nanosecond", "[link]") {
  CHECK(serialization_time(1040, 8'000'000) == 1'040_us);
  CHECK(serialization_time(1, 3) == sim::Duration::ns(2'666'666'667));
  CHECK(serialization_time(1500, 0) == sim::Duration::zero());
  CHECK(serialization_time(65535, 1) == sim::Duration::s(65535 * 8));
}

TEST_CASE("A bandwidth-limited link serializes back-to-back segments and drops beyond its queue", "[link]") {
  LinkParams ab = test::delay_of(5_ms);
  ab.bandwidth_bps = 8'000'000;
  ab.queue_limit = 1;
  Pair w(ab);
  // 1000 payload bytes + 40 header bytes = 1040 bytes = 1.04 ms at 8 Mbit/s.
  const SegmentId s1 = w.send_ab(1000);  // on the wire
  const SegmentId s2 = w.send_ab(1000);  // waits (the queue holds one)
  const SegmentId s3 = w.send_ab(1000);  // the queue is full
  // When s1 has left the wire, s2 is on it and the queue has room again.
  w.send_at(at(1'040_us), w.a, w.seg(w.a, "10.0.0.2", {.ack = true}, 1000));
  w.run();
  CHECK(w.delivered_at(s1) == at(1'040_us + 5_ms));
  CHECK(w.delivered_at(s2) == at(2'080_us + 5_ms));
  CHECK_FALSE(w.delivered_at(s3));
  const auto drop = w.dropped(s3);
  REQUIRE(drop);
  CHECK(drop->reason == DropReason::QueueOverflow);
  CHECK(drop->node == w.a);
  CHECK(drop->toward == w.b);
  CHECK(w.delivered_at(s3 + 1) == at(3'120_us + 5_ms));  // behind s2: starts at 2.08 ms
}

TEST_CASE("A queue limit of zero keeps only the segment on the wire", "[link]") {
  LinkParams ab = test::delay_of(1_ms);
  ab.bandwidth_bps = 1'000'000;
  ab.queue_limit = 0;
  Pair w(ab);
  w.burst(3);
  CHECK(w.count<trace::SegmentDelivered>() == 1);
  CHECK(w.drops(DropReason::QueueOverflow) == 2);
}

TEST_CASE("Bernoulli loss at p = 0.1 loses 10% of 100k segments within 3 sigma", "[link][loss]") {
  LinkParams ab;
  ab.loss = {.kind = LossModel::Kind::Bernoulli, .rate = 0.1};
  Pair w(ab, 7);
  w.burst(100'000);
  const double sigma = std::sqrt(100'000 * 0.1 * 0.9);
  const auto lost = static_cast<double>(w.drops(DropReason::Loss));
  CHECK(std::abs(lost - 10'000) <= 3 * sigma);
  const auto d = w.all<trace::SegmentDropped>().front().second;
  CHECK(d.node == w.a);
  CHECK(d.toward == w.b);
  CHECK(w.trace.segments().delivered + w.drops(DropReason::Loss) == 100'000);
}

namespace {
// Mean length of the runs of consecutive lost segments, in send order.
double mean_burst(const World& w) {
  std::vector<SegmentId> lost;
  for (const auto& [t, d] : w.all<trace::SegmentDropped>()) lost.push_back(d.id);
  std::sort(lost.begin(), lost.end());
  std::size_t bursts = 0;
  for (std::size_t i = 0; i < lost.size(); ++i) bursts += (i == 0 || lost[i] != lost[i - 1] + 1) ? 1 : 0;
  return bursts == 0 ? 0.0 : static_cast<double>(lost.size()) / static_cast<double>(bursts);
}
}  // namespace

TEST_CASE("Gilbert-Elliott loss comes in bursts of 1/p_bad_to_good segments on average", "[link][loss]") {
  LinkParams ab;
  ab.loss.kind = LossModel::Kind::GilbertElliott;
  ab.loss.ge = {.p_good_to_bad = 0.01, .p_bad_to_good = 0.25, .loss_good = 0.0, .loss_bad = 1.0};
  Pair w(ab, 11);
  w.burst(200'000);
  CHECK(mean_burst(w) == Approx(4.0).margin(0.4));
  // Long-run loss rate: the bad state's share, p_gb / (p_gb + p_bg).
  const double rate = static_cast<double>(w.drops(DropReason::Loss)) / 200'000;
  CHECK(rate == Approx(0.01 / 0.26).margin(0.005));

  // Bernoulli loss at the same rate hardly ever loses two in a row.
  LinkParams flat;
  flat.loss = {.kind = LossModel::Kind::Bernoulli, .rate = 0.01 / 0.26};
  Pair v(flat, 11);
  v.burst(200'000);
  CHECK(mean_burst(v) < 1.1);
}

TEST_CASE("Link duplication copies the given share of segments, each copy right behind its original", "[link]") {
  LinkParams ab = test::delay_of(2_ms);
  ab.duplicate = 0.2;
  Pair w(ab, 3);
  w.burst(50'000);
  const auto dups = w.all<trace::SegmentDuplicated>();
  const double sigma = std::sqrt(50'000 * 0.2 * 0.8);
  CHECK(std::abs(static_cast<double>(dups.size()) - 10'000) <= 3 * sigma);
  CHECK(w.trace.segments().delivered == 50'000 + dups.size());
  const auto delivered = w.all<trace::SegmentDelivered>();
  std::map<SegmentId, sim::Time> delivered_at;  // one pass: 60k lookups must not rescan the trace
  for (const auto& [t, d] : delivered) delivered_at.emplace(d.id, t);
  for (const auto& [t, d] : dups) {
    REQUIRE(d.cause == EffectCause::Link);
    REQUIRE(d.node == w.a);
    REQUIRE(d.copy == d.id + 1);  // a fresh id, taken as the original entered the link
    REQUIRE(delivered_at.at(d.copy) == delivered_at.at(d.id));
  }
  // Same instant, and the copy's delivery is recorded after the original's.
  const auto& first = dups.front().second;
  std::size_t orig_at = 0, copy_at = 0;
  for (std::size_t i = 0; i < delivered.size(); ++i) {
    if (delivered[i].second.id == first.id) orig_at = i;
    if (delivered[i].second.id == first.copy) copy_at = i;
  }
  CHECK(copy_at == orig_at + 1);
}

TEST_CASE("A duplicate follows its original through the serialization queue", "[link]") {
  LinkParams ab = test::delay_of(1_ms);
  ab.duplicate = 1.0;
  ab.bandwidth_bps = 8'000'000;
  Pair w(ab);
  const SegmentId s = w.send_ab(1000);
  w.run();
  const auto dups = w.all<trace::SegmentDuplicated>();
  REQUIRE(dups.size() == 1);
  CHECK(w.delivered_at(s) == at(1'040_us + 1_ms));
  CHECK(w.delivered_at(dups[0].second.copy) == at(2'080_us + 1_ms));
}

TEST_CASE("Reordering holds some segments back so that later ones overtake them", "[link][reorder]") {
  LinkParams ab = test::delay_of(10_ms);
  ab.reorder = 0.3;
  Pair w(ab, 5);
  for (int i = 0; i < 200; ++i) w.send_at(at(1_ms * i), w.a, w.seg(w.a, "10.0.0.2"));
  w.run();
  const auto delayed = w.all<trace::SegmentDelayed>();
  CHECK(delayed.size() > 30);
  CHECK(delayed.size() < 90);
  for (const auto& [t, d] : delayed) {
    REQUIRE(d.cause == EffectCause::Link);
    REQUIRE(d.extra == 10_ms);  // default hold: the link's delay (at least 1 ms)
    REQUIRE(w.delivered_at(d.id) == t + 20_ms);
  }
  const auto delivered = w.all<trace::SegmentDelivered>();
  REQUIRE(delivered.size() == 200);
  bool overtaken = false;
  for (std::size_t i = 1; i < delivered.size(); ++i) overtaken |= delivered[i].second.id < delivered[i - 1].second.id;
  CHECK(overtaken);
}

TEST_CASE("The reorder hold defaults to the link delay but at least 1 ms", "[link][reorder]") {
  LinkParams p = test::delay_of(100_us);
  CHECK(reorder_hold(p) == 1_ms);
  p.delay = 30_ms;
  CHECK(reorder_hold(p) == 30_ms);
  p.reorder_delay = 7_ms;
  CHECK(reorder_hold(p) == 7_ms);
}

TEST_CASE("Jitter keeps every arrival within delay +- jitter and uses the whole range", "[link][jitter]") {
  LinkParams ab = test::delay_of(10_ms);
  ab.jitter = 2_ms;
  Pair w(ab, 9);
  w.burst(10'000);
  sim::Time lo = sim::Time::max(), hi = sim::Time::zero();
  for (const auto& [t, d] : w.all<trace::SegmentDelivered>()) {
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  CHECK(lo >= at(8_ms));
  CHECK(hi <= at(12_ms));
  CHECK(lo < at(8'100_us));
  CHECK(hi > at(11'900_us));
}

TEST_CASE("Jitter larger than the delay never delivers before the transmission ends", "[link][jitter]") {
  LinkParams ab = test::delay_of(1_ms);
  ab.jitter = 5_ms;
  ab.bandwidth_bps = 8'000'000;
  Pair w(ab, 9);
  const SegmentId s = w.send_ab(1000);
  for (int i = 0; i < 1000; ++i) w.send_at(at(10_ms * (i + 1)), w.a, w.seg(w.a, "10.0.0.2", {.ack = true}, 1000));
  w.run();
  std::size_t at_tx_end = 0;
  for (const auto& [t, d] : w.all<trace::SegmentDelivered>()) {
    const sim::Time sent = at(10_ms * static_cast<std::int64_t>(d.id - s));
    REQUIRE(t >= sent + 1'040_us);
    REQUIRE(t <= sent + 1'040_us + 6_ms);
    at_tx_end += t == sent + 1'040_us ? 1 : 0;
  }
  CHECK(at_tx_end > 300);  // jitter <= -1 ms is clamped: about 4 draws in 10
}

TEST_CASE("Jitter may reorder segments, as netem does", "[link][jitter]") {
  LinkParams ab = test::delay_of(10_ms);
  ab.jitter = 5_ms;
  Pair w(ab, 2);
  for (int i = 0; i < 100; ++i) w.send_at(at(1_ms * i), w.a, w.seg(w.a, "10.0.0.2"));
  w.run();
  const auto delivered = w.all<trace::SegmentDelivered>();
  bool overtaken = false;
  for (std::size_t i = 1; i < delivered.size(); ++i) overtaken |= delivered[i].second.id < delivered[i - 1].second.id;
  CHECK(overtaken);
  CHECK(w.count<trace::SegmentDelayed>() == 0);  // jitter is not a "delay" record
}

TEST_CASE("Link parameters out of range are rejected", "[link]") {
  World w;
  w.host("a", "10.0.0.1");
  w.host("b", "10.0.0.2");
  LinkParams bad = test::delay_of(-1_ms);
  CHECK_THROWS_AS(w.link("a", "b", bad), std::invalid_argument);
  bad = test::delay_of(1_ms);
  bad.loss = {.kind = LossModel::Kind::Bernoulli, .rate = 1.5};
  CHECK_THROWS_AS(w.link("a", "b", bad), std::invalid_argument);
  bad = test::delay_of(1_ms);
  bad.jitter = -1_ms;
  CHECK_THROWS_AS(w.link("a", "b", bad), std::invalid_argument);
  CHECK_THROWS_AS(w.link("a", "a", 1_ms), std::invalid_argument);
  CHECK_THROWS_AS(w.link("a", "nowhere", 1_ms), std::invalid_argument);
}
