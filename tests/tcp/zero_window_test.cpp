// RFC 9293 §3.10.7.4, the note under Table 6: "If the RCV.WND is zero, no segments will be
// acceptable, but special allowance should be made to accept valid ACKs, URGs, and RSTs."
#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;

// B (passive, receive buffer 1024) with a full buffer: A's 1024 octets arrived at 1 s and B
// sent 100 octets of its own at 1.5 s, unacknowledged. RCV.NXT = x+1025, RCV.WND = 0.
HostPtr full_receiver_with_data_out() {
  TcpParams p = default_params();
  p.recv_buffer = 1024;
  auto b = established_passive(p);
  b->deliver(at(1_s), from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535,
                              .payload_len = 1024}));
  REQUIRE(b->conn.send(at(1500_ms), 100) == CallError::None);
  REQUIRE(b->conn.tcb().rcv_wnd == 0);
  REQUIRE(b->rec.timer(TimerKind::Retransmit) == at(2500_ms));
  b->rec.clear_log();
  return b;
}
}  // namespace

TEST_CASE("At RCV.WND = 0 the ACK field of a data segment at RCV.NXT is processed and its text dropped",
          "[zero-window][table-6]") {
  auto b = full_receiver_with_data_out();
  const Segment probe = from_a({.seq = kIssA + 1025, .ack = kIssB + 101, .flags = {.ack = true}, .window = 65535,
                                .payload_len = 1});
  b->deliver(at(2_s), probe);
  CHECK(b->conn.tcb().snd_una == kIssB + 101);  // the ACK field was used
  CHECK_FALSE(b->rec.timer(TimerKind::Retransmit));
  CHECK(b->conn.tcb().rcv_nxt == kIssA + 1025);  // the text was not
  CHECK(b->conn.status().recv_unread == 1024);
  CHECK(b->rec.discard_causes ==
        std::vector<std::string>{"§3.10.7.4 first: RCV.WND = 0 -> text dropped, ACK field processed (special allowance)"});
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 101, .ack = kIssA + 1025, .flags = {.ack = true}, .window = 0})});
}

TEST_CASE("At RCV.WND = 0 a segment beyond RCV.NXT is still rejected whole", "[zero-window][table-6]") {
  auto b = full_receiver_with_data_out();
  b->deliver(at(2_s), from_a({.seq = kIssA + 1026, .ack = kIssB + 101, .flags = {.ack = true}, .window = 65535,
                              .payload_len = 1}));
  CHECK(b->conn.tcb().snd_una == kIssB + 1);
  CHECK(b->rec.timer(TimerKind::Retransmit) == at(2500_ms));
  CHECK(b->rec.take() == Segments{from_b({.seq = kIssB + 101, .ack = kIssA + 1025, .flags = {.ack = true}, .window = 0})});
}

TEST_CASE("At RCV.WND = 0 a RST with text at RCV.NXT resets the connection", "[zero-window][table-6]") {
  auto b = full_receiver_with_data_out();
  b->deliver(at(2_s), from_a({.seq = kIssA + 1025, .flags = {.rst = true}, .payload_len = 10}));
  CHECK(b->conn.state() == State::Closed);
  CHECK(b->rec.sent.empty());
  CHECK(b->rec.notes.back() == Notification{Notice::Error, AppError::ConnReset, 0});
}

TEST_CASE("linux, a buffer under 64 KiB: the window is a whole number of receive MSS, and a shrinking one delays the ACK",
          "[zero-window][linux]") {
  // __tcp_select_window() for an unscaled window and __tcp_ack_snd_check()'s window test: B's
  // 6000-octet buffer (its SYN,ACK offered 5840, four segments of MSS 1460) takes full segments.
  const auto windows = [](std::uint32_t buffer, bool read) {
    TcpParams p = linux_continuous();
    p.recv_buffer = buffer;
    auto b = established_passive(p);
    std::vector<std::uint16_t> w;
    std::vector<bool> at_once;
    for (std::uint32_t i = 0; i < 4; ++i) {
      b->deliver(at(1_s) + sim::Duration::ms(i), from_a({.seq = kIssA + 1 + 1460 * i, .ack = kIssB + 1, .flags = {.ack = true},
                                                         .window = 65535, .payload_len = 1460}));
      if (read) b->conn.receive(at(1_s) + sim::Duration::ms(i), 1460);
      const Segments sent = b->rec.take();
      at_once.push_back(!sent.empty());
      for (const Segment& s : sent) w.push_back(s.window);
    }
    return std::pair{w, at_once};
  };
  const auto [small, small_now] = windows(6000, false);
  // Quick ACKs for the first two (4540 and 3080 octets free: 4380 and 2920, whole segments); the
  // fourth, a second full segment, waits: the window it would advertise (0) is below the one
  // advertised (2920) and nothing was read.
  CHECK(small == std::vector<std::uint16_t>{4380, 2920});
  CHECK(small_now == std::vector<bool>{true, true, false, false});
  // Read as it arrives: every window is still a whole number of segments, and one advertised is
  // kept while it fits within one MSS of the space (4380 with 4540 octets free).
  const auto [read, read_now] = windows(6000, true);
  REQUIRE(read.size() >= 2);
  for (const std::uint16_t x : read) CHECK(x % 1460 == 0);
  CHECK(read[1] == 4380);
  // The profile's 65535 stands for Linux's autotuned, scaled window: the free space itself.
  const auto [big, big_now] = windows(65535, false);
  REQUIRE_FALSE(big.empty());
  CHECK(big.front() == 64075);
  CHECK(big_now[3]);
}

// RFC 9293 §3.8.6.2.2 (MUST-39): "keep RCV.NXT+RCV.WND fixed until the reduction satisfies:
// RCV.BUFF - RCV.USER - RCV.WND >= min( Fr * RCV.BUFF, Eff.snd.MSS )". B: a 4000-octet buffer,
// Eff.snd.MSS 1460, so freed space is offered once the right edge can move by 1460 octets.
TEST_CASE("Receiver SWS avoidance: the right edge stays until reads free min(RCV.BUFF/2, Eff.snd.MSS)",
          "[receiver-sws][window]") {
  for (const bool sws : {true, false}) {
    INFO("receiver_sws " << sws);
    TcpParams p = default_params();
    p.recv_buffer = 4000;
    p.receiver_sws = sws;
    auto b = established_passive(p);
    b->rec.clear_log();
    net::SeqNum next = kIssA + 1;
    // A's `len` octets arrive at `t`; the window of B's answer, which must be its only segment.
    const auto data = [&](sim::Time t, std::uint32_t len) -> long {
      b->deliver(t, from_a({.seq = next, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535, .payload_len = len}));
      next += len;
      const Segments out = b->rec.take();
      if (out.size() != 1 || out[0] != from_b({.seq = kIssB + 1, .ack = next, .flags = {.ack = true}, .window = out[0].window}))
        return -1;
      return out[0].window;
    };
    CHECK(data(at(1_s), 1000) == 3000);  // right edge x+4001
    CHECK(b->conn.receive(at(1100_ms), 500).octets == 500);
    CHECK(b->rec.take().empty());              // the edge could move by 500 only
    CHECK(data(at(1200_ms), 100) == (sws ? 2900 : 3400));
    CHECK(b->conn.receive(at(1300_ms), 600).octets == 600);
    CHECK(b->rec.take().empty());
    CHECK(data(at(1400_ms), 500) == (sws ? 2400 : 3500));  // the edge still at x+4001 (1100 < 1460)
    CHECK(b->conn.receive(at(1500_ms), 500).octets == 500);   // now it can move by 1600
    CHECK(b->rec.take().empty());  // no update of its own: the peer still has 2400 > RCV.BUFF/2
    CHECK(data(at(1600_ms), 10) == 3990);
  }
}
