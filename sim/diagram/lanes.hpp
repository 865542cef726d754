// Which lane each (host, local endpoint, remote endpoint) is drawn on (internal to build_layout).
//
// One lane per endpoint host:port, in host order, a host's real TCP endpoints first (those
// that send segments of their own or have connection records), then first appearance. A local
// endpoint talking to several remotes (a server port) gets a sub-column per connection, real
// peers first, and, when it listens, a lane of its own for the listening socket
// ("10.0.0.2:80 listen") that its children's sub-columns follow.
//
// A host that would need more than kMaxLanesPerHost lanes draws its endpoints by address range
// (the /24 of the address): the spoofed sources of a flood become one lane "198.51.100.x ×40"
// (the count of distinct addresses), a listener's children from one range one lane
// "10.0.0.2:80 <> 198.51.100.x ×40", a host's many ports one lane "10.0.0.1:* ×1000". A range
// of one endpoint keeps its own lane, and so does the listening socket. Each group lane has a
// key (Lane::group, "<node>/<range>"); a key in Options::expand draws that group one lane per
// member. Past kMaxGroupLanes lanes (many ranges, nothing expanded) the rest share one last lane,
// labelled with their number.
//
// With more than kMaxHosts hosts, the hosts that each have one endpoint (a population of
// clients) share one lane per address range: "10.64.0.x ×256", key "hosts/<range>" (expandable
// likewise into one lane per host); a host alone in its range keeps its own lane.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/diagram/layout.hpp"

namespace tcpsim::diagram::detail {

inline constexpr std::size_t kMaxLanesPerHost = 4;
inline constexpr std::size_t kMaxGroupLanes = 8;
inline constexpr std::size_t kMaxHosts = 8;

class LaneMap {
 public:
  // Something happened on `local` of `node`, with `remote` (wildcard: no peer). `real`: it came
  // from the host's TCP (not a segment injected by the scenario).
  void see(trace::NodeId node, net::Endpoint local, net::Endpoint remote, bool real);
  // `local` of `node` is a listening socket (it entered LISTEN without a peer).
  void listens(trace::NodeId node, net::Endpoint local);
  // Creates the lanes (x left at 0), the groups whose key is in `expand` one lane per member.
  void assign(std::vector<Lane>& lanes, const std::set<std::string>& expand = {});

  std::size_t lane(trace::NodeId node, net::Endpoint local, net::Endpoint remote) const;
  // The lane that would receive a segment for `dst` from `src` (any host), for lost segments.
  std::size_t receiver(net::Endpoint dst, net::Endpoint src) const;

 private:
  struct Group {
    trace::NodeId node = trace::kNoNode;
    net::Endpoint local;
    std::size_t order = 0;
    bool real = false;
    bool listener = false;
    std::vector<net::Endpoint> remotes;
    std::set<net::Endpoint> remote_set;
    std::map<net::Endpoint, std::size_t> lane_of_remote;
    std::size_t first_lane = kNone;
    std::size_t lane(net::Endpoint remote) const;
  };
  // One would-be lane: the endpoint itself (remote wildcard) or one connection of it.
  struct Item {
    Group* group;
    net::Endpoint remote;
    bool real;
  };
  // The host's one endpoint (no listener, at most one peer), nullptr if it has more or none.
  static const Group* single_endpoint(const std::vector<Group*>& host);
  void assign_host(std::vector<Group*>& groups, std::vector<Lane>& lanes, const std::set<std::string>& expand);

  std::map<std::pair<trace::NodeId, net::Endpoint>, Group> groups_;
  std::map<net::Endpoint, Group*> by_endpoint_;
  std::set<net::Endpoint> real_;  // endpoints a TCP speaks from
  std::size_t order_ = 0;
};

}  // namespace tcpsim::diagram::detail
