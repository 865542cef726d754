// The terminal sequence diagram ("ladder"): one column per host, one numbered line per event:
// each segment sent (or copied) as an arrow from sender to receiver, labelled in RFC shorthand
// (`SYN,ACK seq=0 ack=1` or `<SEQ=0><ACK=1><CTL=SYN,ACK>`), with its fate at the end of the line
// (arrival time, or XXX and the reason it was lost); each state change as the new state written
// beside its lifeline (the RFC's reading: the state after the event) with the rule that caused
// it; user calls, errors told to the application, timer expiries and 2 MSL restarts as
// annotations. "#" is the trace record's index. Fates, retransmissions ("rtx", the sender's own
// word) and numbering come from trace::TraceFacts; numbers are relative to each connection
// incarnation (absolute for injected segments, starred), the window where it changed.
#pragma once

#include <ostream>

#include "models/net/network.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::cli {

struct LadderOptions {
  bool absolute = false;  // absolute sequence numbers instead of relative to each side's ISN
  bool color = false;     // ANSI colours (the CLI enables them only on a terminal)
  bool show_route = true; // name the routers each segment crosses
  bool rfc_labels = false; // <SEQ=..><ACK=..><CTL=..> instead of "SYN,ACK seq=.. ack=.."
  bool causes = true;     // the rule behind each state change
  bool annotations = true;  // user calls, application errors, timer expiries
  int width = 100;        // prefix, margins and lifelines: room for "SYN,ACK seq=0 ack=7001(abs) win=65535"
};

// Beyond this many hosts (a load test) print_ladder says so instead of drawing.
inline constexpr std::size_t kMaxLadderHosts = 8;

void print_ladder(std::ostream& out, const trace::Trace& trace, const net::Network& net, const LadderOptions& opt);

// One line accounting for every segment: "12 sent (3 injected), 1 duplicate, 10 delivered,
// 2 dropped (1 by loss, 1 by fault rule 0), 1 in flight".
void print_segment_summary(std::ostream& out, const trace::Trace& t);

}  // namespace tcpsim::cli
