// Which lane each (host, local endpoint, remote endpoint) is drawn on (internal to build_layout).
//
// One lane per endpoint host:port, in host order, a host's real TCP endpoints first (those
// that send segments of their own or have connection records), then first appearance. A local
// endpoint talking to several remotes (a server port) gets a sub-column per connection, real
// peers first. A host never gets more than kMaxLanesPerHost lanes: past that, the rest (spoofed
// sources of a flood, the children they make) share one last lane, labelled with their number.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "sim/diagram/layout.hpp"

namespace tcpsim::diagram::detail {

inline constexpr std::size_t kMaxLanesPerHost = 4;

class LaneMap {
 public:
  // Something happened on `local` of `node`, with `remote` (wildcard: no peer). `real`: it came
  // from the host's TCP (not a segment injected by the scenario).
  void see(trace::NodeId node, net::Endpoint local, net::Endpoint remote, bool real);
  // Creates the lanes (x left at 0).
  void assign(std::vector<Lane>& lanes);

  std::size_t lane(trace::NodeId node, net::Endpoint local, net::Endpoint remote) const;
  // The lane that would receive a segment for `dst` from `src` (any host), for lost segments.
  std::size_t receiver(net::Endpoint dst, net::Endpoint src) const;

 private:
  struct Group {
    trace::NodeId node = trace::kNoNode;
    net::Endpoint local;
    std::size_t order = 0;
    bool real = false;
    std::vector<net::Endpoint> remotes;
    std::set<net::Endpoint> remote_set;
    std::map<net::Endpoint, std::size_t> lane_of_remote;
    std::size_t first_lane = kNone;
    std::size_t lane(net::Endpoint remote) const;
  };
  void assign_host(std::vector<Group*>& groups, std::vector<Lane>& lanes);

  std::map<std::pair<trace::NodeId, net::Endpoint>, Group> groups_;
  std::map<net::Endpoint, Group*> by_endpoint_;
  std::size_t order_ = 0;
};

}  // namespace tcpsim::diagram::detail
