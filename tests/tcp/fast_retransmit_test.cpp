// RFC 5681 §3.2 fast retransmit: the third duplicate ACK (RFC 5681 §2) resends the segment at
// SND.UNA once, without waiting for the retransmission timer.
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;

Segment data_a(SeqNum seq, std::uint32_t len, bool psh = false) {
  return from_a({.seq = seq, .ack = kIssB + 1, .flags = {.ack = true, .psh = psh}, .window = 65535, .payload_len = len});
}
Segment ack_b(SeqNum ack, std::uint16_t window = 65535) {
  return from_b({.seq = kIssB + 1, .ack = ack, .flags = {.ack = true}, .window = window});
}

// Fast retransmit apart from the window's growth: an initial window (RFC 6928) that lets all five
// segments leave at once.
TcpParams iw10(TcpParams p = default_params()) {
  p.initial_window = 10;
  return p;
}

// A established (peer MSS 1460) with five full segments in flight from t = 1 s, the first one
// acknowledged at 1.020 s: SND.UNA = x+1461, SND.NXT = x+7301, the retransmission timer at 2.020 s.
HostPtr five_in_flight(const TcpParams& p = iw10()) {
  auto a = established(p);
  REQUIRE(a->conn.send(at(1_s), 5 * 1460) == CallError::None);
  REQUIRE(a->rec.take().size() == 5);
  a->deliver(at(1020_ms), ack_b(kIssA + 1461));
  REQUIRE(a->rec.timer(TimerKind::Retransmit) == at(2020_ms));
  a->rec.clear_log();
  return a;
}
}  // namespace

TEST_CASE("The third duplicate ACK resends the segment at SND.UNA once, before the RTO", "[fast-retransmit]") {
  auto a = five_in_flight();
  a->deliver(at(1021_ms), ack_b(kIssA + 1461));
  a->deliver(at(1022_ms), ack_b(kIssA + 1461));
  CHECK(a->rec.sent.empty());
  a->deliver(at(1023_ms), ack_b(kIssA + 1461));
  CHECK(a->rec.send_causes == std::vector<std::string>{"RFC 5681 §3.2: third duplicate ACK -> fast retransmit"});
  CHECK(a->rec.retransmitted == std::vector<bool>{true});
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1461, 1460)});
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(2020_ms));  // (5.1): the timer is already running
  a->deliver(at(1024_ms), ack_b(kIssA + 1461));  // a fourth: fast recovery, but nothing new to send
  CHECK(a->rec.sent.empty());
  a->deliver(at(1043_ms), ack_b(kIssA + 7301));
  CHECK(a->conn.tcb().snd_una == kIssA + 7301);
  CHECK_FALSE(a->rec.timer(TimerKind::Retransmit));
}

TEST_CASE("An ACK that moves SND.UNA restarts the count of duplicate ACKs", "[fast-retransmit]") {
  auto a = five_in_flight();
  a->deliver(at(1021_ms), ack_b(kIssA + 1461));
  a->deliver(at(1022_ms), ack_b(kIssA + 1461));
  a->deliver(at(1023_ms), ack_b(kIssA + 2921));  // new data acked: two duplicates forgotten
  a->deliver(at(1024_ms), ack_b(kIssA + 2921));
  a->deliver(at(1025_ms), ack_b(kIssA + 2921));
  CHECK(a->rec.sent.empty());
  a->deliver(at(1026_ms), ack_b(kIssA + 2921));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 2921, 1460)});
}

TEST_CASE("An ACK that changes the window is not a duplicate ACK", "[fast-retransmit]") {
  auto a = five_in_flight();
  a->deliver(at(1021_ms), ack_b(kIssA + 1461));
  a->deliver(at(1022_ms), ack_b(kIssA + 1461, 60000));  // (e) the window differs
  a->deliver(at(1023_ms), ack_b(kIssA + 1461, 60000));
  CHECK(a->rec.sent.empty());
  a->deliver(at(1024_ms), ack_b(kIssA + 1461, 60000));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1461, 1460)});
}

TEST_CASE("A segment carrying data is not a duplicate ACK", "[fast-retransmit]") {
  auto a = five_in_flight();
  for (std::uint32_t i = 0; i < 3; ++i) {
    a->deliver(at(1021_ms) + 1_ms * i,
               from_b({.seq = kIssB + 1 + 10 * i, .ack = kIssA + 1461, .flags = {.ack = true}, .window = 65535,
                       .payload_len = 10}));
  }
  for (const Segment& s : a->rec.take()) CHECK(s.payload_len == 0);  // only ACKs of B's text
  CHECK(a->conn.tcb().snd_una == kIssA + 1461);
}

TEST_CASE("With fast_retransmit off only the RTO resends the lost segment", "[fast-retransmit]") {
  TcpParams p = iw10();
  p.fast_retransmit = false;
  auto a = five_in_flight(p);
  for (int i = 0; i < 4; ++i) a->deliver(at(1021_ms) + 1_ms * i, ack_b(kIssA + 1461));
  CHECK(a->rec.sent.empty());
  CHECK(a->fire(TimerKind::Retransmit) == at(2020_ms));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1461, 1460)});
}

TEST_CASE("A lost data segment among several is recovered by fast retransmit before the RTO fires",
          "[fast-retransmit][wire]") {
  Wire w(iw10(), iw10());
  bool dropped = false;
  w.drop = [&](const Segment& s, bool from_a) {
    if (!from_a || dropped || s.seq != kIssA + 1461 || s.payload_len == 0) return false;
    return dropped = true;
  };
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(1_s));
  REQUIRE(w.a.conn.send(at(1_s), 5 * 1460) == CallError::None);
  w.run_until(at(1500_ms));
  CHECK(w.transcript == std::vector<std::string>{
                            "A SYN-SENT",
                            "A>B SYN seq=100",
                            "B LISTEN",
                            "B SYN-RECEIVED",
                            "B>A SYN,ACK seq=300 ack=101",
                            "A ESTABLISHED",
                            "A>B ACK seq=101 ack=301",
                            "B ESTABLISHED",
                            "A>B ACK seq=101 ack=301 len=1460",
                            "A>B ACK seq=1561 ack=301 len=1460 XXX",
                            "A>B ACK seq=3021 ack=301 len=1460",
                            "A>B ACK seq=4481 ack=301 len=1460",
                            "A>B PSH,ACK seq=5941 ack=301 len=1460",
                            "B>A ACK seq=301 ack=1561",
                            "B>A ACK seq=301 ack=1561",
                            "B>A ACK seq=301 ack=1561",
                            "B>A ACK seq=301 ack=1561",
                            "A>B ACK seq=1561 ack=301 len=1460",
                            "B>A ACK seq=301 ack=7401",
                        });
  CHECK(w.a.conn.tcb().snd_una == kIssA + 7301);
  CHECK(w.b.conn.status().recv_unread == 5 * 1460);
  CHECK_FALSE(w.a.rec.timer(TimerKind::Retransmit));
}
