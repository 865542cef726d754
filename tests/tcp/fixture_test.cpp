// Each per-state fixture (built from scripted peer segments) must equal what two real
// connections reach over a wire at the same times: same TCB, buffers, RTO and armed timers.
#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {

// A (active) and B (passive) connected by a 10 ms wire, established at 30 ms.
std::unique_ptr<Wire> connected() {
  auto w = std::make_unique<Wire>(default_params(), default_params());
  w->b.rec.isses.push_back(kIssB);
  REQUIRE(w->b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w->a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  w->run_until(at(100_ms));
  return w;
}

void check_same(const Host& real, const HostPtr& fixture) {
  CHECK(real.conn.status() == fixture->conn.status());
  CHECK(real.rec.timers == fixture->rec.timers);
}

}  // namespace

TEST_CASE("The SYN-SENT, SYN-RECEIVED and ESTABLISHED fixtures equal a real handshake", "[fixture][syn-sent][syn-received][established]") {
  auto w = std::make_unique<Wire>(default_params(), default_params());
  w->b.rec.isses.push_back(kIssB);
  REQUIRE(w->b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  check_same(w->b, listen());
  REQUIRE(w->a.conn.open_active(at(0_ms), kAtoB, kIssA) == CallError::None);
  check_same(w->a, syn_sent());
  w->run_until(at(10_ms));
  check_same(w->b, syn_received());
  w->run_until(at(100_ms));
  check_same(w->a, established());
  check_same(w->b, established_passive());
}

TEST_CASE("The FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT fixtures equal a real active close", "[fixture][fin-wait-1][fin-wait-2][time-wait]") {
  auto w = connected();
  w->run_until(at(1_s));
  REQUIRE(w->a.conn.close(at(1_s)) == CallError::None);
  check_same(w->a, fin_wait_1());
  w->run_until(at(1020_ms));
  check_same(w->a, fin_wait_2());
  w->run_until(at(1990_ms));
  REQUIRE(w->b.conn.close(at(1990_ms)) == CallError::None);
  w->run_until(at(2000_ms));
  check_same(w->a, time_wait());
}

TEST_CASE("The CLOSING fixture equals a real simultaneous close", "[fixture][closing]") {
  auto w = connected();
  w->run_until(at(1_s));
  REQUIRE(w->b.conn.close(at(1_s)) == CallError::None);
  REQUIRE(w->a.conn.close(at(1_s)) == CallError::None);
  w->run_until(at(1010_ms));
  check_same(w->a, closing());
}

TEST_CASE("The CLOSE-WAIT and LAST-ACK fixtures equal a real passive close", "[fixture][close-wait][last-ack]") {
  auto w = connected();
  w->run_until(at(990_ms));
  REQUIRE(w->b.conn.close(at(990_ms)) == CallError::None);
  w->run_until(at(1000_ms));
  check_same(w->a, close_wait());
  REQUIRE(w->a.conn.close(at(1500_ms)) == CallError::None);
  check_same(w->a, last_ack());
}
