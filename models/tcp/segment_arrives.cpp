// SEGMENT ARRIVES for a connection without a TCB, in LISTEN and in SYN-SENT:
// RFC 9293 §3.10.7.1, §3.10.7.2, §3.10.7.3; and the dispatch to §3.10.7.4 (steps.cpp).
#include <algorithm>

#include "models/tcp/connection.hpp"
#include "models/tcp/options.hpp"

namespace tcpsim::tcp {

std::optional<net::Segment> reset_for_closed(const net::Segment& seg) {
  // §3.10.7.1: "An incoming segment containing a RST is discarded."
  if (seg.flags.rst) return std::nullopt;
  net::Segment r{.src = seg.dst, .dst = seg.src, .sport = seg.dport, .dport = seg.sport};
  if (seg.flags.ack) {
    // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
    r.seq = seg.ack;
    r.flags = {.rst = true};
  } else {
    // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
    r.seq = net::SeqNum{0};
    r.ack = seg.seq + seg.seq_len();
    r.flags = {.ack = true, .rst = true};
  }
  return r;
}

bool Connection::syn_may_reopen(const net::Segment& seg) const {
  return params_.time_wait_reopen && state_ == State::TimeWait && seg.flags.syn && !seg.flags.ack &&
         !seg.flags.rst && tcb_.rcv_nxt < seg.seq;
}

void Connection::segment_arrives(sim::Time now, const net::Segment& seg) {
  clock_ = now;
  if (seg.corrupted) {
    // §3.1 / MUST-2, MUST-3: the checksum is verified; a damaged segment is dropped.
    actions_.discard(seg, "§3.1: checksum fails -> drop");
    return;
  }
  ack_now_ = false;
  fin_in_order_ = false;
  switch (state_) {
    case State::Closed: closed_arrives(now, seg); break;
    case State::Listen: listen_arrives(now, seg); break;
    case State::SynSent: syn_sent_arrives(now, seg); break;
    default: synchronized_arrives(now, seg); break;
  }
}

// §3.10.7.1 CLOSED: "all data in the incoming segment is discarded. An incoming segment
// containing a RST is discarded. An incoming segment not containing a RST causes a RST to be
// sent in response."
void Connection::closed_arrives(sim::Time, const net::Segment& seg) {
  if (seg.flags.rst) {
    actions_.discard(seg, "§3.10.7.1: RST to a closed connection -> drop");
    return;
  }
  if (auto r = reset_for_closed(seg)) actions_.send(*r, "§3.10.7.1: segment to a closed connection -> RST", false);
  actions_.discard(seg, "§3.10.7.1: no TCB");
}

// The peer's SYN or SYN,ACK options (options.hpp): what they agree, and Eff.snd.MSS.
void Connection::note_peer_options(const net::Segment& seg) {
  options_ = agree(params_, seg.options);
  tcb_.snd_mss = send_mss(params_, peer_mss(params_, seg.options), options_);
}

// RFC 1122 §4.2.2.20(c),(f) / §3.10.7.3: "SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK".
void Connection::synchronize_window(const net::Segment& seg) {
  tcb_.snd_wnd = seg.window;
  tcb_.snd_wl1 = seg.seq;
  tcb_.snd_wl2 = seg.ack;
  tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, tcb_.snd_wnd);
}

// The text (and FIN) of a SYN, kept for processing after the ESTABLISHED state has been reached
// (§3.10.7.2 third, §3.10.7.3 fourth): RCV.NXT stays at SEG.SEQ+1, so the SYN,ACK acknowledges
// only the SYN. Deviation (linux profile, catalog 3.13): without a TFO cookie Linux ignores SYN
// data (the peer sends it again after the handshake); TcpParams::queue_syn_text is off there.
void Connection::queue_syn_text(const net::Segment& seg) {
  if (!params_.queue_syn_text || (seg.payload_len == 0 && !seg.flags.fin)) return;
  net::Segment text = seg;
  text.flags.syn = false;
  text.seq = seg.seq + 1;
  text.options = {};
  syn_text_ = std::make_unique<net::Segment>(std::move(text));
}

// §3.10.7.2 LISTEN: first check for a RST, second for an ACK, third for a SYN, fourth other.
void Connection::listen_arrives(sim::Time now, const net::Segment& seg) {
  if (seg.flags.rst) {
    // "An incoming RST segment could not be valid since it could not have been sent in response
    // to anything sent by this incarnation of the connection. An incoming RST should be ignored."
    actions_.discard(seg, "§3.10.7.2 first: RST in LISTEN -> ignore");
    return;
  }
  if (seg.flags.ack) {
    // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state. An
    // acceptable reset segment should be formed for any arriving ACK-bearing segment."
    send_rst_for(seg, "§3.10.7.2 second: ACK in LISTEN -> RST");
    actions_.discard(seg, "§3.10.7.2 second: ACK in LISTEN");
    return;
  }
  if (!seg.flags.syn) {
    // "Any other control or text-bearing segment (not containing SYN) must have an ACK and thus
    // would have been discarded by the ACK processing."
    actions_.discard(seg, "§3.10.7.2 fourth: no SYN, no ACK -> drop");
    return;
  }
  // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be selected and a SYN segment
  // sent of the form: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to ISS+1 and SND.UNA to
  // ISS. The connection state should be changed to SYN-RECEIVED."
  id_.remote = seg.source();
  if (id_.local.ip == net::Ipv4{}) id_.local.ip = seg.dst;
  tcb_.irs = seg.seq;
  tcb_.rcv_nxt = seg.seq + 1;
  // "... and any other control or text should be queued for processing later." / "Note that any
  // other incoming control or data (combined with SYN) will be processed in the SYN-RECEIVED
  // state, but processing of SYN and ACK should not be repeated."
  queue_syn_text(seg);
  note_peer_options(seg);
  tcb_.iss = actions_.choose_iss(now, id_);
  tcb_.snd_una = tcb_.iss;
  tcb_.snd_nxt = tcb_.iss;
  passive_ = true;  // MUST-11
  set_state(now, Event::RcvSyn, "§3.10.7.2 third: SYN in LISTEN -> SYN-RECEIVED");
  send_syn_ack(now, "§3.10.7.2 third: SYN -> <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>");
}

// §3.10.7.3 SYN-SENT: first check the ACK bit, second the RST bit, (third security), fourth the
// SYN bit, fifth: neither SYN nor RST -> drop.
void Connection::syn_sent_arrives(sim::Time now, const net::Segment& seg) {
  bool ack_acceptable = false;
  if (seg.flags.ack) {
    // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set, if so drop
    // the segment and return) <SEQ=SEG.ACK><CTL=RST> and discard the segment."
    if (seg.ack <= tcb_.iss || seg.ack > tcb_.snd_nxt) {
      if (!seg.flags.rst) send_rst_for(seg, "§3.10.7.3 first: unacceptable ACK in SYN-SENT -> RST");
      actions_.discard(seg, "§3.10.7.3 first: unacceptable ACK in SYN-SENT");
      if (params_.syn_retry_after_bad_ack && retransmissions_ == 0) {
        // Deviation (TcpParams::syn_retry_after_bad_ack; linux tcp_rcv_synsent_state_process()):
        // the ACK suggests the peer still holds an old connection that our RST now clears, so the
        // SYN is sent again soon instead of after the RTO.
        arm(TimerKind::Retransmit, now, *params_.syn_retry_after_bad_ack,
            "linux tcp_rcv_synsent_state_process: unacceptable ACK before any SYN retransmission -> SYN again in TCP_TIMEOUT_MIN");
      }
      return;
    }
    // "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is acceptable."
    ack_acceptable = tcb_.snd_una < seg.ack && seg.ack <= tcb_.snd_nxt;
  }
  if (seg.flags.rst) {
    // "If the ACK was acceptable, then signal to the user "error: connection reset", drop the
    // segment, enter CLOSED state, delete TCB, and return. Otherwise (no ACK), drop the segment."
    // Deviation: the RFC 5961 SHOULD to check SEG.SEQ = RCV.NXT first is not applied: RCV.NXT is
    // undefined in SYN-SENT and a refusing RST carries SEQ=0 (catalog §2.6(d), D7).
    if (ack_acceptable) {
      reset_connection(now, trace::AppError::ConnRefused, Event::RcvRst,
                       "§3.10.7.3 second: RST acks our SYN -> ECONNREFUSED");
    } else {
      actions_.discard(seg, "§3.10.7.3 second: RST without acceptable ACK -> drop");
    }
    return;
  }
  if (!seg.flags.syn) {
    // "If neither of the SYN or RST bits is set, then drop the segment and return."
    actions_.discard(seg, "§3.10.7.3 fifth: neither SYN nor RST -> drop");
    return;
  }
  // Fourth: "RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ. SND.UNA should be advanced to
  // equal SEG.ACK (if there is an ACK), and any segments on the retransmission queue that are
  // thereby acknowledged should be removed."
  tcb_.irs = seg.seq;
  tcb_.rcv_nxt = seg.seq + 1;
  note_peer_options(seg);
  synchronize_window(seg);
  if (!ack_acceptable) {
    // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    // and send it." (MUST-10: simultaneous open.) "If there are other controls or text in the
    // segment, queue them for processing after the ESTABLISHED state has been reached, return."
    queue_syn_text(seg);
    set_state(now, Event::RcvSyn, "§3.10.7.3 fourth: SYN without ACK (simultaneous open) -> SYN-RECEIVED");
    send_syn_ack(now, "§3.10.7.3 fourth: simultaneous open -> <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>");
    return;
  }
  ack_advances(now, seg);
  // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED, form
  // an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it. Data or controls that were
  // queued for transmission MAY be included."
  set_state(now, Event::RcvSynAck, "§3.10.7.3 fourth: SYN,ACK acks our SYN -> ESTABLISHED");
  owe_ack("§3.10.7.3 fourth: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
  // "If there are other controls or text in the segment, then continue processing at the sixth
  // step below where the URG bit is checked; otherwise, return."
  if (seg.payload_len > 0 || seg.flags.fin) {
    net::Segment rest = seg;
    rest.flags.syn = false;
    rest.seq = seg.seq + 1;
    if (process_text(now, rest) == Step::Continue) check_fin(now, rest);
  }
  output(now);
}

}  // namespace tcpsim::tcp
