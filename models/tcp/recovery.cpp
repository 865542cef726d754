// Loss recovery: recovery.hpp.
#include "models/tcp/recovery.hpp"

#include <algorithm>

namespace tcpsim::tcp {

void LossRecovery::sent(net::SeqNum end) { ends_.push_back(end); }

void LossRecovery::acked(net::SeqNum una) {
  const auto gone = std::find_if(ends_.begin(), ends_.end(), [&](net::SeqNum e) { return una < e; });
  ends_.erase(ends_.begin(), gone);
  if (probe_high_ && *probe_high_ <= una) probe_high_.reset();
  if (recovery_point_ && *recovery_point_ <= una) recovery_point_.reset();
}

std::optional<sim::Duration> LossRecovery::probe_timeout(const TcpParams& p, const OptionState& agreed, const RtoEstimator& rto,
                                                         const TickClock& tick, sim::Duration rto_left) const {
  // tcp_schedule_loss_probe(): "Schedule a loss probe in 2*RTT for SACK capable connections not
  // in loss recovery, that are either limited by cwnd or application."
  if (!p.tail_loss_probe || !agreed.sack || recovering() || ends_.empty()) return std::nullopt;
  // "Probe timeout is 2*rtt. Add minimum RTO to account for delayed ack when there's one
  // outstanding packet. If no RTT sample is available then probe after TCP_TIMEOUT_INIT."
  sim::Duration pto = p.rto_initial;
  if (rto.has_sample()) {
    pto = rto.srtt() * 2 + (ends_.size() == 1 ? p.rto_min : sim::Duration::ms(2));  // TCP_TIMEOUT_MIN_US
  }
  pto = tick.round_up(pto);
  // "If the RTO formula yields an earlier time, then use that time."
  if (rto_left > sim::Duration::zero()) pto = std::min(pto, tick.round_up(rto_left));
  return pto;
}

net::SeqNum LossRecovery::tail_start(net::SeqNum una) const {
  if (ends_.size() < 2) return una;
  const net::SeqNum start = ends_[ends_.size() - 2];
  return una < start ? start : una;
}

}  // namespace tcpsim::tcp
