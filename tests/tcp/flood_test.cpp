// A SYN flood against a linux listener with backlog 8, so 9 requests (catalog card 3.14):
// spoofed SYNs from addresses no host owns arrive 100 per second, so their SYN,ACKs are dropped
// as "no route" and nothing ever completes or resets them. A legitimate client connecting during the flood fails without
// SYN cookies and succeeds with them.
#include <catch2/catch.hpp>

#include <map>

#include "tests/tcp/listen_world.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using tcp::SocketId;
using tcp::State;
using test::ip;
using test::ListenWorld;

namespace {

sim::Time at(sim::Duration d) { return ListenWorld::at(d); }
const net::Endpoint kServer80{ip("10.0.0.9"), 80};

// Injects SYN number n at n * 10 ms from host "attacker", source 10.200.(n / 250).(n % 250 + 1).
struct Flood {
  ListenWorld& w;
  sim::Time until;
  std::uint32_t sent = 0;

  static net::Endpoint source(std::uint32_t n) {
    const net::Ipv4 a{(10u << 24) | (200u << 16) | ((n / 250) << 8) | (n % 250 + 1)};
    return {a, static_cast<std::uint16_t>(1024 + n % 60000)};
  }
  void start() { w.sched.schedule_at(at(0_ms), [this] { fire(); }); }
  void fire() {
    w.inject("attacker", test::syn_from(source(sent), kServer80, net::SeqNum(sent * 7919u)));
    ++sent;
    if (w.sched.now() + 10_ms < until) w.sched.schedule_in(10_ms, [this] { fire(); });
  }
};

// The SYN,ACKs the server sent to each address, with their send times, and whether the network
// dropped each one for lack of a route.
struct SynAcks {
  std::map<std::uint32_t, std::vector<sim::Time>> times;
  std::uint64_t no_route = 0;
  std::uint64_t total = 0;
};
SynAcks synacks(const ListenWorld& w) {
  SynAcks out;
  const net::NodeId server = *w.net.find("server");
  std::map<trace::SegmentId, bool> synack_ids;
  for (const auto& r : w.trace.records()) {
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && s->node == server && s->seg.flags.syn) {
      out.times[s->seg.dst.value].push_back(r.time);
      synack_ids[s->id] = true;
      ++out.total;
    } else if (const auto* d = std::get_if<trace::SegmentDropped>(&r.body);
               d && d->reason == trace::DropReason::NoRoute && synack_ids.contains(d->id)) {
      ++out.no_route;
    }
  }
  return out;
}

tcp::TcpParams linux_without_cookies() {
  tcp::TcpParams p = tcp::TcpParams::linux_profile();
  p.syn_cookies = false;
  p.hz = 0;  // continuous time: the tests state exact retransmission times
  return p;
}

}  // namespace

TEST_CASE("During a SYN flood without SYN cookies a legitimate client's SYNs are dropped until it times out",
          "[stack][flood]") {
  ListenWorld w({"client", "attacker"}, linux_without_cookies());
  w.listen(80, 8);
  Flood flood{w, at(140_s)};
  flood.start();
  w.run_until(1_s);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(60_s);
  CHECK(w["client"].state(c) == State::SynSent);  // still retrying
  w.run_until(140_s);
  CHECK(w["client"].state(c) == State::Closed);
  CHECK(w.error_of("client", c) == trace::AppError::TimedOut);
  CHECK(w.accepted.empty());
  const SynAcks sa = synacks(w);
  CHECK_FALSE(sa.times.contains(ip("10.0.0.1").value));  // the client never got an answer
  CHECK(sa.no_route == sa.total);
  // The SYN queue held 9 requests all along (backlog + 1 on linux). Without pruning each would
  // last 63 s, 27 over the run; pruned at their third timeout, most last 7 s, and each slot they
  // free is taken within 10 ms by the flood, before the client's next SYN. Every SYN either became
  // a request (one address answered) or was dropped, the client's 11 among them.
  CHECK(sa.times.size() > 27);
  CHECK(w["server"].syns_dropped() == flood.sent - sa.times.size() + 11);
  CHECK(w.notes_starting("listen queue full: SYN dropped (SYN queue full)") == w["server"].syns_dropped());
  CHECK(w["server"].syn_cookies_sent() == 0);
}

TEST_CASE("During a SYN flood with SYN cookies a legitimate client connects at once and transfers data",
          "[stack][flood][syncookie]") {
  ListenWorld w({"client", "attacker"}, tcp::TcpParams::linux_profile());
  w.listen(80, 8);
  Flood flood{w, at(70_s)};
  flood.start();
  w.run_until(1_s);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(2_s);
  REQUIRE(w["client"].state(c) == State::Established);
  CHECK(w.entered("client", "ESTABLISHED") == std::vector{at(1020_ms)});
  REQUIRE(w.accepted.size() == 1);
  CHECK(w.entered("server", "ESTABLISHED") == std::vector{at(1030_ms)});
  w["client"].send(c, 20000);
  w.run_until(70_s);
  CHECK(w.octets_read("server") == 20000);
  CHECK(w["server"].syn_cookies_validated() == 1);
  CHECK(w["server"].syns_dropped() == 0);
  // Stored requests get their SYN,ACK up to 6 times; cookie answers exactly once (no state).
  const SynAcks sa = synacks(w);
  std::size_t stored = 0;
  for (const auto& [addr, times] : sa.times) {
    if (times.size() > 1) {
      ++stored;
      CHECK(times.size() <= 6);
    }
  }
  // The first 9 and those that took their slots (more than 9 more: pruned requests leave at 7 s,
  // not 63 s); every other flood SYN, and the client's, got a cookie.
  CHECK(stored > 18);
  CHECK(sa.times.at(ip("10.0.0.1").value).size() == 1);
  CHECK(w["server"].syn_cookies_sent() == flood.sent - stored + 1);
}

// reqsk_timer_handler() (TcpParams::prune_old_requests): while the SYN queue holds more than half
// of max(8, backlog) requests, requests whose SYN,ACK has timed out lose one retry for each halving
// of the young requests' share, down to 2.
TEST_CASE("A half-open request of the flood is dropped at its third timeout when only old requests crowd the "
          "queue, and one that expires among young newcomers keeps its retries",
          "[stack][flood]") {
  ListenWorld w({"client", "attacker"}, linux_without_cookies());
  w.listen(80, 8);
  Flood flood{w, at(70_s)};
  flood.start();
  w.run_until(70_s);
  const SynAcks sa = synacks(w);
  CHECK(sa.no_route == sa.total);
  const auto closed = [&](std::uint32_t n) {
    std::vector<std::pair<sim::Time, std::string>> out;
    for (const auto& r : w.trace.records()) {
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body);
          sc && sc->conn.remote == Flood::source(n) && sc->to == "CLOSED") {
        out.emplace_back(r.time, std::string(sc->cause));
      }
    }
    return out;
  };
  const std::string pruned =
      "linux reqsk_timer_handler: SYN queue crowded with old requests -> fewer SYN,ACK retries, request dropped, CLOSED";
  // The first request (arriving at 10 ms): its SYN,ACK timeouts at 1 and 3 s are answered; at the
  // third, 7 s in, the 9 requests in the queue have all timed out before (no young one): the limit
  // falls from 5 to 2 retries and the request is dropped silently.
  const sim::Time t0 = at(10_ms);
  CHECK(sa.times.at(Flood::source(0).ip.value) == std::vector{t0, t0 + 1_s, t0 + 3_s});
  CHECK(closed(0) == std::vector{std::pair{t0 + 7_s, pruned}});
  // Its slot goes to the next flood SYN (number 700, arriving at 7.01 s), and so on for the next
  // seven; the ninth request (arriving at 90 ms) then expires among those 8 young newcomers, which
  // are 16 > 9 when doubled: it keeps all 5 retries, is answered again at 7 and 15 s, and is
  // dropped at 31 s, when the newcomers are old too.
  CHECK(sa.times.at(Flood::source(700).ip.value).front() == at(7010_ms));
  const sim::Time t8 = at(90_ms);
  CHECK(sa.times.at(Flood::source(8).ip.value) == std::vector{t8, t8 + 1_s, t8 + 3_s, t8 + 7_s, t8 + 15_s});
  CHECK(closed(8) == std::vector{std::pair{t8 + 31_s, pruned}});
  for (const auto& [addr, times] : sa.times) CHECK(times.size() <= 6);
  CHECK(w["server"].socket_count() == 1 + 9);
}

TEST_CASE("A SYN flood with SYN cookies run twice gives identical trace records", "[stack][flood][syncookie]") {
  const auto run = [] {
    ListenWorld w({"client", "attacker"}, tcp::TcpParams::linux_profile());
    w.listen(80, 8);
    Flood flood{w, at(2_s)};
    flood.start();
    w.run_until(500_ms);
    const SocketId c = w["client"].connect(kServer80);
    w.run_until(1_s);
    w["client"].send(c, 3000);
    w.run_until(3_s);
    CHECK(w["server"].syn_cookies_validated() == 1);
    return w.jsonl();
  };
  const auto first = run();
  CHECK(first.size() > 500);
  CHECK(first == run());
}
