// The fields of LinkParams by name, once: the scenario loader reads a link's parameters through
// this list and the scenario writer writes them from it, so a new link parameter is added here
// (and to LinkParams) and nowhere else. The JSON name of each field is given here.
//
// visit_link_params(params, v) calls `v(name, member, help)` for every field, where member is a
// reference of one of the types, each written one way in a scenario: sim::Duration ("10ms"),
// std::optional<sim::Duration> (absent: the default), std::uint64_t (a bandwidth, "2Mbit/s"),
// std::uint32_t (a count), LossModel (a rate or {"gilbert_elliott": {...}}), double (a probability).
#pragma once

#include "models/net/config.hpp"

namespace tcpsim::net {

template <class Params, class Visitor>
void visit_link_params(Params& p, Visitor&& v) {
  v("delay", p.delay, "one-way propagation delay");
  v("jitter", p.jitter, "uniform extra delay in [-jitter, +jitter], at most the delay");
  v("bandwidth", p.bandwidth_bps, "serialization rate; 0 or absent: unlimited");
  v("queue", p.queue_limit, "drop-tail queue: segments waiting behind the one on the wire");
  v("loss", p.loss, "loss model: a probability, or a Gilbert-Elliott burst model");
  v("duplicate", p.duplicate, "probability that a segment is duplicated");
  v("reorder", p.reorder, "probability that a segment is held back by reorder_delay");
  v("reorder_delay", p.reorder_delay, "how long a reordered segment is held back (default: the delay, at least 1 ms)");
}

}  // namespace tcpsim::net
