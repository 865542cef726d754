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

// tcp_clean_rtx_queue() -> tcp_ack_update_rtt(): Linux samples every ACK of new data; RFC 6298
// times one segment per round trip. A (handshake RTT 20 ms, RTO 220 ms) sends three segments at
// 1 s; B acknowledges the first after 20 ms and the second after 100 ms.
TEST_CASE("linux: every ACK of new data is an RTT sample; rfc9293 times one segment", "[rto][linux]") {
  for (const bool every : {true, false}) {
    INFO("rtt_every_ack " << every);
    TcpParams p = linux_continuous();
    p.rtt_every_ack = every;
    auto a = established(p);
    REQUIRE(a->conn.status().rto == sim::Duration::ms(220));
    REQUIRE(a->conn.send(at(1000_ms), 3000) == CallError::None);
    REQUIRE(a->rec.take().size() == 3);
    a->deliver(at(1020_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 1461, .flags = {.ack = true}, .window = 65535}));
    CHECK(a->conn.status().rto == sim::Duration::ms(220));  // 20 ms again
    a->deliver(at(1100_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 2921, .flags = {.ack = true}, .window = 65535}));
    // SRTT 20 + (100 - 20) / 8 = 30 ms; 4 RTTVAR = 102.5 ms stays under the 200 ms floor.
    CHECK(a->conn.status().rto == sim::Duration::ms(every ? 230 : 220));
  }
}

// With timestamps, an ACK of retransmitted data still gives Linux a sample: the time since the
// TSval it echoes (tcp_ack_update_rtt(): "seq_rtt_us < 0 && saw_tstamp && rcv_tsecr").
TEST_CASE("linux: an ACK of a retransmission is sampled by its TSecr, and without timestamps not at all", "[rto][linux]") {
  for (const bool ts : {true, false}) {
    INFO("timestamps " << ts);
    TcpParams p = linux_continuous();
    p.timestamps = ts;
    auto a = syn_sent(p);
    net::Options synack{.mss = 1460};
    if (ts) synack.timestamps = net::Timestamps{5000, 0};
    a->deliver(at(20_ms), from_b({.seq = kIssB, .ack = kIssA + 1, .flags = {.syn = true, .ack = true}, .window = 65535,
                                  .options = synack}));
    REQUIRE(a->conn.state() == State::Established);
    REQUIRE(a->conn.status().rto == sim::Duration::ms(220));
    a->rec.clear_log();
    REQUIRE(a->conn.send(at(1000_ms), 100) == CallError::None);
    CHECK(a->fire(TimerKind::Retransmit) == at(1220_ms));  // the segment again, RTO 440 ms
    const auto sent = a->rec.take();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].seq == kIssA + 1);
    REQUIRE(a->conn.status().rto == sim::Duration::ms(440));
    net::Options echo{};
    if (ts) echo.timestamps = net::Timestamps{5100, 1220};  // the retransmission's TSval
    a->deliver(at(1250_ms), from_b({.seq = kIssB + 1, .ack = kIssA + 101, .flags = {.ack = true}, .window = 65535,
                                    .options = echo}));
    // 30 ms: SRTT 20 + 10 / 8 = 21.25 ms, RTO 221.25 ms; without it Karn keeps the backed-off 440 ms.
    CHECK(a->conn.status().rto == (ts ? sim::Duration::us(221'250) : sim::Duration::ms(440)));
  }
}
