// What a trace says about each segment, worked out once for every reader: the terminal ladder,
// the sequence diagram layout, the expectation checks and the GUI's inspector ask this index and
// do not work out a fate, a retransmission or a relative number on their own.
//
// Per segment (and per copy a link or fault rule made):
//  - where its record is, who sent it, and how its story ends: delivered (where), dropped (where,
//    why, which fault rule, on which link) or still in flight; what delayed or damaged it;
//  - whether it is a retransmission: the sending TCP's own word (SegmentSent::retransmission),
//    never a guess from sequence numbers (that guess, Wireshark's, lives in the pcap cross-check);
//  - its sequence and acknowledgment numbers relative to its connection *incarnation*. Each
//    direction (sender endpoint -> receiver endpoint) starts an incarnation at the ISN of a SYN
//    its TCP sends, and a later SYN with another ISN that is not a retransmission starts the next
//    one, as Wireshark starts a new stream on a reused port. A number that lies before its
//    incarnation's ISN (an old segment's, or an ACK of an injected SYN) has no relative value and
//    is shown absolute, and so is one beyond anything its incarnation has sent; a segment the
//    scenario injected belongs to no incarnation and is shown absolute throughout;
//  - whether its window differs from the previous segment of its direction (RSTs carry none).
// Built in one pass over the records, in trace order; a view that reveals records [0, cursor)
// asks fate_at() so that nothing after its cursor leaks into the picture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/trace.hpp"

namespace tcpsim::trace {

inline constexpr std::size_t kNoRecord = std::numeric_limits<std::size_t>::max();
inline constexpr SegmentId kNoSegment = std::numeric_limits<SegmentId>::max();

enum class Fate : std::uint8_t { InFlight, Delivered, Dropped };

// A sequence or acknowledgment number relative to an earlier incarnation of its direction.
struct EarlierNumber {
  std::uint32_t incarnation = 0;  // from 1
  std::uint32_t value = 0;
  bool operator==(const EarlierNumber&) const = default;
};

struct SegmentFacts {
  SegmentId id = kNoSegment;
  std::size_t record = kNoRecord;      // its SegmentSent, or the SegmentDuplicated that made the copy
  std::size_t end_record = kNoRecord;  // SegmentDelivered / SegmentDropped; kNoRecord: in flight at the end
  SegmentId copy_of = kNoSegment;      // a copy: the segment it copies
  NodeId sender = kNoNode;
  const net::Segment* seg = nullptr;   // points into the trace's records
  bool injected = false;
  bool retransmission = false;         // the sending TCP says it sends this segment again
  std::string_view cause;              // the rule that sent it (empty for injected segments)

  Fate fate = Fate::InFlight;          // at the end of the trace
  sim::Time end_time{};
  NodeId end_node = kNoNode;           // delivered to / dropped at
  DropReason reason{};
  int rule = kNoRule;                  // Dropped by a fault rule: which
  NodeId toward = kNoNode;             // Dropped by a link: its far end
  struct Effect {
    std::size_t record;                // the SegmentDelayed / SegmentCorrupted
    std::string text;                  // "delayed +50ms by fault rule 1", "reordered +3ms", ...
  };
  std::vector<Effect> effects;

  std::uint32_t incarnation = 0;       // of its direction, from 1; 0: none (injected, or no SYN seen)
  std::optional<std::uint32_t> rel_seq;  // relative to the incarnation's ISN; nullopt: show absolute
  std::optional<std::uint32_t> rel_ack;  // relative to the reverse direction's ISN
  // A number without a relative value that an earlier incarnation of its direction reaches (the
  // RST a restarted client sends in answer to its old connection's challenge ACK): which one, and
  // the number relative to it. Not shown; comparisons use it, since a kernel's ISNs are its own.
  std::optional<EarlierNumber> earlier_seq, earlier_ack;
  // An injected segment's numbers as signed offsets from the ISN of the incarnation its 4-tuple has
  // at that moment (nullopt: none; negative: before it, as an old duplicate's): not shown (a
  // crafted segment is shown as crafted), but what comparisons use, so that a segment crafted
  // against another ISN (a kernel's, its numbers moved by the same offset) compares by what it means.
  std::optional<std::int32_t> as_if_seq, as_if_ack;
  bool window_first = false;           // the first window its direction advertises
  bool window_changed = false;         // another window than the previous segment of its direction

  bool copy() const { return copy_of != kNoSegment; }
  // The effects recorded before `cursor`, joined: "delayed +50ms by fault rule 1; corrupted by fault rule 0".
  std::string effects_text(std::size_t cursor = kNoRecord) const;
  // Delivered, then thrown away by the receiving TCP (a full SYN queue, an unacceptable segment):
  // the Note that says so, and its text.
  std::size_t discard_record = kNoRecord;
  std::string_view discard_reason;
  bool discarded_before(std::size_t cursor) const { return discard_record != kNoRecord && discard_record < cursor; }
  bool ended_before(std::size_t cursor) const { return end_record != kNoRecord && end_record < cursor; }
  // Its fate as a view that reveals records [0, cursor) may tell it.
  Fate fate_at(std::size_t cursor) const { return ended_before(cursor) ? fate : Fate::InFlight; }
};

class TraceFacts {
 public:
  explicit TraceFacts(const Trace& trace);

  // nullptr for an id the trace never sent.
  const SegmentFacts* segment(SegmentId id) const {
    return id < segments_.size() && segments_[id].seg != nullptr ? &segments_[id] : nullptr;
  }
  // By segment id; entries with seg == nullptr are ids never used.
  const std::vector<SegmentFacts>& segments() const { return segments_; }
  // The segment a record starts (SegmentSent or SegmentDuplicated), kNoSegment for other records.
  SegmentId started_by(std::size_t record) const;
  std::uint64_t retransmissions() const { return retransmissions_; }

 private:
  std::vector<SegmentFacts> segments_;
  std::vector<std::pair<std::size_t, SegmentId>> starts_;  // (record, segment), by record
  std::uint64_t retransmissions_ = 0;
};

// How a dropped segment's reason reads: "loss", "fault rule 2", "queue overflow", "no route",
// "bad checksum".
std::string drop_text(DropReason reason, int rule);
// "1st", "2nd", "3rd", "4th", "11th", "21st": the n-th event, state or segment in messages.
std::string ordinal(std::size_t n);
// What dropped a trace's segments, count first, each fault rule by its own index:
// "2 by loss, 1 by fault rule 0" ("" when nothing was dropped).
std::string drop_reasons_text(const Trace& trace);

// A segment as one line of RFC shorthand, the same in every view:
//   "SYN,ACK seq=0 ack=91(abs) len=1000 win=0"
// Numbers are relative to the incarnation unless `absolute`, the segment is injected, or the
// number lies outside its incarnation (then marked "(abs)"); `rfc` writes RFC 9293 figure notation
// "<SEQ=100><ACK=301><CTL=SYN,ACK><DATA=1000>" with absolute numbers, as the figures do. The window
// is written always, never, or (Window::Changed) where it differs from the previous segment of its
// direction, and on the first segment of a direction too except in RFC notation (the figures
// leave it out).
struct LabelOptions {
  enum class Window : std::uint8_t { Never, Changed, Always };
  bool absolute = false;
  bool rfc = false;
  Window window = Window::Changed;
};
std::string segment_label(const SegmentFacts& f, const LabelOptions& o);

}  // namespace tcpsim::trace
