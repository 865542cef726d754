// Two traces side by side: which segments and state changes the runs share, which differ and
// how, and which only one run has. The CLI's `tcpsim compare` and the GUI's Compare tab read the
// same alignment.
//
// The events compared are the segments TCPs and scenarios send (SegmentSent; a link's copies are
// effects, not sends) and the state changes, in trace order. An event's key is what makes it "the
// same event" in both runs:
//   - a segment: its sender's name, source and destination addresses (not ports: another seed
//     picks other ephemeral ports), flags, sequence and acknowledgment numbers relative to the
//     connection incarnation (trace::TraceFacts; absolute where a number has no relative value,
//     so runs with different ISNs compare), and length;
//   - a state change: the host's name, its local address, the state left and the state entered.
// The alignment is a longest common subsequence of the keys (after the common head and tail), as
// diff aligns lines: an extra retransmission on one side is one row "only in A", and the rows
// after it match again. Between two matched rows, an A event and a B event of the same lane (the
// same sender and addresses, or the same host and address) are paired as one row that differs in
// its key fields; the rest are rows of one side. A matched row may still differ in its window
// (unless CompareOptions::windows is off), its fate (delivered, dropped, discarded on arrival, in
// flight) or its time (beyond a tolerance).
//
// With a tolerance, the alignment prefers pairs within it: a match no further apart than the
// tolerance weighs twice one further apart, so of two equally long alignments the one that pairs a
// retransmission with its counterpart sent at the same time wins over one that pairs it with the
// next copy. Two events of the same key that the runs have in the other order, no further apart in
// time than the tolerance (a state change and the segment it sends, recorded by a kernel in the
// order it did them; two hosts' timers firing on the same tick), are one row, not an "only in A"
// and an "only in B".
//
// When the part between the common head and tail is too long for the table (more than
// kMaxAlignCells pairs), its events are paired in order instead, lane by lane, and
// Comparison::in_order says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/trace/facts.hpp"

namespace tcpsim::trace {

enum class RowKind : std::uint8_t { Same, Differs, OnlyA, OnlyB };

// What differs between the two events of a row (bits).
enum Difference : unsigned {
  kDiffFlags = 1u << 0,
  kDiffSeq = 1u << 1,
  kDiffAck = 1u << 2,
  kDiffLen = 1u << 3,
  kDiffWin = 1u << 4,
  kDiffFate = 1u << 5,
  kDiffTime = 1u << 6,
  kDiffState = 1u << 7,  // a state change: the state left or entered
};
// "flags, seq, fate" in the order above.
std::string difference_names(unsigned differences);

struct CompareRow {
  RowKind kind = RowKind::Same;
  std::size_t a = kNoRecord;  // the record in A (kNoRecord: only in B)
  std::size_t b = kNoRecord;  // the record in B (kNoRecord: only in A)
  unsigned differences = 0;   // Differs: which fields
  bool segment = false;       // a segment sent (else a state change)
};

// One side of a comparison: a trace, its facts, and how it is called in texts ("A", "rfc9293").
struct CompareSide {
  const Trace* trace = nullptr;
  const TraceFacts* facts = nullptr;
  std::string name;
};

struct CompareOptions {
  sim::Duration tolerance = sim::Duration::zero();  // times further apart than this differ
  // false: advertised windows are not compared. A kernel sizes its windows from its memory and
  // scales them; the model from its profile: they differ even where the behaviour agrees.
  bool windows = true;
  // false: a segment its receiver discarded on arrival counts as delivered. A kernel's trace
  // cannot say what its TCP threw away; the model's can.
  bool discards = true;
  // false: the PSH bit is not compared. Linux sets it at the end of each buffer it pushes, whose
  // size follows its segmentation offload and pacing (tcp_xmit_size_goal(), tcp_tso_autosize(),
  // forced_push()), which the model does not have; PSH changes nothing in connection management.
  bool psh = true;
};

// How a kernel's trace is compared with another run: times within `tolerance` are the same (its
// timers tick at HZ and fire late; 35 ms by default), windows (a kernel scales them), discards
// (its trace cannot see them) and the PSH bit (it follows the kernel's buffer sizes) are left out.
inline constexpr sim::Duration kKernelTolerance = sim::Duration::ms(35);
inline CompareOptions kernel_options(sim::Duration tolerance = kKernelTolerance) {
  return {.tolerance = tolerance, .windows = false, .discards = false, .psh = false};
}

inline constexpr std::size_t kMaxAlignCells = 16'000'000;

class Comparison {
 public:
  // Aligns the two sides; both must outlive the Comparison.
  Comparison(CompareSide a, CompareSide b, const CompareOptions& options = {});

  const std::vector<CompareRow>& rows() const { return rows_; }
  const CompareSide& a() const { return a_; }
  const CompareSide& b() const { return b_; }
  bool equal() const { return first_difference_ == rows_.size(); }
  // Index into rows() of the first row that is not Same; rows().size() when none.
  std::size_t first_difference() const { return first_difference_; }
  bool in_order() const { return in_order_; }
  std::size_t count(RowKind kind) const;

  // What a side's event of `row` is: "A sends FIN,ACK seq=1 ack=1 (lost: loss)", "B enters
  // TIME-WAIT"; "" when the side has no event in this row.
  std::string event_text(const CompareRow& row, bool side_a) const;
  // The same, and where the side has no event in this row what it lacks: "sends nothing like it",
  // "has no such state change".
  std::string side_text(const CompareRow& row, bool side_a) const;
  // How the row's events differ: "seq 1 vs 2; fate delivered vs lost: loss; time 0.3 s vs 1.2 s".
  std::string difference_text(const CompareRow& row) const;
  // "first difference at t=0.300000 s: A: client sends FIN,ACK seq=1 ack=1; B: client sends ACK
  // seq=1 ack=2 [flags FIN,ACK vs ACK; ack 1 vs 2]", or "the runs agree: 12 segments and 9 state
  // changes"; then a line of counts per kind of row.
  std::string summary() const;
  // The counts per kind of row: "17 same, 4 differ, 0 only in A, 0 only in B".
  std::string counts_text() const;

 private:
  CompareSide a_, b_;
  CompareOptions options_;
  std::vector<CompareRow> rows_;
  std::size_t first_difference_ = 0;
  bool in_order_ = false;
};

// One endpoint's states in a trace, as the alignment's state lanes see an endpoint: a host and its
// local address; the state its first change left, then every state it entered, in trace order,
// over all its connections (a listener's LISTEN included). States in RFC spelling ("SYN-SENT").
struct StatePath {
  std::string host;
  net::Ipv4 address;
  std::vector<std::string> states;
};
// Every endpoint that changes state, in the order of its first change.
std::vector<StatePath> state_paths(const Trace& t);

// The lifelines a side of a comparison is drawn with: the nodes that send, receive or change
// state (routers only drop, and get none) in node order (a run registers its nodes in scenario
// order, a trace read back in the order it names them), the names in `first` first, in that
// order, so that a host has the same lifeline on both sides.
class Lifelines {
 public:
  explicit Lifelines(const Trace& t, const std::vector<std::string>& first = {});
  const std::vector<std::string>& names() const { return names_; }
  int size() const { return static_cast<int>(names_.size()); }
  int column(NodeId node) const;  // -1 for a node without a lifeline
  // Where a segment's arrow goes: the host it was delivered to, else the host whose own address
  // (as its segments and states show it) it was sent to; -1 when no host has that address.
  int target(const SegmentFacts& f) const;

 private:
  std::vector<std::string> names_;
  std::map<NodeId, int> column_;
  std::map<std::uint32_t, NodeId> owner_;  // address -> the host seen using it
};

}  // namespace tcpsim::trace
