// One direction of a link: the decisions it makes about each segment that enters it.
//
// A LinkDirection knows nothing about segments' identities or the trace; the network asks it,
// for every segment entering, in this order:
//   1. lose()         the loss model: Bernoulli, or a Gilbert-Elliott chain stepped once per
//                     segment (first the state changes, then the segment is lost with the
//                     probability of the state it finds; the chain starts in the good state)
//   2. duplicate()    whether a copy follows the segment
//   3. transmit()     serialization behind the drop-tail queue: when the last bit leaves, or
//                     "queue full"
//   4. propagation()  delay + jitter (+ reorder hold): how long after the last bit leaves the
//                     segment reaches the far end
// Each random decision draws from its own stream, named after the direction ("link/a->b/loss",
// ".../dup", ".../jitter", ".../reorder"), so that adding a host or a link elsewhere never
// changes this direction's draws, and e.g. enabling jitter never changes the loss pattern.
//
// Jitter is drawn per segment, independently: like netem, it may reorder segments (a segment can
// overtake one sent just before it), but an arrival is never earlier than the end of its own
// transmission.
//
// Every operation is O(1) (amortized for the queue) and allocates nothing in steady state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/net/config.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/time.hpp"
#include "sim/trace/record.hpp"

namespace tcpsim::net {

// A FIFO of times in a growable ring buffer: no allocation once it has reached its peak size.
class TimeRing {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  sim::Time front() const { return buf_[head_]; }
  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }
  void push_back(sim::Time t);

 private:
  std::vector<sim::Time> buf_;  // capacity is 0 or a power of two
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Time to put `wire_bytes` on a wire of `bandwidth_bps`: bytes * 8 / bandwidth seconds, rounded
// up to a whole nanosecond. Zero when bandwidth_bps is 0 (unlimited).
sim::Duration serialization_time(std::uint64_t wire_bytes, std::uint64_t bandwidth_bps);

// The reorder hold: reorder_delay if set, else the link's delay but at least 1 ms.
sim::Duration reorder_hold(const LinkParams& p);

// Throws std::invalid_argument if a parameter is out of range (negative durations,
// probabilities outside [0, 1]). `what` names the direction in the message.
void validate(const LinkParams& p, std::string_view what);

class LinkDirection {
 public:
  // `name` is the stable name of the direction ("a->b"); stream names are "link/<name>/<purpose>".
  // `params` is not copied: it must outlive the direction (the network keeps one copy of each
  // distinct parameter set, so a million identical links share one).
  LinkDirection(trace::NodeId from, trace::NodeId to, const LinkParams& params, const sim::RandomStreams& streams,
                std::string_view name);

  trace::NodeId from() const { return from_; }
  trace::NodeId to() const { return to_; }
  const LinkParams& params() const { return *params_; }

  // Runs the loss model for one segment; true = the segment is lost.
  bool lose();
  // True = a copy of the segment follows it on this link.
  bool duplicate();
  // A segment of `wire_bytes` is handed to the transmitter at `now`. Returns the time its last
  // bit leaves, or nullopt if it was dropped because queue_limit segments already wait behind
  // the one being transmitted. With unlimited bandwidth it leaves at once and never queues.
  // A segment whose transmission ends exactly at `now` no longer occupies the transmitter.
  std::optional<sim::Time> transmit(sim::Time now, std::uint32_t wire_bytes);

  // What happens between the last bit leaving and the arrival at the far end.
  struct Propagation {
    sim::Duration total;  // delay + jitter (never negative) + hold
    sim::Duration hold;   // the reorder hold included in total (zero if not held back)
  };
  Propagation propagation();

  // Segments currently queued or on the wire (bandwidth-limited links only), as of the last
  // transmit() call.
  std::size_t backlog() const { return tx_ ? tx_->ends.size() : 0; }
  bool in_bad_state() const { return ge_bad_; }

 private:
  // The parts only some directions need are allocated only for them, so that a plain
  // delay-only link (the million-client star) costs a few words.
  struct Streams {  // when the direction has any randomness
    sim::Rng loss;
    sim::Rng dup;
    sim::Rng jitter;
    sim::Rng reorder;
  };
  struct Transmitter {  // when the bandwidth is limited
    TimeRing ends;      // transmission end times of the segments queued or on the wire, FIFO
    sim::Time busy_until{};
  };

  const LinkParams* params_;
  std::unique_ptr<Streams> rng_;
  std::unique_ptr<Transmitter> tx_;
  trace::NodeId from_;
  trace::NodeId to_;
  bool ge_bad_ = false;  // Gilbert-Elliott state, starts good
};

}  // namespace tcpsim::net
