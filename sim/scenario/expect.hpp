// What a scenario expects of its run (the "expect" block), as plain structs, and the check that
// compares them with the trace. scenarios/README.md documents the format.
//
// Endpoints are selected by a key "host[:port][>peer[:port]]": the connections of `host` (with
// that local port, with that peer); listeners are never selected, their children are. A state
// path of a selection is the state its first connection left, then every state entered, in
// trace order ("CLOSED, SYN-SENT, ESTABLISHED, ...").
//
// The check reads only the trace, plus the applications' own counters (bytes sent and read).
// A failed expectation says what was expected, what happened instead, and where: the trace
// record's index and time, so a front end can show the ladder around it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/net/wire/address.hpp"
#include "models/net/wire/segment.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::scenario {

class World;

struct EndpointKey {
  std::string text;  // as written, for messages
  std::string host;
  std::optional<std::uint16_t> port;
  std::optional<net::Ipv4> peer;
  std::optional<std::uint16_t> peer_port;
};

enum class Match : std::uint8_t { Exact, Contains };

struct StatePath {
  EndpointKey endpoint;
  Match match = Match::Exact;
  std::vector<std::string> states;  // trace spelling, e.g. "SYN_SENT"
  std::string pointer;              // where in the file (for messages)
};

struct FinalState {
  EndpointKey endpoint;
  std::string state;
  std::string pointer;
};

// One item of a segment pattern. Unset fields match anything.
struct SegmentPattern {
  std::optional<std::string> from;  // host name or address of the sender
  std::optional<std::string> to;
  std::optional<net::Flags> flags;          // exactly these
  std::optional<net::Flags> flags_include;  // at least these
  std::optional<std::uint32_t> seq, ack;    // relative to the ISNs unless `absolute`
  bool absolute = false;
  std::optional<std::uint32_t> len;
  std::optional<std::uint32_t> window;
  std::optional<bool> injected;
  std::optional<bool> retransmission;
  enum class Fate : std::uint8_t { Any, Delivered, Dropped } fate = Fate::Any;
  std::optional<std::string> dropped_by;  // "loss", "fault", "fault 2", "queue-overflow", ...
  // How many consecutive segments this item matches: exactly `min` when max == min; "*" is
  // 0..inf, "+" 1..inf (exact patterns only).
  std::uint32_t min = 1;
  std::optional<std::uint32_t> max = 1;  // nullopt: unbounded
  std::string pointer;
};

struct SegmentLadder {
  Match match = Match::Contains;
  std::vector<SegmentPattern> items;
  std::string pointer;
};

struct AppOutcome {
  std::string host;
  std::optional<std::string> connect;  // "ok", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET"
  std::optional<std::string> error;    // the app's last error ("none" or an errno name)
  std::optional<std::uint64_t> sent, received;
  std::optional<std::string> received_all_from;  // host whose apps' sent bytes this app received
  std::optional<bool> eof;
  std::string pointer;
};

// An event of the trace, for time constraints: an endpoint entering a state, or the n-th segment
// matching a pattern being sent.
struct EventRef {
  std::optional<EndpointKey> endpoint;
  std::optional<std::string> enters;
  std::optional<SegmentPattern> sends;
  std::uint32_t nth = 1;
  std::string pointer;
};

struct Timing {
  EventRef from, to;
  sim::Duration duration{};
  sim::Duration tolerance{};
  std::string pointer;
};

struct CounterExpect {
  std::string name;  // "segments", "retransmissions", "rst", "challenge_acks", "dropped", "dropped.loss" ...
  std::uint64_t value = 0;
  std::string pointer;
};

struct Expectations {
  std::vector<StatePath> states;
  std::vector<FinalState> final_states;
  std::vector<SegmentLadder> ladders;
  std::vector<AppOutcome> apps;
  std::vector<Timing> timings;
  std::vector<CounterExpect> counters;
  bool empty() const {
    return states.empty() && final_states.empty() && ladders.empty() && apps.empty() && timings.empty() &&
           counters.empty();
  }
};

struct Failure {
  std::string pointer;   // which expectation, as a JSON pointer into the scenario
  std::string message;   // expected ..., found ...
  std::optional<std::uint64_t> record;  // trace record where it diverged
  std::optional<sim::Time> time;
};

struct Verdict {
  std::size_t checked = 0;  // expectations evaluated
  std::vector<Failure> failures;
  bool passed() const { return failures.empty(); }
};

// Evaluates every expectation of the world's scenario on its (finished) run.
Verdict check(const World& world);

}  // namespace tcpsim::scenario
