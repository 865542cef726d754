// Send and receive buffers (RFC 9293 §3.8.6 windows, §3.10.7.4 seventh step reassembly).
//
// Applications may send byte counts only (the common case in scenarios) or real bytes; a buffer
// keeps bytes only while every byte it holds came with content, so a count-only SEND makes the
// buffer count-only from then on (segments then carry payload_len without payload bytes).
#pragma once

#include <cstdint>
#include <algorithm>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "models/net/wire/seqnum.hpp"

namespace tcpsim::tcp {

// Data octets from SND.UNA's first data octet to the end of what the user has SENT.
// Octets with content, in order. Allocates nothing until the first octet arrives and frees its
// storage when it drains, so the many connections that carry only counts (or nothing, like one
// in TIME-WAIT) cost no heap (a std::deque allocates about 600 bytes as soon as it exists).
class ByteQueue {
 public:
  std::size_t size() const { return q_ ? q_->size() : 0; }
  template <class It>
  void append(It first, It last) {
    if (first == last) return;
    if (!q_) q_ = std::make_unique<std::deque<std::uint8_t>>();
    q_->insert(q_->end(), first, last);
  }
  void drop_front(std::size_t n) {
    if (!q_ || n == 0) return;
    q_->erase(q_->begin(), q_->begin() + static_cast<std::ptrdiff_t>(std::min(n, q_->size())));
    if (q_->empty()) q_.reset();
  }
  // Octets [offset, offset + n), which must exist.
  std::vector<std::uint8_t> copy(std::size_t offset, std::size_t n) const {
    if (!q_ || n == 0) return {};
    const auto first = q_->begin() + static_cast<std::ptrdiff_t>(offset);
    return {first, first + static_cast<std::ptrdiff_t>(n)};
  }
  void clear() { q_.reset(); }

 private:
  std::unique_ptr<std::deque<std::uint8_t>> q_;
};

class SendBuffer {
 public:
  explicit SendBuffer(std::uint32_t capacity) : capacity_(capacity) {}
  std::uint32_t capacity() const { return capacity_; }
  std::uint64_t size() const { return size_; }
  std::uint64_t free_space() const { return capacity_ > size_ ? capacity_ - size_ : 0; }
  // Append up to free_space() octets; returns how many were taken.
  std::uint64_t append(std::uint64_t n);
  std::uint64_t append(std::span<const std::uint8_t> bytes);
  // Drop `n` acknowledged octets from the front.
  void consume(std::uint64_t n);
  bool has_bytes() const { return with_bytes_ && size_ > 0; }
  // Copy of octets [offset, offset + n) when has_bytes(), else empty.
  std::vector<std::uint8_t> copy(std::uint64_t offset, std::uint32_t n) const;
  void clear();

 private:
  std::uint32_t capacity_;
  std::uint64_t size_ = 0;
  bool with_bytes_ = true;
  ByteQueue bytes_;
};

// In-order octets not yet read by the user, plus out-of-order segments held for reassembly
// (RFC 9293 §3.10.7.4 SHLD-31: "segments with higher beginning sequence numbers SHOULD be held").
class ReceiveBuffer {
 public:
  explicit ReceiveBuffer(std::uint32_t capacity) : capacity_(capacity) {}
  std::uint32_t capacity() const { return capacity_; }
  std::uint64_t unread() const { return unread_; }
  // RCV.WND: the free buffer space. In-order octets consume it as RCV.NXT advances, so the
  // right edge RCV.NXT + RCV.WND stays put until the user reads (§3.8.6 "should not be reduced").
  std::uint32_t window() const { return unread_ >= capacity_ ? 0 : static_cast<std::uint32_t>(capacity_ - unread_); }

  struct Piece {
    net::SeqNum seq;
    std::uint32_t len = 0;
    bool fin = false;
    std::vector<std::uint8_t> bytes;  // empty if the segment carried no bytes
  };
  // Hold an out-of-order piece (already trimmed to the window). Overlaps with held pieces are
  // kept as they are; reassembly skips octets it already has.
  void hold(Piece p);
  // Accept an in-order piece that starts at rcv_nxt; then pull in every held piece that has
  // become contiguous. Returns the new RCV.NXT (data only) and whether an in-order FIN was met.
  struct Advance {
    net::SeqNum rcv_nxt;
    std::uint64_t octets = 0;
    bool fin = false;
  };
  Advance deliver(net::SeqNum rcv_nxt, const Piece& p);
  // RECEIVE: take up to `max` octets. `bytes` gets their content when the octets had content.
  std::uint64_t read(std::uint64_t max, std::vector<std::uint8_t>* bytes);
  std::size_t held() const { return held_.size(); }
  bool held_empty() const { return held_.empty(); }
  void clear();

 private:
  void append(const Piece& p, std::uint32_t skip);

  std::uint32_t capacity_;
  std::uint64_t unread_ = 0;
  ByteQueue bytes_;  // content of the unread octets that had content
  bool with_bytes_ = true;
  std::vector<Piece> held_;
};

}  // namespace tcpsim::tcp
