// Plain configuration structs for the network model. The scenario loader fills them from JSON
// (and validates them); nothing here knows about JSON.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "models/net/wire/segment.hpp"
#include "sim/kernel/time.hpp"
#include "sim/trace/record.hpp"

namespace tcpsim::net {

// Gilbert-Elliott two-state burst loss: a Markov chain stepped once per segment.
struct GilbertElliott {
  double p_good_to_bad = 0.0;  // P(good -> bad) per segment
  double p_bad_to_good = 1.0;  // P(bad -> good) per segment
  double loss_good = 0.0;      // loss probability in the good state
  double loss_bad = 1.0;       // loss probability in the bad state
  bool operator==(const GilbertElliott&) const = default;
};

struct LossModel {
  enum class Kind : std::uint8_t { None, Bernoulli, GilbertElliott };
  Kind kind = Kind::None;
  double rate = 0.0;  // Bernoulli
  GilbertElliott ge{};
  bool operator==(const LossModel&) const = default;
};

// One direction of a link. Every field is optional in a scenario; these are the defaults.
struct LinkParams {
  sim::Duration delay = sim::Duration::ms(1);  // propagation delay
  sim::Duration jitter{};                      // uniform extra delay in [-jitter, +jitter], seeded
  std::uint64_t bandwidth_bps = 0;             // 0 = unlimited (no serialization delay)
  std::uint32_t queue_limit = 100;             // drop-tail: segments waiting behind the one on the wire
  LossModel loss{};
  double duplicate = 0.0;                      // P(segment is duplicated)
  double reorder = 0.0;                        // P(segment is held back by reorder_delay)
  std::optional<sim::Duration> reorder_delay{};  // default: the link's delay, at least 1 ms
  bool operator==(const LinkParams&) const = default;
};

struct NodeConfig {
  std::string name{};
  std::optional<Ipv4> ip{};  // hosts always have one; routers may
  bool router = false;
};

struct LinkConfig {
  std::string a{};
  std::string b{};
  LinkParams a_to_b{};
  LinkParams b_to_a{};
};

// Which segments a fault rule applies to. Every field that is set must match.
struct SegmentMatch {
  std::optional<Ipv4> from{};  // source address
  std::optional<Ipv4> to{};    // destination address
  std::optional<std::uint16_t> sport{};
  std::optional<std::uint16_t> dport{};
  std::optional<Flags> flags{};          // exactly this set of flags
  std::optional<Flags> flags_include{};  // at least these flags
  std::optional<SeqNum> seq{};
  std::optional<SeqNum> ack{};
  std::optional<std::uint32_t> len{};   // payload length
  std::optional<sim::Time> after{};     // sent at or after
  std::optional<sim::Time> before{};    // sent strictly before

  bool matches(const Segment& s, sim::Time sent_at) const;
};

// A scripted fault: applies `action` to the first..last segments (1-based, inclusive) that
// match, counted in the order they are sent. Rules are numbered from 0 in file order.
struct FaultRule {
  trace::FaultAction action = trace::FaultAction::Drop;
  sim::Duration delay{};  // for Delay
  SegmentMatch match{};
  std::uint64_t first = 1;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
};

// A crafted segment the scenario sends at `at`, entering the network at node `via` (which need
// not own segment.src: spoofing is the point).
struct Injection {
  sim::Time at{};
  std::string via{};
  Segment segment{};
};

}  // namespace tcpsim::net
