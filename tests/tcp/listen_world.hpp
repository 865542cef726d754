// Test support for the listen-queue, socket-option and SYN-flood tests: a StackStar whose
// applications read everything, close on EOF, accept on demand and record errors, plus helpers to inject
// crafted segments and to read the trace.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/tcp/stack.hpp"
#include "tests/support/star.hpp"

namespace tcpsim::test {

struct ListenWorld : StackStar {
  std::map<std::pair<std::size_t, tcp::SocketId>, std::uint64_t> read;  // (stack, socket) -> octets
  std::map<std::pair<std::size_t, tcp::SocketId>, trace::AppError> errors;
  tcp::SocketId listener = tcp::kNoSocket;  // the server's
  std::vector<tcp::SocketId> accepted;      // by the server's application, in order
  bool auto_accept = true;

  explicit ListenWorld(const std::vector<std::string>& clients, const tcp::TcpParams& params)
      : StackStar(clients, params) {
    for (std::size_t k = 0; k < stacks.size(); ++k) {
      stacks[k]->set_observer([this, k](tcp::SocketId s, trace::Notice n, trace::AppError e, std::uint64_t) {
        on_notice(k, s, n, e);
      });
    }
  }
  void on_notice(std::size_t k, tcp::SocketId s, trace::Notice n, trace::AppError e) {
    tcp::TcpStack& st = *stacks[k];
    if (n == trace::Notice::Data) read[{k, s}] += st.receive(s, UINT64_MAX);
    if (n == trace::Notice::Error) errors[{k, s}] = e;
    if (n == trace::Notice::Eof) st.close(s);
    if (n == trace::Notice::Connected && auto_accept && k == index.at("server")) accept_all();
  }
  void accept_all() {
    while (const auto c = stack("server").accept(listener)) accepted.push_back(*c);
  }
  tcp::TcpStack& operator[](const std::string& name) { return stack(name); }
  tcp::SocketId listen(std::uint16_t port, std::uint32_t backlog) {
    listener = stack("server").listen(port, backlog);
    return listener;
  }
  std::uint64_t octets_read(const std::string& name) const {
    std::uint64_t n = 0;
    for (const auto& [key, octets] : read) n += key.first == index.at(name) ? octets : 0;
    return n;
  }
  std::optional<trace::AppError> error_of(const std::string& name, tcp::SocketId s) const {
    const auto it = errors.find({index.at(name), s});
    return it == errors.end() ? std::nullopt : std::optional(it->second);
  }
  static sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }
  void run_until(sim::Duration d) { sched.run(at(d)); }

  // A segment crafted by the test, leaving host `from` (its source address may be anyone's).
  void inject(const std::string& from, const net::Segment& seg) { net.send(*net.find(from), seg, "test", true); }

  // Times at which a connection of `node` entered `to`, in order.
  std::vector<sim::Time> entered(const std::string& node, std::string_view to) const {
    std::vector<sim::Time> out;
    const net::NodeId id = *net.find(node);
    for (const auto& r : trace.records()) {
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body); sc && sc->node == id && sc->to == to) {
        out.push_back(r.time);
      }
    }
    return out;
  }
  std::vector<const trace::StateChanged*> state_changes(const std::string& node) const {
    std::vector<const trace::StateChanged*> out;
    const net::NodeId id = *net.find(node);
    for (const auto& r : trace.records()) {
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body); sc && sc->node == id) out.push_back(sc);
    }
    return out;
  }
  // (time, record) of every segment `node` sent that TCP made (not injected).
  std::vector<std::pair<sim::Time, const trace::SegmentSent*>> sent_by(const std::string& node) const {
    std::vector<std::pair<sim::Time, const trace::SegmentSent*>> out;
    const net::NodeId id = *net.find(node);
    for (const auto& r : trace.records()) {
      if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && s->node == id && !s->injected) {
        out.emplace_back(r.time, s);
      }
    }
    return out;
  }
  std::size_t notes_starting(std::string_view prefix) const {
    return static_cast<std::size_t>(std::count_if(trace.records().begin(), trace.records().end(), [&](const auto& r) {
      const auto* n = std::get_if<trace::Note>(&r.body);
      return n && n->text.starts_with(prefix);
    }));
  }
};

inline net::Ipv4 ip(const char* text) { return *net::Ipv4::parse(text); }

// A SYN from `src` (any address, e.g. one no host owns) to `dst`.
inline net::Segment syn_from(net::Endpoint src, net::Endpoint dst, net::SeqNum seq) {
  net::Segment s{.src = src.ip, .dst = dst.ip, .sport = src.port, .dport = dst.port, .seq = seq,
                 .flags = {.syn = true}, .window = 65535};
  s.options.mss = 1460;
  return s;
}

}  // namespace tcpsim::test
