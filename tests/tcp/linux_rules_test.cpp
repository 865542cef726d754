// The linux profile's departures from RFC 9293 in validating segments and ending connections
// (catalog §4: D6, D8, D14, D16 and card 3.19), each next to the rfc9293 behaviour.
#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;
using Transitions = std::vector<std::pair<State, State>>;

TcpParams linux_params() { return linux_continuous(); }

// A's ACK of data it never sent: A has SND.NXT = x+1, the peer acknowledges x+41.
const Segment kAckOfUnsent = from_b({.seq = kIssB + 1, .ack = kIssA + 41, .flags = {.ack = true}, .window = 65535});
const Segment kAckFromA = from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535});

// Retransmissions of the FIN until the connection gives up; the state changes are in rec.
int fin_retransmissions_until_closed(Host& h) {
  int n = 0;
  while (h.conn.state() != State::Closed) {
    h.rec.take();
    h.fire(TimerKind::Retransmit);
    n += static_cast<int>(h.rec.sent.size());
  }
  return n;
}
}  // namespace

TEST_CASE("D8: linux answers ACK-only unacceptable segments at most once per 500 ms, rfc9293 every time",
          "[established][oow-ack][linux]") {
  auto l = established(linux_params());
  l->deliver(at(1_s), kAckOfUnsent);
  l->deliver(at(1020_ms), kAckOfUnsent);
  l->deliver(at(1040_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535}));
  CHECK(l->rec.take() == Segments{kAckFromA});
  l->deliver(at(1500_ms), kAckOfUnsent);
  CHECK(l->rec.take() == Segments{kAckFromA});
  auto r = established();
  r->deliver(at(1_s), kAckOfUnsent);
  r->deliver(at(1020_ms), kAckOfUnsent);
  CHECK(r->rec.take() == Segments{kAckFromA, kAckFromA});
}

TEST_CASE("D8: linux always answers an unacceptable segment that carries data", "[established][oow-ack][linux]") {
  auto l = established(linux_params());
  l->deliver(at(1_s), kAckOfUnsent);
  l->deliver(at(1010_ms), from_b({.seq = kIssB - 99, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535,
                                  .payload_len = 50}));
  CHECK(l->rec.take() == Segments{kAckFromA, kAckFromA});
}

TEST_CASE("D6: linux accepts a RST at RCV.NXT - 1 in CLOSE-WAIT, rfc9293 drops it", "[close-wait][rst][linux]") {
  const Segment rst = from_b({.seq = kIssB + 1, .flags = {.rst = true}});  // RCV.NXT = y+2 after the FIN
  auto l = close_wait(linux_params());
  l->deliver(at(2_s), rst);
  CHECK(l->conn.state() == State::Closed);
  CHECK(l->rec.notes == std::vector<Notification>{{Notice::Error, AppError::ConnReset, 0}});
  CHECK(l->rec.sent.empty());
  auto r = close_wait();
  r->deliver(at(2_s), rst);
  CHECK(r->conn.state() == State::CloseWait);
  CHECK(r->rec.sent.empty());
  CHECK(r->rec.discard_causes == std::vector<std::string>{"§3.10.7.4 first: unacceptable RST -> drop"});
}

TEST_CASE("D6: linux takes a RST at RCV.NXT - 1 in LAST-ACK but not in ESTABLISHED", "[last-ack][rst][linux]") {
  auto l = last_ack(linux_params());
  l->deliver(at(2_s), from_b({.seq = kIssB + 1, .flags = {.rst = true}}));
  CHECK(l->rec.states == Transitions{{State::LastAck, State::Closed}});
  auto e = established(linux_params());
  e->deliver(at(2_s), from_b({.seq = kIssB, .flags = {.rst = true}}));
  CHECK(e->conn.state() == State::Established);
}

TEST_CASE("D14: a RST in an active-open SYN-RECEIVED is connection refused (rfc9293) or reset (linux)",
          "[syn-received][rst][linux]") {
  for (const bool lnx : {false, true}) {
    auto a = syn_sent(lnx ? linux_params() : default_params());
    a->deliver(at(10_ms), from_b({.seq = kIssB, .flags = {.syn = true}, .window = 65535, .options = {.mss = 1460}}));
    REQUIRE(a->conn.state() == State::SynReceived);
    a->rec.clear_log();
    a->deliver(at(20_ms), from_b({.seq = kIssB + 1, .flags = {.rst = true}}));
    CHECK(a->conn.state() == State::Closed);
    CHECK(a->rec.notes ==
          std::vector<Notification>{{Notice::Error, lnx ? AppError::ConnReset : AppError::ConnRefused, 0}});
  }
}

TEST_CASE("Card 3.19: after close() linux gives up on the FIN after 8 retransmissions (tcp_orphan_retries)",
          "[last-ack][orphan][linux]") {
  auto l = last_ack(linux_params());
  CHECK(fin_retransmissions_until_closed(*l) == 8);
  CHECK(l->rec.state_causes.back() == "linux tcp_orphan_retries reached (closed socket) -> close, ETIMEDOUT");
}

TEST_CASE("Card 3.19: after shutdown() linux keeps tcp_retries2 = 15 for the FIN", "[last-ack][orphan][linux]") {
  auto l = close_wait(linux_params());
  REQUIRE(l->conn.close(at(1500_ms), Connection::CloseMode::HalfDuplex) == CallError::None);
  CHECK(fin_retransmissions_until_closed(*l) == 15);
}

TEST_CASE("D16: linux ends an orphaned FIN-WAIT-2 after tcp_fin_timeout = 60 s without a segment",
          "[fin-wait-2][orphan][linux]") {
  auto l = fin_wait_2(linux_params());
  CHECK(l->rec.timer(TimerKind::FinWait2) == at(1020_ms) + 60_s);
  CHECK(l->fire(TimerKind::FinWait2) == at(61020_ms));
  CHECK(l->rec.states == Transitions{{State::FinWait2, State::Closed}});
  CHECK(l->rec.notes == std::vector<Notification>{{Notice::Closed, AppError::None, 0}});
  CHECK(l->rec.sent.empty());
  auto r = fin_wait_2();
  CHECK_FALSE(r->rec.timer(TimerKind::FinWait2));
}

TEST_CASE("D16: a FIN before tcp_fin_timeout leads to TIME-WAIT and stops the FIN-WAIT-2 timer",
          "[fin-wait-2][orphan][linux]") {
  auto l = fin_wait_2(linux_params());
  l->deliver(at(2_s), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(l->conn.state() == State::TimeWait);
  CHECK_FALSE(l->rec.timer(TimerKind::FinWait2));
}

TEST_CASE("D16: a half-closed FIN-WAIT-2 waits until close() starts tcp_fin_timeout", "[fin-wait-2][orphan][linux]") {
  auto l = established(linux_params());
  REQUIRE(l->conn.close(at(1_s), Connection::CloseMode::HalfDuplex) == CallError::None);
  l->deliver(at(1020_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65535}));
  REQUIRE(l->conn.state() == State::FinWait2);
  CHECK_FALSE(l->rec.timer(TimerKind::FinWait2));
  CHECK(l->conn.close(at(5_s)) == CallError::ConnectionClosing);
  CHECK(l->rec.timer(TimerKind::FinWait2) == at(65_s));
}
