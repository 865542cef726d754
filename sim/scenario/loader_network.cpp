// The network sections of a scenario: "hosts", "routers" and "links".

#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>

#include "models/net/link_fields.hpp"
#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {

namespace {
constexpr std::size_t kMaxNodeName = 64;
}  // namespace

// Node names appear in traces, diagrams and fault rules: [A-Za-z][A-Za-z0-9_-]*.
std::optional<std::string> node_identifier(Reader& r, const Json& v, const std::string& pointer) {
  const auto name = r.non_empty_string(v, pointer);
  if (!name) return std::nullopt;
  const std::string rule = "expected a node name of letters, digits, '_' and '-' that starts with a letter, found " +
                           quote(*name);
  for (std::size_t i = 0; i < name->size(); ++i) {
    const char c = (*name)[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool ok = letter || (i > 0 && ((c >= '0' && c <= '9') || c == '_' || c == '-'));
    if (!ok) {
      const std::string what = c == ' ' ? "a space" : "'" + std::string(1, c) + "'";
      r.error(pointer, rule + ": " + what + " at position " + std::to_string(i + 1) + " is not allowed");
      return std::nullopt;
    }
  }
  if (name->size() > kMaxNodeName) {
    r.error(pointer, "expected a node name of at most " + std::to_string(kMaxNodeName) + " characters, found one of " +
                         std::to_string(name->size()));
    return std::nullopt;
  }
  return name;
}

namespace {

void read_node_list(Object& top, Scenario& out, NodeTable& table, bool router, const TcpDefaults& tcp) {
  Reader& r = top.reader();
  const std::string_view field = router ? "routers" : "hosts";
  const Json* list = router ? top.get(field)
                            : top.require(field, "a non-empty array of hosts like [{\"name\": \"client\", \"ip\": \"10.0.0.1\"}]");
  if (list == nullptr) return;
  const std::string list_pointer = top.ptr(field);
  if (r.array(*list, list_pointer, field) == nullptr) return;
  if (!router && list->empty()) r.error(list_pointer, "expected at least one host, found an empty array");

  static const Names kRouterFields{"name", "ip"};
  static const Names kHostFields{"name", "ip", "profile", "tcp", "ephemeral_ports"};
  const Names& kFields = router ? kRouterFields : kHostFields;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = list_pointer + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields,
             router ? "a router object like {\"name\": \"r1\", \"ip\": \"10.0.0.254\"}"
                    : "a host object like {\"name\": \"client\", \"ip\": \"10.0.0.1\"}");
    if (!o.valid()) continue;
    net::NodeConfig node;
    node.router = router;
    std::optional<std::string> name;
    if (const Json* v = o.require("name", router ? "the router's name, e.g. \"r1\"" : "the host's name, e.g. \"client\""))
      name = node_identifier(r, *v, o.ptr("name"));
    if (router) {
      node.ip = o.ip("ip");
    } else if (const Json* v = o.require("ip", "the host's IPv4 address, e.g. \"10.0.0.1\"")) {
      node.ip = r.ip(*v, o.ptr("ip"));
    }
    if (name) {
      if (const auto it = table.by_name.find(*name); it != table.by_name.end()) {
        r.error(o.ptr("name"), "duplicate node name " + quote(*name) + "; " + it->second.pointer + " (" +
                                   r.errors().where(it->second.pointer) + ") already uses it");
        name.reset();
      }
    }
    if (node.ip) {
      if (const auto it = table.by_ip.find(node.ip->value); it != table.by_ip.end()) {
        r.error(o.ptr("ip"), "duplicate address " + node.ip->to_string() + "; node " + quote(it->second) +
                                 " already uses it");
      } else if (name) {
        table.by_ip.emplace(node.ip->value, *name);
      }
    }
    HostTcp host_tcp;
    if (router) host_tcp.enabled = false;
    else read_host_tcp(o, tcp, host_tcp);
    if (!name) continue;
    node.name = *name;
    const auto [it, inserted] = table.by_name.emplace(*name, NodeTable::Entry{out.nodes.size(), pointer});
    table.names.push_back(it->first);
    out.nodes.push_back(std::move(node));
    out.tcp.push_back(std::move(host_tcp));
  }
}

// Where this object set the delay and the jitter ("" if it did not), for the jitter <= delay rule.
struct SetHere {
  std::string delay;
  std::string jitter;
  bool invalid = false;  // one of them is present but invalid (and reported): nothing to compare
};

void read_loss(Reader& r, const Json& v, const std::string& pointer, net::LossModel& out) {
  if (v.is_number()) {
    if (const auto p = r.probability(v, pointer)) {
      out = net::LossModel{};
      out.kind = net::LossModel::Kind::Bernoulli;
      out.rate = *p;
    }
    return;
  }
  if (!v.is_object()) {
    r.error(pointer, "expected a probability in [0, 1] or {\"gilbert_elliott\": {...}}, found " + r.found(v, pointer));
    return;
  }
  static const Names kLossFields{"gilbert_elliott"};
  Object o(r, v, pointer, kLossFields, "");
  const Json* ge = o.require("gilbert_elliott", "the burst loss model: {\"p_good_to_bad\": 0.01, \"p_bad_to_good\": 0.5}");
  if (ge == nullptr) return;
  static const Names kGeFields{"p_good_to_bad", "p_bad_to_good", "loss_good", "loss_bad"};
  Object g(r, *ge, o.ptr("gilbert_elliott"), kGeFields, "an object like {\"p_good_to_bad\": 0.01, \"p_bad_to_good\": 0.5}");
  if (!g.valid()) return;
  net::GilbertElliott model;
  std::optional<double> to_bad, to_good;
  if (const Json* p = g.require("p_good_to_bad", "P(good -> bad) per segment, in [0, 1]"))
    to_bad = r.probability(*p, g.ptr("p_good_to_bad"));
  if (const Json* p = g.require("p_bad_to_good", "P(bad -> good) per segment, in [0, 1]"))
    to_good = r.probability(*p, g.ptr("p_bad_to_good"));
  if (const auto p = g.probability("loss_good")) model.loss_good = *p;
  if (const auto p = g.probability("loss_bad")) model.loss_bad = *p;
  if (!to_bad || !to_good) return;
  model.p_good_to_bad = *to_bad;
  model.p_bad_to_good = *to_good;
  out = net::LossModel{};
  out.kind = net::LossModel::Kind::GilbertElliott;
  out.ge = model;
}

// Reads the link parameters present in `o` over `p`, each by its type (net::visit_link_params).
SetHere read_params(Object& o, net::LinkParams& p) {
  Reader& r = o.reader();
  SetHere set;
  if (o.get("delay")) set.delay = o.ptr("delay");
  if (o.get("jitter")) set.jitter = o.ptr("jitter");
  net::visit_link_params(p, [&](std::string_view name, auto& member, std::string_view) {
    using T = std::decay_t<decltype(member)>;
    const std::string key(name);
    if constexpr (std::is_same_v<T, sim::Duration>) {  // delay, jitter
      if (const auto d = o.duration(key.c_str(), kLinkDuration)) member = *d;
      else if (o.get(key.c_str())) set.invalid = true;
    } else if constexpr (std::is_same_v<T, std::optional<sim::Duration>>) {
      if (const auto d = o.duration(key.c_str(), kLinkDurationPositive)) member = *d;
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {  // a bandwidth
      if (const Json* v = o.get(key.c_str()))
        if (const auto b = r.bandwidth(*v, o.ptr(key.c_str()))) member = *b;
    } else if constexpr (std::is_same_v<T, std::uint32_t>) {
      if (const auto q = o.integer(key.c_str(), 1, std::numeric_limits<std::uint32_t>::max()))
        member = static_cast<std::uint32_t>(*q);
    } else if constexpr (std::is_same_v<T, net::LossModel>) {
      if (const Json* v = o.get(key.c_str())) read_loss(r, *v, o.ptr(key.c_str()), member);
    } else {
      static_assert(std::is_same_v<T, double>, "a link parameter of a new type: say here how it is read");
      if (const auto d = o.probability(key.c_str())) member = *d;
    }
  });
  return set;
}

}  // namespace

void read_link_params(Object& o, net::LinkParams& p) {
  const SetHere set = read_params(o, p);
  if (!set.invalid && p.jitter > p.delay)
    o.reader().error(!set.jitter.empty() ? set.jitter : (!set.delay.empty() ? set.delay : o.pointer()),
                     "the jitter (" + sim::format_duration(p.jitter) + ") is larger than the delay (" +
                         sim::format_duration(p.delay) + "); the jitter must not exceed the delay");
}

void read_nodes(Object& top, Scenario& out, NodeTable& table, const TcpDefaults& tcp) {
  table.nodes = &out.nodes;
  read_node_list(top, out, table, false, tcp);
  read_node_list(top, out, table, true, tcp);
}

void read_links(Object& top, Scenario& out, const NodeTable& table) {
  Reader& r = top.reader();
  const Json* list = top.get("links");
  if (list == nullptr || r.array(*list, top.ptr("links"), "links") == nullptr) return;
  static const Names kParams = [] {
    Names n;
    net::LinkParams p;
    net::visit_link_params(p, [&](std::string_view name, auto&, std::string_view) { n.emplace_back(name); });
    return n;
  }();
  static const Names kFields = [] {
    Names f{"between", "a_to_b", "b_to_a"};
    f.insert(f.end(), kParams.begin(), kParams.end());
    return f;
  }();
  std::map<std::pair<std::string, std::string>, std::string> linked;  // {a, b} sorted -> pointer

  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = top.ptr("links") + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields, "a link object like {\"between\": [\"client\", \"server\"], \"delay\": \"10ms\"}");
    if (!o.valid()) continue;
    net::LinkConfig link;
    bool ends_ok = false;
    if (const Json* b = o.require("between", "the two nodes the link joins, e.g. [\"client\", \"server\"]")) {
      const std::string bp = o.ptr("between");
      if (!b->is_array() || b->size() != 2) {
        r.error(bp, "expected an array of two node names like [\"client\", \"server\"], found " +
                        (b->is_array() ? elements(b->size()) : r.found(*b, bp)));
      } else {
        const auto a = table.node_name(r, (*b)[0], bp + "/0");
        const auto z = table.node_name(r, (*b)[1], bp + "/1");
        if (a && z && *a == *z) {
          r.error(bp, "a link joins two different nodes, found " + quote(*a) + " twice");
        } else if (a && z) {
          const auto key = std::minmax(*a, *z);
          if (const auto it = linked.find(key); it != linked.end()) {
            r.error(bp, "nodes " + quote(*a) + " and " + quote(*z) + " are already linked by " + it->second + " (" +
                            r.errors().where(it->second) + ")");
          } else {
            linked.emplace(key, pointer);
            link.a = *a;
            link.b = *z;
            ends_ok = true;
          }
        }
      }
    }

    // Parameters on the link apply to both directions; "a_to_b" / "b_to_a" override one.
    net::LinkParams base;
    const SetHere base_set = read_params(o, base);
    const std::string a_name = link.a.empty() ? "a" : link.a;
    const std::string b_name = link.b.empty() ? "b" : link.b;
    std::string blamed;  // a base-level jitter too large for both directions is reported once
    for (const bool forward : {true, false}) {
      const std::string_view dir = forward ? "a_to_b" : "b_to_a";
      net::LinkParams& p = forward ? link.a_to_b : link.b_to_a;
      p = base;
      SetHere set;
      if (const Json* v = o.get(dir)) {
        Object od(r, *v, o.ptr(dir), kParams, "an object of link parameters like {\"delay\": \"5ms\"}");
        if (od.valid()) set = read_params(od, p);
      }
      // Blame the most specific setting: this direction's jitter or delay, else the link's.
      const std::string& blame = !set.jitter.empty() ? set.jitter
                                 : !set.delay.empty() ? set.delay
                                 : !base_set.jitter.empty() ? base_set.jitter
                                                            : base_set.delay;
      if (p.jitter <= p.delay || set.invalid || base_set.invalid || blame.empty() || blame == blamed) continue;
      blamed = blame;
      r.error(blame, "the jitter (" + sim::format_duration(p.jitter) + ") is larger than the delay (" +
                         sim::format_duration(p.delay) + ") in the direction " +
                         (forward ? a_name + " -> " + b_name : b_name + " -> " + a_name) +
                         "; the jitter must not exceed the delay");
    }
    if (ends_ok) out.links.push_back(std::move(link));
  }
}

}  // namespace tcpsim::scenario::detail
