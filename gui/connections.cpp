#include "gui/connections.hpp"

#include <algorithm>
#include <set>
#include <variant>

namespace tcpsim::gui {

AddressBook address_book(const scenario::Scenario& s) {
  AddressBook book;
  for (const auto& n : s.nodes)
    if (n.ip) book[n.ip->value] = n.name;
  // Group members too ("c17"), as far as a window can list them.
  constexpr std::uint32_t kMaxNamed = 100'000;
  for (const auto& g : s.groups)
    for (std::uint32_t i = 1; i <= g.count && i <= kMaxNamed; ++i) book[g.first_ip.value + i - 1] = g.member(i);
  return book;
}

std::string endpoint_name(const AddressBook& book, const net::Endpoint& e) {
  const auto it = book.find(e.ip.value);
  return (it == book.end() ? e.ip.to_string() : it->second) + ":" + std::to_string(e.port);
}

std::optional<ConnKey> conn_of(const trace::Body& body) {
  return std::visit(
      [](const auto& b) -> std::optional<ConnKey> {
        if constexpr (requires { b.conn; })
          return ConnKey{b.node, b.conn};
        else
          return std::nullopt;
      },
      body);
}

std::optional<trace::SegmentId> segment_of(const trace::Body& body) {
  return std::visit(
      [](const auto& b) -> std::optional<trace::SegmentId> {
        if constexpr (requires { b.id; })
          return b.id;
        else
          return std::nullopt;
      },
      body);
}

const ConnEndpoint* Connections::find(const ConnKey& k) const {
  const auto it = by_key.find(k);
  return it == by_key.end() ? nullptr : &endpoints[it->second];
}

Connections scan_connections(const trace::Trace& trace, const AddressBook& book) {
  Connections out;
  const auto& records = trace.records();
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto key = conn_of(records[i].body);
    if (!key) continue;
    auto [it, added] = out.by_key.try_emplace(*key, out.endpoints.size());
    if (added) out.endpoints.push_back({*key, trace.node_name(key->node) + ":" + std::to_string(key->conn.local.port), {}});
    if (std::holds_alternative<trace::StateChanged>(records[i].body)) out.endpoints[it->second].changes.push_back(i);
  }
  // Several connections on one node:port (a listener and its children, or incarnations):
  // name the remote end too.
  std::map<std::string, int> uses;
  for (const auto& e : out.endpoints) ++uses[e.label];
  for (auto& e : out.endpoints) {
    if (uses[e.label] < 2) continue;
    const bool unbound = e.key.conn.remote.ip.value == 0 && e.key.conn.remote.port == 0;
    e.label += unbound ? std::string(" (listen)") : " ↔ " + endpoint_name(book, e.key.conn.remote);
  }
  return out;
}

std::vector<EndpointAtCursor> endpoints_at(const trace::Trace& trace, const Connections& conns, std::size_t cursor) {
  const auto& records = trace.records();
  cursor = std::min(cursor, records.size());
  std::vector<EndpointAtCursor> out(conns.endpoints.size());
  std::vector<bool> seen(conns.endpoints.size(), false);
  for (std::size_t i = 0; i < cursor; ++i) {
    const auto& body = records[i].body;
    const auto key = conn_of(body);
    if (!key) continue;
    const auto it = conns.by_key.find(*key);
    if (it == conns.by_key.end()) continue;
    auto& e = out[it->second];
    seen[it->second] = true;
    e.last_record = i;
    if (const auto* s = std::get_if<trace::StateChanged>(&body)) {
      e.state = std::string(s->to);
      e.last_change = i;
    } else if (const auto* t = std::get_if<trace::TimerEvent>(&body)) {
      auto& timers = e.timers;
      std::erase_if(timers, [&](const PendingTimer& p) { return p.name == t->timer; });
      if (t->op == trace::TimerOp::Armed) timers.push_back({std::string(t->timer), t->deadline, i});
    }
  }
  std::vector<EndpointAtCursor> shown;
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (!seen[k]) continue;
    out[k].endpoint = &conns.endpoints[k];
    shown.push_back(std::move(out[k]));
  }
  return shown;
}

std::optional<std::size_t> sent_record_of(const trace::Trace& trace, trace::SegmentId id, std::size_t before) {
  const auto& records = trace.records();
  for (std::size_t i = std::min(before + 1, records.size()); i-- > 0;) {
    const auto& body = records[i].body;
    if (const auto* s = std::get_if<trace::SegmentSent>(&body); s != nullptr && s->id == id) return i;
    if (const auto* d = std::get_if<trace::SegmentDuplicated>(&body); d != nullptr && d->copy == id) id = d->id;
  }
  return std::nullopt;
}

}  // namespace tcpsim::gui
