// Fixture factories, one per state, each built from the previous one by driving the real
// connection with scripted peer segments at explicit times. `A` is the active opener (client,
// ISS x = 100), the scripted peer plays B (ISS y = 300). Passive fixtures put the connection
// under test in B's seat.
#pragma once

#include "tests/tcp/harness.hpp"

namespace tcpsim::tcp::test {

inline TcpParams default_params() { return TcpParams::rfc9293(); }
// The linux profile's rules in continuous time (hz = 0), for tests of a rule that are written in
// exact times; the tick clock and the timer wheel have tests of their own (jiffies_test.cpp).
inline TcpParams linux_continuous() {
  TcpParams p = TcpParams::linux_profile();
  p.hz = 0;
  return p;
}

// A: CLOSED -> SYN-SENT at t = 0.
inline HostPtr syn_sent(const TcpParams& p = default_params(), SeqNum iss = kIssA) {
  auto h = std::make_unique<Host>(p);
  REQUIRE(h->conn.open_active(at(0_ms), kAtoB, iss) == CallError::None);
  return h;
}

// A: SYN-SENT -> ESTABLISHED when B's SYN,ACK arrives at t = 20 ms.
inline HostPtr established(const TcpParams& p = default_params(), SeqNum iss = kIssA, SeqNum peer = kIssB) {
  auto h = syn_sent(p, iss);
  h->deliver(at(20_ms), from_b({.seq = peer, .ack = iss + 1, .flags = {.syn = true, .ack = true},
                                .window = 65535, .options = {.mss = 1460}}));
  REQUIRE(h->conn.state() == State::Established);
  h->rec.clear_log();
  return h;
}

// A: ESTABLISHED -> FIN-WAIT-1 by CLOSE at t = 1 s.
inline HostPtr fin_wait_1(const TcpParams& p = default_params()) {
  auto h = established(p);
  REQUIRE(h->conn.close(at(1000_ms)) == CallError::None);
  REQUIRE(h->conn.state() == State::FinWait1);
  h->rec.clear_log();
  return h;
}

// A: FIN-WAIT-1 -> FIN-WAIT-2 when B's ACK of the FIN arrives at 1.020 s.
inline HostPtr fin_wait_2(const TcpParams& p = default_params()) {
  auto h = fin_wait_1(p);
  h->deliver(at(1020_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65534}));
  REQUIRE(h->conn.state() == State::FinWait2);
  h->rec.clear_log();
  return h;
}

// A: FIN-WAIT-2 -> TIME-WAIT when B's FIN arrives at 2 s.
inline HostPtr time_wait(const TcpParams& p = default_params()) {
  auto h = fin_wait_2(p);
  h->deliver(at(2000_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true},
                                  .window = 65534}));
  REQUIRE(h->conn.state() == State::TimeWait);
  h->rec.clear_log();
  return h;
}

// A: FIN-WAIT-1 -> CLOSING when B's FIN (not acking ours) arrives at 1.010 s.
inline HostPtr closing(const TcpParams& p = default_params()) {
  auto h = fin_wait_1(p);
  h->deliver(at(1010_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true, .fin = true},
                                  .window = 65535}));
  REQUIRE(h->conn.state() == State::Closing);
  h->rec.clear_log();
  return h;
}

// A: ESTABLISHED -> CLOSE-WAIT when B's FIN arrives at 1 s.
inline HostPtr close_wait(const TcpParams& p = default_params()) {
  auto h = established(p);
  h->deliver(at(1000_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true, .fin = true},
                                  .window = 65535}));
  REQUIRE(h->conn.state() == State::CloseWait);
  h->rec.clear_log();
  return h;
}

// A: CLOSE-WAIT -> LAST-ACK by CLOSE at 1.5 s.
inline HostPtr last_ack(const TcpParams& p = default_params()) {
  auto h = close_wait(p);
  REQUIRE(h->conn.close(at(1500_ms)) == CallError::None);
  REQUIRE(h->conn.state() == State::LastAck);
  h->rec.clear_log();
  return h;
}

// B: CLOSED -> LISTEN on port 80 at t = 0; the next SYN gets ISS y.
inline HostPtr listen(const TcpParams& p = default_params(), SeqNum iss = kIssB) {
  auto h = std::make_unique<Host>(p);
  h->rec.isses.push_back(iss);
  REQUIRE(h->conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  return h;
}

// B: LISTEN -> SYN-RECEIVED when A's SYN arrives at 10 ms.
inline HostPtr syn_received(const TcpParams& p = default_params()) {
  auto h = listen(p);
  h->deliver(at(10_ms), from_a({.seq = kIssA, .flags = {.syn = true}, .window = 65535, .options = {.mss = 1460}}));
  REQUIRE(h->conn.state() == State::SynReceived);
  h->rec.clear_log();
  return h;
}

// B: SYN-RECEIVED -> ESTABLISHED when A's ACK arrives at 30 ms.
inline HostPtr established_passive(const TcpParams& p = default_params()) {
  auto h = syn_received(p);
  h->deliver(at(30_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535}));
  REQUIRE(h->conn.state() == State::Established);
  h->rec.clear_log();
  return h;
}

}  // namespace tcpsim::tcp::test
