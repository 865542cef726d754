#include "sim/kernel/scheduler.hpp"

#include <string>

namespace tcpsim::sim {

// One cache line per event. The live queue entry's key is (qtime, seq of that entry); since seq
// only grows, a new arm time >= qtime is always a later key, so qtime alone decides whether an
// entry can be kept (lazy re-arm) and the entry's own seq tells whether it was moved.
struct alignas(64) Scheduler::Slot {
  Callback fn;                 // 32 bytes
  std::uint64_t deadline = 0;  // wanted key (deadline, dseq), valid while armed
  std::uint64_t dseq = 0;
  std::uint64_t qtime = 0;  // time of the slot's live queue entry, valid while queued
  std::uint32_t gen = 0;    // bumped when the live entry is superseded or the slot is freed
  bool armed = false;
  bool queued = false;
  bool oneshot = false;
};
static_assert(sizeof(Scheduler::Callback) == 32);

Scheduler::Slot& Scheduler::slot(std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
const Scheduler::Slot& Scheduler::slot(std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }

Scheduler::Scheduler(QueueKind kind) : queue_(make_queue(kind == QueueKind::Radix ? "radix" : "heap")) {}
Scheduler::~Scheduler() = default;

void Scheduler::check_causality(Time at) const {
  if (at < now_)
    throw CausalityError("causality violation: event scheduled at " + format_seconds(at) + " s, before now (" +
                         format_seconds(now_) + " s)");
}

std::uint32_t Scheduler::acquire(Callback cb, bool oneshot) {
  std::uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = slots_used_++;
    if ((i >> kChunkBits) >= chunks_.size()) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
  }
  Slot& s = slot(i);
  s.fn = std::move(cb);
  s.armed = false;
  s.oneshot = oneshot;
  return i;
}

void Scheduler::release(std::uint32_t i) {
  Slot& s = slot(i);
  if (s.armed) {
    s.armed = false;
    --live_;
  }
  ++s.gen;  // any queue entry of this slot is now stale
  s.queued = false;
  if (i == executing_) {
    release_after_ = true;  // the callback is running from this slot: free it when it returns
    return;
  }
  s.fn.reset();
  free_.push_back(i);
}

void Scheduler::arm(std::uint32_t i, Time at) {
  check_causality(at);
  Slot& s = slot(i);
  if (!s.armed) ++live_;
  s.armed = true;
  s.deadline = static_cast<std::uint64_t>(at.ns());
  s.dseq = seq_++;
  if (s.queued && s.deadline >= s.qtime)
    return;  // the existing entry surfaces first and is re-queued then (see front())
  if (s.queued) ++s.gen;
  s.queued = true;
  s.qtime = s.deadline;
  queue_->push({s.deadline, s.dseq, i, s.gen});
}

void Scheduler::disarm(std::uint32_t i) {
  Slot& s = slot(i);
  if (!s.armed) return;
  s.armed = false;
  --live_;
}

EventId Scheduler::schedule_at(Time at, Callback cb) {
  check_causality(at);
  const std::uint32_t i = acquire(std::move(cb), true);
  arm(i, at);
  return {i, slot(i).gen};
}

bool Scheduler::pending(EventId id) const {
  if (!id.valid() || id.slot >= slots_used_) return false;
  const Slot& s = slot(id.slot);
  return s.gen == id.gen && s.oneshot && s.armed;
}

bool Scheduler::cancel(EventId id) {
  if (!pending(id)) return false;
  release(id.slot);
  return true;
}

const QueueEntry* Scheduler::front(Time limit) {
  while (!queue_->empty()) {
    const QueueEntry& e = queue_->top();
    // Never pop past `limit`: the radix queue is cheapest when keys leave in order of now().
    if (static_cast<std::int64_t>(e.time) > limit.ns()) return nullptr;
    Slot& s = slot(e.slot);
    if (e.gen != s.gen || !s.queued) {  // superseded or freed
      queue_->pop();
      continue;
    }
    if (!s.armed) {  // cancelled timer: its entry dies here
      s.queued = false;
      queue_->pop();
      continue;
    }
    if (s.dseq != e.seq) {  // re-armed later: move the entry
      const QueueEntry moved{s.deadline, s.dseq, e.slot, s.gen};
      queue_->pop();
      s.qtime = moved.time;
      queue_->push(moved);
      continue;
    }
    return &e;
  }
  return nullptr;
}

void Scheduler::execute(const QueueEntry& entry) {
  const QueueEntry e = entry;
  queue_->pop();
  // Memory-level parallelism: with many pending events each one's slot is a cache miss, so start
  // loading the next event's slot while this one runs.
  if (!queue_->empty()) __builtin_prefetch(&slot(queue_->top().slot));
  if (static_cast<std::int64_t>(e.time) < now_.ns())
    throw CausalityError("causality violation: dequeued an event at " +
                         format_seconds(Time::from_ns(static_cast<std::int64_t>(e.time))) + " s after " +
                         format_seconds(now_) + " s");
  Slot& s = slot(e.slot);
  s.queued = false;
  s.armed = false;
  --live_;
  now_ = Time::from_ns(static_cast<std::int64_t>(e.time));
  ++executed_;
  executing_ = e.slot;
  release_after_ = s.oneshot;
  s.fn();  // slots have stable addresses: the callback may schedule, arm and cancel freely
  executing_ = UINT32_MAX;
  if (release_after_) {
    Slot& done = slot(e.slot);
    ++done.gen;
    done.fn.reset();
    free_.push_back(e.slot);
  }
}

bool Scheduler::step() {
  const QueueEntry* e = front(Time::max());
  if (e == nullptr) return false;
  execute(*e);
  return true;
}

std::uint64_t Scheduler::run(Time until) {
  stop_requested_ = false;
  std::uint64_t n = 0;
  while (!stop_requested_) {
    const QueueEntry* e = front(until);
    if (e == nullptr) break;
    execute(*e);
    ++n;
  }
  if (!stop_requested_ && until != Time::max() && until > now_) now_ = until;
  return n;
}

std::optional<Time> Scheduler::next_time() {
  const QueueEntry* e = front(Time::max());
  if (e == nullptr) return std::nullopt;
  return Time::from_ns(static_cast<std::int64_t>(e->time));
}

Timer::Timer(Scheduler& s, Scheduler::Callback cb) : s_(&s), slot_(s.acquire(std::move(cb), false)) {}

Timer::~Timer() { s_->release(slot_); }

bool Timer::armed() const { return s_->slot(slot_).armed; }

Time Timer::deadline() const { return Time::from_ns(static_cast<std::int64_t>(s_->slot(slot_).deadline)); }

}  // namespace tcpsim::sim
