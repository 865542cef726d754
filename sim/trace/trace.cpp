#include "sim/trace/trace.hpp"

#include <stdexcept>

namespace tcpsim::trace {

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::Loss: return "loss";
    case DropReason::FaultRule: return "fault";
    case DropReason::QueueOverflow: return "queue-overflow";
    case DropReason::NoRoute: return "no-route";
    case DropReason::Corrupted: return "bad-checksum";
  }
  return "?";
}

const char* to_string(FaultAction a) {
  switch (a) {
    case FaultAction::Drop: return "drop";
    case FaultAction::Delay: return "delay";
    case FaultAction::Duplicate: return "duplicate";
    case FaultAction::Corrupt: return "corrupt";
  }
  return "?";
}

const char* to_string(TimerOp op) {
  switch (op) {
    case TimerOp::Armed: return "armed";
    case TimerOp::Fired: return "fired";
    case TimerOp::Cancelled: return "cancelled";
  }
  return "?";
}

const char* to_string(Notice n) {
  switch (n) {
    case Notice::Connected: return "connected";
    case Notice::Data: return "data";
    case Notice::Eof: return "eof";
    case Notice::Error: return "error";
    case Notice::Closed: return "closed";
  }
  return "?";
}

const char* to_string(AppError e) {
  switch (e) {
    case AppError::None: return "none";
    case AppError::ConnRefused: return "ECONNREFUSED";
    case AppError::TimedOut: return "ETIMEDOUT";
    case AppError::ConnReset: return "ECONNRESET";
  }
  return "?";
}

const char* kind_name(const Body& b) {
  static constexpr const char* kNames[] = {"send",  "deliver", "drop",       "duplicate", "delay", "corrupt",
                                           "state", "timer",   "app-call",   "app-notify", "note"};
  static_assert(std::size(kNames) == std::variant_size_v<Body>);
  return kNames[b.index()];
}

std::uint64_t SegmentCounts::dropped_total() const {
  std::uint64_t n = 0;
  for (auto d : dropped) n += d;
  return n;
}

NodeId Trace::add_node(std::string name) {
  nodes_.push_back(std::move(name));
  return static_cast<NodeId>(nodes_.size() - 1);
}

const std::string& Trace::node_name(NodeId id) const {
  static const std::string kNone = "-";
  return id < nodes_.size() ? nodes_[id] : kNone;
}

void Trace::set_meta(std::string key, std::string value) {
  for (auto& [k, v] : meta_)
    if (k == key) {
      v = std::move(value);
      return;
    }
  meta_.emplace_back(std::move(key), std::move(value));
}

std::string_view Trace::keep_text(std::string_view text) {
  if (!texts_) texts_ = std::make_shared<std::set<std::string, std::less<>>>();
  const auto it = texts_->find(text);
  return it != texts_->end() ? std::string_view(*it) : std::string_view(*texts_->emplace(text).first);
}

void Trace::emit(sim::Time t, Body body) {
  if (const auto* s = std::get_if<SegmentSent>(&body)) {
    ++counts_.sent;
    if (s->injected) ++counts_.injected;
  } else if (std::holds_alternative<SegmentDelivered>(body)) {
    ++counts_.delivered;
  } else if (const auto* d = std::get_if<SegmentDropped>(&body)) {
    ++counts_.dropped[static_cast<int>(d->reason)];
  } else if (std::holds_alternative<SegmentDuplicated>(body)) {
    ++counts_.duplicates;
  }
  if (sinks_.empty() && !keep_) {
    ++count_;
    return;
  }
  Record r{count_++, t, std::move(body)};
  for (Sink* s : sinks_) s->write(r, *this);
  if (!keep_) return;
  records_.push_back(std::move(r));
  if (records_.size() >= record_limit_) [[unlikely]]
    if (limit_reached_) limit_reached_();
}

void Trace::finish() {
  for (Sink* s : sinks_) s->finish(*this);
}

}  // namespace tcpsim::trace
