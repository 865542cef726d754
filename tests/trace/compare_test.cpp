// trace::Comparison on hand-made traces: the alignment, each kind of difference, the summary.
#include <catch2/catch.hpp>

#include "sim/trace/compare.hpp"

using namespace tcpsim;
using namespace tcpsim::trace;
using sim::Duration;
using sim::Time;

namespace {
const net::Ipv4 kA = *net::Ipv4::parse("10.0.0.1");
const net::Ipv4 kB = *net::Ipv4::parse("10.0.0.2");

// A client (A, port `port`) and a server (B:80) exchanging segments; `isn_a` and `isn_b` are the
// ISNs the helpers add to relative numbers.
struct Side {
  Trace t;
  NodeId a = t.add_node("A"), b = t.add_node("B");
  std::uint32_t isn_a = 100, isn_b = 300;
  std::uint16_t port = 1000;
  Time now = Time::zero();

  SegmentId send(bool from_a, net::Flags f, std::uint32_t rel_seq, std::uint32_t rel_ack, std::uint32_t len = 0,
                 bool rtx = false, std::uint16_t win = 65535) {
    net::Segment s{.src = from_a ? kA : kB, .dst = from_a ? kB : kA, .sport = from_a ? port : std::uint16_t{80},
                   .dport = from_a ? std::uint16_t{80} : port, .flags = f, .window = win};
    s.seq = net::SeqNum((from_a ? isn_a : isn_b) + rel_seq);
    s.ack = f.ack ? net::SeqNum((from_a ? isn_b : isn_a) + rel_ack) : net::SeqNum(0);
    s.payload_len = len;
    const SegmentId id = t.next_segment_id();
    t.emit(now, SegmentSent{id, from_a ? a : b, s, false, {}, rtx});
    return id;
  }
  void deliver(SegmentId id, bool to_a) { t.emit(now, SegmentDelivered{id, to_a ? a : b}); }
  void drop(SegmentId id) { t.emit(now, SegmentDropped{id, a, DropReason::Loss}); }
  void state(bool at_a, std::string_view from, std::string_view to) {
    const net::ConnId c = at_a ? net::ConnId{{kA, port}, {kB, 80}} : net::ConnId{{kB, 80}, {kA, port}};
    t.emit(now, StateChanged{at_a ? a : b, c, from, to, "rule"});
  }
  // A handshake, each segment delivered, 10 ms apart.
  void handshake() {
    state(true, "CLOSED", "SYN_SENT");
    deliver(send(true, {.syn = true}, 0, 0), false);
    now = now + Duration::ms(10);
    deliver(send(false, {.syn = true, .ack = true}, 0, 1), true);
    now = now + Duration::ms(10);
    state(true, "SYN_SENT", "ESTABLISHED");
    deliver(send(true, {.ack = true}, 1, 1), false);
  }
};

Comparison compare(const Side& x, const TraceFacts& fx, const Side& y, const TraceFacts& fy, Duration tol = Duration::zero()) {
  return Comparison({&x.t, &fx, "A"}, {&y.t, &fy, "B"}, {tol});
}
}  // namespace

TEST_CASE("Two identical traces agree row by row", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  const TraceFacts fx(x.t), fy(y.t);
  const auto c = compare(x, fx, y, fy);
  CHECK(c.equal());
  CHECK(c.rows().size() == 5);
  CHECK(c.count(RowKind::Same) == 5);
  CHECK(c.summary() == "the runs agree: 3 segments and 2 state changes\nrows: 5 same, 0 differ, 0 only in A, 0 only in B");
}

TEST_CASE("Other ISNs and another ephemeral port compare by relative numbers", "[compare]") {
  Side x, y;
  y.isn_a = 7000;
  y.isn_b = 90000;
  y.port = 40000;
  x.handshake();
  y.handshake();
  const TraceFacts fx(x.t), fy(y.t);
  CHECK(compare(x, fx, y, fy).equal());
}

TEST_CASE("An extra retransmission is one row of its side and the rest still match", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  for (Side* s : {&x, &y}) s->now = Time::from_ns(100'000'000);
  const auto lost = x.send(true, {.ack = true, .psh = true}, 1, 1, 100);
  x.drop(lost);
  x.now = Time::from_ns(1'100'000'000);
  x.deliver(x.send(true, {.ack = true, .psh = true}, 1, 1, 100, /*rtx=*/true), false);
  y.deliver(y.send(true, {.ack = true, .psh = true}, 1, 1, 100), false);
  for (Side* s : {&x, &y}) s->deliver(s->send(false, {.ack = true}, 1, 101), true);
  const TraceFacts fx(x.t), fy(y.t);
  const auto c = compare(x, fx, y, fy, Duration::ms(5));
  REQUIRE(c.rows().size() == 8);
  const CompareRow& first = c.rows()[5];
  CHECK(first.kind == RowKind::Differs);
  CHECK(first.differences == kDiffFate);
  CHECK(c.difference_text(first) == "fate lost: loss vs delivered");
  CHECK(c.rows()[6].kind == RowKind::OnlyA);
  CHECK(c.event_text(c.rows()[6], true) == "A sends rtx PSH,ACK seq=1 ack=1 len=100");
  CHECK(c.event_text(c.rows()[6], false).empty());
  // The ACK comes a second later in A: same segment, time beyond the tolerance.
  CHECK(c.rows()[7].kind == RowKind::Differs);
  CHECK(c.rows()[7].differences == kDiffTime);
  CHECK(c.difference_text(c.rows()[7]) == "time 1.100000 s vs 0.100000 s");
  CHECK(c.first_difference() == 5);
  CHECK(c.summary() ==
        "first difference at t=0.100000 s: A: A sends PSH,ACK seq=1 ack=1 len=100 (lost: loss); "
        "B: A sends PSH,ACK seq=1 ack=1 len=100 [fate lost: loss vs delivered]\n"
        "rows: 5 same, 2 differ, 1 only in A, 0 only in B");
}

TEST_CASE("A different segment in the same place pairs with its counterpart and names the fields", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  x.send(true, {.ack = true, .fin = true}, 1, 1);
  x.state(true, "ESTABLISHED", "FIN_WAIT_1");
  y.send(true, {.ack = true}, 1, 2, 0, false, 1000);
  y.state(true, "ESTABLISHED", "CLOSE_WAIT");
  const TraceFacts fx(x.t), fy(y.t);
  const auto c = compare(x, fx, y, fy);
  REQUIRE(c.rows().size() == 7);
  const CompareRow& seg = c.rows()[5];
  CHECK(seg.kind == RowKind::Differs);
  CHECK(seg.segment);
  CHECK(difference_names(seg.differences) == "flags, ack, win");
  CHECK(c.difference_text(seg) == "flags FIN,ACK vs ACK; ack 1 vs 2; win 65535 vs 1000");
  const CompareRow& st = c.rows()[6];
  CHECK(st.kind == RowKind::Differs);
  CHECK_FALSE(st.segment);
  CHECK(c.difference_text(st) == "state ESTABLISHED -> FIN-WAIT-1 vs ESTABLISHED -> CLOSE-WAIT");
  CHECK(c.event_text(st, true) == "A:1000 enters FIN-WAIT-1");
  CHECK(c.summary().starts_with("first difference at t=0.020000 s: A: A sends FIN,ACK seq=1 ack=1 (in flight); "
                                "B: A sends ACK seq=1 ack=2 (in flight) [flags FIN,ACK vs ACK; ack 1 vs 2; win 65535 vs 1000]\n"));
}

TEST_CASE("Segments of another direction do not pair; they stand alone on their side", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  x.send(true, {.rst = true}, 1, 0);
  y.send(false, {.rst = true}, 1, 0);
  const TraceFacts fx(x.t), fy(y.t);
  const auto c = compare(x, fx, y, fy);
  REQUIRE(c.rows().size() == 7);
  CHECK(c.rows()[5].kind == RowKind::OnlyA);
  CHECK(c.rows()[6].kind == RowKind::OnlyB);
  CHECK(c.difference_text(c.rows()[6]) == "only in B");
  CHECK(c.summary().starts_with("first difference at t=0.020000 s: A: A sends RST seq=1 (in flight); B: sends nothing like it\n"));
}

TEST_CASE("Times within the tolerance are the same; beyond it they differ", "[compare]") {
  Side x, y;
  x.handshake();
  y.now = Time::from_ns(3'000'000);
  y.handshake();
  const TraceFacts fx(x.t), fy(y.t);
  CHECK(compare(x, fx, y, fy, Duration::ms(3)).equal());
  const auto strict = compare(x, fx, y, fy, Duration::ms(2));
  CHECK(strict.count(RowKind::Differs) == 5);
  CHECK(strict.rows()[0].differences == kDiffTime);
}

TEST_CASE("Windows differ only when the options compare them", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  x.send(true, {.ack = true}, 1, 1, 100, false, 65535);
  y.send(true, {.ack = true}, 1, 1, 100, false, 502);
  const TraceFacts fx(x.t), fy(y.t);
  const auto with = compare(x, fx, y, fy);
  CHECK(with.rows()[5].differences == kDiffWin);
  CompareOptions o;
  o.windows = false;
  const Comparison without({&x.t, &fx, "A"}, {&y.t, &fy, "B"}, o);
  CHECK(without.equal());
  CHECK(without.summary().starts_with("the runs agree: 4 segments and 2 state changes, windows not compared\n"));
}

TEST_CASE("State paths follow each endpoint from the state it left first, over all its connections", "[compare]") {
  Side x;
  x.state(false, "CLOSED", "LISTEN");
  x.handshake();
  x.state(false, "LISTEN", "SYN_RECEIVED");
  x.port = 1001;  // a second connection of the same host and address
  x.state(true, "CLOSED", "SYN_SENT");
  const auto paths = state_paths(x.t);
  REQUIRE(paths.size() == 2);
  CHECK(paths[0].host == "B");
  CHECK(paths[0].address == kB);
  CHECK(paths[0].states == std::vector<std::string>{"CLOSED", "LISTEN", "SYN-RECEIVED"});
  CHECK(paths[1].host == "A");
  CHECK(paths[1].states == std::vector<std::string>{"CLOSED", "SYN-SENT", "ESTABLISHED", "SYN-SENT"});
}

TEST_CASE("Runs too long to align with the table are paired in order, lane by lane, and say so", "[compare]") {
  Side x, y;
  // Every segment differs (B's data starts one byte later), so nothing matches at the head or
  // tail and the middle holds more pairs than kMaxAlignCells.
  const std::uint32_t n = 4100;
  REQUIRE(std::uint64_t{n} * n > kMaxAlignCells);
  for (std::uint32_t i = 0; i < n; ++i) {
    x.send(true, {.ack = true}, 1 + i * 10, 1, 10);
    y.send(true, {.ack = true}, 2 + i * 10, 1, 10);
  }
  const TraceFacts fx(x.t), fy(y.t);
  const auto c = compare(x, fx, y, fy);
  CHECK(c.in_order());
  REQUIRE(c.rows().size() == n);
  CHECK(c.count(RowKind::Differs) == n);
  CHECK(c.rows()[7].a == 7);
  CHECK(c.rows()[7].b == 7);
  CHECK(c.rows()[7].differences == kDiffSeq);
  CHECK(c.summary().ends_with("rows: 0 same, 4100 differ, 0 only in A, 0 only in B (too long to align: paired in order)"));
}

TEST_CASE("Within the tolerance, a state change and a segment recorded in the other order are one row each", "[compare]") {
  // A kernel sets CLOSED and then sends its RST; the model sends the RST and then changes state.
  Side x, y;
  x.handshake();
  y.handshake();
  x.now = x.now + Duration::ms(80);
  y.now = y.now + Duration::ms(80);
  x.state(true, "ESTABLISHED", "CLOSED");
  x.now = x.now + Duration::us(140);
  x.deliver(x.send(true, {.ack = true, .rst = true}, 1, 1), false);
  y.deliver(y.send(true, {.ack = true, .rst = true}, 1, 1), false);
  y.state(true, "ESTABLISHED", "CLOSED");
  const TraceFacts fx(x.t), fy(y.t);
  CHECK(compare(x, fx, y, fy, Duration::ms(35)).equal());
  // Exactly, the order is a difference (and the 140 us too).
  const auto exact = compare(x, fx, y, fy);
  CHECK_FALSE(exact.equal());
  CHECK(exact.count(RowKind::OnlyA) == 1);
  CHECK(exact.count(RowKind::OnlyB) == 1);
}

TEST_CASE("Within the tolerance, a retransmission pairs with the copy sent at its time, not with the next one", "[compare]") {
  // Both sides retransmit: A's SYN and B's SYN,ACK on the same tick, recorded in the other order
  // by the two runs, then A's SYN again 4 s later. Pairing the first SYN with the later one would
  // also be a common subsequence of the keys as long; the one within the tolerance is chosen.
  Side x, y;
  const auto retransmissions = [](Side& s, bool syn_first) {
    s.deliver(s.send(true, {.syn = true}, 0, 0), false);
    s.now = Time::zero() + Duration::ms(10);
    s.drop(s.send(false, {.syn = true, .ack = true}, 0, 1));
    s.now = Time::zero() + Duration::ms(7129);
    if (syn_first) s.drop(s.send(true, {.syn = true}, 0, 0, 0, true));
    s.drop(s.send(false, {.syn = true, .ack = true}, 0, 1, 0, true));
    if (!syn_first) s.drop(s.send(true, {.syn = true}, 0, 0, 0, true));
    s.now = Time::zero() + Duration::ms(11225);
    s.drop(s.send(true, {.syn = true}, 0, 0, 0, true));
    s.now = Time::zero() + Duration::ms(15321);
    s.drop(s.send(false, {.syn = true, .ack = true}, 0, 1, 0, true));
  };
  retransmissions(x, true);
  retransmissions(y, false);
  // A's side ends with one more event, so the common tail does not take the SYNs away first.
  x.now = Time::zero() + Duration::ms(19000);
  x.state(true, "SYN_SENT", "CLOSED");
  const TraceFacts fx(x.t), fy(y.t);
  const auto c = compare(x, fx, y, fy, Duration::ms(35));
  INFO(c.summary());
  CHECK(c.count(RowKind::Same) == 6);
  CHECK(c.count(RowKind::Differs) == 0);
  CHECK(c.count(RowKind::OnlyA) == 1);  // the last state change
  CHECK(c.count(RowKind::OnlyB) == 0);
}

TEST_CASE("The PSH bit differs unless the options leave it out, as against a kernel", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  x.now = y.now = x.now + Duration::ms(10);
  x.deliver(x.send(true, {.ack = true}, 1, 1, 100), false);
  y.deliver(y.send(true, {.ack = true, .psh = true}, 1, 1, 100), false);
  const TraceFacts fx(x.t), fy(y.t);
  const auto with = compare(x, fx, y, fy);
  REQUIRE_FALSE(with.equal());
  CHECK(with.difference_text(with.rows()[with.first_difference()]) == "flags ACK vs PSH,ACK");
  const Comparison without({&x.t, &fx, "A"}, {&y.t, &fy, "B"}, kernel_options());
  CHECK(without.equal());
  CHECK(without.summary().starts_with("the runs agree: 4 segments and 2 state changes, times within 35ms, windows and PSH not compared\n"));
}

TEST_CASE("Against a trace that cannot see discards, a segment discarded on arrival counts as delivered", "[compare]") {
  Side x, y;
  x.handshake();
  y.handshake();
  x.now = x.now + Duration::ms(10);
  y.now = y.now + Duration::ms(10);
  x.deliver(x.send(false, {.syn = true, .ack = true}, 0, 1), true);
  const SegmentId id = y.send(false, {.syn = true, .ack = true}, 0, 1);
  y.deliver(id, true);
  y.t.emit(y.now, Note{"discarded", y.a, {}, id, true});
  const TraceFacts fx(x.t), fy(y.t);
  const auto strict = compare(x, fx, y, fy);
  REQUIRE_FALSE(strict.equal());
  CHECK(strict.difference_text(strict.rows()[strict.first_difference()]) == "fate delivered vs discarded on arrival");
  CHECK(Comparison({&x.t, &fx, "A"}, {&y.t, &fy, "B"}, {.discards = false}).equal());
}

TEST_CASE("Numbers compare by incarnation: a restart's challenge ACK and RST, and an injected old duplicate", "[compare]") {
  // The same story on two sides whose ISNs differ (a model with pinned ISNs, a kernel with its
  // own): A connects, restarts with a new ISN, B's challenge ACK acknowledges the old
  // incarnation, A's RST answers with that number; then an old duplicate crafted 44 before B's
  // ISN reaches A (its numbers moved by the same offset on the kernel side).
  auto story = [](Side& s, std::uint32_t isn_a, std::uint32_t isn_b, std::uint32_t new_isn_a) {
    s.isn_a = isn_a;
    s.isn_b = isn_b;
    s.handshake();
    s.now = s.now + Duration::ms(100);
    const std::uint32_t old_isn = s.isn_a;
    s.isn_a = new_isn_a;
    s.deliver(s.send(true, {.syn = true}, 0, 0), false);
    s.now = s.now + Duration::ms(10);
    s.isn_a = old_isn;  // the challenge ACK acks, and the RST carries, the old incarnation's number
    s.deliver(s.send(false, {.ack = true}, 1, 1), true);
    s.now = s.now + Duration::ms(10);
    s.deliver(s.send(true, {.rst = true}, 1, 0), false);
    s.now = s.now + Duration::ms(10);
    net::Segment old{.src = kB, .dst = kA, .sport = 80, .dport = s.port, .flags = {.ack = true}, .window = 65535};
    old.seq = net::SeqNum(isn_b - 44);
    old.ack = net::SeqNum(new_isn_a - 66);
    const SegmentId id = s.t.next_segment_id();
    s.t.emit(s.now, SegmentSent{id, s.b, old, /*injected=*/true, {}, false});
    s.deliver(id, true);
  };
  Side model, kernel;
  story(model, 99, 299, 400);
  story(kernel, 3000000000u, 123456789u, 2000000000u);
  const TraceFacts fm(model.t), fk(kernel.t);
  const auto c = compare(model, fm, kernel, fk);
  CHECK(c.count(RowKind::Differs) == 0);
  CHECK(c.count(RowKind::OnlyA) == 0);
  CHECK(c.count(RowKind::OnlyB) == 0);
  CHECK(c.count(RowKind::Same) == c.rows().size());
  // and a kernel whose RST carried the new incarnation's number would differ, by name
  Side wrong;
  story(wrong, 3000000000u, 123456789u, 2000000000u);
  wrong.isn_a = 2000000000u;
  wrong.deliver(wrong.send(true, {.rst = true}, 1, 0), false);
  const TraceFacts fw(wrong.t);
  const auto d = compare(model, fm, wrong, fw);
  CHECK(d.count(RowKind::OnlyB) == 1);
}
