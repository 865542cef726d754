#include "models/net/routing.hpp"

#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/property_map/property_map.hpp>
#include <utility>

namespace tcpsim::net {
namespace {

RouteCost combine(const RouteCost& a, const RouteCost& b) {
  if (a.delay_ns > INT64_MAX - b.delay_ns || a.hops > UINT32_MAX - b.hops) return RouteCost::inf();
  return {a.delay_ns + b.delay_ns, a.hops + b.hops};
}

}  // namespace

trace::NodeId Topology::add_node(bool router) {
  const auto v = boost::add_vertex(g_);
  router_.push_back(router);
  tables_.emplace_back();
  if (have_tables_) drop_tables();
  return static_cast<trace::NodeId>(v);
}

void Topology::add_link(trace::NodeId a, trace::NodeId b, sim::Duration delay_ab, sim::Duration delay_ba) {
  const auto base = static_cast<LinkDirId>(ends_.size());
  boost::add_edge(a, b, Edge{{delay_ab.count(), 1}, base}, g_);
  boost::add_edge(b, a, Edge{{delay_ba.count(), 1}, base + 1}, g_);
  ends_.push_back({a, b});
  ends_.push_back({b, a});
  if (have_tables_) drop_tables();
}

std::size_t Topology::links_between(trace::NodeId a, trace::NodeId b) const {
  // Every link has an edge each way, so counting a's edges to b counts the links.
  if (boost::out_degree(b, g_) < boost::out_degree(a, g_)) std::swap(a, b);
  std::size_t n = 0;
  for (auto [it, end] = boost::out_edges(a, g_); it != end; ++it) n += boost::target(*it, g_) == b ? 1 : 0;
  return n;
}

void Topology::drop_tables() const {
  for (auto& t : tables_) t.reset();
  have_tables_ = false;
}

LinkDirId Topology::single_link(trace::NodeId n) const {
  if (router_[n] || boost::out_degree(n, g_) != 1) return kNoLink;
  return g_[*boost::out_edges(n, g_).first].dir;
}

const Topology::Table& Topology::table(trace::NodeId from) const {
  auto& t = tables_[from];
  if (!t) {
    t = std::make_unique<Table>(compute(from));
    have_tables_ = true;
  }
  return *t;
}

LinkDirId Topology::next_hop(trace::NodeId at, trace::NodeId dest) const {
  const LinkDirId only = single_link(at);
  if (only != kNoLink) return only;
  return table(at)[dest];
}

bool Topology::reachable(trace::NodeId from, trace::NodeId dest) const {
  if (from == dest) return true;
  const LinkDirId only = single_link(from);
  if (only == kNoLink) return table(from)[dest] != kNoLink;
  const trace::NodeId next = far_end(only);
  if (next == dest) return true;
  return router_[next] && table(next)[dest] != kNoLink;  // a host beyond the link would not forward
}

std::vector<trace::NodeId> Topology::path(trace::NodeId from, trace::NodeId dest) const {
  std::vector<trace::NodeId> nodes;
  if (!reachable(from, dest)) return nodes;
  nodes.push_back(from);
  for (trace::NodeId at = from; at != dest;) {
    const LinkDirId dir = next_hop(at, dest);
    if (dir == kNoLink || nodes.size() > node_count()) return {};  // cannot happen: tables agree
    at = far_end(dir);
    nodes.push_back(at);
  }
  return nodes;
}

namespace {

// Keeps the out-edges of routers and of the source: hosts other than the source do not forward.
template <class Graph>
struct ForwardingEdges {
  const Graph* g = nullptr;
  const std::vector<bool>* router = nullptr;
  trace::NodeId src = 0;
  bool operator()(typename boost::graph_traits<Graph>::edge_descriptor e) const {
    const auto u = static_cast<trace::NodeId>(boost::source(e, *g));
    return u == src || (*router)[u];
  }
};

// Dijkstra's events, used for the tie-break and to fill the table as nodes are settled:
//  * an edge that improves a node's cost makes its link the node's way in;
//  * an edge that ties with the node's cost replaces the way in if its link was added earlier
//    (every edge into a node is examined before the node is settled, so the lowest wins);
//  * when a node is settled its way in is final and its predecessor is already settled, so its
//    first link is the predecessor's (or the way in itself if the predecessor is the source).
template <class Graph>
struct TieBreakVisitor : boost::default_dijkstra_visitor {
  struct WayIn {
    LinkDirId dir = kNoLink;
    trace::NodeId from = 0;
  };
  const Graph* g = nullptr;
  trace::NodeId src = 0;
  const std::vector<RouteCost>* dist = nullptr;
  std::vector<WayIn>* way_in = nullptr;
  std::vector<LinkDirId>* first = nullptr;

  template <class E, class G>
  void edge_relaxed(E e, const G&) const {
    (*way_in)[boost::target(e, *g)] = {(*g)[e].dir, static_cast<trace::NodeId>(boost::source(e, *g))};
  }
  template <class E, class G>
  void edge_not_relaxed(E e, const G&) const {
    const auto u = boost::source(e, *g);
    const auto v = boost::target(e, *g);
    const LinkDirId dir = (*g)[e].dir;
    if (dir < (*way_in)[v].dir && combine((*dist)[u], (*g)[e].cost) == (*dist)[v]) {
      (*way_in)[v] = {dir, static_cast<trace::NodeId>(u)};
    }
  }
  template <class V, class G>
  void examine_vertex(V v, const G&) const {
    if (v == src) return;
    const WayIn& in = (*way_in)[v];
    (*first)[v] = in.from == src ? in.dir : (*first)[in.from];
  }
};

}  // namespace

Topology::Table Topology::compute(trace::NodeId from) const {
  ++dijkstra_runs_;
  const std::size_t n = node_count();
  std::vector<RouteCost> dist(n, RouteCost::inf());
  using Visitor = TieBreakVisitor<Graph>;
  std::vector<Visitor::WayIn> way_in(n);
  Table first(n, kNoLink);

  using Pred = ForwardingEdges<Graph>;
  boost::filtered_graph<Graph, Pred> fg(g_, Pred{&g_, &router_, from});
  Visitor vis;
  vis.g = &g_;
  vis.src = from;
  vis.dist = &dist;
  vis.way_in = &way_in;
  vis.first = &first;

  const auto index = boost::get(boost::vertex_index, g_);
  boost::dijkstra_shortest_paths(
      fg, boost::vertex(from, g_),
      boost::weight_map(boost::get(&Edge::cost, g_))
          .distance_map(boost::make_iterator_property_map(dist.begin(), index))
          .distance_compare([](const RouteCost& a, const RouteCost& b) { return a < b; })
          .distance_combine([](const RouteCost& a, const RouteCost& b) { return combine(a, b); })
          .distance_inf(RouteCost::inf())
          .distance_zero(RouteCost{})
          .visitor(vis));
  return first;
}

}  // namespace tcpsim::net
