#include <catch2/catch.hpp>

#include <map>

#include "tests/net/fixture.hpp"

using namespace tcpsim;
using namespace tcpsim::net;
using namespace tcpsim::sim::literals;
using net::test::World;
using trace::DropReason;
using trace::FaultAction;

namespace {

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

// A busy little network with every link effect and every fault rule kind:
// a - r1 - r2 - b with a slow, lossy, jittery middle link, and c - r1 on the side.
void build_busy(World& w) {
  w.host("a", "10.0.0.1");
  w.host("b", "10.0.0.2");
  w.host("c", "10.0.0.3");
  w.router("r1");
  w.router("r2");
  LinkParams edge = test::delay_of(1_ms);
  edge.loss = {.kind = LossModel::Kind::Bernoulli, .rate = 0.05};
  edge.duplicate = 0.05;
  LinkParams middle = test::delay_of(10_ms);
  middle.jitter = 3_ms;
  middle.bandwidth_bps = 2'000'000;
  middle.queue_limit = 5;
  middle.reorder = 0.1;
  middle.loss.kind = LossModel::Kind::GilbertElliott;
  middle.loss.ge = {.p_good_to_bad = 0.05, .p_bad_to_good = 0.3, .loss_good = 0.01, .loss_bad = 0.7};
  w.link("a", "r1", edge);
  w.link("c", "r1", edge);
  w.link("r1", "r2", middle);
  w.link("r2", "b", edge);
  w.net.add_fault({.action = FaultAction::Drop, .match = {.flags = Flags{.syn = true}}, .first = 2, .last = 3});
  w.net.add_fault({.action = FaultAction::Delay, .delay = 4_ms, .match = {.len = 100u}});
  w.net.add_fault({.action = FaultAction::Duplicate, .match = {.dport = 81}});
  w.net.add_fault({.action = FaultAction::Corrupt, .match = {.len = 7u}});
}

// Traffic both ways at 1 ms intervals, with sizes and flags that trip every rule now and then.
void drive_busy(World& w, int n) {
  const NodeId a = *w.net.find("a");
  const NodeId b = *w.net.find("b");
  const NodeId c = *w.net.find("c");
  for (int i = 0; i < n; ++i) {
    const sim::Time t = at(1_ms * (i / 3));
    Segment s = w.seg(a, "10.0.0.2", i % 17 == 0 ? Flags{.syn = true} : Flags{.ack = true},
                      static_cast<std::uint32_t>(i % 3 == 0 ? 100 : (i % 5 == 0 ? 7 : 500)));
    if (i % 11 == 0) s.dport = 81;
    w.send_at(t, a, s);
    w.send_at(t, b, w.seg(b, i % 2 == 0 ? "10.0.0.1" : "10.0.0.3", Flags{.ack = true}, 40));
    if (i % 4 == 0) w.send_at(t, c, w.seg(c, "10.0.0.2", Flags{.ack = true}, 1000));
  }
}

std::vector<std::string> busy_run(std::uint64_t seed) {
  World w(seed);
  build_busy(w);
  drive_busy(w, 600);
  w.run();
  return w.lines();
}

// Which of the first n segments a sends to b are lost on a lossy a-b link.
std::vector<bool> loss_pattern(World& w, NodeId a, int n) {
  std::vector<SegmentId> ids;
  for (int i = 0; i < n; ++i) ids.push_back(w.send(a, w.seg(a, "10.0.0.2")));
  w.run();
  std::vector<bool> lost;
  for (SegmentId id : ids) lost.push_back(w.dropped(id).has_value());
  return lost;
}

LinkParams lossy() {
  LinkParams p = test::delay_of(1_ms);
  p.loss = {.kind = LossModel::Kind::Bernoulli, .rate = 0.3};
  return p;
}

}  // namespace

TEST_CASE("The same seed gives the same trace, record for record", "[determinism]") {
  const auto first = busy_run(42);
  const auto second = busy_run(42);
  REQUIRE(first.size() > 2000);
  CHECK(first == second);
}

TEST_CASE("Another seed gives other losses", "[determinism]") {
  World w1(1), w2(2);
  for (World* w : {&w1, &w2}) {
    w->host("a", "10.0.0.1");
    w->host("b", "10.0.0.2");
    w->link("a", "b", lossy());
  }
  CHECK(loss_pattern(w1, 0, 200) != loss_pattern(w2, 0, 200));
}

TEST_CASE("Adding an unrelated host and link does not change a link's loss pattern", "[determinism]") {
  World plain(5);
  plain.host("a", "10.0.0.1");
  plain.host("b", "10.0.0.2");
  plain.link("a", "b", lossy());

  World more(5);  // the extra nodes and link come first, so every id differs
  more.host("x", "10.0.0.8");
  more.host("y", "10.0.0.9");
  more.link("x", "y", lossy());
  const NodeId a = more.host("a", "10.0.0.1");
  more.host("b", "10.0.0.2");
  more.link("a", "b", lossy());
  for (int i = 0; i < 50; ++i) more.send(0, more.seg(0, "10.0.0.9"));  // draws on x->y

  CHECK(loss_pattern(plain, 0, 300) == loss_pattern(more, a, 300));
}

TEST_CASE("Enabling jitter on a link does not change its loss pattern", "[determinism]") {
  World plain(5), jittery(5);
  LinkParams j = lossy();
  j.jitter = 500_us;
  for (auto [w, p] : {std::pair{&plain, lossy()}, std::pair{&jittery, j}}) {
    w->host("a", "10.0.0.1");
    w->host("b", "10.0.0.2");
    w->link("a", "b", p);
  }
  CHECK(loss_pattern(plain, 0, 300) == loss_pattern(jittery, 0, 300));
}

TEST_CASE("Every segment ends delivered, dropped, or in flight, exactly once", "[accounting]") {
  World w(3);
  build_busy(w);
  drive_busy(w, 900);

  // Fate of each id from the records: 0 = none yet, else delivered/dropped count.
  auto check = [&](bool finished) {
    const auto& c = w.trace.segments();
    REQUIRE(c.sent + c.duplicates == c.delivered + c.dropped_total() + c.in_flight());
    REQUIRE(c.in_flight() == w.net.in_flight());
    std::map<SegmentId, int> fates;
    std::size_t ids = 0;
    for (const auto& r : w.trace.records()) {
      if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) fates.emplace(s->id, 0), ++ids;
      if (const auto* d = std::get_if<trace::SegmentDuplicated>(&r.body)) fates.emplace(d->copy, 0), ++ids;
      if (const auto* d = std::get_if<trace::SegmentDelivered>(&r.body)) ++fates.at(d->id);
      if (const auto* d = std::get_if<trace::SegmentDropped>(&r.body)) ++fates.at(d->id);
    }
    REQUIRE(fates.size() == ids);  // every id is announced once
    std::size_t open = 0;
    for (const auto& [id, n] : fates) {
      INFO("segment " << id);
      REQUIRE(n <= 1);
      open += n == 0 ? 1 : 0;
    }
    CHECK(open == c.in_flight());
    if (finished) CHECK(open == 0);
  };

  w.sched.run(at(100_ms));
  check(false);
  CHECK(w.net.in_flight() > 0);
  w.run();
  check(true);

  // The run exercised every way a segment can end.
  const auto& c = w.trace.segments();
  CHECK(c.duplicates > 0);
  for (DropReason r : {DropReason::Loss, DropReason::FaultRule, DropReason::QueueOverflow, DropReason::Corrupted}) {
    INFO("reason " << trace::to_string(r));
    CHECK(c.dropped[static_cast<int>(r)] > 0);
  }
  CHECK(w.count<trace::SegmentDelayed>() > 0);
}

TEST_CASE("Parallel links draw from streams of their own, and the first one added carries the route", "[determinism]") {
  World w(8);
  const NodeId a = w.router("a");
  w.host("b", "10.0.0.2");
  w.link("a", "b", lossy());
  w.link("a", "b", lossy());  // same endpoints, same parameters: streams "a->b#2", ...
  const auto first = loss_pattern(w, a, 300);

  World single(8);
  const NodeId a1 = single.router("a");
  single.host("b", "10.0.0.2");
  single.link("a", "b", lossy());
  CHECK(loss_pattern(single, a1, 300) == first);  // the route uses the first link only

  World second(8);  // a router with the second link alone draws differently
  second.router("a");
  second.host("b", "10.0.0.2");
  LinkParams other = lossy();
  other.delay = 2_ms;  // makes the first link slower, so the route takes the second
  second.link("a", "b", other);
  second.link("a", "b", lossy());
  CHECK(loss_pattern(second, 0, 300) != first);
}
