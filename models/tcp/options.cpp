// Handshake options: options.hpp.
#include "models/tcp/options.hpp"

#include <algorithm>

namespace tcpsim::tcp {

net::Options syn_options(const TcpParams& p) { return net::Options{.mss = p.mss}; }

std::uint16_t peer_mss(const TcpParams& p, const net::Options& peer) {
  return peer.mss ? *peer.mss : p.default_peer_mss;
}

std::uint16_t send_mss(const TcpParams& p, std::uint16_t peer) { return std::min(peer, p.mss); }

}  // namespace tcpsim::tcp
