// The flood workload (issue: performance): one server (backlog 128, linux profile) under a
// spoofed SYN flood of `rate` SYNs per second for `duration` of virtual time, from addresses
// nobody owns (so its SYN,ACKs are lost as no-route), while `clients` legitimate clients connect
// at uniformly random times in the first 5/6 of the flood. Run with and without SYN cookies;
// reports how many legitimate clients were connected by the end of the flood.
#pragma once

#include <cstdint>
#include <ostream>

namespace tcpsim::cli {

struct FloodParams {
  std::uint64_t rate = 100'000;  // spoofed SYNs per second
  double seconds = 60;           // flood duration (virtual)
  std::uint32_t clients = 1000;
  std::uint32_t backlog = 128;
  bool syn_cookies = false;
  std::uint64_t seed = 1;
};

struct FloodResult {
  double wall_seconds = 0;
  std::uint64_t events = 0;
  std::uint64_t spoofed = 0;
  std::uint32_t connected = 0;  // legitimate clients connected by the end of the flood
  std::uint64_t peak_rss_bytes = 0;
  double success_rate(const FloodParams& p) const { return p.clients ? double(connected) / p.clients : 0; }
  double speedup(const FloodParams& p) const { return wall_seconds > 0 ? p.seconds / wall_seconds : 0; }
};

FloodResult run_flood(const FloodParams& p);
void print_flood(std::ostream& out, const FloodParams& p, const FloodResult& r, bool json);

}  // namespace tcpsim::cli
