// Trace records: the one source of truth for everything that happens in a run.
//
// Every layer appends records through Trace::emit(); the terminal ladder, JSON Lines, the GUI,
// expectations and summaries all read them and nothing else. A record is (index, time, body);
// the body is one of the structs below. Strings that name rules, states and timers are
// std::string_view into static storage (no allocation per record); free text (notes, app call
// arguments) is owned.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "models/net/wire/segment.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::trace {

using NodeId = std::uint32_t;     // index into Trace's node name table
using SegmentId = std::uint64_t;  // assigned when a segment is sent (or duplicated)
inline constexpr NodeId kNoNode = UINT32_MAX;
inline constexpr int kNoRule = -1;

enum class DropReason : std::uint8_t {
  Loss,           // the link's loss model (Bernoulli or Gilbert-Elliott)
  FaultRule,      // a scenario fault rule ("rule" says which)
  QueueOverflow,  // the link's drop-tail queue was full
  NoRoute,        // no host owns the destination address, or no path leads there
  Corrupted,      // arrived with a bad checksum (a "corrupt" fault rule damaged it)
};
inline constexpr int kDropReasons = 5;
const char* to_string(DropReason r);

enum class FaultAction : std::uint8_t { Drop, Delay, Duplicate, Corrupt };
const char* to_string(FaultAction a);

enum class EffectCause : std::uint8_t { Link, FaultRule };  // who duplicated / delayed a segment
enum class TimerOp : std::uint8_t { Armed, Fired, Cancelled };
const char* to_string(TimerOp op);
enum class Notice : std::uint8_t { Connected, Data, Eof, Error, Closed };
const char* to_string(Notice n);
enum class AppError : std::uint8_t { None, ConnRefused, TimedOut, ConnReset };
const char* to_string(AppError e);  // "ECONNREFUSED", ...

// A segment left `node` (its sender). `cause` names the rule that produced it, when TCP sent it;
// `retransmission` is the sending TCP's own word that it sends this segment again (a timeout, a
// fast retransmit, a repeated probe), not a guess from sequence numbers.
struct SegmentSent {
  SegmentId id;
  NodeId node;
  net::Segment seg;
  bool injected = false;  // crafted by the scenario, not by a TCP
  std::string_view cause{};
  bool retransmission = false;
};
// The segment reached the host that owns its destination address.
struct SegmentDelivered {
  SegmentId id;
  NodeId node;
};
// The segment is gone. `node` is where it was dropped, `toward` the link's far end if a link
// dropped it, `rule` the fault rule index for FaultRule.
struct SegmentDropped {
  SegmentId id;
  NodeId node;
  DropReason reason;
  int rule = kNoRule;
  NodeId toward = kNoNode;
};
// A second copy now travels too; it has its own id and its own fate.
struct SegmentDuplicated {
  SegmentId id;
  SegmentId copy;
  NodeId node;
  EffectCause cause;
  int rule = kNoRule;
};
// The segment was held back by `extra` on top of its normal delay (reordering or a fault rule).
struct SegmentDelayed {
  SegmentId id;
  NodeId node;
  EffectCause cause;
  int rule = kNoRule;
  sim::Duration extra{};
};
// A fault rule damaged the segment: it travels on and fails its checksum at the receiver.
struct SegmentCorrupted {
  SegmentId id;
  NodeId node;
  int rule;
};
struct StateChanged {
  NodeId node;
  net::ConnId conn;
  std::string_view from;
  std::string_view to;
  std::string_view cause;
};
struct TimerEvent {
  NodeId node;
  net::ConnId conn;
  std::string_view timer;  // "retransmit", "time-wait", ...
  TimerOp op;
  sim::Time deadline{};
  std::string_view cause{};  // Armed: the rule that (re)started it
};
struct AppCall {
  NodeId node;
  net::ConnId conn;
  std::string_view call;  // "listen", "connect", "send", "close", ...
  std::string args;
};
struct AppNotify {
  NodeId node;
  net::ConnId conn;
  Notice notice;
  AppError error = AppError::None;
  std::uint64_t bytes = 0;
};
// Free text: a scenario's note (node kNoNode), or what a host's TCP did without a segment or a
// state change (a discarded segment, a SYN dropped at a full queue), at that host and connection.
// `segment` is the arriving segment the note is about, if any; `discarded`: the TCP threw that
// segment away (delivered to the host, but dropped on arrival: the views draw it as dropped).
struct Note {
  std::string text;
  NodeId node = kNoNode;
  net::ConnId conn{};
  SegmentId segment = UINT64_MAX;
  bool discarded = false;
};

using Body = std::variant<SegmentSent, SegmentDelivered, SegmentDropped, SegmentDuplicated, SegmentDelayed,
                          SegmentCorrupted, StateChanged, TimerEvent, AppCall, AppNotify, Note>;

// The "kind" each body is written as in JSON Lines, in Body's order.
const char* kind_name(const Body& b);

struct Record {
  std::uint64_t index;
  sim::Time time;
  Body body;
};

}  // namespace tcpsim::trace
