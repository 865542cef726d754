// The retransmission timer of a lost FIN after a 20 ms handshake RTT (catalog 3.5, D9): the
// linux profile computes RTO = SRTT + max(4 * RTTVAR, rto_min 200 ms) = 220 ms (tcp_rtt_estimator()),
// the rfc9293 profile rounds the same RTT up to the 1 s floor (RFC 6298 (2.4)).
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {

// A and B connected over the 10 ms wire (RTT 20 ms); A closes at 1 s and its first FIN is lost.
// Returns the transcript lines from the CLOSE on, as seen at `until`.
std::vector<std::string> lost_fin(const TcpParams& p, sim::Time until) {
  Wire w(p, p);
  bool dropped = false;
  w.drop = [&](const Segment& s, bool from_a) {
    if (!from_a || !s.flags.fin || dropped) return false;
    return dropped = true;
  };
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w.run_until(at(1_s));
  const std::size_t from = w.transcript.size();
  REQUIRE(w.a.conn.close(at(1_s)) == CallError::None);
  w.run_until(until);
  return {w.transcript.begin() + static_cast<std::ptrdiff_t>(from), w.transcript.end()};
}

}  // namespace

TEST_CASE("Linux profile: with a 20 ms RTT a lost FIN is retransmitted after 220 ms, not 1 s", "[rto][linux][close]") {
  const TcpParams p = TcpParams::linux_profile();
  auto a = established(p);  // the SYN,ACK came back after 20 ms: SRTT 20 ms, RTTVAR 10 ms
  CHECK(a->conn.rto().srtt() == 20_ms);
  CHECK(a->conn.rto().rttvar() == 10_ms);
  REQUIRE(a->conn.close(at(1_s)) == CallError::None);
  // 55 ticks armed in tick 250 fire at tick 306 (the wheel's level 0 adds a tick).
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(1224_ms));

  CHECK(lost_fin(p, at(1219_ms)) == std::vector<std::string>{"A FIN-WAIT-1", "A>B FIN,ACK seq=101 ack=301 XXX"});
  CHECK(lost_fin(p, at(1260_ms)) == std::vector<std::string>{
                                        "A FIN-WAIT-1",
                                        "A>B FIN,ACK seq=101 ack=301 XXX",
                                        "A>B FIN,ACK seq=101 ack=301",  // at 1.220 s
                                        "B CLOSE-WAIT",
                                        "B>A ACK seq=301 ack=102",
                                        "A FIN-WAIT-2",
                                    });
}

TEST_CASE("rfc9293 profile: the same lost FIN waits for the 1 s RTO floor", "[rto][close]") {
  const TcpParams p = TcpParams::rfc9293();
  auto a = established(p);
  REQUIRE(a->conn.close(at(1_s)) == CallError::None);
  CHECK(a->rec.timer(TimerKind::Retransmit) == at(2_s));
  CHECK(lost_fin(p, at(1999_ms)) == std::vector<std::string>{"A FIN-WAIT-1", "A>B FIN,ACK seq=101 ack=301 XXX"});
  CHECK(lost_fin(p, at(2_s)).size() == 3);  // the FIN again at 2 s
}
