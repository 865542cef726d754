// The tail loss probe (models/tcp/recovery.hpp; RFC 8985 §7, Linux tcp_schedule_loss_probe() and
// tcp_send_loss_probe()) through two real connections on the 10 ms wire (RTT 20 ms): when a
// lost tail is probed, what the probe sends, the RTO after it, and when no probe is sent.
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {

// A and B connected (SYN at 0, RTT 20 ms); A sends `bytes` at 1 s and closes at 1 s too when
// `close`; `drop` decides A's losses from 1 s on.
struct Run {
  explicit Run(const TcpParams& pa, const TcpParams& pb) : w(pa, pb) {
    w.b.rec.isses.push_back(kIssB);
    REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
    REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
    w.run_until(at(1_s));
  }
  Wire w;
  std::size_t mark = 0;
  // Transcript lines since the last call.
  std::vector<std::string> since() {
    std::vector<std::string> out(w.transcript.begin() + static_cast<std::ptrdiff_t>(mark), w.transcript.end());
    mark = w.transcript.size();
    return out;
  }
};

bool a_fin(const Segment& s, bool from_a) { return from_a && s.flags.fin; }

}  // namespace

TEST_CASE("Linux profile: a lost FIN is probed first, then the RTO runs in full from the probe, then doubles",
          "[tlp][linux][close]") {
  const TcpParams p = TcpParams::linux_profile();
  Run r(p, p);
  CHECK(r.w.a.conn.rto().srtt() == 20_ms);
  r.w.drop = a_fin;
  r.since();
  REQUIRE(r.w.a.conn.close(at(1_s)) == CallError::None);
  r.w.run_until(at(1_s));
  CHECK(r.since() == std::vector<std::string>{"A FIN-WAIT-1", "A>B FIN,ACK seq=101 ack=301 XXX"});
  // One segment out: PTO = 2 SRTT + rto_min = 240 ms, but the RTO (220 ms, 55 ticks) comes first:
  // the probe takes its time, 1.224 s (level 0 of the wheel adds a tick), in its place.
  CHECK_FALSE(r.w.a.rec.timer(TimerKind::Retransmit));
  CHECK(r.w.a.rec.timer(TimerKind::LossProbe) == at(1224_ms));
  CHECK_THAT(r.w.a.rec.timer_causes[TimerKind::LossProbe], Catch::StartsWith("RFC 8985 7.2"));
  r.w.run_until(at(1224_ms));
  CHECK(r.since() == std::vector<std::string>{"A>B FIN,ACK seq=101 ack=301 XXX"});
  CHECK(r.w.a.rec.retransmitted.empty());  // take() forgot them; the cause is the timer's
  // After the probe the RTO runs again from now, not backed off: 220 ms + a tick.
  CHECK(r.w.a.rec.timer(TimerKind::Retransmit) == at(1448_ms));
  CHECK_THAT(r.w.a.rec.timer_causes[TimerKind::Retransmit], Catch::StartsWith("tcp_send_loss_probe(): probe sent"));
  CHECK(r.w.a.conn.rto().rto() == 220_ms);
  r.w.run_until(at(1448_ms));
  CHECK(r.since() == std::vector<std::string>{"A>B FIN,ACK seq=101 ack=301 XXX"});
  // That RTO backs off: 440 ms, and no new probe while recovering from the loss.
  CHECK(r.w.a.conn.rto().rto() == 440_ms);
  CHECK_FALSE(r.w.a.rec.timer(TimerKind::LossProbe));
  const auto next = r.w.a.rec.timer(TimerKind::Retransmit);
  REQUIRE(next);
  CHECK(*next - at(1448_ms) >= 440_ms);
  CHECK(*next - at(1448_ms) <= 440_ms + 32_ms);  // level 1: up to 8 ticks late
}

TEST_CASE("The probe sends the last segment again, not the one at SND.UNA, and its ACK ends the episode",
          "[tlp][linux][data]") {
  const TcpParams p = TcpParams::linux_profile();
  Run r(p, p);
  // With timestamps agreed a segment carries 1448 octets: 3000 octets are 1448 + 1448 + 104.
  REQUIRE(r.w.a.conn.tcb().snd_mss == 1448);
  int data = 0;
  r.w.drop = [&](const Segment& s, bool from_a) { return from_a && s.payload_len > 0 && ++data == 3; };
  r.since();
  REQUIRE(r.w.a.conn.send(at(1_s), 3000) == CallError::None);
  r.w.run_until(at(1_s));
  CHECK(r.since() == std::vector<std::string>{"A>B ACK seq=101 ack=301 len=1448", "A>B ACK seq=1549 ack=301 len=1448",
                                              "A>B PSH,ACK seq=2997 ack=301 len=104 XXX"});
  // Three segments out: PTO = 2 SRTT + 2 ms = 42 ms, 11 ticks (+1 on level 0).
  CHECK(r.w.a.rec.timer(TimerKind::LossProbe) == at(1048_ms));
  r.w.run_until(at(1030_ms));
  // B, in quick-ACK mode, acknowledged the first two at 1.020 s; each ACK rearmed the probe, the
  // last with one segment out: min(PTO 240 ms, RTO 220 ms) from 1.020 s, a tick late: 1.244 s.
  CHECK(r.since() == std::vector<std::string>{"B>A ACK seq=301 ack=1549", "B>A ACK seq=301 ack=2997"});
  const auto probe_at = r.w.a.rec.timer(TimerKind::LossProbe);
  REQUIRE(probe_at);
  CHECK(*probe_at == at(1244_ms));
  r.w.run_until(*probe_at + 20_ms);
  CHECK(r.since() == std::vector<std::string>{"A>B PSH,ACK seq=2997 ack=301 len=104", "B>A ACK seq=301 ack=3101"});
  CHECK(r.w.a.conn.tcb().snd_una == kIssA + 3001);
  CHECK_FALSE(r.w.a.rec.timer(TimerKind::LossProbe));
  CHECK_FALSE(r.w.a.rec.timer(TimerKind::Retransmit));
  CHECK(r.w.a.conn.rto().rto() < 300_ms);  // never backed off
}

TEST_CASE("No probe without SACK on both sides, without tail_loss_probe, or under the rfc9293 profile", "[tlp]") {
  const auto first_rtx_timer = [](const TcpParams& pa, const TcpParams& pb) {
    Run r(pa, pb);
    r.w.drop = a_fin;
    REQUIRE(r.w.a.conn.close(at(1_s)) == CallError::None);
    r.w.run_until(at(1_s));
    return std::pair{r.w.a.rec.timer(TimerKind::Retransmit), r.w.a.rec.timer(TimerKind::LossProbe)};
  };
  TcpParams linux = TcpParams::linux_profile();
  TcpParams no_sack = linux;
  no_sack.sack = false;
  TcpParams no_tlp = linux;
  no_tlp.tail_loss_probe = false;
  // The peer does not offer SACK: Linux's tcp_is_sack() is false, and so is ours.
  auto [rto, probe] = first_rtx_timer(linux, no_sack);
  CHECK(rto == at(1224_ms));
  CHECK_FALSE(probe);
  std::tie(rto, probe) = first_rtx_timer(no_tlp, linux);
  CHECK(rto == at(1224_ms));
  CHECK_FALSE(probe);
  // The rfc9293 profile offers neither SACK nor the probe: the 1 s RTO floor.
  std::tie(rto, probe) = first_rtx_timer(TcpParams::rfc9293(), TcpParams::rfc9293());
  CHECK(rto == at(2_s));
  CHECK_FALSE(probe);
}
