// The priority queues behind the scheduler.
//
// An entry's key is (time, seq): seq is the scheduler's insertion counter, so two events at the
// same time leave in the order they were scheduled. Both queues implement the same interface and
// the kernel tests run against each (tests/kernel/scheduler_test.cpp).
//
//   queue        push        top / pop                       memory
//   RadixQueue   O(1)        amortized O(B), B = 128 key bits  one vector per bit
//   HeapQueue    O(log n)    O(log n)                          one vector
//
// RadixQueue is a radix heap: it exploits the fact that a discrete-event simulation pops keys in
// non-decreasing order. Entries live in bucket i when i is the highest bit in which their key
// differs from the last popped key; popping redistributes one bucket into lower ones, so every
// entry moves at most B times and, in practice, a handful. It accepts a key below the last popped
// one (possible only after a peek past `now`) by rebuilding its buckets, which the scheduler makes
// rare. HeapQueue is a 4-ary min-heap, the textbook reference the radix queue is checked against.
// `tcpsim bench kernel` measures both.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace tcpsim::sim {

struct QueueEntry {
  std::uint64_t time;  // nanoseconds, >= 0
  std::uint64_t seq;   // insertion counter: the tie breaker
  std::uint32_t slot;  // scheduler slot the entry belongs to
  std::uint32_t gen;   // slot generation when pushed; a mismatch marks the entry stale

  friend bool operator<(const QueueEntry& a, const QueueEntry& b) {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  }
};

class EventQueue {
 public:
  virtual ~EventQueue() = default;
  virtual void push(const QueueEntry& e) = 0;
  virtual const QueueEntry& top() = 0;  // precondition: !empty()
  virtual void pop() = 0;               // removes top(); precondition: !empty()
  virtual std::size_t size() const = 0;
  bool empty() const { return size() == 0; }
  virtual const char* name() const = 0;
};

class HeapQueue final : public EventQueue {
 public:
  void push(const QueueEntry& e) override;
  const QueueEntry& top() override { return heap_.front(); }
  void pop() override;
  std::size_t size() const override { return heap_.size(); }
  const char* name() const override { return "heap"; }

 private:
  std::vector<QueueEntry> heap_;
};

class RadixQueue final : public EventQueue {
 public:
  void push(const QueueEntry& e) override;
  const QueueEntry& top() override;
  void pop() override;
  std::size_t size() const override { return size_; }
  const char* name() const override { return "radix"; }
  std::uint64_t rebuilds() const { return rebuilds_; }

 private:
  static constexpr int kBuckets = 129;
  int bucket_of(const QueueEntry& e) const;
  void place(const QueueEntry& e);
  void find_min();
  void rebuild(const QueueEntry& new_base);

  std::array<std::vector<QueueEntry>, kBuckets> buckets_;
  std::array<std::uint64_t, 3> nonempty_{};  // bit i set <=> buckets_[i] is not empty
  std::uint64_t base_time_ = 0, base_seq_ = 0;
  std::size_t size_ = 0;
  int min_bucket_ = -1;  // cached position of the minimum, -1 when unknown
  std::size_t min_index_ = 0;
  std::uint64_t rebuilds_ = 0;
};

std::unique_ptr<EventQueue> make_queue(const char* kind);  // "radix" or "heap"

}  // namespace tcpsim::sim
