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
