// One scenario host on the real kernel: a child process in a network namespace of its own, with
// a TUN device carrying the host's address, and the host's apps running inside.
//
// The child makes everything itself, so nothing ever appears in the root namespace: it
// unshare(CLONE_NEWNET)s, turns IPv6 off, writes the host's sysctls, brings `lo` up, creates the
// TUN device (IFF_TUN | IFF_NO_PI) named with the run's prefix, gives it the host's address as a
// /32 and a default route through it (so every packet to a peer, and to an address nobody owns,
// reaches the relay, which plays the scenario's network), and passes the device's fd to the
// parent over a Unix socket (SCM_RIGHTS). Then it waits for "go" and runs the apps.
//
// Cleanup needs no bookkeeping that a crash could skip: the namespace has no name in /run/netns
// and is held only by the child and the parent's TUN fd. The child dies with the parent
// (PR_SET_PDEATHSIG), and when both are gone the kernel removes the namespace and the
// (non-persistent) device with it: also after a SIGKILL of the run.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/net/wire/address.hpp"

namespace tcpsim::live {

// A sysctl written in the host's namespace: its name as sysctl(8) writes it
// ("net.ipv4.tcp_syn_retries") and the value.
struct Sysctl {
  std::string name;
  std::string value;
};

struct HostSetup {
  std::string host;    // the scenario's name for it (messages)
  std::string device;  // the TUN device's name, at most 15 characters
  net::Ipv4 ip{};
  std::vector<Sysctl> sysctls;
  std::optional<int> mtu;  // the device's MTU (Linux's default for TUN: 1500)
  // Runs in the child after go(start_mono_ns): the apps. `events_fd` takes their report lines,
  // `stop_fd` becomes readable when the run is over. The return value is the child's exit code.
  std::function<int(int events_fd, int stop_fd, std::int64_t start_mono_ns)> apps;
};

// One TCP socket of the namespace as /proc/net/tcp lists it.
struct KernelSocket {
  net::ConnId conn{};
  int state = 0;  // TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11 (include/net/tcp_states.h)
  int timer = 0;  // 0 none, 1 retransmit/probe, 2 keepalive or FIN-WAIT-2, 3 TIME-WAIT, 4 zero window probe
};

class HostNamespace {
 public:
  // Forks the child and waits (up to 5 s) until it has handed over its TUN device. On failure
  // returns nullptr and sets *error to one line naming the host and what failed.
  static std::unique_ptr<HostNamespace> start(HostSetup setup, std::string* error);
  ~HostNamespace();
  HostNamespace(const HostNamespace&) = delete;
  HostNamespace& operator=(const HostNamespace&) = delete;

  const HostSetup& setup() const { return setup_; }
  pid_t pid() const { return pid_; }
  int tun_fd() const { return tun_fd_; }        // non-blocking; one packet per read and write
  int events_fd() const { return events_fd_; }  // the apps' report lines, non-blocking

  // Lets the apps start; their clock's zero is start_mono_ns (CLOCK_MONOTONIC).
  bool go(std::int64_t start_mono_ns);
  // The namespace's TCP sockets now (nullopt once the child is gone).
  std::optional<std::vector<KernelSocket>> sockets() const;
  // Whether the child has exited, and if so its status text ("exit 0", "killed by signal 9").
  std::optional<std::string> exited();
  // Tells the child the run is over, waits up to `grace_ms` for it, then kills it; closes every
  // fd. Idempotent; the destructor calls it.
  void stop(int grace_ms = 500);

 private:
  HostNamespace() = default;
  HostSetup setup_;
  pid_t pid_ = -1;
  int control_fd_ = -1;  // our end of the socket pair: fd passing, "go", and the stop signal
  int tun_fd_ = -1;
  int events_fd_ = -1;
  std::optional<int> status_;
};

// Parses /proc/net/tcp text (the header line first). Lines that do not parse are skipped.
std::vector<KernelSocket> parse_proc_net_tcp(const std::string& text);

}  // namespace tcpsim::live
