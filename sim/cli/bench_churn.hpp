// The churn workload (issue: performance): N clients in a star around one server, each on its
// own link (10 ms, 100 Mbit/s, optional random loss). Each client connects at a uniformly random
// time in the first second, sends 1000 bytes and closes; the server reads to EOF and closes.
// TIME-WAIT per the rfc9293 profile (2 MSL = 240 s). The run ends when nothing is pending, and
// checks that every connection is CLOSED and all N x 1000 bytes arrived.
//
// The clients are one HostGroup, so the workload is built from a description of constant size
// at any N; `churn_scenario()` is also what the bundled scenario reads.
#pragma once

#include <cstdint>
#include <ostream>

#include "sim/scenario/scenario.hpp"

namespace tcpsim::cli {

struct ChurnParams {
  std::uint32_t clients = 1000;
  double loss = 0.0;
  bool keep_records = false;  // keep the trace in memory (the default run of `tcpsim run` does)
  std::uint64_t seed = 1;
  bool established_probe = true;
};

scenario::Scenario churn_scenario(const ChurnParams& p);

// `count` clients c1..cN (from 10.64.0.1), each linked to "server" (10.0.0.1) by `link`; each
// connects to port 80 at a random time in [0, spread), sends `bytes` and closes. Shared by the
// churn and flood workloads.
scenario::HostGroup client_group(std::uint32_t count, const tcp::TcpParams& params, const net::LinkParams& link,
                                 std::uint64_t bytes, sim::Duration spread);

struct ChurnResult {
  double wall_seconds = 0;
  double build_seconds = 0;
  std::uint64_t events = 0;
  double sim_seconds = 0;
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_expected = 0;
  std::uint64_t open_connections = 0;  // sockets left at the end (the listener counts one)
  std::uint64_t segments = 0;
  // Heap in use (glibc mallinfo2) per connection, sampled in the run: at t = 100 s every client
  // is in TIME-WAIT and every server connection is gone; with `established_probe`, a second run
  // where the clients connect and stay, sampled at t = 2 s (two TCBs per connection: client
  // and server), gives bytes per ESTABLISHED TCB without buffered data.
  double heap_per_time_wait = 0;
  double heap_per_established = 0;
  bool correct() const { return bytes_received == bytes_expected && open_connections == 1; }
  double events_per_second() const { return wall_seconds > 0 ? events / wall_seconds : 0; }
};

ChurnResult run_churn(const ChurnParams& p);
void print_churn(std::ostream& out, const ChurnParams& p, const ChurnResult& r, bool json);

// Peak resident set size of this process (VmHWM), 0 if unknown.
std::uint64_t peak_rss_bytes();

}  // namespace tcpsim::cli
