// Cursor navigation over a trace (gui/stepper.hpp) and the views that follow the cursor, on a
// hand-written handshake and close: state changes, breakpoints, jumps, the state timeline and
// the RFC state diagram.
#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QtTest>
#include <set>

#include "gui/connections.hpp"
#include "gui/state_diagram.hpp"
#include "gui/state_timeline.hpp"
#include "gui/stepper.hpp"
#include "models/tcp/state.hpp"

using namespace tcpsim;
using tcpsim::gui::Breakpoint;

namespace {

const net::Endpoint kClient{net::Ipv4{0x0a000001}, 40000};
const net::Endpoint kServer{net::Ipv4{0x0a000002}, 80};

sim::Time ms(std::int64_t v) { return sim::Time::zero() + sim::Duration::ms(v); }

// client: CLOSED -> SYN_SENT -> ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> CLOSED
// server: LISTEN -> SYN_RECEIVED -> ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED
// with one dropped segment (the server's first FIN).
struct Handshake {
  trace::Trace t;
  trace::NodeId c, s;
  Handshake() {
    c = t.add_node("client");
    s = t.add_node("server");
    const net::ConnId cc{kClient, kServer};
    const net::ConnId sc{kServer, kClient};
    auto state = [&](sim::Time at, trace::NodeId n, const net::ConnId& id, std::string_view from, std::string_view to) {
      t.emit(at, trace::StateChanged{n, id, from, to, "test rule"});
    };
    auto seg = [&](sim::Time at, trace::NodeId n, net::Endpoint a, net::Endpoint b, const char* flags) {
      net::Segment g;
      g.src = a.ip;
      g.sport = a.port;
      g.dst = b.ip;
      g.dport = b.port;
      g.flags = *net::Flags::parse(flags);
      const auto id = t.next_segment_id();
      t.emit(at, trace::SegmentSent{id, n, g, false, {}});
      return id;
    };
    state(ms(0), s, sc, "CLOSED", "LISTEN");                                  // 0
    state(ms(1), c, cc, "CLOSED", "SYN_SENT");                                // 1
    auto syn = seg(ms(1), c, kClient, kServer, "SYN");                        // 2
    t.emit(ms(11), trace::SegmentDelivered{syn, s});                          // 3
    state(ms(11), s, sc, "LISTEN", "SYN_RECEIVED");                           // 4
    auto sa = seg(ms(11), s, kServer, kClient, "SYN,ACK");                    // 5
    t.emit(ms(21), trace::SegmentDelivered{sa, c});                           // 6
    state(ms(21), c, cc, "SYN_SENT", "ESTABLISHED");                          // 7
    auto ack = seg(ms(21), c, kClient, kServer, "ACK");                       // 8
    t.emit(ms(31), trace::SegmentDelivered{ack, s});                          // 9
    state(ms(31), s, sc, "SYN_RECEIVED", "ESTABLISHED");                      // 10
    state(ms(100), c, cc, "ESTABLISHED", "FIN_WAIT_1");                       // 11
    auto fin = seg(ms(100), c, kClient, kServer, "FIN,ACK");                  // 12
    t.emit(ms(110), trace::SegmentDelivered{fin, s});                         // 13
    state(ms(110), s, sc, "ESTABLISHED", "CLOSE_WAIT");                       // 14
    state(ms(110), s, sc, "CLOSE_WAIT", "LAST_ACK");                          // 15
    auto fin2 = seg(ms(110), s, kServer, kClient, "FIN,ACK");                 // 16
    t.emit(ms(115), trace::SegmentDropped{fin2, s, trace::DropReason::Loss}); // 17
    t.emit(ms(120), trace::TimerEvent{c, cc, "time-wait", trace::TimerOp::Armed, ms(240)});  // 18
    state(ms(120), c, cc, "FIN_WAIT_1", "FIN_WAIT_2");                        // 19
    state(ms(130), c, cc, "FIN_WAIT_2", "TIME_WAIT");                         // 20
    state(ms(140), s, sc, "LAST_ACK", "CLOSED");                              // 21
    state(ms(240), c, cc, "TIME_WAIT", "CLOSED");                             // 22
  }
};

}  // namespace

class StepperTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void nextAndPreviousStateChangeLandJustAfterEachChange() {
    Handshake h;
    QCOMPARE(gui::next_state_change(h.t, 0), std::optional<std::size_t>(1));
    QCOMPARE(gui::next_state_change(h.t, 1), std::optional<std::size_t>(2));
    QCOMPARE(gui::next_state_change(h.t, 2), std::optional<std::size_t>(5));
    QCOMPARE(gui::next_state_change(h.t, 22), std::optional<std::size_t>(23));
    QCOMPARE(gui::next_state_change(h.t, 23), std::nullopt);
    // Back from just after record 7 (a change) goes to just after record 4, not to 7 itself.
    QCOMPARE(gui::previous_state_change(h.t, 8), std::optional<std::size_t>(5));
    QCOMPARE(gui::previous_state_change(h.t, 7), std::optional<std::size_t>(5));
    QCOMPARE(gui::previous_state_change(h.t, 2), std::optional<std::size_t>(1));
    QCOMPARE(gui::previous_state_change(h.t, 1), std::nullopt);
    QCOMPARE(gui::previous_state_change(h.t, 0), std::nullopt);
  }

  void breakpointsStopJustAfterTheRecordThatHitsThem() {
    Handshake h;
    auto parsed = gui::parse_breakpoints("when client enters TIME-WAIT");
    QVERIFY(parsed.error.empty());
    QCOMPARE(parsed.breakpoints.size(), std::size_t{1});
    QCOMPARE(gui::run_to_breakpoint(h.t, 0, parsed.breakpoints), std::optional<std::size_t>(21));
    QCOMPARE(gui::run_to_breakpoint(h.t, 21, parsed.breakpoints), std::nullopt);  // it does not hit twice

    parsed = gui::parse_breakpoints("when a segment is dropped");
    QCOMPARE(gui::run_to_breakpoint(h.t, 0, parsed.breakpoints), std::optional<std::size_t>(18));

    // Endpoint by address and port, by node and port, any; states in any spelling; two clauses.
    parsed = gui::parse_breakpoints("when 10.0.0.2:80 enters established; when server:80 enters closed");
    QVERIFY(parsed.error.empty());
    QCOMPARE(gui::run_to_breakpoint(h.t, 0, parsed.breakpoints), std::optional<std::size_t>(11));
    QCOMPARE(gui::run_to_breakpoint(h.t, 11, parsed.breakpoints), std::optional<std::size_t>(22));
    parsed = gui::parse_breakpoints("when any enters Fin Wait 2");
    QCOMPARE(gui::run_to_breakpoint(h.t, 0, parsed.breakpoints), std::optional<std::size_t>(20));
    parsed = gui::parse_breakpoints("when server enters TIME_WAIT");
    QCOMPARE(gui::run_to_breakpoint(h.t, 0, parsed.breakpoints), std::nullopt);
  }

  void badBreakpointsAreReportedNotGuessed() {
    auto parsed = gui::parse_breakpoints("when client enters TIME-WIAT");
    QVERIFY(parsed.breakpoints.empty());
    QVERIFY2(parsed.error.find("TIME_WIAT") != std::string::npos, parsed.error.c_str());
    parsed = gui::parse_breakpoints("stop somewhere nice");
    QVERIFY(parsed.breakpoints.empty());
    QVERIFY(!parsed.error.empty());
    QCOMPARE(gui::to_string(gui::parse_breakpoints("when client enters time_wait").breakpoints.at(0)),
             std::string("when client enters TIME-WAIT"));
  }

  void jumpsTakeAnEventNumberOrATime() {
    Handshake h;
    std::string error;
    QCOMPARE(gui::parse_jump(h.t, "7", &error), std::optional<std::size_t>(8));
    QCOMPARE(gui::parse_jump(h.t, "#0", &error), std::optional<std::size_t>(1));
    QCOMPARE(gui::parse_jump(h.t, "110ms", &error), std::optional<std::size_t>(17));  // every record at 110 ms
    QCOMPARE(gui::parse_jump(h.t, "0.5s", &error), std::optional<std::size_t>(23));
    QCOMPARE(gui::parse_jump(h.t, "0s", &error), std::optional<std::size_t>(1));
    QCOMPARE(gui::parse_jump(h.t, "23", &error), std::nullopt);
    QVERIFY2(error.find("does not exist") != std::string::npos, error.c_str());
    QCOMPARE(gui::parse_jump(h.t, "soon", &error), std::nullopt);
    QVERIFY(!error.empty());
  }

  void endpointsAtTheCursorHaveStateCauseAndPendingTimers() {
    Handshake h;
    const auto conns = gui::scan_connections(h.t, {});
    QCOMPARE(conns.endpoints.size(), std::size_t{2});
    QCOMPARE(conns.endpoints[0].label, std::string("server:80"));
    QCOMPARE(conns.endpoints[1].label, std::string("client:40000"));
    QCOMPARE(conns.endpoints[1].changes.size(), std::size_t{6});

    auto at = gui::endpoints_at(h.t, conns, 1);
    QCOMPARE(at.size(), std::size_t{1});  // the client has not appeared yet
    QCOMPARE(at[0].state, std::string("LISTEN"));

    at = gui::endpoints_at(h.t, conns, 20);
    QCOMPARE(at.size(), std::size_t{2});
    QCOMPARE(at[1].state, std::string("FIN_WAIT_2"));
    QCOMPARE(at[1].last_change, std::optional<std::size_t>(19));
    QCOMPARE(at[1].timers.size(), std::size_t{1});
    QCOMPARE(at[1].timers[0].name, std::string("time-wait"));
    QCOMPARE(at[1].timers[0].deadline, ms(240));
    QCOMPARE(at[0].state, std::string("LAST_ACK"));
  }

  void timelineDrawsOneStepLinePerEndpointUpToTheCursor() {
    Handshake h;
    const auto conns = gui::scan_connections(h.t, {});
    gui::StateTimeline tl;
    tl.resize(800, 400);
    tl.set_run(&h.t, &conns);
    QCOMPARE(tl.track_count(), 2);
    QCOMPARE(tl.track(0)->name(), QStringLiteral("server:80"));
    QCOMPARE(tl.track(0)->count(), 0);  // nothing revealed

    tl.set_cursor(8);  // after the client's SYN_SENT -> ESTABLISHED (#7)
    const auto client = tl.track(1)->points();
    QVERIFY(!client.isEmpty());
    QCOMPARE(qRound(client.back().y()), gui::state_row("ESTABLISHED"));
    QCOMPARE(client.back().x(), 0.021);
    QCOMPARE(qRound(client.front().y()), gui::state_row("CLOSED"));
    const auto server = tl.track(0)->points();
    QCOMPARE(qRound(server.back().y()), gui::state_row("SYN_RECEIVED"));
    QCOMPARE(server.back().x(), 0.021);  // the line runs on to the cursor
    const auto cursor = tl.cursor_line()->points();
    QCOMPARE(cursor.size(), 2);
    QCOMPARE(cursor[0].x(), 0.021);

    tl.set_cursor(23);
    QCOMPARE(qRound(tl.track(1)->points().back().y()), gui::state_row("CLOSED"));
    QCOMPARE(tl.track(1)->points().back().x(), 0.24);

    // The y axis lists the eleven states in RFC order.
    auto* y = qobject_cast<QCategoryAxis*>(tl.chart()->axes(Qt::Vertical).front());
    QVERIFY(y != nullptr);
    QCOMPARE(y->categoriesLabels().size(), 11);
    QCOMPARE(y->categoriesLabels().front(), QStringLiteral("CLOSED"));
    QCOMPARE(y->categoriesLabels().back(), QStringLiteral("TIME-WAIT"));
  }

  void clickingTheTimelineMovesTheCursor() {
    Handshake h;
    const auto conns = gui::scan_connections(h.t, {});
    gui::StateTimeline tl;
    tl.resize(900, 450);
    tl.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tl));
    tl.set_run(&h.t, &conns);
    tl.set_cursor(23);
    std::optional<std::size_t> asked;
    tl.on_cursor_requested([&](std::size_t n) { asked = n; });
    // On the client's TIME_WAIT corner (#20): the cursor goes just after it.
    const double y = gui::state_row("TIME_WAIT") + 0.0;
    tl.click_value(QPointF(0.130, y));
    QVERIFY(asked.has_value());
    QCOMPARE(*asked, std::size_t{21});
    // Far from any corner: the time clicked.
    asked.reset();
    tl.click_value(QPointF(0.2, gui::state_row("LISTEN")));
    QVERIFY(asked.has_value());
    QCOMPARE(*asked, gui::cursor_at_time(h.t, ms(200)));
  }

  void stateDiagramHasFigureFiveEdgesAndHighlightsTheTransition() {
    gui::StateDiagram d;
    // One edge per (from, to) pair of tcp::all_transitions().
    std::set<std::pair<tcp::State, tcp::State>> pairs;
    for (const auto& t : tcp::all_transitions())
      if (t.from != t.to) pairs.insert({t.from, t.to});
    QCOMPARE(d.edge_count(), static_cast<int>(pairs.size()));
    QVERIFY(d.edge_label("SYN_SENT", "ESTABLISHED").contains(QStringLiteral("rcv SYN,ACK")));
    QVERIFY(d.edge_label("TIME_WAIT", "CLOSED").contains(QStringLiteral("2MSL")));
    QVERIFY(d.edge_label("CLOSED", "TIME_WAIT").isEmpty());

    d.set_transition("SYN_SENT", "ESTABLISHED", QStringLiteral("client:40000 SYN-SENT → ESTABLISHED"));
    QCOMPARE(d.highlighted_edge(), QStringLiteral("SYN_SENT>ESTABLISHED"));
    QCOMPARE(d.current_state(), QStringLiteral("ESTABLISHED"));
    QVERIFY(d.caption().contains(QStringLiteral("client:40000")));
    d.set_state("LISTEN", QString());
    QCOMPARE(d.highlighted_edge(), QString());
    QCOMPARE(d.current_state(), QStringLiteral("LISTEN"));
    d.clear_highlight();
    QCOMPARE(d.current_state(), QString());
  }
};

QTEST_MAIN(StepperTest)
#include "stepper_test.moc"
