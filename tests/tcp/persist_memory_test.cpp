// MUST-37 makes an answered zero-window probe sequence endless: the TCB, the stack and the
// scheduler must not grow with it (only the trace does, by a few records per probe).
#include <catch2/catch.hpp>

#include "tests/support/star.hpp"

using namespace tcpsim;

namespace {
sim::Time at_s(std::int64_t s) { return sim::Time::zero() + sim::Duration::s(s); }

struct Footprint {
  std::size_t pending, slots, sockets;
  bool operator==(const Footprint&) const = default;
};
}  // namespace

TEST_CASE("Months of answered zero-window probes keep the events, timer slots and sockets constant",
          "[persist][zero-window][stack]") {
  tcp::TcpParams p = tcp::TcpParams::rfc9293();
  p.recv_buffer = 4096;
  test::StackStar w({"client"}, p);
  w.trace.set_keep_records(false);
  tcp::TcpStack& server = w.stack("server");
  tcp::TcpStack& client = w.stack("client");
  REQUIRE(server.listen(80, 8) != tcp::kNoSocket);
  const tcp::SocketId c = client.connect({server.ip(), 80});
  w.sched.run(at_s(1));
  REQUIRE(client.send(c, 8192) == tcp::CallError::None);  // the server never reads: window 0
  const auto footprint = [&] {
    return Footprint{w.sched.pending_count(), w.sched.slots_allocated(), server.socket_count() + client.socket_count()};
  };
  w.sched.run(at_s(1'000'000));
  const Footprint first = footprint();
  const std::uint64_t records = w.trace.record_count();
  w.sched.run(at_s(10'000'000));
  CHECK(client.state(c) == tcp::State::Established);
  CHECK(w.trace.record_count() > records + 500'000);  // probes went on
  CHECK(footprint() == first);
}
