// IPv4 addresses, endpoints and the connection 4-tuple.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim::net {

struct Ipv4 {
  std::uint32_t value = 0;  // host byte order: 10.0.0.1 == 0x0a000001

  constexpr auto operator<=>(const Ipv4&) const = default;
  std::string to_string() const;
  // Strict dotted quad: four decimal octets 0..255, no leading zeros, nothing else.
  static std::optional<Ipv4> parse(std::string_view text);
};

struct Endpoint {
  Ipv4 ip;
  std::uint16_t port = 0;
  constexpr auto operator<=>(const Endpoint&) const = default;
  std::string to_string() const { return ip.to_string() + ":" + std::to_string(port); }
  // The reverse of to_string(): "10.0.0.1:80" (a port 0..65535 without leading zeros).
  static std::optional<Endpoint> parse(std::string_view text);
};

// A connection as seen from one side: (local, remote).
struct ConnId {
  Endpoint local;
  Endpoint remote;
  constexpr auto operator<=>(const ConnId&) const = default;
  ConnId reversed() const { return {remote, local}; }
  std::string to_string() const { return local.to_string() + "-" + remote.to_string(); }
  // The reverse of to_string(): "10.0.0.1:1024-10.0.0.2:80".
  static std::optional<ConnId> parse(std::string_view text);
};

}  // namespace tcpsim::net
