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
  p.ack_policy = AckPolicyKind::Delayed;
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
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true, .fin = true}, .window = 65534})});
  CHECK_FALSE(a->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("With delayed ACK an application that does not close gets the FIN acknowledged by the timer",
          "[close-wait][delayed-ack]") {
  auto a = established(delayed_ack_params());
  a->deliver(at(1_s), kFinFromB);
  CHECK(a->fire(TimerKind::DelayedAck) == at(1200_ms));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
}

TEST_CASE("With delayed ACK a FIN after one unacknowledged data segment is acknowledged at once",
          "[close-wait][delayed-ack]") {
  auto a = established(delayed_ack_params());
  a->deliver(at(1_s), data_from_b(kIssB + 1, 100));
  CHECK(a->rec.sent.empty());
  a->deliver(at(1010_ms), from_b({.seq = kIssB + 101, .ack = kIssA + 1, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 102, .flags = {.ack = true}, .window = 65434})});
}

TEST_CASE("With delayed ACK a FIN in FIN-WAIT-2 is still acknowledged at once", "[fin-wait-2][delayed-ack]") {
  auto a = fin_wait_2(delayed_ack_params());
  a->deliver(at(2_s), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(a->conn.state() == State::TimeWait);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 2, .flags = {.ack = true}, .window = 65534})});
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

// ---- the linux ACK policy (ack_policy.hpp: tcp_input.c's quick-ACK / delayed / ping-pong engine).
// A is established at 20 ms with an SRTT of 20 ms (SYN at 0, SYN,ACK at 20 ms).
namespace {
TcpParams linux_params() { return TcpParams::linux_profile(); }

Segment fin_from_b_at(SeqNum seq) {
  return from_b({.seq = seq, .ack = kIssA + 1, .flags = {.ack = true, .fin = true}, .window = 65535});
}
bool is_bare_ack(const Segment& s) { return s.flags.ack && !s.flags.fin && !s.flags.syn && s.payload_len == 0; }

// A read 100 octets B sent at 1 s (quick-ACKed); B's FIN arrives at 1.1 s: CLOSE-WAIT, ping-pong mode.
HostPtr close_wait_after_data() {
  auto a = established(linux_continuous());
  a->deliver(at(1_s), data_from_b(kIssB + 1, 100));
  CHECK(a->conn.receive(at(1_s), 100).octets == 100);
  a->rec.clear_log();
  a->deliver(at(1100_ms), fin_from_b_at(kIssB + 101));
  CHECK(a->conn.state() == State::CloseWait);
  return a;
}
}  // namespace

TEST_CASE("Linux profile: the first data of a connection is acknowledged at once (quick-ACK mode)",
          "[established][delayed-ack][linux]") {
  auto a = established(linux_params());
  a->deliver(at(1_s), data_from_b(kIssB + 1, 100));
  const Segments sent = a->rec.take();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].ack == kIssB + 101);
  CHECK_FALSE(a->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("Linux profile: a FIN after data enters ping-pong mode, its ACK waits ATO and rides on the application's FIN",
          "[close-wait][delayed-ack][linux]") {
  auto a = close_wait_after_data();
  CHECK(a->rec.sent.empty());
  // tcp_send_delayed_ack(): ATO = TCP_ATO_MIN (40 ms), bounded by max(SRTT, 40 ms) = 40 ms.
  CHECK(a->rec.timer(TimerKind::DelayedAck) == at(1140_ms));
  REQUIRE(a->conn.close(at(1120_ms)) == CallError::None);
  const Segments sent = a->rec.take();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].flags.fin);
  CHECK(sent[0].ack == kIssB + 102);
  CHECK_FALSE(a->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("Linux profile: without a close the FIN's delayed ACK leaves when the timer fires",
          "[close-wait][delayed-ack][linux]") {
  auto a = close_wait_after_data();
  CHECK(a->fire(TimerKind::DelayedAck) == at(1140_ms));
  const Segments sent = a->rec.take();
  REQUIRE(sent.size() == 1);
  CHECK(is_bare_ack(sent[0]));
  CHECK(sent[0].ack == kIssB + 102);
}

TEST_CASE("Linux profile: a FIN on a connection that never received data is acknowledged at the next tick (ATO 0)",
          "[close-wait][delayed-ack][linux]") {
  auto a = established(linux_params());
  a->deliver(at(1_s), fin_from_b_at(kIssB + 1));
  CHECK(a->rec.sent.empty());
  // tcp_send_delayed_ack() with ATO 0 arms the timer for now; the timer wheel fires it at the next
  // 4 ms tick edge (HZ 250, model time 0 on a tick edge).
  CHECK(a->rec.timer(TimerKind::DelayedAck) == at(1004_ms));
}

TEST_CASE("Linux profile: once the quick ACKs are used up, a lone segment waits and the second is acknowledged at once",
          "[established][delayed-ack][linux]") {
  TcpParams p = linux_params();
  p.recv_buffer = 4096;
  // The ACK count alone: the window test that also delays an ACK while unread data shrinks a small
  // buffer's window is zero_window_test's.
  p.window_mss_multiple = false;
  auto a = established(p);
  // tcp_incr_quickack(): 4096 advertised / (2 * 1024) = 2 quick ACKs.
  for (std::uint32_t k = 0; k < 2; ++k) {
    a->deliver(at(1_s + 10_ms * k), data_from_b(kIssB + 1 + 1024 * k, 1024));
    CHECK(a->rec.take().size() == 1);
    CHECK(a->conn.receive(at(1_s + 10_ms * k), 1024).octets == 1024);
    a->rec.clear_log();
  }
  a->deliver(at(1020_ms), data_from_b(kIssB + 1 + 2048, 1024));
  CHECK(a->rec.sent.empty());
  REQUIRE(a->rec.timer(TimerKind::DelayedAck));
  a->deliver(at(1025_ms), data_from_b(kIssB + 1 + 3072, 1024));
  const Segments sent = a->rec.take();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].ack == kIssB + 1 + 4096);
  CHECK_FALSE(a->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("Linux profile: a reply within ATO makes the connection interactive; the next request's ACK rides on the reply",
          "[established][delayed-ack][linux]") {
  auto a = established(linux_params());
  a->deliver(at(1_s), data_from_b(kIssB + 1, 100));  // quick ACK
  REQUIRE(a->conn.send(at(1010_ms), std::uint64_t{50}) == CallError::None);  // reply within ATO: ping-pong
  a->deliver(at(1030_ms), from_b({.seq = kIssB + 101, .ack = kIssA + 51, .flags = {.ack = true}, .window = 65535}));
  a->rec.clear_log();
  a->deliver(at(2_s), data_from_b(kIssB + 101, 100));
  CHECK(a->rec.sent.empty());
  REQUIRE(a->rec.timer(TimerKind::DelayedAck));
  REQUIRE(a->conn.send(at(2010_ms), std::uint64_t{50}) == CallError::None);
  const Segments sent = a->rec.take();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].payload_len == 50);
  CHECK(sent[0].ack == kIssB + 201);
  CHECK_FALSE(a->rec.timer(TimerKind::DelayedAck));
}

TEST_CASE("Linux profile: duplicate text leaves ping-pong mode, so the next data is acknowledged at once",
          "[established][delayed-ack][linux]") {
  auto a = established(linux_params());
  a->deliver(at(1_s), data_from_b(kIssB + 1, 100));
  a->deliver(at(1100_ms), fin_from_b_at(kIssB + 101));  // ping-pong
  a->rec.clear_log();
  a->deliver(at(1110_ms), data_from_b(kIssB + 1, 100));  // old text again: an immediate ACK
  const Segments sent = a->rec.take();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].ack == kIssB + 102);
}
