// The terminal sequence diagram ("ladder"): one column per host, one numbered line per event:
// each segment sent (or copied) as an arrow from sender to receiver, labelled in RFC shorthand
// (`SYN,ACK seq=0 ack=1` or `<SEQ=0><ACK=1><CTL=SYN,ACK>`), with its fate at the end of the line
// (arrival time, or XXX and the reason it was lost); each state change as the new state written
// beside its lifeline (the RFC's reading: the state after the event) with the rule that caused
// it; user calls, errors told to the application and timer expiries as annotations.
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
  int width = 90;         // prefix, margins and lifelines: with the usual fate text a line fits in 100 columns
};

// Beyond this many hosts (a load test) print_ladder says so instead of drawing.
inline constexpr std::size_t kMaxLadderHosts = 8;

void print_ladder(std::ostream& out, const trace::Trace& trace, const net::Network& net, const LadderOptions& opt);

// One line accounting for every segment: "12 sent (3 injected), 1 copy, 10 delivered, ..."
void print_segment_summary(std::ostream& out, const trace::SegmentCounts& c);

}  // namespace tcpsim::cli
