// trace::build_load: connections per state, each listener's SYN and accept queues, and segment
// fates over time, read from hand-built traces.
#include <catch2/catch.hpp>

#include "sim/trace/load.hpp"

using namespace tcpsim;
using namespace tcpsim::trace;
using sim::Duration;
using sim::Time;

namespace {
const net::Ipv4 kServer = *net::Ipv4::parse("10.0.0.2");
const net::Endpoint kListen{kServer, 80};

net::ConnId child(std::uint8_t client) {
  return {kListen, {net::Ipv4(0x0a000100u + client), static_cast<std::uint16_t>(40000 + client)}};
}
Time ms(std::int64_t v) { return Time::zero() + Duration::ms(v); }

struct Run {
  Trace t;
  NodeId server = t.add_node("server");
  NodeId client = t.add_node("client");
  void state(std::int64_t at, NodeId n, net::ConnId c, std::string_view from, std::string_view to) {
    t.emit(ms(at), StateChanged{n, c, from, to, {}});
  }
  void listen(std::int64_t at, std::uint32_t backlog) {
    t.emit(ms(at), AppCall{server, {kListen, {}}, "listen", "port=80 backlog=" + std::to_string(backlog)});
    state(at, server, {kListen, {}}, "CLOSED", "LISTEN");
  }
  void accept(std::int64_t at) { t.emit(ms(at), AppCall{server, {kListen, {}}, "accept", "socket=1"}); }
  Load load(LoadOptions o = {.bucket = Duration::ms(10)}) const {
    const TraceFacts f(t);
    return build_load(t, f, o);
  }
};
}  // namespace

TEST_CASE("Children fill the SYN queue, move to the accept queue when ESTABLISHED and leave it when accepted",
          "[load]") {
  Run r;
  r.listen(0, 2);
  r.state(12, r.server, child(1), "LISTEN", "SYN_RECEIVED");
  r.state(14, r.server, child(2), "LISTEN", "SYN_RECEIVED");
  r.state(25, r.server, child(1), "SYN_RECEIVED", "ESTABLISHED");
  r.state(33, r.server, child(2), "SYN_RECEIVED", "CLOSED");  // gave up
  r.accept(45);
  r.accept(46);  // nothing left to accept
  const Load l = r.load();
  REQUIRE(l.buckets == 5);
  REQUIRE(l.listeners.size() == 1);
  const ListenerLoad& q = l.listeners[0];
  CHECK(q.local == kListen);
  CHECK(q.backlog == 2);
  CHECK(q.syn_peak == 2);
  CHECK(q.accept_peak == 1);
  CHECK(q.syn_queue[0].level == 0);
  CHECK(q.syn_queue[1].level == 2);
  CHECK(q.syn_queue[2].level == 1);
  CHECK(q.accept_queue[2].level == 1);
  CHECK(q.syn_queue[3].level == 0);
  CHECK(q.accept_queue[3].level == 1);
  CHECK(q.accept_queue[4].level == 0);
  CHECK(q.accept_queue[4].peak == 1);  // it held one at the start of the bucket
  // per state: the listener, and the children as they move on
  CHECK(l.states[1][state_index("LISTEN")] == 1);
  CHECK(l.states[1][state_index("SYN_RECEIVED")] == 2);
  CHECK(l.states[2][state_index("ESTABLISHED")] == 1);
  CHECK(l.states[3][state_index("SYN_RECEIVED")] == 0);
  CHECK(l.states[3][state_index("CLOSED")] == 1);
  CHECK(l.endpoints == 3);
}

TEST_CASE("A child reset back to LISTEN leaves the SYN queue and stops counting as a connection", "[load]") {
  Run r;
  r.listen(0, 4);
  r.state(1, r.server, child(1), "LISTEN", "SYN_RECEIVED");
  r.state(5, r.server, child(1), "SYN_RECEIVED", "LISTEN");
  const Load l = r.load();
  CHECK(l.listeners[0].syn_queue.back().level == 0);
  CHECK(l.listeners[0].syn_peak == 1);
  CHECK(l.states.back()[state_index("LISTEN")] == 1);  // the listener only
}

TEST_CASE("A child that closes before it is accepted leaves the accept queue", "[load]") {
  Run r;
  r.listen(0, 4);
  r.state(1, r.server, child(1), "LISTEN", "SYN_RECEIVED");
  r.state(2, r.server, child(1), "SYN_RECEIVED", "ESTABLISHED");
  r.state(3, r.server, child(2), "LISTEN", "SYN_RECEIVED");
  r.state(4, r.server, child(2), "SYN_RECEIVED", "ESTABLISHED");
  r.state(15, r.server, child(1), "ESTABLISHED", "CLOSED");  // reset by its peer
  r.accept(25);  // takes child 2
  const Load l = r.load();
  CHECK(l.listeners[0].accept_queue[0].level == 2);
  CHECK(l.listeners[0].accept_queue[1].level == 1);
  CHECK(l.listeners[0].accept_queue[2].level == 0);
}

TEST_CASE("Segments are counted by fate in the bucket of the record that tells it", "[load]") {
  Run r;
  const net::Segment syn{.src = net::Ipv4(0x0a000101u), .dst = kServer, .sport = 40001, .dport = 80,
                         .seq = net::SeqNum(1), .flags = {.syn = true}};
  SegmentId ids[3];
  for (auto& id : ids) {
    id = r.t.next_segment_id();
    r.t.emit(ms(1), SegmentSent{id, r.client, syn});
  }
  r.t.emit(ms(11), SegmentDelivered{ids[0], r.server});
  r.t.emit(ms(11), SegmentDelivered{ids[1], r.server});
  r.t.emit(ms(11), Note{"listen queue full: SYN dropped (SYN queue full)", r.server, {}, ids[1], true});
  r.t.emit(ms(21), SegmentDropped{ids[2], r.client, DropReason::NoRoute});
  const Load l = r.load();
  REQUIRE(l.buckets == 3);
  CHECK(l.segments[0].sent == 3);
  CHECK(l.segments[1].delivered == 1);
  CHECK(l.segments[1].discarded == 1);
  CHECK(l.segments[2].dropped[static_cast<std::size_t>(DropReason::NoRoute)] == 1);
  CHECK(l.segments[2].dropped_total() == 1);
}

TEST_CASE("A load built up to a cursor shows nothing after it", "[load]") {
  Run r;
  r.listen(0, 2);
  r.state(12, r.server, child(1), "LISTEN", "SYN_RECEIVED");
  r.state(25, r.server, child(2), "LISTEN", "SYN_RECEIVED");
  const Load l = r.load({.bucket = Duration::ms(10), .cursor = 3});  // listen, LISTEN, child 1
  REQUIRE(l.buckets == 3);  // the axis spans the whole run
  CHECK(l.listeners[0].syn_queue[1].level == 1);
  CHECK(l.listeners[0].syn_queue[2].level == 0);
  CHECK(l.listeners[0].syn_peak == 1);
}

TEST_CASE("The bucket width is chosen from the run's span", "[load]") {
  Run r;
  r.listen(0, 1);
  r.state(183'000, r.server, child(1), "LISTEN", "SYN_RECEIVED");
  const Load l = r.load({});
  CHECK(l.bucket == Duration::s(1));
  CHECK(l.buckets == 184);
}

TEST_CASE("A span covers the time a view shows, its buckets chosen from it", "[load]") {
  Run r;
  r.listen(0, 4);
  r.state(12, r.server, child(1), "LISTEN", "SYN_RECEIVED");
  r.state(14, r.server, child(2), "LISTEN", "SYN_RECEIVED");
  r.state(40'000, r.server, child(1), "SYN_RECEIVED", "CLOSED");  // the run lasts 40 s
  const Load whole = r.load({});
  CHECK(whole.bucket == Duration::ms(200));  // about 200 buckets over 40 s
  // The first 20 ms revealed, shown over 20 ms: buckets of 100 us, none past the span.
  const Load shown = r.load({.cursor = 4, .span = Duration::ms(20)});
  CHECK(shown.bucket == Duration::us(100));
  CHECK(shown.buckets == 201);
  CHECK(shown.states[shown.bucket_of(ms(13))][state_index("SYN_RECEIVED")] == 1);
  CHECK(shown.states[shown.bucket_of(ms(14))][state_index("SYN_RECEIVED")] == 2);
  CHECK(shown.states[shown.bucket_of(ms(15))][state_index("SYN_RECEIVED")] == 0);  // after the cursor
  CHECK(shown.listeners.at(0).syn_peak == 2);
  // Everything revealed but shown over 20 ms: what comes later counts in the last bucket.
  const Load clamped = r.load({.span = Duration::ms(20)});
  CHECK(clamped.buckets == 201);
  CHECK(clamped.states.back()[state_index("SYN_RECEIVED")] == 1);
}
