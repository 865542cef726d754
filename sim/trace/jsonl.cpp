#include "sim/trace/jsonl.hpp"

namespace tcpsim::trace {
namespace {
using J = nlohmann::ordered_json;

void put_segment(J& j, const net::Segment& s);

J conn_json(const net::ConnId& c) { return c.local.to_string() + "-" + c.remote.to_string(); }

struct ToJson {
  const Trace& t;
  J& j;
  void node(NodeId n) { j["node"] = t.node_name(n); }

  void operator()(const SegmentSent& s) {
    node(s.node);
    j["seg"] = s.id;
    put_segment(j, s.seg);
    if (s.injected) j["injected"] = true;
    if (!s.cause.empty()) j["cause"] = s.cause;
    if (s.retransmission) j["retransmission"] = true;
  }
  void operator()(const SegmentDelivered& s) {
    node(s.node);
    j["seg"] = s.id;
  }
  void operator()(const SegmentDropped& s) {
    node(s.node);
    j["seg"] = s.id;
    j["reason"] = to_string(s.reason);
    if (s.rule != kNoRule) j["rule"] = s.rule;
    if (s.toward != kNoNode) j["toward"] = t.node_name(s.toward);
  }
  void operator()(const SegmentDuplicated& s) {
    node(s.node);
    j["seg"] = s.id;
    j["copy"] = s.copy;
    j["cause"] = s.cause == EffectCause::Link ? "link" : "fault";
    if (s.rule != kNoRule) j["rule"] = s.rule;
  }
  void operator()(const SegmentDelayed& s) {
    node(s.node);
    j["seg"] = s.id;
    j["cause"] = s.cause == EffectCause::Link ? "reorder" : "fault";
    if (s.rule != kNoRule) j["rule"] = s.rule;
    j["extra_ns"] = s.extra.count();
  }
  void operator()(const SegmentCorrupted& s) {
    node(s.node);
    j["seg"] = s.id;
    j["rule"] = s.rule;
  }
  void operator()(const StateChanged& s) {
    node(s.node);
    j["conn"] = conn_json(s.conn);
    j["from"] = s.from;
    j["to"] = s.to;
    j["cause"] = s.cause;
  }
  void operator()(const TimerEvent& s) {
    node(s.node);
    j["conn"] = conn_json(s.conn);
    j["timer"] = s.timer;
    j["op"] = to_string(s.op);
    j["deadline_ns"] = s.deadline.ns();
    if (!s.cause.empty()) j["cause"] = s.cause;
  }
  void operator()(const AppCall& s) {
    node(s.node);
    j["conn"] = conn_json(s.conn);
    j["call"] = s.call;
    if (!s.args.empty()) j["args"] = s.args;
  }
  void operator()(const AppNotify& s) {
    node(s.node);
    j["conn"] = conn_json(s.conn);
    j["notice"] = to_string(s.notice);
    if (s.error != AppError::None) j["error"] = to_string(s.error);
    if (s.bytes != 0) j["bytes"] = s.bytes;
  }
  void operator()(const Note& s) {
    if (s.node != kNoNode) {
      node(s.node);
      j["conn"] = conn_json(s.conn);
    }
    if (s.segment != UINT64_MAX) j["seg"] = s.segment;
    if (s.discarded) j["discarded"] = true;
    j["text"] = s.text;
  }
};
}  // namespace

J to_json(const net::Segment& s) {
  J j;
  put_segment(j, s);
  return j;
}

namespace {
void put_segment(J& j, const net::Segment& s) {
  j["src"] = s.source().to_string();
  j["dst"] = s.destination().to_string();
  j["flags"] = s.flags.to_string();
  j["seq"] = s.seq.raw();
  j["ack"] = s.ack.raw();
  j["win"] = s.window;
  j["len"] = s.payload_len;
  if (s.flags.urg) j["urg"] = s.urgent;
  const auto& o = s.options;
  if (o.mss || o.wscale || o.sack_permitted || o.timestamps) {
    J opts = J::object();
    if (o.mss) opts["mss"] = *o.mss;
    if (o.wscale) opts["wscale"] = *o.wscale;
    if (o.sack_permitted) opts["sack_permitted"] = true;
    if (o.timestamps) opts["timestamps"] = J::array({o.timestamps->val, o.timestamps->ecr});
    j["options"] = std::move(opts);
  }
  if (s.corrupted) j["corrupted"] = true;
}
}  // namespace

J to_json(const Record& r, const Trace& t) {
  J j;
  j["i"] = r.index;
  j["t_ns"] = r.time.ns();
  j["kind"] = kind_name(r.body);
  std::visit(ToJson{t, j}, r.body);
  return j;
}

J to_json(const SegmentCounts& c) {
  J j;
  j["sent"] = c.sent;
  j["injected"] = c.injected;
  j["duplicates"] = c.duplicates;
  j["delivered"] = c.delivered;
  J dropped = J::object();
  for (int i = 0; i < kDropReasons; ++i) dropped[to_string(static_cast<DropReason>(i))] = c.dropped[i];
  j["dropped"] = std::move(dropped);
  j["dropped_total"] = c.dropped_total();
  j["in_flight"] = c.in_flight();
  return j;
}

J meta_json(const Trace& t) {
  J meta = J::object();
  for (const auto& [key, value] : t.meta()) meta[key] = value;
  J j;
  j["meta"] = std::move(meta);
  return j;
}

void JsonlSink::start(const Trace& t) {
  if (started_) return;
  started_ = true;
  if (!t.meta().empty()) line(meta_json(t));
}

void JsonlSink::line(const J& j) { out_ << j.dump(-1, ' ', false, J::error_handler_t::replace) << '\n'; }

void JsonlSink::write(const Record& r, const Trace& t) {
  start(t);
  line(to_json(r, t));
}

void JsonlSink::finish(const Trace& t) {
  start(t);
  out_.flush();
}

}  // namespace tcpsim::trace
