// The world: one scenario turned into a scheduler, a trace and a network, ready to run or step.
//
// Every host whose TCP is enabled gets a TcpStack with its parameters and an AppHost with the
// scenario's apps for it; the apps start at time 0.
//
// Both front ends go through this class: the CLI runs a world to the end, the GUI steps it one
// event at a time. The trace it fills is the only output; everything shown is read from it.
//
// Every run is bounded (sim/scenario/limits.hpp): run() and step() stop at the first bound hit,
// between two events, and bound_hit() then says which, where, and how to raise it. run() and
// step() stop after the same event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "models/app/script.hpp"
#include "models/net/network.hpp"
#include "models/tcp/stack.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/scheduler.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::scenario {

struct RunOptions {
  std::optional<std::uint64_t> seed;   // overrides the scenario's seed
  std::optional<sim::Duration> until;  // overrides the scenario's stop time
  bool keep_records = true;            // keep the trace in memory (off: counters and sinks only)
  Limits limits;                       // bounds that override the scenario's "limits"
};

class World {
 public:
  explicit World(Scenario scenario, const RunOptions& options = {});
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Sinks must be attached before the first event runs.
  void add_sink(trace::Sink* sink) { trace_.add_sink(sink); }

  // Runs to the stop time (or until nothing is pending, or to a bound) and finishes the sinks.
  void run();
  // Executes exactly one event; false when the run is over (or stopped at a bound).
  bool step();
  bool finished() const { return finished_; }
  // Set once the run has stopped at a bound: the run is incomplete.
  const std::optional<BoundHit>& bound_hit() const { return bound_hit_; }
  const Bounds& bounds() const { return bounds_; }

  const Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }
  // The stop time, Time::max() when the run lasts until no event is pending.
  sim::Time stop_time() const { return stop_; }

  sim::Scheduler& scheduler() { return sched_; }
  const trace::Trace& trace() const { return trace_; }
  net::Network& network() { return *net_; }
  const net::Network& network() const { return *net_; }
  // The TCP of a node (nullptr for routers and hosts with "tcp": false), and its apps.
  tcp::TcpStack* stack(net::NodeId node) { return node < stacks_.size() ? stacks_[node].get() : nullptr; }
  const tcp::TcpStack* stack(net::NodeId node) const { return node < stacks_.size() ? stacks_[node].get() : nullptr; }
  app::AppHost* apps(net::NodeId node) { return node < app_hosts_.size() ? app_hosts_[node].get() : nullptr; }
  const app::AppHost* apps(net::NodeId node) const {
    return node < app_hosts_.size() ? app_hosts_[node].get() : nullptr;
  }

 private:
  void finish();
  // Between two events: whether the run is over (nothing left up to the stop time), stopped at a
  // bound (sets bound_hit_), or goes on.
  enum class Next { Over, Bounded, Go };
  Next next_step();
  void build_group(const HostGroup& g);
  // A TcpStack for host `id` (and an AppHost when `apps`), growing the per-node tables.
  void add_tcp(net::NodeId id, std::shared_ptr<const tcp::TcpParams> params, const HostTcp& tcp, bool apps);

  Scenario scenario_;
  std::uint64_t seed_;
  sim::Time stop_;
  Bounds bounds_;
  sim::Time time_bound_;
  std::optional<BoundHit> bound_hit_;
  sim::Scheduler sched_;
  trace::Trace trace_;
  sim::RandomStreams streams_;
  std::unique_ptr<net::Network> net_;
  // By NodeId. Declared after net_ and apps after stacks: destroyed in the reverse order.
  std::vector<std::unique_ptr<tcp::TcpStack>> stacks_;
  std::vector<std::unique_ptr<app::AppHost>> app_hosts_;
  std::vector<net::NodeId> injection_via_;
  bool finished_ = false;
};

}  // namespace tcpsim::scenario
