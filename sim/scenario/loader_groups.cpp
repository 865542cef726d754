// The "groups" section: N hosts alike, e.g. the clients of a load test.
//
//   {"name": "c", "count": 100000, "ip": "10.64.0.1",
//    "link": {"to": "server", "delay": "10ms", "bandwidth": "100Mbps"},
//    "app": {"steps": [{"at": "0s", "do": "connect", "to": "server:80"}, ...]},
//    "start_spread": "1s"}
//
// Members are named c1 .. cN with consecutive addresses; their names and addresses must not
// clash with any other node's. The group is kept as one HostGroup (scenario.hpp).

#include <limits>

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {

void read_groups(Object& top, Scenario& out, NodeTable& table, const TcpDefaults& tcp) {
  Reader& r = top.reader();
  const Json* list = top.get("groups");
  if (list == nullptr) return;
  const std::string list_pointer = top.ptr("groups");
  if (r.array(*list, list_pointer, "host groups") == nullptr) return;
  static const Names kFields{"name", "count", "ip", "link", "profile", "tcp", "ephemeral_ports", "app", "start_spread"};
  static const Names kLinkFields{"to",   "delay",     "jitter",  "bandwidth",    "queue",
                                 "loss", "duplicate", "reorder", "reorder_delay"};
  constexpr std::uint64_t kMaxCount = 10'000'000;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = list_pointer + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields,
             "a host group like {\"name\": \"c\", \"count\": 100, \"ip\": \"10.1.0.1\", \"link\": {\"to\": \"server\"}}");
    if (!o.valid()) continue;
    const std::size_t errors = r.errors().count();
    HostGroup g;
    if (const auto n = o.string("name")) g.name = *n;
    if (!o.get("name")) o.require("name", "the members' name prefix, e.g. \"c\" for c1, c2, ...");
    if (const Json* c = o.require("count", "how many hosts, 1..10000000"))
      if (const auto n = r.integer(*c, o.ptr("count"), 1, kMaxCount)) g.count = static_cast<std::uint32_t>(*n);
    if (const Json* a = o.require("ip", "the first member's address; the others follow"))
      if (const auto ip = r.ip(*a, o.ptr("ip"))) g.first_ip = *ip;
    if (g.count > 0 && std::uint64_t{g.first_ip.value} + g.count - 1 > std::numeric_limits<std::uint32_t>::max())
      r.error(o.ptr("count"), std::to_string(g.count) + " addresses from " + g.first_ip.to_string() +
                                  " run past 255.255.255.255");
    // Names and addresses of members must be new.
    if (!g.name.empty() && g.count > 0 && r.errors().count() == errors) {
      for (const auto& [name, entry] : table.by_name) {
        if (name.size() <= g.name.size() || name.compare(0, g.name.size(), g.name) != 0) continue;
        const std::string rest = name.substr(g.name.size());
        if (rest.size() > 8 || rest.find_first_not_of("0123456789") != std::string::npos || rest[0] == '0') continue;
        if (std::stoul(rest) <= g.count) {
          r.error(o.ptr("name"), "member " + quote(name) + " of group " + quote(g.name) + " would clash with the node at " +
                                     entry.pointer);
          break;
        }
      }
      const std::uint32_t last = g.first_ip.value + (g.count - 1);
      for (const HostGroup& other : out.groups) {
        const std::uint32_t other_last = other.first_ip.value + (other.count - 1);
        if (g.first_ip.value <= other_last && other.first_ip.value <= last) {
          r.error(o.ptr("ip"), "the group's addresses overlap those of group " + quote(other.name) + " (" +
                                   other.first_ip.to_string() + " .. " + net::Ipv4{other_last}.to_string() + ")");
          break;
        }
      }
      const auto lo = table.by_ip.lower_bound(g.first_ip.value);
      if (lo != table.by_ip.end() && lo->first <= g.first_ip.value + (g.count - 1))
        r.error(o.ptr("ip"), "the group's addresses " + g.first_ip.to_string() + " .. " +
                                 net::Ipv4{g.first_ip.value + (g.count - 1)}.to_string() + " include " +
                                 net::Ipv4{lo->first}.to_string() + " of node " + quote(lo->second));
    }
    if (const Json* l = o.require("link", "the link every member has, e.g. {\"to\": \"server\", \"delay\": \"10ms\"}")) {
      Object lo(r, *l, o.ptr("link"), kLinkFields, "an object like {\"to\": \"server\", \"delay\": \"10ms\"}");
      if (lo.valid()) {
        if (const Json* to = lo.require("to", "the node each member is linked to"))
          if (const auto n = table.node_name(r, *to, lo.ptr("to"))) g.link_to = *n;
        read_link_params(lo, g.link);
      }
    }
    read_host_tcp(o, tcp, g.tcp);
    if (const Json* a = o.get("app")) {
      static const Names kAppFields{"auto_accept", "auto_receive", "steps"};
      Object ao(r, *a, o.ptr("app"), kAppFields, "an app object like {\"steps\": [...]}");
      app::Script script;
      if (ao.valid() && read_script(ao, table, script)) g.script = std::make_shared<const app::Script>(std::move(script));
      if (!g.tcp.enabled) r.error(o.ptr("app"), "the group has \"tcp\": false, so no app can run on it");
    }
    if (const auto d = o.duration("start_spread", kTimeOfRun)) g.start_spread = *d;
    if (r.errors().count() != errors) continue;
    table.groups.emplace_back(g.name, g.count);
    out.groups.push_back(std::move(g));
  }
}

bool NodeTable::is_group_member(std::string_view name) const {
  for (const auto& [prefix, count] : groups) {
    if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = name.substr(prefix.size());
    if (rest.size() > 8 || rest[0] == '0' || rest.find_first_not_of("0123456789") != std::string_view::npos) continue;
    if (std::stoul(std::string(rest)) <= count) return true;
  }
  return false;
}

}  // namespace tcpsim::scenario::detail
