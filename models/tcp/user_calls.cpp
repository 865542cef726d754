// User calls: RFC 9293 §3.10.1 OPEN, §3.10.2 SEND, §3.10.3 RECEIVE, §3.10.4 CLOSE, §3.10.5 ABORT,
// §3.10.6 STATUS (connection.cpp).
#include "models/tcp/connection.hpp"

namespace tcpsim::tcp {

// §3.10.1 CLOSED: "Create a new transmission control block (TCB) ... if passive, enter LISTEN".
CallError Connection::open_passive(sim::Time now, net::Endpoint local) {
  clock_ = now;
  if (state_ != State::Closed) return CallError::ConnectionAlreadyExists;
  reset_tcb();
  id_ = {.local = local, .remote = {}};
  passive_ = true;
  set_state(now, Event::PassiveOpen, "§3.10.1 OPEN (passive) -> LISTEN");
  return CallError::None;
}

// §3.10.1: "If active and the remote socket is specified, issue a SYN segment. An initial send
// sequence number (ISS) is selected. A SYN segment of the form <SEQ=ISS><CTL=SYN> is sent. Set
// SND.UNA to ISS, SND.NXT to ISS+1, enter SYN-SENT state, and return." (CLOSED and LISTEN.)
CallError Connection::open_active(sim::Time now, const net::ConnId& id, net::SeqNum iss) {
  clock_ = now;
  if (state_ != State::Closed && state_ != State::Listen) return CallError::ConnectionAlreadyExists;
  if (id.remote.port == 0) return CallError::RemoteSocketUnspecified;
  if (state_ == State::Closed) reset_tcb();  // fresh TCB
  id_ = id;
  passive_ = false;
  tcb_.iss = iss;
  tcb_.snd_una = iss;
  tcb_.snd_nxt = iss;
  set_state(now, Event::ActiveOpen, "§3.10.1 OPEN (active) -> SYN-SENT");
  send_syn(now, "§3.10.1 OPEN: <SEQ=ISS><CTL=SYN>");
  return CallError::None;
}

CallError Connection::send(sim::Time now, std::uint64_t octets, std::uint64_t* accepted) {
  return send_impl(now, [&] { return sndbuf_.append(octets); }, octets, accepted);
}

CallError Connection::send(sim::Time now, std::span<const std::uint8_t> bytes, std::uint64_t* accepted) {
  return send_impl(now, [&] { return sndbuf_.append(bytes); }, bytes.size(), accepted);
}

// §3.10.2 SEND: CLOSED "error: connection does not exist"; LISTEN without a remote socket
// "error: remote socket unspecified"; SYN-SENT, SYN-RECEIVED "Queue the data for transmission
// after entering ESTABLISHED state"; ESTABLISHED, CLOSE-WAIT "Segmentize the buffer and send it
// with a piggybacked acknowledgment"; FIN-WAIT-1 and later "error: connection closing".
template <typename Append>
CallError Connection::send_impl(sim::Time now, Append append, std::uint64_t asked, std::uint64_t* accepted) {
  clock_ = now;
  if (accepted) *accepted = 0;
  switch (state_) {
    case State::Closed: return CallError::ConnectionDoesNotExist;
    case State::Listen: return CallError::RemoteSocketUnspecified;
    case State::SynSent:
    case State::SynReceived:
    case State::Established:
    case State::CloseWait: break;
    default: return CallError::ConnectionClosing;
  }
  if (fin_queued_ || close_pending_) return CallError::ConnectionClosing;
  const std::uint64_t took = append();
  if (accepted) *accepted = took;
  if (took == 0 && asked > 0) return CallError::InsufficientResources;
  if (state_ == State::Established || state_ == State::CloseWait) output(now);
  return CallError::None;
}

// §3.10.3 RECEIVE: data first, then "connection closing" once the FIN has been read past.
ReceiveResult Connection::receive(sim::Time now, std::uint64_t max) {
  clock_ = now;
  ReceiveResult r;
  if (state_ == State::Closed && rcvbuf_.unread() == 0) {
    r.error = CallError::ConnectionDoesNotExist;
    return r;
  }
  r.octets = rcvbuf_.read(max, &r.bytes);
  tcb_.rcv_wnd = rcvbuf_.window();
  r.eof = fin_received_ && rcvbuf_.unread() == 0;
  if (r.eof && r.octets == 0) r.error = CallError::ConnectionClosing;
  if (r.octets > 0) send_window_update_if_needed();
  return r;
}

// §3.10.4 CLOSE.
CallError Connection::close(sim::Time now, CloseMode mode) {
  clock_ = now;
  switch (state_) {
    case State::Closed: return CallError::ConnectionDoesNotExist;
    case State::Listen:
      // "Any outstanding RECEIVEs are returned with "error: closing" responses. Delete TCB, enter
      // CLOSED state, and return."
      set_state(now, Event::UserClose, "§3.10.4 CLOSE in LISTEN -> CLOSED");
      return CallError::None;
    case State::SynSent:
      // "Delete the TCB and return "error: closing" responses to any queued SENDs, or RECEIVEs."
      set_state(now, Event::UserClose, "§3.10.4 CLOSE in SYN-SENT -> CLOSED");
      return CallError::None;
    case State::SynReceived:
      // "If no SENDs have been issued and there is no pending data to send, then form a FIN
      // segment and send it, and enter FIN-WAIT-1 state; otherwise, queue for processing after
      // entering ESTABLISHED state."
      if (sndbuf_.size() > 0) {
        close_pending_ = true;
        full_close_ = mode == CloseMode::Full;
        return CallError::None;
      }
      fin_queued_ = true;
      full_close_ = mode == CloseMode::Full;
      set_state(now, Event::UserClose, "§3.10.4 CLOSE in SYN-RECEIVED -> FIN-WAIT-1");
      output(now);
      return CallError::None;
    case State::Established:
    case State::CloseWait:
      if (mode == CloseMode::Full && params_.rst_on_close_with_unread && rcvbuf_.unread() > 0) {
        // §3.6.1 SHLD-3: "If such a host issues a CLOSE call while received data is still pending
        // in the TCP connection ... its TCP implementation SHOULD send a RST to show that data was lost."
        send_abort_rst("§3.6.1 SHLD-3: CLOSE with unread data -> RST");
        rcvbuf_.clear();
        set_state(now, Event::UserAbort, "§3.6.1 SHLD-3: CLOSE with unread data -> CLOSED");
        return CallError::None;
      }
      // ESTABLISHED: "Queue this until all preceding SENDs have been segmentized, then form a FIN
      // segment and send it. In any case, enter FIN-WAIT-1 state." CLOSE-WAIT: "... enter LAST-ACK".
      fin_queued_ = true;
      full_close_ = mode == CloseMode::Full;
      set_state(now, Event::UserClose,
                state_ == State::Established ? "§3.10.4 CLOSE in ESTABLISHED -> FIN-WAIT-1"
                                             : "§3.10.4 CLOSE in CLOSE-WAIT -> LAST-ACK");
      output(now);
      return CallError::None;
    default:
      // FIN-WAIT-1/2: "Strictly speaking, this is an error and should receive an "error:
      // connection closing" response." CLOSING, LAST-ACK, TIME-WAIT: "error: connection closing".
      // After a half-close (shutdown) the socket close() still orphans the connection: the
      // linux-profile rules for closed sockets apply from now on (catalog D16, 3.19).
      if (mode == CloseMode::Full && !full_close_) {
        full_close_ = true;
        arm_fin_wait_2_timer(now);
      }
      return CallError::ConnectionClosing;
  }
}

// §3.10.5 ABORT.
CallError Connection::abort(sim::Time now) {
  clock_ = now;
  switch (state_) {
    case State::Closed: return CallError::ConnectionDoesNotExist;
    case State::Listen:
    case State::SynSent:
      // "Any outstanding RECEIVEs should be returned with "error: connection reset" responses.
      // Delete TCB, enter CLOSED state, and return." (No segment.)
      set_state(now, Event::UserAbort, "§3.10.5 ABORT in LISTEN/SYN-SENT -> CLOSED, no segment");
      return CallError::None;
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
      // "Send a reset segment: <SEQ=SND.NXT><CTL=RST>. All queued SENDs and RECEIVEs should be
      // given "reset" notification; all segments queued for transmission (except for the RST
      // formed above) or retransmission should be flushed. Delete the TCB, enter CLOSED state".
      send_abort_rst("§3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>");
      rcvbuf_.clear();
      set_state(now, Event::UserAbort, "§3.10.5 ABORT -> CLOSED");
      return CallError::None;
    default:
      // CLOSING, LAST-ACK, TIME-WAIT: "Respond with "ok" and delete the TCB, enter CLOSED state".
      set_state(now, Event::UserAbort, "§3.10.5 ABORT in CLOSING/LAST-ACK/TIME-WAIT -> CLOSED, no RST");
      return CallError::None;
  }
}

}  // namespace tcpsim::tcp
