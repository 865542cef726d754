#include "sim/kernel/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <new>
#include <stdexcept>
#include <string_view>

#if defined(__linux__)
#include <sys/mman.h>
#endif

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

// ---- WheelQueue ------------------------------------------------------------------------------

namespace {
constexpr std::size_t kSlabBytes = std::size_t{2} << 20;
constexpr std::size_t kCompactAt = 256;  // consumed run entries tolerated before they are erased
constexpr auto kLater = [](const QueueEntry& a, const QueueEntry& b) { return b < a; };  // min-heap order

// Sorts [first, last) by key: an insertion sort while that is cheap (few entries, or nearly in
// order), otherwise std::sort. The usual already-ordered instant costs one pass.
void sort_entries(QueueEntry* first, QueueEntry* last) {
  std::size_t moves = 0;
  const std::size_t budget = 4 * static_cast<std::size_t>(last - first) + 64;
  for (QueueEntry* i = first + 1; i < last; ++i) {
    if (!(*i < i[-1])) continue;
    const QueueEntry v = *i;
    QueueEntry* j = i;
    for (; j > first && v < j[-1]; --j) *j = j[-1];
    *j = v;
    moves += static_cast<std::size_t>(i - j);
    if (moves > budget) {  // far from sorted: finish the rest the general way
      std::sort(first, last);
      return;
    }
  }
}

}  // namespace

WheelQueue::WheelQueue() {
  static_assert(sizeof(Block) == 1024);
  run_.reserve(kCompactAt + kSortMax + 2 * kLookahead);
  scratch_.reserve(kSortMax);
}

WheelQueue::~WheelQueue() {
  for (void* slab : slabs_) ::operator delete(slab, std::align_val_t{kSlabBytes});
}

void WheelQueue::add_block(Bucket& b) {
  if (free_ == nullptr) {
    // Slabs of 2 MiB: the first on small pages (a small simulation touches a few blocks), the
    // rest as huge pages since blocks are written at random among many buckets.
    void* slab = ::operator new(kSlabBytes, std::align_val_t{kSlabBytes});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (!slabs_.empty()) madvise(slab, kSlabBytes, MADV_HUGEPAGE);
#endif
    slabs_.push_back(slab);
    auto* blocks = static_cast<Block*>(slab);
    for (std::size_t i = kSlabBytes / sizeof(Block); i-- > 0;) free_block(&blocks[i]);
  }
  Block* block = free_;
  free_ = block->next;
  block->next = nullptr;
  if (b.tail != nullptr) b.tail->next = block;
  else b.head = block;
  b.tail = block;
  b.tail_size = 0;
}

void WheelQueue::push_early(const QueueEntry& e) {
  early_.push_back(e);
  std::push_heap(early_.begin(), early_.end(), kLater);
}

void WheelQueue::pop_early() {
  std::pop_heap(early_.begin(), early_.end(), kLater);
  early_.pop_back();
}

void WheelQueue::adapt() {
  if (early_pushes_ > kAdaptEvery / 16) sort_level_ = std::max(1, sort_level_ - 1);
  else if (early_pushes_ < kAdaptEvery / 128) sort_level_ = std::min(kMaxSortLevel, sort_level_ + 1);
  pushes_ = early_pushes_ = 0;
  lookahead_ = size_ >= kPrefetchFrom ? kLookahead : 1;
}

void WheelQueue::top_up() {
  if (head_ == run_.size()) {
    run_.clear();
    head_ = 0;
  } else if (head_ >= kCompactAt) {
    run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  while (run_.size() - head_ < lookahead_ && wheel_size_ != 0) take_bucket();
}

void WheelQueue::take_bucket() {
  for (;;) {
    const int level = std::countr_zero(level_mask_);
    auto& bits = bits_[level];
    int w = 0;
    while (bits[w] == 0) ++w;
    const unsigned digit = static_cast<unsigned>(w * 64 + std::countr_zero(bits[w]));
    bits[w] &= bits[w] - 1;
    if ((bits[0] | bits[1] | bits[2] | bits[3]) == 0) level_mask_ &= ~(1u << level);
    Bucket& bucket = buckets_[level * 256 + digit];
    const Bucket taken = bucket;
    bucket = Bucket{};
    // The bucket covers [start, start + 2^shift): base_'s bytes above `level`, then `digit`.
    const int shift = 8 * level;
    const std::uint64_t above = level == kLevels - 1 ? 0 : (base_ >> (shift + 8)) << (shift + 8);
    const std::uint64_t start = above | (std::uint64_t{digit} << shift);
    if (level == 0 || (level <= sort_level_ && taken.size <= kSortMax)) {
      append_sorted(taken, level);
      wheel_size_ -= taken.size;
      limit_ = start + (std::uint64_t{1} << shift);  // <= 2^63: times are non-negative int64
      return;
    }
    // Spread the bucket one level down. Every other wheel entry is above its range, so any new
    // base inside the range keeps their buckets valid, while its entries all drop to lower
    // levels (they share bytes >= level with the new base).
    base_ = std::max(start, limit_);
    limit_ = base_;
    for (Block* block = taken.head; block != nullptr;) {
      const std::size_t n = block == taken.tail ? taken.tail_size : kBlockEntries;
      // Blocks were written long ago and are scattered: fetch the next one while this is read.
      if (const Block* next = block->next)
        for (std::size_t line = 0; line < sizeof(Block); line += 64)
          __builtin_prefetch(reinterpret_cast<const char*>(next) + line);
      for (std::size_t i = 0; i < n; ++i) place(block->entries[i]);
      Block* next = block->next;
      free_block(block);  // read completely: its memory may be reused right away
      block = next;
    }
  }
}

void WheelQueue::append_sorted(const Bucket& taken, int level) {
  const std::size_t first = run_.size();
  if (level == 0 || taken.size <= 16) {
    // One instant (order by seq, usually already right) or a few entries.
    for (Block* block = taken.head; block != nullptr;) {
      const std::size_t n = block == taken.tail ? taken.tail_size : kBlockEntries;
      run_.insert(run_.end(), block->entries, block->entries + n);
      Block* next = block->next;
      free_block(block);
      block = next;
    }
    sort_entries(run_.data() + first, run_.data() + run_.size());
    return;
  }
  // Counting sort on the next byte down, then an insertion pass for entries sharing that byte
  // (rare unless many events share an instant, and then usually already in seq order).
  const int shift = 8 * (level - 1);
  std::array<std::uint32_t, 256> at{};
  scratch_.clear();
  for (Block* block = taken.head; block != nullptr;) {
    const std::size_t n = block == taken.tail ? taken.tail_size : kBlockEntries;
    for (std::size_t i = 0; i < n; ++i) {
      const QueueEntry& e = block->entries[i];
      ++at[(e.time >> shift) & 255];
      scratch_.push_back(e);
    }
    Block* next = block->next;
    free_block(block);
    block = next;
  }
  std::uint32_t sum = static_cast<std::uint32_t>(first);
  for (std::uint32_t& a : at) {
    const std::uint32_t c = a;
    a = sum;
    sum += c;
  }
  run_.resize(sum);
  QueueEntry* out = run_.data();
  for (const QueueEntry& e : scratch_) out[at[(e.time >> shift) & 255]++] = e;
  sort_entries(out + first, out + sum);
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
  if (k == "wheel") return std::make_unique<WheelQueue>();
  if (k == "radix") return std::make_unique<RadixQueue>();
  if (k == "heap") return std::make_unique<HeapQueue>();
  throw std::invalid_argument("unknown event queue \"" + std::string(k) + "\" (expected wheel, radix or heap)");
}

}  // namespace tcpsim::sim
