// RFC 6298: the retransmission timer's value (SRTT, RTTVAR, RTO, backoff), as required by
// RFC 9293 §3.8.1 MUST-18 ("The RTO MUST be computed according to the algorithm in [RFC 6298],
// including Karn's algorithm"). Karn's rule itself (no samples from retransmitted segments) is
// applied by the caller, which only feeds samples of segments sent once.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/net/wire/seqnum.hpp"
#include "models/tcp/jiffies.hpp"
#include "models/tcp/params.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

class RtoEstimator {
 public:
  explicit RtoEstimator(const TcpParams& p);

  // A round-trip measurement R of a segment that was not retransmitted.
  void sample(sim::Duration r);
  // RFC 6298 (5.5): "The host MUST set RTO <- RTO * 2 ("back off the timer")", capped at the max.
  void back_off();
  // RFC 6298 (5.7): after a handshake retransmission and without a sample, RTO <- 3 s.
  void reinitialize(sim::Duration rto);

  sim::Duration rto() const { return rto_; }
  bool has_sample() const { return has_sample_; }
  sim::Duration srtt() const { return srtt_; }
  sim::Duration rttvar() const { return rttvar_; }

 private:
  sim::Duration clamp(sim::Duration d) const;

  RtoStyle style_;
  sim::Duration min_, max_, granularity_;
  int hz_;  // TcpParams::hz: the Linux RTO is whole ticks
  bool has_sample_ = false;
  sim::Duration srtt_{}, rttvar_{};
  sim::Duration rto_;
};

// Deviation (linux profile, TcpParams::rtt_every_ack): where RFC 6298 times one segment per round
// trip, Linux takes a sample from every ACK that acknowledges new data (tcp_clean_rtx_queue() ->
// tcp_ack_update_rtt()): the time since the oldest newly acknowledged segment was sent, none when
// any acknowledged segment had been sent again (Karn: FLAG_RETRANS_DATA_ACKED), and a segment
// acknowledged only in part gives none. Each segment of new data or FIN is remembered from its
// first transmission until acknowledged.
class SendTimes {
 public:
  void sent(net::SeqNum start, net::SeqNum end, sim::Time at);
  // A retransmission of [start, end): the segments it overlaps no longer give samples.
  void resent(net::SeqNum start, net::SeqNum end);
  // SND.UNA moved to `ack` at `now`: forgets the segments wholly acknowledged; the sample, if any.
  std::optional<sim::Duration> acked(net::SeqNum ack, sim::Time now);
  bool empty() const { return marks_.empty(); }

 private:
  struct Mark {
    net::SeqNum start, end;
    sim::Time at;
    bool resent = false;
  };
  std::vector<Mark> marks_;  // in sequence order
};

}  // namespace tcpsim::tcp
