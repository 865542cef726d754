// What a sans-IO Connection asks of its host: send or discard segments, arm and cancel timers,
// tell the application, report state changes, and pick an ISS. Every segment and state change
// carries a `cause` naming the RFC rule, as a string in static storage (trace records keep the
// string_view).
#pragma once

#include <cstdint>
#include <string_view>

#include "models/net/wire/address.hpp"
#include "models/net/wire/segment.hpp"
#include "models/tcp/state.hpp"
#include "sim/kernel/tie_order.hpp"
#include "sim/kernel/time.hpp"
#include "sim/trace/record.hpp"

namespace tcpsim::tcp {

// The timers a TCB owns (RFC 9293 §3.8, §3.10.8). Each is armed at most once at a time; arming
// again replaces the deadline.
enum class TimerKind : std::uint8_t { Retransmit, Persist, TimeWait, UserTimeout, DelayedAck, Keepalive, FinWait2, LossProbe };
inline constexpr int kTimerKindCount = 8;
// "retransmit", "persist", "time-wait", "user-timeout", "delayed-ack", "keepalive", "fin-wait-2", "loss-probe"
// (static).
std::string_view to_string(TimerKind k);

// Where a timer is kept: the loss probe takes the retransmission timer's place and never runs
// beside it (Linux: one icsk_retransmit_timer, icsk_pending says which), so a TCB keeps 7.
inline constexpr int kTimerSlotCount = 7;
constexpr int timer_slot(TimerKind k) {
  return k == TimerKind::LossProbe ? static_cast<int>(TimerKind::Retransmit) : static_cast<int>(k);
}

// RFC 9293 §3.10 user-call error responses ("error: connection does not exist", ...).
enum class CallError : std::uint8_t {
  None,
  ConnectionDoesNotExist,   // "error: connection does not exist"
  ConnectionAlreadyExists,  // "error: connection already exists"
  ConnectionClosing,        // "error: connection closing"
  RemoteSocketUnspecified,  // "error: remote socket unspecified"
  InsufficientResources,    // "error: insufficient resources" (SEND with a full buffer)
};
std::string_view to_string(CallError e);

class Actions {
 public:
  virtual ~Actions() = default;
  // `retransmission`: the segment is one this connection sent before, sent again (a timeout, a
  // fast retransmit, a repeated window probe, a SYN,ACK answered again): the model's own fact.
  virtual void send(const net::Segment& seg, std::string_view cause, bool retransmission) = 0;
  virtual void discard(const net::Segment& seg, std::string_view cause) = 0;
  // Arms (or restarts) `timer` for `deadline`, placed among the events of that instant by `order`
  // (the timer wheel's order on a tick clock: jiffies.hpp); `cause` names the rule, like every
  // other action's.
  virtual void arm(TimerKind timer, sim::Time deadline, sim::TieOrder order, std::string_view cause) = 0;
  virtual void cancel(TimerKind timer) = 0;
  // Connected, Data (bytes = octets newly readable), Eof, Error (with the AppError), Closed.
  virtual void notify(trace::Notice notice, trace::AppError error, std::uint64_t bytes) = 0;
  virtual void state_changed(State from, State to, std::string_view cause) = 0;
  // RFC 9293 §3.4.1: the host computes the ISN (MUST-8/9: clock + keyed hash of the 4-tuple).
  // Asked when a LISTEN connection accepts a SYN; an active OPEN takes the ISS as an argument.
  virtual net::SeqNum choose_iss(sim::Time now, const net::ConnId& id) = 0;
  // The SYN,ACK retries a passive SYN-RECEIVED connection has in all (TcpParams::prune_old_requests):
  // `configured`, or fewer when its listener's SYN queue is crowded with old requests. Asked when
  // its retransmission timer expires; a connection without a listener keeps `configured`.
  virtual int synack_retry_limit(int configured) const { return configured; }
};

}  // namespace tcpsim::tcp
