// SEGMENT ARRIVES in SYN-RECEIVED and the synchronized states: RFC 9293 §3.10.7.4, one function
// per step ("first check sequence number" ... "eighth, check the FIN bit"), with the RFC 5961
// amendments RFC 9293 carries (§3.10.7.4 second, fourth and fifth steps) behind TcpParams.
#include <algorithm>

#include "models/tcp/connection.hpp"

namespace tcpsim::tcp {

void Connection::synchronized_arrives(sim::Time now, const net::Segment& seg) {
  // Deviation (linux profile, catalog D3): tcp_check_req() answers a pure retransmitted SYN in
  // SYN_RECV with the SYN,ACK again, where Table 6 rejects it and sends a bare ACK.
  if (state_ == State::SynReceived && seg.flags.syn && !seg.flags.ack && seg.seq == tcb_.irs &&
      params_.dup_syn_in_syn_received == DupSynAnswer::SynAck) {
    send_syn_ack(now, "linux tcp_check_req: retransmitted SYN in SYN-RECEIVED -> SYN,ACK again", true);
    actions_.discard(seg, "linux tcp_check_req: retransmitted SYN");
    return;
  }
  if (state_ == State::SynReceived && !passive_ && params_.accept_crossing_synack && seg.flags.syn &&
      seg.flags.ack && !seg.flags.rst && seg.seq + 1 == tcb_.rcv_nxt && seg.ack == tcb_.snd_nxt) {
    // Deviation (linux profile, catalog D4): the crossing SYN,ACK of a simultaneous open is taken
    // as the ACK of our SYN (Figure 7 line 6), where Table 6 would reject it. Its SYN, though,
    // lies below RCV.NXT: tcp_data_queue() sees an old segment ("A retransmit, 2nd most common
    // case. Force an immediate ack."), enters quick-ACK mode and sends a duplicate ACK (with a
    // D-SACK block on Linux) from ESTABLISHED.
    net::Segment ack = seg;
    ack.flags.syn = false;
    ack.seq = seg.seq + 1;
    ack.options = {};
    synchronized_arrives(now, ack);
    if (state_ == State::Established) {
      ack_policy_.duplicate_received(ack_context(now));
      send_ack("linux tcp_data_queue(): the crossing SYN,ACK's SYN is old -> immediate duplicate ACK");
    }
    return;
  }
  using StepFn = Step (Connection::*)(sim::Time, const net::Segment&);
  static constexpr StepFn kSteps[] = {&Connection::check_sequence_number, &Connection::check_rst,
                                      &Connection::check_syn,             &Connection::check_ack,
                                      &Connection::process_text,          &Connection::check_fin};
  const std::optional<net::Segment> controls = zero_window_allowance(seg);
  for (StepFn step : kSteps) {
    if ((this->*step)(now, controls ? *controls : seg) == Step::Stop) break;
  }
  if (controls && !seg.flags.rst && state_ != State::Closed) {
    owe_ack("§3.10.7.4 first: unacceptable segment -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
  }
  if (deadline(TimerKind::Keepalive)) restart_keepalive(now);
  if (state_ != State::Closed && state_ != State::Listen) output(now);
}

// Table 6: the four cases of segment length and receive window.
bool Connection::acceptable(const net::Segment& seg) const {
  const std::uint32_t len = seg.seq_len();
  const std::uint32_t wnd = tcb_.rcv_wnd;
  const net::SeqNum lo = tcb_.rcv_nxt;
  const net::SeqNum hi = tcb_.rcv_nxt + wnd;
  if (len == 0 && wnd == 0) return seg.seq == lo;                // SEG.SEQ = RCV.NXT
  if (len == 0) return net::seq_in_window(seg.seq, lo, hi);     // RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
  if (wnd == 0) return false;                                   // not acceptable
  return net::seq_in_window(seg.seq, lo, hi) || net::seq_in_window(seg.seq + (len - 1), lo, hi);
}

// First, the note under Table 6: "If the RCV.WND is zero, no segments will be acceptable, but
// special allowance should be made to accept valid ACKs, URGs, and RSTs." A segment at RCV.NXT
// whose text (or FIN) finds a zero window is processed as its controls alone: the text is
// dropped, the ACK field (or RST) is used, and the usual <ACK=RCV.NXT> reply still goes out
// (Linux does the same: tcp_sequence() passes it, tcp_data_queue() drops the text).
std::optional<net::Segment> Connection::zero_window_allowance(const net::Segment& seg) {
  if (tcb_.rcv_wnd != 0 || seg.seq != tcb_.rcv_nxt || seg.flags.syn || seg.seq_len() == 0) return std::nullopt;
  if (!seg.flags.ack && !seg.flags.rst) return std::nullopt;
  actions_.discard(seg, "§3.10.7.4 first: RCV.WND = 0 -> text dropped, ACK field processed (special allowance)");
  net::Segment controls = seg;
  controls.payload_len = 0;
  controls.payload = {};
  controls.flags.fin = false;
  controls.flags.psh = false;
  return controls;
}

// First: "If a segment's contents straddle the boundary between old and new, only the new parts
// are processed." / "If an incoming segment is not acceptable, an acknowledgment should be sent in
// reply (unless the RST bit is set, if so drop the segment and return): <SEQ=SND.NXT><ACK=RCV.NXT>
// <CTL=ACK>. After sending the acknowledgment, drop the unacceptable segment and return."
Connection::Step Connection::check_sequence_number(sim::Time now, const net::Segment& seg) {
  if (acceptable(seg)) {
    // RFC 7323 §4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent then SEG.TSval
    // is copied to TS.Recent" (tcp_replace_ts_recent()).
    if (options_.timestamps) note_timestamp(options_, seg.options, seg.seq <= rcv_wup_);
    return Step::Continue;
  }
  if (seg.flags.rst && rst_at_fin_seq(seg)) return Step::Continue;  // valid: the second step resets
  if (seg.flags.rst) {
    actions_.discard(seg, "§3.10.7.4 first: unacceptable RST -> drop");
    return Step::Stop;
  }
  if (state_ == State::TimeWait && seg.flags.fin && params_.restart_time_wait_on_fin) {
    // TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the remote
    // FIN. Acknowledge it, and restart the 2 MSL timeout."
    // Deviation: the retransmitted FIN fails Table 6 here and the literal text never reaches that
    // sentence; we restart 2MSL as the RFC intends and Linux does (catalog 3.18, D20).
    arm(TimerKind::TimeWait, now, params_.time_wait(),
        "§3.10.7.4 TIME-WAIT: retransmitted FIN -> acknowledge it, restart the 2 MSL timeout");
  }
  if (seg.payload_len > 0) ack_policy_.duplicate_received(ack_context(now));
  send_oow_ack(now, seg, "§3.10.7.4 first: unacceptable segment -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
  actions_.discard(seg, "§3.10.7.4 first: unacceptable segment");
  return Step::Stop;
}

// Second: check the RST bit.
Connection::Step Connection::check_rst(sim::Time now, const net::Segment& seg) {
  if (!seg.flags.rst) return Step::Continue;
  if (state_ == State::TimeWait && params_.rfc1337) {
    // Deviation (opt-in): RFC 1337 §3 fix F1, "Ignore RST segments in TIME-WAIT state".
    actions_.discard(seg, "RFC 1337 F1: RST in TIME-WAIT -> ignore");
    return Step::Stop;
  }
  if (params_.rfc5961 && seg.seq != tcb_.rcv_nxt && !rst_at_fin_seq(seg)) {
    // RFC 5961 §3 as carried by §3.10.7.4: "If the RST bit is set and the sequence number does not
    // exactly match the next expected sequence value, yet is within the current receive window,
    // TCP endpoints MUST send an acknowledgment (challenge ACK)".
    send_challenge_ack(now, "§3.10.7.4 second (RFC 5961 §3): RST in window, not RCV.NXT -> challenge ACK");
    actions_.discard(seg, "§3.10.7.4 second (RFC 5961 §3): RST not at RCV.NXT");
    return Step::Stop;
  }
  if (rst_at_fin_seq(seg) && seg.seq != tcb_.rcv_nxt) {
    // CLOSE-WAIT: Linux reports EPIPE, recorded as ECONNRESET (no EPIPE in trace::AppError).
    if (state_ == State::CloseWait) {
      reset_connection(now, trace::AppError::ConnReset, Event::RcvRst,
                       "linux tcp_reset_check: RST at RCV.NXT-1 in CLOSE-WAIT -> connection reset");
    } else {
      set_state(now, Event::RcvRst, "linux tcp_reset_check: RST at RCV.NXT-1 in LAST-ACK/CLOSING -> CLOSED");
    }
    return Step::Stop;
  }
  switch (state_) {
    case State::SynReceived:
      // "If this connection was initiated with a passive OPEN (i.e., came from the LISTEN state),
      // then return this connection to LISTEN state and return. The user need not be informed.
      // If this connection was initiated with an active OPEN (i.e., came from SYN-SENT state),
      // then the connection was refused; signal the user "connection refused"."
      if (passive_) {
        // Deviation (TcpParams::request_sockets): tcp_check_req() frees the request on a RST.
        drop_passive_request(now, Event::RcvRst, "§3.10.7.4 second: RST in SYN-RECEIVED after passive OPEN -> LISTEN",
                             "linux tcp_check_req: RST in SYN-RECEIVED after passive OPEN -> request dropped, CLOSED");
      } else if (params_.syn_received_rst_is_reset) {
        // Deviation (linux profile, catalog D14): tcp_reset() reports ECONNREFUSED only in
        // SYN_SENT; a reset in SYN_RECV gives ECONNRESET.
        reset_connection(now, trace::AppError::ConnReset, Event::RcvRst,
                         "linux tcp_reset: RST in SYN-RECEIVED after active OPEN -> connection reset");
      } else {
        reset_connection(now, trace::AppError::ConnRefused, Event::RcvRst,
                         "§3.10.7.4 second: RST in SYN-RECEIVED after active OPEN -> connection refused");
      }
      break;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
      // "any outstanding RECEIVEs and SEND should receive "reset" responses. All segment queues
      // should be flushed. Users should also receive an unsolicited general "connection reset"
      // signal. Enter the CLOSED state, delete the TCB, and return."
      reset_connection(now, trace::AppError::ConnReset, Event::RcvRst, "§3.10.7.4 second: RST -> connection reset");
      break;
    default:
      // CLOSING, LAST-ACK, TIME-WAIT: "If the RST bit is set, then enter the CLOSED state, delete
      // the TCB, and return."
      set_state(now, Event::RcvRst, "§3.10.7.4 second: RST in CLOSING/LAST-ACK/TIME-WAIT -> CLOSED");
      break;
  }
  return Step::Stop;
}

// Deviation (linux profile, TcpParams::rst_accepts_rcv_nxt_minus_one, catalog 3.24 and D6):
// tcp_reset_check() also accepts "seq == rcv_nxt - 1" in CLOSE_WAIT, LAST_ACK and CLOSING, where
// RFC 5961 §3 accepts exactly RCV.NXT and Table 6 finds the RST below the window: a peer whose
// FIN we received may reset from that FIN's sequence number.
bool Connection::rst_at_fin_seq(const net::Segment& seg) const {
  if (!params_.rst_accepts_rcv_nxt_minus_one || !seg.flags.rst) return false;
  if (state_ != State::CloseWait && state_ != State::LastAck && state_ != State::Closing) return false;
  return seg.seq == tcb_.rcv_nxt - 1;
}

// RFC 5961 §7: "An implementation SHOULD include an ACK throttling mechanism". With the profile's
// interval set, a challenge ACK within that interval of the previous one is not sent (as Linux's
// tcp_invalid_ratelimit); the segment is dropped either way.
void Connection::send_challenge_ack(sim::Time now, std::string_view cause) {
  const auto& interval = params_.challenge_ack_interval;
  if (interval && last_challenge_ack_ && now - *last_challenge_ack_ < *interval) return;
  last_challenge_ack_ = now;
  send_ack(cause);
}

// The ACK answering an unacceptable segment (first step) or an unacceptable ACK field (fifth
// step). RFC 5961 §7: "An implementation SHOULD include an ACK throttling mechanism to be
// conservative." Deviation (linux profile, TcpParams::oow_ack_interval, catalog 3.3 and D8):
// tcp_oow_rate_limited() sends at most one such ACK per interval per connection, which throttles
// the endless ACK loop of RFC 1337 §2.3; "Data packets without SYNs are not likely part of an ACK
// loop", so a segment occupying sequence space (text or FIN) without SYN is always answered.
// Simplification: Linux shares this timestamp with the challenge ACKs; here each has its own.
void Connection::send_oow_ack(sim::Time now, const net::Segment& seg, std::string_view cause) {
  const auto& interval = params_.oow_ack_interval;
  if (interval && (seg.seq_len() == 0 || seg.flags.syn)) {
    if (last_oow_ack_ && now - *last_oow_ack_ < *interval) return;
    last_oow_ack_ = now;
  }
  send_ack(cause);
}

// Fourth: check the SYN bit (the third step, security, is not modelled).
Connection::Step Connection::check_syn(sim::Time now, const net::Segment& seg) {
  if (!seg.flags.syn) return Step::Continue;
  if (state_ == State::SynReceived && passive_) {
    // "SYN-RECEIVED STATE: If the connection was initiated with a passive OPEN, then return this
    // connection to the LISTEN state and return." (RFC 1122 §4.2.2.20(e))
    set_state(now, Event::ReturnToListen, "§3.10.7.4 fourth: SYN in SYN-RECEIVED after passive OPEN -> LISTEN");
    return Step::Stop;
  }
  if (params_.rfc5961) {
    // RFC 5961 §4: "if the SYN bit is set, irrespective of the sequence number, TCP endpoints MUST
    // send a "challenge ACK" to the remote peer: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" ... "After
    // sending the acknowledgment, TCP implementations MUST drop the unacceptable segment".
    send_challenge_ack(now, "§3.10.7.4 fourth (RFC 5961 §4): SYN in synchronized state -> challenge ACK");
    actions_.discard(seg, "§3.10.7.4 fourth (RFC 5961 §4): SYN in synchronized state");
    return Step::Stop;
  }
  // "If the SYN is in the window it is an error: send a reset, any outstanding RECEIVEs and SEND
  // should receive "reset" responses, all segment queues should be flushed, the user should also
  // receive an unsolicited general "connection reset" signal, enter the CLOSED state".
  send_rst_for(seg, "§3.10.7.4 fourth (RFC 793): SYN in window -> RST");
  reset_connection(now, trace::AppError::ConnReset, Event::RcvRst,
                   "§3.10.7.4 fourth (RFC 793): SYN in window -> connection reset");
  return Step::Stop;
}

// Fifth: check the ACK field.
Connection::Step Connection::check_ack(sim::Time now, const net::Segment& seg) {
  if (!seg.flags.ack) {
    // "if the ACK bit is off, drop the segment and return"
    actions_.discard(seg, "§3.10.7.4 fifth: ACK bit off -> drop");
    return Step::Stop;
  }
  if (params_.rfc5961_ack_range && seg.ack < tcb_.snd_una - tcb_.max_snd_wnd) {
    // MAY-12 (RFC 5961 §5): "the ACK value is acceptable only if it is in the range of
    // ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK value
    // doesn't satisfy the above condition MUST be discarded and an ACK sent back."
    send_oow_ack(now, seg, "§3.10.7.4 fifth (RFC 5961 §5): ACK below SND.UNA - MAX.SND.WND -> ACK");
    actions_.discard(seg, "§3.10.7.4 fifth (RFC 5961 §5): ACK out of range");
    return Step::Stop;
  }
  if (state_ == State::SynReceived && ack_in_syn_received(now, seg) == Step::Stop) return Step::Stop;
  // ESTABLISHED processing, shared by every synchronized state.
  if (seg.ack > tcb_.snd_nxt) {
    // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the
    // segment, and return."
    send_oow_ack(now, seg, "§3.10.7.4 fifth: ACK of unsent data -> ACK");
    actions_.discard(seg, "§3.10.7.4 fifth: SEG.ACK > SND.NXT");
    return Step::Stop;
  }
  const bool window_ok = tcb_.snd_una <= seg.ack;  // SND.UNA =< SEG.ACK =< SND.NXT
  // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK." Duplicates "can be ignored"
  // by RFC 9293, but RFC 5681 counts them (before the window update, which they must not change).
  if (tcb_.snd_una < seg.ack) {
    ack_advances(now, seg);
  } else if (duplicate_ack(seg)) {
    on_duplicate_ack();
  }
  if (window_ok) {
    update_window(seg);
    restart_persist_on_ack(now);
  }
  return ack_per_state(now);
}

// Fifth step, SYN-RECEIVED: the ACK that completes the handshake.
Connection::Step Connection::ack_in_syn_received(sim::Time now, const net::Segment& seg) {
  // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing with
  // the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK.
  // If the segment acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>"
  if (!(tcb_.snd_una < seg.ack && seg.ack <= tcb_.snd_nxt)) {
    send_rst_for(seg, "§3.10.7.4 fifth: unacceptable ACK in SYN-RECEIVED -> <SEQ=SEG.ACK><CTL=RST>");
    actions_.discard(seg, "§3.10.7.4 fifth: unacceptable ACK in SYN-RECEIVED");
    return Step::Stop;
  }
  synchronize_window(seg);
  set_state(now, Event::RcvAckOfSyn, "§3.10.7.4 fifth: ACK of our SYN -> ESTABLISHED");
  process_syn_text(now);
  if (close_pending_) {
    // §3.10.4 CLOSE in SYN-RECEIVED with data queued: "queue for processing after entering
    // ESTABLISHED state".
    close_pending_ = false;
    fin_queued_ = true;
    set_state(now, Event::UserClose,
              state_ == State::Established ? "§3.10.4: CLOSE queued in SYN-RECEIVED -> FIN-WAIT-1"
                                           : "§3.10.4: CLOSE queued in SYN-RECEIVED -> LAST-ACK");
  }
  return Step::Continue;
}

// The text of the SYN, queued by queue_syn_text(), now that ESTABLISHED has been reached: the
// seventh and eighth steps run on it before the segment that completed the handshake (whose own
// text, if it repeats the SYN's, is then old and trimmed).
void Connection::process_syn_text(sim::Time now) {
  if (!syn_text_) return;
  const net::Segment text = std::move(*syn_text_);
  syn_text_.reset();
  if (process_text(now, text) == Step::Continue) check_fin(now, text);
  fin_in_order_ = false;  // the arriving segment's own FIN is judged by its own seventh step
}

// Fifth step, the per-state part after the ESTABLISHED processing.
Connection::Step Connection::ack_per_state(sim::Time now) {
  switch (state_) {
    case State::FinWait1:
      // "In addition to the processing for the ESTABLISHED state, if the FIN segment is now
      // acknowledged, then enter FIN-WAIT-2 and continue processing in that state."
      if (fin_acked()) set_state(now, Event::RcvAckOfFin, "§3.10.7.4 fifth: our FIN acked -> FIN-WAIT-2");
      return Step::Continue;
    case State::Closing:
      // "if the ACK acknowledges our FIN, then enter the TIME-WAIT state; otherwise, ignore the segment."
      if (!fin_acked()) return Step::Stop;
      set_state(now, Event::RcvAckOfFin, "§3.10.7.4 fifth: our FIN acked in CLOSING -> TIME-WAIT");
      return Step::Stop;
    case State::LastAck:
      // "The only thing that can arrive in this state is an acknowledgment of our FIN. If our FIN
      // is now acknowledged, delete the TCB, enter the CLOSED state, and return."
      if (fin_acked()) {
        actions_.notify(trace::Notice::Closed, trace::AppError::None, 0);
        set_state(now, Event::RcvAckOfFin, "§3.10.7.4 fifth: our FIN acked in LAST-ACK -> CLOSED");
      }
      return Step::Stop;
    default: return Step::Continue;
  }
}

// SND.UNA advances: remove acknowledged octets, take an RTT sample (RFC 6298 §3 Karn: only from a
// segment never retransmitted), and manage the timer (RFC 6298 (5.2) "When all outstanding data
// has been acknowledged, turn off the retransmission timer", (5.3) "When an ACK is received that
// acknowledges new data, restart the retransmission timer").
void Connection::ack_advances(sim::Time now, const net::Segment& seg) {
  std::uint64_t acked = static_cast<std::uint32_t>(seg.ack - tcb_.snd_una);
  const bool handshake = syn_unacked();
  if (handshake) acked -= 1;
  if (fin_sent_ && !fin_acked() && fin_seq_ < seg.ack) acked -= 1;
  sndbuf_.consume(acked);
  tcb_.snd_una = seg.ack;
  if (probe_outstanding_ && tcb_.snd_una == tcb_.snd_nxt) probe_outstanding_ = false;
  if (rtt_seq_ && *rtt_seq_ <= seg.ack) {
    rto_.sample(now - rtt_sent_);
    rtt_seq_.reset();
  } else if (params_.rtt_every_ack && !handshake) {
    if (const auto r = every_ack_rtt(now, seg)) rto_.sample(*r);
  }
  retransmissions_ = 0;
  dupacks_ = 0;  // RFC 5681 §3.2: duplicates count "without any intervening ACKs which move SND.UNA"
  if (recovery_) recovery_->acked(tcb_.snd_una);
  if (cc_.on_ack(params_, acked, tcb_.snd_una, data_in_flight()) == CongestionControl::AckVerdict::PartialAck) {
    // RFC 6582 §3.2 step 5: "If this ACK does *not* acknowledge all of the data up to and
    // including recover, then this is a partial ACK. In this case, retransmit the first
    // unacknowledged segment." (The timer restarts below on every partial ACK: §4.1's
    // Slow-but-Steady variant.)
    rtt_seq_.reset();
    resend_from_una("RFC 6582 3.2 step 5: partial ACK in fast recovery -> the next hole again");
  }
  if (tcb_.snd_una == tcb_.snd_nxt) {
    cancel(TimerKind::Retransmit);
    cancel(TimerKind::LossProbe);
    cancel(TimerKind::UserTimeout);
    return;
  }
  if (recovery_) recovery_->rto_due = now + rto_.rto();
  if (!arm_loss_probe(now, rto_.rto())) {
    cancel(TimerKind::LossProbe);
    arm(TimerKind::Retransmit, now, rto_.rto(), "RFC 6298 (5.3): ACK of new data, data outstanding -> restart the timer (RTO)");
  }
  front_first_sent_ = now;
  if (params_.user_timeout)
    arm(TimerKind::UserTimeout, now, *params_.user_timeout, "§3.8.3: ACK of new data -> restart the user timeout");
}

// Deviation (linux, TcpParams::rtt_every_ack; tcp_ack_update_rtt()): the sample of an ACK that
// moved SND.UNA over data or a FIN: from the oldest newly acknowledged segment sent once; failing
// that (it acknowledged retransmitted data), with timestamps agreed, the time since the TSval it
// echoes, in the timestamp clock's whole milliseconds, at least one (tcp_rtt_tsopt_us()).
std::optional<sim::Duration> Connection::every_ack_rtt(sim::Time now, const net::Segment& seg) {
  if (const auto r = send_times_.acked(seg.ack, now)) return r;
  if (!options_.timestamps || !seg.options.timestamps || seg.options.timestamps->ecr == 0) return std::nullopt;
  const std::uint32_t ms = ts_clock(now) - seg.options.timestamps->ecr;
  return sim::Duration::ms(std::max<std::uint32_t>(ms, 1));
}

// RFC 5681 §2: "DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a "duplicate" ... when
// (a) the receiver of the ACK has outstanding data, (b) the incoming acknowledgment carries no
// data, (c) the SYN and FIN bits are both off, (d) the acknowledgment number is equal to the
// greatest acknowledgment received on the given connection (TCP.UNA from [RFC793]) and (e) the
// advertised window in the incoming acknowledgment equals the advertised window in the last
// incoming acknowledgment." The answers to zero-window probes are not counted (no usable window).
bool Connection::duplicate_ack(const net::Segment& seg) const {
  return seg.ack == tcb_.snd_una && seg.payload_len == 0 && !seg.flags.syn && !seg.flags.fin &&
         seg.window == tcb_.snd_wnd && tcb_.snd_wnd > 0 && data_in_flight() > 0 && !probe_outstanding_;
}

// RFC 5681 §3.2: "2. When the third duplicate ACK is received, a TCP MUST set ssthresh ... 3. The
// lost segment starting at SND.UNA MUST be retransmitted", then fast recovery (RFC 6582, the
// congestion window's part in congestion.hpp): further duplicates inflate the window, which
// output() may use for new data. The retransmission timer keeps running (RFC 6298 (5.1): it is on).
void Connection::on_duplicate_ack() {
  if (!params_.fast_retransmit) return;
  if (cc_.in_fast_recovery()) {
    cc_.on_further_duplicate(params_);
    return;
  }
  if (++dupacks_ != params_.dupack_threshold) return;
  if (!cc_.enter_fast_recovery(params_, data_in_flight(), tcb_.snd_nxt, tcb_.snd_una)) return;
  rtt_seq_.reset();  // RFC 6298 §3 (Karn): the timed segment may be the one sent again
  if (recovery_) recovery_->enter_recovery(tcb_.snd_nxt);  // tcp_enter_recovery()
  resend_from_una("RFC 5681 §3.2: third duplicate ACK -> fast retransmit");
}

// "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 < SEG.SEQ or
// (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and
// set SND.WL2 <- SEG.ACK."
void Connection::update_window(const net::Segment& seg) {
  if (tcb_.snd_wl1 < seg.seq || (tcb_.snd_wl1 == seg.seq && tcb_.snd_wl2 <= seg.ack)) {
    const bool opened = tcb_.snd_wnd == 0 && seg.window > 0;
    synchronize_window(seg);
    if (opened) persist_interval_ = {};
  }
}

// Seventh: process the segment text (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2). "Once the TCP
// endpoint takes responsibility for the data, it advances RCV.NXT over the data accepted, and
// adjusts RCV.WND as appropriate to the current buffer availability." ... "Send an
// acknowledgment of the form: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
Connection::Step Connection::process_text(sim::Time now, const net::Segment& seg) {
  (void)now;
  if (state_ != State::Established && state_ != State::FinWait1 && state_ != State::FinWait2) {
    // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has been
    // received from the remote side. Ignore the segment text." An in-window FIN is re-ACKed at
    // step eight.
    fin_in_order_ = seg.flags.fin;
    return Step::Continue;
  }
  if (seg.payload_len == 0 && !seg.flags.fin) return Step::Continue;
  if (new_data_after_close(seg)) {
    // §3.6.1 SHLD-3: "if new data is received after CLOSE is called, its TCP implementation
    // SHOULD send a RST to show that data was lost" (MAY-1 half-duplex close; linux profile,
    // tcp_rcv_state_process() in FIN_WAIT1/2: "RFC 1122 says we MUST send a reset", catalog 3.17 b).
    // The reset answers the segment (<SEQ=SEG.ACK><CTL=RST>, as tcp_v4_send_reset()); the
    // application has closed the socket, so nobody is told.
    send_rst_for(seg, "§3.6.1 SHLD-3: new data after CLOSE -> RST");
    reset_connection(now, trace::AppError::None, Event::UserAbort, "§3.6.1 SHLD-3: new data after CLOSE -> CLOSED");
    return Step::Stop;
  }
  ReceiveBuffer::Piece piece{.seq = seg.seq + (seg.flags.syn ? 1u : 0u), .len = seg.payload_len, .fin = seg.flags.fin, .bytes = {}};
  if (seg.payload.has_bytes()) piece.bytes = seg.payload.bytes();
  // "conceptually trimmed to the window": octets beyond RCV.NXT + RCV.WND are dropped, and with
  // them the FIN. A FIN right after data that fits is kept (it needs no buffer space).
  const net::SeqNum right = tcb_.rcv_nxt + tcb_.rcv_wnd;
  if (right < piece.seq + piece.len) {
    const std::int32_t keep = right - piece.seq;
    piece.len = keep > 0 ? static_cast<std::uint32_t>(keep) : 0;
    if (!piece.bytes.empty()) piece.bytes.resize(piece.len);
    piece.fin = false;
  }
  if (tcb_.rcv_nxt < piece.seq) {
    // SHLD-31: "segments with higher beginning sequence numbers SHOULD be held for later processing"
    rcvbuf_.hold(std::move(piece));
    owe_ack("§3.10.7.4 seventh: out-of-order segment held -> duplicate ACK");
    return Step::Continue;
  }
  const ReceiveBuffer::Advance adv = rcvbuf_.deliver(tcb_.rcv_nxt, piece);
  tcb_.rcv_nxt = adv.rcv_nxt;
  tcb_.rcv_wnd = rcvbuf_.window();
  fin_in_order_ = adv.fin;
  if (adv.octets > 0) {
    ack_policy_.data_received(ack_context(now), adv.octets);
    actions_.notify(trace::Notice::Data, trace::AppError::None, adv.octets);
  }
  if (adv.fin) return Step::Continue;  // the eighth step acknowledges the text with the FIN
  if (adv.octets > 0 && delay_ack(now)) return Step::Continue;
  owe_ack("§3.10.7.4 seventh: text accepted -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
  return Step::Continue;
}

// True when the profile resets on data after a full CLOSE (TcpParams::rst_on_data_after_close),
// the application called CLOSE (not a half-close), and `seg` brings octets beyond RCV.NXT (a FIN
// alone or a repeat of received data does not count, as in Linux: end_seq - fin after rcv_nxt).
bool Connection::new_data_after_close(const net::Segment& seg) const {
  if (!params_.rst_on_data_after_close || !full_close_) return false;
  if (state_ != State::FinWait1 && state_ != State::FinWait2) return false;
  return seg.payload_len > 0 && tcb_.rcv_nxt < seg.seq + seg.payload_len;
}

// The ACK owed for in-order text or a FIN in ESTABLISHED: true if TcpParams::ack_policy defers it
// to the delayed-ACK timer (ack_policy.hpp), which is then armed at the policy's deadline (a
// deadline already armed and kept is left alone). Every segment sent with an ACK cancels it.
bool Connection::delay_ack(sim::Time now) {
  const std::optional<sim::Time> at = ack_policy_.defer(ack_context(now));
  if (!at) return false;
  if (deadline(TimerKind::DelayedAck) != at) {
    arm(TimerKind::DelayedAck, now, *at - now,
        params_.ack_policy == AckPolicyKind::Linux ? "linux tcp_send_delayed_ack(): not in quick-ACK mode -> delay the ACK (ATO)"
                                                   : "§3.8.6.3 SHLD-18 / MUST-40: in-order data -> delay the ACK");
  }
  return true;
}

AckContext Connection::ack_context(sim::Time now) const {
  const std::int32_t unacked = tcb_.rcv_nxt - rcv_wup_;
  const std::int32_t advertised = last_adv_edge_ - rcv_wup_;
  const std::uint32_t adv = advertised > 0 ? static_cast<std::uint32_t>(advertised) : 0u;
  return {.now = now,
          .rto = rto_.rto(),
          .srtt = rto_.has_sample() ? std::optional<sim::Duration>(rto_.srtt()) : std::nullopt,
          .rcv_wnd = adv,
          .unacked = unacked > 0 ? static_cast<std::uint32_t>(unacked) : 0u,
          .out_of_order = !rcvbuf_.held_empty(),
          .timer = deadline(TimerKind::DelayedAck),
          .window_now = mss_multiple_window() && rcvbuf_.unread() > 0 ? std::optional<std::uint32_t>(advertised_window(false))
                                                                       : std::nullopt};
}

// Eighth: check the FIN bit. "If the FIN bit is set, signal the user "connection closing" and
// return any pending RECEIVEs with same message, advance RCV.NXT over the FIN, and send an
// acknowledgment for the FIN."
Connection::Step Connection::check_fin(sim::Time now, const net::Segment&) {
  if (!fin_in_order_) return Step::Continue;
  switch (state_) {
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
      tcb_.rcv_nxt += 1;
      fin_received_ = true;
      actions_.notify(trace::Notice::Eof, trace::AppError::None, 0);
      // With delayed ACK (§3.8.6.3 SHLD-18: "A TCP endpoint SHOULD implement a delayed ACK, but
      // an ACK should not be excessively delayed; in particular, the delay MUST be less than 0.5
      // seconds (MUST-40)") the ACK of a FIN that moves ESTABLISHED to CLOSE-WAIT waits like
      // that of text, so an application that closes at once sends one FIN,ACK (catalog 3.15,
      // Figure 5 note 2). Linux does the same: tcp_fin() enters CLOSE_WAIT in ping-pong
      // (delayed-ACK) mode, but sends FIN_WAIT1/2's ACK at once (tcp_send_ack()). The FIN counts
      // as one more segment towards SHLD-19's "every second full-sized segment".
      if (state_ == State::Established) ack_policy_.fin_in_established();
      if (state_ == State::Established && delay_ack(now)) break;
      owe_ack("§3.10.7.4 eighth: FIN -> ACK it");
      break;
    default:
      owe_ack("§3.10.7.4 eighth: FIN again -> ACK it");
      break;
  }
  switch (state_) {
    case State::Established:
      // "SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT state."
      set_state(now, Event::RcvFin, "§3.10.7.4 eighth: FIN in ESTABLISHED -> CLOSE-WAIT");
      break;
    case State::FinWait1:
      // "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT, start the
      // time-wait timer, turn off the other timers; otherwise, enter the CLOSING state." An ACK of
      // our FIN already moved us to FIN-WAIT-2 at the fifth step (Figure 5 note 2).
      set_state(now, Event::RcvFin, "§3.10.7.4 eighth: FIN in FIN-WAIT-1, our FIN unacked -> CLOSING");
      break;
    case State::FinWait2:
      set_state(now, Event::RcvFin, "§3.10.7.4 eighth: FIN in FIN-WAIT-2 -> TIME-WAIT");
      break;
    case State::TimeWait:
      // "TIME-WAIT STATE: Remain in the TIME-WAIT state. Restart the 2 MSL time-wait timeout."
      arm(TimerKind::TimeWait, now, params_.time_wait(), "§3.10.7.4 eighth: FIN in TIME-WAIT -> restart the 2 MSL timeout");
      break;
    default: break;  // CLOSE-WAIT, CLOSING, LAST-ACK: remain
  }
  return Step::Continue;
}

}  // namespace tcpsim::tcp
