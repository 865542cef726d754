// Building and sending segments: RFC 9293 §3.10.1 (SYN), §3.10.2 (SEND: segmentize), §3.7.1
// (MSS option), §3.8.6 (send window, zero-window probing), RFC 6298 §5 (retransmission timer).
#include <algorithm>
#include <utility>

#include "models/tcp/connection.hpp"
#include "models/tcp/options.hpp"

namespace tcpsim::tcp {

net::Segment Connection::make_segment(net::SeqNum seq, net::Flags flags) const {
  net::Segment s{.src = id_.local.ip,
                 .dst = id_.remote.ip,
                 .sport = id_.local.port,
                 .dport = id_.remote.port,
                 .seq = seq,
                 .ack = flags.ack ? tcb_.rcv_nxt : net::SeqNum{},
                 .flags = flags,
                 .window = static_cast<std::uint16_t>(std::min<std::uint32_t>(advertised_window(flags.syn), 65535))};
  if (flags.rst) s.window = 0;
  return s;
}

std::uint32_t Connection::advertised_window(bool syn) const {
  const std::uint32_t space = tcb_.rcv_wnd;
  if (!mss_multiple_window()) {
    // §3.8.6.2.2 (MUST-39, receiver SWS avoidance): "keep RCV.NXT+RCV.WND fixed until the
    // reduction satisfies: RCV.BUFF - RCV.USER - RCV.WND >= min( Fr * RCV.BUFF, Eff.snd.MSS )":
    // space freed by reads is offered once the right edge can move by that much. Never below the
    // edge already offered (no shrinking), never more than the buffer holds.
    // Text accepted beyond that edge (a zero-window probe's octet) leaves it behind RCV.NXT: the
    // window offered is then 0 until the rule lets it open.
    if (syn || !params_.receiver_sws || !window_advertised_) return space;
    const std::int64_t kept = last_adv_edge_ - tcb_.rcv_nxt;
    if (kept >= space || (tcb_.rcv_nxt + space) - last_adv_edge_ >= receiver_sws_threshold()) return space;
    return static_cast<std::uint32_t>(std::max<std::int64_t>(kept, 0));
  }
  if (syn) {
    // Deviation (linux; tcp_select_initial_window()): the SYN's window is rounded down to the MSS
    // we advertise, less the timestamp option on a SYN,ACK that agreed to it
    // (tcp_openreq_init_rwin()): 4096 octets with MSS 1024 and timestamps are 4048.
    const std::uint32_t mss = std::max<std::uint32_t>(1, params_.mss - (state_ == State::SynSent ? 0 : options_.header_octets()));
    return space > mss ? space - space % mss : space;
  }
  // Deviation (linux; __tcp_select_window(), unscaled window): below one receive MSS nothing; the
  // window last advertised (tp->rcv_wnd) while it still fits within one MSS of the space; else
  // the space rounded down to a whole number of MSS ("a nice multiple of mss").
  const std::uint32_t mss = std::max<std::uint32_t>(1, ack_policy_.rcv_mss());
  if (space < mss) return 0;
  const std::int32_t last = last_adv_edge_ - rcv_wup_;
  const std::uint32_t window = last > 0 ? static_cast<std::uint32_t>(last) : 0;
  if (window + mss <= space || window > space) return space - space % mss;
  return window;
}

// Sends `seg`: with TSopt once timestamps are agreed (options.hpp stamp()), a copy only then.
void Connection::emit(const net::Segment& seg, std::string_view cause, bool retransmission) {
  if (options_.timestamps && !seg.flags.syn && !seg.flags.rst) {  // a SYN's options are its own
    net::Segment stamped = seg;
    stamp(stamped.options, options_, false, clock_);
    return emit_stamped(stamped, cause, retransmission);
  }
  emit_stamped(seg, cause, retransmission);
}

// emit() with the segment's options final: the bookkeeping of a segment leaving, then the send.
void Connection::emit_stamped(const net::Segment& seg, std::string_view cause, bool retransmission) {
  if (seg.flags.ack && !seg.flags.rst) {
    last_adv_edge_ = seg.ack + seg.window;
    window_advertised_ = true;
    rcv_wup_ = seg.ack;
    ack_policy_.ack_sent(ack_now_ || deadline(TimerKind::DelayedAck).has_value());
    cancel(TimerKind::DelayedAck);  // this segment carries the acknowledgment
  }
  ++segments_sent_;
  if (params_.rtt_every_ack && !seg.flags.syn && !seg.flags.rst && seg.seq_len() > 0) {
    if (retransmission) send_times_.resent(seg.seq, seg.seq + seg.seq_len());
    else send_times_.sent(seg.seq, seg.seq + seg.seq_len(), clock_);
  }
  // A new segment of data or FIN, on a connection that may probe: the tail a probe would resend.
  if (params_.tail_loss_probe && options_.sack && !retransmission && !seg.flags.syn && !seg.flags.rst && seg.seq_len() > 0) {
    if (!recovery_) recovery_ = std::make_unique<LossRecovery>();
    recovery_->sent(seg.seq + seg.seq_len());
  }
  actions_.send(seg, cause, retransmission);
}

void Connection::owe_ack(std::string_view cause) {
  ack_now_ = true;
  ack_cause_ = cause;
}

// Arms the retransmission timer if it is off (RFC 6298 (5.1): "Every time a packet containing
// data is sent (including a retransmission), if the timer is not running, start it running so
// that it will expire after RTO seconds"). After new data or a FIN (tcp_write_xmit() ->
// tcp_schedule_loss_probe()), the tail loss probe takes its place when it may, no later than the
// RTO of the segment at SND.UNA would fire.
void Connection::start_retransmit_timer(sim::Time now, bool new_tail) {
  const bool running = rto_pending();
  if (!running) {
    if (recovery_) recovery_->rto_due = now + rto_.rto();
    front_first_sent_ = now;
    retransmissions_ = 0;
    if (params_.user_timeout && !deadline(TimerKind::UserTimeout)) {
      arm(TimerKind::UserTimeout, now, *params_.user_timeout, "§3.8.3: data outstanding -> start the user timeout");
    }
  }
  if (new_tail && recovery_ && arm_loss_probe(now, recovery_->rto_due - now)) return;
  if (!running) arm(TimerKind::Retransmit, now, rto_.rto(), "RFC 6298 (5.1): segment sent, timer off -> start it (RTO)");
}

// §3.10.1: "A SYN segment of the form <SEQ=ISS><CTL=SYN> is sent. Set SND.UNA to ISS, SND.NXT to
// ISS+1". §3.7.1 MUST-14: the MSS option is sent on the SYN.
void Connection::send_syn(sim::Time now, std::string_view cause, bool retransmission) {
  send_initial(now, {.syn = true}, cause, retransmission);
}

// §3.10.7.2: "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> is sent. SND.NXT is set to ISS+1 and SND.UNA to ISS."
void Connection::send_syn_ack(sim::Time now, std::string_view cause, bool retransmission) {
  send_initial(now, {.syn = true, .ack = true}, cause, retransmission);
}

// The SYN or SYN,ACK at ISS. The first transmission advances SND.NXT past the SYN, starts the RTT
// sample and the retransmission timer; a later one only resends. Whether it is a retransmission is
// the caller's to say: the SYN,ACK of a simultaneous open reuses the SYN's sequence number, but
// it is a new segment (it acknowledges the peer's SYN), not the SYN sent again.
void Connection::send_initial(sim::Time now, net::Flags flags, std::string_view cause, bool retransmission) {
  net::Segment s = make_segment(tcb_.iss, flags);
  s.options = flags.ack ? syn_ack_options(params_, options_, now) : syn_options(params_, now);
  const bool first = tcb_.snd_nxt == tcb_.iss;
  if (first) {
    tcb_.snd_nxt = tcb_.iss + 1;
    rtt_seq_ = tcb_.snd_nxt;
    rtt_sent_ = now;
  }
  emit(s, cause, retransmission);
  if (first) start_retransmit_timer(now);
}

// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: the ACK of §3.10.7.4's first step, the challenge ACK of
// RFC 5961, and the acknowledgment of text and FIN.
void Connection::send_ack(std::string_view cause) { emit(make_segment(tcb_.snd_nxt, {.ack = true}), cause); }

void Connection::send_rst_for(const net::Segment& seg, std::string_view cause) {
  if (auto r = reset_for_closed(seg)) emit(*r, cause);
}

// §3.10.5 ABORT: "Send a reset segment: <SEQ=SND.NXT><CTL=RST>".
void Connection::send_abort_rst(std::string_view cause) {
  // Deviation (linux profile): tcp_send_active_reset() sends RST,ACK with ACK = RCV.NXT.
  emit(make_segment(tcb_.snd_nxt, {.ack = params_.abort_rst_carries_ack, .rst = true}), cause);
}

// Sends what the window allows, then the owed ACK if no data segment carried it (MUST-58: one
// ACK for everything this event processed).
void Connection::output(sim::Time now) {
  const bool may_send_data = (state_ == State::Established || state_ == State::CloseWait ||
                              state_ == State::FinWait1 || state_ == State::Closing ||
                              state_ == State::LastAck) &&
                             !fin_sent_;
  if (probe_outstanding_ && tcb_.snd_wnd > 0) {
    // The window reopened while a probe octet is unacknowledged: send again from SND.UNA (the
    // probe octet was not accepted), as 4.4BSD's tcp_output() does when it leaves persist.
    tcb_.snd_nxt = tcb_.snd_una;
    probe_outstanding_ = false;
    resending_probe_ = true;
  }
  const std::uint64_t before = segments_sent_;
  idle_at_output_ = data_in_flight() == 0;
  if (may_send_data) {
    while (send_data_segment(now)) {
    }
  }
  // Held by SWS avoidance alone with nothing in flight, no ACK will come to send it: the override
  // timer (update_persist) will.
  const std::int64_t usable = (tcb_.snd_una + tcb_.snd_wnd) - tcb_.snd_nxt;
  sws_held_ = may_send_data && params_.sender_sws && unsent() > 0 && data_in_flight() == 0 && usable > 0 &&
              static_cast<std::uint64_t>(usable) < std::min<std::uint64_t>(unsent(), tcb_.snd_mss);
  resending_probe_ = false;
  if (segments_sent_ != before) start_retransmit_timer(now, /*new_tail=*/true);
  if (ack_now_ && segments_sent_ == before) send_ack(ack_cause_);
  ack_now_ = false;
  update_persist(now);
}

// One segment of at most SND.MSS octets inside the usable window (§3.8.6.2.1:
// U = SND.UNA + SND.WND - SND.NXT); the FIN rides on the segment that empties the buffer.
// Returns true if a segment was sent and more may follow.
bool Connection::send_data_segment(sim::Time now, bool probe) {
  const std::uint64_t left = unsent();
  const std::int64_t usable = (tcb_.snd_una + tcb_.snd_wnd) - tcb_.snd_nxt;
  std::uint64_t n = std::min<std::uint64_t>({left, usable > 0 ? static_cast<std::uint64_t>(usable) : 0,
                                              tcb_.snd_mss});
  const std::uint64_t flight = data_in_flight();
  if (n > 0 && flight == 0) cc_.before_send_after_idle(params_, now - last_data_sent_, rto_.rto());
  // RFC 5681 §3: at most min(cwnd, rwnd) in flight. A segment the window cannot take whole waits
  // for an ACK (the kernel's window counts whole packets, tcp_cwnd_test()).
  if (n > cc_.room(flight) && !probe) n = 0;
  if (n > 0 && n < tcb_.snd_mss && !probe && !may_send_short(n, left, static_cast<std::uint64_t>(usable))) n = 0;
  if (n == 0) {
    if (left == 0 && fin_queued_ && !fin_sent_) {
      // §3.10.4 CLOSE: "Queue this until all preceding SENDs have been segmentized, then form a
      // FIN segment and send it." A FIN needs no buffer space, so it goes even into a zero window.
      net::Segment s = make_segment(tcb_.snd_nxt, {.ack = true, .fin = true});
      fin_sent_ = true;
      fin_seq_ = tcb_.snd_nxt;
      tcb_.snd_nxt += 1;
      emit(s, "§3.10.4 CLOSE: all data sent -> FIN");  // output() starts the timer
    }
    return false;
  }
  const auto len = static_cast<std::uint32_t>(n);
  net::Segment s = make_segment(tcb_.snd_nxt, {.ack = true});
  s.payload_len = len;
  if (auto bytes = sndbuf_.copy(data_in_flight(), len); !bytes.empty()) s.payload = net::Payload(std::move(bytes));
  const bool last = n == left;
  s.flags.psh = last;
  if (last && fin_queued_) {
    s.flags.fin = true;
    fin_sent_ = true;
    fin_seq_ = tcb_.snd_nxt + len;
  }
  if (!rtt_seq_ && !params_.rtt_every_ack) {
    rtt_seq_ = tcb_.snd_nxt + len;
    rtt_sent_ = now;
  }
  tcb_.snd_nxt += s.seq_len();
  // After a window probe, the first segment starts with the probe octet again.
  emit(s,
       s.flags.fin    ? std::string_view{"§3.10.2 SEND + §3.10.4 CLOSE: last data with FIN"}
       : sws_override_ ? std::string_view{"§3.8.6.2.1 (4): override timeout -> the short segment SWS avoidance held"}
                      : std::string_view{"§3.10.2 SEND: segmentize within the send window"},
       std::exchange(resending_probe_, false));
  ack_policy_.data_sent(now);  // output() starts the timer after the last segment
  last_data_sent_ = now;
  if (len < tcb_.snd_mss) snd_sml_ = tcb_.snd_nxt;  // tcp_minshall_update()
  return !s.flags.fin;
}

// Whether a segment of `n` octets, shorter than SND.MSS, may leave now; `left` octets wait to be
// sent and `usable` is the peer's usable window. RFC 9293 §3.8.6.2.1 (sender SWS avoidance with
// the Nagle algorithm in its brackets): "Send data: (1) if a maximum-sized segment can be sent
// ...; (2) or if the data is pushed and all queued data can be sent now, i.e., if: [SND.NXT =
// SND.UNA and] PUSHed and D <= U (the bracketed condition is imposed by the Nagle algorithm);
// (3) or if at least a fraction Fs of the maximum window can be sent, i.e., if: [SND.NXT =
// SND.UNA and] min(D,U) >= Fs * Max(SND.WND); (4) or if the override timeout occurs." Every SEND
// of the model is pushed, Fs = 1/2. The segment that carries the FIN is never held: nothing can
// join it (BSD's tcp_output() and Linux's tcp_nagle_test(): "or for the final FIN").
bool Connection::may_send_short(std::uint64_t n, std::uint64_t left, std::uint64_t usable) const {
  const bool carries_fin = n == left && fin_queued_;
  if (carries_fin || sws_override_ || resending_probe_) return true;
  if (!nodelay_ && data_in_flight() > 0) {
    // §3.7.4 SHLD-7, RFC 896: "inhibit the sending of new TCP segments when new outgoing data
    // arrives from the user if any previously transmitted data on the connection remains
    // unacknowledged": judged when this output began, as BSD's tcp_output() takes `idle` once,
    // so the short tail of a write made on an idle connection leaves with the rest. Linux (tcp_nagle_check()) holds it only while an earlier short segment is
    // unacknowledged (Minshall's variant: tcp_minshall_check(), snd_sml after SND.UNA).
    if (params_.nagle == NagleKind::Rfc896 && !idle_at_output_) return false;
    if (params_.nagle == NagleKind::Minshall && tcb_.snd_una < snd_sml_) return false;
  }
  if (!params_.sender_sws) return true;
  return left <= usable || n * 2 >= tcb_.max_snd_wnd;
}

// RFC 6298 (5.4): "Retransmit the earliest segment that has not been acknowledged by the TCP
// receiver." The front is the SYN (or SYN,ACK) until it is acknowledged, then data from SND.UNA
// (at most SND.MSS octets), then the FIN.
void Connection::retransmit_front(sim::Time now) {
  if (syn_unacked()) {
    if (state_ == State::SynSent) {
      send_syn(now, "§3.10.8 retransmission timeout: SYN again", true);
    } else {
      send_syn_ack(now, "§3.10.8 retransmission timeout: SYN,ACK again", true);
    }
    return;
  }
  const std::uint64_t flight = data_in_flight();
  const bool fin_outstanding = fin_sent_ && !fin_acked();
  if (flight == 0) {
    if (fin_outstanding) {
      emit(make_segment(fin_seq_, {.ack = true, .fin = true}), "§3.10.8 retransmission timeout: FIN again", true);
    }
    return;
  }
  resend_from_una("§3.10.8 retransmission timeout: earliest unacknowledged data again");
}

// The data segment at SND.UNA again: at most SND.MSS octets of what is in flight (all of it was
// sent inside the send window), with the FIN if it fits behind them.
void Connection::resend_from_una(std::string_view cause) {
  const std::uint64_t flight = data_in_flight();
  const auto len = static_cast<std::uint32_t>(std::min<std::uint64_t>(flight, tcb_.snd_mss));
  net::Segment s = make_segment(tcb_.snd_una, {.ack = true});
  s.payload_len = len;
  if (auto bytes = sndbuf_.copy(0, len); !bytes.empty()) s.payload = net::Payload(std::move(bytes));
  s.flags.psh = len == sndbuf_.size();
  s.flags.fin = len == flight && fin_sent_ && !fin_acked();
  emit(s, cause, true);
}

// The last segment sent, again (tcp_send_loss_probe(): the tail of the retransmission queue, its
// last SND.MSS octets when it is longer), with the FIN if it is outstanding.
void Connection::resend_tail(std::string_view cause) {
  const bool fin_outstanding = fin_sent_ && !fin_acked();
  const net::SeqNum data_end = fin_outstanding ? fin_seq_ : tcb_.snd_nxt;
  net::SeqNum start = recovery_ ? recovery_->tail_start(tcb_.snd_una) : tcb_.snd_una;
  if (data_end < start) start = data_end;
  if (static_cast<std::uint32_t>(data_end - start) > tcb_.snd_mss) start = data_end - tcb_.snd_mss;
  const auto len = static_cast<std::uint32_t>(data_end - start);
  const auto offset = static_cast<std::uint64_t>(static_cast<std::uint32_t>(start - tcb_.snd_una));
  net::Segment s = make_segment(start, {.ack = true, .fin = fin_outstanding});
  s.payload_len = len;
  if (auto bytes = sndbuf_.copy(offset, len); !bytes.empty()) s.payload = net::Payload(std::move(bytes));
  s.flags.psh = len > 0 && offset + len == sndbuf_.size();
  if (rtt_seq_ && start < *rtt_seq_) rtt_seq_.reset();  // RFC 6298 §3 (Karn)
  emit(s, cause, true);
}

// §3.8.6.1: "The transmitting host SHOULD send the first zero-window probe when a zero window has
// existed for the retransmission timeout period (SHLD-29)". The persist timer runs while the
// peer's window is zero, data waits, and the retransmission timer is not running.
// The same timer is §3.8.6.2.1's override timeout while sender SWS avoidance holds a short
// segment and nothing is in flight.
void Connection::update_persist(sim::Time now) {
  const bool waiting = tcb_.snd_wnd == 0 && (unsent() > 0 || probe_outstanding_) && !rto_pending() &&
                       is_synchronized(state_) && !fin_sent_;
  const bool sws = sws_held_ && !rto_pending() && is_synchronized(state_) && !fin_sent_;
  if (!waiting && !sws) {
    cancel(TimerKind::Persist);
    return;
  }
  // A running timer keeps its deadline while its role stays; a window that opens to a few octets
  // turns a (backed-off) probe timer into the override timeout, "in the range 0.1 - 1.0 seconds".
  if (deadline(TimerKind::Persist) && persist_overrides_sws_ == !waiting) return;
  persist_overrides_sws_ = !waiting;
  if (waiting) {
    persist_interval_ = rto_.rto();
    arm(TimerKind::Persist, now, persist_interval_, "§3.8.6.1: zero send window, data waiting -> start the persist timer");
  } else {
    arm(TimerKind::Persist, now, params_.sws_override_timeout,
        "§3.8.6.2.1: SWS avoidance holds a short segment, nothing in flight -> override timeout");
  }
}

// Deviation (TcpParams::persist_restart_on_ack; linux tcp_ack() -> tcp_ack_probe()): an ACK that
// leaves the window shut while nothing is in flight and data waits restarts the running probe
// timer from now with its current, backed-off interval. A restart that lands in the timer wheel's
// same bucket keeps its place and its time (mod_timer(); jiffies.hpp).
void Connection::restart_persist_on_ack(sim::Time now) {
  if (!params_.persist_restart_on_ack || !deadline(TimerKind::Persist) || sws_held_) return;
  if (tcb_.snd_wnd != 0 || data_in_flight() > 0 || unsent() == 0 || persist_interval_ == sim::Duration{}) return;
  arm(TimerKind::Persist, now, persist_interval_, "linux tcp_ack_probe(): the window is still shut -> the probe timer restarts from this ACK");
}

// §3.8.6.2.2 (receiver SWS avoidance): "The suggested SWS avoidance algorithm for the receiver
// is to keep RCV.NXT+RCV.WND fixed until the reduction satisfies: RCV.BUFF - RCV.USER - RCV.WND
// >= min( Fr * RCV.BUFF, Eff.snd.MSS )" with Fr = 1/2, and "the receiver must use its own
// Eff.snd.MSS". After the user reads, a window update may advertise the new right edge once it
// lies that far beyond the one last advertised. The RFC does not say when the update is worth a
// segment of its own; as Linux's tcp_cleanup_rbuf() ("2*rcv_window_now <= window_clamp"), it is
// sent only while the window the peer can still use is at most Fr * RCV.BUFF, so a read right
// after an ACK that left the peer a wide window does not repeat that ACK with a larger window.
std::int64_t Connection::receiver_sws_threshold() const {
  return std::min<std::uint32_t>(rcvbuf_.capacity() / 2, tcb_.snd_mss);
}

void Connection::send_window_update_if_needed() {
  if (state_ != State::Established && state_ != State::FinWait1 && state_ != State::FinWait2) return;
  const std::uint32_t half_buff = rcvbuf_.capacity() / 2;
  const std::int64_t threshold = receiver_sws_threshold();
  const net::SeqNum edge = tcb_.rcv_nxt + std::min<std::uint32_t>(tcb_.rcv_wnd, 65535);
  const std::int64_t advance = edge - last_adv_edge_;
  const std::int64_t usable = last_adv_edge_ - tcb_.rcv_nxt;  // the window the peer still has
  if (advance >= threshold && usable <= static_cast<std::int64_t>(half_buff)) {
    send_ack("§3.8.6.2.2: window opened by RECEIVE -> window update");
  }
}

}  // namespace tcpsim::tcp
