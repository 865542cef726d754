// A host's TCP parameters as the Linux kernel takes them: sysctls of the host's namespace, socket
// options, the device's MTU. A parameter whose value differs from the `linux` profile's and that
// Linux has no knob for is listed in `unmapped` with the reason, never dropped silently: the
// kernel then behaves as Linux does, and the report says where that departs from the scenario.
//
// The sysctls that carry a profile value are always written, also when the value is Linux's
// default, so that a run does not depend on what a new namespace happens to start with.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/tcp/params.hpp"
#include "sim/live/host_ns.hpp"

namespace tcpsim::live {

struct LinuxSetup {
  std::vector<Sysctl> sysctls;
  // Socket options for every socket of the host.
  std::optional<int> send_buffer;      // SO_SNDBUF
  std::optional<int> recv_buffer;      // SO_RCVBUF
  std::optional<int> user_timeout_ms;  // TCP_USER_TIMEOUT
  bool keepalive = false;              // SO_KEEPALIVE
  std::optional<int> mtu;              // the TUN device's MTU, when the MSS is not 1460
  // "time_wait_length = \"30s\": Linux's TIME-WAIT lasts TCP_TIMEWAIT_LEN (60 s), a constant"
  std::vector<std::string> unmapped;
};

// `ephemeral_ports`: the host's range, if the scenario sets one (net.ipv4.ip_local_port_range).
LinuxSetup linux_setup(const tcp::TcpParams& p,
                       const std::optional<std::pair<std::uint16_t, std::uint16_t>>& ephemeral_ports = {});

}  // namespace tcpsim::live
