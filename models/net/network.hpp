// The network: nodes (hosts and routers) joined by links, routing over a Boost.Graph topology,
// fault rules, and the accounting of every segment in the trace.
//
// Path of one segment:
//   send(from, seg)            -> trace "send" (new SegmentId)
//     fault rules, in order    -> drop / delay / duplicate (new id for the copy) / corrupt
//     route lookup             -> "no route" drop if no host owns seg.dst or no path leads there
//     per hop: link direction  -> loss model, duplication, reordering, jitter, serialization
//                                 behind a drop-tail queue, propagation delay
//     at a router              -> forwarded on its next hop (no processing delay)
//     at the destination host  -> "bad checksum" drop if corrupted, else trace "deliver" and the
//                                 host's receiver is called
// Hosts never forward: routes transit routers only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/net/config.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/scheduler.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::net {

using trace::NodeId;
using trace::SegmentId;

class Network {
 public:
  // Called when a segment is delivered to a host (after the "deliver" record).
  using Receiver = std::function<void(const Segment&, SegmentId)>;

  Network(sim::Scheduler& sched, trace::Trace& trace, const sim::RandomStreams& streams);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Building. Names are unique; a host has an IP; IPs are unique. Throws std::invalid_argument
  // on a violation (the scenario loader has already reported these to the user).
  NodeId add_node(const NodeConfig& node);
  void add_link(const LinkConfig& link);
  void add_fault(const FaultRule& rule);

  void set_receiver(NodeId host, Receiver r);

  // A segment leaves host `from`. Returns its id. `cause` is recorded with it (TCP's rule);
  // `injected` marks segments crafted by the scenario (`from` need not own seg.src).
  // `retransmission`: the sender's TCP sends this segment again (its own fact, recorded as is).
  SegmentId send(NodeId from, const Segment& seg, std::string_view cause = {}, bool injected = false,
                 bool retransmission = false);

  std::optional<NodeId> find(std::string_view name) const;
  std::optional<NodeId> owner(Ipv4 addr) const;  // the host or router with this address
  const NodeConfig& node(NodeId id) const;
  std::size_t node_count() const;
  // The nodes a segment from `from` to `dst` crosses, `from` first and the owner of `dst` last;
  // empty if there is no route. Shortest by total propagation delay (ties: fewest hops, then
  // the order links were added).
  std::vector<NodeId> path(NodeId from, Ipv4 dst) const;
  // How many segments have matched each fault rule so far (for tests and summaries).
  std::uint64_t fault_matches(std::size_t rule) const;
  // Segments the network holds right now (on links, or held back by a fault rule's delay);
  // equals trace.segments().in_flight().
  std::size_t in_flight() const;
  // Dijkstra runs done so far (routes are computed lazily, once per source node; a host with a
  // single link needs none).
  std::uint64_t route_computations() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpsim::net
