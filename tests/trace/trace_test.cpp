#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "sim/trace/jsonl.hpp"
#include "sim/trace/trace.hpp"

using namespace tcpsim;
using namespace tcpsim::trace;
using sim::Time;

namespace {
net::Segment syn() {
  return net::Segment{.src = *net::Ipv4::parse("10.0.0.1"),
                      .dst = *net::Ipv4::parse("10.0.0.2"),
                      .sport = 1024,
                      .dport = 80,
                      .seq = net::SeqNum(100),
                      .flags = {.syn = true},
                      .window = 65535,
                      .options = {.mss = 1460}};
}

struct CountingSink : Sink {
  std::vector<std::uint64_t> seen;
  bool finished = false;
  void write(const Record& r, const Trace&) override { seen.push_back(r.index); }
  void finish(const Trace&) override { finished = true; }
};
}  // namespace

TEST_CASE("Records get consecutive indices and sinks see every one", "[trace]") {
  Trace t;
  CountingSink sink;
  t.add_sink(&sink);
  const NodeId a = t.add_node("client");
  t.emit(Time::zero(), SegmentSent{t.next_segment_id(), a, syn()});
  t.emit(Time::from_ns(10), Note{"hello"});
  t.finish();
  CHECK(sink.seen == std::vector<std::uint64_t>{0, 1});
  CHECK(sink.finished);
  REQUIRE(t.records().size() == 2);
  CHECK(t.records()[1].time == Time::from_ns(10));
}

TEST_CASE("Segment counters account for every segment", "[trace]") {
  Trace t;
  const NodeId a = t.add_node("a"), b = t.add_node("b");
  const SegmentId s0 = t.next_segment_id(), s1 = t.next_segment_id(), s2 = t.next_segment_id();
  t.emit(Time::zero(), SegmentSent{s0, a, syn()});
  t.emit(Time::zero(), SegmentSent{s1, a, syn(), /*injected=*/true});
  const SegmentId copy = t.next_segment_id();
  t.emit(Time::zero(), SegmentDuplicated{s1, copy, a, EffectCause::Link});
  t.emit(Time::zero(), SegmentSent{s2, b, syn()});
  t.emit(Time::from_ns(5), SegmentDelivered{s0, b});
  t.emit(Time::from_ns(5), SegmentDropped{s1, a, DropReason::Loss, kNoRule, b});
  t.emit(Time::from_ns(6), SegmentDropped{copy, a, DropReason::FaultRule, 2});
  const auto& c = t.segments();
  CHECK(c.sent == 3);
  CHECK(c.injected == 1);
  CHECK(c.duplicates == 1);
  CHECK(c.delivered == 1);
  CHECK(c.dropped_total() == 2);
  CHECK(c.dropped[static_cast<int>(DropReason::Loss)] == 1);
  CHECK(c.in_flight() == 1);
  CHECK(c.sent + c.duplicates == c.delivered + c.dropped_total() + c.in_flight());
}

TEST_CASE("A trace that keeps no records still counts and feeds its sinks", "[trace]") {
  Trace t;
  t.set_keep_records(false);
  const NodeId a = t.add_node("a");
  t.emit(Time::zero(), SegmentSent{t.next_segment_id(), a, syn()});
  CHECK(t.records().empty());
  CHECK(t.record_count() == 1);
  CHECK(t.segments().sent == 1);
}

TEST_CASE("JSON Lines writes one object per record with node names and segment fields", "[trace][jsonl]") {
  Trace t;
  std::ostringstream out;
  JsonlSink sink(out);
  t.add_sink(&sink);
  const NodeId a = t.add_node("client"), b = t.add_node("server");
  t.emit(Time::from_ns(1'000'000), SegmentSent{t.next_segment_id(), a, syn(), false, "§3.10.1 OPEN: send SYN"});
  t.emit(Time::from_ns(11'000'000), SegmentDropped{0, a, DropReason::Loss, kNoRule, b});
  t.emit(Time::from_ns(12'000'000),
         StateChanged{a, net::ConnId{{syn().src, 1024}, {syn().dst, 80}}, "SYN-SENT", "CLOSED", "test"});
  t.finish();
  std::istringstream lines(out.str());
  std::string l1, l2, l3, extra;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(l1 ==
        R"({"i":0,"t_ns":1000000,"kind":"send","node":"client","seg":0,"src":"10.0.0.1:1024","dst":"10.0.0.2:80",)"
        R"("flags":"SYN","seq":100,"ack":0,"win":65535,"len":0,"options":{"mss":1460},"cause":"§3.10.1 OPEN: send SYN"})");
  CHECK(l2 == R"({"i":1,"t_ns":11000000,"kind":"drop","node":"client","seg":0,"reason":"loss","toward":"server"})");
  CHECK(l3 == R"({"i":2,"t_ns":12000000,"kind":"state","node":"client","conn":"10.0.0.1:1024-10.0.0.2:80",)"
              R"("from":"SYN-SENT","to":"CLOSED","cause":"test"})");
}

TEST_CASE("Every record kind has a JSON form", "[trace][jsonl]") {
  Trace t;
  const NodeId a = t.add_node("a");
  const net::ConnId c{};
  std::vector<Body> bodies{SegmentSent{0, a, syn()},
                           SegmentDelivered{0, a},
                           SegmentDropped{0, a, DropReason::NoRoute},
                           SegmentDuplicated{0, 1, a, EffectCause::FaultRule, 3},
                           SegmentDelayed{0, a, EffectCause::Link, kNoRule, sim::Duration::ms(5)},
                           SegmentCorrupted{0, a, 1},
                           StateChanged{a, c, "LISTEN", "SYN-RECEIVED", "x"},
                           TimerEvent{a, c, "retransmit", TimerOp::Armed, Time::from_ns(5)},
                           AppCall{a, c, "connect", "server:80"},
                           AppNotify{a, c, Notice::Error, AppError::ConnRefused},
                           Note{"n"}};
  REQUIRE(bodies.size() == std::variant_size_v<Body>);
  std::set<std::string> kinds;
  for (auto& b : bodies) {
    const Record r{0, Time::zero(), b};
    const auto j = to_json(r, t);
    kinds.insert(j["kind"].get<std::string>());
    CHECK(j.contains("t_ns"));
  }
  CHECK(kinds.size() == std::variant_size_v<Body>);
  CHECK(to_json(Record{0, Time::zero(), AppNotify{a, c, Notice::Error, AppError::ConnRefused}}, t)["error"] ==
        "ECONNREFUSED");
}
