// The congestion window (congestion.hpp): RFC 5681 slow start, congestion avoidance and the loss
// window, RFC 6582 NewReno fast recovery, and the linux profile's initial window and decrease,
// through the connection and on the window alone.
#include "models/tcp/congestion.hpp"
#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;
constexpr std::uint32_t kSmss = 1460;

Segment ack_b(SeqNum ack, std::uint16_t window = 65535) {
  return from_b({.seq = kIssB + 1, .ack = ack, .flags = {.ack = true}, .window = window});
}
// Where A's n-th full segment (from 1) begins.
SeqNum seg(std::uint32_t n) { return kIssA + 1 + (n - 1) * kSmss; }

std::vector<SeqNum> seqs(const Segments& s) {
  std::vector<SeqNum> out;
  for (const Segment& x : s) out.push_back(x.seq);
  return out;
}

TcpParams with_iw(std::uint32_t segments, TcpParams p = default_params()) {
  p.initial_window = static_cast<int>(segments);
  return p;
}

// A whose SYN was retransmitted `n` times before B's SYN,ACK arrived.
HostPtr established_after_syn_retransmissions(const TcpParams& p, int n) {
  auto h = syn_sent(p);
  for (int i = 0; i < n; ++i) h->fire(TimerKind::Retransmit);
  h->deliver(at(20_s), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535,
                               .options = {.mss = 1460}}));
  REQUIRE(h->conn.state() == State::Established);
  h->rec.clear_log();
  return h;
}
}  // namespace

TEST_CASE("RFC 5681 3.1: the initial window is 3 segments for SMSS 1460; each ACK of a segment adds one (slow start)",
          "[congestion]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 10 * kSmss) == CallError::None);
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(1), seg(2), seg(3)});
  a->deliver(at(1020_ms), ack_b(seg(2)));  // cwnd 4: two in flight, two more may go
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(4), seg(5)});
  // Two segments in one ACK: + min(N, SMSS), one segment, not two: cwnd 5 over a flight of 2.
  a->deliver(at(1021_ms), ack_b(seg(4)));
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(6), seg(7), seg(8)});
}

TEST_CASE("RFC 5681 3.1: the initial window follows SMSS (4 segments up to 1095 octets, 2 above 2190)", "[congestion]") {
  CongestionControl cc;
  cc.start(default_params(), 1000, 0);
  CHECK(cc.cwnd() == 4000);
  cc.start(default_params(), 1095, 0);
  CHECK(cc.cwnd() == 4 * 1095);
  cc.start(default_params(), 2191, 0);
  CHECK(cc.cwnd() == 2 * 2191);
  cc.start(with_iw(10), 1000, 0);
  CHECK(cc.cwnd() == 10000);
  TcpParams none = default_params();
  none.congestion_control = CongestionKind::None;
  cc.start(none, 1000, 3);
  CHECK_FALSE(cc.active());
  CHECK(cc.room(1'000'000) == CongestionControl::kUnlimited);
}

TEST_CASE("RFC 5681 3.1: after a retransmitted SYN the transfer starts with one segment", "[congestion]") {
  auto a = established_after_syn_retransmissions(default_params(), 1);
  REQUIRE(a->conn.send(at(21_s), 3 * kSmss) == CallError::None);
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(1)});
  a->deliver(at(21020_ms), ack_b(seg(2)));
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(2), seg(3)});
}

TEST_CASE("linux: IW 10 after one SYN retransmission, 1 segment after two (tcp_init_transfer)", "[congestion][linux]") {
  auto once = established_after_syn_retransmissions(linux_continuous(), 1);
  REQUIRE(once->conn.send(at(21_s), 12 * kSmss) == CallError::None);
  CHECK(once->rec.take().size() == 10);
  auto twice = established_after_syn_retransmissions(linux_continuous(), 2);
  REQUIRE(twice->conn.send(at(21_s), 2 * kSmss) == CallError::None);
  CHECK(seqs(twice->rec.take()) == std::vector<SeqNum>{seg(1)});
  // The FIN rides on the held segment, so it waits too ...
  REQUIRE(twice->conn.close(at(21001_ms)) == CallError::None);
  CHECK(twice->rec.take().empty());
  twice->deliver(at(21020_ms), ack_b(seg(2)));
  const Segments tail = twice->rec.take();
  REQUIRE(tail.size() == 1);
  CHECK(tail[0].seq == seg(2));
  CHECK(tail[0].flags.fin);
}

TEST_CASE("A FIN without data is not held by a full congestion window (tcp_cwnd_test)", "[congestion][linux]") {
  auto a = established_after_syn_retransmissions(linux_continuous(), 2);
  REQUIRE(a->conn.send(at(21_s), kSmss) == CallError::None);
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(1)});
  REQUIRE(a->conn.close(at(21001_ms)) == CallError::None);
  const Segments fin = a->rec.take();
  REQUIRE(fin.size() == 1);
  CHECK(fin[0].flags.fin);
  CHECK(fin[0].seq == seg(2));
}

TEST_CASE("RFC 5681 3.1: an RTO leaves one segment of window; slow start grows it again", "[congestion]") {
  auto a = established(with_iw(10));
  REQUIRE(a->conn.send(at(1_s), 6 * kSmss) == CallError::None);
  REQUIRE(a->rec.take().size() == 6);
  a->fire(TimerKind::Retransmit);
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(1)});
  a->deliver(at(2100_ms), ack_b(seg(7)));  // everything: cwnd 2 segments
  REQUIRE(a->conn.send(at(2200_ms), 5 * kSmss) == CallError::None);
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(7), seg(8)});
}

TEST_CASE("RFC 6582: duplicates inflate the window until new data leaves; a partial ACK resends the next hole",
          "[congestion][newreno]") {
  auto a = established(with_iw(10));
  REQUIRE(a->conn.send(at(1_s), 20 * kSmss) == CallError::None);
  REQUIRE(a->rec.take().size() == 10);
  a->deliver(at(1020_ms), ack_b(seg(2)));  // segment 2 (and later 5) lost; cwnd 11
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(11), seg(12)});
  for (int i = 0; i < 3; ++i) a->deliver(at(1021_ms) + 1_ms * i, ack_b(seg(2)));
  // Third duplicate: ssthresh = 11 * 1460 / 2 = 8030, cwnd = 8030 + 3 * 1460 = 12410 < flight 16060.
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(2)});
  for (int i = 0; i < 3; ++i) a->deliver(at(1030_ms) + 1_ms * i, ack_b(seg(2)));
  CHECK(a->rec.take().empty());  // cwnd 16790: still below the flight
  a->deliver(at(1040_ms), ack_b(seg(2)));  // cwnd 18250: one new segment
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(13)});
  a->deliver(at(1041_ms), ack_b(seg(2)));
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(14)});
  // The retransmission of 2 arrives: the ACK stops at the hole at 5, short of recover (seg 13).
  // Deflated by the 3 segments it acknowledged, plus one: cwnd 16790 over a flight of 14600, so
  // "also send a new segment if permitted by the new value of cwnd".
  a->rec.clear_log();
  a->deliver(at(1060_ms), ack_b(seg(5)));
  CHECK(a->rec.send_causes.front() == "RFC 6582 3.2 step 5: partial ACK in fast recovery -> the next hole again");
  CHECK(a->rec.retransmitted == std::vector<bool>{true, false});
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(5), seg(15)});
  // The full ACK ends recovery: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) = 2 segments
  // with nothing outstanding, not the inflated window's burst.
  a->deliver(at(1080_ms), ack_b(seg(16)));
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(16), seg(17)});
}

TEST_CASE("RFC 6582 3.2 step 2: duplicates for data sent before the last loss do not start another recovery",
          "[congestion][newreno]") {
  CongestionControl cc;
  const TcpParams p = with_iw(10);
  cc.start(p, 1000, 0);
  cc.on_timeout(p, 10000, SeqNum{11001}, true);
  CHECK(cc.cwnd() == 1000);
  CHECK(cc.ssthresh() == 5000);
  CHECK_FALSE(cc.enter_fast_recovery(p, 9000, SeqNum{11001}, SeqNum{2001}));
  CHECK(cc.enter_fast_recovery(p, 4000, SeqNum{15001}, SeqNum{11001}));
  CHECK(cc.ssthresh() == 2000);  // max(FlightSize / 2, 2 * SMSS)
  CHECK(cc.cwnd() == 5000);
}

TEST_CASE("RFC 5681 3.1: a second timeout of the same segment keeps ssthresh", "[congestion]") {
  CongestionControl cc;
  const TcpParams p = with_iw(10);
  cc.start(p, 1000, 0);
  cc.on_timeout(p, 8000, SeqNum{9001}, true);
  cc.on_timeout(p, 8000, SeqNum{9001}, false);
  CHECK(cc.ssthresh() == 4000);
  CHECK(cc.cwnd() == 1000);
}

TEST_CASE("RFC 5681 congestion avoidance: about one SMSS per window of ACKs", "[congestion]") {
  CongestionControl cc;
  const TcpParams p = with_iw(4);
  cc.start(p, 1000, 0);
  cc.on_timeout(p, 8000, SeqNum{9001}, true);  // ssthresh 4000
  for (int i = 0; i < 3; ++i) cc.on_ack(p, 1000, SeqNum{1001}, 0);
  REQUIRE(cc.cwnd() == 4000);
  cc.on_ack(p, 1000, SeqNum{1001}, 0);
  CHECK(cc.cwnd() == 4250);  // SMSS * SMSS / cwnd
}

TEST_CASE("linux: CUBIC's decrease to 717/1024 of cwnd; additive increase of one segment per window", "[congestion][linux]") {
  CongestionControl cc;
  const TcpParams p = linux_continuous();
  cc.start(p, 1000, 0);
  REQUIRE(cc.cwnd() == 10000);
  CHECK(cc.enter_fast_recovery(p, 10000, SeqNum{10001}, SeqNum{1}));
  CHECK(cc.ssthresh() == 7000);  // 10 * 717 / 1024 = 7 segments
  CHECK(cc.cwnd() == 7000);
  CHECK(cc.on_ack(p, 1000, SeqNum{2001}, 8000) == CongestionControl::AckVerdict::PartialAck);
  CHECK(cc.on_ack(p, 9000, SeqNum{10001}, 0) == CongestionControl::AckVerdict::RecoveryEnds);
  CHECK(cc.cwnd() == 7000);
  for (int i = 0; i < 6; ++i) cc.on_ack(p, 1000, SeqNum{1}, 0);
  CHECK(cc.cwnd() == 7000);
  cc.on_ack(p, 1000, SeqNum{1}, 0);
  CHECK(cc.cwnd() == 8000);
  cc.on_timeout(p, 8000, SeqNum{20001}, true);
  CHECK(cc.cwnd() == 1000);
  CHECK(cc.ssthresh() == 5000);  // 8 * 717 / 1024 = 5
}

TEST_CASE("After an idle RTO the window restarts: RFC 5681 4.1 at IW, linux halving per RTO", "[congestion]") {
  CongestionControl cc;
  TcpParams p = with_iw(4);
  cc.start(p, 1000, 0);
  for (int i = 0; i < 12; ++i) cc.on_ack(p, 1000, SeqNum{1}, 0);
  REQUIRE(cc.cwnd() == 16000);
  cc.before_send_after_idle(p, 900_ms, 1_s);
  CHECK(cc.cwnd() == 16000);
  cc.before_send_after_idle(p, 1500_ms, 1_s);
  CHECK(cc.cwnd() == 4000);

  const TcpParams l = linux_continuous();
  cc.start(l, 1000, 0);
  for (int i = 0; i < 30; ++i) cc.on_ack(l, 1000, SeqNum{1}, 0);
  REQUIRE(cc.cwnd() == 40000);
  cc.before_send_after_idle(l, 2500_ms, 1_s);  // two RTOs past the first: 40 -> 20 -> 10... stops at 10
  CHECK(cc.cwnd() == 10000);
  cc.start(l, 1000, 0);
  for (int i = 0; i < 30; ++i) cc.on_ack(l, 1000, SeqNum{1}, 0);
  cc.before_send_after_idle(l, 1500_ms, 1_s);  // one halving
  CHECK(cc.cwnd() == 20000);
  p.slow_start_after_idle = false;
  cc.start(p, 1000, 0);
  for (int i = 0; i < 12; ++i) cc.on_ack(p, 1000, SeqNum{1}, 0);
  cc.before_send_after_idle(p, 5_s, 1_s);
  CHECK(cc.cwnd() == 16000);
}

TEST_CASE("After an idle RTO a connection's burst is the initial window again", "[congestion]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 3 * kSmss) == CallError::None);
  a->deliver(at(1020_ms), ack_b(seg(4)));  // cwnd 4 segments
  a->rec.clear_log();
  REQUIRE(a->conn.send(at(1040_ms), 4 * kSmss) == CallError::None);  // not idle: 4 leave
  CHECK(a->rec.take().size() == 4);
  a->deliver(at(1060_ms), ack_b(seg(8)));
  a->rec.clear_log();
  REQUIRE(a->conn.send(at(5_s), 5 * kSmss) == CallError::None);  // idle 3.94 s > RTO
  CHECK(seqs(a->rec.take()) == std::vector<SeqNum>{seg(8), seg(9), seg(10)});
}
