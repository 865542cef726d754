// RFC 9293 §3.3.2 Figure 5 (TCP connection state diagram) and its notes, as a table.
#include "models/tcp/state.hpp"

namespace tcpsim::tcp {

std::string_view to_string(State s) {
  switch (s) {
    case State::Closed: return "CLOSED";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RECEIVED";
    case State::Established: return "ESTABLISHED";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST-ACK";
    case State::TimeWait: return "TIME-WAIT";
  }
  return "?";
}

std::string_view trace_name(State s) {
  switch (s) {
    case State::Closed: return "CLOSED";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN_SENT";
    case State::SynReceived: return "SYN_RECEIVED";
    case State::Established: return "ESTABLISHED";
    case State::FinWait1: return "FIN_WAIT_1";
    case State::FinWait2: return "FIN_WAIT_2";
    case State::CloseWait: return "CLOSE_WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST_ACK";
    case State::TimeWait: return "TIME_WAIT";
  }
  return "?";
}

bool is_synchronized(State s) {
  switch (s) {
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait: return true;
    case State::Closed:
    case State::Listen:
    case State::SynSent:
    case State::SynReceived: return false;
  }
  return false;
}

std::string_view to_string(Event e) {
  switch (e) {
    case Event::PassiveOpen: return "passive OPEN";
    case Event::ActiveOpen: return "active OPEN";
    case Event::RcvSyn: return "rcv SYN";
    case Event::RcvSynAck: return "rcv SYN,ACK";
    case Event::RcvAckOfSyn: return "rcv ACK of SYN";
    case Event::RcvFin: return "rcv FIN";
    case Event::RcvAckOfFin: return "rcv ACK of FIN";
    case Event::UserClose: return "CLOSE";
    case Event::UserAbort: return "ABORT";
    case Event::RcvRst: return "rcv RST";
    case Event::ReturnToListen: return "return to LISTEN";
    case Event::RetransmitGiveUp: return "retransmission give-up";
    case Event::UserTimeout: return "user timeout";
    case Event::TimeWaitExpired: return "2MSL timeout";
    case Event::FinWait2Timeout: return "FIN-WAIT-2 timeout";
  }
  return "?";
}

namespace {

using S = State;
using E = Event;

// Edges every state holding a TCB shares: RFC 9293 Figure 5 note 3 ("A transition from any
// state to CLOSED on RST"), §3.10.5 ABORT, §3.10.8 USER TIMEOUT and the §3.8.3 R2 give-up.
std::optional<State> common_edges(State s, Event e) {
  if (s == S::Closed) return std::nullopt;
  switch (e) {
    case E::UserAbort:
    case E::UserTimeout: return S::Closed;
    case E::RcvRst:
    case E::RetransmitGiveUp: return s == S::Listen ? std::nullopt : std::optional<State>{S::Closed};
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<State> transition(State s, Event e) {
  switch (s) {
    case S::Closed:
      if (e == E::PassiveOpen) return S::Listen;
      if (e == E::ActiveOpen) return S::SynSent;
      break;
    case S::Listen:
      if (e == E::RcvSyn) return S::SynReceived;
      if (e == E::ActiveOpen) return S::SynSent;  // "SEND" edge of Figure 5
      if (e == E::UserClose) return S::Closed;
      break;
    case S::SynSent:
      if (e == E::RcvSyn) return S::SynReceived;  // simultaneous open
      if (e == E::RcvSynAck) return S::Established;
      if (e == E::UserClose) return S::Closed;
      break;
    case S::SynReceived:
      if (e == E::RcvAckOfSyn) return S::Established;
      if (e == E::UserClose) return S::FinWait1;
      if (e == E::ReturnToListen) return S::Listen;  // Figure 5 note 1: only after a passive OPEN
      break;
    case S::Established:
      if (e == E::UserClose) return S::FinWait1;
      if (e == E::RcvFin) return S::CloseWait;
      break;
    case S::FinWait1:
      if (e == E::RcvAckOfFin) return S::FinWait2;
      if (e == E::RcvFin) return S::Closing;
      break;
    case S::FinWait2:
      if (e == E::RcvFin) return S::TimeWait;
      if (e == E::FinWait2Timeout) return S::Closed;  // catalog 2.10, D16 (linux profile)
      break;
    case S::CloseWait:
      if (e == E::UserClose) return S::LastAck;  // RFC 1122 §4.2.2.20(a): not CLOSING
      break;
    case S::Closing:
      if (e == E::RcvAckOfFin) return S::TimeWait;
      break;
    case S::LastAck:
      if (e == E::RcvAckOfFin) return S::Closed;
      break;
    case S::TimeWait:
      if (e == E::TimeWaitExpired) return S::Closed;
      break;
  }
  return common_edges(s, e);
}

std::vector<Transition> all_transitions() {
  std::vector<Transition> out;
  for (State s : kAllStates) {
    for (int i = 0; i < kEventCount; ++i) {
      const auto e = static_cast<Event>(i);
      if (auto to = transition(s, e)) out.push_back({s, e, *to});
    }
  }
  return out;
}

}  // namespace tcpsim::tcp
