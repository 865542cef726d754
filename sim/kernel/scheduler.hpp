// The discrete-event scheduler: virtual time, one-shot events and re-armable timers.
//
// Ordering. Every event has the key (time, seq), seq being a counter incremented by every
// schedule or arm call, so events at the same instant run in the order they were scheduled and
// a run is deterministic. Nothing may be scheduled before now(): doing so throws CausalityError.
//
// Two kinds of entries share one pool of slots:
//  * one-shot events: schedule_at()/schedule_in() return an EventId; cancel(EventId) is safe at
//    any time, also after the event fired (it then returns false);
//  * timers: a Timer owns a slot and its callback for its whole life; arm/re-arm/cancel as often
//    as you like, from anywhere, including the timer's own callback.
//
// Costs. Slots live in fixed chunks (stable addresses) with a free list and callbacks are stored
// inline (InplaceFunction), so in steady state schedule, arm and cancel allocate nothing. Cancel
// is lazy: it marks the slot and the queue entry is discarded when it surfaces. Re-arming a timer
// to a later deadline keeps its queue entry and re-queues it when the old deadline surfaces (the
// pattern of a retransmission timer pushed forward by every ACK); re-arming earlier pushes a new
// entry and invalidates the old one through the slot's generation counter.
//
// See event_queue.hpp for the queue behind it and its complexity.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sim/kernel/event_queue.hpp"
#include "sim/kernel/inplace_function.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::sim {

class CausalityError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

struct EventId {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t gen = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

enum class QueueKind { Radix, Heap };

class Scheduler {
 public:
  // Captures up to 24 bytes: a pointer and an id or two. Larger state belongs to the owner (a
  // slot is one 64-byte cache line; with a million pending events each dispatch is a miss).
  using Callback = InplaceFunction<void(), 24>;

  explicit Scheduler(QueueKind kind = QueueKind::Radix);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Time now() const { return now_; }

  EventId schedule_at(Time at, Callback cb);
  EventId schedule_in(Duration d, Callback cb) { return schedule_at(now_ + d, std::move(cb)); }
  // Cancels a pending one-shot event. Returns false (and does nothing) if it already fired or
  // was cancelled.
  bool cancel(EventId id);
  bool pending(EventId id) const;

  // Executes exactly one event (the earliest) and returns true, or returns false if none is
  // pending. Cancelled entries are discarded on the way and do not count as events.
  bool step();
  // Executes every event with time <= until, in order, then advances now() to `until` (unless
  // until is Time::max()). Returns the number of events executed. stop() ends it early.
  std::uint64_t run(Time until = Time::max());
  // Asks a running run() to return after the current event.
  void stop() { stop_requested_ = true; }

  // Time of the earliest pending event, if any.
  std::optional<Time> next_time();
  std::size_t pending_count() const { return live_; }
  std::uint64_t executed() const { return executed_; }
  // Slots ever created (the pool's high-water mark): constant in steady state.
  std::size_t slots_allocated() const { return slots_used_; }
  const char* queue_name() const { return queue_->name(); }

 private:
  friend class Timer;
  struct Slot;
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunk = 1u << kChunkBits;

  Slot& slot(std::uint32_t i);
  const Slot& slot(std::uint32_t i) const;
  std::uint32_t acquire(Callback cb, bool oneshot);
  void release(std::uint32_t i);
  void arm(std::uint32_t i, Time at);
  void disarm(std::uint32_t i);
  void check_causality(Time at) const;
  // Discards stale entries at the front; returns the live front entry, or nullptr if there is
  // none at or before `limit`.
  const QueueEntry* front(Time limit);
  void execute(const QueueEntry& e);

  std::unique_ptr<EventQueue> queue_;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint32_t slots_used_ = 0;
  Time now_{};
  std::uint64_t seq_ = 0;
  std::uint64_t executed_ = 0;
  std::size_t live_ = 0;
  std::uint32_t executing_ = UINT32_MAX;  // slot whose callback is running
  bool release_after_ = false;            // that slot was released by its own callback
  bool stop_requested_ = false;
};

// A re-armable timer that owns its callback. Not copyable or movable: embed it in its owner.
// Destroying it cancels it; so does destroying it from inside its own callback.
class Timer {
 public:
  Timer(Scheduler& s, Scheduler::Callback cb);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void arm_at(Time at) { s_->arm(slot_, at); }
  void arm_in(Duration d) { s_->arm(slot_, s_->now() + d); }
  void cancel() { s_->disarm(slot_); }
  bool armed() const;
  Time deadline() const;  // meaningful while armed()

 private:
  Scheduler* s_;
  std::uint32_t slot_;
};

}  // namespace tcpsim::sim
