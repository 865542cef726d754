// Timeouts: RFC 9293 §3.10.8 (USER TIMEOUT, RETRANSMISSION TIMEOUT, TIME-WAIT TIMEOUT), §3.8.3
// (giving up: R2, MUST-20..23), §3.8.4 (keep-alives), §3.8.6.1 (zero-window probing),
// RFC 6298 §5 (5.4-5.6).
#include <algorithm>

#include "models/tcp/connection.hpp"

namespace tcpsim::tcp {

// §3.8.3: R2 is measured per segment, "in time units or as a count of retransmissions". The
// SYN (SYN-SENT), the SYN,ACK (SYN-RECEIVED and a FIN-WAIT-1 entered from it) and everything
// else (data, FIN) have separate limits. The time is measured from when the segment at the front
// of the queue was first sent (or became the front by an ACK).
bool Connection::retries_exhausted(sim::Time now) const {
  RetryLimit limit = state_ == State::SynSent ? params_.syn_retries
                     : syn_unacked()          ? params_.synack_retries
                                              : params_.r2;
  if (state_ == State::SynReceived && passive_ && params_.prune_old_requests && limit.count) {
    limit.count = actions_.synack_retry_limit(*limit.count);  // the listener's SYN queue decides
  }
  if (orphan_limit_applies()) {
    // Deviation (linux profile, TcpParams::orphan_retries, catalog 3.19): once the application
    // has closed the socket, tcp_write_timeout() counts against tcp_orphan_retries (0 means 8
    // "if socket sent something recently") instead of tcp_retries2. Simplification: counted in
    // retransmissions, where Linux converts the count into the time 8 doublings from 200 ms take.
    limit.count = static_cast<int>(*params_.orphan_retries);
  }
  if (limit.count && retransmissions_ >= *limit.count) return true;
  if (limit.duration && now - front_first_sent_ >= *limit.duration) return true;
  return false;
}

// "For any state if the retransmission timeout expires on a segment in the retransmission
// queue, send the segment at the front of the retransmission queue again, reinitialize the
// retransmission timer, and return."
void Connection::on_retransmit_expired(sim::Time now) {
  if (retries_exhausted(now)) {
    if (state_ == State::SynReceived && passive_) {
      // Not in the RFC; as Linux's request sockets, a passive open whose SYN,ACK retries are
      // exhausted is dropped silently, no RST (catalog 3.6; reqsk_timer_handler()).
      const bool pruned = params_.synack_retries.count && retransmissions_ < *params_.synack_retries.count;
      drop_passive_request(now, Event::RetransmitGiveUp, "§3.8.3: SYN,ACK retries exhausted -> LISTEN",
                           pruned ? "linux reqsk_timer_handler: SYN queue crowded with old requests -> fewer SYN,ACK retries, request dropped, CLOSED"
                                  : "§3.8.3: SYN,ACK retries exhausted -> request dropped, CLOSED");
      return;
    }
    // §3.8.3 MUST-20: "When the number of transmissions of the same segment reaches a threshold
    // R2 greater than R1, close the connection." Linux reports ETIMEDOUT.
    reset_connection(now, trace::AppError::TimedOut, Event::RetransmitGiveUp,
                     orphan_limit_applies() ? "linux tcp_orphan_retries reached (closed socket) -> close, ETIMEDOUT"
                                            : "§3.8.3: R2 reached -> close, ETIMEDOUT");
    return;
  }
  const bool handshake = syn_unacked();
  // RFC 5681 §3.1 / tcp_enter_loss(): the window collapses to one segment (congestion.hpp).
  if (!handshake) cc_.on_timeout(params_, data_in_flight(), tcb_.snd_nxt, retransmissions_ == 0);
  // RFC 6298 (5.5): "The host MUST set RTO <- RTO * 2 ("back off the timer")."
  // Deviation (linux profile, D10): tcp_syn_linear_timeouts keeps the first N SYN RTOs at 1 s.
  if (!(state_ == State::SynSent && retransmissions_ < params_.syn_linear_timeouts)) rto_.back_off();
  ++retransmissions_;
  if (handshake && handshake_retransmissions_ < 255) ++handshake_retransmissions_;
  rtt_seq_.reset();  // RFC 6298 §3 (Karn): no RTT sample from a retransmitted segment
  if (recovery_) recovery_->enter_recovery(tcb_.snd_nxt);  // tcp_enter_loss(): no loss probe until it is repaired
  retransmit_front(now);
  // RFC 6298 (5.6): "Start the retransmission timer, such that it expires after RTO seconds".
  arm(TimerKind::Retransmit, now, rto_.rto(), "RFC 6298 (5.5)-(5.6): timeout -> back off, retransmit, restart the timer");
  if (recovery_) recovery_->rto_due = now + rto_.rto();
}

// The tail loss probe in the retransmission timer's place, if it may (recovery.hpp;
// tcp_schedule_loss_probe()): `rto_left` is how far in the future the RTO is, a whole RTO after an
// ACK that advances it (tcp_set_xmit_timer()), else what is left of the one running for the
// segment at SND.UNA (tcp_rto_delta_us()). True when the probe was armed.
bool Connection::arm_loss_probe(sim::Time now, sim::Duration rto_left) {
  if (!recovery_ || !is_synchronized(state_) || syn_unacked()) return false;
  const auto pto = recovery_->probe_timeout(params_, options_, rto_, tick_clock(), rto_left);
  if (!pto) return false;
  cancel(TimerKind::Retransmit);
  arm(TimerKind::LossProbe, now, *pto, "RFC 8985 7.2 (tcp_schedule_loss_probe): tail sent -> loss probe in 2 SRTT (PTO)");
  return true;
}

// RFC 8985 §7.3 (tcp_send_loss_probe()): "When the PTO timer expires ... If such a segment is not
// available, then the sender SHOULD retransmit the most recent segment sent". Then the RTO runs
// again: in full from now when a probe left, else for what was left of it (tcp_rearm_rto()).
void Connection::on_loss_probe_expired(sim::Time now) {
  LossRecovery& r = *recovery_;  // armed only with it (arm_loss_probe())
  if (!r.may_probe()) {
    arm(TimerKind::Retransmit, now, std::max(r.rto_due - now, sim::Duration::ns(1)),
        "tcp_send_loss_probe(): a probe is outstanding -> the RTO for what is left of it");
    return;
  }
  const std::int64_t usable = (tcb_.snd_una + tcb_.snd_wnd) - tcb_.snd_nxt;
  const std::uint64_t before = segments_sent_;
  if (unsent() > 0 && usable > 0 && !fin_sent_) send_data_segment(now, /*probe=*/true);  // new data: one segment
  if (segments_sent_ == before) resend_tail("RFC 8985 7.3 (tcp_send_loss_probe): PTO -> the last segment again");
  r.probe_sent(tcb_.snd_nxt);
  arm(TimerKind::Retransmit, now, rto_.rto(), "tcp_send_loss_probe(): probe sent -> restart the RTO from now, not backed off");
  r.rto_due = now + rto_.rto();
}

// §3.8.6.1: "The sending TCP peer must regularly transmit at least one octet of new data (if
// available), or retransmit to the receiving TCP peer even if the send window is zero, in order
// to "probe" the window." SHLD-30: the interval increases exponentially.
void Connection::on_persist_expired(sim::Time now) {
  if (tcb_.snd_wnd > 0 && sws_held_) {
    // §3.8.6.2.1 (4): "or if the override timeout occurs": send what the window allows.
    sws_override_ = true;
    output(now);
    sws_override_ = false;
    return;
  }
  if (tcb_.snd_wnd > 0 || (unsent() == 0 && !probe_outstanding_)) return;
  net::Segment probe;
  bool resend = false;  // the same probe octet again
  if (params_.zero_window_probe == ProbeKind::ZeroLengthOld) {
    // Deviation (linux profile, D15): tcp_xmit_probe_skb() sends no data at SND.UNA - 1, "Use a
    // previous sequence. This should cause the other end to send an ack."
    probe = make_segment(tcb_.snd_una - 1, {.ack = true});
  } else {
    const bool again = probe_outstanding_;
    resend = again;
    const std::uint64_t offset = again ? 0 : data_in_flight();
    probe = make_segment(again ? tcb_.snd_una : tcb_.snd_nxt, {.ack = true});
    probe.payload_len = 1;
    if (auto bytes = sndbuf_.copy(offset, 1); !bytes.empty()) probe.payload = net::Payload(std::move(bytes));
    if (!again) {
      tcb_.snd_nxt += 1;
      probe_outstanding_ = true;
    }
  }
  emit(probe, "§3.8.6.1: zero window -> window probe", resend);
  persist_interval_ = std::min(params_.rto_max, persist_interval_ * 2);
  arm(TimerKind::Persist, now, persist_interval_, "§3.8.6.1 SHLD-30: probe sent -> persist again, interval doubled");
}

// "If the time-wait timeout expires on a connection, delete the TCB, enter the CLOSED state".
void Connection::on_time_wait_expired(sim::Time now) {
  actions_.notify(trace::Notice::Closed, trace::AppError::None, 0);
  set_state(now, Event::TimeWaitExpired, "§3.10.8: time-wait timeout (2 MSL) -> CLOSED");
}

// "For any state if the user timeout expires, flush all queues, signal the user "error:
// connection aborted due to user timeout" in general and for any outstanding calls, delete the
// TCB, enter the CLOSED state, and return."
void Connection::on_user_timeout_expired(sim::Time now) {
  reset_connection(now, trace::AppError::TimedOut, Event::UserTimeout,
                   "§3.10.8: user timeout -> connection aborted");
}

// §3.8.4: "Keep-alive packets MUST only be sent when no sent data is outstanding, and no data or
// acknowledgment packets have been received for the connection within an interval (MUST-26)."
// The idle timer restarts on every arrival in a synchronized state (restart_keepalive).
void Connection::on_keepalive_expired(sim::Time now) {
  if (state_ != State::Established && state_ != State::CloseWait) return;
  if (tcb_.snd_una != tcb_.snd_nxt) {
    arm(TimerKind::Keepalive, now, params_.keepalive_idle, "§3.8.4: data outstanding -> no probe, wait another idle period");
    return;
  }
  if (keepalive_probes_ >= params_.keepalive_probes) {
    // "a connection [...] SHOULD be closed if no response to keep-alive probes is received" is not
    // RFC text; BSD and Linux give up after tcp_keepalive_probes and report ETIMEDOUT.
    reset_connection(now, trace::AppError::TimedOut, Event::RetransmitGiveUp,
                     "§3.8.4: keep-alive probes unanswered -> close, ETIMEDOUT");
    return;
  }
  // "Such a segment generally contains SEG.SEQ = SND.NXT-1 and may or may not contain one garbage
  // octet of data." (SHLD-12: no data.)
  ++keepalive_probes_;
  emit(make_segment(tcb_.snd_nxt - 1, {.ack = true}), "§3.8.4: idle -> keep-alive probe <SEQ=SND.NXT-1>");
  arm(TimerKind::Keepalive, now, params_.keepalive_interval, "§3.8.4: probe sent -> wait the keep-alive interval");
}

// Deviation (linux profile, TcpParams::fin_wait_2_timeout, catalog 2.10 and D16): RFC 9293 has
// no FIN-WAIT-2 timer, but Linux gives an orphaned FIN_WAIT2 socket tcp_fin_time() =
// max(tcp_fin_timeout, 3.5 RTO), from the ACK of our FIN (tcp_rcv_state_process()) or from a
// close() in FIN_WAIT2 (tcp_close()). A half-closed connection (shutdown) keeps waiting.
void Connection::arm_fin_wait_2_timer(sim::Time now) {
  if (state_ != State::FinWait2 || !orphaned() || !params_.fin_wait_2_timeout) return;
  const sim::Duration rto = rto_.rto();
  arm(TimerKind::FinWait2, now, std::max(*params_.fin_wait_2_timeout, rto * 4 - rto / 2),
      "linux tcp_fin_time(): orphaned FIN-WAIT-2 -> max(tcp_fin_timeout, 3.5 RTO)");
}

// The orphaned FIN-WAIT-2 socket is destroyed without a segment (the timewait socket Linux
// keeps for the rest of tcp_fin_timeout sends nothing either).
void Connection::on_fin_wait_2_expired(sim::Time now) {
  actions_.notify(trace::Notice::Closed, trace::AppError::None, 0);
  set_state(now, Event::FinWait2Timeout, "linux tcp_fin_timeout: orphaned FIN-WAIT-2 -> CLOSED");
}

void Connection::restart_keepalive(sim::Time now) {
  if (!params_.keepalive || (state_ != State::Established && state_ != State::CloseWait)) return;
  keepalive_probes_ = 0;
  arm(TimerKind::Keepalive, now, params_.keepalive_idle, "§3.8.4: connection idle -> keep-alive timer restarts");
}

}  // namespace tcpsim::tcp
