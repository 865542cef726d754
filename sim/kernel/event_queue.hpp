// The priority queues behind the scheduler.
//
// An entry's key is (time, seq): seq is the scheduler's insertion counter, so two events at the
// same time leave in the order they were scheduled. Every queue implements the same interface,
// accepts any key at any time (also one below a key already popped) and pops in exact key
// order; the kernel tests run the scheduler over each and check that all produce the same event
// order (tests/kernel/scheduler_test.cpp, event_queue_test.cpp).
//
//   queue        push                  top / pop                           memory
//   WheelQueue   O(1), O(log e) early  amortized O(L + log s + log e)      1 KiB blocks, 2 MiB slabs
//   RadixQueue   O(1)                  amortized O(B), B = 128 key bits    one vector per bit
//   HeapQueue    O(log n)              O(log n)                            one vector
//
// with L = 8 levels, s <= kSortMax the size of a bucket sorted at the bottom, e the pushes that
// land in the time range already sorted (usually a few). Every bound is O(log n) or better.
//
// WheelQueue (the default) is a radix heap with 256-way digits, i.e. a hierarchical timing wheel
// over the 64-bit time, with exact (time, seq) order restored at the bottom:
//  * The wheel holds every entry with time >= limit_. An entry sits in bucket (level l, digit d)
//    where l is the highest byte in which its time differs from base_ (base_ <= every wheel
//    entry) and d is its time's byte l. Buckets of one level cover consecutive, aligned time
//    ranges; every entry of level l is earlier than every entry of level l+1. Push is an xor, a
//    bit_width and an append to the bucket's block chain.
//  * The run is a vector sorted by (time, seq) holding entries with time < limit_; pop is ++head.
//    To extend it, the earliest non-empty bucket is taken: if it is wide (above level
//    sort_level_, at most 17 ms) or large (more than kSortMax entries), base_ moves to its start
//    and its entries are spread one level (8 bits) lower; otherwise it is sorted (a counting sort
//    on the next byte, then an insertion pass for ties; one instant at level 0 is ordered by seq
//    and usually already is) and appended, and limit_ moves to its end. An entry therefore moves
//    at most L = 8 times; for the kernel benchmark (delays up to 1 s, a million pending) it is
//    written to a bucket about twice before it reaches the run.
//  * A push below limit_ goes to early_, a binary heap beside the run, and top() is the smaller
//    of the two fronts. If many pushes land there, sort_level_ drops so that the run covers a
//    narrower range (see adapt()).
//  * With a large queue the run is kept kLookahead entries ahead of the top, so ahead(k) lets
//    the scheduler prefetch the slots and timers of the events it is about to dispatch: with a
//    large pending set each dispatch is a cache miss, and overlapping them is what makes
//    dispatch fast.
//
// RadixQueue is the binary radix heap on the full 128-bit key: it accepts a key below the last
// popped one by rebuilding its buckets. HeapQueue is a 4-ary min-heap, the textbook reference
// the others are checked against. `tcpsim bench kernel` and bench/kernel_bench measure all three.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
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
  // The entry that follows top() (the least of its children) if any, else nullptr; for
  // prefetching.
  const QueueEntry* second() const {
    const std::size_t n = heap_.size();
    if (n < 2) return nullptr;
    const std::size_t end = n < 5 ? n : 5;
    std::size_t best = 1;
    for (std::size_t c = 2; c < end; ++c)
      if (heap_[c] < heap_[best]) best = c;
    return &heap_[best];
  }

 private:
  std::vector<QueueEntry> heap_;
};

class WheelQueue final : public EventQueue {
 public:
  static constexpr std::size_t kLookahead = 24;  // entries kept sorted ahead of the top
  static constexpr std::size_t kSortMax = 1024;   // larger buckets are spread one level lower

  WheelQueue();
  ~WheelQueue() override;
  WheelQueue(const WheelQueue&) = delete;
  WheelQueue& operator=(const WheelQueue&) = delete;

  void push(const QueueEntry& e) override {
    if (e.time >= limit_) {
      place(e);
      ++wheel_size_;
    } else {
      push_early(e);
      ++early_pushes_;
    }
    ++size_;
    if (++pushes_ == kAdaptEvery) adapt();
  }
  const QueueEntry& top() override {
    if (head_ == run_.size() && wheel_size_ != 0) top_up();
    if (early_.empty() || (head_ != run_.size() && !(early_.front() < run_[head_]))) return run_[head_];
    return early_.front();
  }
  void pop() override {
    if (head_ == run_.size() && wheel_size_ != 0) top_up();
    --size_;
    if (!early_.empty() && (head_ == run_.size() || early_.front() < run_[head_])) {
      pop_early();
      return;
    }
    ++head_;
    if (run_.size() - head_ < lookahead_ && wheel_size_ != 0) top_up();
  }
  std::size_t size() const override { return size_; }
  const char* name() const override { return "wheel"; }
  // An entry expected to surface k pops after top(), if already known, else nullptr: the k-th of
  // the sorted run (pushes into the run's time range are not counted). Only for prefetching;
  // valid until the next push or pop.
  const QueueEntry* ahead(std::size_t k) const {
    const std::size_t i = head_ + k;
    return i < run_.size() ? &run_[i] : nullptr;
  }

 private:
  static constexpr int kLevels = 8;  // 8 bits per level cover the 64-bit time
  // Buckets are chains of 1 KiB blocks from a free list: no reallocation while a bucket grows,
  // and the blocks of a bucket just spread are reused, still in cache, by the buckets it fills.
  static constexpr std::size_t kBlockEntries = 42;
  struct alignas(64) Block {
    Block* next;
    QueueEntry entries[kBlockEntries];
  };
  struct Bucket {
    Block* head = nullptr;
    Block* tail = nullptr;
    std::uint32_t tail_size = 0;  // entries used in tail
    std::uint32_t size = 0;
  };

  void place(const QueueEntry& e) {
    const std::uint64_t x = e.time ^ base_;
    const int level = x < 256 ? 0 : (std::bit_width(x) - 1) >> 3;
    const unsigned digit = static_cast<unsigned>(e.time >> (8 * level)) & 255u;
    Bucket& b = buckets_[level * 256 + digit];
    if (b.tail_size == kBlockEntries || b.tail == nullptr) add_block(b);
    b.tail->entries[b.tail_size++] = e;
    ++b.size;
    bits_[level][digit >> 6] |= std::uint64_t{1} << (digit & 63);
    level_mask_ |= 1u << level;
  }
  void add_block(Bucket& b);
  void free_block(Block* block) {
    block->next = free_;
    free_ = block;
  }
  void push_early(const QueueEntry& e);
  void pop_early();
  // Buckets up to level sort_level_ (and at most kSortMax entries) are sorted into the run, wider
  // ones spread first. Sorting a dense bucket beats spreading it, but the run then covers the
  // bucket's whole time range and pushes into that range go to the heap early_: every
  // kAdaptEvery pushes, if more than 1/16 went there the sorted width shrinks 256-fold, and if
  // fewer than 1/128 did it grows back. (This only tunes speed: the order is exact either way.)
  static constexpr std::uint32_t kAdaptEvery = 4096;
  static constexpr int kMaxSortLevel = 3;  // 2^24 ns, about 17 ms
  // From this many entries on, the run is kept kLookahead entries ahead of the top (below,
  // everything is in cache and a long run would only widen its time range).
  static constexpr std::size_t kPrefetchFrom = 16384;
  void adapt();
  void top_up();       // extends the run to lookahead_ entries (or to all there are)
  void take_bucket();  // moves the earliest bucket one level down or into the run

  void append_sorted(const Bucket& taken, int level);  // sorts a bucket onto the end of the run

  std::vector<QueueEntry> run_;  // sorted; [head_, end) are queued
  std::size_t head_ = 0;
  std::vector<QueueEntry> early_;    // min-heap of the pushes below limit_
  std::vector<QueueEntry> scratch_;  // append_sorted's buffer
  std::uint64_t limit_ = 0;  // run and early entries have time < limit_ <= wheel entries' times
  std::uint64_t base_ = 0;   // base_ <= limit_
  std::size_t wheel_size_ = 0;
  std::size_t size_ = 0;
  std::uint32_t pushes_ = 0, early_pushes_ = 0;  // since the last adapt()
  int sort_level_ = kMaxSortLevel;
  std::size_t lookahead_ = 1;  // kLookahead once the queue is large enough for prefetching to pay
  std::uint32_t level_mask_ = 0;                              // bit l: level l has an entry
  std::array<std::array<std::uint64_t, 4>, kLevels> bits_{};  // per level: non-empty digits
  std::array<Bucket, kLevels * 256> buckets_{};               // [level * 256 + digit]
  Block* free_ = nullptr;                                     // free blocks, linked by next
  std::vector<void*> slabs_;                                  // the blocks' memory
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

std::unique_ptr<EventQueue> make_queue(const char* kind);  // "wheel", "radix" or "heap"

}  // namespace tcpsim::sim
