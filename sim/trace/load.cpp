#include "sim/trace/load.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <utility>

namespace tcpsim::trace {

const std::array<std::string_view, kStates> kStateNames = {
    "CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK",     "TIME_WAIT"};

int state_index(std::string_view name) {
  for (int i = 0; i < kStates; ++i)
    if (kStateNames[static_cast<std::size_t>(i)] == name) return i;
  return -1;
}

std::uint32_t SegmentRates::dropped_total() const {
  std::uint32_t n = 0;
  for (const auto d : dropped) n += d;
  return n;
}

std::size_t Load::bucket_of(sim::Time t) const {
  if (buckets == 0 || bucket.count() <= 0 || t <= start) return 0;
  const auto i = static_cast<std::size_t>((t - start).count() / bucket.count());
  return std::min(i, buckets - 1);
}

namespace {

constexpr int kListen = 1;
constexpr int kSynReceived = 3;
constexpr int kEstablished = 4;
constexpr int kClosed = 0;

// "port=80 backlog=16" -> 16; 0 when absent.
std::uint32_t backlog_of(std::string_view args) {
  const auto at = args.find("backlog=");
  if (at == std::string_view::npos) return 0;
  const std::string_view digits = args.substr(at + 8);
  std::uint32_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

// The span of a run, rounded to a bucket width of 1, 2 or 5 times a power of ten so that the
// axis reads well: about 200 buckets, never under 1 us.
sim::Duration choose_bucket(sim::Duration span) {
  const std::int64_t target = std::max<std::int64_t>(span.count() / 200, 1000);
  std::int64_t step = 1000;
  for (;;) {
    for (const std::int64_t k : {1, 2, 5})
      if (step * k >= target) return sim::Duration::ns(step * k);
    step *= 10;
  }
}

using Key = std::pair<NodeId, net::ConnId>;

struct ConnTrack {
  int state = -1;               // -1: not counted (not seen, or released)
  std::size_t listener = kNoRecord;  // a child: its listener's index
  bool queued = false;          // in its listener's accept queue
};

struct ListenerTrack {
  std::uint32_t syn = 0;
  std::deque<Key> accept;
  QueueLevel syn_bucket, accept_bucket;  // running values for the current bucket
};

class Builder {
 public:
  Builder(const TraceFacts& facts, Load& load, std::size_t cursor) : facts_(facts), load_(load), cursor_(cursor) {}

  void advance_to(std::size_t b) {
    while (current_ < b) close_bucket();
  }
  void finish() {
    while (current_ < load_.buckets) close_bucket();
  }

  void on(const Record& r, std::size_t index) {
    std::visit([&](const auto& body) { handle(body, index); }, r.body);
  }

 private:
  SegmentRates& rates() { return load_.segments[current_]; }

  void close_bucket() {
    load_.states[current_] = counts_;
    for (std::size_t i = 0; i < tracks_.size(); ++i) {
      ListenerTrack& t = tracks_[i];
      ListenerLoad& l = load_.listeners[i];
      t.syn_bucket.level = t.syn;
      t.accept_bucket.level = static_cast<std::uint32_t>(t.accept.size());
      t.syn_bucket.peak = std::max(t.syn_bucket.peak, t.syn_bucket.level);
      t.accept_bucket.peak = std::max(t.accept_bucket.peak, t.accept_bucket.level);
      l.syn_queue.push_back(t.syn_bucket);
      l.accept_queue.push_back(t.accept_bucket);
      l.syn_peak = std::max(l.syn_peak, t.syn_bucket.peak);
      l.accept_peak = std::max(l.accept_peak, t.accept_bucket.peak);
      t.syn_bucket = {t.syn, t.syn};
      t.accept_bucket = {t.accept_bucket.level, t.accept_bucket.level};
    }
    ++current_;
  }

  void handle(const SegmentSent&, std::size_t) { ++rates().sent; }
  void handle(const SegmentDuplicated&, std::size_t) { ++rates().sent; }
  void handle(const SegmentDelivered& d, std::size_t) {
    const SegmentFacts* f = facts_.segment(d.id);
    if (!f || !f->discarded_before(cursor_)) ++rates().delivered;
  }
  void handle(const SegmentDropped& d, std::size_t) { ++rates().dropped[static_cast<std::size_t>(d.reason)]; }
  void handle(const Note& n, std::size_t index) {
    if (!n.discarded) return;
    const SegmentFacts* f = facts_.segment(n.segment);
    if (f && f->discard_record == index) ++rates().discarded;
  }
  void handle(const AppCall& c, std::size_t) {
    if (c.call == "listen") {
      backlogs_[{c.node, c.conn.local}] = backlog_of(c.args);
    } else if (c.call == "accept") {
      const auto it = listener_of_.find({c.node, c.conn.local});
      if (it == listener_of_.end()) return;
      ListenerTrack& t = tracks_[it->second];
      if (t.accept.empty()) return;
      conns_[t.accept.front()].queued = false;
      t.accept.pop_front();
    }
  }
  void handle(const StateChanged& s, std::size_t) {
    const int to = state_index(s.to);
    const int from = state_index(s.from);
    const Key key{s.node, s.conn};
    const auto [it, fresh] = conns_.try_emplace(key);
    ConnTrack& c = it->second;
    if (fresh || c.state < 0) {
      ++load_.endpoints;
      c = ConnTrack{};
      if (from == kListen && s.conn.remote != net::Endpoint{}) {
        const auto l = listener_of_.find({s.node, s.conn.local});
        if (l != listener_of_.end()) c.listener = l->second;
      }
    }
    if (to == kListen && s.conn.remote == net::Endpoint{} && !listener_of_.contains({s.node, s.conn.local})) {
      add_listener(s.node, s.conn.local);
    }
    const bool child = c.listener != kNoRecord;
    if (child) leave_queues(c);
    if (c.state >= 0) --counts_[static_cast<std::size_t>(c.state)];
    // A child falling back to LISTEN is released by the stack: it is gone, not listening.
    c.state = child && to == kListen ? -1 : to;
    if (c.state >= 0) ++counts_[static_cast<std::size_t>(c.state)];
    if (!child) return;
    ListenerTrack& t = tracks_[c.listener];
    if (to == kSynReceived) {
      ++t.syn;
      t.syn_bucket.peak = std::max(t.syn_bucket.peak, t.syn);
    } else if (to == kEstablished && (from == kSynReceived || from == kListen)) {
      c.queued = true;
      t.accept.push_back(key);
      t.accept_bucket.peak = std::max(t.accept_bucket.peak, static_cast<std::uint32_t>(t.accept.size()));
    }
  }
  template <class T>
  void handle(const T&, std::size_t) {}

  // A child leaves its SYN queue place whatever state it moves to; its accept queue place is
  // taken by an accept, or given up when it closes first (child_closed).
  void leave_queues(ConnTrack& c) {
    ListenerTrack& t = tracks_[c.listener];
    if (c.state == kSynReceived && t.syn > 0) --t.syn;
  }

 public:
  void child_closed(const Key& key) {
    ConnTrack& c = conns_[key];
    if (!c.queued || c.listener == kNoRecord) return;
    auto& q = tracks_[c.listener].accept;
    q.erase(std::remove(q.begin(), q.end(), key), q.end());
    c.queued = false;
  }

 private:
  void add_listener(NodeId node, net::Endpoint local) {
    listener_of_[{node, local}] = load_.listeners.size();
    ListenerLoad l;
    l.node = node;
    l.local = local;
    const auto b = backlogs_.find({node, local});
    if (b != backlogs_.end()) l.backlog = b->second;
    // Buckets already closed held nothing.
    l.syn_queue.assign(current_, QueueLevel{});
    l.accept_queue.assign(current_, QueueLevel{});
    load_.listeners.push_back(std::move(l));
    tracks_.emplace_back();
  }

  const TraceFacts& facts_;
  Load& load_;
  std::size_t cursor_;
  std::size_t current_ = 0;
  std::array<std::uint32_t, kStates> counts_{};
  std::map<Key, ConnTrack> conns_;
  std::map<std::pair<NodeId, net::Endpoint>, std::size_t> listener_of_;
  std::map<std::pair<NodeId, net::Endpoint>, std::uint32_t> backlogs_;
  std::vector<ListenerTrack> tracks_;
};

}  // namespace

Load build_load(const Trace& trace, const TraceFacts& facts, const LoadOptions& options) {
  const auto& records = trace.records();
  const std::size_t n = std::min(options.cursor, records.size());
  Load load;
  load.start = sim::Time::zero();
  // The span of the whole run, not of the revealed part, so that the axis does not move as a
  // view's cursor advances; or the span the view asks for.
  const sim::Time end = options.span > sim::Duration::zero() ? load.start + options.span
                        : records.empty()                    ? sim::Time::zero()
                                                             : records.back().time;
  load.bucket = options.bucket.count() > 0 ? options.bucket : choose_bucket(end - load.start);
  load.buckets = static_cast<std::size_t>((end - load.start).count() / load.bucket.count()) + 1;
  load.states.assign(load.buckets, {});
  load.segments.assign(load.buckets, {});

  Builder b(facts, load, n);
  for (std::size_t i = 0; i < n; ++i) {
    const Record& r = records[i];
    b.advance_to(load.bucket_of(r.time));
    b.on(r, i);
    if (const auto* s = std::get_if<StateChanged>(&r.body); s && s->to == kStateNames[kClosed]) {
      b.child_closed({s->node, s->conn});
    }
  }
  b.finish();
  if (n < records.size()) {
    // Buckets after the cursor's hold nothing yet: a view draws up to cursor time only.
    const std::size_t last = n == 0 ? 0 : load.bucket_of(records[n - 1].time);
    for (std::size_t i = last + 1; i < load.buckets; ++i) {
      load.states[i] = {};
      load.segments[i] = {};
      for (auto& l : load.listeners) l.syn_queue[i] = l.accept_queue[i] = {};
    }
  }
  return load;
}

}  // namespace tcpsim::trace
