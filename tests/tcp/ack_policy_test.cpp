// When an acknowledgment goes out on its own: the ACK of a FIN under delayed ACK (RFC 9293
// §3.8.6.3, catalog 3.15) and the window update after RECEIVE (§3.8.6.2.2, catalogs 3.22-3.23).
#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;

TcpParams delayed_ack_params() {
  TcpParams p = default_params();
  p.delayed_ack = true;
  p.delayed_ack_timeout = 200_ms;
  return p;
}

const Segment kFinFromB = from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true, .fin = true}, .window = 65535});

Segment data_from_b(SeqNum seq, std::uint32_t len) {
  return from_b({.seq = seq, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535, .payload_len = len});
}
}  // namespace

TEST_CASE("With delayed ACK the ACK of a FIN in ESTABLISHED waits and rides on the FIN of an immediate CLOSE",
          "[close-wait][delayed-ack][three-segment-close]") {
  auto a = established(delayed_ack_params());
  a->deliver(at(1_s), kFinFromB);
  CHECK(a->conn.state() == State::CloseWait);
  CHECK(a->rec.sent.empty());
  CHECK(a->rec.timer(TimerKind::DelayedAck) == at(1200_ms));
  REQUIRE(a->conn.close(at(1_s)) == CallError::None);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true, .fin = true}, .window = 65535})});
  CHECK_FALSE(a->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("With delayed ACK an application that does not close gets the FIN acknowledged by the timer",
          "[close-wait][delayed-ack]") {
  auto a = established(delayed_ack_params());
  a->deliver(at(1_s), kFinFromB);
  CHECK(a->fire(TimerKind::DelayedAck) == at(1200_ms));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65535})});
}

TEST_CASE("With delayed ACK a FIN after one unacknowledged data segment is acknowledged at once",
          "[close-wait][delayed-ack]") {
  auto a = established(delayed_ack_params());
  a->deliver(at(1_s), data_from_b(kIssB + 1, 100));
  CHECK(a->rec.sent.empty());
  a->deliver(at(1010_ms), from_b({.seq = kIssB + 101, .ack = kIssA + 1, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 102, .flags = {.ack = true}, .window = 65435})});
}

TEST_CASE("With delayed ACK a FIN in FIN-WAIT-2 is still acknowledged at once", "[fin-wait-2][delayed-ack]") {
  auto a = fin_wait_2(delayed_ack_params());
  a->deliver(at(2_s), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(a->conn.state() == State::TimeWait);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65535})});
}

TEST_CASE("A RECEIVE right after the ACK of a segment sends no second ACK while the peer's window is wide",
          "[established][window-update]") {
  auto a = established();
  a->deliver(at(1_s), data_from_b(kIssB + 1, 1460));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 1461, .flags = {.ack = true}, .window = 64075})});
  CHECK(a->conn.receive(at(1_s), 1460).octets == 1460);
  CHECK(a->rec.sent.empty());
}

TEST_CASE("A RECEIVE sends a window update once the peer's window is at most half the buffer",
          "[established][window-update][sliding-window]") {
  TcpParams p = default_params();
  p.recv_buffer = 4096;
  auto a = established(p);
  a->deliver(at(1_s), data_from_b(kIssB + 1, 1024));
  CHECK(a->rec.take().back().window == 3072);
  CHECK(a->conn.receive(at(1100_ms), 1024).octets == 1024);  // the peer still has 3072 of 4096
  CHECK(a->rec.sent.empty());
  for (std::uint32_t k = 1; k < 5; ++k) a->deliver(at(2_s), data_from_b(kIssB + 1 + 1024 * k, 1024));
  CHECK(a->rec.take().back() == from_a({.seq = kIssA + 1, .ack = kIssB + 5121, .flags = {.ack = true}, .window = 0}));
  CHECK(a->conn.receive(at(3_s), 2048).octets == 2048);  // catalog 3.23 row 7
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 5121, .flags = {.ack = true}, .window = 2048})});
}
