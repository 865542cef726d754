// Data transfer around connection management: segmentation at the MSS, cumulative ACK,
// reassembly, flow control (catalog 3.22, 3.23), sequence wraparound (3.21), retransmission with
// RFC 6298 backoff and Karn's rule (3.5), R2 and the user timeout, RFC 5961 checks (3.24).
#include <array>

#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;

Segment data_a(SeqNum seq, std::uint32_t len, bool psh = false, std::uint16_t window = 65535) {
  return from_a({.seq = seq, .ack = kIssB + 1, .flags = {.ack = true, .psh = psh}, .window = window, .payload_len = len});
}
Segment ack_b(SeqNum ack, std::uint16_t window = 65535) {
  return from_b({.seq = kIssB + 1, .ack = ack, .flags = {.ack = true}, .window = window});
}

// A established with a peer that advertised `window` and MSS `mss` in its SYN,ACK at 20 ms.
HostPtr established_with(const TcpParams& p, std::uint16_t window, std::uint16_t mss, SeqNum iss = kIssA) {
  auto h = syn_sent(p, iss);
  h->deliver(at(20_ms), from_b({.seq = kIssB, .ack = iss + 1, .flags = {.syn = true, .ack = true},
                                .window = window, .options = {.mss = mss}}));
  REQUIRE(h->conn.state() == State::Established);
  h->rec.clear_log();
  return h;
}
}  // namespace

TEST_CASE("SEND is segmentized at the peer's MSS and the last segment carries PSH", "[established][mss]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 3000) == CallError::None);
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 1460), data_a(kIssA + 1461, 1460), data_a(kIssA + 2921, 80, true)});
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(2_s));
}

TEST_CASE("Without an MSS option the send MSS is 536", "[established][mss]") {
  auto a = syn_sent();
  a->deliver(at(20_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535}));
  CHECK(a->conn.tcb().snd_mss == 536);
}

TEST_CASE("A cumulative ACK removes acknowledged data and restarts or stops the timer", "[established]") {
  auto a = established();
  a->conn.send(at(1_s), 3000);
  a->rec.take();
  a->deliver(at(1020_ms), ack_b(kIssA + 2921));
  CHECK(a->conn.tcb().snd_una == kIssA + 2921);
  CHECK(a->conn.status().send_queued == 80);
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(2020_ms));
  a->deliver(at(1030_ms), ack_b(kIssA + 3001));
  CHECK_FALSE(a->rec.timer(TimerKind::Retransmit));
  CHECK(a->conn.status().send_queued == 0);
  CHECK(a->rec.sent.empty());
}

TEST_CASE("Data queued in SYN-SENT goes out with the ACK that completes the handshake", "[syn-sent]") {
  auto a = syn_sent();
  a->rec.take();
  REQUIRE(a->conn.send(at(5_ms), 100) == CallError::None);
  CHECK(a->rec.sent.empty());
  a->deliver(at(20_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535}));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 100, true)});
}

TEST_CASE("Retransmission backs off exponentially and Karn's rule keeps the backed-off RTO", "[established][rto]") {
  auto a = established();
  a->conn.send(at(1_s), 100);
  a->rec.take();
  CHECK(a->fire(TimerKind::Retransmit) == at(2_s));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 100, true)});
  CHECK(a->fire(TimerKind::Retransmit) == at(4_s));
  CHECK(a->fire(TimerKind::Retransmit) == at(8_s));
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(16_s));
  a->rec.take();
  a->deliver(at(8020_ms), ack_b(kIssA + 101));
  CHECK(a->conn.rto().srtt() == 20_ms);  // no sample from the retransmitted segment
  CHECK(a->conn.rto().rto() == 8_s);     // still backed off
  a->conn.send(at(9_s), 100);
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(17_s));
  a->deliver(at(9100_ms), ack_b(kIssA + 201));  // new data acked without retransmission
  CHECK(a->conn.rto().rto() == 1_s);
}

TEST_CASE("Linux profile: a 20 ms handshake RTT gives a 220 ms RTO for data", "[established][rto][linux]") {
  auto a = established(TcpParams::linux_profile());
  CHECK(a->conn.rto().rto() == 220_ms);  // 55 ticks at HZ = 250
  a->conn.send(at(1_s), 100);
  // Armed in tick 250: 55 ticks on the wheel's level 0 fire one tick after their expiry.
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(1224_ms));
}

TEST_CASE("Data that is never acknowledged gives up after R2 = 100 s with ETIMEDOUT (rfc9293)", "[established][r2]") {
  auto a = established();
  a->conn.send(at(1_s), 100);
  a->rec.take();
  sim::Time last{};
  int retransmissions = 0;
  while (a->conn.state() == State::Established) {
    last = a->fire(TimerKind::Retransmit);
    retransmissions += static_cast<int>(a->rec.take().size());
  }
  CHECK(last == at(124_s));  // expiries at 2, 4, 8, 16, 32, 64, then 64 + 60 (RTO cap)
  CHECK(retransmissions == 6);
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.notes == std::vector<Notification>{{Notice::Error, AppError::TimedOut, 0}});
}

TEST_CASE("The user timeout aborts a connection whose data stays unacknowledged", "[established][user-timeout]") {
  TcpParams p = default_params();
  p.user_timeout = 5_s;
  p.r2 = {};
  auto a = established(p);
  a->conn.send(at(1_s), 100);
  CHECK(a->rec.timer(TimerKind::UserTimeout) == at(6_s));
  a->fire(TimerKind::Retransmit);
  a->fire(TimerKind::Retransmit);
  CHECK(a->fire(TimerKind::UserTimeout) == at(6_s));
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.notes.back() == Notification{Notice::Error, AppError::TimedOut, 0});
  CHECK(a->rec.timers.empty());
}

TEST_CASE("Sequence wraparound: ISS = 2^32 - 2, ten octets and a FIN cross zero", "[wraparound][established]") {
  const SeqNum iss{0xfffffffeu};
  auto a = established_with(default_params(), 65535, 1460, iss);
  a->conn.send(at(1_s), 10);
  CHECK(a->rec.take() == Segments{data_a(SeqNum{0xffffffffu}, 10, true)});
  CHECK(a->conn.tcb().snd_nxt == SeqNum{9});
  a->deliver(at(1020_ms), ack_b(SeqNum{9}));
  CHECK(a->conn.tcb().snd_una == SeqNum{9});
  CHECK_FALSE(a->rec.timer(TimerKind::Retransmit));
  a->conn.close(at(2_s));
  CHECK(a->rec.take() == Segments{from_a({.seq = SeqNum{9}, .ack = kIssB + 1, .flags = {.ack = true, .fin = true}, .window = 65535})});
  a->deliver(at(2020_ms), ack_b(SeqNum{10}));
  CHECK(a->conn.state() == State::FinWait2);
}

TEST_CASE("Sequence wraparound on the receiving side: the window straddles zero", "[wraparound][syn-received]") {
  auto b = listen();
  const SeqNum x{0xfffffffeu};
  b->deliver(at(10_ms), from_a({.seq = x, .flags = {.syn = true}, .window = 65535}));
  b->deliver(at(30_ms), from_a({.seq = x + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535, .payload_len = 10}));
  CHECK(b->conn.state() == State::Established);
  CHECK(b->conn.tcb().rcv_nxt == SeqNum{9});
  CHECK(b->rec.sent.back() == from_b({.seq = kIssB + 1, .ack = SeqNum{9}, .flags = {.ack = true}, .window = 65525}));
}

TEST_CASE("Out-of-order text is held and delivered when the gap fills", "[established][reassembly]") {
  auto b = established_passive();
  b->deliver(at(1_s), data_a(kIssA + 101, 100));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(b->rec.notes.empty());
  b->deliver(at(1010_ms), data_a(kIssA + 1, 100));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 201, .flags = {.ack = true}, .window = 65335})});
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Data, AppError::None, 200}});
}

TEST_CASE("An out-of-order FIN takes effect once the data before it arrives", "[established][reassembly]") {
  auto b = established_passive();
  b->deliver(at(1_s), from_a({.seq = kIssA + 101, .ack = kIssB + 1, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(b->conn.state() == State::Established);
  b->deliver(at(1010_ms), data_a(kIssA + 1, 100));
  CHECK(b->conn.state() == State::CloseWait);
  CHECK(b->conn.tcb().rcv_nxt == kIssA + 102);
}

TEST_CASE("Bytes sent with content arrive with content", "[established][bytes]") {
  auto a = established();
  const std::array<std::uint8_t, 5> hello{'h', 'e', 'l', 'l', 'o'};
  a->conn.send(at(1_s), hello);
  const Segments out = a->rec.take();
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].payload.has_bytes());
  CHECK(out[0].payload.bytes() == std::vector<std::uint8_t>(hello.begin(), hello.end()));
  auto b = established_passive();
  b->deliver(at(1010_ms), out[0]);
  const ReceiveResult r = b->conn.receive(at(1020_ms), 3);
  CHECK(r.octets == 3);
  CHECK(r.bytes == std::vector<std::uint8_t>{'h', 'e', 'l'});
  CHECK(b->conn.receive(at(1020_ms), 10).bytes == std::vector<std::uint8_t>{'l', 'o'});
}

TEST_CASE("Window 4096 shrinks to 3072 as the receiver's buffer fills, with a fixed right edge", "[established][window]") {
  TcpParams p = default_params();
  p.recv_buffer = 4096;
  p.mss = 1024;
  auto b = established_passive(p);
  std::vector<std::uint16_t> windows;
  for (std::uint32_t i = 0; i < 4; ++i) {
    b->deliver(at(1_s) + 1_ms * i, data_a(kIssA + 1 + 1024 * i, 1024));
    const Segments acks = b->rec.take();
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].ack + acks[0].window == kIssA + 4097);
    windows.push_back(acks[0].window);
  }
  CHECK(windows == std::vector<std::uint16_t>{3072, 2048, 1024, 0});
  // The application reads 2048: a window update opens the right edge to 6145.
  CHECK(b->conn.receive(at(5_s), 2048).octets == 2048);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 4097, .flags = {.ack = true}, .window = 2048})});
}

TEST_CASE("Zero window: the persist timer sends one-octet probes with exponential backoff (rfc9293)", "[established][persist]") {
  auto a = established_with(default_params(), 4096, 1024);
  a->conn.send(at(1_s), 8192);
  CHECK(a->rec.take().size() == 4);
  a->deliver(at(1020_ms), ack_b(kIssA + 4097, 0));
  CHECK(a->rec.sent.empty());
  CHECK_FALSE(a->rec.timer(TimerKind::Retransmit));
  CHECK(a->rec.timer(TimerKind::Persist) == at(2020_ms));
  const Segment probe = data_a(kIssA + 4097, 1);
  CHECK(a->fire(TimerKind::Persist) == at(2020_ms));
  CHECK(a->rec.take() == Segments{probe});
  CHECK(a->rec.timer(TimerKind::Persist) == at(4020_ms));
  a->deliver(at(2040_ms), ack_b(kIssA + 4097, 0));  // the receiver rejects the octet
  CHECK(a->fire(TimerKind::Persist) == at(4020_ms));
  CHECK(a->rec.take() == Segments{probe});
  CHECK(a->rec.timer(TimerKind::Persist) == at(8020_ms));
  // The window update: A resumes from SND.UNA with two full segments.
  a->deliver(at(5_s), ack_b(kIssA + 4097, 2048));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 4097, 1024), data_a(kIssA + 5121, 1024)});
  CHECK_FALSE(a->rec.timer(TimerKind::Persist));
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(6_s));
}

TEST_CASE("Zero window (linux): the probe is a zero-length segment at SND.UNA - 1", "[established][persist][linux]") {
  auto a = established_with(linux_continuous(), 1024, 1024);
  a->conn.send(at(1_s), 2048);
  a->rec.take();
  a->deliver(at(1020_ms), ack_b(kIssA + 1025, 0));
  const sim::Time t = a->fire(TimerKind::Persist);
  CHECK(t == at(1020_ms) + a->conn.rto().rto());
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1024, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535})});
}

TEST_CASE("Zero window (linux): a probe's answer restarts the probe timer from its arrival; rfc9293 keeps it", "[established][persist][linux]") {
  for (const bool linux : {true, false}) {
    INFO((linux ? "linux" : "rfc9293"));
    TcpParams p = linux ? linux_continuous() : default_params();
    auto a = established_with(p, 1024, 1024);
    a->conn.send(at(1_s), 2048);
    a->rec.take();
    a->deliver(at(1020_ms), ack_b(kIssA + 1025, 0));
    const sim::Time probe = a->fire(TimerKind::Persist);
    a->rec.take();
    const auto next = a->rec.timer(TimerKind::Persist);
    REQUIRE(next);
    const sim::Duration interval = *next - probe;  // the backed-off interval
    // The answer, 20 ms after the probe, still shows a zero window.
    a->deliver(probe + 20_ms, ack_b(kIssA + 1025, 0));
    CHECK(a->rec.timer(TimerKind::Persist) == (linux ? probe + 20_ms + interval : *next));
  }
}

TEST_CASE("A zero receive window rejects data with an ACK showing the window", "[established][window]") {
  TcpParams p = default_params();
  p.recv_buffer = 1024;
  auto b = established_passive(p);
  b->deliver(at(1_s), data_a(kIssA + 1, 1024));
  b->rec.take();
  b->deliver(at(2_s), data_a(kIssA + 1025, 1));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1025, .flags = {.ack = true}, .window = 0})});
  CHECK(b->conn.status().recv_unread == 1024);
}

TEST_CASE("An old duplicate segment fails Table 6 and draws an ACK", "[established][table-6]") {
  auto b = established_passive();
  b->deliver(at(1_s), data_a(kIssA + 1, 100));
  b->rec.take();
  b->deliver(at(2_s), data_a(kIssA + 1, 100));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 101, .flags = {.ack = true}, .window = 65435})});
  CHECK(b->rec.discard_causes.back() == "§3.10.7.4 first: unacceptable segment");
}

TEST_CASE("An ACK of unsent data is answered with an ACK and dropped", "[established]") {
  auto a = established();
  a->deliver(at(1_s), from_b({.seq = kIssB + 1, .ack = kIssA + 50, .flags = {.ack = true}, .window = 65535, .payload_len = 10}));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(a->conn.status().recv_unread == 0);
}

TEST_CASE("An older segment does not update the send window (SND.WL1/SND.WL2 rule)", "[established][window]") {
  auto a = established();
  a->deliver(at(1_s), from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 1000, .payload_len = 10}));
  CHECK(a->conn.tcb().snd_wnd == 1000);
  CHECK(a->conn.tcb().snd_wl1 == kIssB + 1);
  a->deliver(at(2_s), from_b({.seq = kIssB + 11, .ack = kIssA + 1, .flags = {.ack = true}, .window = 2000}));
  CHECK(a->conn.tcb().snd_wnd == 2000);
}

TEST_CASE("RFC 5961: an in-window RST off RCV.NXT draws a challenge ACK and the exact one resets", "[established][rfc5961]") {
  auto b = established_passive();
  b->deliver(at(1_s), from_a({.seq = kIssA + 1001, .flags = {.rst = true}}));
  CHECK(b->conn.state() == State::Established);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535})});
  b->deliver(at(2_s), from_a({.seq = kIssA + 1 + 70000, .flags = {.rst = true}}));
  CHECK(b->rec.sent.empty());
  CHECK(b->conn.state() == State::Established);
  b->deliver(at(3_s), from_a({.seq = kIssA + 1, .flags = {.rst = true}}));
  CHECK(b->conn.state() == State::Closed);
  CHECK(b->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnReset, 0}});
}

TEST_CASE("Without RFC 5961 any in-window RST resets", "[established][rfc5961]") {
  TcpParams p = default_params();
  p.rfc5961 = false;
  auto b = established_passive(p);
  b->deliver(at(1_s), from_a({.seq = kIssA + 1001, .flags = {.rst = true}}));
  CHECK(b->conn.state() == State::Closed);
}

TEST_CASE("RFC 5961 ACK range (linux): an ACK far below SND.UNA is answered and dropped", "[established][rfc5961][linux]") {
  auto a = established_with(TcpParams::linux_profile(), 1000, 1460);
  a->deliver(at(1_s), from_b({.seq = kIssB + 1, .ack = kIssA - 5000, .flags = {.ack = true}, .window = 1000, .payload_len = 10}));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535})});
  CHECK(a->conn.status().recv_unread == 0);
}

TEST_CASE("Delayed ACK: the first segment waits for the timer, the second is ACKed at once", "[established][delayed-ack]") {
  TcpParams p = default_params();
  p.ack_policy = AckPolicyKind::Delayed;
  p.delayed_ack_timeout = 40_ms;
  auto b = established_passive(p);
  b->deliver(at(1_s), data_a(kIssA + 1, 100));
  CHECK(b->rec.sent.empty());
  CHECK(b->rec.timer(TimerKind::DelayedAck) == at(1040_ms));
  b->deliver(at(1010_ms), data_a(kIssA + 101, 100));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 201, .flags = {.ack = true}, .window = 65335})});
  CHECK_FALSE(b->rec.timer(TimerKind::DelayedAck));
  b->deliver(at(2_s), data_a(kIssA + 201, 100));
  CHECK(b->fire(TimerKind::DelayedAck) == at(2040_ms));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 301, .flags = {.ack = true}, .window = 65235})});
}

TEST_CASE("Delayed ACK: data sent in the meantime carries the ACK and cancels the timer", "[established][delayed-ack]") {
  TcpParams p = default_params();
  p.ack_policy = AckPolicyKind::Delayed;
  auto b = established_passive(p);
  b->deliver(at(1_s), data_a(kIssA + 1, 100));
  REQUIRE(b->rec.timer(TimerKind::DelayedAck));
  b->conn.send(at(1010_ms), 50);
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 1, .ack = kIssA + 101, .flags = {.ack = true, .psh = true},
                                          .window = 65435, .payload_len = 50})});
  CHECK_FALSE(b->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("Zero window: a probe carrying the last queued octet keeps the persist timer running", "[established][persist]") {
  auto a = established_with(default_params(), 1024, 1024);
  a->conn.send(at(1_s), 1025);
  a->rec.take();
  a->deliver(at(1020_ms), ack_b(kIssA + 1025, 0));
  a->fire(TimerKind::Persist);
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1025, 1)});
  a->deliver(at(2040_ms), ack_b(kIssA + 1025, 0));
  CHECK(a->rec.timer(TimerKind::Persist) == at(4020_ms));
  a->deliver(at(3_s), ack_b(kIssA + 1026, 0));  // the receiver took the probe octet
  CHECK(a->conn.status().send_queued == 0);
  CHECK(a->rec.timers.empty());
}

TEST_CASE("Keep-alive: an idle connection is probed with <SEQ=SND.NXT-1> and the answer restarts the idle timer", "[established][keepalive]") {
  TcpParams p = default_params();
  p.keepalive = true;
  p.keepalive_idle = 10_s;
  p.keepalive_interval = 1_s;
  p.keepalive_probes = 2;
  auto a = established(p);
  CHECK(a->rec.timer(TimerKind::Keepalive) == at(20_ms) + 10_s);
  a->fire(TimerKind::Keepalive);
  const Segment probe = from_a({.seq = kIssA, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535});
  CHECK(a->rec.take() == Segments{probe});
  CHECK(a->rec.timer(TimerKind::Keepalive) == at(11020_ms));
  a->deliver(at(10040_ms), ack_b(kIssA + 1));
  CHECK(a->rec.timer(TimerKind::Keepalive) == at(20040_ms));
  // Unanswered: two probes one interval apart, then ETIMEDOUT.
  a->fire(TimerKind::Keepalive);
  a->fire(TimerKind::Keepalive);
  CHECK(a->rec.take() == Segments{probe, probe});
  CHECK(a->fire(TimerKind::Keepalive) == at(22040_ms));
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.notes.back() == Notification{Notice::Error, AppError::TimedOut, 0});
}

TEST_CASE("Keep-alive is off by default in both profiles", "[established][keepalive]") {
  CHECK_FALSE(established()->rec.timer(TimerKind::Keepalive));
  CHECK_FALSE(established(TcpParams::linux_profile())->rec.timer(TimerKind::Keepalive));
}
