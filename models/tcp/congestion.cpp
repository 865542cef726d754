// The congestion window (congestion.hpp): RFC 5681, RFC 6582 and Linux's tcp_cong.c /
// tcp_input.c as the linux profile models them.
#include "models/tcp/congestion.hpp"

#include <algorithm>

namespace tcpsim::tcp {

namespace {

// Octets acknowledged as whole segments: the kernel counts each acknowledged packet, so a short
// segment counts as one (tcp_clean_rtx_queue() -> acked packets).
std::uint64_t segments_of(std::uint64_t octets, std::uint32_t smss) { return (octets + smss - 1) / smss; }

std::uint32_t clamp32(std::uint64_t v) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, CongestionControl::kUnlimited - 1));
}

}  // namespace

// RFC 5681 §3.1: "If SMSS > 2190 bytes: IW = 2 * SMSS bytes and MUST NOT be more than 2 segments;
// If (SMSS > 1095 bytes) and (SMSS <= 2190 bytes): IW = 3 * SMSS bytes ...; if SMSS <= 1095 bytes:
// IW = 4 * SMSS bytes". TcpParams::initial_window overrides it (RFC 6928; Linux TCP_INIT_CWND).
std::uint32_t CongestionControl::initial_window(const TcpParams& p) const {
  if (p.initial_window > 0) return clamp32(static_cast<std::uint64_t>(p.initial_window) * smss_);
  const std::uint32_t segments = smss_ > 2190 ? 2 : smss_ > 1095 ? 3 : 4;
  return segments * smss_;
}

// The ssthresh of a loss: RFC 5681 eq. (4) "ssthresh = max (FlightSize / 2, 2*SMSS)"; Linux
// CUBIC's bictcp_recalc_ssthresh(): max(cwnd * beta / BICTCP_BETA_SCALE, 2) with beta 717/1024.
std::uint32_t CongestionControl::reduced_ssthresh(const TcpParams& p, std::uint64_t flight) const {
  const std::uint64_t floor = 2ULL * smss_;
  if (p.congestion_control == CongestionKind::Linux) {
    const std::uint64_t segments = std::max<std::uint64_t>(segments_of(cwnd_, smss_) * 717 / 1024, 2);
    return clamp32(std::max(segments * smss_, floor));
  }
  return clamp32(std::max(flight / 2, floor));
}

void CongestionControl::start(const TcpParams& p, std::uint32_t smss, int handshake_retransmissions) {
  reset();
  if (p.congestion_control == CongestionKind::None) return;
  smss_ = static_cast<std::uint16_t>(std::max<std::uint32_t>(smss, 1));
  // RFC 5681 §3.1: "the initial window used by a sender after a correctly transmitted SYN MUST be
  // one segment consisting of at most SMSS bytes" when the SYN or SYN/ACK was lost. Linux
  // (tcp_init_transfer()) cuts it to 1 only after more than one such retransmission.
  const bool syn_lost = p.syn_loss_cwnd_after > 0 && handshake_retransmissions >= p.syn_loss_cwnd_after;
  cwnd_ = syn_lost ? smss_ : initial_window(p);
}

void CongestionControl::before_send_after_idle(const TcpParams& p, sim::Duration idle, sim::Duration rto) {
  if (!active() || !p.slow_start_after_idle || idle <= rto) return;
  const std::uint32_t restart = std::min(initial_window(p), cwnd_);
  if (p.congestion_control != CongestionKind::Linux) {
    // RFC 5681 §4.1: "if the TCP has not sent data in an interval exceeding the retransmission
    // timeout, ... cwnd = min(RW, cwnd)" with RW = IW.
    cwnd_ = restart;
    return;
  }
  // tcp_cwnd_restart(): ssthresh = tcp_current_ssthresh() (at least 3/4 cwnd), then cwnd halves
  // for every RTO of idleness while above the restart window.
  ssthresh_ = std::max(ssthresh_, clamp32(std::uint64_t{cwnd_} / 2 + cwnd_ / 4));
  std::uint64_t segments = segments_of(cwnd_, smss_);
  const std::uint64_t restart_segments = segments_of(restart, smss_);
  for (sim::Duration delta = idle - rto; delta > sim::Duration{} && segments > restart_segments; delta = delta - rto) {
    segments >>= 1;
  }
  cwnd_ = clamp32(std::max(segments, restart_segments) * smss_);
  ca_acked_ = 0;
}

CongestionControl::AckVerdict CongestionControl::on_ack(const TcpParams& p, std::uint64_t acked, net::SeqNum una,
                                                        std::uint64_t flight) {
  if (!active()) return AckVerdict::Normal;
  const bool linux = p.congestion_control == CongestionKind::Linux;
  if (fast_recovery_) {
    if (una < recover_) {
      // RFC 6582 §3.2 step 5, partial acknowledgment: "deflate the congestion window by the amount
      // of new data acknowledged by the cumulative acknowledgment field. If the partial ACK
      // acknowledges at least one SMSS of new data, then add back SMSS bytes". Linux keeps its
      // reduced window while it repairs the next hole.
      if (!linux) {
        cwnd_ -= static_cast<std::uint32_t>(std::min<std::uint64_t>(acked, cwnd_));
        if (acked >= smss_) cwnd_ = clamp32(std::uint64_t{cwnd_} + smss_);
        cwnd_ = std::max<std::uint32_t>(cwnd_, smss_);
      }
      return AckVerdict::PartialAck;
    }
    // Step 6, full acknowledgment: "Set cwnd to (ssthresh + SMSS) or ... min (ssthresh,
    // max(FlightSize, SMSS) + SMSS)" (the second, which avoids a burst); Linux
    // tcp_end_cwnd_reduction(): cwnd = ssthresh.
    fast_recovery_ = false;
    cwnd_ = linux ? ssthresh_ : clamp32(std::min<std::uint64_t>(ssthresh_, std::max<std::uint64_t>(flight, smss_) + smss_));
    ca_acked_ = 0;
    return AckVerdict::RecoveryEnds;
  }
  if (acked == 0) return AckVerdict::Normal;
  std::uint64_t grow = linux ? segments_of(acked, smss_) * smss_ : std::min<std::uint64_t>(acked, smss_);
  if (cwnd_ < ssthresh_) {
    // Slow start. RFC 5681 eq. (2): "cwnd += min (N, SMSS)". tcp_slow_start(): cwnd =
    // min(cwnd + acked, ssthresh), what is left over goes to congestion avoidance.
    if (!linux) {
      cwnd_ = clamp32(std::uint64_t{cwnd_} + grow);
      return AckVerdict::Normal;
    }
    const std::uint64_t to_thresh = ssthresh_ - cwnd_;
    const std::uint64_t step = std::min(grow, to_thresh);
    cwnd_ = clamp32(std::uint64_t{cwnd_} + step);
    grow -= step;
    if (grow == 0) return AckVerdict::Normal;
  }
  if (!linux) {
    // RFC 5681 eq. (3): "cwnd += SMSS*SMSS/cwnd", "if the above formula yields 0, the result
    // SHOULD be rounded up to 1 byte".
    cwnd_ = clamp32(std::uint64_t{cwnd_} + std::max<std::uint64_t>(1, std::uint64_t{smss_} * smss_ / cwnd_));
    return AckVerdict::Normal;
  }
  // tcp_cong_avoid_ai(): one segment more for every cwnd segments acknowledged.
  std::uint64_t counted = std::uint64_t{ca_acked_} + grow;
  std::uint64_t window = cwnd_;
  while (counted >= window) {
    counted -= window;
    window += smss_;
  }
  cwnd_ = clamp32(window);
  ca_acked_ = clamp32(counted);
  return AckVerdict::Normal;
}

bool CongestionControl::enter_fast_recovery(const TcpParams& p, std::uint64_t flight, net::SeqNum snd_nxt,
                                            net::SeqNum una) {
  if (!active()) return true;
  // RFC 6582 §3.2 step 2: "If the cumulative ACK does not cover more than recover, then do not
  // enter fast retransmit"; recover was the highest sequence number sent at the last loss.
  if (recover_set_ && una < recover_) return false;
  ssthresh_ = reduced_ssthresh(p, flight);
  // Step 2/3: "cwnd = ssthresh + 3*SMSS", the three segments that left the network; Linux's
  // recovery reduces toward ssthresh (PRR, simplified here to ssthresh at once).
  cwnd_ = p.congestion_control == CongestionKind::Linux ? ssthresh_ : clamp32(std::uint64_t{ssthresh_} + 3ULL * smss_);
  recover_ = snd_nxt;
  recover_set_ = true;
  fast_recovery_ = true;
  ca_acked_ = 0;
  return true;
}

void CongestionControl::on_further_duplicate(const TcpParams& p) {
  // RFC 6582 §3.2 step 4: "For each additional duplicate ACK received (after the third), cwnd
  // MUST be incremented by SMSS" (RFC 5681 §3.2 step 4).
  if (fast_recovery_ && p.congestion_control != CongestionKind::Linux) cwnd_ = clamp32(std::uint64_t{cwnd_} + smss_);
}

void CongestionControl::on_timeout(const TcpParams& p, std::uint64_t flight, net::SeqNum snd_nxt, bool first) {
  if (!active()) return;
  // RFC 5681 §3.1: "When a TCP sender detects segment loss using the retransmission timer and the
  // given segment has not yet been resent by way of the retransmission timer, the value of
  // ssthresh MUST be set to no more than the value given in equation (4)"; "Furthermore, upon a
  // timeout (as specified in [RFC2988]) cwnd MUST be set to no more than the loss window, LW,
  // which equals 1 full-sized segment". tcp_enter_loss() likewise lowers ssthresh only on the
  // first timeout of a loss episode and sets cwnd = packets in flight + 1 = 1.
  if (first) ssthresh_ = reduced_ssthresh(p, flight);
  cwnd_ = smss_;
  ca_acked_ = 0;
  fast_recovery_ = false;
  // RFC 6582 §3.2 step 1 / §4: "After a retransmit timeout, record the highest sequence number
  // transmitted in the variable recover"; tcp_enter_loss(): high_seq = snd_nxt.
  recover_ = snd_nxt;
  recover_set_ = true;
}

}  // namespace tcpsim::tcp
