// SYN cookies (RFC 4987 §3.6, D. J. Bernstein's construction, as Linux's tcp_syncookies): when a
// listener's SYN queue is full, the SYN is answered by a SYN,ACK whose ISS encodes what the host
// would have stored, and no state is kept. The ACK that completes the handshake gives the cookie
// back (SEG.ACK - 1) together with the client's ISN (SEG.SEQ - 1); if it validates, the host
// rebuilds the connection from the segment.
//
// Layout of the 32-bit difference ISS - client ISN (Bernstein, as RFC 4987 §3.6 describes it):
//   top 5 bits   t mod 32, t a counter that advances every 64 seconds;
//   next 3 bits  m, the index in kCookieMssTable of the MSS the server chose for the client's MSS;
//   low 24 bits  s, a keyed hash of the client and server addresses and ports, t and m.
// A cookie is valid during its slot and the next one (64 to 128 s). Hashing m as well keeps a
// peer from changing the MSS index of a valid cookie (Linux hashes its MSS index in the same way).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "models/net/wire/address.hpp"
#include "models/net/wire/seqnum.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// Linux's msstab for IPv4 (net/ipv4/syncookies.c): the MSS values a cookie can carry.
inline constexpr std::array<std::uint16_t, 4> kCookieMssTable = {536, 1300, 1440, 1460};
// RFC 4987 §3.6: "t is a slowly incrementing timestamp (typically the value of a counter that
// increases every 64 seconds)".
inline constexpr sim::Duration kCookieSlot = sim::Duration::s(64);

class SynCookies {
 public:
  explicit SynCookies(std::uint64_t secret) : secret_(secret) {}

  // The ISS of the stateless SYN,ACK that answers a SYN with sequence number `client_isn` and
  // MSS option `peer_mss`, arrived on `id` (local = the listener's address) at `now`.
  net::SeqNum make(sim::Time now, const net::ConnId& id, net::SeqNum client_isn, std::uint16_t peer_mss) const;
  // The MSS the cookie carries if `cookie` is one this host made for `id` and `client_isn` in the
  // slot of `now` or the one before; nullopt otherwise.
  std::optional<std::uint16_t> check(sim::Time now, const net::ConnId& id, net::SeqNum client_isn,
                                     net::SeqNum cookie) const;

  // The largest table entry not above `peer_mss` (the first entry if all are above it).
  static std::uint32_t mss_index(std::uint16_t peer_mss);
  static std::uint64_t slot(sim::Time now);

 private:
  std::uint32_t hash24(const net::ConnId& id, std::uint64_t t, std::uint32_t m) const;

  std::uint64_t secret_;
};

}  // namespace tcpsim::tcp
