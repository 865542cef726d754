// The model's own word on what it sends again (Actions::send's `retransmission`) and on why each
// timer is (re)started (Actions::arm's `cause`): every view reads these facts from the trace.
#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

TEST_CASE("The first SYN is no retransmission; the SYN the RTO sends again is", "[retransmission][syn-sent]") {
  auto a = syn_sent();
  CHECK(a->rec.retransmitted == std::vector<bool>{false});
  CHECK(a->rec.timer_causes[TimerKind::Retransmit].find("5.1") != std::string::npos);
  a->rec.take();
  a->fire(TimerKind::Retransmit);
  REQUIRE(a->rec.sent.size() == 1);
  CHECK(a->rec.sent[0].flags.syn);
  CHECK(a->rec.retransmitted == std::vector<bool>{true});
  CHECK(a->rec.timer_causes[TimerKind::Retransmit].find("5.6") != std::string::npos);
}

TEST_CASE("The crossing SYN,ACK of a simultaneous open reuses the ISN but is no retransmission", "[retransmission][figure-7]") {
  auto a = syn_sent();
  a->rec.take();
  a->deliver(at(10_ms), from_b({.seq = kIssB, .flags = {.syn = true}, .window = 65535}));
  REQUIRE(a->conn.state() == State::SynReceived);
  REQUIRE(a->rec.sent.size() == 1);
  CHECK(a->rec.sent[0].seq == kIssA);  // the SYN's sequence number again ...
  CHECK(a->rec.retransmitted == std::vector<bool>{false});  // ... in a segment never sent before
  a->rec.take();
  a->fire(TimerKind::Retransmit);  // that SYN,ACK, sent again, is one
  REQUIRE(a->rec.sent.size() == 1);
  CHECK(a->rec.sent[0].flags.syn);
  CHECK(a->rec.sent[0].flags.ack);
  CHECK(a->rec.retransmitted == std::vector<bool>{true});
}

TEST_CASE("New data is no retransmission; the RTO's resend of SND.UNA is", "[retransmission][rto]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 100) == CallError::None);
  CHECK(a->rec.retransmitted == std::vector<bool>{false});
  a->rec.take();
  a->fire(TimerKind::Retransmit);
  REQUIRE(a->rec.sent.size() == 1);
  CHECK(a->rec.sent[0].payload_len == 100);
  CHECK(a->rec.retransmitted == std::vector<bool>{true});
}

TEST_CASE("A FIN retransmitted into TIME-WAIT restarts the 2 MSL timer, and the trace says by which rule", "[retransmission][time-wait]") {
  auto a = time_wait();
  a->rec.timer_causes.clear();
  a->deliver(at(3000_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535}));
  REQUIRE(a->conn.state() == State::TimeWait);
  REQUIRE(a->rec.timer_causes.contains(TimerKind::TimeWait));
  CHECK(a->rec.timer_causes[TimerKind::TimeWait].find("restart the 2 MSL") != std::string::npos);
  CHECK(a->rec.timer(TimerKind::TimeWait) > at(3000_ms));
  CHECK(a->rec.retransmitted == std::vector<bool>{false});  // its ACK is a new segment
}
