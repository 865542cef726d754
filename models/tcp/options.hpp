// TCP options at connection setup (RFC 9293 §3.1, §3.7.1): what our SYN or SYN,ACK offers and
// what the peer's offer means for this connection. One room for every place a handshake is
// answered: the connection's SYN and SYN,ACK (output.cpp), its reading of the peer's SYN or
// SYN,ACK (segment_arrives.cpp), and the stateless SYN,ACK of a SYN cookie and the connection
// rebuilt from it (stack.cpp, cookie.cpp), which must agree with them.
//
// Modelled: the MSS option (MUST-14 send it, MUST-15 assume 536 without it). Window scaling,
// SACK-permitted and timestamps exist in net::Options (the wire, pcap and packetdrill-style
// traces carry them) but are not negotiated yet.
#pragma once

#include <cstdint>

#include "models/net/wire/segment.hpp"
#include "models/tcp/params.hpp"

namespace tcpsim::tcp {

// The options on our SYN or SYN,ACK: §3.7.1 MUST-14, "TCP implementations MUST include the MSS
// option in every SYN segment" (our SYN,ACK too, as every stack does), announcing TcpParams::mss.
net::Options syn_options(const TcpParams& p);

// The MSS the peer announced on its SYN or SYN,ACK; MUST-15: "If an MSS Option is not received
// at connection setup, TCP implementations MUST assume a default send MSS of 536"
// (TcpParams::default_peer_mss).
std::uint16_t peer_mss(const TcpParams& p, const net::Options& peer);

// §3.7.1 "Eff.snd.MSS": what we send at most, min(the peer's MSS, what we would use ourselves).
std::uint16_t send_mss(const TcpParams& p, std::uint16_t peer);

}  // namespace tcpsim::tcp
