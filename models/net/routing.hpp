// The topology graph and the routes over it.
//
// Nodes are Boost.Graph vertices (same index as the NodeId); every link adds two directed edges,
// one per direction, each carrying the index of its LinkDirection (2 * link + 0 for a -> b,
// 2 * link + 1 for b -> a) and its cost.
//
// Route choice. The cost of a path is the pair (total propagation delay, hop count), compared
// lexicographically: the lowest delay wins, and among equal delays the fewest hops. Among paths
// equal in both, the one whose last link was added first wins, then the one whose next-to-last
// link was added first, and so on back to the source. (Dijkstra keeps, for every node, the
// lowest-numbered link among the equally good ways into it.) This rule has the property that
// hop-by-hop forwarding from each router's own table follows exactly the path the source's
// table describes, so path() is what the segments really take.
//
// Hosts never forward: when routing from a node, the out-edges of every host other than that
// node are ignored (a filtered_graph), so paths transit routers only.
//
// Tables are computed lazily and cached. A host with exactly one link needs no table: every
// segment it sends leaves on that link (this keeps a million-client star cheap). Any other node
// gets a table on first use: one Dijkstra run from it, reduced to "first link on the way to each
// destination" (4 bytes per node). Adding a node or a link drops every table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/kernel/time.hpp"
#include "sim/trace/record.hpp"

namespace tcpsim::net {

using LinkDirId = std::uint32_t;
inline constexpr LinkDirId kNoLink = UINT32_MAX;

// The routing metric: (delay, hops), compared lexicographically. Addition saturates at inf().
struct RouteCost {
  std::int64_t delay_ns = 0;
  std::uint32_t hops = 0;

  static RouteCost inf() { return {INT64_MAX, UINT32_MAX}; }
  auto operator<=>(const RouteCost&) const = default;
};

class Topology {
 public:
  // Adds a vertex; returns its index (the caller's NodeId).
  trace::NodeId add_node(bool router);
  // Adds the two directed edges of a link between a and b with the given one-way delays.
  // The directions get the ids 2 * link + 0 (a -> b) and 2 * link + 1 (b -> a), where link
  // counts the links added so far.
  void add_link(trace::NodeId a, trace::NodeId b, sim::Duration delay_ab, sim::Duration delay_ba);

  std::size_t node_count() const { return router_.size(); }
  std::size_t link_count() const { return ends_.size() / 2; }
  trace::NodeId far_end(LinkDirId dir) const { return ends_[dir].to; }
  // How many links join a and b (O(smaller degree)).
  std::size_t links_between(trace::NodeId a, trace::NodeId b) const;

  // The link direction a segment at `at`, headed for node `dest` (!= at), leaves on, or
  // kNoLink if there is no route. For a host with a single link this is that link, whatever
  // lies beyond it: check reachable() at the source.
  LinkDirId next_hop(trace::NodeId at, trace::NodeId dest) const;
  // Whether a route from `from` to `dest` exists (true if from == dest).
  bool reachable(trace::NodeId from, trace::NodeId dest) const;
  // The nodes on the route, `from` first and `dest` last; empty if unreachable.
  std::vector<trace::NodeId> path(trace::NodeId from, trace::NodeId dest) const;
  // How many Dijkstra runs the cache has done (tests check the single-link shortcut).
  std::uint64_t dijkstra_runs() const { return dijkstra_runs_; }

 private:
  struct Edge {
    RouteCost cost;
    LinkDirId dir = kNoLink;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, Edge>;
  struct Ends {
    trace::NodeId from;
    trace::NodeId to;
  };
  // first_link[d]: the link leaving the table's node on the route to d (kNoLink: unreachable).
  using Table = std::vector<LinkDirId>;

  const Table& table(trace::NodeId from) const;
  Table compute(trace::NodeId from) const;
  // The only link of a host with exactly one, else kNoLink.
  LinkDirId single_link(trace::NodeId n) const;
  void drop_tables() const;

  Graph g_;
  std::vector<bool> router_;
  std::vector<Ends> ends_;  // by LinkDirId
  mutable std::vector<std::unique_ptr<Table>> tables_;  // by NodeId, null until first use
  mutable bool have_tables_ = false;  // so that building a big topology does not sweep tables_
  mutable std::uint64_t dijkstra_runs_ = 0;
};

}  // namespace tcpsim::net
