// Loss recovery beyond the retransmission timer: the tail loss probe (RFC 8985 §7) as Linux sends
// it, and the loss-recovery state that decides when it may.
//
// A probe retransmits the last segment sent (or sends a new one) a little over two round trips
// after the tail left, so that a lost tail is repaired by the probe's ACK instead of an RTO:
//   - scheduled after new data or a FIN is sent, and after an ACK of new data that leaves data
//     outstanding (tcp_write_xmit() -> tcp_schedule_loss_probe(); tcp_set_xmit_timer()), on a
//     connection that agreed SACK (tcp_is_sack()), with TcpParams::tail_loss_probe
//     (tcp_early_retrans = 3), while not recovering from a loss (icsk_ca_state Open);
//   - PTO = 2·SRTT + rto_min with one segment outstanding (room for the peer's delayed ACK), or
//     + 2 ms with more; TCP_TIMEOUT_INIT (1 s) without an RTT sample; in whole ticks; never later
//     than the RTO would fire (RFC 8985 §7.2: "PTO = min(PTO, RTO)");
//   - at most one probe outstanding (tlp_high_seq), until an ACK reaches the SND.NXT it was sent at;
//   - after the probe the RTO is armed again from that moment, not backed off
//     (tcp_send_loss_probe(): icsk_pending = 0, then tcp_rearm_rto()); the RTO that follows backs
//     off as usual.
// Loss recovery (Linux's Loss and Recovery states) begins at an RTO or a fast retransmit, at a
// recovery point of SND.NXT, and ends when SND.UNA reaches it (tcp_process_loss(),
// tcp_try_undo_recovery()).
//
// Not modelled yet: SACK blocks and the scoreboard, RACK's time-based loss detection, and the
// congestion window's reaction to a probe that repaired a loss (tcp_process_tlp_ack()).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "models/net/wire/seqnum.hpp"
#include "models/tcp/jiffies.hpp"
#include "models/tcp/options.hpp"
#include "models/tcp/params.hpp"
#include "models/tcp/rto.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// Kept only by a connection that may probe (TcpParams::tail_loss_probe and SACK agreed): made at
// its first segment of data or FIN, so that others pay nothing for it.
class LossRecovery {
 public:
  // A new segment left (not a retransmission): it ends at `end` (SEG.SEQ + SEG.LEN).
  void sent(net::SeqNum end);
  // SND.UNA moved to `una`: segments wholly acknowledged leave, an outstanding probe whose
  // SND.NXT is reached is answered, and loss recovery ends at its recovery point.
  void acked(net::SeqNum una);
  // An RTO or a fast retransmit: loss recovery until SND.UNA reaches `snd_nxt`.
  void enter_recovery(net::SeqNum snd_nxt) { recovery_point_ = snd_nxt; }
  bool recovering() const { return recovery_point_.has_value(); }

  // The probe timeout, or nullopt when no probe may be scheduled now. `rto_left`: how long until
  // the RTO of the segment at SND.UNA would fire.
  std::optional<sim::Duration> probe_timeout(const TcpParams& p, const OptionState& agreed, const RtoEstimator& rto,
                                             const TickClock& tick, sim::Duration rto_left) const;

  // The probe fired: whether it may be sent (no other probe outstanding), and then that it was,
  // at SND.NXT `snd_nxt`.
  bool may_probe() const { return !probe_high_.has_value(); }
  void probe_sent(net::SeqNum snd_nxt) { probe_high_ = snd_nxt; }
  // Where the last segment sent begins, for the probe to send it again (at least `una`).
  net::SeqNum tail_start(net::SeqNum una) const;

  // When the RTO of the segment at SND.UNA falls due (what tcp_rto_delta_us() measures from).
  sim::Time rto_due{};

 private:
  std::vector<net::SeqNum> ends_;  // of the segments outstanding, oldest first
  std::optional<net::SeqNum> recovery_point_;
  std::optional<net::SeqNum> probe_high_;  // tlp_high_seq
};

}  // namespace tcpsim::tcp
