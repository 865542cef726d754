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

// "198.51.100.x": the /24 an address belongs to.
std::string range_of(net::Ipv4 ip) {
  const std::string dotted = ip.to_string();
  return dotted.substr(0, dotted.rfind('.') + 1) + "x";
}

// "198.51.100.x ×40" (distinct addresses) or, all on one address, "10.0.0.1:* ×1000" (ports).
std::string range_label(const std::vector<net::Endpoint>& members) {
  std::set<net::Ipv4> ips;
  std::set<net::Endpoint> endpoints;
  for (const auto& e : members) {
    ips.insert(e.ip);
    endpoints.insert(e);
  }
  if (ips.size() > 1) return range_of(*ips.begin()) + " \u00d7" + std::to_string(ips.size());
  return ips.begin()->to_string() + ":* \u00d7" + std::to_string(endpoints.size());
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

void LaneMap::listens(trace::NodeId node, net::Endpoint local) {
  see(node, local, kWildcard, true);
  groups_[{node, local}].listener = true;
}

void LaneMap::assign(std::vector<Lane>& lanes, const std::set<std::string>& expand) {
  for (const auto& [key, g] : groups_)
    if (g.real) real_.insert(g.local);
  std::vector<Group*> order;
  for (auto& [key, g] : groups_) {
    std::stable_partition(g.remotes.begin(), g.remotes.end(), [&](net::Endpoint r) { return real_.contains(r); });
    order.push_back(&g);
  }
  std::sort(order.begin(), order.end(), [](const Group* a, const Group* b) {
    return std::make_tuple(a->node, !a->real, a->order) < std::make_tuple(b->node, !b->real, b->order);
  });
  std::vector<std::vector<Group*>> hosts;
  for (auto first = order.begin(); first != order.end();) {
    const auto last = std::find_if(first, order.end(), [&](const Group* g) { return g->node != (*first)->node; });
    hosts.emplace_back(first, last);
    first = last;
  }
  // Many hosts of one endpoint each (a client population): the hosts of one address range share
  // a lane, unless that range is expanded.
  std::map<std::string, std::vector<std::size_t>> range_hosts;
  std::vector<std::string> range(hosts.size());
  if (hosts.size() > kMaxHosts) {
    for (std::size_t h = 0; h < hosts.size(); ++h)
      if (const Group* g = single_endpoint(hosts[h])) {
        range[h] = range_of(g->local.ip);
        range_hosts[range[h]].push_back(h);
      }
  }
  std::vector<bool> done(hosts.size());
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    if (done[h]) continue;
    const auto members = range[h].empty() ? nullptr : &range_hosts[range[h]];
    if (members == nullptr || members->size() < 2) {
      assign_host(hosts[h], lanes, expand);
      continue;
    }
    const std::string key = "hosts/" + range[h];
    if (expand.contains(key)) {  // one lane per host, each carrying the key that folds them again
      for (std::size_t m : *members) {
        const std::size_t from = lanes.size();
        assign_host(hosts[m], lanes, expand);
        for (std::size_t k = from; k < lanes.size(); ++k) lanes[k].group = key;
        done[m] = true;
      }
      continue;
    }
    std::vector<net::Endpoint> endpoints;
    for (std::size_t m : *members) endpoints.push_back(single_endpoint(hosts[m])->local);
    Lane l = make_lane(hosts[h].front()->node, kWildcard, kWildcard);
    l.label.text = range_label(endpoints);
    l.group = key;
    l.members = members->size();
    l.last_node = hosts[members->back()].front()->node;
    for (std::size_t m : *members) {
      for (Group* g : hosts[m]) {
        g->first_lane = lanes.size();
        if (g->local != kWildcard) by_endpoint_.try_emplace(g->local, g);
      }
      done[m] = true;
    }
    lanes.push_back(std::move(l));
  }
}

const LaneMap::Group* LaneMap::single_endpoint(const std::vector<Group*>& host) {
  const Group* only = nullptr;
  for (const Group* g : host) {
    if (g->local == kWildcard) continue;
    if (only != nullptr || g->listener || g->remotes.size() > 1) return nullptr;
    only = g;
  }
  return only;
}

void LaneMap::assign_host(std::vector<Group*>& groups, std::vector<Lane>& lanes, const std::set<std::string>& expand) {
  // A host's calls without an endpoint (no socket yet) go to its first lane with one.
  const bool has_endpoint =
      std::any_of(groups.begin(), groups.end(), [](const Group* g) { return g->local != kWildcard; });
  std::vector<Group*> drawn;
  for (Group* g : groups)
    if (g->local != kWildcard || !has_endpoint) drawn.push_back(g);

  std::vector<Item> items;
  for (Group* g : drawn) {
    if (g->remotes.size() <= 1) {
      items.push_back({g, kWildcard, g->real});
      continue;
    }
    if (g->listener) items.push_back({g, kWildcard, true});
    for (const auto& r : g->remotes) items.push_back({g, r, real_.contains(r)});
  }

  // The lanes to make, each one or more items: one per item, or, on a crowded host, one per
  // address range (the listening socket and a range of one keep their own lane).
  struct Unit {
    std::vector<Item> items;
    std::string key;  // "<node>/<range>", empty for a lane of one item
  };
  std::vector<Unit> units;
  if (items.size() <= kMaxLanesPerHost) {
    for (const auto& it : items) units.push_back({{it}, {}});
  } else {
    std::map<std::string, std::size_t> unit_of;
    for (const auto& it : items) {
      if (it.remote == kWildcard && it.group->listener) {
        units.push_back({{it}, {}});
        continue;
      }
      const std::string range = it.remote == kWildcard ? range_of(it.group->local.ip)
                                                       : it.group->local.to_string() + " <> " + range_of(it.remote.ip);
      const std::string key = std::to_string(it.group->node) + "/" + range;
      const auto [u, fresh] = unit_of.try_emplace(key, units.size());
      if (fresh) units.push_back({{}, key});
      units[u->second].items.push_back(it);
    }
    std::vector<Unit> split;
    for (auto& u : units) {
      if (u.items.size() == 1) {
        split.push_back({u.items, {}});
      } else if (expand.contains(u.key)) {
        for (const auto& it : u.items) split.push_back({{it}, u.key});  // the key folds it again
      } else {
        split.push_back(std::move(u));
      }
    }
    units = std::move(split);
  }

  const bool expanded = std::any_of(expand.begin(), expand.end(), [&](const std::string& k) {
    return !groups.empty() && k.starts_with(std::to_string(groups.front()->node) + "/");
  });
  const std::size_t cap = units.size() <= kMaxLanesPerHost ? units.size() : kMaxGroupLanes;
  const std::size_t room = expanded || units.size() <= cap ? units.size() : cap - 1;
  std::size_t folded = 0, overflow = kNone;
  for (std::size_t u = 0; u < units.size(); ++u) {
    const Unit& unit = units[u];
    std::size_t at = lanes.size();
    if (u < room) {
      const Item& first = unit.items.front();
      if (unit.items.size() == 1) {
        lanes.push_back(make_lane(first.group->node, first.group->local, first.remote));
        if (first.remote == kWildcard && first.group->listener && first.group->remotes.size() > 1)
          lanes.back().label.text += " listen";
        lanes.back().group = unit.key;
      } else {
        std::vector<net::Endpoint> members;
        for (const auto& it : unit.items) members.push_back(it.remote == kWildcard ? it.group->local : it.remote);
        const bool children = first.remote != kWildcard;
        Lane l = make_lane(first.group->node, children ? first.group->local : kWildcard, kWildcard);
        l.label.text = (children ? first.group->local.to_string() + " <> " : std::string()) + range_label(members);
        l.group = unit.key;
        l.members = unit.items.size();
        lanes.push_back(std::move(l));
      }
    } else {
      if (overflow == kNone) {
        overflow = lanes.size();
        lanes.push_back(make_lane(unit.items.front().group->node, kWildcard, kWildcard));
      }
      at = overflow;
      folded += unit.items.size();
    }
    for (const auto& it : unit.items) {
      if (it.remote == kWildcard) it.group->first_lane = at;
      else it.group->lane_of_remote[it.remote] = at;
    }
  }
  if (overflow != kNone) {
    lanes[overflow].folded = folded;
    lanes[overflow].label.text = std::to_string(folded) + " more endpoints";
  }
  for (Group* g : drawn) {
    if (g->first_lane == kNone && !g->remotes.empty()) g->first_lane = g->lane_of_remote[g->remotes.front()];
    by_endpoint_.try_emplace(g->local, g);
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
