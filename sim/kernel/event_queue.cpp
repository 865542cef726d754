#include "sim/kernel/event_queue.hpp"

#include <bit>
#include <stdexcept>
#include <string_view>

namespace tcpsim::sim {

// ---- HeapQueue: 4-ary min-heap with hole sifting -------------------------------------------

void HeapQueue::push(const QueueEntry& e) {
  heap_.push_back(e);
  std::size_t i = heap_.size() - 1;
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!(e < heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void HeapQueue::pop() {
  const QueueEntry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  std::size_t i = 0;
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + 4 < n ? first + 4 : n;
    for (std::size_t c = first + 1; c < end; ++c)
      if (heap_[c] < heap_[best]) best = c;
    if (!(heap_[best] < last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
}

// ---- RadixQueue ------------------------------------------------------------------------------

int RadixQueue::bucket_of(const QueueEntry& e) const {
  if (e.time != base_time_) return 64 + std::bit_width(e.time ^ base_time_);
  if (e.seq != base_seq_) return std::bit_width(e.seq ^ base_seq_);
  return 0;
}

void RadixQueue::place(const QueueEntry& e) {
  const int b = bucket_of(e);
  buckets_[b].push_back(e);
  nonempty_[b >> 6] |= std::uint64_t{1} << (b & 63);
}

void RadixQueue::push(const QueueEntry& e) {
  if (size_ == 0) {
    base_time_ = e.time;
    base_seq_ = e.seq;
  } else if (e < QueueEntry{base_time_, base_seq_, 0, 0}) {
    rebuild(e);
  }
  const int b = bucket_of(e);
  place(e);
  ++size_;
  if (min_bucket_ >= 0) {
    if (b < min_bucket_) {
      min_bucket_ = -1;
    } else if (b == min_bucket_ && e < buckets_[b][min_index_]) {
      min_index_ = buckets_[b].size() - 1;
    }
  }
}

void RadixQueue::find_min() {
  int b = -1;
  for (int w = 0; w < 3; ++w)
    if (nonempty_[w] != 0) {
      b = w * 64 + std::countr_zero(nonempty_[w]);
      break;
    }
  const auto& bucket = buckets_[b];
  std::size_t best = 0;
  for (std::size_t i = 1; i < bucket.size(); ++i)
    if (bucket[i] < bucket[best]) best = i;
  min_bucket_ = b;
  min_index_ = best;
}

const QueueEntry& RadixQueue::top() {
  if (min_bucket_ < 0) find_min();
  return buckets_[min_bucket_][min_index_];
}

void RadixQueue::pop() {
  if (min_bucket_ < 0) find_min();
  auto& bucket = buckets_[min_bucket_];
  const QueueEntry min = bucket[min_index_];
  bucket[min_index_] = bucket.back();
  bucket.pop_back();
  --size_;
  base_time_ = min.time;
  base_seq_ = min.seq;
  const int b = min_bucket_;
  min_bucket_ = -1;
  nonempty_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
  if (b == 0) {  // the rest of bucket 0 still equals the base: stays put
    if (!bucket.empty()) nonempty_[0] |= 1;
    return;
  }
  // Every remaining entry of bucket b agrees with the new base above bit b, so each lands in a
  // strictly lower bucket: no entry is visited twice in this loop.
  for (const QueueEntry& e : bucket) place(e);
  bucket.clear();
}

void RadixQueue::rebuild(const QueueEntry& new_base) {
  ++rebuilds_;
  std::vector<QueueEntry> all;
  all.reserve(size_);
  for (auto& bucket : buckets_) {
    all.insert(all.end(), bucket.begin(), bucket.end());
    bucket.clear();
  }
  nonempty_ = {};
  base_time_ = new_base.time;
  base_seq_ = new_base.seq;
  for (const QueueEntry& e : all) place(e);
  min_bucket_ = -1;
}

std::unique_ptr<EventQueue> make_queue(const char* kind) {
  const std::string_view k(kind);
  if (k == "radix") return std::make_unique<RadixQueue>();
  if (k == "heap") return std::make_unique<HeapQueue>();
  throw std::invalid_argument("unknown event queue \"" + std::string(k) + "\" (expected radix or heap)");
}

}  // namespace tcpsim::sim
