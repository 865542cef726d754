// Text on handshake segments (catalog 3.13): data on the SYN is queued until ESTABLISHED
// (RFC 9293 §3.10.7.2 third, §3.10.7.3 fourth; ignored by the linux profile as Linux without TFO),
// and data the application SENT before ESTABLISHED rides on the third handshake segment.
#include <array>

#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;
using Notes = std::vector<Notification>;

Segment syn_a_with(std::uint32_t len) {
  return from_a({.seq = kIssA, .flags = {.syn = true}, .window = 65535, .options = {.mss = 1460}, .payload_len = len});
}
Segment syn_ack_b() {
  return from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535,
                 .options = {.mss = 1460}});
}
Segment third_ack_a(std::uint32_t len = 0) {
  return from_a({.seq = kIssA + 1, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535, .payload_len = len});
}
Segment ack_b_of(SeqNum ack, std::uint16_t window) {
  return from_b({.seq = kIssB + 1, .ack = ack, .flags = {.ack = true}, .window = window});
}
}  // namespace

TEST_CASE("Text on a SYN is queued in SYN-RECEIVED and delivered once ESTABLISHED (rfc9293)", "[syn-text][listen]") {
  auto b = listen();
  b->deliver(at(10_ms), syn_a_with(100));
  CHECK(b->conn.state() == State::SynReceived);
  CHECK(b->rec.take() == Segments{syn_ack_b()});  // acknowledges the SYN only: ACK = x+1
  CHECK(b->conn.tcb().rcv_nxt == kIssA + 1);
  CHECK(b->conn.status().recv_unread == 0);
  CHECK(b->rec.notes.empty());
  b->deliver(at(30_ms), third_ack_a());
  CHECK(b->conn.state() == State::Established);
  CHECK(b->rec.notes == Notes{{Notice::Connected, AppError::None, 0}, {Notice::Data, AppError::None, 100}});
  CHECK(b->conn.tcb().rcv_nxt == kIssA + 101);
  CHECK(b->rec.take() == Segments{ack_b_of(kIssA + 101, 65435)});
}

TEST_CASE("The content of SYN text reaches the application", "[syn-text][listen][bytes]") {
  auto b = listen();
  Segment syn = syn_a_with(5);
  const std::array<std::uint8_t, 5> hello{'h', 'e', 'l', 'l', 'o'};
  syn.payload = net::Payload(std::vector<std::uint8_t>(hello.begin(), hello.end()));
  b->deliver(at(10_ms), syn);
  b->deliver(at(30_ms), third_ack_a());
  const ReceiveResult r = b->conn.receive(at(40_ms), 100);
  CHECK(r.octets == 5);
  CHECK(r.bytes == std::vector<std::uint8_t>(hello.begin(), hello.end()));
}

TEST_CASE("SYN text sent again on the third segment is delivered once", "[syn-text][listen]") {
  auto b = listen();
  b->deliver(at(10_ms), syn_a_with(100));
  b->rec.take();
  b->deliver(at(30_ms), third_ack_a(100));  // the peer saw only x+1 acknowledged
  CHECK(b->conn.status().recv_unread == 100);
  CHECK(b->rec.notes == Notes{{Notice::Connected, AppError::None, 0}, {Notice::Data, AppError::None, 100}});
  CHECK(b->rec.take() == Segments{ack_b_of(kIssA + 101, 65435)});
}

TEST_CASE("A FIN on a SYN takes effect once ESTABLISHED: CLOSE-WAIT after the text", "[syn-text][listen]") {
  auto b = listen();
  Segment syn = syn_a_with(10);
  syn.flags.fin = true;
  b->deliver(at(10_ms), syn);
  CHECK(b->rec.take() == Segments{syn_ack_b()});
  b->deliver(at(30_ms), third_ack_a());
  CHECK(b->conn.state() == State::CloseWait);
  CHECK(b->conn.tcb().rcv_nxt == kIssA + 12);
  CHECK(b->rec.notes == Notes{{Notice::Connected, AppError::None, 0},
                              {Notice::Data, AppError::None, 10},
                              {Notice::Eof, AppError::None, 0}});
  CHECK(b->rec.take() == Segments{ack_b_of(kIssA + 12, 65524)});
}

TEST_CASE("Text on a crossing SYN of a simultaneous open is delivered once ESTABLISHED (rfc9293)", "[syn-text][syn-sent]") {
  auto a = syn_sent();
  a->rec.take();
  a->deliver(at(10_ms), from_b({.seq = kIssB, .flags = {.syn = true}, .window = 65535, .options = {.mss = 1460},
                                .payload_len = 50}));
  CHECK(a->conn.state() == State::SynReceived);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA, .ack = kIssB + 1, .flags = {.syn = true, .ack = true},
                                          .window = 65535, .options = {.mss = 1460}})});
  a->deliver(at(30_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 1, .flags = {.ack = true}, .window = 65535}));
  CHECK(a->conn.state() == State::Established);
  CHECK(a->conn.status().recv_unread == 50);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .ack = kIssB + 51, .flags = {.ack = true}, .window = 65485})});
}

TEST_CASE("A SYN-RECEIVED that returns to LISTEN forgets the queued SYN text", "[syn-text][listen]") {
  auto b = listen();
  b->rec.isses.push_back(kIssB + 1000);
  b->deliver(at(10_ms), syn_a_with(100));
  b->deliver(at(20_ms), from_a({.seq = kIssA + 1, .flags = {.rst = true}}));
  REQUIRE(b->conn.state() == State::Listen);
  b->deliver(at(30_ms), syn_a_with(0));
  b->deliver(at(50_ms), from_a({.seq = kIssA + 1, .ack = kIssB + 1001, .flags = {.ack = true}, .window = 65535}));
  CHECK(b->conn.state() == State::Established);
  CHECK(b->conn.status().recv_unread == 0);
  CHECK(b->conn.tcb().rcv_nxt == kIssA + 1);
}

TEST_CASE("Linux profile: text on a SYN is ignored and accepted when the peer sends it again", "[syn-text][listen][linux]") {
  auto b = listen(TcpParams::linux_profile());
  b->deliver(at(10_ms), syn_a_with(100));
  CHECK(b->rec.take() == Segments{syn_ack_b()});
  b->deliver(at(30_ms), third_ack_a());
  CHECK(b->conn.state() == State::Established);
  CHECK(b->conn.status().recv_unread == 0);
  CHECK(b->rec.take().empty());  // nothing to acknowledge
  b->deliver(at(31_ms), third_ack_a(100));
  CHECK(b->conn.status().recv_unread == 100);
  CHECK(b->rec.take() == Segments{ack_b_of(kIssA + 101, 65435)});
}

TEST_CASE("Data carried on the third handshake segment", "[syn-text][wire]") {
  Wire w(default_params(), default_params());
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(5_ms));
  REQUIRE(w.a.conn.send(at(5_ms), 100) == CallError::None);  // SEND in SYN-SENT: queued
  w.run_until(at(15_ms));
  REQUIRE(w.b.conn.state() == State::SynReceived);
  REQUIRE(w.b.conn.send(at(15_ms), 40) == CallError::None);  // SEND in SYN-RECEIVED: queued
  w.run_until(at(100_ms));
  CHECK(w.transcript == std::vector<std::string>{
                            "A SYN-SENT",
                            "A>B SYN seq=100",
                            "B LISTEN",
                            "B SYN-RECEIVED",
                            "B>A SYN,ACK seq=300 ack=101",
                            "A ESTABLISHED",
                            "A>B PSH,ACK seq=101 ack=301 len=100",
                            "B ESTABLISHED",
                            "B>A PSH,ACK seq=301 ack=201 len=40",
                            "A>B ACK seq=201 ack=341",
                        });
  CHECK(w.a.conn.status().recv_unread == 40);
  CHECK(w.b.conn.status().recv_unread == 100);
}
