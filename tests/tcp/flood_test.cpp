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
  // The SYN queue held 9 requests all along (backlog + 1 on linux; 27 over the run: each lasts
  // 63 s); the client's 11 SYNs and every other flood SYN were dropped.
  CHECK(sa.times.size() == 27);
  CHECK(w["server"].syns_dropped() == flood.sent - 27 + 11);
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
  CHECK(stored == 18);  // the first 9, and the 9 that took their slots at 63 s
  CHECK(sa.times.at(ip("10.0.0.1").value).size() == 1);
  CHECK(w["server"].syn_cookies_sent() == flood.sent - 18 + 1);
}

TEST_CASE("A half-open request of the flood retransmits its SYN,ACK at 1, 3, 7, 15 and 31 s and is dropped "
          "at 63 s, and a flood SYN takes its place",
          "[stack][flood]") {
  ListenWorld w({"client", "attacker"}, linux_without_cookies());
  w.listen(80, 8);
  Flood flood{w, at(70_s)};
  flood.start();
  w.run_until(70_s);
  const SynAcks sa = synacks(w);
  const auto& first = sa.times.at(Flood::source(0).ip.value);
  const sim::Time t0 = at(10_ms);  // the first flood SYN arrives
  CHECK(first == std::vector{t0, t0 + 1_s, t0 + 3_s, t0 + 7_s, t0 + 15_s, t0 + 31_s});
  CHECK(sa.no_route == sa.total);
  // Given up silently at 63 s (tcp_synack_retries = 5): back to LISTEN, released.
  bool released = false;
  for (const auto& r : w.trace.records()) {
    if (const auto* sc = std::get_if<trace::StateChanged>(&r.body);
        sc && sc->conn.remote == Flood::source(0) && sc->to == "LISTEN") {
      released = true;
      CHECK(r.time == t0 + 63_s);
      CHECK(sc->cause == "§3.8.3: SYN,ACK retries exhausted -> LISTEN");
    }
  }
  CHECK(released);
  // The ninth request is the first flood SYN after that moment: SYN number 6300 (sent at 63 s,
  // arriving at 63.01 s just after the release).
  std::vector<std::uint32_t> later;
  for (const auto& [addr, times] : sa.times) {
    if (times.front() > at(1_s)) later.push_back(addr);
  }
  REQUIRE(later.size() == 9);
  CHECK(std::find(later.begin(), later.end(), Flood::source(6300).ip.value) != later.end());
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
