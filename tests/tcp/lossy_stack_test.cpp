// The same lossy link as lossy_network_test.cpp, with the hosts' TcpStacks doing the
// demultiplexing, listening and releasing: every octet the client's application SENDs is read
// once by the server's application, and both sides' sockets end CLOSED (released). TcpStack moves
// octet counts (no content), so this checks counts; the byte-exact check is the Connection one.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "models/net/network.hpp"
#include "models/tcp/stack.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using tcp::SocketId;
using tcp::State;
using trace::AppError;
using trace::Notice;

namespace {

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

struct StackPair {
  sim::Scheduler sched;
  trace::Trace trace;
  sim::RandomStreams streams;
  net::Network net{sched, trace, streams};
  std::unique_ptr<tcp::TcpStack> client, server;
  SocketId listener = tcp::kNoSocket, conn = tcp::kNoSocket, child = tcp::kNoSocket;
  std::uint64_t total, offered = 0, read = 0;
  bool closed = false;
  std::vector<AppError> errors;

  StackPair(const tcp::TcpParams& p, std::uint64_t seed, std::uint64_t octets) : streams(seed), total(octets) {
    const net::NodeId c = net.add_node({"client", *net::Ipv4::parse("10.0.0.1"), false});
    const net::NodeId s = net.add_node({"server", *net::Ipv4::parse("10.0.0.9"), false});
    net::LinkParams lp;
    lp.delay = 10_ms;
    lp.loss = {.kind = net::LossModel::Kind::Bernoulli, .rate = 0.05};
    lp.duplicate = 0.05;
    lp.reorder = 0.05;
    lp.reorder_delay = 3_ms;
    net.add_link({"client", "server", lp, lp});
    client = std::make_unique<tcp::TcpStack>(sched, trace, net, c, p, streams);
    server = std::make_unique<tcp::TcpStack>(sched, trace, net, s, p, streams);
    server->set_observer([this](SocketId id, Notice n, AppError e, std::uint64_t) {
      if (n == Notice::Connected) {
        if (const auto a = server->accept(listener)) child = *a;
      }
      if (n == Notice::Data) read += server->receive(id, UINT64_MAX);
      if (n == Notice::Eof) server->close(id);
      if (n == Notice::Error) errors.push_back(e);
    });
    client->set_observer([this](SocketId, Notice n, AppError e, std::uint64_t) {
      if (n == Notice::Error) errors.push_back(e);
    });
    listener = server->listen(80, 8);
    conn = client->connect({*net::Ipv4::parse("10.0.0.9"), 80});
    sched.schedule_in(5_ms, [t = this] { t->tick(); });
  }

  // The client's application every 5 ms: top up the send buffer, close once all is offered.
  void tick() {
    if (client->state(conn) == State::Established && offered < total) {
      std::uint64_t took = 0;
      client->send(conn, total - offered, &took);
      offered += took;
    }
    if (offered == total && !closed) {
      REQUIRE(client->close(conn) == tcp::CallError::None);
      closed = true;
    }
    const bool done = closed && client->state(conn) == State::Closed && child != tcp::kNoSocket &&
                      server->state(child) == State::Closed;
    if (!done && sched.now() < at(3600_s)) sched.schedule_in(5_ms, [t = this] { t->tick(); });
  }
};

void run_pair(const tcp::TcpParams& p, std::uint64_t seed) {
  StackPair w(p, seed, 150'000);
  w.sched.run();
  INFO("profile " << p.profile << ", seed " << seed);
  CHECK(w.read == 150'000);
  CHECK(w.child != tcp::kNoSocket);
  CHECK(w.client->state(w.conn) == State::Closed);
  CHECK(w.server->state(w.child) == State::Closed);
  CHECK(w.client->socket_count() == 0);
  CHECK(w.server->socket_count() == 1);  // the listener
  CHECK(w.errors.empty());
}

}  // namespace

TEST_CASE("Two TcpStacks under 5% loss with duplication and reordering deliver every octet once and close (rfc9293)",
          "[lossy][network][stack]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) run_pair(tcp::TcpParams::rfc9293(), seed);
}

TEST_CASE("Two TcpStacks under 5% loss with duplication and reordering deliver every octet once and close (linux)",
          "[lossy][network][stack][linux]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) run_pair(tcp::TcpParams::linux_profile(), seed);
}
