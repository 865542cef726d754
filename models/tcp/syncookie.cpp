// SYN cookies: see syncookie.hpp (RFC 4987 §3.6).
#include "models/tcp/syncookie.hpp"

namespace tcpsim::tcp {

namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr std::uint32_t kHashBits = 24;
constexpr std::uint32_t kHashMask = (1u << kHashBits) - 1;
constexpr std::uint32_t kMssShift = 24;
constexpr std::uint32_t kTimeShift = 27;

}  // namespace

std::uint64_t SynCookies::slot(sim::Time now) {
  return static_cast<std::uint64_t>(now.ns() / kCookieSlot.count());
}

std::uint32_t SynCookies::mss_index(std::uint16_t peer_mss) {
  std::uint32_t idx = 0;
  for (std::uint32_t i = 0; i < kCookieMssTable.size(); ++i) {
    if (kCookieMssTable[i] <= peer_mss) idx = i;
  }
  return idx;
}

// RFC 4987 §3.6: "s = the result of a cryptographic hash computed over the server IP address and
// port number, the client IP address and port number, and t" (and m, see the header).
std::uint32_t SynCookies::hash24(const net::ConnId& id, std::uint64_t t, std::uint32_t m) const {
  const std::uint64_t ips = (std::uint64_t{id.local.ip.value} << 32) | id.remote.ip.value;
  const std::uint64_t ports = (std::uint64_t{id.local.port} << 16) | id.remote.port;
  const std::uint64_t h = mix(mix(mix(secret_ ^ ips) ^ ports) ^ ((t << 3) | m));
  return static_cast<std::uint32_t>(h) & kHashMask;
}

net::SeqNum SynCookies::make(sim::Time now, const net::ConnId& id, net::SeqNum client_isn,
                             std::uint16_t peer_mss) const {
  const std::uint64_t t = slot(now);
  const std::uint32_t m = mss_index(peer_mss);
  const std::uint32_t diff = (static_cast<std::uint32_t>(t % 32) << kTimeShift) | (m << kMssShift) | hash24(id, t, m);
  return client_isn + diff;
}

std::optional<std::uint16_t> SynCookies::check(sim::Time now, const net::ConnId& id, net::SeqNum client_isn,
                                               net::SeqNum cookie) const {
  const auto diff = static_cast<std::uint32_t>(cookie - client_isn);
  const std::uint32_t t5 = diff >> kTimeShift;
  const std::uint32_t m = (diff >> kMssShift) & 7u;
  if (m >= kCookieMssTable.size()) return std::nullopt;
  const std::uint64_t current = slot(now);
  for (std::uint64_t age = 0; age < 2 && age <= current; ++age) {
    const std::uint64_t t = current - age;
    if (t % 32 == t5 && hash24(id, t, m) == (diff & kHashMask)) return kCookieMssTable[m];
  }
  return std::nullopt;
}

}  // namespace tcpsim::tcp
