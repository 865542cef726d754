// Connection establishment: RFC 9293 §3.5 Figures 6-8, §3.5.1 Figures 9-11, §3.10.7.1-§3.10.7.3,
// and the catalog's cards 3.7-3.12.
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;
const Segment kSynA = from_a({.seq = kIssA, .flags = {.syn = true}, .window = 65535, .options = {.mss = 1460}});
}  // namespace

TEST_CASE("Active OPEN sends <SEQ=ISS><CTL=SYN> with the MSS option and arms the retransmission timer", "[syn-sent]") {
  auto a = syn_sent();
  CHECK(a->conn.state() == State::SynSent);
  CHECK(a->rec.take() == Segments{kSynA});
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(1_s));
  CHECK(a->conn.tcb().snd_una == kIssA);
  CHECK(a->conn.tcb().snd_nxt == kIssA + 1);
  CHECK(a->rec.states == std::vector<std::pair<State, State>>{{State::Closed, State::SynSent}});
}

TEST_CASE("Figure 6: an acceptable SYN,ACK in SYN-SENT gives ESTABLISHED and the third segment", "[syn-sent][figure-6]") {
  auto a = syn_sent();
  a->rec.take();
  a->deliver(at(20_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true},
                                .window = 4096, .options = {.mss = 1000}}));
  CHECK(a->conn.state() == State::Established);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Connected, AppError::None, 0}});
  CHECK_FALSE(a->rec.timer(TimerKind::Retransmit));
  const Tcb& t = a->conn.tcb();
  CHECK(t.irs == kIssB);
  CHECK(t.rcv_nxt == kIssB + 1);
  CHECK(t.snd_una == kIssA + 1);
  CHECK(t.snd_wnd == 4096);
  CHECK(t.snd_wl1 == kIssB);
  CHECK(t.snd_wl2 == kIssA + 1);
  CHECK(t.snd_mss == 1000);
  CHECK(a->conn.rto().srtt() == 20_ms);
}

TEST_CASE("A SYN in LISTEN is answered by <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>", "[listen]") {
  auto b = listen();
  b->deliver(at(10_ms), kSynA);
  CHECK(b->conn.state() == State::SynReceived);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true},
                                          .window = 65535, .options = {.mss = 1460}})});
  CHECK(b->rec.timer(TimerKind::Retransmit) == at(1010_ms));
  CHECK(b->conn.id() == kAtoB.reversed());
  CHECK(b->conn.status().passive);
}

TEST_CASE("The ACK of our SYN moves SYN-RECEIVED to ESTABLISHED and sets the send window", "[syn-received]") {
  auto b = syn_received();
  b->deliver(at(30_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 8192}));
  CHECK(b->conn.state() == State::Established);
  CHECK(b->rec.sent.empty());
  CHECK(b->conn.tcb().snd_wnd == 8192);
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Connected, AppError::None, 0}});
  CHECK(b->rec.timers.empty());
}

TEST_CASE("Driving the real handshake over a wire yields the ESTABLISHED fixtures", "[figure-6][established]") {
  Wire w(default_params(), default_params());
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  w.pump(at(0_ms));
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(100_ms));
  CHECK(w.transcript == std::vector<std::string>{"B LISTEN", "A SYN-SENT", "A>B SYN seq=100", "B SYN-RECEIVED",
                                                 "B>A SYN,ACK seq=300 ack=101", "A ESTABLISHED",
                                                 "A>B ACK seq=101 ack=301", "B ESTABLISHED"});
  CHECK(w.a.conn.status() == established()->conn.status());
  CHECK(w.b.conn.status() == established_passive()->conn.status());
}

TEST_CASE("Figure 7: simultaneous open completes through SYN-RECEIVED on both sides", "[figure-7][syn-received]") {
  Wire w(default_params(), default_params());
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  REQUIRE(w.b.conn.open_active(at(0_ms), kAtoB.reversed(), kIssB) == CallError::None);
  w.run_until(at(100_ms));
  // Table 6 rejects the crossing SYN,ACKs (catalog 1.2, literal path): each side answers with a
  // bare ACK, and the bare ACKs complete the handshake at t0 + 3d.
  CHECK(w.transcript == std::vector<std::string>{
                            "A SYN-SENT", "A>B SYN seq=100", "B SYN-SENT", "B>A SYN seq=300",
                            "B SYN-RECEIVED", "B>A SYN,ACK seq=300 ack=101", "A SYN-RECEIVED",
                            "A>B SYN,ACK seq=100 ack=301", "A>B ACK seq=101 ack=301", "B>A ACK seq=301 ack=101",
                            "B ESTABLISHED", "A ESTABLISHED"});
  CHECK(w.a.conn.state() == State::Established);
  CHECK(w.b.conn.state() == State::Established);
  CHECK_FALSE(w.a.conn.status().passive);
}

TEST_CASE("Figure 8: an old duplicate SYN is reset from SYN-SENT and B returns to LISTEN", "[figure-8][syn-sent][syn-received]") {
  auto a = syn_sent();
  a->rec.take();
  auto b = listen();
  b->rec.isses.push_back(SeqNum{400});
  // line 3: the old duplicate <SEQ=90><CTL=SYN> reaches B
  b->deliver(at(5_ms), from_a({.seq = SeqNum{90}, .flags = {.syn = true}, .window = 65535}));
  const Segments synack = b->rec.take();
  REQUIRE(synack.size() == 1);
  CHECK(synack[0].ack == SeqNum{91});
  // line 4-5: A in SYN-SENT: SEG.ACK = 91 =< ISS -> <SEQ=91><CTL=RST>
  a->deliver(at(15_ms), synack[0]);
  CHECK(a->conn.state() == State::SynSent);
  const Segments rst = a->rec.take();
  CHECK(rst == Segments{from_a({.seq = SeqNum{91}, .flags = {.rst = true}})});
  // B (passive SYN-RECEIVED): RST SEQ 91 = RCV.NXT -> LISTEN, user not informed
  b->deliver(at(25_ms), rst[0]);
  CHECK(b->conn.state() == State::Listen);
  CHECK(b->rec.notes.empty());
  CHECK(b->rec.timers.empty());
  // line 6-7: the original SYN arrives; B picks a new ISS (400)
  b->deliver(at(30_ms), kSynA);
  CHECK(b->rec.take() == Segments{from_b({.seq = SeqNum{400}, .ack = kIssA + 1, .flags = {.syn = true, .ack = true},
                                          .window = 65535, .options = {.mss = 1460}})});
  // line 7-8: A -> ESTABLISHED
  a->deliver(at(40_ms), from_b({.seq = SeqNum{400}, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::Established);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = SeqNum{401}, .flags = {.ack = true}, .window = 65535})});
}

TEST_CASE("An unacceptable ACK in SYN-SENT brings the first SYN retransmission forward (linux), not in rfc9293", "[syn-sent][figure-9][linux]") {
  // The challenge ACK of a peer still holding an old connection: <SEQ=300><ACK=100>. A restarted
  // client (ISS 400) resets it under both profiles.
  const Segment challenge = from_b({.seq = SeqNum{300}, .ack = SeqNum{100}, .flags = {.ack = true}, .window = 65535});
  const auto challenged = [&](const TcpParams& p) {
    auto a = syn_sent(p, SeqNum{400});
    a->rec.take();
    a->deliver(at(20_ms), challenge);
    CHECK(a->rec.take() == Segments{from_a({.seq = SeqNum{100}, .flags = {.rst = true}})});
    return a;
  };
  SECTION("rfc9293: RST, and the RTO runs on") {
    auto a = challenged(default_params());
    CHECK(a->rec.timer(TimerKind::Retransmit) == at(1_s));
  }
  SECTION("linux: RST, then the SYN again TCP_TIMEOUT_MIN later; only before the first retransmission") {
    auto a = challenged(linux_continuous());
    CHECK(a->rec.timer(TimerKind::Retransmit) == at(28_ms));
    CHECK(a->fire(TimerKind::Retransmit) == at(28_ms));
    const Segments again = a->rec.take();
    REQUIRE(again.size() == 1);
    CHECK(again[0].flags.syn);
    CHECK(again[0].seq == SeqNum{400});
    // A second unacceptable ACK, after a retransmission, leaves the (backed-off) RTO alone.
    const auto rto_due = a->rec.timer(TimerKind::Retransmit);
    a->deliver(at(40_ms), challenge);
    CHECK(a->rec.timer(TimerKind::Retransmit) == rto_due);
    CHECK(a->conn.state() == State::SynSent);
  }
}

TEST_CASE("Figure 9: a SYN to a half-open ESTABLISHED peer draws a challenge ACK, then the RST aborts it", "[figure-9][established]") {
  auto b = established_passive();
  auto a = syn_sent(default_params(), SeqNum{400});  // A rebooted, new ISS 400
  const Segment syn = a->rec.take().at(0);
  b->deliver(at(1_s), syn);
  const Segments challenge = b->rec.take();
  CHECK(challenge == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(b->conn.state() == State::Established);
  a->deliver(at(1010_ms), challenge[0]);
  const Segments rst = a->rec.take();
  CHECK(rst == Segments{from_a({.seq = kIssA + 1, .flags = {.rst = true}})});
  CHECK(a->conn.state() == State::SynSent);
  b->deliver(at(1020_ms), rst[0]);
  CHECK(b->conn.state() == State::Closed);
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnReset, 0}});
}

TEST_CASE("Without RFC 5961 an in-window SYN resets a synchronized connection", "[figure-9][established]") {
  TcpParams p = default_params();
  p.rfc5961 = false;
  auto b = established_passive(p);
  b->deliver(at(1_s), from_a({.seq = SeqNum{400}, .flags = {.syn = true}, .window = 65535}));
  CHECK(b->conn.state() == State::Closed);
  CHECK(b->rec.take() == Segments{from_b({.seq = SeqNum{0}, .ack = SeqNum{401}, .flags = {.ack = true, .rst = true}})});
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnReset, 0}});
}

TEST_CASE("Figure 10: a host without a TCB answers data with <SEQ=SEG.ACK><CTL=RST>, which aborts the peer", "[figure-10][closed]") {
  auto b = established_passive();
  const Segment data = from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535, .payload_len = 10});
  const auto rst = reset_for_closed(data);
  REQUIRE(rst);
  CHECK(*rst == from_a({.seq = kIssA + 1, .flags = {.rst = true}}));
  b->deliver(at(1_s), *rst);
  CHECK(b->conn.state() == State::Closed);
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnReset, 0}});
}

TEST_CASE("A closed connection resets anything but a RST", "[closed]") {
  Host h(default_params());
  h.deliver(at(0_ms), kSynA);
  CHECK(h.rec.take() == Segments{from_b({.seq = SeqNum{0}, .ack = kIssA + 1, .flags = {.ack = true, .rst = true}})});
  h.deliver(at(0_ms), from_a({.seq = kIssA, .flags = {.rst = true}}));
  CHECK(h.rec.sent.empty());
  CHECK(h.conn.state() == State::Closed);
}

TEST_CASE("Figure 11: LISTEN resets an ACK-bearing segment and stays in LISTEN", "[figure-11][listen]") {
  auto a = listen();
  const SeqNum z{5000};
  a->deliver(at(10_ms), from_b({.seq = SeqNum{9000}, .ack = z + 1, .flags = {.syn = true, .ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::Listen);
  CHECK(a->rec.take() == Segments{from_a({.seq = z + 1, .flags = {.rst = true}})});
  a->deliver(at(20_ms), from_b({.seq = SeqNum{1}, .flags = {.rst = true}}));
  CHECK(a->rec.sent.empty());
  CHECK(a->conn.state() == State::Listen);
}

TEST_CASE("Connection refused: a RST acking our SYN closes SYN-SENT with ECONNREFUSED", "[syn-sent][refused]") {
  auto a = syn_sent();
  a->rec.take();
  const auto rst = reset_for_closed(kSynA);  // B has no listener
  REQUIRE(rst);
  CHECK(*rst == from_b({.seq = SeqNum{0}, .ack = kIssA + 1, .flags = {.ack = true, .rst = true}}));
  a->deliver(at(20_ms), *rst);
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnRefused, 0}});
  CHECK(a->rec.timers.empty());
  CHECK(a->rec.sent.empty());
}

TEST_CASE("SYN-SENT drops a RST whose ACK does not acknowledge the SYN", "[syn-sent][refused]") {
  auto a = syn_sent();
  a->rec.take();
  a->deliver(at(20_ms), from_b({.seq = SeqNum{0}, .flags = {.rst = true}}));
  a->deliver(at(21_ms), from_b({.seq = SeqNum{0}, .ack = kIssA + 5, .flags = {.ack = true, .rst = true}}));
  CHECK(a->conn.state() == State::SynSent);
  CHECK(a->rec.sent.empty());
  CHECK(a->rec.discarded.size() == 2);
}

TEST_CASE("A refused SYN with ISS 2^32 - 1 is reset with ACK 0", "[closed][wraparound]") {
  const auto rst = reset_for_closed(from_a({.seq = SeqNum{0xffffffffu}, .flags = {.syn = true}}));
  REQUIRE(rst);
  CHECK(rst->ack == SeqNum{0});
}

TEST_CASE("Lost SYN,ACK: the retransmitted SYN in SYN-RECEIVED gets a bare ACK (rfc9293)", "[syn-received][lost-syn-ack]") {
  auto b = syn_received();
  b->deliver(at(1010_ms), kSynA);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(b->conn.state() == State::SynReceived);
}

TEST_CASE("Lost SYN,ACK: the retransmitted SYN in SYN-RECEIVED gets the SYN,ACK again (linux)", "[syn-received][lost-syn-ack][linux]") {
  auto b = syn_received(linux_continuous());
  b->deliver(at(1010_ms), kSynA);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true},
                                          .window = 65535, .options = {.mss = 1460}})});
}

TEST_CASE("Lost third ACK: a retransmitted SYN,ACK in ESTABLISHED is re-acknowledged", "[established][lost-third-ack]") {
  auto a = established();
  a->deliver(at(1010_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535}));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(a->conn.state() == State::Established);
}

TEST_CASE("Lost third ACK then data: the data segment completes B's handshake and is delivered", "[syn-received]") {
  auto b = syn_received();
  b->deliver(at(40_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true, .psh = true},
                                .window = 65535, .payload_len = 100}));
  CHECK(b->conn.state() == State::Established);
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Connected, AppError::None, 0}, {Notice::Data, AppError::None, 100}});
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 101, .flags = {.ack = true}, .window = 65435})});
  CHECK_FALSE(b->rec.timer(TimerKind::Retransmit));
}

TEST_CASE("An unacceptable ACK in SYN-RECEIVED is answered with <SEQ=SEG.ACK><CTL=RST>", "[syn-received]") {
  auto b = syn_received();
  b->deliver(at(30_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 7, .flags = {.ack = true}, .window = 65535}));
  CHECK(b->conn.state() == State::SynReceived);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 7, .flags = {.rst = true}})});
}

TEST_CASE("A RST in SYN-RECEIVED after an active OPEN means connection refused", "[syn-received]") {
  Wire w(default_params(), default_params());
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  REQUIRE(w.b.conn.open_active(at(0_ms), kAtoB.reversed(), kIssB) == CallError::None);
  w.run_until(at(10_ms));
  REQUIRE(w.a.conn.state() == State::SynReceived);
  w.a.deliver(at(12_ms), from_b({.seq = kIssB + 1, .flags = {.rst = true}}));
  CHECK(w.a.conn.state() == State::Closed);
  CHECK(w.a.rec.notes.back() == Notification{Notice::Error, AppError::ConnRefused, 0});
}

TEST_CASE("Connect timeout (rfc9293): SYNs at 0, 1, 3, 7, 15, 31, 63, 123 s, ETIMEDOUT at 183 s", "[syn-sent][connect-timeout]") {
  auto a = syn_sent();
  std::vector<sim::Time> sent_at{at(0_s)};
  a->rec.take();
  while (a->conn.state() == State::SynSent) {
    const sim::Time t = a->fire(TimerKind::Retransmit);
    for (const Segment& s : a->rec.take()) {
      CHECK(s == kSynA);
      sent_at.push_back(t);
    }
    if (a->conn.state() == State::Closed) CHECK(t == at(183_s));
  }
  CHECK(sent_at == std::vector<sim::Time>{at(0_s), at(1_s), at(3_s), at(7_s), at(15_s), at(31_s), at(63_s), at(123_s)});
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Error, AppError::TimedOut, 0}});
  CHECK(a->rec.timers.empty());
}

TEST_CASE("Connect timeout (linux): 10 SYN retransmissions, linear first, ETIMEDOUT at 131 s", "[syn-sent][connect-timeout][linux]") {
  auto a = syn_sent(linux_continuous());
  std::vector<sim::Time> sent_at{at(0_s)};
  a->rec.take();
  sim::Time last{};
  while (a->conn.state() == State::SynSent) {
    last = a->fire(TimerKind::Retransmit);
    if (!a->rec.take().empty()) sent_at.push_back(last);
  }
  CHECK(sent_at == std::vector<sim::Time>{at(0_s), at(1_s), at(2_s), at(3_s), at(4_s), at(5_s), at(7_s),
                                          at(11_s), at(19_s), at(35_s), at(67_s)});
  CHECK(last == at(131_s));
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Error, AppError::TimedOut, 0}});
}

TEST_CASE("Lost SYN: no RTT sample from the retransmitted SYN and the data RTO starts at 3 s", "[syn-sent][rto]") {
  auto a = syn_sent();
  a->fire(TimerKind::Retransmit);  // SYN again at 1 s
  a->deliver(at(1020_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::Established);
  CHECK_FALSE(a->conn.rto().has_sample());
  CHECK(a->conn.rto().rto() == 3_s);
  a->rec.take();
  a->conn.send(at(2_s), 10);
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(5_s));
}

TEST_CASE("A passive open whose SYN,ACK is never acknowledged is dropped (linux: after 5 retries its request socket closes)", "[syn-received][linux]") {
  auto b = syn_received(TcpParams::linux_profile());
  std::vector<sim::Time> fired;
  while (b->conn.state() == State::SynReceived) fired.push_back(b->fire(TimerKind::Retransmit));
  // HZ = 250: the SYN,ACK leaves in tick 2; 1, 2, 4, 8, 16 and 32 s (250 << n ticks) each armed on
  // the tick the last fired on, rounded up by the wheel's level 1, 2, 2, 2, 2 and 3 granules.
  CHECK(fired == std::vector<sim::Time>{at(1024_ms), at(3040_ms), at(7168_ms), at(15360_ms), at(31488_ms), at(65536_ms)});
  CHECK(b->conn.state() == State::Closed);  // request_sockets: freed, not returned to LISTEN
  CHECK(b->rec.notes.empty());
  // RFC 9293 (§3.10.7.4's passive-open rule, applied to a give-up as Figure 5 note 1): back to LISTEN.
  auto r = syn_received(TcpParams::rfc9293());
  while (r->conn.state() == State::SynReceived) r->fire(TimerKind::Retransmit);
  CHECK(r->conn.state() == State::Listen);
}

TEST_CASE("Figure 7 (linux): the crossing SYN,ACKs are accepted, both sides are ESTABLISHED at t0 + 2d and answer the old SYN with a duplicate ACK", "[figure-7][syn-received][linux]") {
  Wire w(TcpParams::linux_profile(), TcpParams::linux_profile());
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  REQUIRE(w.b.conn.open_active(at(0_ms), kAtoB.reversed(), kIssB) == CallError::None);
  w.run_until(at(100_ms));
  CHECK(w.transcript == std::vector<std::string>{"A SYN-SENT", "A>B SYN seq=100", "B SYN-SENT", "B>A SYN seq=300",
                                                 "B SYN-RECEIVED", "B>A SYN,ACK seq=300 ack=101", "A SYN-RECEIVED",
                                                 "A>B SYN,ACK seq=100 ack=301", "A ESTABLISHED", "A>B ACK seq=101 ack=301",
                                                 "B ESTABLISHED", "B>A ACK seq=301 ack=101"});
  CHECK(w.a.rec.timers.empty());
  CHECK(w.b.rec.timers.empty());
}

TEST_CASE("Card 3.4 (RFC 5961): an in-window RST off RCV.NXT in SYN-RECEIVED draws a challenge ACK", "[syn-received][rfc5961]") {
  auto b = syn_received();
  b->deliver(at(20_ms), from_a({.seq = kIssA + 23, .flags = {.rst = true}}));
  CHECK(b->conn.state() == State::SynReceived);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535})});
  TcpParams p = default_params();
  p.rfc5961 = false;
  auto old = syn_received(p);
  old->deliver(at(20_ms), from_a({.seq = kIssA + 23, .flags = {.rst = true}}));
  CHECK(old->conn.state() == State::Listen);
}

TEST_CASE("Card 3.4: an acceptable ACK without SYN in SYN-SENT is dropped", "[syn-sent]") {
  auto a = syn_sent();
  a->rec.take();
  a->deliver(at(20_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::SynSent);
  CHECK(a->rec.sent.empty());
  CHECK(a->rec.discard_causes == std::vector<std::string>{"§3.10.7.3 fifth: neither SYN nor RST -> drop"});
}

TEST_CASE("Challenge ACKs are limited to one per 500 ms in the linux profile, unlimited in rfc9293", "[established][rfc5961][linux]") {
  const Segment syn = from_a({.seq = SeqNum{400}, .flags = {.syn = true}, .window = 65535});
  auto l = established_passive(TcpParams::linux_profile());
  l->deliver(at(1000_ms), syn);
  l->deliver(at(1200_ms), syn);
  CHECK(l->rec.take().size() == 1);
  l->deliver(at(1500_ms), syn);
  CHECK(l->rec.take().size() == 1);
  auto r = established_passive();
  r->deliver(at(1000_ms), syn);
  r->deliver(at(1200_ms), syn);
  CHECK(r->rec.take().size() == 2);
}
