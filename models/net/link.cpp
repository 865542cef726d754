#include "models/net/link.hpp"

#include <algorithm>
#include <stdexcept>

namespace tcpsim::net {

void TimeRing::push_back(sim::Time t) {
  if (size_ == buf_.size()) {
    // Grow to the next power of two, unrolling the ring so it starts at 0 again.
    std::vector<sim::Time> bigger(buf_.empty() ? 4 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_.swap(bigger);
    head_ = 0;
  }
  buf_[(head_ + size_) & (buf_.size() - 1)] = t;
  ++size_;
}

sim::Duration serialization_time(std::uint64_t wire_bytes, std::uint64_t bandwidth_bps) {
  if (bandwidth_bps == 0) return sim::Duration::zero();
  // bits * 1e9 / bps, rounded up; 128-bit so that no size or bandwidth overflows.
  __extension__ using u128 = unsigned __int128;
  const u128 num = static_cast<u128>(wire_bytes) * 8u * 1'000'000'000u;
  const u128 ns = (num + bandwidth_bps - 1) / bandwidth_bps;
  return sim::Duration::ns(static_cast<std::int64_t>(ns));
}

sim::Duration reorder_hold(const LinkParams& p) {
  if (p.reorder_delay) return *p.reorder_delay;
  return std::max(p.delay, sim::Duration::ms(1));
}

void validate(const LinkParams& p, std::string_view what) {
  auto fail = [&](const char* rule) {
    throw std::invalid_argument("link " + std::string(what) + ": " + rule);
  };
  auto prob = [](double x) { return x >= 0.0 && x <= 1.0; };  // also rejects NaN
  if (p.delay < sim::Duration::zero()) fail("delay must not be negative");
  if (p.jitter < sim::Duration::zero()) fail("jitter must not be negative");
  if (p.reorder_delay && *p.reorder_delay < sim::Duration::zero()) fail("reorder_delay must not be negative");
  if (!prob(p.duplicate)) fail("duplicate must be a probability in [0, 1]");
  if (!prob(p.reorder)) fail("reorder must be a probability in [0, 1]");
  if (!prob(p.loss.rate)) fail("loss rate must be a probability in [0, 1]");
  const GilbertElliott& ge = p.loss.ge;
  if (!prob(ge.p_good_to_bad) || !prob(ge.p_bad_to_good) || !prob(ge.loss_good) || !prob(ge.loss_bad)) {
    fail("Gilbert-Elliott parameters must be probabilities in [0, 1]");
  }
}

LinkDirection::LinkDirection(trace::NodeId from, trace::NodeId to, const LinkParams& params,
                             const sim::RandomStreams& streams, std::string_view name)
    : params_(&params), from_(from), to_(to) {
  const bool random = params.loss.kind != LossModel::Kind::None || params.duplicate > 0.0 ||
                      params.jitter > sim::Duration::zero() || params.reorder > 0.0;
  if (random) {
    const std::string base = "link/" + std::string(name) + "/";
    rng_ = std::make_unique<Streams>(Streams{streams.stream(base + "loss"), streams.stream(base + "dup"),
                                            streams.stream(base + "jitter"), streams.stream(base + "reorder")});
  }
  if (params.bandwidth_bps > 0) tx_ = std::make_unique<Transmitter>();
}

bool LinkDirection::lose() {
  switch (params_->loss.kind) {
    case LossModel::Kind::None:
      return false;
    case LossModel::Kind::Bernoulli:
      return rng_->loss.bernoulli(params_->loss.rate);
    case LossModel::Kind::GilbertElliott: {
      // Step the chain first, then lose with the probability of the state the segment finds.
      // A burst of the bad state therefore lasts 1/p_bad_to_good segments on average.
      const GilbertElliott& ge = params_->loss.ge;
      if (ge_bad_) {
        if (rng_->loss.bernoulli(ge.p_bad_to_good)) ge_bad_ = false;
      } else {
        if (rng_->loss.bernoulli(ge.p_good_to_bad)) ge_bad_ = true;
      }
      return rng_->loss.bernoulli(ge_bad_ ? ge.loss_bad : ge.loss_good);
    }
  }
  return false;
}

bool LinkDirection::duplicate() { return params_->duplicate > 0.0 && rng_->dup.bernoulli(params_->duplicate); }

std::optional<sim::Time> LinkDirection::transmit(sim::Time now, std::uint32_t wire_bytes) {
  if (!tx_) return now;
  // The transmitter sends back to back, so the segments still in `ends` after dropping the
  // finished ones are: the one on the wire (the front) and those waiting behind it.
  TimeRing& ends = tx_->ends;
  while (!ends.empty() && ends.front() <= now) ends.pop_front();
  if (ends.size() > params_->queue_limit) return std::nullopt;  // queue_limit wait + one on the wire
  const sim::Time start = std::max(now, tx_->busy_until);
  tx_->busy_until = start + serialization_time(wire_bytes, params_->bandwidth_bps);
  ends.push_back(tx_->busy_until);
  return tx_->busy_until;
}

LinkDirection::Propagation LinkDirection::propagation() {
  sim::Duration total = params_->delay;
  if (params_->jitter > sim::Duration::zero()) {
    total += sim::Duration::ns(rng_->jitter.symmetric(params_->jitter.count()));
    total = std::max(total, sim::Duration::zero());  // never before the transmission ends
  }
  sim::Duration hold{};
  if (params_->reorder > 0.0 && rng_->reorder.bernoulli(params_->reorder)) hold = reorder_hold(*params_);
  return {total + hold, hold};
}

}  // namespace tcpsim::net
