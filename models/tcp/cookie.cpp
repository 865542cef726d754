// The Connection's entry points for the host's listen queues (stack.cpp): a connection rebuilt
// from a SYN cookie (RFC 4987 §3.6) and the refusal of a third ACK when the accept queue is full
// (Linux tcp_abort_on_overflow). See connection.hpp, "SYN cookies".
#include <algorithm>

#include "models/tcp/connection.hpp"
#include "models/tcp/options.hpp"

namespace tcpsim::tcp {

void Connection::open_from_cookie(sim::Time now, const net::Segment& ack, std::uint16_t mss) {
  clock_ = now;
  if (state_ != State::Listen || !ack.flags.ack || ack.flags.syn || ack.flags.rst) return;
  // RFC 4987 §3.6: "the server ... rebuilds the SYN queue entry from the encoded MSS" once "the
  // secret function works for a recent value of t". What §3.10.7.2 would have set on the SYN:
  // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... SND.NXT is set to ISS+1 and SND.UNA to
  // ISS", with the SYN's SEG.SEQ = this SEG.SEQ - 1 and ISS = SEG.ACK - 1 (the cookie).
  id_.remote = ack.source();
  if (id_.local.ip == net::Ipv4{}) id_.local.ip = ack.dst;
  tcb_.irs = ack.seq - 1;
  tcb_.rcv_nxt = ack.seq;
  tcb_.iss = ack.ack - 1;
  tcb_.snd_una = tcb_.iss;
  tcb_.snd_nxt = ack.ack;
  // With timestamps the cookie also kept SACK-permitted (in the SYN,ACK's TSval, echoed).
  options_ = cookie_agreement(params_, ack.options);
  tcb_.snd_mss = send_mss(params_, mss, options_);
  passive_ = true;  // MUST-11
  // Deviation: the transition table has no LISTEN -> ESTABLISHED edge; the rebuilt request passes
  // SYN-RECEIVED at the same instant, as Linux's child socket (created in SYN_RECV by
  // tcp_get_cookie_sock, then ESTABLISHED by tcp_child_process).
  set_state(now, Event::RcvSyn, "RFC 4987 §3.6: SYN cookie validated, request rebuilt -> SYN-RECEIVED");
  // §3.10.7.4 fifth, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state
  // and continue processing with the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ,
  // SND.WL2 <- SEG.ACK."
  tcb_.snd_una = ack.ack;
  synchronize_window(ack);
  set_state(now, Event::RcvAckOfSyn, "SYN cookie validated (RFC 4987 §3.6) -> ESTABLISHED");
  // The rest of the segment (text, FIN) as in ESTABLISHED.
  if (ack.payload_len > 0 || ack.flags.fin) segment_arrives(now, ack);
}

void Connection::refuse_on_overflow(sim::Time now, const net::Segment& ack) {
  clock_ = now;
  if (state_ != State::SynReceived || !passive_) return;
  // Deviation (host option, Linux tcp_abort_on_overflow = 1): tcp_check_req() -> embryonic_reset
  // answers the ACK with a reset, "<SEQ=SEG.ACK><CTL=RST>" in §3.10.7.2's form, and drops the request.
  send_rst_for(ack, "linux tcp_abort_on_overflow: accept queue full -> <SEQ=SEG.ACK><CTL=RST>");
  actions_.discard(ack, "linux tcp_abort_on_overflow: accept queue full");
  // The reset is this host's own abort of the request.
  drop_passive_request(now, Event::UserAbort, "linux tcp_abort_on_overflow: accept queue full -> request dropped, LISTEN",
                       "linux tcp_abort_on_overflow: accept queue full -> request dropped, CLOSED");
}

}  // namespace tcpsim::tcp
