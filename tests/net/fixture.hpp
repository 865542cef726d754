// A small world for network tests: scheduler, trace, seeded streams and the network, plus
// helpers to build topologies, send segments and read the records back.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/net/network.hpp"
#include "sim/trace/jsonl.hpp"

namespace tcpsim::net::test {

inline Ipv4 ip(const char* text) { return *Ipv4::parse(text); }

// A delay-only direction (everything else at its default).
inline LinkParams delay_of(sim::Duration d) {
  LinkParams p;
  p.delay = d;
  return p;
}

struct World {
  sim::Scheduler sched;
  trace::Trace trace;
  sim::RandomStreams streams;
  Network net;
  std::deque<Segment> later;  // segments for send_at()

  explicit World(std::uint64_t seed = 1) : streams(seed), net(sched, trace, streams) {}

  NodeId host(const std::string& name, const char* addr) { return net.add_node({name, ip(addr), false}); }
  NodeId router(const std::string& name) { return net.add_node({name, std::nullopt, true}); }
  void link(const std::string& a, const std::string& b, const LinkParams& ab, std::optional<LinkParams> ba = {}) {
    net.add_link({a, b, ab, ba ? *ba : ab});
  }
  void link(const std::string& a, const std::string& b, sim::Duration delay) { link(a, b, delay_of(delay)); }

  // A segment from the host `from` to `to_addr` (ports 1000 -> 80, the given flags).
  Segment seg(NodeId from, const char* to_addr, Flags flags = {.ack = true}, std::uint32_t len = 0) const {
    Segment s;
    s.src = net.node(from).ip.value_or(Ipv4{});
    s.dst = ip(to_addr);
    s.sport = 1000;
    s.dport = 80;
    s.flags = flags;
    s.payload_len = len;
    return s;
  }
  SegmentId send(NodeId from, const Segment& s) { return net.send(from, s); }
  // Sends at virtual time `at` (from an event, so now() == at when it leaves).
  // (The segment waits in `later`: a scheduler callback only holds a pointer and an id or two.)
  void send_at(sim::Time at, NodeId from, const Segment& s) {
    later.push_back(s);
    const auto i = static_cast<std::uint32_t>(later.size() - 1);
    sched.schedule_at(at, [this, from, i] { net.send(from, later[i]); });
  }
  void run() { sched.run(); }

  // Every record body of type T, with its time.
  template <class T>
  std::vector<std::pair<sim::Time, T>> all() const {
    std::vector<std::pair<sim::Time, T>> out;
    for (const auto& r : trace.records()) {
      if (const T* b = std::get_if<T>(&r.body)) out.emplace_back(r.time, *b);
    }
    return out;
  }
  template <class T>
  std::size_t count() const {
    return all<T>().size();
  }
  // The arrival time of segment `id`, if it was delivered.
  std::optional<sim::Time> delivered_at(SegmentId id) const {
    for (const auto& [t, d] : all<trace::SegmentDelivered>()) {
      if (d.id == id) return t;
    }
    return std::nullopt;
  }
  std::optional<trace::SegmentDropped> dropped(SegmentId id) const {
    for (const auto& [t, d] : all<trace::SegmentDropped>()) {
      if (d.id == id) return d;
    }
    return std::nullopt;
  }
  // The whole trace as JSON Lines, for comparing runs.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& r : trace.records()) out.push_back(trace::to_json(r, trace).dump());
    return out;
  }
};

}  // namespace tcpsim::net::test
