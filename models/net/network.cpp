// The network: building the topology, and the path of one segment (see network.hpp).
//
// Storage of segments in flight. A segment between two events (on a link, or held back by a
// fault rule's delay) lives in a slot of one pool of Packets; the scheduled event captures only
// the Impl pointer and the slot index, so it fits the scheduler's inline callback and nothing is
// allocated per segment once the pool has reached its peak size. A slot is freed when its
// segment is delivered or dropped, so the number of slots in use is the number of segments in
// flight.
//
// Nothing is delivered synchronously inside send(): even a loopback segment goes through the
// scheduler (at the same instant), so a receiver never runs inside its own host's send().
#include "models/net/network.hpp"

#include <deque>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "models/net/link.hpp"
#include "models/net/routing.hpp"

namespace tcpsim::net {

using trace::DropReason;
using trace::EffectCause;
using trace::FaultAction;

struct Network::Impl {
  struct Packet {
    Segment seg;
    SegmentId id = 0;
    NodeId at = trace::kNoNode;  // where it (re-)enters the network after a fault-rule delay
    NodeId dest = trace::kNoNode;
    LinkDirId dir = kNoLink;  // the link direction it is travelling on
  };
  // A copy made by a fault rule: a snapshot of the original's state when the rule fired.
  struct RuleCopy {
    SegmentId id;
    bool corrupted;
    sim::Duration delay;
  };

  Impl(sim::Scheduler& s, trace::Trace& t, const sim::RandomStreams& r) : sched(s), trace(t), streams(r) {}

  sim::Scheduler& sched;
  trace::Trace& trace;
  const sim::RandomStreams& streams;

  // Lookups only, never iterated (so their order cannot reach the trace). The names are views
  // into `nodes`, a deque so that they never move.
  std::deque<NodeConfig> nodes;
  std::vector<Receiver> receivers;
  std::unordered_map<std::string_view, NodeId> by_name;
  std::unordered_map<std::uint32_t, NodeId> by_ip;
  Topology topo;
  std::vector<LinkDirection> dirs;  // by LinkDirId
  std::deque<LinkParams> params;    // the distinct parameter sets the directions point into
  std::vector<FaultRule> rules;
  std::vector<std::uint64_t> rule_matches;

  std::vector<Packet> pool;
  std::vector<std::uint32_t> free_slots;
  std::vector<RuleCopy> copies;  // scratch for send(); reused so it allocates only at its peak

  sim::Time now() const { return sched.now(); }
  // The stored copy of `p`. Consecutive links usually share their parameters (a star built in a
  // loop), so comparing with the last few stored sets finds most repeats in O(1).
  const LinkParams& intern(const LinkParams& p) {
    for (std::size_t i = params.size(), seen = 0; i > 0 && seen < 4; --i, ++seen) {
      if (params[i - 1] == p) return params[i - 1];
    }
    return params.emplace_back(p);
  }
  void check_node(NodeId n, const char* what) const {
    if (n >= nodes.size()) throw std::out_of_range(std::string(what) + ": unknown node id " + std::to_string(n));
  }

  // --- the pool ---
  // `seg` is taken by value: it may be a pool entry, which growing the pool would move.
  std::uint32_t alloc(Segment seg, SegmentId id) {
    std::uint32_t slot;
    if (free_slots.empty()) {
      slot = static_cast<std::uint32_t>(pool.size());
      pool.emplace_back();
    } else {
      slot = free_slots.back();
      free_slots.pop_back();
    }
    Packet& p = pool[slot];
    p.seg = std::move(seg);
    p.id = id;
    return slot;
  }
  void release(std::uint32_t slot) {
    pool[slot] = Packet{};  // lets go of the payload
    free_slots.push_back(slot);
  }
  void drop(std::uint32_t slot, NodeId node, DropReason reason, NodeId toward = trace::kNoNode) {
    trace.emit(now(), trace::SegmentDropped{pool[slot].id, node, reason, trace::kNoRule, toward});
    release(slot);
  }

  // --- the path of a segment ---
  SegmentId send(NodeId from, const Segment& seg, std::string_view cause, bool injected, bool retransmission);
  void enter(NodeId at, const Segment& seg, SegmentId id, bool corrupted, sim::Duration delay);
  void route(NodeId at, std::uint32_t slot);
  void forward(NodeId at, std::uint32_t slot);
  void transmit(LinkDirId dir, std::uint32_t slot);
  void schedule_arrival(LinkDirId dir, std::uint32_t slot, sim::Time tx_end, LinkDirection::Propagation prop);
  void arrive(std::uint32_t slot);
  void deliver(std::uint32_t slot);
};

// Fault rules are evaluated once, at the sender, before routing, in the order they were added.
// A rule whose match counter (1-based) falls in [first, last] fires:
//   drop      -> the segment is gone; later rules are not evaluated
//   delay     -> it enters the network that much later (delays of several rules add up)
//   duplicate -> a copy with a new id enters the network too: a snapshot of the segment as the
//                earlier rules left it (corruption, delay so far); later rules act on the
//                original only, and the copy is never matched against rules
//   corrupt   -> it travels normally and fails its checksum at the destination
// The original enters first, then the copies in the order they were made.
SegmentId Network::Impl::send(NodeId from, const Segment& seg, std::string_view cause, bool injected,
                              bool retransmission) {
  check_node(from, "send");
  const SegmentId id = trace.next_segment_id();
  const sim::Time t = now();
  trace.emit(t, trace::SegmentSent{id, from, seg, injected, cause, retransmission});

  copies.clear();
  bool dropped = false;
  bool corrupted = seg.corrupted;
  sim::Duration delay{};
  for (std::size_t i = 0; i < rules.size() && !dropped; ++i) {
    const FaultRule& rule = rules[i];
    if (!rule.match.matches(seg, t)) continue;
    const std::uint64_t n = ++rule_matches[i];
    if (n < rule.first || n > rule.last) continue;
    const int index = static_cast<int>(i);
    switch (rule.action) {
      case FaultAction::Drop:
        trace.emit(t, trace::SegmentDropped{id, from, DropReason::FaultRule, index});
        dropped = true;
        break;
      case FaultAction::Delay:
        trace.emit(t, trace::SegmentDelayed{id, from, EffectCause::FaultRule, index, rule.delay});
        delay += rule.delay;
        break;
      case FaultAction::Duplicate: {
        const SegmentId copy = trace.next_segment_id();
        trace.emit(t, trace::SegmentDuplicated{id, copy, from, EffectCause::FaultRule, index});
        copies.push_back({copy, corrupted, delay});
        break;
      }
      case FaultAction::Corrupt:
        trace.emit(t, trace::SegmentCorrupted{id, from, index});
        corrupted = true;
        break;
    }
  }
  if (!dropped) enter(from, seg, id, corrupted, delay);
  for (const RuleCopy& c : copies) enter(from, seg, c.id, c.corrupted, c.delay);
  return id;
}

void Network::Impl::enter(NodeId at, const Segment& seg, SegmentId id, bool corrupted, sim::Duration delay) {
  const std::uint32_t slot = alloc(seg, id);
  Packet& p = pool[slot];
  p.seg.corrupted = corrupted;
  p.at = at;
  if (delay > sim::Duration::zero()) {
    sched.schedule_in(delay, [this, slot] { route(pool[slot].at, slot); });
  } else {
    route(at, slot);
  }
}

// At the sender: find the owner of the destination address and check that a route leads there.
void Network::Impl::route(NodeId at, std::uint32_t slot) {
  Packet& p = pool[slot];
  const auto it = by_ip.find(p.seg.dst.value);
  if (it == by_ip.end() || !topo.reachable(at, it->second)) return drop(slot, at, DropReason::NoRoute);
  p.dest = it->second;
  if (p.dest == at) {  // loopback: delivered at the same instant, after the current event
    sched.schedule_in(sim::Duration::zero(), [this, slot] { deliver(slot); });
    return;
  }
  forward(at, slot);
}

void Network::Impl::forward(NodeId at, std::uint32_t slot) {
  const LinkDirId dir = topo.next_hop(at, pool[slot].dest);
  if (dir == kNoLink) return drop(slot, at, DropReason::NoRoute);  // not after route(): tables agree
  transmit(dir, slot);
}

// One link direction: loss, duplication, serialization behind the queue, propagation.
// A copy made here follows right behind the original: it is queued just after it and takes the
// same propagation time (jitter and reorder hold included), so it never overtakes it; it is not
// subjected to this link's loss or duplication again.
void Network::Impl::transmit(LinkDirId dir, std::uint32_t slot) {
  LinkDirection& link = dirs[dir];
  const sim::Time t = now();
  const SegmentId id = pool[slot].id;
  if (link.lose()) return drop(slot, link.from(), DropReason::Loss, link.to());

  std::uint32_t copy = UINT32_MAX;
  if (link.duplicate()) {
    const SegmentId copy_id = trace.next_segment_id();
    trace.emit(t, trace::SegmentDuplicated{id, copy_id, link.from(), EffectCause::Link});
    copy = alloc(pool[slot].seg, copy_id);  // moves the pool: no Packet& is held across this
    pool[copy].dest = pool[slot].dest;
  }
  const std::uint32_t bytes = pool[slot].seg.wire_size();
  const auto tx_end = link.transmit(t, bytes);
  if (!tx_end) {
    drop(slot, link.from(), DropReason::QueueOverflow, link.to());
    // The queue is still full at this instant, so the copy behind it overflows too.
    if (copy != UINT32_MAX) drop(copy, link.from(), DropReason::QueueOverflow, link.to());
    return;
  }
  const LinkDirection::Propagation prop = link.propagation();
  schedule_arrival(dir, slot, *tx_end, prop);
  if (copy == UINT32_MAX) return;
  const auto copy_end = link.transmit(t, bytes);
  if (!copy_end) return drop(copy, link.from(), DropReason::QueueOverflow, link.to());
  schedule_arrival(dir, copy, *copy_end, prop);
}

void Network::Impl::schedule_arrival(LinkDirId dir, std::uint32_t slot, sim::Time tx_end,
                                     LinkDirection::Propagation prop) {
  Packet& p = pool[slot];
  p.dir = dir;
  if (prop.hold > sim::Duration::zero()) {
    trace.emit(now(), trace::SegmentDelayed{p.id, dirs[dir].from(), EffectCause::Link, trace::kNoRule, prop.hold});
  }
  sched.schedule_at(tx_end + prop.total, [this, slot] { arrive(slot); });
}

// At the far end of a link: the destination takes it, a router forwards it at once.
void Network::Impl::arrive(std::uint32_t slot) {
  const NodeId at = dirs[pool[slot].dir].to();
  if (at == pool[slot].dest) return deliver(slot);
  if (!nodes[at].router) return drop(slot, at, DropReason::NoRoute);  // hosts never forward
  forward(at, slot);
}

void Network::Impl::deliver(std::uint32_t slot) {
  Packet& p = pool[slot];
  const NodeId at = p.dest;
  if (p.seg.corrupted) return drop(slot, at, DropReason::Corrupted);
  trace.emit(now(), trace::SegmentDelivered{p.id, at});
  // Free the slot before calling the receiver: it may send, and sending may grow the pool.
  const Segment seg = std::move(p.seg);
  const SegmentId id = p.id;
  release(slot);
  if (receivers[at]) receivers[at](seg, id);
}

// --- Network ---

Network::Network(sim::Scheduler& sched, trace::Trace& trace, const sim::RandomStreams& streams)
    : impl_(std::make_unique<Impl>(sched, trace, streams)) {}

Network::~Network() = default;

NodeId Network::add_node(const NodeConfig& node) {
  Impl& m = *impl_;
  if (node.name.empty()) throw std::invalid_argument("node: the name must not be empty");
  if (m.by_name.contains(node.name)) throw std::invalid_argument("node " + node.name + ": the name is already used");
  if (!node.router && !node.ip) throw std::invalid_argument("host " + node.name + ": a host needs an IP address");
  if (node.ip && m.by_ip.contains(node.ip->value)) {
    throw std::invalid_argument("node " + node.name + ": address " + node.ip->to_string() + " is already used by " +
                                m.nodes[m.by_ip.at(node.ip->value)].name);
  }
  const auto id = static_cast<NodeId>(m.nodes.size());
  // The trace and the network number nodes alike, so records can carry our NodeId.
  if (m.trace.node_count() != id) throw std::logic_error("Network::add_node: the trace has nodes the network lacks");
  m.trace.add_node(node.name);
  m.topo.add_node(node.router);
  const NodeConfig& stored = m.nodes.emplace_back(node);
  m.receivers.emplace_back();
  m.by_name.emplace(stored.name, id);
  if (node.ip) m.by_ip.emplace(node.ip->value, id);
  return id;
}

void Network::add_link(const LinkConfig& link) {
  Impl& m = *impl_;
  const auto a = find(link.a);
  const auto b = find(link.b);
  if (!a || !b) throw std::invalid_argument("link " + link.a + "-" + link.b + ": unknown node " + (a ? link.b : link.a));
  if (*a == *b) throw std::invalid_argument("link " + link.a + "-" + link.b + ": a link joins two different nodes");
  const std::string ab = link.a + "->" + link.b;
  const std::string ba = link.b + "->" + link.a;
  validate(link.a_to_b, ab);
  validate(link.b_to_a, ba);
  // Stream names must be stable: the n-th link between the same two nodes gets "#n" (n >= 2).
  const std::size_t n = m.topo.links_between(*a, *b) + 1;
  const std::string suffix = n == 1 ? "" : "#" + std::to_string(n);
  m.dirs.emplace_back(*a, *b, m.intern(link.a_to_b), m.streams, ab + suffix);
  m.dirs.emplace_back(*b, *a, m.intern(link.b_to_a), m.streams, ba + suffix);
  m.topo.add_link(*a, *b, link.a_to_b.delay, link.b_to_a.delay);
}

void Network::add_fault(const FaultRule& rule) {
  const std::string what = "fault rule " + std::to_string(impl_->rules.size());
  if (rule.first < 1 || rule.last < rule.first) throw std::invalid_argument(what + ": needs 1 <= first <= last");
  if (rule.delay < sim::Duration::zero()) throw std::invalid_argument(what + ": the delay must not be negative");
  impl_->rules.push_back(rule);
  impl_->rule_matches.push_back(0);
}

void Network::set_receiver(NodeId host, Receiver r) {
  impl_->check_node(host, "set_receiver");
  impl_->receivers[host] = std::move(r);
}

SegmentId Network::send(NodeId from, const Segment& seg, std::string_view cause, bool injected,
                        bool retransmission) {
  return impl_->send(from, seg, cause, injected, retransmission);
}

std::optional<NodeId> Network::find(std::string_view name) const {
  const auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end()) return std::nullopt;
  return it->second;
}

std::optional<NodeId> Network::owner(Ipv4 addr) const {
  const auto it = impl_->by_ip.find(addr.value);
  if (it == impl_->by_ip.end()) return std::nullopt;
  return it->second;
}

const NodeConfig& Network::node(NodeId id) const {
  impl_->check_node(id, "node");
  return impl_->nodes[id];
}

std::size_t Network::node_count() const { return impl_->nodes.size(); }

std::vector<NodeId> Network::path(NodeId from, Ipv4 dst) const {
  impl_->check_node(from, "path");
  const auto dest = owner(dst);
  if (!dest) return {};
  return impl_->topo.path(from, *dest);
}

std::uint64_t Network::fault_matches(std::size_t rule) const { return impl_->rule_matches.at(rule); }

std::size_t Network::in_flight() const { return impl_->pool.size() - impl_->free_slots.size(); }

std::uint64_t Network::route_computations() const { return impl_->topo.dijkstra_runs(); }

}  // namespace tcpsim::net
