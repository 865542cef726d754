// Test support: a star of hosts around "server" (10.0.0.9) on the real scheduler, trace and
// network, client i at 10.0.0.(i+1), every link 10 ms one way, one TcpStack per host.
// Shared by the TcpStack and application tests; each adds its own applications on top.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/tcp/stack.hpp"
#include "sim/trace/jsonl.hpp"

namespace tcpsim::test {

struct StackStar {
  sim::Scheduler sched;
  trace::Trace trace;
  sim::RandomStreams streams{7};
  net::Network net{sched, trace, streams};
  std::vector<std::unique_ptr<tcp::TcpStack>> stacks;
  std::map<std::string, std::size_t> index;

  explicit StackStar(const std::vector<std::string>& clients, const tcp::TcpParams& params) {
    add("server", "10.0.0.9", params);
    for (std::size_t i = 0; i < clients.size(); ++i) {
      add(clients[i], "10.0.0." + std::to_string(i + 1), params);
      net::LinkParams p;
      p.delay = sim::Duration::ms(10);
      net.add_link({clients[i], "server", p, p});
    }
  }

  tcp::TcpStack& stack(const std::string& name) { return *stacks[index.at(name)]; }

  // The trace as JSON Lines, for determinism checks.
  std::vector<std::string> jsonl() const {
    std::vector<std::string> out;
    for (const auto& r : trace.records()) out.push_back(trace::to_json(r, trace).dump());
    return out;
  }

 private:
  void add(const std::string& name, const std::string& addr, const tcp::TcpParams& params) {
    const net::NodeId id = net.add_node({name, *net::Ipv4::parse(addr), false});
    index[name] = stacks.size();
    stacks.push_back(std::make_unique<tcp::TcpStack>(sched, trace, net, id, params, streams));
  }
};

}  // namespace tcpsim::test
