// The two profiles of the scenario catalog §5. Each value cites the RFC sentence or the Linux
// constant it comes from; where the sources disagree the catalog's §4 entry is named (D1...).
#include "models/tcp/params.hpp"

namespace tcpsim::tcp {

using sim::Duration;

TcpParams TcpParams::rfc9293() {
  TcpParams p;
  p.profile = "rfc9293";
  // RFC 9293 §3.4.2: MSL "arbitrarily defined to be 2 minutes"; MUST-13: TIME-WAIT = 2 MSL (D1).
  p.msl = Duration::s(120);
  // RFC 6298 (2.1): "Until a round-trip time (RTT) measurement has been made ... set RTO <- 1 second".
  p.rto_initial = Duration::s(1);
  // RFC 6298 (2.4): "Whenever RTO is computed, if it is less than 1 second, then the RTO SHOULD be
  // rounded up to 1 second."
  p.rto_min = Duration::s(1);
  // RFC 6298 (2.5): "A maximum value MAY be placed on RTO provided it is at least 60 seconds."
  p.rto_max = Duration::s(60);
  // RFC 6298 (5.7): RTO re-initialised to 3 s when data starts after a SYN timeout.
  p.rto_after_syn_timeout = Duration::s(3);
  p.rto_style = RtoStyle::Rfc6298;
  // RFC 6298 §3: Karn's algorithm, one segment timed per round trip.
  p.rtt_every_ack = false;
  // RFC 6298 (5.5): "The host MUST set RTO <- RTO * 2" on every expiry (D10): no linear phase.
  p.syn_linear_timeouts = 0;
  // RFC 9293 §3.9.1.1: "The present global default is five minutes" (D17).
  p.user_timeout = Duration::s(300);
  // §3.10.7.4 FIN-WAIT-2 has no timer: the connection waits for the peer's FIN forever (D16).
  p.fin_wait_2_timeout = std::nullopt;
  // RFC 9293 and RFC 6298 measure time continuously: timers fire exactly after their timeout.
  p.hz = 0;
  p.jiffies_at_start = 0;
  p.tick_offset = Duration::zero();
  // RFC 9293 §3.8.3 MUST-23: "R2 for a SYN segment MUST be set large enough to provide
  // retransmission of the segment for at least 3 minutes." Rule chosen (catalog 3.8): give up at
  // the first expiry at or after 180 s from the first SYN (183 s with the 60 s RTO cap).
  p.syn_retries = {.count = std::nullopt, .duration = Duration::s(180)};
  p.synack_retries = p.syn_retries;
  // RFC 9293 §3.8.3 SHLD-10: R1 "at least 3 retransmissions"; SHLD-11: R2 "at least 100 seconds".
  p.r1 = 3;
  p.r2 = {.count = std::nullopt, .duration = Duration::s(100)};
  // The RFC has no separate budget once the user has closed: R2 applies to the FIN too.
  p.orphan_retries = std::nullopt;
  // RFC 9293 §3.10.7.4 carries RFC 5961 §3/§4 as the mitigation for stacks that implement it;
  // the catalog's rfc9293 profile turns it on. The ACK range check is MAY-12: off.
  p.rfc5961 = true;
  p.rfc5961_ack_range = false;
  // RFC 5961 §7: challenge ACKs SHOULD be rate-limited; its example (10 in 5 s) is not modelled,
  // so the rfc9293 profile sends every one.
  p.challenge_ack_interval = std::nullopt;
  // §3.10.7.4 first: "If an incoming segment is not acceptable, an acknowledgment should be sent
  // in reply"; fifth: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an
  // ACK". Every such ACK is sent, so the ACK loop of RFC 1337 §2.3 is endless (catalog 3.3, D8).
  p.oow_ack_interval = std::nullopt;
  // §3.10.7.4 second (RFC 5961 §3): a RST is valid only at exactly RCV.NXT (D6).
  p.rst_accepts_rcv_nxt_minus_one = false;
  // §3.10.7.4 second, SYN-RECEIVED after an active OPEN: "signal the user "connection refused"" (D14).
  p.syn_received_rst_is_reset = false;
  // RFC 9293 §3.10.7.4 TIME-WAIT: "If the RST bit is set, then enter the CLOSED state" (D2).
  p.rfc1337 = false;
  // Table 6 rejects the retransmitted SYN: "an acknowledgment should be sent in reply" (D3).
  p.dup_syn_in_syn_received = DupSynAnswer::Ack;
  // Table 6 rejects the crossing SYN,ACK of a simultaneous open (SEG.SEQ = RCV.NXT - 1): the
  // literal path completes on bare ACKs one half-RTT later (catalog 1.2, D4).
  p.accept_crossing_synack = false;
  // §3.6.1 MAY-2: a TIME-WAIT connection "MAY accept a new SYN from the remote TCP endpoint to
  // reopen the connection directly"; optional, off so TIME-WAIT answers every SYN with an ACK.
  p.time_wait_reopen = false;
  // §3.6.1: CLOSE is full-duplex unless the host opts into MAY-1 (D21).
  p.rst_on_close_with_unread = false;
  // §3.10.5 ABORT: "send a reset segment: <SEQ=SND.NXT><CTL=RST>".
  p.abort_rst_carries_ack = false;
  // §3.8.6.1: "transmit at least one octet of new data (if available)" as the probe (D15).
  p.zero_window_probe = ProbeKind::NewOctet;
  // MUST-40 allows delayed ACK (< 0.5 s); off here so traces show one ACK per segment. A scenario
  // may choose "delayed" (§3.8.6.3 SHLD-18/19 with this timeout). The ATO floor and the ping-pong
  // threshold belong to the linux policy only.
  p.ack_policy = AckPolicyKind::Immediate;
  p.delayed_ack_timeout = Duration::ms(200);
  p.delayed_ack_min = Duration::ms(40);
  p.pingpong_thresh = 1;
  // MUST-25: keep-alives, if implemented, "MUST default to off"; MUST-28: interval >= 2 hours.
  p.keepalive = false;
  p.keepalive_idle = Duration::s(7200);
  // The RFC fixes neither; these are the BSD/Linux values (tcp_keepalive_intvl, _probes).
  p.keepalive_interval = Duration::s(75);
  p.keepalive_probes = 9;
  // §3.7.4: "A TCP implementation SHOULD implement the Nagle algorithm to coalesce short
  // segments (SHLD-7)" (the RFC 896 rule: no short segment while data is unacknowledged), and
  // §3.8.6.2.1: "A TCP implementation MUST include a SWS avoidance algorithm in the sender
  // (MUST-38)", whose override timeout "should be in the range 0.1 - 1.0 seconds".
  p.nagle = NagleKind::Rfc896;
  p.sender_sws = true;
  // §3.8.6.2.2: "A TCP implementation MUST include a SWS avoidance algorithm in the receiver
  // (MUST-39)": every ACK keeps the right edge until it can move by min(RCV.BUFF/2, Eff.snd.MSS).
  p.receiver_sws = true;
  p.sws_override_timeout = Duration::ms(200);
  // §3.8.2 MUST-19: "A TCP implementation MUST include a congestion control algorithm ... and
  // MUST implement [RFC5681]": slow start and congestion avoidance, with RFC 6582's NewReno
  // modification of fast recovery; the initial window of RFC 5681 §3.1 (by SMSS), one segment
  // after a lost SYN or SYN,ACK, and the restart window after an idle RTO (§4.1).
  p.congestion_control = CongestionKind::NewReno;
  p.initial_window = 0;
  p.syn_loss_cwnd_after = 1;
  p.slow_start_after_idle = true;
  // RFC 5681 §3.2: "The fast retransmit algorithm uses the arrival of 3 duplicate ACKs (as defined
  // in section 2, without any intervening ACKs which move SND.UNA) as an indication that a
  // segment has been lost."
  p.fast_retransmit = true;
  p.dupack_threshold = 3;
  // §3.10.7.2 third: "any other control or text should be queued for processing later"
  // (catalog 3.13: the SYN,ACK acks x+1, the text is ACKed once ESTABLISHED).
  p.queue_syn_text = true;
  // §3.6.1 MAY-1 not taken: CLOSE is full-duplex, data after CLOSE is still received (3.17).
  p.rst_on_data_after_close = false;
  // RFC 9293 defines no listen queues (§7 points to RFC 4987 for SYN flooding): the profile sends
  // no cookies, and a third ACK that finds the accept queue full is dropped, as Linux does by
  // default (catalog D19, card 3.14).
  p.syn_cookies = false;
  p.abort_on_overflow = false;
  // Nothing caps the backlog, and a queue of capacity `backlog` holds `backlog` entries.
  p.somaxconn = std::nullopt;
  p.backlog_plus_one = false;
  // Options beyond the MSS are extensions the RFC does not require: off unless a scenario
  // turns them on. Without SACK no tail loss probe (RFC 8985 §7 needs it, as Linux does).
  p.sack = false;
  p.timestamps = false;
  p.tail_loss_probe = false;
  // Ethernet MSS (1500 - 40); MUST-15: assume 536 when the peer sends no MSS option.
  p.mss = 1460;
  p.default_peer_mss = 536;
  p.send_buffer = 65535;
  p.recv_buffer = 65535;
  return p;
}

TcpParams TcpParams::linux_profile() {
  TcpParams p = rfc9293();
  p.profile = "linux";
  // TCP_TIMEWAIT_LEN = 60 s (include/net/tcp.h), a compile-time constant (D1).
  p.time_wait_length = Duration::s(60);
  p.msl = Duration::s(30);
  // TCP_TIMEOUT_INIT = 1 s; TCP_RTO_MIN = HZ/5 = 200 ms; TCP_RTO_MAX = 120 s (D9).
  p.rto_initial = Duration::s(1);
  p.rto_min = Duration::ms(200);
  p.rto_max = Duration::s(120);
  // TCP_TIMEOUT_FALLBACK = 3 s "used as a fallback RTO for the initial data transmission".
  p.rto_after_syn_timeout = Duration::s(3);
  // tcp_rtt_estimator(): RTO = srtt + max(4 * rttvar, tcp_rto_min).
  p.rto_style = RtoStyle::Linux;
  // tcp_clean_rtx_queue(): every ACK of new data gives a sample, and with timestamps the TSecr of
  // one that acknowledges retransmitted data (tcp_ack_update_rtt()).
  p.rtt_every_ack = true;
  // tcp_syn_linear_timeouts = 4, tcp_syn_retries = 6: 10 SYN retransmissions, ETIMEDOUT at 131 s.
  p.syn_linear_timeouts = 4;
  p.syn_retries = {.count = 6 + 4, .duration = std::nullopt};
  // tcp_synack_retries = 5: the request is dropped at 63 s, silently.
  p.synack_retries = {.count = 5, .duration = std::nullopt};
  // tcp_retries1 = 3, tcp_retries2 = 15.
  p.r1 = 3;
  p.r2 = {.count = 15, .duration = std::nullopt};
  // tcp_orphan_retries = 0, which tcp_orphan_retries() turns into 8 "if socket sent something
  // recently": a socket closed by its application gives up after 8 retransmissions (catalog 3.19).
  p.orphan_retries = 8;
  // TCP_USER_TIMEOUT defaults to 0 = off (D17).
  p.user_timeout = std::nullopt;
  // tcp_fin_timeout = 60 s: an orphaned FIN_WAIT2 socket is destroyed after it, silently (D16).
  p.fin_wait_2_timeout = Duration::s(60);
  // tcp_rcv_synsent_state_process(): "Previous FIN/ACK or RST/ACK might be ignored": an
  // unacceptable ACK in SYN_SENT (the challenge ACK of a peer still holding the old connection)
  // is reset, and if the SYN has not been retransmitted yet, the retransmission timer is re-armed
  // to TCP_TIMEOUT_MIN = 2 jiffies (8 ms at HZ = 250), so the SYN follows its RST at once.
  p.syn_retry_after_bad_ack = Duration::ms(8);
  // A receive buffer the application set below 64 KiB (SO_RCVBUF locks it) is not scaled
  // (tcp_select_initial_window(): wscale 0 while the space fits 16 bits), and for an unscaled
  // window __tcp_select_window() advertises "the largest window that is a nice multiple of mss"
  // (the receive MSS estimate), keeping the one advertised while it still fits within one MSS;
  // __tcp_ack_snd_check() then acknowledges a second full segment at once only if that window
  // has not shrunk or everything received was read. The profile's 65535 stands for Linux's
  // autotuned buffer, whose window is scaled and grows (rcv_ssthresh): none of this applies.
  p.window_mss_multiple = true;
  // CONFIG_HZ=250 (Debian's kernels, and the 6.18 kernel the differential mode was measured on):
  // TCP's timeouts are jiffies (TCP_TIMEOUT_INIT = HZ, TCP_RTO_MIN = HZ/5, TCP_TIMEWAIT_LEN =
  // 60*HZ; __tcp_set_rto() rounds the RTO up to whole ticks) and its timers sit on the timer
  // wheel of kernel/time/timer.c, which fires them on tick edges, up to a level's granule late.
  // Time 0 at the start of tick 0 by default, so that runs are deterministic; a kernel trace's
  // recorded phase (tcpsim check --kernel, diff, compare; the GUI's Compare tab) replaces both.
  p.hz = 250;
  p.jiffies_at_start = 0;
  p.tick_offset = Duration::zero();
  // tcp_validate_incoming(): RFC 5961 RST/SYN checks; ACK range check since 354e4aa391ed.
  p.rfc5961 = true;
  p.rfc5961_ack_range = true;
  // tcp_invalid_ratelimit = 500 ms per socket (the per-netns tcp_challenge_ack_limit is INT_MAX).
  p.challenge_ack_interval = Duration::ms(500);
  // tcp_oow_rate_limited() with tcp_invalid_ratelimit = 500 ms per socket: the duplicate ACK for
  // an unacceptable segment and the challenge ACK for SEG.ACK > SND.NXT (42726ec644cb) or below
  // SND.UNA - MAX.SND.WND are sent at most once per 500 ms, "Data packets without SYNs are not
  // likely part of an ACK loop" and are always answered (catalog 3.3, D8).
  p.oow_ack_interval = Duration::ms(500);
  // tcp_reset_check(): "seq == rcv_nxt - 1" is also a valid RST in CLOSE_WAIT, LAST_ACK and
  // CLOSING (the peer may reset from its FIN's sequence number) (catalog 3.24, D6).
  p.rst_accepts_rcv_nxt_minus_one = true;
  // tcp_reset(): ECONNREFUSED only in SYN_SENT; a reset in SYN_RECV gives ECONNRESET (D14).
  p.syn_received_rst_is_reset = true;
  // tcp_rfc1337 = 0: RST kills TIME-WAIT (D2).
  p.rfc1337 = false;
  // tcp_check_req(): a pure retransmitted SYN in SYN_RECV gets the SYN,ACK again (D3).
  p.dup_syn_in_syn_received = DupSynAnswer::SynAck;
  // "tcp: Don't drop SYN+ACK for simultaneous connect()" (2024): accepted when seq + 1 == rcv_nxt
  // and ack == snd_nxt in an active-open SYN_RECV socket, reproducing Figure 7 (D4).
  p.accept_crossing_synack = true;
  // tcp_timewait_state_process(): a SYN with SEG.SEQ after the old RCV.NXT reopens TIME-WAIT.
  p.time_wait_reopen = true;
  // close() with unread data sends RST (tcp_close(), RFC 2525 §2.17) (D21).
  p.rst_on_close_with_unread = true;
  // tcp_send_active_reset(): RST,ACK with ACK = RCV.NXT.
  p.abort_rst_carries_ack = true;
  // tcp_xmit_probe_skb(): zero-length probe at SND.UNA - 1 (D15).
  p.zero_window_probe = ProbeKind::ZeroLengthOld;
  // tcp_ack() -> tcp_ack_probe(): with nothing in flight, an ACK whose window still does not take
  // the next segment re-arms the probe timer with tcp_probe0_when() (the backed-off interval) from
  // the ACK's arrival, so a probe's answer pushes the next probe back by its round trip.
  p.persist_restart_on_ack = true;
  // Quick ACKs at first, delayed ACKs in ping-pong mode (tcp_input.c, see ack_policy.hpp):
  // TCP_DELACK_MAX = HZ/5 = 200 ms, TCP_ATO_MIN = TCP_DELACK_MIN = HZ/25 = 40 ms,
  // net.ipv4.tcp_pingpong_thresh = 1.
  p.ack_policy = AckPolicyKind::Linux;
  p.delayed_ack_timeout = Duration::ms(200);
  p.delayed_ack_min = Duration::ms(40);
  p.pingpong_thresh = 1;
  // tcp_keepalive_time = 7200 s, tcp_keepalive_intvl = 75 s, tcp_keepalive_probes = 9; off
  // unless SO_KEEPALIVE.
  p.keepalive = false;
  p.keepalive_idle = Duration::s(7200);
  p.keepalive_interval = Duration::s(75);
  p.keepalive_probes = 9;
  // tcp_nagle_check(): a short segment waits only while an earlier short segment is
  // unacknowledged (Minshall's variant, tcp_minshall_check()). Linux has no RFC sender SWS rule:
  // tcp_snd_wnd_test() sends a segment only if it fits the window whole, which the model does not
  // follow (it cuts a segment to the window).
  p.nagle = NagleKind::Minshall;
  p.sender_sws = false;
  // The receiver's side is __tcp_select_window(): with window_mss_multiple an unscaled window is a
  // whole number of receive MSS; the RFC rule is not applied on top of it.
  p.receiver_sws = false;
  p.sws_override_timeout = Duration::ms(200);
  // TCP_INIT_CWND = 10 (tcp_init_cwnd()); cwnd 1 after more than one SYN or SYN,ACK
  // retransmission (tcp_init_transfer()); tcp_slow_start_after_idle = 1 (tcp_cwnd_restart()).
  // The default congestion control is CUBIC; the model keeps its decrease, not its growth
  // (congestion.hpp).
  p.congestion_control = CongestionKind::Linux;
  p.initial_window = 10;
  p.syn_loss_cwnd_after = 2;
  p.slow_start_after_idle = true;
  // tcp_fastretrans_alert() on the third duplicate ACK (tcp_reordering = 3).
  p.fast_retransmit = true;
  p.dupack_threshold = 3;
  // tcp_sack = 1 and tcp_timestamps = 1: tcp_syn_options() offers SACK-permitted and TSopt on
  // every SYN (and window scaling, which the model does not negotiate).
  p.sack = true;
  p.timestamps = true;
  // tcp_early_retrans = 3: tcp_schedule_loss_probe() arms a tail loss probe after new data or a
  // FIN on a SACK connection in the Open state (RFC 8985 §7).
  p.tail_loss_probe = true;
  // Without a TFO cookie (tcp_fastopen = 0x1, client only) tcp_conn_request() ignores SYN data:
  // the SYN,ACK acks x+1 and the peer sends the data again after the handshake (catalog 3.13).
  p.queue_syn_text = false;
  // tcp_rcv_state_process(), FIN_WAIT1/2 after close(): "RFC 793 says to queue data in these
  // states, RFC 1122 says we MUST send a reset." (TCPAbortOnData, catalog 3.17 b, D21).
  p.rst_on_data_after_close = true;
  // tcp_syncookies = 1: "Send out syncookies when the syn backlog queue of a socket overflows".
  p.syn_cookies = true;
  // tcp_abort_on_overflow = 0: a third ACK that finds the accept queue full is dropped.
  p.abort_on_overflow = false;
  // net.core.somaxconn = 4096 (since 5.4): listen() uses min(backlog, somaxconn).
  p.somaxconn = 4096;
  // inet_csk_reqsk_queue_is_full() and sk_acceptq_is_full() test `>` (the SYN queue since
  // 3479c7549fb1, Jan 2025): backlog + 1 requests and backlog + 1 children fit (catalog D19).
  p.backlog_plus_one = true;
  // A SYN to a listener creates a request socket (TCP_NEW_SYN_RECV, tcp_conn_request()); the
  // listener itself stays in LISTEN. A request whose SYN,ACK retries run out (reqsk_timer_handler())
  // or that a RST or an overflowing accept queue ends (tcp_check_req() -> embryonic_reset) is
  // unlinked and freed by inet_csk_reqsk_queue_drop(): it closes, nothing returns to LISTEN.
  p.request_sockets = true;
  // reqsk_timer_handler(): "we reserve half of room for young embrions; and abort old ones
  // without pity, if old ones are about to clog our table" (TcpStack::synack_retry_limit()).
  p.prune_old_requests = true;
  return p;
}

std::optional<TcpParams> TcpParams::by_name(std::string_view name) {
  if (name == "rfc9293") return rfc9293();
  if (name == "linux") return linux_profile();
  return std::nullopt;
}

}  // namespace tcpsim::tcp
