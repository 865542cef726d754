// The terminal sequence diagram ("ladder"): one column per host, one numbered line per segment
// sent (or copied), the arrow from sender to receiver labelled in RFC shorthand, and the fate of
// every segment at the end of its line: arrival time, or XXX and the reason it was lost.
#pragma once

#include <ostream>

#include "models/net/network.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::cli {

struct LadderOptions {
  bool absolute = false;  // absolute sequence numbers instead of relative to each side's ISN
  bool color = false;     // ANSI colours (the CLI enables them only on a terminal)
  bool show_route = true; // name the routers each segment crosses
  int width = 100;        // total line width
};

void print_ladder(std::ostream& out, const trace::Trace& trace, const net::Network& net, const LadderOptions& opt);

// One line accounting for every segment: "12 sent (3 injected), 1 copy, 10 delivered, ..."
void print_segment_summary(std::ostream& out, const trace::SegmentCounts& c);

}  // namespace tcpsim::cli
