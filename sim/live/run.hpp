// A scenario played on the real Linux kernel, recorded as a tcpsim trace.
//
// Every host that runs TCP becomes a network namespace (host_ns.hpp) whose apps make real socket
// calls (socket_apps.hpp) at the scenario's times. Between the namespaces runs the project's own
// network model, driven in real time: the scheduler's clock follows CLOCK_MONOTONIC from the
// run's start, each TUN device stands where a simulated TCP host stood, and the same links,
// routers, loss models, fault rules and injected segments act on the packets. A scenario thus
// means the same network in both modes, and the relay's records (send, deliver, drop, duplicate,
// delay) are the model's own.
//
// The trace also holds what the kernel says of its sockets (tracefs.hpp): every state change
// (sock:inet_sock_set_state), which segments are retransmissions (tcp:tcp_retransmit_skb) and
// which RSTs it sent or accepted; and every app call and what it returned. Records from the
// three sources are merged by time. The trace's metadata says it comes from the kernel: the
// release, HZ, each host's sysctls, what could not be mapped, and how late the relay wrote
// packets (real time, so runs are not bit-reproducible: compare them with tolerances).
//
// A run ends at the scenario's stop time (or --until), when nothing is left to happen (the apps
// have no timed step left, no packet is in flight, no injection is pending and no kernel socket
// has a timer running, for `quiet` on end), or at max_real_time. SIGINT, SIGTERM and
// LiveOptions::cancel end it early with a LiveError, everything it made removed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/net/network.hpp"
#include "sim/kernel/scheduler.hpp"
#include "sim/live/tracefs.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::live {

// A scenario the kernel cannot play, or a machine it cannot run on: one line, naming the field.
class LiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Ephemeral ports: concurrent runs on one machine get disjoint ranges ("slots"), which is how the
// kernel's events, global to the machine, are told apart. A run without a slot takes 32768-39999,
// below every slot.
inline constexpr int kPortSlots = 20;
inline constexpr std::uint16_t kSlotFirstPort = 40000;
inline constexpr std::uint16_t kSlotPorts = 1000;

struct LiveOptions {
  std::optional<std::uint64_t> seed;           // overrides the scenario's (loss, jitter: the relay)
  std::optional<sim::Duration> until;          // overrides the scenario's stop time
  sim::Duration max_real_time = sim::Duration::s(300);
  sim::Duration quiet = sim::Duration::ms(300);  // nothing-left-to-happen must last this long
  int port_slot = -1;                          // -1: Linux's own ephemeral range
  std::string name_prefix;                     // device and tracefs names; default: "ts" + pid
  // Set from another thread (a GUI's Cancel): ends the run as SIGINT does, with a LiveError.
  const std::atomic<bool>* cancel = nullptr;
};

enum class LiveEnd : std::uint8_t { Quiet, StopTime, MaxRealTime };
const char* to_string(LiveEnd e);  // "nothing left to happen", "stop time", "max real time"

struct RelayTiming {
  std::uint64_t packets = 0;  // written into the namespaces
  // How much later than its due time each was written (microseconds).
  double late_median_us = 0, late_p99_us = 0, late_max_us = 0;
};

class LiveRun {
 public:
  // Checks that the kernel can play the scenario (throws LiveError naming the field otherwise).
  LiveRun(scenario::Scenario scenario, const LiveOptions& options);
  ~LiveRun();
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;

  // Plays it: creates the namespaces, runs, removes everything. Throws LiveError when the machine
  // cannot (no root, no TUN, a sysctl the kernel refuses, a host's process that dies).
  void run();

  const scenario::Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }
  // The merged trace (valid after run()); its nodes are the network's.
  const trace::Trace& trace() const { return trace_; }
  const net::Network& network() const { return *net_; }
  LiveEnd end() const { return end_; }
  sim::Time end_time() const { return end_time_; }
  const RelayTiming& timing() const { return timing_; }
  // Per host: parameters Linux has no knob for (also in the trace's metadata).
  const std::vector<std::string>& unmapped() const { return unmapped_; }
  // The kernel's retransmit and reset tracepoints of this run's sockets (valid after run()), at
  // the run's time of the tracepoint itself: a segment's time in the trace is when the relay read
  // it, which on a busy machine can be a few milliseconds after the kernel sent it.
  struct KernelMark {
    sim::Time at;
    KernelEvent event;
  };
  const std::vector<KernelMark>& kernel_marks() const { return kernel_marks_; }

 private:
  struct Impl;
  scenario::Scenario scenario_;
  LiveOptions options_;
  std::uint64_t seed_;
  sim::Scheduler sched_;
  trace::Trace relay_trace_;  // what the network model records, as it happens
  trace::Trace trace_;        // the merged result
  std::unique_ptr<sim::RandomStreams> streams_;
  std::unique_ptr<net::Network> net_;
  LiveEnd end_ = LiveEnd::Quiet;
  sim::Time end_time_{};
  RelayTiming timing_;
  std::vector<std::string> unmapped_;
  std::vector<KernelMark> kernel_marks_;
  std::unique_ptr<Impl> impl_;  // the run's state; the network's receivers point into it
};

// Why the kernel cannot play this scenario, one message per problem, each naming the field
// ("/groups/0", "/apps/1 (host client, step 2: listen): ..."); empty when it can.
std::vector<std::string> live_problems(const scenario::Scenario& s);

}  // namespace tcpsim::live
