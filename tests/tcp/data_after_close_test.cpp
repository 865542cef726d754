// Catalog 3.17 b: after a full CLOSE (the socket close()), new data arriving in FIN-WAIT-1 or
// FIN-WAIT-2 is answered with a RST and the connection is CLOSED when the profile says so
// (linux: tcp_rcv_state_process(), TCPAbortOnData); a half-close (shutdown) and the rfc9293
// profile keep receiving (catalog 3.16).
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {
using Segments = std::vector<Segment>;
using Notes = std::vector<Notification>;

// B's data at y+1; `ack` is what B acknowledges (x+1: our FIN not yet, x+2: our FIN).
Segment data_b(SeqNum ack, std::uint32_t len = 100, SeqNum seq = kIssB + 1) {
  return from_b({.seq = seq, .ack = ack, .flags = {.ack = true}, .window = 65535, .payload_len = len});
}

// A: ESTABLISHED -> FIN-WAIT-1 by shutdown(SHUT_WR) at 1 s, then B's ACK of the FIN at 1.020 s.
HostPtr fin_wait_2_half_closed(const TcpParams& p) {
  auto h = established(p);
  REQUIRE(h->conn.close(at(1000_ms), Connection::CloseMode::HalfDuplex) == CallError::None);
  h->deliver(at(1020_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true}, .window = 65535}));
  REQUIRE(h->conn.state() == State::FinWait2);
  h->rec.clear_log();
  return h;
}
}  // namespace

TEST_CASE("Linux profile: new data in FIN-WAIT-2 after close() is answered with RST and the connection closes",
          "[data-after-close][fin-wait-2][linux]") {
  auto a = fin_wait_2(TcpParams::linux_profile());
  a->deliver(at(1500_ms), data_b(kIssA + 2));
  CHECK(a->rec.send_causes == std::vector<std::string>{"§3.6.1 SHLD-3: new data after CLOSE -> RST"});
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .flags = {.rst = true}})});
  CHECK(a->conn.state() == State::Closed);
  CHECK(a->rec.states == std::vector<std::pair<State, State>>{{State::FinWait2, State::Closed}});
  CHECK(a->rec.state_causes == std::vector<std::string>{"§3.6.1 SHLD-3: new data after CLOSE -> CLOSED"});
  CHECK(a->rec.notes.empty());  // the application has closed the socket
  CHECK(a->rec.timers.empty());
  CHECK(a->conn.status().recv_unread == 0);
}

TEST_CASE("Linux profile: new data in FIN-WAIT-1 after close() is answered with RST", "[data-after-close][fin-wait-1][linux]") {
  auto a = fin_wait_1(TcpParams::linux_profile());
  a->deliver(at(1010_ms), data_b(kIssA + 1));  // sent before B saw our FIN
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 1, .flags = {.rst = true}})});
  CHECK(a->conn.state() == State::Closed);
}

TEST_CASE("Linux profile: a FIN alone or old data after close() does not reset", "[data-after-close][fin-wait-2][linux]") {
  auto a = fin_wait_2(TcpParams::linux_profile());
  a->deliver(at(1500_ms), data_b(kIssA + 2, 100, kIssB + 1 - 100));  // an old duplicate
  CHECK(a->conn.state() == State::FinWait2);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 1, .flags = {.ack = true}, .window = 65535})});
  a->deliver(at(2000_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2, .flags = {.ack = true, .fin = true}, .window = 65535}));
  CHECK(a->conn.state() == State::TimeWait);
}

TEST_CASE("Linux profile: after shutdown(SHUT_WR) data in FIN-WAIT-2 is received", "[data-after-close][fin-wait-2][linux]") {
  auto a = fin_wait_2_half_closed(TcpParams::linux_profile());
  a->deliver(at(1500_ms), data_b(kIssA + 2));
  CHECK(a->conn.state() == State::FinWait2);
  CHECK(a->conn.status().recv_unread == 100);
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 101, .flags = {.ack = true}, .window = 65435})});
}

TEST_CASE("rfc9293 profile: data in FIN-WAIT-2 after a full CLOSE is received", "[data-after-close][fin-wait-2]") {
  auto a = fin_wait_2();
  a->deliver(at(1500_ms), data_b(kIssA + 2));
  CHECK(a->conn.state() == State::FinWait2);
  CHECK(a->rec.notes == Notes{{Notice::Data, AppError::None, 100}});
  CHECK(a->rec.take() == Segments{from_a({.seq = kIssA + 2, .ack = kIssB + 101, .flags = {.ack = true}, .window = 65435})});
}

TEST_CASE("Linux profile: the peer that sends after our close() is reset", "[data-after-close][wire][linux]") {
  const TcpParams p = TcpParams::linux_profile();
  Wire w(p, p);
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(1_s));
  REQUIRE(w.a.conn.close(at(1_s)) == CallError::None);
  w.run_until(at(2_s));
  REQUIRE(w.b.conn.send(at(2_s), 100) == CallError::None);  // B in CLOSE-WAIT keeps sending
  w.run_until(at(3_s));
  CHECK(w.transcript == std::vector<std::string>{
                            "A SYN-SENT",
                            "A>B SYN seq=100",
                            "B LISTEN",
                            "B SYN-RECEIVED",
                            "B>A SYN,ACK seq=300 ack=101",
                            "A ESTABLISHED",
                            "A>B ACK seq=101 ack=301",
                            "B ESTABLISHED",
                            "A FIN-WAIT-1",
                            "A>B FIN,ACK seq=101 ack=301",
                            "B CLOSE-WAIT",
                            "B>A ACK seq=301 ack=102",
                            "A FIN-WAIT-2",
                            "B>A PSH,ACK seq=301 ack=102 len=100",
                            "A CLOSED",
                            "A>B RST seq=102",
                            "B CLOSED",
                        });
  CHECK(w.b.rec.notes.back() == Notification{Notice::Error, AppError::ConnReset, 0});
}
