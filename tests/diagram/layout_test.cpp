// The sequence diagram layout: lanes, arrows, fates, states, timers, labels and queries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>

#include "sim/diagram/layout.hpp"
#include "sim/diagram/lanes.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "tests/diagram/exchange.hpp"

using namespace tcpsim;
using diagram::Fate;
using diagram::Layout;
using diagram::Options;

namespace {

std::vector<std::string> arrow_labels(const Layout& l) {
  std::vector<std::string> v;
  for (const auto& a : l.arrows) v.push_back(a.label.text);
  return v;
}

// Every pair of text boxes that overlap, as "a | b".
std::vector<std::string> overlaps(const Layout& l) {
  std::vector<std::string> out;
  const auto boxes = l.label_boxes();
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size(); ++j)
      if (boxes[i].overlaps(boxes[j])) out.push_back(std::to_string(i) + " | " + std::to_string(j));
  return out;
}

// The same, for the boxes meeting [y0, y1] (quadratic: for big layouts).
std::vector<std::string> overlaps_near(const Layout& l, double y0, double y1) {
  std::vector<diagram::Box> boxes;
  for (const auto& b : l.label_boxes())
    if (b.bottom() >= y0 && b.y <= y1) boxes.push_back(b);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size(); ++j)
      if (boxes[i].overlaps(boxes[j])) out.push_back(std::to_string(i) + " | " + std::to_string(j));
  return out;
}

}  // namespace

TEST_CASE("A handshake and close gives two lanes and arrows labelled in RFC shorthand", "[layout]") {
  test::Exchange ex;
  const Layout l = diagram::build_layout(ex.trace, Options{}, {"handshake+close", {}});
  test::maybe_save(l, "handshake-close");
  REQUIRE(l.lanes.size() == 2);
  // Hosts in scenario order (the star adds the server first).
  CHECK(l.lanes[0].label.text == "10.0.0.9:80");
  CHECK(l.lanes[1].label.text.rfind("10.0.0.1:", 0) == 0);
  REQUIRE(l.hosts.size() == 2);
  CHECK(l.hosts[0].label.text == "server");
  const auto labels = arrow_labels(l);
  REQUIRE(labels.size() >= 7);
  CHECK(labels[0] == "SYN seq=0 win=65535");  // each direction's first window
  CHECK(labels[1] == "SYN,ACK seq=0 ack=1 win=65535");
  CHECK(labels[2] == "ACK seq=1 ack=1");
  for (const auto& a : l.arrows) {
    CHECK(a.fate == Fate::Delivered);
    CHECK(a.to.y > a.from.y);  // the slant is the 10 ms transit delay
    CHECK(a.from_lane != a.to_lane);
  }
}

TEST_CASE("No two label boxes overlap on a handshake, transfer and close, on every time axis", "[layout][labels]") {
  test::Exchange ex(3000);
  for (const auto axis : {diagram::TimeAxis::Linear, diagram::TimeAxis::EventStep, diagram::TimeAxis::Compressed}) {
    Options o;
    o.axis = axis;
    const Layout l = diagram::build_layout(ex.trace, o, {"transfer", {}});
    test::maybe_save(l, std::string("transfer-") + diagram::to_string(axis));
    INFO(diagram::to_string(axis));
    CHECK(l.label_boxes().size() > 20);
    CHECK(overlaps(l).empty());
  }
}

namespace {

// A hand-written trace between a (10.0.0.1:1000) and b (10.0.0.2:80), 10 ms one way.
struct Hand {
  trace::Trace t;
  trace::NodeId a = t.add_node("a"), b = t.add_node("b");
  static net::Segment seg(bool from_a, std::uint32_t seq, net::Flags f, std::uint32_t len = 0) {
    net::Segment s;
    s.src = *net::Ipv4::parse(from_a ? "10.0.0.1" : "10.0.0.2");
    s.dst = *net::Ipv4::parse(from_a ? "10.0.0.2" : "10.0.0.1");
    s.sport = from_a ? 1000 : 80;
    s.dport = from_a ? 80 : 1000;
    s.seq = net::SeqNum(seq);
    s.flags = f;
    s.payload_len = len;
    return s;
  }
  static sim::Time ms(std::int64_t v) { return sim::Time::zero() + sim::Duration::ms(v); }
  // `rtx`: the sender says it sends this segment again (SegmentSent::retransmission).
  trace::SegmentId send(std::int64_t at, bool from_a, net::Segment s, std::string_view cause = {}, bool rtx = false) {
    const auto id = t.next_segment_id();
    t.emit(ms(at), trace::SegmentSent{id, from_a ? a : b, std::move(s), false, cause, rtx});
    return id;
  }
  void deliver(std::int64_t at, trace::SegmentId id, bool to_b) { t.emit(ms(at), trace::SegmentDelivered{id, to_b ? b : a}); }
};

}  // namespace

TEST_CASE("A lost segment stops part-way with its reason, and its retransmission is marked", "[layout]") {
  Hand h;
  const auto syn = h.send(0, true, Hand::seg(true, 100, {.syn = true}));
  h.t.emit(Hand::ms(5), trace::SegmentDropped{syn, h.a, trace::DropReason::FaultRule, 2, h.b});
  const auto again = h.send(1000, true, Hand::seg(true, 100, {.syn = true}), "§3.8.1: retransmission timeout", true);
  h.deliver(1010, again, true);
  const auto ack = h.send(1010, false, Hand::seg(false, 300, {.syn = true, .ack = true}));
  h.deliver(1020, ack, false);
  const Layout l = diagram::build_layout(h.t, Options{});
  test::maybe_save(l, "lost");
  REQUIRE(l.arrows.size() == 3);
  const auto& lost = l.arrows[0];
  CHECK(lost.fate == Fate::Lost);
  CHECK(lost.reason == "fault rule 2");
  CHECK(lost.reason_label.text == "lost: fault rule 2");
  CHECK(lost.end_record == 1);
  // Part-way: between the lanes, at the height of the drop.
  CHECK(lost.to.x > l.lanes[0].x);
  CHECK(lost.to.x < l.lanes[1].x);
  CHECK(lost.to.y > lost.from.y);
  CHECK(!lost.retransmission);
  CHECK(l.arrows[1].retransmission);
  CHECK(l.arrows[1].label.text == "SYN seq=0 (rtx)");
  CHECK(l.arrows[1].fate == Fate::Delivered);
  CHECK(l.arrows[1].to.x == l.lanes[1].x);
  CHECK(!l.arrows[2].retransmission);  // the other direction's first SYN,ACK
  CHECK(overlaps(l).empty());
}

TEST_CASE("The cursor hides later records and leaves unfinished segments in flight", "[layout][cursor]") {
  Hand h;
  const auto syn = h.send(0, true, Hand::seg(true, 100, {.syn = true}));  // record 0
  h.deliver(10, syn, true);                                                // record 1
  const auto ack = h.send(10, false, Hand::seg(false, 300, {.syn = true, .ack = true}));
  h.deliver(20, ack, false);
  for (const auto axis : {diagram::TimeAxis::Linear, diagram::TimeAxis::EventStep, diagram::TimeAxis::Compressed}) {
    INFO(diagram::to_string(axis));
    Options o;
    o.axis = axis;
    o.cursor = 1;
    Layout l = diagram::build_layout(h.t, o);
    REQUIRE(l.arrows.size() == 1);
    CHECK(l.revealed == 1);
    CHECK(l.arrows[0].fate == Fate::InFlight);
    CHECK(l.arrows[0].end_record == diagram::kNone);
    CHECK(l.arrows[0].to.x < l.lanes[1].x);  // unterminated
    o.cursor = 3;
    l = diagram::build_layout(h.t, o);
    REQUIRE(l.arrows.size() == 2);
    CHECK(l.arrows[0].fate == Fate::Delivered);
    CHECK(l.arrows[1].fate == Fate::InFlight);
    CHECK(l.record_y.size() == 3);
    o.cursor = diagram::kAll;
    const Layout all = diagram::build_layout(h.t, o);
    CHECK(all.revealed == 4);
    CHECK(all.arrows[1].fate == Fate::Delivered);
    // The axis comes from the whole trace: revealing more does not move what was drawn.
    CHECK(all.arrows[0].from.y == l.arrows[0].from.y);
    CHECK(all.arrows[0].to.y == l.arrows[0].to.y);
  }
}

TEST_CASE("A duplicate gets its own arrow with a x2 badge and its own fate", "[layout]") {
  Hand h;
  const auto s = h.send(0, true, Hand::seg(true, 1, {.ack = true}, 100));
  h.t.emit(Hand::ms(1), trace::SegmentDuplicated{s, 1000, h.a, trace::EffectCause::FaultRule, 0});
  h.deliver(10, s, true);
  h.t.emit(Hand::ms(12), trace::SegmentDropped{1000, h.b, trace::DropReason::QueueOverflow});
  const Layout l = diagram::build_layout(h.t, Options{});
  REQUIRE(l.arrows.size() == 2);
  CHECK(!l.arrows[0].copy);
  CHECK(l.arrows[0].label.text == "ACK seq=1(abs) ack=0(abs) len=100 win=0");  // no SYN: no incarnation
  CHECK(l.arrows[1].copy);
  CHECK(l.arrows[1].record == 1);
  CHECK(l.arrows[1].label.text == "ACK seq=1(abs) ack=0(abs) len=100 win=0 x2");
  CHECK(l.arrows[1].fate == Fate::Lost);
  CHECK(l.arrows[1].reason == "queue overflow");
  CHECK(!l.arrows[1].retransmission);
}

TEST_CASE("States are written beside the lane and coloured bands follow them", "[layout][states]") {
  test::Exchange ex;
  const Layout l = diagram::build_layout(ex.trace, Options{});
  std::vector<std::string> client_states;
  for (const auto& s : l.states)
    if (s.lane == 1) client_states.push_back(s.label.text);
  CHECK(client_states ==
        std::vector<std::string>{"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"});
  // Bands: consecutive, one per state entered (none for CLOSED), each in its palette colour.
  std::vector<const diagram::StateBand*> bands;
  for (const auto& b : l.bands)
    if (b.lane == 1) bands.push_back(&b);
  REQUIRE(bands.size() == 5);
  for (std::size_t i = 1; i < bands.size(); ++i) CHECK(bands[i]->y0 == bands[i - 1]->y1);
  CHECK(std::string(diagram::state_colour(bands[1]->state)) == diagram::state_colour("ESTABLISHED"));
  CHECK(std::string(diagram::state_colour("TIME_WAIT")) != diagram::state_colour("ESTABLISHED"));
  // The server's side: LISTEN first, its label left of the first lane.
  REQUIRE(!l.states.empty());
  CHECK(l.states[0].label.text == "LISTEN");
  CHECK(l.states[0].label.box.right() < l.lanes[0].x);
}

TEST_CASE("Timers are brackets from armed to fired or cancelled", "[layout][timers]") {
  test::Exchange ex;
  const Layout l = diagram::build_layout(ex.trace, Options{});
  const auto time_wait = std::find_if(l.timers.begin(), l.timers.end(), [](const auto& t) { return t.timer == "time-wait"; });
  REQUIRE(time_wait != l.timers.end());
  CHECK(time_wait->end == diagram::TimerEnd::Fired);
  CHECK(time_wait->label.text == "2MSL 2s");
  CHECK(time_wait->y1 > time_wait->y0);
  const auto rto = std::find_if(l.timers.begin(), l.timers.end(), [](const auto& t) { return t.timer == "retransmit"; });
  REQUIRE(rto != l.timers.end());
  CHECK(rto->end == diagram::TimerEnd::Cancelled);  // the SYN was answered
  CHECK(rto->label.text.rfind("RTO ", 0) == 0);
  // Calls and notifications as annotations.
  bool connect = false, connected = false;
  for (const auto& a : l.annotations) {
    connect = connect || a.label.text.rfind("(connect", 0) == 0;
    connected = connected || a.label.text == "[connected]";
  }
  CHECK(connect);
  CHECK(connected);
}

TEST_CASE("Several connections to one server port get a sub-column each", "[layout][lanes]") {
  test::Exchange ex(500, 2);
  const Layout l = diagram::build_layout(ex.trace, Options{});
  test::maybe_save(l, "two-clients");
  // server:80 listen, server:80 <> c1, server:80 <> c2, c1, c2
  REQUIRE(l.lanes.size() == 5);
  CHECK(l.lanes[0].node == l.lanes[2].node);
  CHECK(l.lanes[0].label.text.ends_with(":80 listen"));
  CHECK(l.lanes[1].label.text.find("<> 10.0.0.") != std::string::npos);
  CHECK(l.lanes[1].remote != l.lanes[2].remote);
  REQUIRE(l.hosts.size() == 3);
  CHECK(l.hosts[0].x0 == l.lanes[0].x);
  CHECK(l.hosts[0].x1 == l.lanes[2].x);
  for (const auto& a : l.arrows) {
    const auto& from = l.lanes[a.from_lane];
    const auto& to = l.lanes[a.to_lane];
    CHECK(from.node != to.node);
    if (from.node == l.lanes[0].node && a.from_lane != 0) CHECK(from.remote == to.local);  // each child talks to its client
  }
  CHECK(overlaps(l).empty());
}

TEST_CASE("Every primitive carries its record, and hit-testing finds the arrow under a point", "[layout][query]") {
  test::Exchange ex;
  const Layout l = diagram::build_layout(ex.trace, Options{});
  const auto& recs = ex.trace.records();
  for (const auto& a : l.arrows) CHECK(std::holds_alternative<trace::SegmentSent>(recs[a.record].body));
  for (const auto& s : l.states) CHECK(std::holds_alternative<trace::StateChanged>(recs[s.record].body));
  for (const auto& t : l.timers) CHECK(std::holds_alternative<trace::TimerEvent>(recs[t.record].body));
  const auto& syn_ack = l.arrows[1];
  const diagram::Point mid{(syn_ack.from.x + syn_ack.to.x) / 2, (syn_ack.from.y + syn_ack.to.y) / 2};
  const auto hit = l.hit(mid);
  REQUIRE(hit.has_value());
  CHECK(hit->kind == diagram::PrimKind::Arrow);
  CHECK(l.record_of(*hit) == syn_ack.record);
  CHECK(!l.hit({5, l.height - 2}).has_value());
}

TEST_CASE("visible() returns exactly the primitives meeting a y-range", "[layout][query]") {
  test::Exchange ex(20000);
  Options o;
  o.axis = diagram::TimeAxis::EventStep;
  const Layout l = diagram::build_layout(ex.trace, o);
  REQUIRE(l.height > 4 * l.bucket_h);
  for (double y0 = 0; y0 < l.height; y0 += 97) {
    const double y1 = y0 + 150;
    const auto got = l.visible(y0, y1);
    std::size_t expected = 0;
    for (const auto& a : l.arrows) {
      double lo = a.y_min(), hi = a.y_max();
      if (a.label.shown()) lo = std::min(lo, a.label.box.y), hi = std::max(hi, a.label.box.bottom());
      if (a.reason_label.shown()) hi = std::max(hi, a.reason_label.box.bottom());
      expected += (hi >= y0 && lo <= y1) ? 1 : 0;
    }
    const auto arrows = std::count_if(got.begin(), got.end(), [](auto r) { return r.kind == diagram::PrimKind::Arrow; });
    CHECK(static_cast<std::size_t>(arrows) == expected);
    CHECK(std::adjacent_find(got.begin(), got.end(), [](auto a, auto b) {
            return a.kind == b.kind && a.index == b.index;
          }) == got.end());  // no duplicates
  }
}

TEST_CASE("A 100k-record trace lays out, and a y-range query returns only what is near it", "[layout][scale]") {
  Hand h;
  // 50'000 data segments a -> b, one every 100 us, each delivered 10 ms later: 100k records.
  std::vector<trace::SegmentId> ids;
  for (std::int64_t k = 0; k < 50'000; ++k) {
    const sim::Time t = sim::Time::zero() + sim::Duration::us(100 * k);
    ids.push_back(h.t.next_segment_id());
    h.t.emit(t, trace::SegmentSent{ids.back(), h.a, Hand::seg(true, static_cast<std::uint32_t>(1 + 1000 * k), {.ack = true}, 1000)});
    if (k >= 100) h.t.emit(t, trace::SegmentDelivered{ids[static_cast<std::size_t>(k - 100)], h.b});
  }
  for (auto axis : {diagram::TimeAxis::Linear, diagram::TimeAxis::EventStep, diagram::TimeAxis::Compressed}) {
    INFO(diagram::to_string(axis));
    Options o;
    o.axis = axis;
    const Layout l = diagram::build_layout(h.t, o);
    CHECK(l.arrows.size() == 50'000);
    CHECK(l.arrows.back().fate == Fate::InFlight);
    const auto near = l.visible(l.height / 2, l.height / 2 + 600);
    CHECK(!near.empty());
    CHECK(near.size() < 5'000);
    CHECK(overlaps_near(l, l.height / 2, l.height / 2 + 600).empty());
  }
}

TEST_CASE("A real lost SYN shows the cross, the RTO firing and the retransmitted SYN", "[layout][timers]") {
  net::FaultRule drop_syn;
  drop_syn.match.flags = net::Flags{.syn = true};
  drop_syn.last = 1;  // the client's first SYN only
  net::FaultRule drop_data;
  drop_data.match.len = 1000;
  drop_data.last = 1;
  test::Exchange ex(1000, 1, {drop_syn, drop_data});
  const Layout l = diagram::build_layout(ex.trace, Options{}, {"lost SYN and data", {}});
  test::maybe_save(l, "lost-syn");
  REQUIRE(l.arrows.size() > 6);
  CHECK(l.arrows[0].fate == Fate::Lost);
  CHECK(l.arrows[0].reason == "fault rule 0");
  CHECK(l.arrows[1].label.text == "SYN seq=0 (rtx)");
  CHECK(l.arrows[1].retransmission);
  CHECK(l.arrows[1].fate == Fate::Delivered);
  const auto data = std::find_if(l.arrows.begin(), l.arrows.end(), [](const auto& a) { return a.reason == "fault rule 1"; });
  REQUIRE(data != l.arrows.end());
  const auto again = std::find_if(data + 1, l.arrows.end(), [&](const auto& a) {
    return a.from_lane == data->from_lane && a.label.text.find("len=1000") != std::string::npos;
  });
  REQUIRE(again != l.arrows.end());
  CHECK(again->retransmission);
  const auto fired = std::count_if(l.timers.begin(), l.timers.end(), [](const auto& t) {
    return t.timer == "retransmit" && t.end == diagram::TimerEnd::Fired;
  });
  CHECK(fired == 2);
  CHECK(l.breaks.size() >= 1);  // the 1 s RTO waits are squeezed
  CHECK(overlaps(l).empty());
}

TEST_CASE("Absolute numbers and the window are options of the labels", "[layout]") {
  test::Exchange ex;
  Options o;
  o.absolute = true;
  o.show_window = true;
  const Layout l = diagram::build_layout(ex.trace, o);
  REQUIRE(l.arrows.size() >= 3);
  const auto& recs = ex.trace.records();
  const auto& syn_ack = std::get<trace::SegmentSent>(recs[l.arrows[1].record].body).seg;
  CHECK(l.arrows[0].label.text.rfind("SYN seq=100 win=", 0) == 0);  // the client's pinned ISS
  CHECK(l.arrows[1].label.text == "SYN,ACK seq=300 ack=101 win=" + std::to_string(syn_ack.window));
  CHECK(l.title_label.text.find("absolute") != std::string::npos);
  CHECK(overlaps(l).empty());
}

TEST_CASE("The time axes: one row per record, proportional, or with long gaps squeezed", "[layout][axis]") {
  test::Exchange ex;  // TIME-WAIT: a 2 s gap at the end
  const auto& recs = ex.trace.records();
  Options o;
  o.axis = diagram::TimeAxis::EventStep;
  Layout l = diagram::build_layout(ex.trace, o);
  for (std::size_t i = 1; i < recs.size(); ++i) CHECK(l.record_y[i] - l.record_y[i - 1] == Approx(22));
  CHECK(l.breaks.empty());

  o.axis = diagram::TimeAxis::Linear;
  o.px_per_ms = 2;
  l = diagram::build_layout(ex.trace, o);
  for (std::size_t i = 1; i < recs.size(); ++i)
    CHECK(l.record_y[i] - l.record_y[0] == Approx((recs[i].time - recs[0].time).seconds() * 2000));
  CHECK(l.breaks.empty());

  o.axis = diagram::TimeAxis::Compressed;
  l = diagram::build_layout(ex.trace, o);
  REQUIRE(!l.breaks.empty());
  CHECK(l.breaks.back().skipped > sim::Duration::s(1));  // TIME-WAIT
  CHECK(l.breaks.back().label.text.rfind("~", 0) == 0);
  CHECK(l.breaks.back().y1 - l.breaks.back().y0 < 50);
  CHECK(l.height < 1000);  // instead of 4000 px for the 2 s of TIME-WAIT
  o.compress_threshold = sim::Duration::s(10);
  CHECK(diagram::build_layout(ex.trace, o).breaks.empty());
}

TEST_CASE("The same trace gives the same layout and the same SVG", "[layout][determinism]") {
  const std::string a = diagram::to_svg(diagram::build_layout(test::Exchange(3000, 2).trace, {}));
  const std::string b = diagram::to_svg(diagram::build_layout(test::Exchange(3000, 2).trace, {}));
  CHECK(a.size() > 1000);
  CHECK(a == b);
}


TEST_CASE("A tail loss probe is a bracket named TLP that fires, and the FIN it sends is a retransmission", "[layout][timers]") {
  auto loaded = scenario::load_file(TCPSIM_SOURCE_DIR "/scenarios/linux-profile/fin-after-time-wait-expired-linux.json");
  REQUIRE(loaded.ok());
  scenario::RunOptions opts;
  opts.until = sim::Duration::ms(700);
  scenario::World w(std::move(*loaded.scenario), opts);
  w.run();
  const Layout l = diagram::build_layout(w.trace(), Options{}, {"lost FIN, probed", {}});
  test::maybe_save(l, "tail-loss-probe");
  // A's FIN is acknowledged before its probe fires (that bracket is cancelled); B's probe fires.
  const auto probe = std::find_if(l.timers.begin(), l.timers.end(), [](const auto& t) {
    return t.timer == "loss-probe" && t.end == diagram::TimerEnd::Fired;
  });
  REQUIRE(probe != l.timers.end());
  CHECK(probe->label.text.rfind("TLP ", 0) == 0);
  // B's FIN, lost at 0.16 s, then again at the probe (0.384 s) and at the RTO after it (0.608 s).
  std::vector<std::string> fins;
  for (const auto& a : l.arrows)
    if (a.label.text.find("FIN") != std::string::npos && a.label.text.find("seq=1 ack=2") != std::string::npos)
      fins.push_back(a.label.text);
  REQUIRE(fins.size() == 3);
  CHECK(fins[1].find("(rtx)") != std::string::npos);
  CHECK(fins[2].find("(rtx)") != std::string::npos);
  CHECK(overlaps(l).empty());
}
