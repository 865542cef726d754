#include "sim/kernel/scheduler.hpp"

#include <cstdint>
#include <new>
#include <string>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tcpsim::sim {

// One cache line per event. A queue entry is live while its gen equals the slot's and, for a
// timer, its seq is the timer's qseq_; everything else about a timer is in the Timer.
struct alignas(64) Scheduler::Slot {
  Callback fn;             // 32 bytes
  Timer* timer = nullptr;  // the owning timer, nullptr for a one-shot event
  std::uint32_t gen = 0;   // bumped when the slot is released: its queue entries are then stale
  std::uint32_t next_free = kNoSlot;  // while free: the next slot of the free list
  bool pending = false;    // a one-shot event that has neither fired nor been cancelled
};
static_assert(sizeof(Scheduler::Callback) == 32);

namespace {
constexpr std::size_t kChunkBytes = std::size_t{64} << 15;  // 2 MiB

// How far ahead of the event being dispatched the scheduler prefetches (in queue entries): the
// slot first, then, once that has arrived, the Timer it points to. A dispatch costs tens of
// nanoseconds and a miss a couple of hundred, so the slot is asked for well ahead.
constexpr std::size_t kSlotAhead = 16;
constexpr std::size_t kTimerAhead = 8;
static_assert(kSlotAhead < WheelQueue::kLookahead && kTimerAhead < kSlotAhead);

void prefetch(const void* p) { __builtin_prefetch(p, 1); }  // for writing
void prefetch_timer(const Timer* t) {
  // A Timer may straddle two cache lines; its fields are read and written when it surfaces.
  const auto first = reinterpret_cast<std::uintptr_t>(t);
  const auto last = first + sizeof(Timer) - 1;
  prefetch(t);
  if ((first ^ last) >> 6) prefetch(reinterpret_cast<const char*>(t) + sizeof(Timer) - 1);
}
}  // namespace

const char* queue_kind_name(QueueKind kind) {
  switch (kind) {
    case QueueKind::Wheel: return "wheel";
    case QueueKind::Radix: return "radix";
    case QueueKind::Heap: return "heap";
  }
  return "?";
}

Scheduler::Slot& Scheduler::slot(std::uint32_t i) noexcept { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
const Scheduler::Slot& Scheduler::slot(std::uint32_t i) const noexcept {
  return chunks_[i >> kChunkBits][i & (kChunk - 1)];
}
std::uint32_t Scheduler::generation(std::uint32_t i) const { return slot(i).gen; }

Scheduler::Scheduler(QueueKind kind) : kind_(kind), queue_(make_queue(queue_kind_name(kind))) {
  static_assert(sizeof(Slot) == 64, "a slot is one cache line");
  static_assert(sizeof(Slot) * kChunk == kChunkBytes);
}

Scheduler::~Scheduler() {
  for (std::uint32_t i = 0; i < slots_used_; ++i) slot(i).~Slot();
  for (Slot* c : chunks_) ::operator delete(c, std::align_val_t{kChunkBytes});
}

Scheduler::Slot* Scheduler::allocate_chunk(bool huge) {
  void* p = ::operator new(kChunkBytes, std::align_val_t{kChunkBytes});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (huge) madvise(p, kChunkBytes, MADV_HUGEPAGE);  // a hint: failure only costs speed
#else
  (void)huge;
#endif
  return static_cast<Slot*>(p);
}

template <class F>
decltype(auto) Scheduler::with_queue(F&& f) {
  switch (kind_) {
    case QueueKind::Wheel: return f(static_cast<WheelQueue&>(*queue_));
    case QueueKind::Radix: return f(static_cast<RadixQueue&>(*queue_));
    case QueueKind::Heap: break;
  }
  return f(static_cast<HeapQueue&>(*queue_));
}

void Scheduler::push(const QueueEntry& e) {
  with_queue([&](auto& q) { q.push(e); });
}

void Scheduler::causality_error(Time at) const {
  throw CausalityError("causality violation: event scheduled at " + format_seconds(at) + " s, before now (" +
                       format_seconds(now_) + " s)");
}

std::uint32_t Scheduler::acquire(Callback cb, Timer* timer) {
  std::uint32_t i;
  if (free_head_ != kNoSlot) {
    i = free_head_;
    free_head_ = slot(i).next_free;
  } else {
    i = slots_used_;
    if ((i >> kChunkBits) >= chunks_.size()) {
      chunks_.reserve(chunks_.size() + 1);
      // The first chunk stays on small pages: a small simulation touches only a few of them.
      chunks_.push_back(allocate_chunk(!chunks_.empty()));
    }
    ::new (static_cast<void*>(&slot(i))) Slot();
    ++slots_used_;
  }
  Slot& s = slot(i);
  s.fn = std::move(cb);
  s.timer = timer;
  s.pending = false;
  return i;
}

void Scheduler::free_slot(std::uint32_t i) noexcept {
  Slot& s = slot(i);
  s.fn.reset();
  s.next_free = free_head_;
  free_head_ = i;
}

void Scheduler::release(std::uint32_t i) noexcept {
  Slot& s = slot(i);
  ++s.gen;  // any queue entry of this slot is now stale
  s.timer = nullptr;
  s.pending = false;
  if (i == executing_) {
    release_after_ = true;  // the callback is running from this slot: free it when it returns
    return;
  }
  free_slot(i);
}

EventId Scheduler::schedule_at(Time at, Callback cb) {
  if (at < now_) causality_error(at);
  const std::uint32_t i = acquire(std::move(cb), nullptr);
  Slot& s = slot(i);
  s.pending = true;
  ++live_;
  push({static_cast<std::uint64_t>(at.ns()), next_seq(), i, s.gen});
  return {i, s.gen};
}

bool Scheduler::pending(EventId id) const noexcept {
  if (!id.valid() || id.slot >= slots_used_) return false;
  const Slot& s = slot(id.slot);
  return s.gen == id.gen && s.pending;
}

bool Scheduler::cancel(EventId id) noexcept {
  if (!pending(id)) return false;
  --live_;
  release(id.slot);
  return true;
}

template <class Q>
void Scheduler::pop(Q& q) {
  q.pop();
  if constexpr (std::is_same_v<Q, WheelQueue>) {
    if (const QueueEntry* a = q.ahead(kSlotAhead)) prefetch(&slot(a->slot));
    if (const QueueEntry* b = q.ahead(kTimerAhead))
      if (const Timer* t = slot(b->slot).timer) prefetch_timer(t);
  } else if constexpr (std::is_same_v<Q, HeapQueue>) {
    // A heap knows its next entry too: the slot of the one after the top was asked for at the
    // previous pop, so the top's Timer can be asked for now.
    if (const QueueEntry* a = q.second()) prefetch(&slot(a->slot));
    if (!q.empty())
      if (const Timer* t = slot(q.top().slot).timer) prefetch_timer(t);
  } else {
    if (!q.empty()) prefetch(&slot(q.top().slot));
  }
}

template <class Q>
const QueueEntry* Scheduler::front(Q& q, Time limit) {
  while (!q.empty()) {
    const QueueEntry& e = q.top();
    // Never pop past `limit`: the radix queue is cheapest when keys leave in order of now().
    if (static_cast<std::int64_t>(e.time) > limit.ns()) return nullptr;
    const Slot& s = slot(e.slot);
    if (e.gen != s.gen) {  // the one-shot fired or was cancelled, or the timer was destroyed
      pop(q);
      continue;
    }
    Timer* t = s.timer;
    if (t == nullptr) return &e;  // a pending one-shot event
    if (e.seq != t->qseq_) {      // superseded by an earlier re-arm
      pop(q);
      continue;
    }
    if (!t->armed_) {  // cancelled timer: its entry dies here
      t->queued_ = false;
      pop(q);
      continue;
    }
    if (t->dseq_ != e.seq) {  // re-armed later: move the entry
      const QueueEntry moved{t->deadline_, t->dseq_, e.slot, e.gen};
      pop(q);
      t->qseq_ = moved.seq;
      q.push(moved);
      continue;
    }
    return &e;
  }
  return nullptr;
}

template <class Q>
void Scheduler::execute(Q& q, const QueueEntry& entry) {
  const QueueEntry e = entry;
  pop(q);
  if (static_cast<std::int64_t>(e.time) < now_.ns())
    throw CausalityError("causality violation: dequeued an event at " +
                         format_seconds(Time::from_ns(static_cast<std::int64_t>(e.time))) + " s after " +
                         format_seconds(now_) + " s");
  Slot& s = slot(e.slot);
  if (Timer* t = s.timer) {
    t->armed_ = false;
    t->queued_ = false;
    release_after_ = false;
  } else {
    s.pending = false;
    release_after_ = true;  // a one-shot's slot is freed once its callback returns
  }
  --live_;
  now_ = Time::from_ns(static_cast<std::int64_t>(e.time));
  ++executed_;
  executing_ = e.slot;
  s.fn();  // slots have stable addresses: the callback may schedule, arm and cancel freely
  executing_ = UINT32_MAX;
  if (release_after_) {
    Slot& done = slot(e.slot);
    ++done.gen;
    done.timer = nullptr;
    free_slot(e.slot);
  }
}

bool Scheduler::step() {
  return with_queue([&](auto& q) {
    const QueueEntry* e = front(q, Time::max());
    if (e == nullptr) return false;
    execute(q, *e);
    return true;
  });
}

template <class Q>
std::uint64_t Scheduler::run_loop(Q& q, Time until, std::uint64_t max_events) {
  std::uint64_t n = 0;
  while (!stop_requested_ && n < max_events) {
    const QueueEntry* e = front(q, until);
    if (e == nullptr) break;
    execute(q, *e);
    ++n;
  }
  return n;
}

std::uint64_t Scheduler::run_within(Time limit, std::uint64_t max_events) {
  stop_requested_ = false;
  return with_queue([&](auto& q) { return run_loop(q, limit, max_events); });
}

std::uint64_t Scheduler::run(Time until, std::uint64_t max_events) {
  const std::uint64_t n = run_within(until, max_events);
  if (stop_requested_ || until == Time::max() || until <= now_) return n;
  // Stopped by the event budget: move on only if nothing is left up to `until`.
  if (n == max_events && with_queue([&](auto& q) { return front(q, until); }) != nullptr) return n;
  now_ = until;
  return n;
}

std::optional<Time> Scheduler::next_time() {
  const QueueEntry* e = with_queue([&](auto& q) { return front(q, Time::max()); });
  if (e == nullptr) return std::nullopt;
  return Time::from_ns(static_cast<std::int64_t>(e->time));
}

Timer::Timer(Scheduler& s, Scheduler::Callback cb) : s_(&s), slot_(s.acquire(std::move(cb), this)), gen_(s.generation(slot_)) {}

Timer::~Timer() {
  cancel();
  s_->release(slot_);
}

}  // namespace tcpsim::sim
