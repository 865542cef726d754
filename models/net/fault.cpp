// Matching segments against fault rules (config.hpp: SegmentMatch). The rules themselves are
// applied by the network when a segment is sent (network.cpp).
#include "models/net/config.hpp"

namespace tcpsim::net {

bool SegmentMatch::matches(const Segment& s, sim::Time sent_at) const {
  // Every field that is set must match; an empty match matches every segment.
  if (from && s.src != *from) return false;
  if (to && s.dst != *to) return false;
  if (sport && s.sport != *sport) return false;
  if (dport && s.dport != *dport) return false;
  if (flags && s.flags != *flags) return false;                     // exactly this set
  if (flags_include && !s.flags.contains(*flags_include)) return false;  // at least these
  if (seq && s.seq != *seq) return false;
  if (ack && s.ack != *ack) return false;
  if (len && s.payload_len != *len) return false;
  if (after && sent_at < *after) return false;     // window is [after, before)
  if (before && !(sent_at < *before)) return false;
  return true;
}

}  // namespace tcpsim::net
