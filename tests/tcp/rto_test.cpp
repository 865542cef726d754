#include <catch2/catch.hpp>

#include "models/tcp/rto.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using sim::Duration;

TEST_CASE("Before any sample the RTO is the initial 1 s", "[rto]") {
  RtoEstimator e(TcpParams::rfc9293());
  CHECK(e.rto() == Duration::s(1));
  CHECK_FALSE(e.has_sample());
}

TEST_CASE("RFC 6298 first sample sets SRTT = R and RTTVAR = R/2, rounded up to 1 s", "[rto]") {
  RtoEstimator e(TcpParams::rfc9293());
  e.sample(Duration::ms(100));
  CHECK(e.srtt() == Duration::ms(100));
  CHECK(e.rttvar() == Duration::ms(50));
  CHECK(e.rto() == Duration::s(1));  // raw 300 ms, (2.4) floor
}

TEST_CASE("RFC 6298 later samples update RTTVAR with the old SRTT", "[rto]") {
  RtoEstimator e(TcpParams::rfc9293());
  e.sample(Duration::ms(500));
  CHECK(e.rto() == Duration::ms(1500));
  e.sample(Duration::ms(700));
  CHECK(e.rttvar() == Duration::us(237'500));
  CHECK(e.srtt() == Duration::ms(525));
  CHECK(e.rto() == Duration::ms(1475));
}

TEST_CASE("Backoff doubles the RTO up to the profile's maximum", "[rto]") {
  RtoEstimator e(TcpParams::rfc9293());
  e.sample(Duration::ms(500));
  e.sample(Duration::ms(700));
  e.back_off();
  CHECK(e.rto() == Duration::ms(2950));
  e.back_off();
  CHECK(e.rto() == Duration::ms(5900));
  for (int i = 0; i < 10; ++i) e.back_off();
  CHECK(e.rto() == Duration::s(60));
}

TEST_CASE("Linux RTO is SRTT + max(4 RTTVAR, 200 ms): a 20 ms path gets 220 ms", "[rto][linux]") {
  RtoEstimator e(TcpParams::linux_profile());
  e.sample(Duration::ms(20));
  CHECK(e.rto() == Duration::ms(220));
  RtoEstimator f(TcpParams::linux_profile());
  f.sample(Duration::ms(100));
  CHECK(f.rto() == Duration::ms(300));
  for (int i = 0; i < 20; ++i) f.back_off();
  CHECK(f.rto() == Duration::s(120));
}

TEST_CASE("The rfc9293 profile gives the same 20 ms path a 1 s RTO", "[rto]") {
  RtoEstimator e(TcpParams::rfc9293());
  e.sample(Duration::ms(20));
  CHECK(e.rto() == Duration::s(1));
}

TEST_CASE("SendTimes: the oldest newly acknowledged segment gives the sample, none if any was sent again", "[rto][linux]") {
  const auto t = [](int ms) { return sim::Time::zero() + Duration::ms(ms); };
  const net::SeqNum x{1000};
  SendTimes s;
  s.sent(x, x + 100, t(0));
  s.sent(x + 100, x + 200, t(5));
  s.sent(x + 200, x + 300, t(10));
  s.sent(x + 300, x + 400, t(15));
  CHECK_FALSE(s.acked(x + 50, t(30)));   // the first in part: no sample, still remembered
  CHECK(s.acked(x + 100, t(40)) == Duration::ms(40));
  CHECK(s.acked(x + 300, t(50)) == Duration::ms(45));  // two at once: the older one's
  s.resent(x + 350, x + 360);
  CHECK_FALSE(s.acked(x + 400, t(60)));  // Karn
  CHECK(s.empty());
  s.sent(x + 400, x + 500, t(70));
  s.sent(x + 500, x + 600, t(71));
  s.resent(x + 400, x + 500);
  CHECK_FALSE(s.acked(x + 600, t(90)));  // one of those acknowledged was sent again: none at all
}
