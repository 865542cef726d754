// trace::TraceFacts: fates, the model's retransmission fact, incarnation-relative numbers and the
// one label every view writes.
#include <catch2/catch.hpp>

#include "sim/trace/facts.hpp"

using namespace tcpsim;
using namespace tcpsim::trace;
using sim::Time;

namespace {
const net::Ipv4 kA = *net::Ipv4::parse("10.0.0.1");
const net::Ipv4 kB = *net::Ipv4::parse("10.0.0.2");

net::Segment a_to_b(std::uint32_t seq, net::Flags f, std::uint32_t ack = 0, std::uint16_t win = 65535) {
  return {.src = kA, .dst = kB, .sport = 1000, .dport = 80, .seq = net::SeqNum(seq), .ack = net::SeqNum(ack), .flags = f, .window = win};
}
net::Segment b_to_a(std::uint32_t seq, net::Flags f, std::uint32_t ack = 0, std::uint16_t win = 65535) {
  return {.src = kB, .dst = kA, .sport = 80, .dport = 1000, .seq = net::SeqNum(seq), .ack = net::SeqNum(ack), .flags = f, .window = win};
}

struct Run {
  Trace t;
  NodeId a = t.add_node("A"), b = t.add_node("B");
  SegmentId send(NodeId from, net::Segment s, bool injected = false, bool rtx = false) {
    const SegmentId id = t.next_segment_id();
    t.emit(Time::zero(), SegmentSent{id, from, std::move(s), injected, {}, rtx});
    return id;
  }
  std::string label(SegmentId id, LabelOptions o = {}) const {
    const TraceFacts f(t);
    return segment_label(*f.segment(id), o);
  }
};
}  // namespace

TEST_CASE("RFC Figure 8 reads as the RFC tells it: the old SYN absolute, the wrong ACK visible", "[facts]") {
  Run r;
  const auto syn = r.send(r.a, a_to_b(100, {.syn = true}));
  const auto old = r.send(r.a, a_to_b(90, {.syn = true}), /*injected=*/true);
  const auto synack = r.send(r.b, b_to_a(300, {.syn = true, .ack = true}, 91));
  const auto rst = r.send(r.a, a_to_b(91, {.rst = true}));
  const auto synack2 = r.send(r.b, b_to_a(400, {.syn = true, .ack = true}, 101));
  const auto ack = r.send(r.a, a_to_b(101, {.ack = true}, 401));
  CHECK(r.label(syn) == "SYN seq=0 win=65535");
  CHECK(r.label(old) == "SYN seq=90");  // injected: no incarnation, absolute
  CHECK(r.label(synack) == "SYN,ACK seq=0 ack=91(abs) win=65535");  // ACK of the old SYN, before A's ISN
  CHECK(r.label(rst) == "RST seq=91(abs)");
  CHECK(r.label(synack2) == "SYN,ACK seq=0 ack=1");  // B's new ISN starts a new incarnation
  CHECK(r.label(ack) == "ACK seq=1 ack=1");
  const TraceFacts f(r.t);
  CHECK(f.segment(synack)->incarnation == 1);
  CHECK(f.segment(synack2)->incarnation == 2);
  CHECK(f.segment(old)->incarnation == 0);
  CHECK(r.label(synack, {.rfc = true}) == "<SEQ=300><ACK=91><CTL=SYN,ACK>");
  CHECK(r.label(synack2, {.absolute = true, .window = LabelOptions::Window::Never}) == "SYN,ACK seq=400 ack=101");
}

TEST_CASE("A number from an earlier incarnation is placed in it, whatever the new ISN (Figure 9, kernel ISNs)", "[facts]") {
  // A (ISN 100) and B (ISN 300) connect; A restarts and opens the same 4-tuple again. B's
  // challenge ACK acknowledges the old incarnation (101), and A's RST carries that number as its
  // sequence number. Whether A's new ISN lies just after or far before 101 in sequence space, the
  // numbers belong to incarnation 1, not to the new one.
  for (const std::uint32_t new_isn : {50u, 4000000000u, 2000000000u}) {
    Run r;
    r.send(r.a, a_to_b(100, {.syn = true}));
    r.send(r.b, b_to_a(300, {.syn = true, .ack = true}, 101));
    r.send(r.a, a_to_b(101, {.ack = true}, 301));
    const auto syn2 = r.send(r.a, a_to_b(new_isn, {.syn = true}));
    const auto challenge = r.send(r.b, b_to_a(301, {.ack = true}, 101));
    const auto rst = r.send(r.a, a_to_b(101, {.rst = true}));
    const TraceFacts f(r.t);
    INFO("new ISN " << new_isn);
    CHECK(f.segment(syn2)->incarnation == 2);
    CHECK_FALSE(f.segment(challenge)->rel_ack);
    CHECK(f.segment(challenge)->earlier_ack == EarlierNumber{1, 1});
    CHECK_FALSE(f.segment(rst)->rel_seq);
    CHECK(f.segment(rst)->earlier_seq == EarlierNumber{1, 1});
    CHECK(r.label(rst) == "RST seq=101(abs)");  // shown as the trace has it
  }
}

TEST_CASE("A retransmission is what the sender says it is, not what the numbers suggest", "[facts]") {
  Run r;
  const auto syn_a = r.send(r.a, a_to_b(100, {.syn = true}));
  r.send(r.b, b_to_a(300, {.syn = true}));
  const auto cross = r.send(r.a, a_to_b(100, {.syn = true, .ack = true}, 301));  // simultaneous open
  const auto again = r.send(r.a, a_to_b(100, {.syn = true, .ack = true}, 301), false, /*rtx=*/true);
  const auto lower = r.send(r.a, a_to_b(50, {.syn = true}));  // a new incarnation with a lower ISN
  const TraceFacts f(r.t);
  CHECK_FALSE(f.segment(syn_a)->retransmission);
  CHECK_FALSE(f.segment(cross)->retransmission);
  CHECK(f.segment(cross)->rel_seq == 0u);
  CHECK(f.segment(again)->retransmission);
  CHECK_FALSE(f.segment(lower)->retransmission);
  CHECK(f.segment(lower)->rel_seq == 0u);
  CHECK(f.segment(lower)->incarnation == 2);
  CHECK(f.retransmissions() == 1);
}

TEST_CASE("Fates, effects and copies come from the records, and a cursor hides what comes later", "[facts]") {
  Run r;
  const auto s0 = r.send(r.a, a_to_b(100, {.syn = true}));
  const SegmentId copy = r.t.next_segment_id();
  r.t.emit(Time::zero(), SegmentDuplicated{s0, copy, r.a, EffectCause::FaultRule, 1});
  r.t.emit(Time::zero(), SegmentDelayed{s0, r.a, EffectCause::FaultRule, 1, sim::Duration::ms(50)});
  r.t.emit(Time::from_ns(10), SegmentDelivered{copy, r.b});
  r.t.emit(Time::from_ns(60), SegmentDropped{s0, r.a, DropReason::FaultRule, 2});
  const TraceFacts f(r.t);
  const SegmentFacts& o = *f.segment(s0);
  const SegmentFacts& c = *f.segment(copy);
  CHECK(o.fate == Fate::Dropped);
  CHECK(drop_text(o.reason, o.rule) == "fault rule 2");
  CHECK(o.effects_text() == "delayed +50ms by fault rule 1");
  CHECK(o.effects_text(2).empty());  // the delay is record 2: not yet revealed before it
  CHECK(c.fate == Fate::Delivered);
  CHECK(c.end_node == r.b);
  CHECK(c.copy_of == s0);
  CHECK(c.rel_seq == 0u);
  CHECK(o.fate_at(4) == Fate::InFlight);  // the drop is record 4
  CHECK(o.fate_at(5) == Fate::Dropped);
  CHECK(f.started_by(0) == s0);
  CHECK(f.started_by(1) == copy);
  CHECK(f.started_by(2) == kNoSegment);
  CHECK(f.segment(99) == nullptr);
}

TEST_CASE("The window is written where it changed in its direction, never on a RST", "[facts]") {
  Run r;
  r.send(r.a, a_to_b(100, {.syn = true}));
  const auto synack = r.send(r.b, b_to_a(300, {.syn = true, .ack = true}, 101, 4000));
  const auto data = r.send(r.a, a_to_b(101, {.ack = true}, 301));
  const auto full = r.send(r.b, b_to_a(301, {.ack = true}, 1101, 0));
  const auto dup = r.send(r.b, b_to_a(301, {.ack = true}, 1101, 0));
  const auto update = r.send(r.b, b_to_a(301, {.ack = true}, 1101, 4000));
  const auto rst = r.send(r.b, b_to_a(301, {.rst = true}, 0, 0));
  CHECK(r.label(synack) == "SYN,ACK seq=0 ack=1 win=4000");
  CHECK(r.label(data) == "ACK seq=1 ack=1");
  CHECK(r.label(full) == "ACK seq=1 ack=1001 win=0");
  CHECK(r.label(dup) == "ACK seq=1 ack=1001");
  CHECK(r.label(update) == "ACK seq=1 ack=1001 win=4000");  // a window update, not a duplicate ACK
  CHECK(r.label(rst) == "RST seq=1");
  CHECK(r.label(dup, {.window = LabelOptions::Window::Always}) == "ACK seq=1 ack=1001 win=0");
  CHECK(r.label(full, {.rfc = true}) == "<SEQ=301><ACK=1101><WND=0>");
  CHECK(r.label(synack, {.rfc = true}) == "<SEQ=300><ACK=101><CTL=SYN,ACK>");
}

TEST_CASE("A note that the receiving TCP discarded a segment becomes that segment's fact", "[facts]") {
  Run r;
  const auto syn = r.send(r.a, a_to_b(100, {.syn = true}));
  r.t.emit(Time::from_ns(10), SegmentDelivered{syn, r.b});
  r.t.emit(Time::from_ns(10), Note{"listen queue full: SYN dropped (SYN queue full)", r.b, {}, syn, true});
  r.t.emit(Time::from_ns(10), Note{"just a remark", r.b, {}, syn, false});
  const TraceFacts f(r.t);
  const SegmentFacts& s = *f.segment(syn);
  CHECK(s.fate == Fate::Delivered);
  CHECK(s.discard_record == 2);
  CHECK(s.discard_reason == "listen queue full: SYN dropped (SYN queue full)");
  CHECK_FALSE(s.discarded_before(2));
  CHECK(s.discarded_before(3));
}

TEST_CASE("Ordinals read as English writes them, the teens included", "[facts]") {
  CHECK(ordinal(1) == "1st");
  CHECK(ordinal(2) == "2nd");
  CHECK(ordinal(3) == "3rd");
  CHECK(ordinal(4) == "4th");
  CHECK(ordinal(11) == "11th");
  CHECK(ordinal(12) == "12th");
  CHECK(ordinal(13) == "13th");
  CHECK(ordinal(21) == "21st");
  CHECK(ordinal(112) == "112th");
}
