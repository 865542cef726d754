// Traces for the diagram tests: a real handshake, transfer and close between two TcpStacks, and
// hand-written traces for the cases TCP alone does not produce on a clean link.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

#include "models/tcp/stack.hpp"
#include "sim/diagram/layout.hpp"
#include "sim/diagram/svg.hpp"
#include "tests/support/star.hpp"

namespace tcpsim::test {

// client (10.0.0.1) and server (10.0.0.9:80), 10 ms apart, 2 MSL = 2 s: connect at 0, send
// `bytes` at 50 ms (none if 0), close at 100 ms; the server reads everything and closes on EOF.
// `faults` are added to the network first.
struct Exchange : StackStar {
  tcp::SocketId client = tcp::kNoSocket;

  explicit Exchange(std::uint64_t bytes = 0, std::size_t clients = 1, const std::vector<net::FaultRule>& faults = {})
      : StackStar(names(clients), params()) {
    for (const auto& f : faults) net.add_fault(f);
    const tcp::SocketId l = stack("server").listen(80, 8);
    stack("server").set_fixed_iss(80, net::SeqNum(300));
    for (std::size_t k = 0; k < stacks.size(); ++k)
      stacks[k]->set_observer([this, k, l](tcp::SocketId s, trace::Notice n, trace::AppError, std::uint64_t) {
        tcp::TcpStack& st = *stacks[k];
        if (n == trace::Notice::Data) st.receive(s, UINT64_MAX);
        if (n == trace::Notice::Connected && k == 0) st.accept(l);
        if (n == trace::Notice::Eof) st.close(s);
      });
    std::vector<tcp::SocketId> socks;
    for (std::size_t i = 0; i < clients; ++i)
      socks.push_back(stack(names(clients)[i]).connect({*net::Ipv4::parse("10.0.0.9"), 80}, std::nullopt,
                                                       net::SeqNum(100 + 1000 * static_cast<std::uint32_t>(i))));
    client = socks[0];
    sched.run(sim::Time::zero() + sim::Duration::ms(50));
    while (stack(names(clients)[0]).state(client) == tcp::State::SynSent) sched.step();  // a lost SYN
    if (bytes > 0)
      for (std::size_t i = 0; i < clients; ++i) stack(names(clients)[i]).send(socks[i], bytes);
    sched.run(sim::Time::zero() + sim::Duration::ms(100));
    for (std::size_t i = 0; i < clients; ++i) stack(names(clients)[i]).close(socks[i]);
    sched.run();
  }

  static std::vector<std::string> names(std::size_t n) {
    if (n == 1) return {"client"};
    std::vector<std::string> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back("c" + std::to_string(i + 1));
    return v;
  }
  static tcp::TcpParams params() {
    tcp::TcpParams p = tcp::TcpParams::rfc9293();
    p.msl = sim::Duration::s(1);
    return p;
  }
};

// Writes the SVG of `layout` to $TCPSIM_DIAGRAM_OUT/<name>.svg when that variable is set (to
// look at what the tests draw); does nothing otherwise.
inline void maybe_save(const diagram::Layout& layout, const std::string& name) {
  const char* dir = std::getenv("TCPSIM_DIAGRAM_OUT");
  if (dir == nullptr) return;
  std::ofstream(std::string(dir) + "/" + name + ".svg") << diagram::to_svg(layout);
}

}  // namespace tcpsim::test
