// RFC 6298 §2 (computing the RTO) and §5 (5.5 backoff, 5.7 re-initialisation).
#include "models/tcp/rto.hpp"

#include <algorithm>

namespace tcpsim::tcp {

using sim::Duration;

RtoEstimator::RtoEstimator(const TcpParams& p)
    : style_(p.rto_style), min_(p.rto_min), max_(p.rto_max), granularity_(p.clock_granularity),
      hz_(p.hz), rto_(p.rto_initial) {}

Duration RtoEstimator::clamp(Duration d) const { return std::clamp(d, min_, max_); }

void RtoEstimator::sample(Duration r) {
  if (!has_sample_) {
    // RFC 6298 (2.2): "SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + max (G, K*RTTVAR) where K = 4."
    srtt_ = r;
    rttvar_ = r / 2;
    has_sample_ = true;
  } else {
    // RFC 6298 (2.3): "RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
    //                  SRTT <- (1 - alpha) * SRTT + alpha * R'" with alpha = 1/8, beta = 1/4,
    // "The value of SRTT used in the update to RTTVAR is its value before updating SRTT itself."
    const Duration delta = srtt_ > r ? srtt_ - r : r - srtt_;
    rttvar_ = (rttvar_ * 3 + delta) / 4;
    srtt_ = (srtt_ * 7 + r) / 8;
  }
  if (style_ == RtoStyle::Rfc6298) {
    // RFC 6298 (2.2)/(2.3) then (2.4): rounded up to the floor (1 s), (2.5) capped.
    rto_ = clamp(srtt_ + std::max(granularity_, rttvar_ * 4));
  } else {
    // Deviation (linux profile): tcp_rtt_estimator() floors the variance term, not the RTO:
    // RTO = SRTT + max(4 * RTTVAR, tcp_rto_min), so a 20 ms path gets 220 ms, not 1 s.
    // Later samples use RFC 6298 (2.3) too; Linux's once-per-RTT mdev decay is not modelled.
    // With TcpParams::hz, __tcp_set_rto() keeps it in jiffies: usecs_to_jiffies() rounds it up
    // to whole ticks (220 ms stays 55 ticks at HZ = 250, 220.3 ms becomes 56: 224 ms).
    rto_ = std::min(max_, TickClock(hz_, 0, {}).round_up(srtt_ + std::max(rttvar_ * 4, min_)));
  }
}

void RtoEstimator::back_off() { rto_ = std::min(max_, rto_ * 2); }

void RtoEstimator::reinitialize(Duration rto) { rto_ = std::min(max_, rto); }

void SendTimes::sent(net::SeqNum start, net::SeqNum end, sim::Time at) { marks_.push_back({start, end, at}); }

void SendTimes::resent(net::SeqNum start, net::SeqNum end) {
  for (Mark& m : marks_)
    if (m.start < end && start < m.end) m.resent = true;
}

std::optional<Duration> SendTimes::acked(net::SeqNum ack, sim::Time now) {
  std::optional<sim::Time> first;  // tcp_clean_rtx_queue(): first_ackt
  bool resent = false;
  std::size_t done = 0;
  for (; done < marks_.size() && marks_[done].end <= ack; ++done) {
    resent = resent || marks_[done].resent;
    if (!marks_[done].resent && !first) first = marks_[done].at;
  }
  marks_.erase(marks_.begin(), marks_.begin() + static_cast<std::ptrdiff_t>(done));
  if (!first || resent) return std::nullopt;
  return now - *first;
}

}  // namespace tcpsim::tcp

