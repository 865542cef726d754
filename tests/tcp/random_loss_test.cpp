// Seeded random loss beside the scripted cases: whatever the network drops, a transfer followed
// by a close must deliver every byte once and in order, and both ends must finish closed.
#include <random>

#include "tests/tcp/fixtures.hpp"
#include "tests/tcp/wire.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::test;

namespace {

bool saw(const Recorder& r, Notice n) {
  for (const Notification& x : r.notes) {
    if (x.notice == n) return true;
  }
  return false;
}

void run_transfer(const TcpParams& p, std::uint32_t seed, double loss) {
  Wire w(p, p);
  std::mt19937 rng(seed);
  std::bernoulli_distribution lost(loss);
  w.drop = [&](const Segment&, bool) { return lost(rng); };
  w.b.rec.isses.push_back(kIssB);
  REQUIRE(w.b.conn.open_passive(at(0_ms), {kIpB, kPortB}) == CallError::None);
  REQUIRE(w.a.conn.open_active(at(0_ms), kAtoB, SeqNum{0xffffff00u}) == CallError::None);
  std::vector<std::uint8_t> sent(20000);
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
  std::vector<std::uint8_t> got;
  bool a_sent = false, b_closed = false;
  for (sim::Time t = at(0_ms); t < at(900_s); t += 100_ms) {
    w.run_until(t);
    if (!a_sent && w.a.conn.state() == State::Established) {
      std::uint64_t took = 0;
      REQUIRE(w.a.conn.send(t, sent, &took) == CallError::None);
      REQUIRE(took == sent.size());
      REQUIRE(w.a.conn.close(t) == CallError::None);
      a_sent = true;
    }
    const ReceiveResult r = w.b.conn.receive(t, 1 << 20);
    got.insert(got.end(), r.bytes.begin(), r.bytes.end());
    if (!b_closed && saw(w.b.rec, Notice::Eof) && w.b.conn.status().recv_unread == 0) {
      REQUIRE(w.b.conn.close(t) == CallError::None);
      b_closed = true;
    }
    if (w.a.conn.state() == State::Closed && w.b.conn.state() == State::Closed) break;
  }
  INFO("seed " << seed);
  CHECK(got == sent);
  CHECK(w.a.conn.state() == State::Closed);
  CHECK(w.b.conn.state() == State::Closed);
  CHECK_FALSE(saw(w.a.rec, Notice::Error));
  CHECK_FALSE(saw(w.b.rec, Notice::Error));
}

}  // namespace

TEST_CASE("Under 10% random loss every byte arrives once and in order and both ends close (rfc9293)", "[random-loss]") {
  TcpParams p = TcpParams::rfc9293();
  p.msl = 10_s;
  for (std::uint32_t seed = 1; seed <= 20; ++seed) run_transfer(p, seed, 0.1);
}

TEST_CASE("Under 10% random loss every byte arrives once and in order and both ends close (linux)", "[random-loss][linux]") {
  TcpParams p = TcpParams::linux_profile();
  for (std::uint32_t seed = 1; seed <= 20; ++seed) run_transfer(p, seed, 0.1);
}
