// The main window on a real TCP exchange (scenarios/rfc9293-figures/basic-three-way-handshake.json):
// breakpoints on states, the state diagram and the "why", the TCB variables of the replayed
// world, the timeline, and the lost final ACK made by a what-if drop: the server's FIN is
// retransmitted and the client's 2MSL timer restarts.
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QStandardPaths>
#include <QtTest>
#include <variant>

#include "gui/event_model.hpp"
#include "gui/inspector.hpp"
#include "gui/main_window.hpp"
#include "gui/sequence_view.hpp"
#include "gui/state_diagram.hpp"
#include "gui/state_timeline.hpp"

using tcpsim::gui::MainWindow;
namespace trace = tcpsim::trace;

namespace {

const QString kHandshake = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/basic-three-way-handshake.json");

const trace::Trace& records_of(const MainWindow& w) { return *w.shown_run()->trace(); }

// Index of the last segment the client sent (the ACK of the server's FIN).
std::size_t last_client_send(const MainWindow& w) {
  const auto& t = records_of(w);
  std::size_t found = 0;
  for (std::size_t i = 0; i < t.records().size(); ++i)
    if (const auto* s = std::get_if<trace::SegmentSent>(&t.records()[i].body); s && t.node_name(s->node) == "client") found = i;
  return found;
}

int count_sends(const MainWindow& w, const char* node, const char* flags) {
  const auto& t = records_of(w);
  int n = 0;
  for (const auto& r : t.records())
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && t.node_name(s->node) == node && s->seg.flags.to_string() == flags)
      ++n;
  return n;
}

int count_timer(const MainWindow& w, const char* node, std::string_view timer, trace::TimerOp op) {
  const auto& t = records_of(w);
  int n = 0;
  for (const auto& r : t.records())
    if (const auto* e = std::get_if<trace::TimerEvent>(&r.body); e && t.node_name(e->node) == node && e->timer == timer && e->op == op)
      ++n;
  return n;
}

// The time the client's connection reached CLOSED for the last time.
tcpsim::sim::Time client_closed_at(const MainWindow& w) {
  const auto& t = records_of(w);
  tcpsim::sim::Time at{};
  for (const auto& r : t.records())
    if (const auto* s = std::get_if<trace::StateChanged>(&r.body); s && t.node_name(s->node) == "client" && s->to == "CLOSED") at = r.time;
  return at;
}

}  // namespace

class TcpWindowTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void breakpointOnAStateStopsThereAndTheStateDiagramSaysWhy() {
    MainWindow w;
    QVERIFY(w.open_file(kHandshake));
    QVERIFY(w.set_breakpoints(QStringLiteral("when client enters TIME-WAIT")));
    QVERIFY(w.run_to_breakpoint());
    const auto& rec = records_of(w).records()[w.cursor() - 1];
    const auto* s = std::get_if<trace::StateChanged>(&rec.body);
    QVERIFY(s != nullptr);
    QCOMPARE(std::string(s->to), std::string("TIME_WAIT"));
    QCOMPARE(w.state_diagram()->highlighted_edge(), QStringLiteral("FIN_WAIT_2>TIME_WAIT"));
    QCOMPARE(w.state_diagram()->current_state(), QStringLiteral("TIME_WAIT"));
    const QString why = w.why_label()->text();
    QVERIFY2(why.contains(QStringLiteral("client:")) && why.contains(QStringLiteral("TIME-WAIT")), qPrintable(why));
    QVERIFY2(why.contains(QString::fromStdString(std::string(s->cause)).toHtmlEscaped()), qPrintable(why));

    // The inspector: the client in TIME-WAIT, its TCB from the replay; the 2MSL timer is armed
    // by a record of the same event, a few steps on.
    const auto here = w.cursor();
    QString text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("TIME-WAIT")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("time-wait due")), qPrintable(text));
    for (int i = 0; i < 4 && !w.inspector()->text().contains(QStringLiteral("time-wait due")); ++i) w.step_forward();
    QVERIFY2(w.inspector()->text().contains(QStringLiteral("time-wait due")), qPrintable(w.inspector()->text()));
    w.set_cursor(here);
    text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("SND.UNA: 202  (relative 102)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("RCV.NXT: 302  (relative 2)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("ISS / IRS: 100 / 300")), qPrintable(text));

    // Previous / next state change from here.
    QVERIFY(w.previous_state_change());
    QVERIFY(w.cursor() < here);
    QVERIFY(std::holds_alternative<trace::StateChanged>(records_of(w).records()[w.cursor() - 1].body));
    QVERIFY(w.next_state_change());
    QCOMPARE(w.cursor(), here);
  }

  void followingOneConnectionShowsItsOwnLastTransition() {
    MainWindow w;
    QVERIFY(w.open_file(kHandshake));
    w.set_cursor(w.size());
    int server_child = -1;
    for (int i = 0; i < w.follow()->count(); ++i)
      if (w.follow()->itemText(i).contains(QStringLiteral("server:80 ↔"))) server_child = i;
    QVERIFY(server_child > 0);
    w.follow()->setCurrentIndex(server_child);
    QCOMPARE(w.state_diagram()->highlighted_edge(), QStringLiteral("LAST_ACK>CLOSED"));
    w.follow()->setCurrentIndex(0);  // the last transition of all: the client's 2MSL timeout
    QCOMPARE(w.state_diagram()->highlighted_edge(), QStringLiteral("TIME_WAIT>CLOSED"));
  }

  void timelineHasATrackPerEndpointSyncedWithTheCursor() {
    MainWindow w;
    QVERIFY(w.open_file(kHandshake));
    QCOMPARE(w.timeline()->track_count(), 3);  // listener, accepted child, client
    for (int i = 0; i < 3; ++i) QCOMPARE(w.timeline()->track(i)->count(), 0);
    QVERIFY(w.set_breakpoints(QStringLiteral("when client enters ESTABLISHED")));
    QVERIFY(w.run_to_breakpoint());
    const double now = records_of(w).records()[w.cursor() - 1].time.seconds();
    QCOMPARE(w.timeline()->cursor_line()->points().front().x(), now);
    bool client_established = false;
    for (int i = 0; i < 3; ++i) {
      const auto* t = w.timeline()->track(i);
      if (t->name().startsWith(QStringLiteral("client")))
        client_established = qRound(t->points().back().y()) == tcpsim::gui::state_row("ESTABLISHED");
    }
    QVERIFY(client_established);
    // A click on the timeline moves the window's cursor.
    w.timeline()->click_value(QPointF(2.0, tcpsim::gui::state_row("LISTEN") + 0.5));
    QCOMPARE(w.cursor(), tcpsim::gui::cursor_at_time(records_of(w), tcpsim::sim::Time::zero() + tcpsim::sim::Duration::s(2)));
  }

  void droppingTheFinalAckRetransmitsTheFinAndRestartsTwoMsl() {
    MainWindow w;
    QVERIFY(w.open_file(kHandshake));
    const auto ack = last_client_send(w);
    QCOMPARE(count_sends(w, "server", "FIN,ACK"), 1);
    QCOMPARE(count_timer(w, "client", "time-wait", trace::TimerOp::Armed), 1);
    const auto closed_before = client_closed_at(w);

    w.set_cursor(ack + 1);
    QVERIFY(w.apply_what_if(ack, trace::FaultAction::Drop));
    // The lost ACK: the server's FIN comes again, the client answers it and restarts 2MSL.
    QCOMPARE(count_sends(w, "server", "FIN,ACK"), 2);
    QCOMPARE(count_timer(w, "client", "time-wait", trace::TimerOp::Armed), 2);
    QVERIFY(client_closed_at(w) > closed_before);
    QCOMPARE(records_of(w).segments().dropped[static_cast<int>(trace::DropReason::FaultRule)], 1u);
    // The runs part just after that ACK's send: the new run drops it there.
    QCOMPARE(w.divergence(), std::optional<std::size_t>(ack + 1));
    QVERIFY(w.go_to_divergence());
    QCOMPARE(w.cursor(), ack + 2);
    QVERIFY(std::holds_alternative<trace::SegmentDropped>(records_of(w).records()[ack + 1].body));

    // Stepping the new run stops at the drop, and the inspector says why it was lost.
    w.set_cursor(0);
    QVERIFY(w.set_breakpoints(QStringLiteral("when a segment is dropped")));
    QVERIFY(w.run_to_breakpoint());
    QVERIFY2(w.inspector()->text().contains(QStringLiteral("DROPPED (fault rule 0)")), qPrintable(w.inspector()->text()));
    // Then the server's retransmitted FIN reaches the client in TIME-WAIT.
    QVERIFY(w.set_breakpoints(QStringLiteral("when server enters CLOSED")));
    QVERIFY(w.run_to_breakpoint());
    QVERIFY(records_of(w).records()[w.cursor() - 1].time > tcpsim::sim::Time::zero() + tcpsim::sim::Duration::ms(500));

    // The previous run ends earlier; toggling shows it.
    w.show_previous_run(true);
    QCOMPARE(client_closed_at(w), closed_before);
    w.show_previous_run(false);
    QVERIFY(client_closed_at(w) > closed_before);
  }

  // The library's lost-final-ACK card, stepped as a newcomer would: the drop and why, the FIN
  // retransmitted, the 2MSL timer armed again.
  void theLostFinalAckScenarioShowsTheDropTheRetransmissionAndTheRestartedTimer() {
    MainWindow w;
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json")));
    QVERIFY(w.set_breakpoints(QStringLiteral("when a segment is dropped")));
    QVERIFY(w.run_to_breakpoint());
    QString text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("DROPPED (fault rule 0) at A")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("flags: ACK")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("TIME-WAIT")), qPrintable(text));
    QCOMPARE(count_sends(w, "B", "FIN,ACK"), 2);
    QCOMPARE(count_timer(w, "A", "time-wait", trace::TimerOp::Armed), 2);
    QVERIFY(w.set_breakpoints(QStringLiteral("when B enters CLOSED")));
    QVERIFY(w.run_to_breakpoint());
    QCOMPARE(w.state_diagram()->highlighted_edge(), QStringLiteral("LAST_ACK>CLOSED"));
    QVERIFY(!w.why_label()->text().isEmpty());
    // A is still in TIME-WAIT, its timer armed by the retransmitted FIN's ACK.
    text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("time-wait due")), qPrintable(text));
  }

  void theDiagramsContextMenuChoiceAddsTheFaultRule() {
    MainWindow w;
    QVERIFY(w.open_file(kHandshake));
    w.set_cursor(w.size());
    const auto ack = last_client_send(w);
    const auto& arrows = w.diagram()->layout().arrows;
    const auto it = std::find_if(arrows.begin(), arrows.end(), [&](const auto& a) { return a.record == ack; });
    QVERIFY(it != arrows.end());
    const QPointF mid((it->from.x + it->to.x) / 2, (it->from.y + it->to.y) / 2);
    // The menu says which segment it acts on: its label, who sends it to whom, its record.
    const QStringList menu = w.diagram()->what_if_menu_at(mid);
    QCOMPARE(menu.size(), 3);
    const QString what = QString::fromStdString(it->label.text) + QStringLiteral(" (client → server, #%1)").arg(ack);
    QCOMPARE(menu[0], QStringLiteral("Drop ") + what);
    QCOMPARE(menu[2], QStringLiteral("Duplicate ") + what);
    QVERIFY(w.diagram()->what_if_menu_at(QPointF(-100, -100)).isEmpty());
    QVERIFY(w.diagram()->what_if_at(mid, tcpsim::gui::WhatIfAction::Duplicate));
    QCOMPARE(w.run()->scenario.faults.size(), std::size_t{1});
    QCOMPARE(w.run()->scenario.faults[0].action, trace::FaultAction::Duplicate);
    QVERIFY(w.previous_run() != nullptr);
    QCOMPARE(records_of(w).segments().duplicates, 1u);
  }
};

QTEST_MAIN(TcpWindowTest)
#include "tcp_window_test.moc"
