#include "sim/diagram/lanes.hpp"

#include <algorithm>
#include <string>
#include <tuple>

namespace tcpsim::diagram::detail {
namespace {

const net::Endpoint kWildcard{};

Lane make_lane(trace::NodeId node, net::Endpoint local, net::Endpoint remote) {
  Lane l;
  l.node = node;
  l.local = local;
  l.remote = remote;
  l.label.text = local == kWildcard ? std::string("-") : local.to_string();
  if (remote != kWildcard) l.label.text += " <> " + remote.to_string();
  l.label.small = true;
  return l;
}

}  // namespace

std::size_t LaneMap::Group::lane(net::Endpoint remote) const {
  const auto it = lane_of_remote.find(remote);
  return it == lane_of_remote.end() ? first_lane : it->second;
}

void LaneMap::see(trace::NodeId node, net::Endpoint local, net::Endpoint remote, bool real) {
  auto [it, fresh] = groups_.try_emplace({node, local});
  Group& g = it->second;
  if (fresh) {
    g.order = order_++;
    g.node = node;
    g.local = local;
  }
  g.real = g.real || real;
  if (remote != kWildcard && g.remote_set.insert(remote).second) g.remotes.push_back(remote);
}

void LaneMap::assign(std::vector<Lane>& lanes) {
  std::set<net::Endpoint> real;
  for (const auto& [key, g] : groups_)
    if (g.real) real.insert(g.local);
  std::vector<Group*> order;
  for (auto& [key, g] : groups_) {
    std::stable_partition(g.remotes.begin(), g.remotes.end(), [&](net::Endpoint r) { return real.contains(r); });
    order.push_back(&g);
  }
  std::sort(order.begin(), order.end(), [](const Group* a, const Group* b) {
    return std::make_tuple(a->node, !a->real, a->order) < std::make_tuple(b->node, !b->real, b->order);
  });
  for (auto first = order.begin(); first != order.end();) {
    const auto last = std::find_if(first, order.end(), [&](const Group* g) { return g->node != (*first)->node; });
    std::vector<Group*> host(first, last);
    assign_host(host, lanes);
    first = last;
  }
}

void LaneMap::assign_host(std::vector<Group*>& groups, std::vector<Lane>& lanes) {
  // A host's calls without an endpoint (no socket yet) go to its first lane with one.
  const bool has_endpoint =
      std::any_of(groups.begin(), groups.end(), [](const Group* g) { return g->local != kWildcard; });
  std::vector<Group*> drawn;
  for (Group* g : groups)
    if (g->local != kWildcard || !has_endpoint) drawn.push_back(g);
  std::size_t needed = 0;
  for (const Group* g : drawn) needed += g->remotes.size() > 1 ? g->remotes.size() : 1;
  const std::size_t room = needed <= kMaxLanesPerHost ? needed : kMaxLanesPerHost - 1;
  std::size_t made = 0, folded = 0, overflow = kNone;
  auto take = [&](const Group& g, net::Endpoint remote) {
    if (made < room) {
      ++made;
      lanes.push_back(make_lane(g.node, g.local, remote));
      return lanes.size() - 1;
    }
    if (overflow == kNone) {
      overflow = lanes.size();
      lanes.push_back(make_lane(g.node, kWildcard, kWildcard));
    }
    ++folded;
    return overflow;
  };
  for (Group* g : drawn) {
    if (g->remotes.size() <= 1) {
      g->first_lane = take(*g, kWildcard);
    } else {
      for (const auto& r : g->remotes) g->lane_of_remote[r] = take(*g, r);
      g->first_lane = g->lane_of_remote[g->remotes.front()];
    }
    by_endpoint_.try_emplace(g->local, g);
  }
  if (overflow != kNone) {
    lanes[overflow].folded = folded;
    lanes[overflow].label.text = std::to_string(folded) + " more endpoints";
  }
  for (Group* g : groups)
    if (g->first_lane == kNone && !drawn.empty()) g->first_lane = drawn.front()->first_lane;
}

std::size_t LaneMap::lane(trace::NodeId node, net::Endpoint local, net::Endpoint remote) const {
  const auto it = groups_.find({node, local});
  return it == groups_.end() ? kNone : it->second.lane(remote);
}

std::size_t LaneMap::receiver(net::Endpoint dst, net::Endpoint src) const {
  const auto it = by_endpoint_.find(dst);
  return it == by_endpoint_.end() ? kNone : it->second->lane(src);
}

}  // namespace tcpsim::diagram::detail
