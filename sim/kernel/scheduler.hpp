// The discrete-event scheduler: virtual time, one-shot events and re-armable timers.
//
// Ordering. Every event has the key (time, seq), seq being a counter incremented by every
// schedule or arm call, so events at the same instant run in the order they were scheduled and
// a run is deterministic. Nothing may be scheduled before now(): doing so throws CausalityError.
// A timer may be armed with a TieOrder that changes its place among events at its instant: a
// rank (lower first; every other event has TieOrder::kDefaultRank) and, with `lifo`, before the
// timers of its rank armed earlier. The key's seq carries both: the rank in its top byte, the
// counter (or, for lifo, its complement) below.
//
// Two kinds of entries share one pool of slots:
//  * one-shot events: schedule_at()/schedule_in() return an EventId; cancel(EventId) is safe at
//    any time, also after the event fired (it then returns false);
//  * timers: a Timer owns a slot and its callback for its whole life; arm/re-arm/cancel as often
//    as you like, from anywhere, including the timer's own callback.
//
// Costs. Slots live in fixed chunks (stable addresses) with a free list and callbacks are stored
// inline (InplaceFunction), so in steady state schedule, arm and cancel allocate nothing. The
// free list runs through the free slots themselves, so releasing a slot (cancel(), a Timer's
// destructor, the end of a one-shot) never allocates and cannot throw: destructors that cancel
// their events are safe also while the process is out of memory. A
// slot holds the callback and a generation that is bumped when the slot is released, which makes
// every queue entry of a fired or cancelled one-shot, or of a destroyed Timer, stale. A Timer's
// own state (deadline, armed, its live queue entry) lives in the Timer object, i.e. in its owner:
// arming and cancelling a timer touch only the Timer and the queue, not the slot pool. Cancel is
// lazy: the queue entry is discarded when it surfaces. Re-arming a timer to a later deadline
// keeps its queue entry and re-queues it when the old deadline surfaces (the pattern of a
// retransmission timer pushed forward by every ACK); re-arming earlier pushes a new entry and
// the old one, whose seq is no longer the timer's, is discarded when it surfaces.
//
// Dispatch. With many pending events every dispatch touches memory that is not in cache: the
// event's slot and, for a timer, the Timer (and so its owner, which the callback works on). The
// default queue (WheelQueue) knows the next events in order, so while one event runs the
// scheduler has already asked for the slots of the events 16 places ahead and, 8 places ahead,
// for their Timers. These are prefetches only: correctness never depends on them.
//
// See event_queue.hpp for the queues behind it and their complexity.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sim/kernel/event_queue.hpp"
#include "sim/kernel/inplace_function.hpp"
#include "sim/kernel/tie_order.hpp"
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

class Timer;

enum class QueueKind { Wheel, Radix, Heap };
const char* queue_kind_name(QueueKind kind);  // "wheel", "radix", "heap"

class Scheduler {
 public:
  // Captures up to 24 bytes: a pointer and an id or two. Larger state belongs to the owner (a
  // slot is one 64-byte cache line; with a million pending events each dispatch is a miss).
  using Callback = InplaceFunction<void(), 24>;

  explicit Scheduler(QueueKind kind = QueueKind::Wheel);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Time now() const { return now_; }

  EventId schedule_at(Time at, Callback cb);
  EventId schedule_in(Duration d, Callback cb) { return schedule_at(now_ + d, std::move(cb)); }
  // Cancels a pending one-shot event. Returns false (and does nothing) if it already fired or
  // was cancelled. Allocates nothing: safe in destructors.
  bool cancel(EventId id) noexcept;
  bool pending(EventId id) const noexcept;

  // Executes exactly one event (the earliest) and returns true, or returns false if none is
  // pending. Cancelled entries are discarded on the way and do not count as events.
  bool step();
  // Executes every event with time <= until, in order, then advances now() to `until` (unless
  // until is Time::max()). Returns the number of events executed. stop() ends it early, and so
  // does executing `max_events` events; now() then stays at the last event's time (it moves on
  // to `until` only when no event at or before `until` is left).
  std::uint64_t run(Time until = Time::max(), std::uint64_t max_events = UINT64_MAX);
  // Like run(), but now() stays at the last event executed: for a limit that is a bound on the
  // run rather than its intended end.
  std::uint64_t run_within(Time limit, std::uint64_t max_events = UINT64_MAX);
  // Asks a running run() to return after the current event.
  void stop() { stop_requested_ = true; }

  // Time of the earliest pending event, if any.
  std::optional<Time> next_time();
  std::size_t pending_count() const { return live_; }
  std::uint64_t executed() const { return executed_; }
  // Slots ever created (the pool's high-water mark): constant in steady state.
  std::size_t slots_allocated() const { return slots_used_; }
  const char* queue_name() const { return queue_->name(); }
  QueueKind queue_kind() const { return kind_; }

 private:
  friend class Timer;
  struct Slot;
  // Slots live in 2 MiB chunks: one huge page each, so that prefetching and touching slots at
  // random among millions does not also miss the TLB. Slots are constructed as they are first used.
  static constexpr std::uint32_t kChunkBits = 15;
  static constexpr std::uint32_t kChunk = 1u << kChunkBits;
  static Slot* allocate_chunk(bool huge);

  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  Slot& slot(std::uint32_t i) noexcept;
  const Slot& slot(std::uint32_t i) const noexcept;
  std::uint32_t acquire(Callback cb, Timer* timer);  // timer: nullptr for a one-shot event
  std::uint32_t generation(std::uint32_t i) const;
  // Makes slot i stale and returns it to the free list (or has execute() do so once the slot's
  // own callback returns). Never allocates.
  void release(std::uint32_t i) noexcept;
  void free_slot(std::uint32_t i) noexcept;  // pushes i onto the free list
  [[noreturn]] void causality_error(Time at) const;
  void push(const QueueEntry& e);
  // The next seq for an event of order `o`: its rank in the top byte, the counter below (its
  // complement for lifo, so that a later arm sorts first).
  static constexpr unsigned kRankShift = 56;
  static constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << kRankShift) - 1;
  std::uint64_t next_seq(TieOrder o = {}) {
    const std::uint64_t n = seq_++ & kCounterMask;
    return (std::uint64_t{o.rank} << kRankShift) | (o.lifo ? kCounterMask - n : n);
  }
  // Calls f with the queue as its concrete type, so the hot paths are compiled per queue with
  // direct (inlinable) calls.
  template <class F>
  decltype(auto) with_queue(F&& f);
  // Pops the top entry and prefetches for the entries about to surface.
  template <class Q>
  void pop(Q& q);
  // Discards stale entries at the front; returns the live front entry, or nullptr if there is
  // none at or before `limit`.
  template <class Q>
  const QueueEntry* front(Q& q, Time limit);
  template <class Q>
  void execute(Q& q, const QueueEntry& e);
  template <class Q>
  std::uint64_t run_loop(Q& q, Time until, std::uint64_t max_events);

  QueueKind kind_;
  std::unique_ptr<EventQueue> queue_;
  std::vector<Slot*> chunks_;  // owned; slots [0, slots_used_) are constructed
  std::uint32_t free_head_ = kNoSlot;  // free list, linked through Slot::next_free
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
  ~Timer();  // allocates nothing (see Scheduler::release)
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Arms (or re-arms) the timer for `at`, placed among the events of that instant by `order`.
  // Re-armed while pending for the same instant and a lifo order of the same rank, it keeps its
  // place (as mod_timer() leaves a pending timer that stays in its bucket where it is).
  void arm_at(Time at, TieOrder order = {});
  void arm_in(Duration d) { arm_at(s_->now() + d); }
  void cancel() noexcept {
    if (!armed_) return;
    armed_ = false;
    --s_->live_;
  }
  bool armed() const { return armed_; }
  Time deadline() const { return Time::from_ns(static_cast<std::int64_t>(deadline_)); }  // while armed()

 private:
  friend class Scheduler;
  Scheduler* s_;
  std::uint32_t slot_;
  std::uint32_t gen_;           // the slot's generation, fixed while this timer owns it
  std::uint64_t deadline_ = 0;  // wanted key (deadline_, dseq_), valid while armed_
  std::uint64_t dseq_ = 0;
  std::uint64_t qseq_ = 0;  // seq of the live queue entry, valid while queued_; its time <= deadline_
  bool armed_ = false;
  bool queued_ = false;
};

// Inline: re-arming is the hot operation of timer-heavy models.
inline void Timer::arm_at(Time at, TieOrder order) {
  if (at < s_->now_) s_->causality_error(at);
  const bool was_armed = armed_;
  if (!armed_) ++s_->live_;
  armed_ = true;
  const auto at_ns = static_cast<std::uint64_t>(at.ns());
  if (order.lifo && was_armed && at_ns == deadline_ && dseq_ >> Scheduler::kRankShift == order.rank) return;
  const std::uint64_t seq = s_->next_seq(order);
  // The live entry's key is (time <= deadline_, qseq_): when that is below the new key it
  // surfaces first and is moved then (Scheduler::front); else a new entry is pushed.
  const bool keep = queued_ && (at_ns > deadline_ || (at_ns == deadline_ && seq > qseq_));
  deadline_ = at_ns;
  dseq_ = seq;
  if (keep) return;
  queued_ = true;
  qseq_ = dseq_;  // any older entry of this timer is now stale
  s_->push({deadline_, dseq_, slot_, gen_});
}

}  // namespace tcpsim::sim
