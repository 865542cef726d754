// The "groups" section: N hosts alike, e.g. the clients of a load test.
//
//   {"name": "c", "count": 100000, "ip": "10.64.0.1",
//    "link": {"to": "server", "delay": "10ms", "bandwidth": "100Mbps"},
//    "app": {"steps": [{"at": "0s", "do": "connect", "to": "server:80"}, ...]},
//    "start_spread": "1s"}
//
// Members are named c1 .. cN with consecutive addresses; their names and addresses must not
// clash with any other node's. The group is kept as one HostGroup (scenario.hpp).

#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

// n >= 1 written without leading zeros, if `digits` is that (at most 8 digits).
std::optional<std::uint32_t> member_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 8 || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::uint32_t n = 0;
  for (char c : digits) n = n * 10 + static_cast<std::uint32_t>(c - '0');
  return n;
}

// The first name that is a member of both groups ("c11" of c1..c20 and c1..c5), if any. A name
// is a member of both only if one prefix starts with the other followed by digits: prefix "c"
// and "c1" share c1<j> = c<1j>, the smallest being c11.
std::optional<std::string> shared_member(const std::string& a, std::uint32_t a_count, const std::string& b,
                                         std::uint32_t b_count) {
  const bool a_shorter = a.size() <= b.size();
  const std::string& shorter = a_shorter ? a : b;
  const std::string& longer = a_shorter ? b : a;
  const std::uint32_t shorter_count = a_shorter ? a_count : b_count;
  if (longer.compare(0, shorter.size(), shorter) != 0) return std::nullopt;
  if (longer.size() == shorter.size()) return shorter + "1";  // the same prefix
  const auto n = member_number(std::string_view(longer).substr(shorter.size()));
  if (!n || std::uint64_t{*n} * 10 + 1 > shorter_count) return std::nullopt;
  return longer + "1";
}

// The groups accepted so far, indexed so that each new group is checked in O(log n) rather
// than against every earlier group.
struct Accepted {
  std::map<std::string, std::size_t, std::less<>> by_name;  // -> index in Scenario::groups
  std::map<std::uint32_t, std::size_t> by_first_ip;
};

// An accepted group that shares a member name with `g`, if any. Only groups whose name is a
// prefix of g's, or starts with g's name and a digit, can.
std::optional<std::size_t> clashing_group(const Accepted& accepted, const std::vector<HostGroup>& groups,
                                          const HostGroup& g) {
  for (std::size_t n = 1; n <= g.name.size(); ++n)
    if (const auto it = accepted.by_name.find(std::string_view(g.name).substr(0, n)); it != accepted.by_name.end())
      if (shared_member(g.name, g.count, groups[it->second].name, groups[it->second].count)) return it->second;
  for (auto it = accepted.by_name.lower_bound(g.name + "1"); it != accepted.by_name.end() && it->first < g.name + ":"; ++it)
    if (shared_member(g.name, g.count, groups[it->second].name, groups[it->second].count)) return it->second;
  return std::nullopt;
}

// For each group name seen, the node named <name><n> with the smallest n (nullptr if none):
// computed once per name, so that repeated names do not scan the nodes again.
using MemberNodes = std::map<std::string, std::pair<std::uint32_t, const NodeTable::Entry*>, std::less<>>;

// The node whose name is a member name of `g`, if any.
const NodeTable::Entry* first_member_node(const NodeTable& table, MemberNodes& cache, const HostGroup& g) {
  auto [cached, fresh] = cache.try_emplace(g.name, std::uint32_t{0}, nullptr);
  if (fresh) {
    // Member names are the prefix, a digit 1-9, then digits: names in ["<name>1", "<name>:").
    const std::string end = g.name + ":";
    for (auto it = table.by_name.lower_bound(g.name + "1"); it != table.by_name.end() && it->first < end; ++it) {
      const auto n = member_number(std::string_view(it->first).substr(g.name.size()));
      if (n && (cached->second.second == nullptr || *n < cached->second.first)) cached->second = {*n, &it->second};
    }
  }
  const auto& [n, entry] = cached->second;
  return entry != nullptr && n <= g.count ? entry : nullptr;
}

}  // namespace

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
  std::vector<std::string> placed;  // pointers of the groups in out.groups, same order
  Accepted accepted;
  MemberNodes member_nodes;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = list_pointer + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields,
             "a host group like {\"name\": \"c\", \"count\": 100, \"ip\": \"10.1.0.1\", \"link\": {\"to\": \"server\"}}");
    if (!o.valid()) continue;
    const std::size_t errors = r.errors().count();
    HostGroup g;
    // The name is a prefix for node names, so it follows the node name rule.
    if (const Json* v = o.require("name", "the members' name prefix, e.g. \"c\" for c1, c2, ..."))
      if (const auto n = node_identifier(r, *v, o.ptr("name"))) g.name = *n;
    if (const Json* c = o.require("count", "how many hosts, 1..10000000"))
      if (const auto n = r.integer(*c, o.ptr("count"), 1, kMaxCount)) g.count = static_cast<std::uint32_t>(*n);
    bool ip_ok = false;
    if (const Json* a = o.require("ip", "the first member's address; the others follow"))
      if (const auto ip = r.ip(*a, o.ptr("ip"))) {
        g.first_ip = *ip;
        ip_ok = true;
      }
    if (ip_ok && g.count > 0 && std::uint64_t{g.first_ip.value} + g.count - 1 > std::numeric_limits<std::uint32_t>::max()) {
      r.error(o.ptr("count"), std::to_string(g.count) + " addresses from " + g.first_ip.to_string() +
                                  " run past 255.255.255.255");
      ip_ok = false;
    }
    // Names and addresses of members must be new: not a host's or router's, not another group's.
    if (!g.name.empty() && g.count > 0) {
      if (const auto k = clashing_group(accepted, out.groups, g)) {
        const HostGroup& other = out.groups[*k];
        r.error(o.ptr("name"), "member " + quote(*shared_member(g.name, g.count, other.name, other.count)) +
                                   " of group " + quote(g.name) + " is also a member of group " + quote(other.name) +
                                   " at " + placed[*k] + " (" + r.errors().where(placed[*k]) +
                                   "); member names must be unique");
      } else if (const NodeTable::Entry* node = first_member_node(table, member_nodes, g)) {
        const net::NodeConfig& n = (*table.nodes)[node->index];
        r.error(o.ptr("name"), "member " + quote(n.name) + " of group " + quote(g.name) + " would clash with the " +
                                   (n.router ? "router " : "host ") + quote(n.name) + " at " + node->pointer + " (" +
                                   r.errors().where(node->pointer) + ")");
      }
    }
    if (ip_ok && g.count > 0) {
      const std::uint32_t last = g.first_ip.value + (g.count - 1);
      const std::string range = g.first_ip.to_string() + " .. " + net::Ipv4{last}.to_string();
      // Accepted groups do not overlap, so the one starting last at or before `last` is the only
      // one that can overlap this range.
      if (auto it = accepted.by_first_ip.upper_bound(last); it != accepted.by_first_ip.begin()) {
        const std::size_t k = std::prev(it)->second;
        const HostGroup& other = out.groups[k];
        const std::uint32_t other_last = other.first_ip.value + (other.count - 1);
        if (other_last >= g.first_ip.value)
          r.error(o.ptr("ip"), "the group's addresses " + range + " overlap those of group " + quote(other.name) +
                                   " at " + placed[k] + " (" + r.errors().where(placed[k]) + "): " +
                                   other.first_ip.to_string() + " .. " + net::Ipv4{other_last}.to_string());
      }
      const auto lo = table.by_ip.lower_bound(g.first_ip.value);
      if (lo != table.by_ip.end() && lo->first <= last) {
        std::string owner = "node " + quote(lo->second);
        if (const auto e = table.by_name.find(lo->second); e != table.by_name.end())
          owner += " at " + e->second.pointer + " (" + r.errors().where(e->second.pointer) + ")";
        r.error(o.ptr("ip"), "the group's addresses " + range + " include " + net::Ipv4{lo->first}.to_string() + " of " +
                                 owner);
      }
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
    accepted.by_name.emplace(g.name, out.groups.size());
    accepted.by_first_ip.emplace(g.first_ip.value, out.groups.size());
    out.groups.push_back(std::move(g));
    placed.push_back(pointer);
  }
}

bool NodeTable::is_group_member(std::string_view name) const {
  for (const auto& [prefix, count] : groups) {
    if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) continue;
    if (const auto n = member_number(name.substr(prefix.size())); n && *n <= count) return true;
  }
  return false;
}

}  // namespace tcpsim::scenario::detail
