#include <catch2/catch.hpp>

#include "tests/net/fixture.hpp"

using namespace tcpsim;
using namespace tcpsim::net;
using namespace tcpsim::sim::literals;
using net::test::ip;
using net::test::World;
using trace::DropReason;
using trace::EffectCause;
using trace::FaultAction;

namespace {

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

constexpr Flags kSyn{.syn = true};
constexpr Flags kSynAck{.syn = true, .ack = true};
constexpr Flags kAck{.ack = true};

// Client c (10.0.0.1) and server s (10.0.0.2), one 10 ms link.
struct Pair : World {
  NodeId c = 0, s = 0;
  Pair() {
    c = host("c", "10.0.0.1");
    s = host("s", "10.0.0.2");
    link("c", "s", 10_ms);
  }
  SegmentId send_cs(Flags f = kAck, std::uint32_t len = 0) { return send(c, seg(c, "10.0.0.2", f, len)); }
  FaultRule& rule(FaultAction a, SegmentMatch m = {}) {
    rules.push_back({.action = a, .match = m});
    return rules.back();
  }
  void commit() {
    for (const FaultRule& r : rules) net.add_fault(r);
  }
  bool delivered(SegmentId id) const { return delivered_at(id).has_value(); }
  std::deque<FaultRule> rules;
};

}  // namespace

TEST_CASE("An empty match matches every segment", "[fault][match]") {
  const SegmentMatch m;
  CHECK(m.matches(Segment{}, sim::Time::zero()));
  CHECK(m.matches(Segment{.flags = kSynAck, .payload_len = 9}, at(5_ms)));
}

TEST_CASE("Flags match exactly, flags_include matches a superset", "[fault][match]") {
  const SegmentMatch exact{.flags = kSyn};
  const SegmentMatch include{.flags_include = kSyn};
  const Segment syn{.flags = kSyn};
  const Segment syn_ack{.flags = kSynAck};
  const Segment ack{.flags = kAck};
  CHECK(exact.matches(syn, {}));
  CHECK_FALSE(exact.matches(syn_ack, {}));
  CHECK(include.matches(syn, {}));
  CHECK(include.matches(syn_ack, {}));
  CHECK_FALSE(include.matches(ack, {}));
  const SegmentMatch none{.flags = Flags{}};
  CHECK(none.matches(Segment{}, {}));
  CHECK_FALSE(none.matches(ack, {}));
}

TEST_CASE("The time window is after <= sent < before", "[fault][match]") {
  const SegmentMatch m{.after = at(10_ms), .before = at(20_ms)};
  CHECK_FALSE(m.matches({}, at(9'999_us)));
  CHECK(m.matches({}, at(10_ms)));
  CHECK(m.matches({}, at(19'999_us)));
  CHECK_FALSE(m.matches({}, at(20_ms)));
}

TEST_CASE("Addresses, ports, seq, ack and length must all match when set", "[fault][match]") {
  const Segment s{.src = ip("10.0.0.1"),
                  .dst = ip("10.0.0.2"),
                  .sport = 1000,
                  .dport = 80,
                  .seq = SeqNum(100),
                  .ack = SeqNum(200),
                  .payload_len = 10};
  const SegmentMatch all{.from = ip("10.0.0.1"),
                         .to = ip("10.0.0.2"),
                         .sport = 1000,
                         .dport = 80,
                         .seq = SeqNum(100),
                         .ack = SeqNum(200),
                         .len = 10u};
  CHECK(all.matches(s, {}));
  auto differs = [&](auto change) {
    SegmentMatch m = all;
    change(m);
    return !m.matches(s, {});
  };
  CHECK(differs([](SegmentMatch& m) { m.from = ip("10.0.0.9"); }));
  CHECK(differs([](SegmentMatch& m) { m.to = ip("10.0.0.9"); }));
  CHECK(differs([](SegmentMatch& m) { m.sport = 1001; }));
  CHECK(differs([](SegmentMatch& m) { m.dport = 81; }));
  CHECK(differs([](SegmentMatch& m) { m.seq = SeqNum(101); }));
  CHECK(differs([](SegmentMatch& m) { m.ack = SeqNum(201); }));
  CHECK(differs([](SegmentMatch& m) { m.len = 0u; }));
}

TEST_CASE("A drop rule for the 2nd SYN drops that one only", "[fault]") {
  Pair w;
  auto& r = w.rule(FaultAction::Drop, {.flags = kSyn});
  r.first = r.last = 2;
  w.commit();
  const SegmentId syn1 = w.send_cs(kSyn);
  const SegmentId ack = w.send_cs(kAck);
  const SegmentId syn2 = w.send_cs(kSyn);
  const SegmentId syn3 = w.send_cs(kSyn);
  w.run();
  CHECK(w.delivered(syn1));
  CHECK(w.delivered(ack));
  CHECK(w.delivered(syn3));
  const auto d = w.dropped(syn2);
  REQUIRE(d);
  CHECK(d->reason == DropReason::FaultRule);
  CHECK(d->rule == 0);
  CHECK(d->node == w.c);
  CHECK(w.net.fault_matches(0) == 3);
  CHECK_THROWS(w.net.fault_matches(1));
}

TEST_CASE("A delay rule makes the segment enter the network that much later", "[fault]") {
  Pair w;
  w.rule(FaultAction::Delay, {.flags = kSyn}).delay = 5_ms;
  w.rule(FaultAction::Delay, {.flags_include = kSyn}).delay = 2_ms;  // adds up with the first
  w.commit();
  const SegmentId syn = w.send_cs(kSyn);
  const SegmentId ack = w.send_cs(kAck);
  w.run();
  CHECK(w.delivered_at(syn) == at(17_ms));
  CHECK(w.delivered_at(ack) == at(10_ms));
  const auto delayed = w.all<trace::SegmentDelayed>();
  REQUIRE(delayed.size() == 2);
  CHECK(delayed[0].first == at(0_ms));
  CHECK(delayed[0].second.id == syn);
  CHECK(delayed[0].second.cause == EffectCause::FaultRule);
  CHECK(delayed[0].second.rule == 0);
  CHECK(delayed[0].second.extra == 5_ms);
  CHECK(delayed[1].second.rule == 1);
  CHECK(delayed[1].second.extra == 2_ms);
}

TEST_CASE("A segment held by a delay rule is in flight meanwhile", "[fault]") {
  Pair w;
  w.rule(FaultAction::Delay).delay = 50_ms;
  w.commit();
  w.send_cs();
  w.sched.run(at(30_ms));
  CHECK(w.net.in_flight() == 1);
  CHECK(w.trace.segments().in_flight() == 1);
  w.run();
  CHECK(w.net.in_flight() == 0);
  CHECK(w.trace.segments().delivered == 1);
}

TEST_CASE("A duplicate rule sends a copy with its own id that is not matched again", "[fault]") {
  Pair w;
  w.rule(FaultAction::Duplicate, {.flags = kSyn});
  w.commit();
  const SegmentId syn = w.send_cs(kSyn);
  w.run();
  const auto dups = w.all<trace::SegmentDuplicated>();
  REQUIRE(dups.size() == 1);
  const auto& d = dups[0].second;
  CHECK(d.id == syn);
  CHECK(d.copy != syn);
  CHECK(d.cause == EffectCause::FaultRule);
  CHECK(d.rule == 0);
  CHECK(d.node == w.c);
  CHECK(w.delivered_at(syn) == at(10_ms));
  CHECK(w.delivered_at(d.copy) == at(10_ms));
  CHECK(w.net.fault_matches(0) == 1);
  const auto& c = w.trace.segments();
  CHECK(c.sent == 1);
  CHECK(c.duplicates == 1);
  CHECK(c.delivered == 2);
}

TEST_CASE("A copy made by a rule keeps what earlier rules did, and later rules spare it", "[fault]") {
  Pair w;
  w.rule(FaultAction::Delay).delay = 3_ms;
  w.rule(FaultAction::Duplicate);
  w.rule(FaultAction::Drop);  // drops the original only
  w.commit();
  const SegmentId s = w.send_cs();
  w.run();
  const auto dups = w.all<trace::SegmentDuplicated>();
  REQUIRE(dups.size() == 1);
  CHECK(w.dropped(s)->rule == 2);
  CHECK(w.delivered_at(dups[0].second.copy) == at(13_ms));
}

TEST_CASE("A corrupt rule damages the segment; the receiver drops it for a bad checksum", "[fault]") {
  Pair w;
  w.rule(FaultAction::Corrupt, {.len = 100u});
  w.commit();
  int received = 0;
  w.net.set_receiver(w.s, [&](const Segment&, SegmentId) { ++received; });
  const SegmentId bad = w.send_cs(kAck, 100);
  const SegmentId good = w.send_cs(kAck, 50);
  w.run();
  const auto corrupted = w.all<trace::SegmentCorrupted>();
  REQUIRE(corrupted.size() == 1);
  CHECK(corrupted[0].second.id == bad);
  CHECK(corrupted[0].second.rule == 0);
  CHECK(corrupted[0].second.node == w.c);
  const auto d = w.dropped(bad);
  REQUIRE(d);
  CHECK(d->reason == DropReason::Corrupted);
  CHECK(d->node == w.s);  // it travelled the link and failed at the destination
  CHECK(w.trace.records().back().time == at(10_ms));
  CHECK(w.delivered(good));
  CHECK(received == 1);
}

TEST_CASE("A rule applies to the 2nd to 4th matching segments", "[fault]") {
  Pair w;
  auto& r = w.rule(FaultAction::Drop);
  r.first = 2;
  r.last = 4;
  w.commit();
  std::vector<bool> fate;
  std::vector<SegmentId> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(w.send_cs());
  w.run();
  for (SegmentId id : ids) fate.push_back(w.delivered(id));
  CHECK(fate == std::vector<bool>{true, false, false, false, true, true});
  CHECK(w.net.fault_matches(0) == 6);
}

TEST_CASE("A rule with the default range applies to every matching segment", "[fault]") {
  Pair w;
  w.rule(FaultAction::Drop, {.dport = 80});
  w.commit();
  for (int i = 0; i < 5; ++i) w.send_cs();
  Segment other = w.seg(w.c, "10.0.0.2");
  other.dport = 81;
  const SegmentId spared = w.send(w.c, other);
  w.run();
  CHECK(w.trace.segments().dropped[static_cast<int>(DropReason::FaultRule)] == 5);
  CHECK(w.delivered(spared));
}

TEST_CASE("A flags rule drops exactly SYN; a flags_include rule drops SYN and SYN,ACK", "[fault]") {
  for (const bool exact : {true, false}) {
    Pair w;
    w.rule(FaultAction::Drop, exact ? SegmentMatch{.flags = kSyn} : SegmentMatch{.flags_include = kSyn});
    w.commit();
    const SegmentId syn = w.send_cs(kSyn);
    const SegmentId syn_ack = w.send_cs(kSynAck);
    const SegmentId ack = w.send_cs(kAck);
    w.run();
    INFO("exact: " << exact);
    CHECK_FALSE(w.delivered(syn));
    CHECK(w.delivered(syn_ack) == exact);
    CHECK(w.delivered(ack));
  }
}

TEST_CASE("A rule with a time window applies to segments sent inside it only", "[fault]") {
  Pair w;
  w.rule(FaultAction::Drop, {.after = at(10_ms), .before = at(20_ms)});
  w.commit();
  for (int ms : {5, 10, 15, 20}) w.send_at(at(1_ms * ms), w.c, w.seg(w.c, "10.0.0.2"));
  w.run();
  std::vector<sim::Time> dropped;
  for (const auto& [t, d] : w.all<trace::SegmentDropped>()) dropped.push_back(t);
  CHECK(dropped == std::vector<sim::Time>{at(10_ms), at(15_ms)});
  CHECK(w.net.fault_matches(0) == 2);  // outside the window is not a match
}

TEST_CASE("A rule on seq, ack, length and ports drops only the segment that has them all", "[fault]") {
  Pair w;
  w.rule(FaultAction::Drop,
         {.sport = 1000, .dport = 80, .seq = SeqNum(100), .ack = SeqNum(200), .len = 10u});
  w.commit();
  Segment target = w.seg(w.c, "10.0.0.2", kAck, 10);
  target.seq = SeqNum(100);
  target.ack = SeqNum(200);
  std::vector<SegmentId> spared;
  for (int field = 0; field < 5; ++field) {
    Segment s = target;
    if (field == 0) s.seq = SeqNum(101);
    if (field == 1) s.ack = SeqNum(201);
    if (field == 2) s.payload_len = 11;
    if (field == 3) s.sport = 1001;
    if (field == 4) s.dport = 81;
    spared.push_back(w.send(w.c, s));
  }
  const SegmentId hit = w.send(w.c, target);
  w.run();
  for (SegmentId id : spared) CHECK(w.delivered(id));
  REQUIRE(w.dropped(hit));
  CHECK(w.dropped(hit)->reason == DropReason::FaultRule);
}

TEST_CASE("A drop stops the evaluation: later rules neither match nor count", "[fault]") {
  Pair w;
  w.rule(FaultAction::Drop, {.flags = kSyn});
  w.rule(FaultAction::Delay).delay = 1_ms;
  w.commit();
  w.send_cs(kSyn);
  w.send_cs(kAck);
  w.run();
  CHECK(w.net.fault_matches(0) == 1);
  CHECK(w.net.fault_matches(1) == 1);  // the ACK only
}

TEST_CASE("Fault rules also apply to injected segments", "[fault]") {
  Pair w;
  w.rule(FaultAction::Drop, {.from = ip("10.6.6.6")});
  w.commit();
  Segment spoofed = w.seg(w.c, "10.0.0.2", kSyn);
  spoofed.src = ip("10.6.6.6");
  const SegmentId id = w.net.send(w.c, spoofed, "scenario", true);
  w.run();
  CHECK(w.trace.segments().injected == 1);
  REQUIRE(w.dropped(id));
  CHECK(w.dropped(id)->reason == DropReason::FaultRule);
}

TEST_CASE("Invalid fault rules are rejected", "[fault]") {
  Pair w;
  FaultRule r;
  r.first = 0;
  CHECK_THROWS_AS(w.net.add_fault(r), std::invalid_argument);
  r.first = 3;
  r.last = 2;
  CHECK_THROWS_AS(w.net.add_fault(r), std::invalid_argument);
  r = FaultRule{.action = FaultAction::Delay, .delay = -1_ms};
  CHECK_THROWS_AS(w.net.add_fault(r), std::invalid_argument);
}
