// Short segments: the Nagle algorithm (RFC 9293 §3.7.4 SHLD-7, RFC 896; Linux's Minshall variant)
// with TCP_NODELAY, and sender SWS avoidance with its override timeout (§3.8.6.2.1, MUST-38).
#include "tests/tcp/fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;

Segment data_a(SeqNum seq, std::uint32_t len, bool psh = true) {
  return from_a({.seq = seq, .ack = kIssB + 1, .flags = {.ack = true, .psh = psh}, .window = 65535, .payload_len = len});
}
Segment ack_b(SeqNum ack, std::uint16_t window = 65535) {
  return from_b({.seq = kIssB + 1, .ack = ack, .flags = {.ack = true}, .window = window});
}
HostPtr established_with(const TcpParams& p, std::uint16_t window, std::uint16_t mss) {
  auto h = syn_sent(p);
  h->deliver(at(20_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = window,
                                .options = {.mss = mss}}));
  REQUIRE(h->conn.state() == State::Established);
  h->rec.clear_log();
  return h;
}
}  // namespace

TEST_CASE("Nagle (RFC 896): a short write while data is unacknowledged waits for the ACK, then leaves coalesced",
          "[nagle]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 100) == CallError::None);
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 100)});
  REQUIRE(a->conn.send(at(1005_ms), 100) == CallError::None);
  REQUIRE(a->conn.send(at(1010_ms), 100) == CallError::None);
  CHECK(a->rec.sent.empty());
  a->deliver(at(1020_ms), ack_b(kIssA + 101));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 101, 200)});
}

TEST_CASE("Nagle: the short tail of a write made on an idle connection leaves with it", "[nagle]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 1500) == CallError::None);
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 1460, false), data_a(kIssA + 1461, 40)});
}

TEST_CASE("TCP_NODELAY: short writes leave at once", "[nagle]") {
  auto a = established();
  a->conn.set_nodelay(true);
  REQUIRE(a->conn.send(at(1_s), 100) == CallError::None);
  REQUIRE(a->conn.send(at(1005_ms), 100) == CallError::None);
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 100), data_a(kIssA + 101, 100)});
}

TEST_CASE("Nagle: the segment that carries the FIN is not held", "[nagle]") {
  auto a = established();
  REQUIRE(a->conn.send(at(1_s), 100) == CallError::None);
  a->rec.take();
  REQUIRE(a->conn.send(at(1005_ms), 50) == CallError::None);
  CHECK(a->rec.sent.empty());
  REQUIRE(a->conn.close(at(1006_ms)) == CallError::None);
  const Segments s = a->rec.take();
  REQUIRE(s.size() == 1);
  CHECK(s[0].seq == kIssA + 101);
  CHECK(s[0].payload_len == 50);
  CHECK(s[0].flags.fin);
}

TEST_CASE("linux (Minshall): a short write waits only while an earlier short segment is unacknowledged",
          "[nagle][linux]") {
  auto a = established(linux_continuous());
  REQUIRE(a->conn.send(at(1_s), 2 * 1460) == CallError::None);
  REQUIRE(a->rec.take().size() == 2);
  REQUIRE(a->conn.send(at(1005_ms), 100) == CallError::None);  // full segments out, no short one
  CHECK(a->rec.take() == Segments{data_a(kIssA + 2921, 100)});
  REQUIRE(a->conn.send(at(1006_ms), 100) == CallError::None);  // the 100 octets are a short one
  CHECK(a->rec.sent.empty());
  a->deliver(at(1020_ms), ack_b(kIssA + 2921));  // the full segments acked, the short one not yet
  CHECK(a->rec.sent.empty());
  a->deliver(at(1025_ms), ack_b(kIssA + 3021));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 3021, 100)});
}

TEST_CASE("Sender SWS avoidance: a short segment smaller than half the largest window waits for the override timeout",
          "[sws]") {
  auto a = established_with(default_params(), 4000, 1000);
  REQUIRE(a->conn.send(at(1_s), 4500) == CallError::None);
  REQUIRE(a->rec.take().size() == 4);                    // IW 4 segments fill the 4000-octet window
  a->deliver(at(1020_ms), ack_b(kIssA + 4001, 300));     // all acked, the receiver's buffer nearly full
  CHECK(a->rec.sent.empty());                            // 300 of 500 octets: neither all of them nor >= 2000
  CHECK(a->rec.timer(TimerKind::Persist) == at(1220_ms));
  CHECK(a->fire(TimerKind::Persist) == at(1220_ms));
  CHECK(a->rec.send_causes == std::vector<std::string>{"§3.8.6.2.1 (4): override timeout -> the short segment SWS avoidance held"});
  CHECK(a->rec.take() == Segments{data_a(kIssA + 4001, 300, false)});
}

TEST_CASE("Sender SWS avoidance: a zero window that opens a little turns the probe timer into the override timeout",
          "[sws][persist]") {
  auto a = established_with(default_params(), 4000, 1000);
  REQUIRE(a->conn.send(at(1_s), 4500) == CallError::None);
  REQUIRE(a->rec.take().size() == 4);
  a->deliver(at(1020_ms), ack_b(kIssA + 4001, 0));  // all acked, the window shut: 500 octets wait
  CHECK(a->rec.timer(TimerKind::Persist) == at(2020_ms));  // the probe timer, one RTO (1 s)
  a->deliver(at(1500_ms), ack_b(kIssA + 4001, 300));  // a window update: 300 octets, a silly segment
  CHECK(a->rec.sent.empty());
  // The override timeout, not the probe timer's 2.020 s: "in the range 0.1 - 1.0 seconds".
  CHECK(a->rec.timer(TimerKind::Persist) == at(1700_ms));
  CHECK(a->fire(TimerKind::Persist) == at(1700_ms));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 4001, 300, false)});
}

TEST_CASE("Sender SWS avoidance: a short segment goes when it is all the data or half the largest window", "[sws]") {
  auto a = established_with(default_params(), 2000, 1460);
  REQUIRE(a->conn.send(at(1_s), 3000) == CallError::None);
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1, 1460, false)});  // 540 left of the window: held
  CHECK_FALSE(a->rec.timer(TimerKind::Persist));                       // data in flight: the ACK will come
  a->deliver(at(1020_ms), ack_b(kIssA + 1461, 1100));                  // 1100 >= 2000 / 2: rule (3)
  CHECK(a->rec.take() == Segments{data_a(kIssA + 1461, 1100, false)});
  a->deliver(at(1040_ms), ack_b(kIssA + 2561, 1000));                  // 440 left, all of it fits: rule (2)
  CHECK(a->rec.take() == Segments{data_a(kIssA + 2561, 440)});
}

TEST_CASE("Without sender SWS avoidance the short segment fills the window at once", "[sws]") {
  TcpParams p = default_params();
  p.sender_sws = false;
  auto a = established_with(p, 4000, 1000);
  REQUIRE(a->conn.send(at(1_s), 4500) == CallError::None);
  a->rec.take();
  a->deliver(at(1020_ms), ack_b(kIssA + 4001, 300));
  CHECK(a->rec.take() == Segments{data_a(kIssA + 4001, 300, false)});
}
