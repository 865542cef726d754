// pcap captures of a run: every segment the trace records, as real IPv4 + TCP packets, written
// with libpcap (raw IPv4 link type, nanosecond timestamps = virtual time since the start).
//
// A capture point says which segments a capture sees, as a network tap would:
//  - by default, where segments leave their sender: every SegmentSent (including segments a
//    fault rule then drops, delays or damages) and every extra copy a link or fault rule makes
//    (SegmentDuplicated), at the time it was sent or made;
//  - at a named host's interface: the segments that host sent, at their send time, and the
//    segments (and copies) that reached it (SegmentDelivered there, and damaged segments it
//    discarded for their bad checksum), at their arrival time. A segment lost on the way
//    appears in the sender's capture and not in the receiver's; a copy the network made
//    appears only where it arrives.
// Segments a "corrupt" fault rule damaged (and segments injected as corrupted) carry a TCP
// checksum that fails; every other checksum is valid. The IPv4 Identification field counts the
// packets of one capture from 0.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/net/network.hpp"
#include "models/net/wire/segment.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::pcap {

struct CaptureOptions {
  std::optional<trace::NodeId> at;  // empty: where segments leave their sender
};

// One packet of a capture.
struct Packet {
  sim::Time time;
  trace::SegmentId id;  // the trace's segment id (a duplicate's copy id for a copy)
  net::Segment seg;
  bool corrupted = false;
};

// The packets a capture point sees, in trace order, from a finished trace's records.
std::vector<Packet> select_packets(const std::vector<trace::Record>& records, const CaptureOptions& options = {});

// The capture point at the host called `name`; nullopt and a message in `error` when no node
// has that name or it is a router (routers forward without delivering, so nothing reaches them).
std::optional<trace::NodeId> find_capture_host(const net::Network& network, std::string_view name, std::string* error);

// Writes `packets` to `path` as a pcap file (LINKTYPE_RAW, nanosecond timestamps). Returns
// false and sets `error` when the file cannot be written; `opened` (when given) then tells a
// path that could not be opened (false) from a write that failed (true, e.g. a full disk).
bool write_pcap(const std::string& path, const std::vector<Packet>& packets, std::string* error,
                bool* opened = nullptr);

// select_packets() over the trace's records, then write_pcap(). The trace must keep records.
bool write_capture(const std::string& path, const trace::Trace& trace, const CaptureOptions& options,
                   std::string* error, bool* opened = nullptr);

}  // namespace tcpsim::pcap
