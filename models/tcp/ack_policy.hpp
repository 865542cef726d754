// When received text or a FIN is acknowledged: at once, or later by the delayed-ACK timer
// (RFC 9293 §3.8.6.3; TcpParams::ack_policy). The connection tells the policy what happened
// (text accepted, a FIN, a duplicate, its own data or ACK sent, the timer fired) and asks
// `defer` after each arrival; the policy never reaches into the connection.
//
//   immediate  every ACK leaves at once (the rfc9293 profile: one ACK per segment in traces);
//   delayed    §3.8.6.3 SHLD-18/19, MUST-40: the ACK of a lone segment waits up to
//              delayed_ack_timeout, the second segment since the last ACK is acknowledged at once
//              (every segment counts as full-sized), and so is anything while out-of-order text
//              is held;
//   linux      tcp_input.c's quick-ACK / delayed / ping-pong engine:
//              - the first data of a connection starts quick-ACK mode (tcp_event_data_recv() ->
//                tcp_incr_quickack()): the next min(RCV.WND / (2 rcv_mss), 16) ACKs of data go
//                out at once; each ACK sent while one is owed uses one (tcp_dec_quickack_mode());
//              - otherwise __tcp_ack_snd_check() sends at once only when more than one receive MSS
//                is unacknowledged or out-of-order text is held, and else arms the delayed-ACK
//                timer for ATO, bounded as tcp_send_delayed_ack() does (by SRTT, at least
//                TCP_DELACK_MIN, at most TCP_DELACK_MAX in ping-pong mode or 500 ms);
//              - a FIN in ESTABLISHED enters ping-pong (interactive) mode (tcp_fin():
//                inet_csk_enter_pingpong_mode()), which turns quick ACKs off: the ACK of the FIN
//                waits for the application's reply and rides on its FIN or data; so does data
//                sent within ATO of the last arrival (tcp_event_data_sent()), one count per reply
//                up to tcp_pingpong_thresh;
//              - the timer firing in ping-pong mode leaves it (tcp_delack_timer_handler()), out of
//                it doubles ATO up to the RTO; duplicate text re-enters quick-ACK mode
//                (tcp_data_queue(): tcp_enter_quickack_mode()).
//              ATO itself follows the inter-arrival time of data (tcp_event_data_recv()); before
//              any data it is 0, so a FIN on an idle connection is acknowledged at the timer's
//              next tick.
//              __tcp_ack_snd_check()'s "more than one full frame" also asks that the window an
//              ACK would now advertise is no smaller than the one advertised, unless everything
//              received was read (AckContext::window_now): applied to a buffer under 64 KiB
//              (TcpParams::window_mss_multiple), whose window Linux does not scale; an autotuned
//              buffer's window grows with rcv_ssthresh, so the test is taken as passed there.
// Not modelled: ECN's quick ACKs, TCP_QUICKACK, compressed SACK ACKs, and the end of quick-ACK
// mode when the receive buffer is more than half full (__tcp_select_window()).
#pragma once

#include <cstdint>
#include <optional>

#include "models/tcp/params.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// What the connection knows when the policy is asked or told something.
struct AckContext {
  sim::Time now{};
  sim::Duration rto{};                   // the current retransmission timeout
  std::optional<sim::Duration> srtt{};   // smoothed RTT, once sampled
  std::uint32_t rcv_wnd = 0;             // the window our last ACK advertised (Linux's tp->rcv_wnd)
  std::uint32_t unacked = 0;             // octets received since the last ACK sent (RCV.NXT - RCV.WUP)
  bool out_of_order = false;             // out-of-order text is held
  std::optional<sim::Time> timer{};      // the delayed-ACK deadline, if armed
  // The window an ACK sent now would advertise, when __tcp_ack_snd_check()'s window test applies
  // (TcpParams::window_mss_multiple, unread data held); nullopt: the test is taken as passed.
  std::optional<std::uint32_t> window_now{};
};

class AckPolicy {
 public:
  explicit AckPolicy(const TcpParams& p);

  // A new incarnation: nothing received yet.
  void reset();

  // `len` octets of in-order text accepted (tcp_event_data_recv(), tcp_measure_rcv_mss()).
  void data_received(const AckContext& c, std::uint32_t len);
  // The FIN moved ESTABLISHED (or SYN-RECEIVED) to CLOSE-WAIT.
  void fin_in_established();
  // Text that was already received arrived again.
  void duplicate_received(const AckContext& c);
  // A segment with our own text left at `now`.
  void data_sent(sim::Time now);
  // A segment carrying an ACK left; `owed` = an acknowledgment was pending when it did.
  void ack_sent(bool owed);
  // The delayed-ACK timer fired with an acknowledgment owed (before that ACK is sent).
  void timer_expired(const AckContext& c);

  // After an arrival that calls for an ACK of text or of a FIN in ESTABLISHED: nullopt = send
  // it now; otherwise the delayed-ACK deadline (the armed one when it is kept).
  std::optional<sim::Time> defer(const AckContext& c);

  // For tests and the inspector.
  std::uint32_t quick() const { return quick_; }
  std::uint32_t rcv_mss() const { return rcv_mss_; }
  bool pingpong() const { return pingpong_ >= pingpong_thresh(); }
  sim::Duration ato() const { return ato_; }

 private:
  std::optional<sim::Time> defer_delayed(const AckContext& c);
  std::optional<sim::Time> defer_linux(const AckContext& c);
  void incr_quickack(const AckContext& c);
  void enter_quickack(const AckContext& c);

  AckPolicyKind kind() const { return p_->ack_policy; }
  sim::Duration timeout() const { return p_->delayed_ack_timeout; }  // delayed: the delay; linux: TCP_DELACK_MAX
  sim::Duration ato_min() const { return p_->delayed_ack_min; }      // linux: TCP_ATO_MIN = TCP_DELACK_MIN
  std::uint32_t pingpong_thresh() const;                             // 1..255, as the u8 icsk_ack.pingpong

  const TcpParams* p_;  // the connection's (shared) parameters

  int segments_unacked_ = 0;  // delayed: segments since the last ACK
  // linux (struct inet_connection_sock icsk_ack):
  std::uint32_t quick_ = 0;       // quick ACKs left
  std::uint32_t pingpong_ = 0;    // interactive-mode count
  sim::Duration ato_{};           // ACK timeout; 0 until the first data
  sim::Time lrcvtime_{};          // when data last arrived
  std::uint32_t rcv_mss_ = 536;   // receive MSS estimate (tcp_initialize_rcv_mss(): TCP_MSS_DEFAULT)
  bool pushed_ = false;           // ICSK_ACK_PUSHED: a short segment since the last ACK
};

}  // namespace tcpsim::tcp
