// Send buffer and receive reassembly (RFC 9293 §3.8.6, §3.10.7.4 seventh step).
#include "models/tcp/buffers.hpp"

#include <algorithm>

namespace tcpsim::tcp {

std::uint64_t SendBuffer::append(std::uint64_t n) {
  const std::uint64_t take = std::min(n, free_space());
  if (take > 0) {
    with_bytes_ = false;  // count-only from now on
    bytes_.clear();
  }
  size_ += take;
  return take;
}

std::uint64_t SendBuffer::append(std::span<const std::uint8_t> bytes) {
  const std::uint64_t take = std::min<std::uint64_t>(bytes.size(), free_space());
  if (with_bytes_) bytes_.append(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
  size_ += take;
  return take;
}

void SendBuffer::consume(std::uint64_t n) {
  n = std::min(n, size_);
  size_ -= n;
  if (with_bytes_) bytes_.drop_front(n);
  if (size_ == 0) with_bytes_ = true;  // an empty buffer may hold bytes again
}

std::vector<std::uint8_t> SendBuffer::copy(std::uint64_t offset, std::uint32_t n) const {
  if (!has_bytes() || offset + n > size_) return {};
  return bytes_.copy(offset, n);
}

void SendBuffer::clear() {
  size_ = 0;
  bytes_.clear();
  with_bytes_ = true;
}

void ReceiveBuffer::hold(Piece p) {
  // Keep held pieces sorted by their distance from the first one held (modular order).
  auto pos = std::find_if(held_.begin(), held_.end(), [&](const Piece& h) { return p.seq < h.seq; });
  held_.insert(pos, std::move(p));
}

void ReceiveBuffer::append(const Piece& p, std::uint32_t skip) {
  const std::uint32_t n = p.len - skip;
  if (p.bytes.empty() && n > 0) {
    with_bytes_ = false;
    bytes_.clear();
  } else if (with_bytes_) {
    bytes_.append(p.bytes.begin() + skip, p.bytes.end());
  }
  unread_ += n;
}

ReceiveBuffer::Advance ReceiveBuffer::deliver(net::SeqNum rcv_nxt, const Piece& p) {
  Advance a{.rcv_nxt = rcv_nxt, .octets = 0, .fin = false};
  auto take = [&](const Piece& piece) {
    const net::SeqNum end = piece.seq + piece.len;
    if (piece.seq <= a.rcv_nxt && a.rcv_nxt < end) {
      const auto skip = static_cast<std::uint32_t>(a.rcv_nxt - piece.seq);
      append(piece, skip);
      a.octets += piece.len - skip;
      a.rcv_nxt = end;
    }
    if (piece.fin && end == a.rcv_nxt) a.fin = true;
  };
  take(p);
  for (bool progress = true; progress && !a.fin;) {
    progress = false;
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if (it->seq <= a.rcv_nxt) {
        take(*it);
        held_.erase(it);
        progress = true;
        break;
      }
    }
  }
  return a;
}

std::uint64_t ReceiveBuffer::read(std::uint64_t max, std::vector<std::uint8_t>* bytes) {
  const std::uint64_t n = std::min(max, unread_);
  if (with_bytes_ && bytes != nullptr) *bytes = bytes_.copy(0, n);
  if (with_bytes_) bytes_.drop_front(n);
  unread_ -= n;
  if (unread_ == 0) with_bytes_ = true;
  return n;
}

void ReceiveBuffer::clear() {
  unread_ = 0;
  bytes_.clear();
  with_bytes_ = true;
  held_.clear();
}

}  // namespace tcpsim::tcp
