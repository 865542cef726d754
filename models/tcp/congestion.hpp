// The congestion window: how much new data may be in flight beyond what the peer's window allows
// (RFC 5681 §3: "a TCP MUST NOT send data with a sequence number higher than the sum of the
// highest acknowledged sequence number and the minimum of cwnd and rwnd"). One interface, chosen
// by TcpParams::congestion_control:
//
//   none      no congestion window (the peer's window alone limits the sender);
//   newreno   the rfc9293 profile (RFC 9293 §3.8.2 MUST-19 requires RFC 5681):
//             - initial window IW of RFC 5681 §3.1 by SMSS (4, 3 or 2 segments), or
//               TcpParams::initial_window segments when set (RFC 6928: 10);
//             - "the initial window used by a sender after a correctly transmitted SYN MUST be one
//               segment" when the SYN or SYN,ACK was retransmitted (syn_loss_cwnd_after = 1);
//             - slow start (cwnd < ssthresh): cwnd += min(N, SMSS) per ACK of N new octets (eq. 2);
//             - congestion avoidance: cwnd += SMSS*SMSS/cwnd per ACK, at least one octet (eq. 3);
//             - at an RTO: ssthresh = max(FlightSize / 2, 2*SMSS) (eq. 4), cwnd = 1 SMSS (LW);
//             - fast retransmit and fast recovery as RFC 6582 §3.2 (NewReno): on the third
//               duplicate ACK ssthresh = max(FlightSize / 2, 2*SMSS), recover = SND.NXT,
//               cwnd = ssthresh + 3*SMSS; each further duplicate inflates cwnd by SMSS; a partial
//               ACK (below recover) resends the next hole, deflates cwnd by the octets it
//               acknowledged and adds back SMSS when that was at least SMSS; the full ACK sets
//               cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) and ends recovery;
//             - after an idle period longer than the RTO, cwnd restarts at min(IW, cwnd) (§4.1).
//   linux     Linux's window in the units the model keeps (octets of SND.MSS-sized segments; the
//             kernel counts packets, the same for full-sized segments, and Nagle keeps short
//             ones rare):
//             - IW = TCP_INIT_CWND = 10 segments (tcp_init_cwnd()); 1 when the SYN or SYN,ACK was
//               retransmitted more than once (tcp_init_transfer(): total_retrans > 1);
//             - slow start adds one segment per segment acknowledged (tcp_slow_start()), congestion
//               avoidance one segment per cwnd segments acknowledged (tcp_cong_avoid_ai(), Reno's
//               additive increase; CUBIC's cubic growth is not modelled);
//             - at an RTO (tcp_enter_loss()) and on entering recovery (tcp_enter_recovery()):
//               ssthresh = max(cwnd * 717/1024, 2 segments), CUBIC's multiplicative decrease
//               (bictcp_recalc_ssthresh() with beta 717); at an RTO cwnd = 1 segment;
//             - recovery (fast retransmit, RFC 6937 PRR in the kernel) is simplified to cwnd =
//               ssthresh until SND.UNA reaches the recovery point (tcp_end_cwnd_reduction()
//               leaves cwnd = ssthresh);
//             - after an idle period longer than the RTO the window halves once per RTO idle,
//               down to min(IW, cwnd) (tcp_cwnd_restart(), tcp_slow_start_after_idle = 1).
// A FIN without data is never held by the window (tcp_cwnd_test(): "Don't be strict about the
// congestion window for the final FIN"), in both.
// Not modelled: CUBIC's growth function and HyStart, PRR's per-ACK sending, the rule that cwnd
// grows only while the sender is cwnd-limited (tcp_is_cwnd_limited(), RFC 7661), undo of a
// spurious reduction (tcp_try_undo_*), ECN.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

#include "models/net/wire/seqnum.hpp"
#include "models/tcp/params.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

class CongestionControl {
 public:
  static constexpr std::uint32_t kUnlimited = std::numeric_limits<std::uint32_t>::max();

  // A new incarnation: no window until start().
  void reset() { *this = CongestionControl{}; }
  // Data transfer begins (ESTABLISHED) with send MSS `smss`, after `handshake_retransmissions`
  // retransmissions of our SYN or SYN,ACK.
  void start(const TcpParams& p, std::uint32_t smss, int handshake_retransmissions);

  // Octets of new data the window admits with `flight` octets outstanding (kUnlimited without a
  // window). A segment shorter than SND.MSS that would fill it exactly is the sender's to judge.
  std::uint64_t room(std::uint64_t flight) const {
    if (cwnd_ == kUnlimited) return kUnlimited;
    return flight >= cwnd_ ? 0 : cwnd_ - flight;
  }
  // New data is about to leave with nothing outstanding: restart the window after idleness
  // (RFC 5681 §4.1 / tcp_cwnd_restart()), `idle` since the last segment of data, `rto` the
  // current retransmission timeout.
  void before_send_after_idle(const TcpParams& p, sim::Duration idle, sim::Duration rto);

  // What an ACK that moved SND.UNA by `acked` octets (of data or FIN) to `una` means; `flight`:
  // the octets still outstanding after it.
  enum class AckVerdict : std::uint8_t { Normal, PartialAck, RecoveryEnds };
  AckVerdict on_ack(const TcpParams& p, std::uint64_t acked, net::SeqNum una, std::uint64_t flight);
  // The dupack_threshold-th duplicate ACK: fast retransmit and recovery until SND.UNA reaches
  // `snd_nxt`, with `flight` octets outstanding. False when a recovery is already under way for
  // this data (RFC 6582 §3.2 step 2: no new one before SND.UNA passes recover).
  bool enter_fast_recovery(const TcpParams& p, std::uint64_t flight, net::SeqNum snd_nxt, net::SeqNum una);
  // A further duplicate ACK during fast recovery (RFC 6582 §3.2 step 3: inflate by SMSS).
  void on_further_duplicate(const TcpParams& p);
  // The retransmission timer expired on data, with `flight` octets outstanding; `first`: the
  // segment had not been resent by the timer before.
  void on_timeout(const TcpParams& p, std::uint64_t flight, net::SeqNum snd_nxt, bool first);

  bool in_fast_recovery() const { return fast_recovery_; }
  bool active() const { return cwnd_ != kUnlimited; }
  std::uint32_t cwnd() const { return cwnd_; }
  std::uint32_t ssthresh() const { return ssthresh_; }

 private:
  std::uint32_t initial_window(const TcpParams& p) const;
  std::uint32_t reduced_ssthresh(const TcpParams& p, std::uint64_t flight) const;

  std::uint32_t cwnd_ = kUnlimited;
  std::uint32_t ssthresh_ = kUnlimited;  // "arbitrarily high" (RFC 5681 §3.1); TCP_INFINITE_SSTHRESH
  std::uint32_t ca_acked_ = 0;           // octets acknowledged toward the next increase (linux: snd_cwnd_cnt)
  std::uint16_t smss_ = 536;
  bool fast_recovery_ = false;
  bool recover_set_ = false;
  net::SeqNum recover_{};  // RFC 6582 "recover"; linux: high_seq
};

}  // namespace tcpsim::tcp
