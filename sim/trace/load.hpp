// The load of a run over time, for runs with more connections than a sequence diagram can show
// (a SYN flood, churn through a thousand connections): read from the trace once, in buckets of
// virtual time.
//
// Per bucket [start, start + width):
//  - connections per state: how many connection endpoints, keyed by (node, connection), are in
//    each of the 11 states at the end of the bucket, from StateChanged records. A listener's child
//    counts from its first StateChanged (LISTEN -> SYN_RECEIVED); a child that falls back to
//    LISTEN (a reset or abandoned half-open entry, which the stack then releases) stops counting.
//    CLOSED counts the endpoints that have closed so far.
//  - each listener's queues, derived as the TCP stack keeps them (models/tcp/stack.cpp):
//      SYN queue    = its children in SYN_RECEIVED: a child is a connection of the listener's node
//                     whose local endpoint is the listener's and whose first StateChanged leaves
//                     LISTEN; it leaves the queue when it leaves SYN_RECEIVED;
//      accept queue = children that reached ESTABLISHED (from SYN_RECEIVED, or from LISTEN when a
//                     SYN cookie opened them) and were not yet accepted: each AppCall "accept" on
//                     the listener takes the oldest one (an accept on an empty queue takes none),
//                     and a child that closes before it is accepted leaves the queue.
//    Both are given as the level at the end of the bucket and the peak within it. `backlog` is
//    the backlog of the listen call (its "backlog=N" argument); the stack's capacity is that,
//    capped by somaxconn, plus one under the linux profile.
//  - segments by fate (trace::TraceFacts): sent (and copies made), delivered and kept, discarded
//    on arrival by the receiving TCP, dropped by reason, each counted in the bucket of the record
//    that says so.
// build_load(trace, facts, {.cursor = n}) reads records [0, n) only, so that a view that steps
// through the run shows nothing after its cursor.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/facts.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::trace {

inline constexpr int kStates = 11;
// The trace's state names ("CLOSED", "LISTEN", "SYN_SENT", ...) in RFC 9293 order.
extern const std::array<std::string_view, kStates> kStateNames;
// The index of a state name in kStateNames, -1 for an unknown name.
int state_index(std::string_view name);

struct LoadOptions {
  sim::Duration bucket = sim::Duration::zero();  // 0: chosen from the span (about 200 buckets)
  std::size_t cursor = kNoRecord;                // records revealed: [0, cursor)
  // The time the buckets cover from 0 (a view showing the revealed part only); 0: the whole
  // run. A record past it counts in the last bucket.
  sim::Duration span = sim::Duration::zero();
};

struct QueueLevel {
  std::uint32_t level = 0;  // at the end of the bucket
  std::uint32_t peak = 0;   // the most it held within the bucket
};

struct ListenerLoad {
  NodeId node = kNoNode;
  net::Endpoint local;      // the listening socket, "10.0.0.2:80"
  std::uint32_t backlog = 0;  // from the listen call; 0 if its arguments do not say
  std::vector<QueueLevel> syn_queue;     // per bucket
  std::vector<QueueLevel> accept_queue;  // per bucket
  std::uint32_t syn_peak = 0;            // over the whole (revealed) run
  std::uint32_t accept_peak = 0;
};

struct SegmentRates {
  std::uint32_t sent = 0;       // sent or copied
  std::uint32_t delivered = 0;  // delivered and kept by the receiving host
  std::uint32_t discarded = 0;  // delivered, then thrown away by the receiving TCP
  std::array<std::uint32_t, kDropReasons> dropped{};
  std::uint32_t dropped_total() const;
};

struct Load {
  sim::Time start{};
  sim::Duration bucket{};
  std::size_t buckets = 0;
  std::vector<std::array<std::uint32_t, kStates>> states;  // per bucket, by kStateNames index
  std::vector<SegmentRates> segments;                      // per bucket
  std::vector<ListenerLoad> listeners;                     // in order of their listen
  std::size_t endpoints = 0;                               // connection endpoints seen

  sim::Time bucket_start(std::size_t i) const { return start + bucket * static_cast<std::int64_t>(i); }
  // The bucket that holds time t (clamped to the last one).
  std::size_t bucket_of(sim::Time t) const;
};

Load build_load(const Trace& trace, const TraceFacts& facts, const LoadOptions& options = {});

}  // namespace tcpsim::trace
