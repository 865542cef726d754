// RFC 9293 §3.3.2: the eleven connection states and the state diagram (Figure 5) as data.
//
// The diagram is a table: transition(State, Event) gives the next state, or nullopt when the
// event cannot occur in that state. Handlers in connection.cpp decide *which* event happened and
// Connection::set_state() is the one place that applies it, so the GUI can draw exactly the
// transitions the code can take and tests can enumerate them (all_transitions()).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tcpsim::tcp {

enum class State : std::uint8_t {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};
inline constexpr int kStateCount = 11;
inline constexpr std::array<State, kStateCount> kAllStates = {
    State::Closed,   State::Listen,    State::SynSent, State::SynReceived, State::Established, State::FinWait1,
    State::FinWait2, State::CloseWait, State::Closing, State::LastAck,     State::TimeWait};

// RFC spelling for display: "SYN-RECEIVED", "FIN-WAIT-1", ... (static storage).
std::string_view to_string(State s);
// tcpsim's trace/JSON spelling (RFC spelling with '-' -> '_'): "SYN_RECEIVED" (static storage).
std::string_view trace_name(State s);

// RFC 9293 §3.3.2: "A connection progresses through a series of states during its lifetime."
// The synchronized states are those after the handshake: ESTABLISHED and later.
bool is_synchronized(State s);

// What made the connection move: a user call, an arriving segment (as classified by the
// arrival handlers), or a timeout. Names follow Figure 5's edge labels.
enum class Event : std::uint8_t {
  PassiveOpen,       // user OPEN, passive
  ActiveOpen,        // user OPEN, active (also LISTEN -> SYN-SENT)
  RcvSyn,            // SYN without ACK (LISTEN, or the crossing SYN of a simultaneous open)
  RcvSynAck,         // acceptable SYN,ACK in SYN-SENT
  RcvAckOfSyn,       // acceptable ACK in SYN-RECEIVED
  RcvFin,            // FIN processed at step eight
  RcvAckOfFin,       // ACK that covers our FIN
  UserClose,         // user CLOSE
  UserAbort,         // user ABORT (or CLOSE turned into RST, §3.6.1 SHLD-3: unread data at CLOSE,
                     // or new data arriving after it)
  RcvRst,            // valid RST (or, without RFC 5961, an in-window SYN)
  ReturnToListen,    // passive-open SYN-RECEIVED: RST, in-window SYN, or SYN,ACK retries exhausted
  RetransmitGiveUp,  // R2 / SYN retries exhausted (§3.8.3)
  UserTimeout,       // §3.10.8 USER TIMEOUT
  TimeWaitExpired,   // §3.10.8 TIME-WAIT TIMEOUT (2 MSL)
  FinWait2Timeout,   // not in the RFC: Linux tcp_fin_timeout for an orphaned FIN-WAIT-2 (catalog D16)
};
inline constexpr int kEventCount = 15;

std::string_view to_string(Event e);

// RFC 9293 Figure 5 (plus the RST/abort/timeout edges the figure leaves to its notes and to
// §3.10): the state after `e` in state `s`, or nullopt if `e` cannot happen in `s`.
std::optional<State> transition(State s, Event e);

struct Transition {
  State from;
  Event event;
  State to;
};
// Every defined (state, event) pair, in State then Event order.
std::vector<Transition> all_transitions();

}  // namespace tcpsim::tcp
