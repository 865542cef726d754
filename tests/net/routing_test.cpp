#include <catch2/catch.hpp>

#include "tests/net/fixture.hpp"

using namespace tcpsim;
using namespace tcpsim::net;
using namespace tcpsim::sim::literals;
using net::test::ip;
using net::test::World;
using trace::DropReason;

namespace {
sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }
}  // namespace

TEST_CASE("Nodes get the same ids in the network and in the trace", "[routing][nodes]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  const NodeId r = w.router("r");
  const NodeId b = w.host("b", "10.0.0.2");
  CHECK(a == 0);
  CHECK(r == 1);
  CHECK(b == 2);
  CHECK(w.trace.node_name(r) == "r");
  CHECK(w.net.find("b") == b);
  CHECK_FALSE(w.net.find("c"));
  CHECK(w.net.owner(ip("10.0.0.2")) == b);
  CHECK_FALSE(w.net.owner(ip("10.0.0.3")));
  CHECK(w.net.node(r).router);
  CHECK(w.net.node_count() == 3);
}

TEST_CASE("Duplicate names, duplicate addresses and hosts without an address are rejected", "[routing][nodes]") {
  World w;
  w.host("a", "10.0.0.1");
  CHECK_THROWS_AS(w.host("a", "10.0.0.9"), std::invalid_argument);
  CHECK_THROWS_AS(w.host("b", "10.0.0.1"), std::invalid_argument);
  CHECK_THROWS_AS(w.net.add_node({"c", std::nullopt, false}), std::invalid_argument);
  CHECK_THROWS_AS(w.net.add_node({"", ip("10.0.0.5"), false}), std::invalid_argument);
  CHECK_THROWS_AS(w.net.add_node({"r", ip("10.0.0.1"), true}), std::invalid_argument);
  CHECK(w.net.add_node({"r", ip("10.0.0.254"), true}) == 1);  // a router may have an address
  CHECK(w.net.node_count() == 2);
  CHECK(w.trace.node_count() == 2);
}

TEST_CASE("A segment crosses host-r1-r2-host in the sum of the hop delays", "[routing]") {
  World w;
  const NodeId h1 = w.host("h1", "10.0.0.1");
  const NodeId r1 = w.router("r1");
  const NodeId r2 = w.router("r2");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  w.link("h1", "r1", 1_ms);
  w.link("r1", "r2", 2_ms);
  w.link("r2", "h2", 3_ms);
  CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, r2, h2});
  CHECK(w.net.path(h2, ip("10.0.0.1")) == std::vector<NodeId>{h2, r2, r1, h1});
  const SegmentId s = w.send(h1, w.seg(h1, "10.0.0.2"));
  w.run();
  CHECK(w.delivered_at(s) == at(6_ms));
  const auto d = w.all<trace::SegmentDelivered>();
  REQUIRE(d.size() == 1);
  CHECK(d[0].second.node == h2);
}

TEST_CASE("Each hop's link has its own loss, and the drop names that hop", "[routing]") {
  World w;
  w.host("h1", "10.0.0.1");
  w.router("r1");
  const NodeId r2 = w.router("r2");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  LinkParams lossy = test::delay_of(1_ms);
  lossy.loss = {.kind = LossModel::Kind::Bernoulli, .rate = 1.0};
  w.link("h1", "r1", 1_ms);
  w.link("r1", "r2", 1_ms);
  w.link("r2", "h2", lossy);
  const SegmentId s = w.send(0, w.seg(0, "10.0.0.2"));
  w.run();
  const auto d = w.dropped(s);
  REQUIRE(d);
  CHECK(d->reason == DropReason::Loss);
  CHECK(d->node == r2);
  CHECK(d->toward == h2);
  CHECK(w.trace.records().back().time == at(2_ms));  // dropped as it entered the third link
}

TEST_CASE("The route with the lowest total delay wins over one with fewer hops", "[routing]") {
  World w;
  const NodeId h1 = w.host("h1", "10.0.0.1");
  const NodeId r1 = w.router("r1");
  const NodeId r2 = w.router("r2");
  const NodeId r3 = w.router("r3");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  w.link("h1", "r1", 1_ms);
  w.link("r1", "h2", 20_ms);  // direct but slow
  w.link("r1", "r2", 1_ms);
  w.link("r2", "r3", 1_ms);
  w.link("r3", "h2", 1_ms);
  CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, r2, r3, h2});
  const SegmentId s = w.send(h1, w.seg(h1, "10.0.0.2"));
  w.run();
  CHECK(w.delivered_at(s) == at(4_ms));
}

TEST_CASE("Among routes of equal delay the one with fewer hops wins", "[routing]") {
  World w;
  const NodeId h1 = w.host("h1", "10.0.0.1");
  const NodeId r1 = w.router("r1");
  w.router("r2");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  w.link("h1", "r1", 1_ms);
  w.link("r1", "r2", 1_ms);  // r1-r2-h2: 3 ms in two hops, added first
  w.link("r2", "h2", 2_ms);
  w.link("r1", "h2", 3_ms);  // r1-h2: 3 ms in one hop
  CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, h2});
}

TEST_CASE("Among routes equal in delay and hops the one whose last link was added first wins", "[routing]") {
  for (const bool r2_first : {true, false}) {
    World w;
    const NodeId h1 = w.host("h1", "10.0.0.1");
    const NodeId r1 = w.router("r1");
    const NodeId r2 = w.router("r2");
    const NodeId r3 = w.router("r3");
    const NodeId h2 = w.host("h2", "10.0.0.2");
    w.link("h1", "r1", 1_ms);
    w.link("r1", "r2", 1_ms);
    w.link("r1", "r3", 1_ms);
    w.link(r2_first ? "r2" : "r3", "h2", 1_ms);
    w.link(r2_first ? "r3" : "r2", "h2", 1_ms);
    const NodeId via = r2_first ? r2 : r3;
    INFO("r2-h2 added first: " << r2_first);
    CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, via, h2});
    // The forwarding really follows that path.
    const SegmentId s = w.send(h1, w.seg(h1, "10.0.0.2"));
    w.run();
    CHECK(w.delivered_at(s) == at(3_ms));
    CHECK(w.net.path(r1, ip("10.0.0.2")) == std::vector<NodeId>{r1, via, h2});
  }
}

TEST_CASE("Routes are chosen per direction from that direction's delays", "[routing]") {
  World w;
  const NodeId h1 = w.host("h1", "10.0.0.1");
  const NodeId r1 = w.router("r1");
  const NodeId r2 = w.router("r2");
  const NodeId r3 = w.router("r3");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  w.link("h1", "r1", 1_ms);
  w.link("r1", "r2", test::delay_of(1_ms), test::delay_of(9_ms));
  w.link("r1", "r3", test::delay_of(9_ms), test::delay_of(1_ms));
  w.link("r2", "h2", 1_ms);
  w.link("r3", "h2", 1_ms);
  CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, r2, h2});
  CHECK(w.net.path(h2, ip("10.0.0.1")) == std::vector<NodeId>{h2, r3, r1, h1});
}

TEST_CASE("Hosts never forward: a route may only transit routers", "[routing]") {
  World w;
  const NodeId h1 = w.host("h1", "10.0.0.1");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  const NodeId h3 = w.host("h3", "10.0.0.3");
  w.link("h1", "h2", 1_ms);
  w.link("h2", "h3", 1_ms);
  CHECK(w.net.path(h1, ip("10.0.0.3")).empty());
  CHECK(w.net.path(h3, ip("10.0.0.1")).empty());
  // The host in the middle reaches both neighbours itself.
  CHECK(w.net.path(h2, ip("10.0.0.1")) == std::vector<NodeId>{h2, h1});
  CHECK(w.net.path(h2, ip("10.0.0.3")) == std::vector<NodeId>{h2, h3});
  const SegmentId s = w.send(h1, w.seg(h1, "10.0.0.3"));
  w.run();
  const auto d = w.dropped(s);
  REQUIRE(d);
  CHECK(d->reason == DropReason::NoRoute);
  CHECK(d->node == h1);
  CHECK(w.trace.records().back().time == at(0_ms));

  // A router alongside gives a way round, even if it is slower.
  w.router("r");
  w.link("h1", "r", 5_ms);
  w.link("r", "h3", 5_ms);
  CHECK(w.net.path(h1, ip("10.0.0.3")) == std::vector<NodeId>{h1, 3, h3});
}

TEST_CASE("A segment to an address no node owns is dropped as no-route at the sender", "[routing]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  w.host("b", "10.0.0.2");
  w.link("a", "b", 1_ms);
  CHECK(w.net.path(a, ip("10.9.9.9")).empty());
  const SegmentId s = w.send(a, w.seg(a, "10.9.9.9"));
  const auto d = w.dropped(s);  // at once, inside send()
  REQUIRE(d);
  CHECK(d->reason == DropReason::NoRoute);
  CHECK(d->node == a);
  CHECK(d->toward == trace::kNoNode);
  CHECK(w.trace.segments().in_flight() == 0);
}

TEST_CASE("A segment to a host in another part of the network is dropped as no-route", "[routing]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  w.router("r");
  w.host("b", "10.0.0.2");
  w.host("c", "10.0.0.3");  // no link at all
  w.link("a", "r", 1_ms);
  w.link("r", "b", 1_ms);
  CHECK(w.net.path(a, ip("10.0.0.3")).empty());
  const SegmentId s = w.send(a, w.seg(a, "10.0.0.3"));
  REQUIRE(w.dropped(s));
  CHECK(w.dropped(s)->reason == DropReason::NoRoute);
}

TEST_CASE("A segment to the sender's own address is delivered at the same instant", "[routing]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  std::vector<SegmentId> got;
  w.net.set_receiver(a, [&](const Segment& s, SegmentId id) {
    CHECK(s.dst == ip("10.0.0.1"));
    got.push_back(id);
  });
  w.send_at(at(5_ms), a, w.seg(a, "10.0.0.1"));
  w.sched.run(at(5_ms));
  CHECK(w.net.path(a, ip("10.0.0.1")) == std::vector<NodeId>{a});
  REQUIRE(got.size() == 1);
  CHECK(w.delivered_at(got[0]) == at(5_ms));
}

TEST_CASE("Loopback delivery is not synchronous: the receiver never runs inside send()", "[routing]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  int calls = 0;
  w.net.set_receiver(a, [&](const Segment&, SegmentId) { ++calls; });
  w.send(a, w.seg(a, "10.0.0.1"));
  CHECK(calls == 0);
  w.run();
  CHECK(calls == 1);
}

TEST_CASE("A segment addressed to a router is delivered to the router", "[routing]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  const NodeId r = w.net.add_node({"r", ip("10.0.0.254"), true});
  w.host("b", "10.0.0.2");
  w.link("a", "r", 1_ms);
  w.link("r", "b", 1_ms);
  const SegmentId s = w.send(a, w.seg(a, "10.0.0.254"));
  w.run();
  CHECK(w.delivered_at(s) == at(1_ms));
  CHECK(w.all<trace::SegmentDelivered>()[0].second.node == r);
}

TEST_CASE("The receiver gets the delivered segment and its id", "[routing]") {
  World w;
  const NodeId a = w.host("a", "10.0.0.1");
  const NodeId b = w.host("b", "10.0.0.2");
  w.link("a", "b", 1_ms);
  Segment got;
  SegmentId got_id = 99;
  w.net.set_receiver(b, [&](const Segment& s, SegmentId id) {
    got = s;
    got_id = id;
    // A receiver may send in turn (the pool slot it came from is already free).
    w.net.send(b, w.seg(b, "10.0.0.1"));
  });
  const Segment sent = w.seg(a, "10.0.0.2", {.syn = true}, 100);
  const SegmentId id = w.send(a, sent);
  w.run();
  CHECK(got == sent);
  CHECK(got_id == id);
  CHECK(w.trace.segments().delivered == 2);
}

TEST_CASE("A host with a single link needs no route computation", "[routing][scale]") {
  World w;
  const NodeId server = w.host("server", "10.1.0.1");
  w.router("r");
  w.link("server", "r", 1_ms);
  std::vector<NodeId> clients;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "c" + std::to_string(i);
    const std::string addr = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    clients.push_back(w.net.add_node({name, ip(addr.c_str()), false}));
    w.link(name, "r", 1_ms);
  }
  for (NodeId c : clients) w.send(c, w.seg(c, "10.1.0.1"));
  for (int i = 0; i < 200; ++i) {
    Segment s = w.seg(server, "10.0.0.1");
    s.dst = w.net.node(clients[static_cast<std::size_t>(i)]).ip.value();
    w.send(server, s);
  }
  w.run();
  CHECK(w.trace.segments().delivered == 400);
  CHECK(w.net.route_computations() == 1);  // the router's, once
}

TEST_CASE("Adding a link recomputes routes", "[routing]") {
  World w;
  const NodeId h1 = w.host("h1", "10.0.0.1");
  const NodeId r1 = w.router("r1");
  const NodeId r2 = w.router("r2");
  const NodeId h2 = w.host("h2", "10.0.0.2");
  w.link("h1", "r1", 1_ms);
  w.link("r1", "r2", 10_ms);
  w.link("r2", "h2", 1_ms);
  CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, r2, h2});
  w.link("r1", "h2", 2_ms);
  CHECK(w.net.path(h1, ip("10.0.0.2")) == std::vector<NodeId>{h1, r1, h2});
}
