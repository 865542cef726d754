// One TCP connection (a TCB and its state machine), sans-IO: RFC 9293 §3.3 (TCB, states),
// §3.4 (sequence numbers), §3.5 (handshake, reset), §3.6 (close), §3.8 (timers, windows),
// §3.10 (event processing), RFC 6298 (RTO), RFC 5961 (blind-attack mitigations, optional).
//
// Entry points. The host calls exactly one of these per event and passes `now` every time:
//   user calls      open_passive / open_active / send / receive / close / abort / status
//                   (user_calls.cpp, §3.10.1-§3.10.6),
//   segment_arrives (segment_arrives.cpp for CLOSED, LISTEN and SYN-SENT, §3.10.7.1-§3.10.7.3;
//                   steps.cpp for SYN-RECEIVED and the synchronized states, §3.10.7.4),
//   timer_expired   (timeouts.cpp, §3.10.8).
// The connection answers through Actions (actions.hpp): segments sent or discarded, timers armed
// or cancelled, notifications to the application, state changes, each with a static `cause`.
//
// The pipeline of one segment in SYN-RECEIVED or a synchronized state (§3.10.7.4) is a short
// linear sequence in steps.cpp: check_sequence_number -> check_rst -> (security: not modelled)
// -> check_syn -> check_ack -> (URG: not modelled) -> process_text -> check_fin, each returning
// Continue or Stop. Handlers never assign the state: they call set_state(now, Event, cause),
// which looks the edge up in transition() (state.hpp) and is the one place that reports it.
// Acknowledgements are aggregated (MUST-58): the steps only set `ack_now_`, and output() at the
// end of the arrival sends one segment (data with the ACK piggybacked, or a bare ACK).
//
// Timers (all owned by the TCB; Actions::arm/cancel; each safe to cancel in any state; with
// TcpParams::hz > 0 each is armed in whole ticks and fires where Linux's timer wheel fires it,
// jiffies.hpp):
//   Retransmit  - armed while SYN, SYN,ACK, data or FIN are unacknowledged (RFC 6298 §5);
//   Persist     - armed while SND.WND = 0 and data waits (§3.8.6.1), doubling per probe;
//   TimeWait    - 2 MSL in TIME-WAIT (MUST-13), restarted by a retransmitted FIN;
//   UserTimeout - armed with the retransmission timer when the profile sets a user timeout;
//                 restarted by every ACK of new data (§3.10.8 USER TIMEOUT);
//   DelayedAck  - when TcpParams::ack_policy delays: the ACK of in-order text or of a FIN in
//                 ESTABLISHED (so a CLOSE on EOF sends one FIN,ACK: catalog 3.15) waits for the
//                 deadline AckPolicy::defer gives (ack_policy.hpp: RFC 9293 §3.8.6.3, or Linux's
//                 quick-ACK / ping-pong engine); any segment carrying an ACK cancels it;
//   Keepalive   - when TcpParams::keepalive is on, in ESTABLISHED and CLOSE-WAIT: restarted by
//                 every arrival, probes <SEQ=SND.NXT-1> when idle, gives up after N probes (§3.8.4);
//   FinWait2    - TcpParams::fin_wait_2_timeout (linux tcp_fin_timeout, D16): FIN-WAIT-2 after a
//                 full CLOSE ends in CLOSED, silently (not in the RFC, where FIN-WAIT-2 waits forever).
//
// Closed sockets (linux profile). After a CloseMode::Full CLOSE the connection is what Linux
// calls orphaned: besides the FIN-WAIT-2 timer, its retransmissions give up after
// TcpParams::orphan_retries (tcp_orphan_retries: 8) instead of R2 (catalog 3.19).
//
// Unacceptable segments (linux profile, D6, D8). TcpParams::oow_ack_interval limits the ACKs that
// answer unacceptable segments without text or FIN (first step) and unacceptable ACK fields
// (fifth step) to one per interval (tcp_oow_rate_limited), so the RFC 1337 §2.3 ACK loop stops;
// TcpParams::rst_accepts_rcv_nxt_minus_one takes a RST at RCV.NXT-1 in CLOSE-WAIT, LAST-ACK and
// CLOSING as valid (tcp_reset_check). A RST in an active-open SYN-RECEIVED reports "connection
// reset" under TcpParams::syn_received_rst_is_reset (D14), "connection refused" otherwise.
//
// Fast retransmit (RFC 5681 §3.2, TcpParams::fast_retransmit, dupack_threshold): the third
// duplicate ACK (RFC 5681 §2: no data, no SYN/FIN, SEG.ACK = SND.UNA, same window, data
// outstanding) resends the segment at SND.UNA once; the count restarts when SND.UNA moves.
//
// Text on a SYN (§3.10.7.2 third, §3.10.7.3 fourth; catalog 3.13): with TcpParams::queue_syn_text
// (rfc9293) it is queued, the SYN,ACK acknowledges only the SYN, and the text (and a FIN) is
// processed when ESTABLISHED is reached, before the text of the segment that got there; the
// linux profile ignores it as Linux without TFO does. Data SENT in SYN-SENT or SYN-RECEIVED waits
// in the send buffer and goes out with the ACK that completes the handshake (Figure 6 line 5).
//
// Data after CLOSE (§3.6.1 SHLD-3, catalog 3.17 b): with TcpParams::rst_on_data_after_close
// (linux) new data arriving in FIN-WAIT-1/2 after a CloseMode::Full CLOSE is answered with a RST
// and the connection is CLOSED; after a half-close (HalfDuplex) or in rfc9293 it is received.
//
// Table 6 "special allowance": at RCV.WND = 0 a segment at RCV.NXT with text is processed as its
// ACK (or RST) alone; its text is dropped and the reply is the usual <ACK=RCV.NXT> (both profiles).
//
// Not implemented yet (parameters exist in TcpParams where applicable):
//   - a shared timestamp for the out-of-window and challenge ACK limits (Linux has one,
//     last_oow_ack_time; here oow_ack_interval and challenge_ack_interval count separately);
//     EPIPE for a reset in CLOSE-WAIT (recorded as ECONNRESET); TIME-WAIT reopen is only a predicate for the
//     host (syn_may_reopen), without the return to TIME-WAIT for an old duplicate nor RFC 6191;
//     window scaling, SACK blocks (only SACK-permitted is negotiated), URG (the sixth step), security/compartment;
//   - zero-window probes never count toward R2 (MUST-37 holds; unanswered probes do not abort);
//   - receiver SWS avoidance (TcpParams::receiver_sws) keeps the right edge of every ACK; the window
//     update after RECEIVE is sent when the edge can move by min(RCV.BUFF/2, Eff.snd.MSS) and the
//     peer's remaining window is at most RCV.BUFF/2 (see send_window_update_if_needed);
//     R1 "negative advice" is not acted on (no IP layer); ICMP soft/hard errors are not handled.
// Choices recorded (catalog §4): ABORT enters CLOSED, not TIME-WAIT (D13, §3.10.5 over §3.5.2);
// a RST in SYN-SENT is validated by its ACK only (D7); the user timeout runs only while data is
// unacknowledged; R2's clock starts when the segment became the front of the queue; a passive
// SYN-RECEIVED whose SYN,ACK retries run out returns to LISTEN silently (as Linux drops the request).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "models/net/wire/address.hpp"
#include "models/net/wire/segment.hpp"
#include "models/net/wire/seqnum.hpp"
#include "models/tcp/ack_policy.hpp"
#include "models/tcp/actions.hpp"
#include "models/tcp/buffers.hpp"
#include "models/tcp/congestion.hpp"
#include "models/tcp/jiffies.hpp"
#include "models/tcp/options.hpp"
#include "models/tcp/params.hpp"
#include "models/tcp/recovery.hpp"
#include "models/tcp/rto.hpp"
#include "models/tcp/state.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// RFC 9293 §3.3.1 Tables 2 and 3: the send and receive sequence variables.
struct Tcb {
  // Send sequence space
  net::SeqNum snd_una{};   // oldest unacknowledged sequence number
  net::SeqNum snd_nxt{};   // next sequence number to be sent
  std::uint32_t snd_wnd = 0;
  net::SeqNum snd_wl1{};   // segment sequence number used for last window update
  net::SeqNum snd_wl2{};   // segment acknowledgment number used for last window update
  net::SeqNum iss{};
  std::uint32_t max_snd_wnd = 0;  // RFC 5961 MAX.SND.WND
  std::uint16_t snd_mss = 536;    // RFC 9293 §3.7.1 SendMSS (peer's MSS option)
  // Receive sequence space
  net::SeqNum rcv_nxt{};
  std::uint32_t rcv_wnd = 0;
  net::SeqNum irs{};
  bool operator==(const Tcb&) const = default;
};

// RFC 9293 §3.10.6 STATUS, plus what tests and the GUI inspector want to see.
struct Status {
  State state = State::Closed;
  net::ConnId id{};
  Tcb tcb{};
  std::uint64_t send_queued = 0;   // octets SENT by the user and not yet acknowledged
  std::uint64_t recv_unread = 0;   // octets received in order and not yet read
  sim::Duration rto{};
  bool passive = false;            // MUST-11: SYN-RECEIVED remembers a passive OPEN
  bool operator==(const Status&) const = default;
};

struct ReceiveResult {
  CallError error = CallError::None;
  std::uint64_t octets = 0;
  std::vector<std::uint8_t> bytes;  // content when the octets came with content
  bool eof = false;                 // the peer's FIN has been read past ("connection closing")
};

class Connection {
 public:
  Connection(const TcpParams& params, Actions& actions);  // keeps its own copy of `params`
  // Shares `params` with other connections (a host's stack): 16 bytes instead of a copy.
  Connection(std::shared_ptr<const TcpParams> params, Actions& actions);

  // --- user calls (user_calls.cpp) ---
  CallError open_passive(sim::Time now, net::Endpoint local);
  CallError open_active(sim::Time now, const net::ConnId& id, net::SeqNum iss);
  // SEND n octets without content, or real bytes. `accepted` may be less than asked when the
  // send buffer is full.
  CallError send(sim::Time now, std::uint64_t octets, std::uint64_t* accepted = nullptr);
  CallError send(sim::Time now, std::span<const std::uint8_t> bytes, std::uint64_t* accepted = nullptr);
  ReceiveResult receive(sim::Time now, std::uint64_t max);
  // CLOSE. `Full` is the socket close(): with TcpParams::rst_on_close_with_unread and unread data
  // it resets (§3.6.1 SHLD-3). `HalfDuplex` is shutdown(SHUT_WR): only "no more data to send",
  // the FIN goes out and the application keeps receiving (RFC 9293 §3.6 half-close).
  enum class CloseMode : std::uint8_t { Full, HalfDuplex };
  CallError close(sim::Time now, CloseMode mode = CloseMode::Full);
  CallError abort(sim::Time now);
  Status status() const;

  // --- SYN cookies (stack.cpp) ---
  // Entry points for the host's listen queues (cookie.cpp); see stack.hpp and syncookie.hpp.
  // open_from_cookie: in LISTEN (a child after open_passive), the ACK `ack` returned a valid SYN
  // cookie (RFC 4987 §3.6): the request is rebuilt from it (IRS = SEG.SEQ - 1, ISS = SEG.ACK - 1,
  // SendMSS = min(`mss` from the cookie, ours), send window from the segment) and the connection
  // passes SYN-RECEIVED and enters ESTABLISHED at once; text or FIN on `ack` is then processed.
  void open_from_cookie(sim::Time now, const net::Segment& ack, std::uint16_t mss);
  // refuse_on_overflow: a passive SYN-RECEIVED connection whose handshake-completing `ack` finds
  // the listener's accept queue full, with TcpParams::abort_on_overflow (Linux
  // tcp_abort_on_overflow = 1): answers <SEQ=SEG.ACK><CTL=RST> and returns to LISTEN (the host
  // releases it, as Linux drops the request).
  void refuse_on_overflow(sim::Time now, const net::Segment& ack);

  // --- events ---
  void segment_arrives(sim::Time now, const net::Segment& seg);
  void timer_expired(sim::Time now, TimerKind timer);

  // RFC 9293 §3.6.1 MAY-2 (for the host's demultiplexer): a TIME-WAIT connection "MAY accept a
  // new SYN from the remote TCP endpoint to reopen the connection directly from TIME-WAIT state,
  // if it: (1) assigns its initial sequence number for the new connection to be larger than the
  // largest sequence number it used on the previous connection incarnation". True when the
  // profile allows it and `seg` is a SYN (no ACK, no RST) beyond the old RCV.NXT, as Linux's
  // tcp_timewait_state_process() decides without timestamps. The host then deletes this TCB and
  // hands the SYN to its listener with ISS = reopen_iss() (old SND.NXT + 65535 + 2, as Linux).
  // Not done: (2) "returns to TIME-WAIT state if the SYN turns out to be an old duplicate".
  bool syn_may_reopen(const net::Segment& seg) const;
  net::SeqNum reopen_iss() const { return tcb_.snd_nxt + 65535 + 2; }

  // TCP_NODELAY (RFC 9293 §3.7.4: "the Nagle algorithm ... can be disabled for a given connection
  // by the application"): short segments are not held for outstanding data.
  void set_nodelay(bool on) { nodelay_ = on; }
  bool nodelay() const { return nodelay_; }
  // Whether a SYN or SYN,ACK of this connection has timed out (a passive open's request is "young"
  // until its first SYN,ACK timeout, as Linux's request_sock num_timeout).
  bool handshake_timed_out() const { return handshake_retransmissions_ > 0; }

  State state() const { return state_; }
  const Tcb& tcb() const { return tcb_; }
  const net::ConnId& id() const { return id_; }
  const RtoEstimator& rto() const { return rto_; }
  std::optional<sim::Time> deadline(TimerKind t) const {
    return holds(t) ? timers_[timer_slot(t)] : std::nullopt;
  }

 private:
  enum class Step : std::uint8_t { Continue, Stop };

  // user_calls.cpp
  template <typename Append>
  CallError send_impl(sim::Time now, Append append, std::uint64_t asked, std::uint64_t* accepted);

  // connection.cpp: the choke point and shared helpers
  void set_state(sim::Time now, Event e, std::string_view cause);
  void drop_passive_request(sim::Time now, Event linux_event, std::string_view to_listen, std::string_view to_closed);
  void enter_closed();
  void reset_tcb();
  // Arms `t` to expire `timeout` after `now`: exactly then in continuous time, on the tick the
  // timer wheel puts it on with TcpParams::hz > 0 (jiffies.hpp).
  void arm(TimerKind t, sim::Time now, sim::Duration timeout, std::string_view cause);
  void cancel(TimerKind t);
  void cancel_all_timers();
  void reset_connection(sim::Time now, trace::AppError err, Event e, std::string_view cause);
  bool syn_unacked() const;
  // The application closed the socket (CloseMode::Full): Linux calls such a socket orphaned.
  bool orphaned() const { return full_close_; }
  bool orphan_limit_applies() const { return orphaned() && params_.orphan_retries && !syn_unacked(); }
  bool fin_acked() const;
  std::uint64_t data_in_flight() const;
  std::uint64_t unsent() const;

  // segment_arrives.cpp: §3.10.7.1-§3.10.7.3
  void closed_arrives(sim::Time now, const net::Segment& seg);
  void listen_arrives(sim::Time now, const net::Segment& seg);
  void syn_sent_arrives(sim::Time now, const net::Segment& seg);
  void note_peer_options(const net::Segment& seg);
  void synchronize_window(const net::Segment& seg);
  void queue_syn_text(const net::Segment& seg);

  // steps.cpp: §3.10.7.4
  void synchronized_arrives(sim::Time now, const net::Segment& seg);
  std::optional<net::Segment> zero_window_allowance(const net::Segment& seg);
  Step check_sequence_number(sim::Time now, const net::Segment& seg);
  Step check_rst(sim::Time now, const net::Segment& seg);
  Step check_syn(sim::Time now, const net::Segment& seg);
  Step check_ack(sim::Time now, const net::Segment& seg);
  Step ack_in_syn_received(sim::Time now, const net::Segment& seg);
  void process_syn_text(sim::Time now);
  Step ack_per_state(sim::Time now);
  Step process_text(sim::Time now, const net::Segment& seg);
  Step check_fin(sim::Time now, const net::Segment& seg);
  bool acceptable(const net::Segment& seg) const;
  bool delay_ack(sim::Time now);
  AckContext ack_context(sim::Time now) const;
  bool new_data_after_close(const net::Segment& seg) const;
  bool rst_at_fin_seq(const net::Segment& seg) const;
  void send_challenge_ack(sim::Time now, std::string_view cause);
  void send_oow_ack(sim::Time now, const net::Segment& seg, std::string_view cause);
  void ack_advances(sim::Time now, const net::Segment& seg);
  void update_window(const net::Segment& seg);
  bool duplicate_ack(const net::Segment& seg) const;
  std::optional<sim::Duration> every_ack_rtt(sim::Time now, const net::Segment& seg);
  void on_duplicate_ack();

  // output.cpp: building and sending segments
  net::Segment make_segment(net::SeqNum seq, net::Flags flags) const;
  // The window a segment advertises: RCV.WND, or with TcpParams::window_mss_multiple and a
  // buffer under 64 KiB Linux's whole number of receive MSS (`syn`: the SYN's or SYN,ACK's).
  std::uint32_t advertised_window(bool syn) const;
  bool mss_multiple_window() const { return params_.window_mss_multiple && rcvbuf_.capacity() < 65535; }
  // §3.8.6.2.2: how far the right edge must be able to move before freed space is offered,
  // min(Fr * RCV.BUFF, Eff.snd.MSS) with Fr = 1/2.
  std::int64_t receiver_sws_threshold() const;
  void send_syn(sim::Time now, std::string_view cause, bool retransmission = false);
  void send_syn_ack(sim::Time now, std::string_view cause, bool retransmission = false);
  void send_initial(sim::Time now, net::Flags flags, std::string_view cause, bool retransmission);
  void send_ack(std::string_view cause);
  void emit(const net::Segment& seg, std::string_view cause, bool retransmission = false);
  void emit_stamped(const net::Segment& seg, std::string_view cause, bool retransmission);
  void owe_ack(std::string_view cause);
  void send_rst_for(const net::Segment& seg, std::string_view cause);
  void send_abort_rst(std::string_view cause);
  void output(sim::Time now);
  // `probe`: a loss probe, which the congestion window does not hold (tcp_write_xmit(), push_one 2).
  bool send_data_segment(sim::Time now, bool probe = false);
  bool may_send_short(std::uint64_t n, std::uint64_t left, std::uint64_t usable) const;
  void retransmit_front(sim::Time now);
  void resend_from_una(std::string_view cause);
  // `new_tail`: new data or a FIN just left, and the tail loss probe may take the RTO's place.
  void start_retransmit_timer(sim::Time now, bool new_tail = false);
  // The retransmission timer or, in its place, the tail loss probe (recovery.hpp).
  bool rto_pending() const { return deadline(TimerKind::Retransmit) || deadline(TimerKind::LossProbe); }
  bool arm_loss_probe(sim::Time now, sim::Duration rto_left);
  void on_loss_probe_expired(sim::Time now);
  void resend_tail(std::string_view cause);
  void update_persist(sim::Time now);
  void send_window_update_if_needed();
  void restart_persist_on_ack(sim::Time now);

  // timeouts.cpp: §3.10.8
  void on_retransmit_expired(sim::Time now);
  void on_persist_expired(sim::Time now);
  void on_time_wait_expired(sim::Time now);
  void on_user_timeout_expired(sim::Time now);
  void on_keepalive_expired(sim::Time now);
  void arm_fin_wait_2_timer(sim::Time now);
  void on_fin_wait_2_expired(sim::Time now);
  void restart_keepalive(sim::Time now);
  bool retries_exhausted(sim::Time now) const;

  std::shared_ptr<const TcpParams> params_holder_;
  const TcpParams& params_;
  Actions& actions_;
  State state_ = State::Closed;
  net::ConnId id_{};
  Tcb tcb_{};
  // The time of the event being handled, set by every entry point (Linux: tp->tcp_mstamp,
  // tcp_mstamp_refresh()): the clock of the segments' timestamps.
  sim::Time clock_{};
  OptionState options_{};  // what the handshake agreed (options.hpp)
  // TcpParams::hz: the clock the timers are armed on.
  TickClock tick_clock() const { return TickClock::of(params_); }
  RtoEstimator rto_;
  SendBuffer sndbuf_;
  ReceiveBuffer rcvbuf_;
  std::optional<sim::Time> timers_[kTimerSlotCount]{};
  bool probe_in_slot_ = false;  // the retransmission timer's slot holds the loss probe
  // Whether `t`'s slot is `t`'s now (the shared slot may hold the other one).
  bool holds(TimerKind t) const {
    return timer_slot(t) != timer_slot(TimerKind::Retransmit) || probe_in_slot_ == (t == TimerKind::LossProbe);
  }

  bool passive_ = false;         // MUST-11
  bool fin_queued_ = false;      // CLOSE called: send FIN after the queued data
  bool full_close_ = false;      // that CLOSE was CloseMode::Full (the socket close(), not shutdown)
  bool fin_sent_ = false;
  net::SeqNum fin_seq_{};        // sequence number of our FIN once sent
  bool close_pending_ = false;   // CLOSE in SYN-RECEIVED with data queued (§3.10.4)
  bool fin_received_ = false;
  bool eof_read_ = false;
  bool ack_now_ = false;         // an ACK is owed at the end of this arrival
  std::string_view ack_cause_{};
  bool fin_in_order_ = false;    // step 7 found the FIN contiguous (step 8 processes it)
  std::uint8_t handshake_retransmissions_ = 0;  // of our SYN or SYN,ACK: RFC 6298 (5.7), RFC 5681 §3.1
  bool probe_outstanding_ = false;        // a zero-window probe octet is in flight
  bool resending_probe_ = false;          // output() resends from the probe octet
  bool nodelay_ = false;                  // TCP_NODELAY: no Nagle
  bool sws_held_ = false;                 // sender SWS avoidance holds a short segment, nothing in flight
  bool sws_override_ = false;             // the override timeout fired: send what the window allows
  bool persist_overrides_sws_ = false;    // the Persist timer runs as that override timeout
  bool idle_at_output_ = false;           // nothing was in flight when this output() began
  net::SeqNum snd_sml_{};                 // end of the last short segment sent (Linux tp->snd_sml)
  net::SeqNum last_adv_edge_{};          // right edge (ACK + window) we last advertised
  bool window_advertised_ = false;        // last_adv_edge_ holds one
  int retransmissions_ = 0;               // of the segment at the front of the queue
  sim::Time front_first_sent_{};          // when that segment was first sent
  std::optional<net::SeqNum> rtt_seq_{};  // timed segment (Karn: cleared on retransmission)
  SendTimes send_times_;                  // TcpParams::rtt_every_ack: each segment's first send
  sim::Time rtt_sent_{};
  sim::Duration persist_interval_{};
  std::uint64_t segments_sent_ = 0;
  std::optional<sim::Time> last_challenge_ack_{};
  std::optional<sim::Time> last_oow_ack_{};  // TcpParams::oow_ack_interval
  int keepalive_probes_ = 0;               // unanswered keep-alive probes
  AckPolicy ack_policy_;                  // when owed ACKs leave (ack_policy.hpp)
  CongestionControl cc_;                  // the congestion window (congestion.hpp)
  sim::Time last_data_sent_{};            // when new data last left (Linux tp->lsndtime)
  std::unique_ptr<LossRecovery> recovery_;  // tail loss probes (recovery.hpp), when they may be sent
  net::SeqNum rcv_wup_{};                 // RCV.NXT our last ACK carried
  int dupacks_ = 0;                       // RFC 5681 duplicate ACKs since SND.UNA last moved
  std::unique_ptr<net::Segment> syn_text_{};  // text of the SYN, queued until ESTABLISHED (rare: no inline space)
};

// RFC 9293 §3.10.7.1: the reply of a host that has no TCB for `seg` (nullopt for a RST).
// "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>;
// if the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>."
std::optional<net::Segment> reset_for_closed(const net::Segment& seg);

}  // namespace tcpsim::tcp
