// Connection release: RFC 9293 §3.6 Figures 12-13, §3.10.4 CLOSE, §3.10.5 ABORT, the eighth
// step, TIME-WAIT, and the catalog's cards 3.15-3.18 and 3.25.
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;
using Transitions = std::vector<std::pair<State, State>>;
const Segment kFinFromB = from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535});

// A established with a peer window and MSS of 1000 octets.
HostPtr established_with_window_for_close() {
  auto h = syn_sent();
  h->deliver(at(20_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true},
                                .window = 1000, .options = {.mss = 1000}}));
  h->rec.clear_log();
  return h;
}
}  // namespace

TEST_CASE("CLOSE in ESTABLISHED sends a FIN and enters FIN-WAIT-1", "[fin-wait-1]") {
  auto a = established();
  REQUIRE(a->conn.close(at(1_s)) == CallError::None);
  CHECK(a->conn.state() == State::FinWait1);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true, .fin = true}, .window = 65535})});
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(2_s));
}

TEST_CASE("An unacknowledged FIN is retransmitted when the retransmission timer expires", "[fin-wait-1]") {
  auto a = fin_wait_1();
  CHECK(a->fire(TimerKind::Retransmit) == at(2_s));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true, .fin = true}, .window = 65535})});
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(4_s));
}

TEST_CASE("The ACK of our FIN moves FIN-WAIT-1 to FIN-WAIT-2 and stops the timer", "[fin-wait-2]") {
  auto a = fin_wait_1();
  a->deliver(at(1020_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::FinWait2);
  CHECK(a->rec.sent.empty());
  CHECK_FALSE(a->rec.timer(TimerKind::Retransmit));
}

TEST_CASE("A FIN in FIN-WAIT-2 is acknowledged and starts 2 MSL in TIME-WAIT", "[time-wait]") {
  auto a = fin_wait_2();
  a->deliver(at(2_s), kFinFromB);
  CHECK(a->conn.state() == State::TimeWait);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
  CHECK(a->rec.timers == std::map<TimerKind, sim::Time>{{TimerKind::TimeWait, at(2_s) + 240_s}});
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Eof, AppError::None, 0}});
}

TEST_CASE("TIME-WAIT ends after 2 MSL in CLOSED", "[time-wait]") {
  auto a = time_wait();
  CHECK(a->fire(TimerKind::TimeWait) == at(242_s));
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Closed, AppError::None, 0}});
}

TEST_CASE("Lost final ACK: a retransmitted FIN in TIME-WAIT is re-ACKed and restarts 2 MSL", "[time-wait][lost-final-ack]") {
  auto a = time_wait();
  a->deliver(at(3_s), kFinFromB);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
  CHECK(a->rec.timer(TimerKind::TimeWait) == at(243_s));
  CHECK(a->conn.state() == State::TimeWait);
}

TEST_CASE("A RST in TIME-WAIT closes it (rfc9293) or is ignored with the RFC 1337 fix", "[time-wait]") {
  const Segment rst = from_b({.seq = kIssB + 2, .flags = {.rst = true}});
  auto a = time_wait();
  a->deliver(at(3_s), rst);
  CHECK(a->conn.state() == State::Closed);
  TcpParams p = default_params();
  p.rfc1337 = true;
  auto b = time_wait(p);
  b->deliver(at(3_s), rst);
  CHECK(b->conn.state() == State::TimeWait);
  CHECK(b->rec.timer(TimerKind::TimeWait) == at(242_s));
}

TEST_CASE("Three-segment close: FIN,ACK acking our FIN goes FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT", "[fin-wait-1][three-segment-close]") {
  auto a = fin_wait_1();
  a->deliver(at(1020_ms), kFinFromB);
  CHECK(a->rec.states == Transitions{{State::FinWait1, State::FinWait2}, {State::FinWait2, State::TimeWait}});
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
  CHECK(a->rec.timer(TimerKind::TimeWait) == at(1020_ms) + 240_s);
}

TEST_CASE("A FIN that does not ack ours moves FIN-WAIT-1 to CLOSING and the ACK then gives TIME-WAIT", "[closing]") {
  auto a = closing();
  a->deliver(at(1020_ms), from_b({.seq = kIssB + 2, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::TimeWait);
  CHECK(a->rec.sent.empty());
}

TEST_CASE("A FIN in ESTABLISHED is acknowledged, signals EOF, and enters CLOSE-WAIT", "[close-wait]") {
  auto a = established();
  a->deliver(at(1_s), from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(a->conn.state() == State::CloseWait);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Eof, AppError::None, 0}});
  const ReceiveResult r = a->conn.receive(at(1100_ms), 100);
  CHECK(r.eof);
  CHECK(r.error == CallError::ConnectionClosing);
}

TEST_CASE("Half-close: CLOSE-WAIT keeps sending and FIN-WAIT-2 keeps receiving", "[close-wait][fin-wait-2]") {
  auto b = close_wait();
  REQUIRE(b->conn.send(at(1100_ms), 1000) == CallError::None);
  CHECK(b->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true, .psh = true},
                                          .window = 65534, .payload_len = 1000})});
  auto a = fin_wait_2();
  a->deliver(at(1100_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65535, .payload_len = 1000}));
  CHECK(a->conn.state() == State::FinWait2);
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Data, AppError::None, 1000}});
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 1001, .flags = {.ack = true}, .window = 64535})});
  CHECK(a->conn.send(at(1200_ms), 10) == CallError::ConnectionClosing);
}

TEST_CASE("CLOSE in CLOSE-WAIT sends a FIN and enters LAST-ACK and its ACK closes", "[last-ack]") {
  auto a = close_wait();
  REQUIRE(a->conn.close(at(1500_ms)) == CallError::None);
  CHECK(a->conn.state() == State::LastAck);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true, .fin = true}, .window = 65534})});
  a->deliver(at(1520_ms), from_b({.seq = kIssB + 2, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Closed, AppError::None, 0}});
  CHECK(a->rec.timers.empty());
}

TEST_CASE("Figure 12: normal close over a wire", "[figure-12][time-wait][last-ack]") {
  Wire w(default_params(), default_params());
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(1_s));
  w.transcript.clear();
  REQUIRE(w.a.conn.close(at(1_s)) == CallError::None);
  w.run_until(at(1500_ms));
  REQUIRE(w.b.conn.close(at(1500_ms)) == CallError::None);
  w.run_until(at(1600_ms));
  CHECK(w.transcript == std::vector<std::string>{"A FIN-WAIT-1", "A>B FIN,ACK seq=101 ack=301", "B CLOSE-WAIT",
                                                 "B>A ACK seq=301 ack=102", "A FIN-WAIT-2", "B LAST-ACK",
                                                 "B>A FIN,ACK seq=301 ack=102", "A TIME-WAIT",
                                                 "A>B ACK seq=102 ack=302", "B CLOSED"});
  CHECK(w.a.rec.timer(TimerKind::TimeWait) == at(1510_ms) + 240_s);
  w.run_until(at(1510_ms) + 240_s);
  CHECK(w.a.conn.state() == State::Closed);
}

TEST_CASE("Figure 13: simultaneous close passes through CLOSING on both sides", "[figure-13][closing]") {
  Wire w(default_params(), default_params());
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(1_s));
  w.transcript.clear();
  REQUIRE(w.a.conn.close(at(1_s)) == CallError::None);
  REQUIRE(w.b.conn.close(at(1_s)) == CallError::None);
  w.run_until(at(1100_ms));
  CHECK(w.transcript == std::vector<std::string>{"A FIN-WAIT-1", "A>B FIN,ACK seq=101 ack=301", "B FIN-WAIT-1",
                                                 "B>A FIN,ACK seq=301 ack=101", "B CLOSING", "B>A ACK seq=302 ack=102",
                                                 "A CLOSING", "A>B ACK seq=102 ack=302", "A TIME-WAIT", "B TIME-WAIT"});
  CHECK(w.a.rec.timer(TimerKind::TimeWait) == at(1020_ms) + 240_s);
  CHECK(w.b.rec.timer(TimerKind::TimeWait) == at(1020_ms) + 240_s);
}

TEST_CASE("Lost final ACK over a wire: B retransmits its FIN, A re-ACKs and restarts 2 MSL", "[lost-final-ack][time-wait][last-ack]") {
  Wire w(default_params(), default_params());
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(1_s));
  int final_acks = 0;
  w.drop = [&](const Segment& s, bool from_a) {
    return from_a && s.flags == Flags{.ack = true} && s.ack == kIssB + 2 && final_acks++ == 0;
  };
  REQUIRE(w.a.conn.close(at(1_s)) == CallError::None);
  w.run_until(at(1500_ms));
  REQUIRE(w.b.conn.close(at(1500_ms)) == CallError::None);
  w.run_until(at(1600_ms));
  CHECK(w.b.conn.state() == State::LastAck);
  CHECK(w.b.rec.timer(TimerKind::Retransmit) == at(2500_ms));
  w.run_until(at(3_s));
  CHECK(w.b.conn.state() == State::Closed);
  CHECK(w.a.conn.state() == State::TimeWait);
  CHECK(w.a.rec.timer(TimerKind::TimeWait) == at(2510_ms) + 240_s);
  CHECK(final_acks == 2);
}

TEST_CASE("ABORT in ESTABLISHED sends <SEQ=SND.NXT><CTL=RST> and the peer gets ECONNRESET", "[established][abort]") {
  auto a = established();
  REQUIRE(a->conn.send(at(500_ms), 10) == CallError::None);
  a->rec.take();
  REQUIRE(a->conn.abort(at(1_s)) == CallError::None);
  CHECK(a->conn.state() == State::Closed);
  const Segments rst = a->rec.take();
  CHECK(rst == Segments{from_a({.seq = kIssA + 11, .flags = {.rst = true}})});
  CHECK(a->rec.timers.empty());
  auto b = established_passive();
  b->deliver(at(1010_ms), from_a({.seq = kIssA + 1, .flags = {.rst = true}}));
  CHECK(b->conn.state() == State::Closed);
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnReset, 0}});
}

TEST_CASE("ABORT (linux) sends RST,ACK with ACK = RCV.NXT", "[established][abort][linux]") {
  auto a = established(TcpParams::linux_profile());
  REQUIRE(a->conn.abort(at(1_s)) == CallError::None);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true, .rst = true}})});
}

TEST_CASE("ABORT in SYN-SENT, LISTEN and TIME-WAIT sends nothing", "[abort]") {
  auto a = syn_sent();
  a->rec.take();
  CHECK(a->conn.abort(at(1_ms)) == CallError::None);
  auto l = listen();
  CHECK(l->conn.abort(at(1_ms)) == CallError::None);
  auto t = time_wait();
  CHECK(t->conn.abort(at(3_s)) == CallError::None);
  for (Host* h : {a.get(), l.get(), t.get()}) {
    CHECK(h->conn.state() == State::Closed);
    CHECK(h->rec.sent.empty());
    CHECK(h->rec.timers.empty());
  }
}

TEST_CASE("CLOSE with unread data sends RST in the linux profile and FIN in rfc9293", "[established][close-unread]") {
  const Segment data = from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535, .payload_len = 100});
  auto l = established(TcpParams::linux_profile());
  l->deliver(at(500_ms), data);
  l->rec.take();
  REQUIRE(l->conn.close(at(1_s)) == CallError::None);
  CHECK(l->conn.state() == State::Closed);
  CHECK(l->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 101, .flags = {.ack = true, .rst = true}})});
  auto r = established();
  r->deliver(at(500_ms), data);
  r->rec.take();
  REQUIRE(r->conn.close(at(1_s)) == CallError::None);
  CHECK(r->conn.state() == State::FinWait1);
}

TEST_CASE("CLOSE in LISTEN and SYN-SENT deletes the TCB without a segment", "[listen][syn-sent]") {
  auto l = listen();
  CHECK(l->conn.close(at(1_ms)) == CallError::None);
  CHECK(l->conn.state() == State::Closed);
  auto a = syn_sent();
  a->rec.take();
  CHECK(a->conn.close(at(1_ms)) == CallError::None);
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.sent.empty());
  CHECK(a->rec.timers.empty());
}

TEST_CASE("CLOSE in SYN-RECEIVED sends a FIN and enters FIN-WAIT-1", "[syn-received]") {
  auto b = syn_received();
  REQUIRE(b->conn.close(at(20_ms)) == CallError::None);
  CHECK(b->conn.state() == State::FinWait1);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true, .fin = true}, .window = 65535})});
  b->deliver(at(30_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65535}));
  CHECK(b->conn.state() == State::FinWait2);
}

TEST_CASE("User calls answer with the RFC's error responses", "[user-calls]") {
  Host h(default_params());
  CHECK(h.conn.send(at(0_ms), 1) == CallError::ConnectionDoesNotExist);
  CHECK(h.conn.close(at(0_ms)) == CallError::ConnectionDoesNotExist);
  CHECK(h.conn.abort(at(0_ms)) == CallError::ConnectionDoesNotExist);
  auto a = established();
  CHECK(a->conn.open_active(at(1_s), kAtoB, kIssA) == CallError::ConnectionAlreadyExists);
  CHECK(a->conn.open_passive(at(1_s), {kIpA, kPortA}) == CallError::ConnectionAlreadyExists);
  auto f = fin_wait_1();
  CHECK(f->conn.send(at(2_s), 1) == CallError::ConnectionClosing);
  CHECK(f->conn.close(at(2_s)) == CallError::ConnectionClosing);
  auto l = listen();
  CHECK(l->conn.send(at(1_ms), 1) == CallError::RemoteSocketUnspecified);
}

TEST_CASE("A FIN arriving after TIME-WAIT expired draws a RST that closes the peer in LAST-ACK", "[last-ack][closed]") {
  auto a = time_wait();
  a->fire(TimerKind::TimeWait);
  const Segment late_fin = from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535});
  const auto rst = reset_for_closed(late_fin);
  REQUIRE(rst);
  CHECK(*rst == from_a({.seq = kIssA + 2, .flags = {.rst = true}}));
  // The LAST-ACK side (here the last_ack fixture, RCV.NXT = y + 2) accepts such a RST.
  auto b = last_ack();
  b->deliver(at(300_s), from_b({.seq = kIssB + 2, .flags = {.rst = true}}));
  CHECK(b->conn.state() == State::Closed);
}

TEST_CASE("A SYN beyond the old RCV.NXT may reopen TIME-WAIT (linux) while rfc9293 answers with an ACK", "[time-wait][reopen]") {
  const Segment new_syn = from_b({.seq = kIssB + 100000, .flags = {.syn = true}, .window = 65535});
  const Segment old_syn = from_b({.seq = kIssB, .flags = {.syn = true}, .window = 65535});
  auto l = time_wait(TcpParams::linux_profile());
  CHECK(l->conn.syn_may_reopen(new_syn));
  CHECK_FALSE(l->conn.syn_may_reopen(old_syn));
  CHECK(l->conn.reopen_iss() == kIssA + 2 + 65537);
  auto r = time_wait();
  CHECK_FALSE(r->conn.syn_may_reopen(new_syn));
  // Delivered anyway, the SYN gets the challenge ACK with the old numbers (catalog 3.20c).
  r->deliver(at(3_s), new_syn);
  CHECK(r->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
  CHECK(r->conn.state() == State::TimeWait);
}

TEST_CASE("CLOSE with data still queued sends the FIN on the last data segment", "[fin-wait-1]") {
  auto a = established_with_window_for_close();
  REQUIRE(a->conn.send(at(1_s), 2000) == CallError::None);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true},
                                          .window = 65535, .payload_len = 1000})});
  REQUIRE(a->conn.close(at(1100_ms)) == CallError::None);
  CHECK(a->conn.state() == State::FinWait1);
  CHECK(a->rec.sent.empty());  // the window is full: the FIN waits behind the data
  a->deliver(at(1200_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 1001, .flags = {.ack = true}, .window = 1000}));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1001, .ack = kIssB + 1, .flags = {.ack = true, .fin = true, .psh = true},
                                          .window = 65535, .payload_len = 1000})});
  a->deliver(at(1300_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2002, .flags = {.ack = true}, .window = 1000}));
  CHECK(a->conn.state() == State::FinWait2);
}

TEST_CASE("CLOSE in SYN-RECEIVED with data queued sends data and FIN once ESTABLISHED", "[syn-received]") {
  auto b = syn_received();
  REQUIRE(b->conn.send(at(15_ms), 100) == CallError::None);
  REQUIRE(b->conn.close(at(16_ms)) == CallError::None);
  CHECK(b->conn.state() == State::SynReceived);
  CHECK(b->conn.send(at(17_ms), 1) == CallError::ConnectionClosing);
  b->deliver(at(30_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535}));
  CHECK(b->rec.states == std::vector<std::pair<State, State>>{{State::SynReceived, State::Established},
                                                              {State::Established, State::FinWait1}});
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true, .fin = true, .psh = true},
                                          .window = 65535, .payload_len = 100})});
}

TEST_CASE("Card 3.20a: a RST outside the window in TIME-WAIT is dropped silently", "[time-wait]") {
  auto a = time_wait();
  a->deliver(at(3_s), from_b({.seq = kIssB + 1, .flags = {.rst = true}}));  // RCV.NXT is y + 2
  CHECK(a->conn.state() == State::TimeWait);
  CHECK(a->rec.sent.empty());
}
