// Wireshark's reading of segments, for the pcap cross-check only (tests/tshark compares our
// captures with what tshark decodes): numbers relative to the first SYN seen in each direction,
// and its tcp.analysis retransmission rule (a segment whose sequence space starts below the
// highest sequence number that direction already sent), without the timing heuristics.
// The views do not use this guess: they read trace::TraceFacts (sim/trace/facts.hpp), where the
// sender says what it retransmits and numbers restart with each connection incarnation.
// Feed every SegmentSent to observe() in trace order, then ask about that segment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "models/net/wire/segment.hpp"

namespace tcpsim::trace {

class SeqView {
 public:
  // Records the segment; returns true if it is a retransmission.
  bool observe(const net::Segment& s, bool injected = false) {
    const Key k{s.source(), s.destination()};
    if (s.flags.syn) isn_.try_emplace(k, s.seq);
    if (injected || s.seq_len() == 0) return false;
    const net::SeqNum end = s.seq + s.seq_len();
    const auto [it, first] = next_.try_emplace(k, end);
    if (first) return false;
    const bool again = s.seq < it->second;
    if (it->second < end) it->second = end;
    return again;
  }
  std::optional<std::uint32_t> rel_seq(const net::Segment& s) const { return rel(s.seq, {s.source(), s.destination()}); }
  std::optional<std::uint32_t> rel_ack(const net::Segment& s) const { return rel(s.ack, {s.destination(), s.source()}); }

 private:
  using Key = std::pair<net::Endpoint, net::Endpoint>;
  std::optional<std::uint32_t> rel(net::SeqNum v, const Key& k) const {
    const auto it = isn_.find(k);
    if (it == isn_.end()) return std::nullopt;
    return static_cast<std::uint32_t>(v - it->second);
  }
  std::map<Key, net::SeqNum> isn_;
  std::map<Key, net::SeqNum> next_;  // highest seq + seq_len sent per direction
};

}  // namespace tcpsim::trace
