// The tcpsim-gui main window, driven headless: open, step the cursor, filter, inspect, what-if,
// files, bad input, the screenshot option.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QUrl>
#include <QtCharts/QLineSeries>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <variant>

#include "gui/event_model.hpp"
#include "gui/inspector.hpp"
#include "gui/library.hpp"
#include "gui/main_window.hpp"
#include "sim/scenario/writer.hpp"
#include "gui/state_timeline.hpp"
#include "gui/whatif.hpp"
#include "gui/run.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/jsonl.hpp"
#include "sim/scenario/world.hpp"

using tcpsim::gui::EventTableModel;
using tcpsim::gui::MainWindow;
using tcpsim::gui::StateTimeline;
namespace trace = tcpsim::trace;

namespace {

const QString kLossy = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/net/two-hop-lossy.json");
const QString kFaults = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/net/fault-rules.json");

QString cell(const QAbstractItemModel& m, int row, int column) { return m.index(row, column).data().toString(); }

// Rows of the (unfiltered) event table whose kind is `kind`.
QList<int> rows_of_kind(const EventTableModel& m, const QString& kind) {
  QList<int> rows;
  for (int r = 0; r < m.rowCount(); ++r)
    if (cell(m, r, EventTableModel::Kind) == kind) rows.append(r);
  return rows;
}

// The first record of the run on screen that is a SegmentSent of `flags`.
std::optional<std::size_t> first_send(const MainWindow& w, const char* flags) {
  const auto& r = w.shown_run()->trace()->records();
  for (std::size_t i = 0; i < r.size(); ++i)
    if (const auto* s = std::get_if<trace::SegmentSent>(&r[i].body); s && s->seg.flags.to_string() == flags) return i;
  return std::nullopt;
}

QString write_file(const QTemporaryDir& dir, const QString& name, const QByteArray& text) {
  const QString path = dir.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(text);
  return path;
}

// A view that records what the window tells it: what a new tab implements, and nothing else.
class RecordingView final : public QLabel, public tcpsim::gui::RunView {
 public:
  QWidget* widget() override { return this; }
  QString title() const override { return QStringLiteral("Recording"); }
  void show_run(const tcpsim::gui::ShownRuns& runs) override {
    run = runs.run;
    other = runs.other;
    ++runs_shown;
  }
  void set_cursor(std::size_t c) override { cursor = c; }
  using RunView::host;

  const tcpsim::gui::Run* run = nullptr;
  const tcpsim::gui::Run* other = nullptr;
  int runs_shown = 0;
  std::size_t cursor = 0;
};

}  // namespace

class GuiTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void openingRunsTheWorldOnceAndRevealsNothingYet() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    QVERIFY(w.run() != nullptr && w.run()->world != nullptr);
    QVERIFY(w.run()->world->finished());
    QVERIFY(w.size() > 20);
    QCOMPARE(w.cursor(), std::size_t{0});
    QCOMPARE(w.events()->rowCount(), 0);
    QVERIFY(w.step_action()->isEnabled());
    QVERIFY(!w.back_action()->isEnabled());
    QVERIFY(w.messages()->isHidden());
    QVERIFY(w.header()->text().contains(QStringLiteral("two-hop-lossy")));

    // The trace is the one a plain World run gives.
    auto loaded = tcpsim::scenario::load_file(kLossy.toStdString());
    QVERIFY(loaded.ok());
    tcpsim::scenario::World reference(*loaded.scenario);
    reference.run();
    QCOMPARE(w.size(), reference.trace().records().size());
  }

  void aRunThatWouldNotEndIsStoppedAndSaysSo() {
    auto loaded = tcpsim::scenario::load_file(kLossy.toStdString());
    QVERIFY(loaded.ok());
    const auto whole = tcpsim::gui::run_scenario(*loaded.scenario);
    QVERIFY(whole->error.empty());
    QVERIFY(!whole->bound);
    const auto cut = tcpsim::gui::run_scenario(*loaded.scenario, 10);
    QVERIFY(cut->error.empty());
    QVERIFY(cut->bound);
    QVERIFY(cut->bound->bound == tcpsim::scenario::Bound::Records);
    const std::string text = tcpsim::gui::bound_text(*cut->bound);
    QVERIFY2(text.find("stopped at the record bound") != std::string::npos, text.c_str());
    QVERIFY2(text.find("\"limits\": {\"records\": N} in the scenario") != std::string::npos, text.c_str());
    QVERIFY(cut->size() >= 10 && cut->size() < whole->size());
    // Stepping the world gives the same records as running it.
    for (std::size_t i = 0; i < cut->size(); ++i)
      QCOMPARE(trace::to_json(cut->trace()->records()[i], *cut->trace()), trace::to_json(whole->trace()->records()[i], *whole->trace()));
  }

  void steppingRevealsAndHidesOneRowPerEvent() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    for (std::size_t i = 1; i <= 10; ++i) {
      w.step_action()->trigger();
      QCOMPARE(w.cursor(), i);
      QCOMPARE(static_cast<std::size_t>(w.events()->rowCount()), i);
      QCOMPARE(w.selected(), std::optional<std::size_t>(i - 1));
      QCOMPARE(w.table()->currentIndex().row(), static_cast<int>(i - 1));
      QVERIFY(w.status_text().contains(QStringLiteral("event #%1 ").arg(i - 1)));
    }
    w.back_action()->trigger();
    w.back_action()->trigger();
    QCOMPARE(w.cursor(), std::size_t{8});
    QCOMPARE(w.events()->rowCount(), 8);
    w.set_cursor(w.size() + 100);  // clamped
    QCOMPARE(w.cursor(), w.size());
    QVERIFY(!w.step_action()->isEnabled());
    w.step_forward();  // at the end: nothing happens
    QCOMPARE(w.cursor(), w.size());
    QCOMPARE(static_cast<std::size_t>(w.events()->rowCount()), w.size());
    w.set_cursor(0);
    QCOMPARE(w.events()->rowCount(), 0);
    QVERIFY(w.inspector()->text().contains(QStringLiteral("before the first event")));
  }

  void keyboardShortcutsMoveTheCursor() {
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    w.table()->setFocus();
    QTest::keyClick(w.table(), Qt::Key_Right);
    QCOMPARE(w.cursor(), std::size_t{1});
    QTest::keyClick(w.table(), Qt::Key_F10);
    QCOMPARE(w.cursor(), std::size_t{2});
    QTest::keyClick(w.table(), Qt::Key_Left);
    QCOMPARE(w.cursor(), std::size_t{1});
    QTest::keyClick(w.table(), Qt::Key_End);
    QCOMPARE(w.cursor(), w.size());
    QTest::keyClick(w.table(), Qt::Key_Home);
    QCOMPARE(w.cursor(), std::size_t{0});
    QTest::keyClick(w.table(), Qt::Key_Space);
    QVERIFY(w.playing());
    QTest::keyClick(w.table(), Qt::Key_Space);
    QVERIFY(!w.playing());
    // F5 with a breakpoint: the first drop (the 2nd SYN, dropped by fault rule 0).
    QVERIFY(w.set_breakpoints(QStringLiteral("when a segment is dropped")));
    QTest::keyClick(w.table(), Qt::Key_F5);
    const auto& r = w.run()->trace()->records();
    QVERIFY(w.cursor() > 0);
    QVERIFY(std::holds_alternative<trace::SegmentDropped>(r[w.cursor() - 1].body));
    for (std::size_t i = 0; i + 1 < w.cursor(); ++i) QVERIFY(!std::holds_alternative<trace::SegmentDropped>(r[i].body));
  }

  void playStepsOnTickAndStopsAtABreakpointOrTheEnd() {
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    w.play();
    QVERIFY(w.playing());
    w.play_tick();
    w.play_tick();
    QCOMPARE(w.cursor(), std::size_t{2});
    QVERIFY(w.set_breakpoints(QStringLiteral("when a segment is dropped")));
    while (w.playing()) w.play_tick();
    QVERIFY(std::holds_alternative<trace::SegmentDropped>(w.run()->trace()->records()[w.cursor() - 1].body));
    QVERIFY(w.set_breakpoints(QString()));
    w.play();
    while (w.playing()) w.play_tick();
    QCOMPARE(w.cursor(), w.size());
  }

  void jumpTakesAnEventNumberOrATime() {
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    QVERIFY(w.jump_to(QStringLiteral("12")));
    QCOMPARE(w.cursor(), std::size_t{13});
    QVERIFY(w.jump_to(QStringLiteral("1.5s")));
    const auto& r = w.run()->trace()->records();
    QVERIFY(r[w.cursor() - 1].time <= tcpsim::sim::Time::zero() + tcpsim::sim::Duration::ms(1500));
    QVERIFY(w.cursor() == r.size() || r[w.cursor()].time > tcpsim::sim::Time::zero() + tcpsim::sim::Duration::ms(1500));
    const auto before = w.cursor();
    QVERIFY(!w.jump_to(QStringLiteral("tomorrow")));
    QCOMPARE(w.cursor(), before);
  }

  void inspectorShowsTheSelectedSegmentAndItsFateAsFarAsRevealed() {
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    // The delayed SYN,ACK: select its send with the cursor just past it.
    const auto sa = first_send(w, "SYN,ACK");
    QVERIFY(sa.has_value());
    w.set_cursor(*sa + 1);
    QString text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("flags: SYN,ACK")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("seq: 300  (injected")), qPrintable(text));  // crafted: absolute
    QVERIFY2(text.contains(QStringLiteral("ack: 101  (injected: no connection incarnation)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("window: 65535")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("from: server:80")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("fate: in flight at the cursor")), qPrintable(text));
    // Later, the same selection tells its fate: delayed by the rule, then delivered.
    w.set_cursor(w.size());
    w.select_record(*sa);
    text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("delayed +300ms by fault rule 1")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("delivered to client after 310ms")), qPrintable(text));
    QCOMPARE(w.table()->currentIndex().row(), static_cast<int>(*sa));
    // The dropped SYN says why.
    const auto& r = w.run()->trace()->records();
    for (std::size_t i = 0; i < r.size(); ++i)
      if (std::holds_alternative<trace::SegmentDropped>(r[i].body)) {
        w.select_record(i);
        break;
      }
    text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("DROPPED (fault rule 0) at client")), qPrintable(text));
  }

  // RFC Figure 8: the inspector numbers each segment within its connection incarnation, says
  // which numbers lie outside it, and whether the sender says it sends the segment again.
  void inspectorNumbersSegmentsByIncarnation() {
    MainWindow w;
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/old-duplicate-syn.json")));
    w.set_cursor(w.size());
    std::vector<std::size_t> synacks;
    const auto& r = w.shown_run()->trace()->records();
    for (std::size_t i = 0; i < r.size(); ++i)
      if (const auto* s = std::get_if<trace::SegmentSent>(&r[i].body); s && s->seg.flags.to_string() == "SYN,ACK") synacks.push_back(i);
    QCOMPARE(synacks.size(), std::size_t{2});
    w.select_record(synacks[0]);
    QString text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("(relative 0, incarnation 1)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("ack: 91  (before its incarnation's ISN: absolute)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("retransmission: no")), qPrintable(text));
    w.select_record(synacks[1]);
    text = w.inspector()->text();
    QVERIFY2(text.contains(QStringLiteral("(relative 0, incarnation 2)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("ack: 101  (relative 1)")), qPrintable(text));
  }

  // A new view is one class: added once, it is a tab, gets each run (and the run before a
  // what-if edit) and each cursor move, and can move the window's cursor itself.
  void aViewAddedOnceFollowsRunsAndTheCursor() {
    MainWindow w;
    auto* v = w.add_view(new RecordingView);
    QCOMPARE(w.tabs()->tabText(w.tabs()->indexOf(v)), QStringLiteral("Recording"));
    QVERIFY(w.tabs()->indexOf(v) < w.tabs()->indexOf(w.whatif()));
    QVERIFY(w.open_file(kFaults));
    QCOMPARE(v->run, w.run());
    QVERIFY(v->other == nullptr);
    w.set_cursor(5);
    QCOMPARE(v->cursor, std::size_t{5});
    v->host().set_cursor(7);
    QCOMPARE(w.cursor(), std::size_t{7});
    const auto syn = first_send(w, "SYN");
    QVERIFY(syn);
    QVERIFY(w.apply_what_if(*syn, trace::FaultAction::Drop));
    QCOMPARE(v->run, w.run());
    QCOMPARE(v->other, w.previous_run());
    w.show_previous_run(true);
    QCOMPARE(v->run, w.previous_run());
    QCOMPARE(v->other, w.run());
  }

  // The status bar names the rule that dropped a segment by its own index ("fault rule 0"), as
  // the CLI does; "fault 1" read as rule 1.
  void statusBarNamesTheFaultRuleByItsIndex() {
    MainWindow w;
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json")));
    w.set_cursor(w.size());
    QVERIFY2(w.status_text().contains(QStringLiteral("dropped 1 (1 by fault rule 0)")), qPrintable(w.status_text()));
  }

  // The event list labels segments as the diagram does: numbers per incarnation (the old SYN
  // and the ACK of it in absolute numbers), and a delivery names the record that sent it.
  void eventListLabelsSegmentsAsTheDiagramDoes() {
    MainWindow w;
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/old-duplicate-syn.json")));
    w.set_cursor(w.size());
    const auto& r = w.shown_run()->trace()->records();
    std::vector<std::size_t> synacks;
    std::size_t delivered = r.size();
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (const auto* s = std::get_if<trace::SegmentSent>(&r[i].body); s && s->seg.flags.to_string() == "SYN,ACK") synacks.push_back(i);
      if (const auto* d = std::get_if<trace::SegmentDelivered>(&r[i].body);
          d && !synacks.empty() && delivered == r.size() && d->id == std::get<trace::SegmentSent>(r[synacks[0]].body).id)
        delivered = i;
    }
    QCOMPARE(synacks.size(), std::size_t{2});
    QVERIFY(delivered < r.size());
    QString first = w.events()->summary(synacks[0]);
    QVERIFY2(first.startsWith(QStringLiteral("SYN,ACK seq=0 ack=91(abs)")), qPrintable(first));
    const QString second = w.events()->summary(synacks[1]);
    QVERIFY2(second.startsWith(QStringLiteral("SYN,ACK seq=0 ack=1")), qPrintable(second));
    const QString arrival = w.events()->summary(delivered);
    QVERIFY2(arrival.contains(QStringLiteral("(#%1) delivered").arg(synacks[0])), qPrintable(arrival));
    // The diagram's "absolute seq/ack" switches the list too.
    w.absolute_action()->setChecked(true);
    first = w.events()->summary(synacks[0]);
    const auto iss = std::get<trace::SegmentSent>(r[synacks[0]].body).seg.seq.raw();
    QVERIFY2(first.startsWith(QStringLiteral("SYN,ACK seq=%1 ack=91").arg(iss)), qPrintable(first));
    QVERIFY2(!first.contains(QStringLiteral("(abs)")), qPrintable(first));
  }

  // After a what-if re-run, the state timeline shows the new run at once (not the old one
  // until the cursor moves): its tracks equal those of a timeline given the new run afresh.
  void whatIfRedrawsTheStateTimelineAtOnce() {
    MainWindow w;
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json")));
    w.set_cursor(w.size());
    const auto syn = first_send(w, "SYN");
    QVERIFY(syn.has_value());
    QVERIFY(w.apply_what_if(*syn, trace::FaultAction::Drop));
    StateTimeline fresh;
    fresh.set_run(w.run()->trace(), &w.run()->connections);
    fresh.set_cursor(w.cursor());
    StateTimeline& shown = *w.timeline();
    QCOMPARE(shown.track_count(), fresh.track_count());
    for (int i = 0; i < fresh.track_count(); ++i) QCOMPARE(shown.track(i)->points(), fresh.track(i)->points());
    QCOMPARE(shown.cursor_line()->points(), fresh.cursor_line()->points());
  }

  void eventFiltersKeepOneKindOneEndpointOrSomeWords() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    w.set_cursor(w.size());
    const EventTableModel& m = *w.events();
    const QAbstractItemModel& shown = *w.table()->model();
    const int all = m.rowCount();
    const int drops = static_cast<int>(rows_of_kind(m, QStringLiteral("drop")).size());
    QVERIFY(drops > 0 && drops < all);

    w.kind_filter()->setCurrentIndex(w.kind_filter()->findData(QStringLiteral("drop")));
    QCOMPARE(shown.rowCount(), drops);
    w.kind_filter()->setCurrentIndex(0);
    QCOMPARE(shown.rowCount(), all);

    const int server = w.endpoint_filter()->findData(QStringLiteral("server:80"));
    QVERIFY2(server > 0, qPrintable(QStringList(m.endpoints()).join(QLatin1Char(' '))));
    w.endpoint_filter()->setCurrentIndex(server);
    QVERIFY(shown.rowCount() > 0 && shown.rowCount() < all);
    for (int r = 0; r < shown.rowCount(); ++r)
      QVERIFY(shown.index(r, 0).data(EventTableModel::EndpointsRole).toStringList().contains(QStringLiteral("server:80")));
    w.endpoint_filter()->setCurrentIndex(0);

    w.filter_edit()->setText(QStringLiteral("deliver server"));  // every word must match
    QVERIFY(shown.rowCount() > 0);
    for (int r = 0; r < shown.rowCount(); ++r) {
      QCOMPARE(cell(shown, r, EventTableModel::Kind), QStringLiteral("deliver"));
      QCOMPARE(cell(shown, r, EventTableModel::Node), QStringLiteral("server"));
    }
    // Stepping back hides rows under the filter too.
    w.filter_edit()->setText(QStringLiteral("send"));
    w.set_cursor(0);
    QCOMPARE(shown.rowCount(), 0);
    w.set_cursor(w.size());
    QCOMPARE(shown.rowCount(), static_cast<int>(rows_of_kind(m, QStringLiteral("send")).size()));
  }

  void whatIfDropAddsAFaultRuleAndReRunsKeepingThePreviousRun() {
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    const auto rules = w.run()->scenario.faults.size();
    const auto sa = first_send(w, "SYN,ACK");
    QVERIFY(sa.has_value());
    const auto old_size = w.size();
    const auto old_counts = w.run()->trace()->segments();
    w.set_cursor(*sa + 1);

    QVERIFY(w.apply_what_if(*sa, trace::FaultAction::Drop));
    QVERIFY(w.scenario_modified());
    QCOMPARE(w.run()->scenario.faults.size(), rules + 1);
    const auto& rule = w.run()->scenario.faults.back();
    QCOMPARE(rule.action, trace::FaultAction::Drop);
    QCOMPARE(rule.first, std::uint64_t{1});
    QCOMPARE(rule.last, std::uint64_t{1});
    QCOMPARE(*rule.match.sport, std::uint16_t{80});
    // The new run differs: that SYN,ACK is dropped by the new rule, where it was delayed.
    const auto& r = w.run()->trace()->records();
    bool dropped_by_new_rule = false;
    for (const auto& rec : r)
      if (const auto* d = std::get_if<trace::SegmentDropped>(&rec.body))
        dropped_by_new_rule |= d->reason == trace::DropReason::FaultRule && d->rule == static_cast<int>(rules);
    QVERIFY(dropped_by_new_rule);
    QCOMPARE(w.run()->trace()->segments().dropped_total(), old_counts.dropped_total() + 1);
    QCOMPARE(w.cursor(), *sa + 1);  // the cursor stays where the edit was made
    QCOMPARE(w.whatif()->faults()->rowCount(), static_cast<int>(rules + 1));

    // The run before stays available.
    QVERIFY(w.previous_run() != nullptr);
    QVERIFY(w.previous_run_action()->isEnabled());
    w.previous_run_action()->trigger();
    QVERIFY(w.showing_previous_run());
    QCOMPARE(w.size(), old_size);
    QVERIFY(w.header()->text().contains(QStringLiteral("previous run")));
    w.previous_run_action()->trigger();
    QVERIFY(!w.showing_previous_run());

    // A record that is not about a segment cannot be dropped.
    QVERIFY(!w.apply_what_if(w.size() + 5, trace::FaultAction::Drop));
  }

  void whatIfPanelEditsLinksAndRulesThenReRuns() {
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    auto* links = w.whatif()->links();
    QCOMPARE(links->rowCount(), 1);
    QCOMPARE(links->item(0, tcpsim::gui::WhatIfPanel::DelayAB)->text(), QStringLiteral("10ms"));
    links->item(0, tcpsim::gui::WhatIfPanel::DelayAB)->setText(QStringLiteral("40ms"));
    auto* faults = w.whatif()->faults();
    QCOMPARE(faults->rowCount(), 4);
    faults->removeRow(0);  // no more dropped SYN
    QVERIFY(w.rerun_from_panel());
    QCOMPARE(w.run()->scenario.links[0].a_to_b.delay, tcpsim::sim::Duration::ms(40));
    QCOMPARE(w.run()->scenario.links[0].b_to_a.delay, tcpsim::sim::Duration::ms(10));
    QCOMPARE(w.run()->scenario.faults.size(), std::size_t{3});
    QCOMPARE(w.run()->trace()->segments().dropped[static_cast<int>(trace::DropReason::FaultRule)], 0u);

    // A cell that does not read is an error, and nothing re-runs.
    w.whatif()->links()->item(0, tcpsim::gui::WhatIfPanel::LossBA)->setText(QStringLiteral("lots"));
    const auto* before = w.run();
    QVERIFY(!w.rerun_from_panel());
    QCOMPARE(w.run(), before);
  }

  // The What-if tab changes the profile and TCP parameters through the loader's own field list:
  // a shorter MSL shortens TIME-WAIT in the re-run; a bad value names its field and runs nothing.
  void whatIfPanelChangesProfileAndTcpParameters() {
    MainWindow w;
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json")));
    auto* tcp = w.whatif()->tcp();
    int msl = -1;
    for (int i = 0; i < tcp->rowCount(); ++i)
      if (tcp->item(i, tcpsim::gui::WhatIfPanel::Param)->text() == QStringLiteral("msl")) msl = i;
    QVERIFY(msl >= 0);
    QVERIFY(!tcp->item(msl, tcpsim::gui::WhatIfPanel::Param)->toolTip().isEmpty());  // the parameter's help
    tcp->item(msl, tcpsim::gui::WhatIfPanel::Value)->setText(QStringLiteral("1s"));
    QVERIFY(w.rerun_from_panel());
    for (const auto& t : w.run()->scenario.tcp)
      if (t.enabled) QCOMPARE(t.params.msl, tcpsim::sim::Duration::s(1));
    bool two_seconds = false;  // TIME-WAIT now lasts 2 MSL = 2 s
    for (const auto& r : w.run()->trace()->records())
      if (const auto* t = std::get_if<trace::TimerEvent>(&r.body); t && t->timer == "time-wait" && t->op == trace::TimerOp::Armed)
        two_seconds |= t->deadline - r.time == tcpsim::sim::Duration::s(2);
    QVERIFY(two_seconds);
    QCOMPARE(w.whatif()->tcp()->item(msl, tcpsim::gui::WhatIfPanel::Value)->text(), QStringLiteral("\"1s\""));

    w.whatif()->profile()->setCurrentIndex(1);
    QVERIFY(w.rerun_from_panel());
    QCOMPARE(w.run()->scenario.profile, tcpsim::scenario::Profile::Linux);

    w.whatif()->tcp()->item(msl, tcpsim::gui::WhatIfPanel::Value)->setText(QStringLiteral("soon"));
    const auto* before = w.run();
    QVERIFY(!w.rerun_from_panel());
    QCOMPARE(w.run(), before);
  }

  void savedScenarioLoadsBackAndRunsTheSame() {
    QTemporaryDir dir;
    MainWindow w;
    QVERIFY(w.open_file(kFaults));
    const auto sa = first_send(w, "SYN,ACK");
    QVERIFY(w.apply_what_if(*sa, trace::FaultAction::Delay, tcpsim::sim::Duration::ms(50)));
    const QString out = dir.filePath(QStringLiteral("saved.json"));
    QVERIFY(w.save_scenario_as(out));
    const auto expected_size = w.size();
    const auto expected_counts = tcpsim::gui::segment_counts_text(*w.run()->trace());

    MainWindow again;
    QVERIFY2(again.open_file(out), qPrintable(again.messages()->toPlainText()));
    QCOMPARE(again.size(), expected_size);
    QCOMPARE(tcpsim::gui::segment_counts_text(*again.run()->trace()), expected_counts);
    QCOMPARE(tcpsim::scenario::write_scenario(again.run()->scenario), tcpsim::scenario::write_scenario(w.run()->scenario));
  }

  void savingKeepsTheFilesExpectBlock() {
    QTemporaryDir dir;
    const QString handshake = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/basic-three-way-handshake.json");
    QFile in(handshake);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const std::string expect = tcpsim::scenario::expect_block(in.readAll().toStdString());
    QVERIFY(!expect.empty());
    MainWindow w;
    QVERIFY(w.open_file(handshake));
    const QString out = dir.filePath(QStringLiteral("handshake-copy.json"));
    QVERIFY(w.save_scenario_as(out));
    QFile saved(out);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(tcpsim::scenario::expect_block(saved.readAll().toStdString()), expect);
    const auto again = tcpsim::scenario::load_file(out.toStdString());
    QVERIFY2(again.ok(), again.errors.empty() ? "" : again.errors.front().to_string().c_str());
    QCOMPARE(tcpsim::scenario::expect_block("{\"name\": \"x\"}"), std::string());
    QCOMPARE(tcpsim::scenario::expect_block("not json"), std::string());
  }

  void invalidScenarioShowsEveryDiagnosticAndNeverCrashes() {
    QTemporaryDir dir;
    const QString path = write_file(dir, QStringLiteral("bad.json"),
                                    "{\n"
                                    "  \"name\": \"bad\",\n"
                                    "  \"hosts\": [ { \"name\": \"a\", \"ip\": \"10.0.0.300\" } ],\n"
                                    "  \"links\": [ { \"between\": [\"a\", \"nowhere\"], \"delay\": \"5 parsecs\" } ]\n"
                                    "}\n");
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    w.set_cursor(w.size());
    QVERIFY(!w.open_file(path));  // replaces the run that was there

    QVERIFY(w.run() == nullptr);
    QCOMPARE(w.events()->rowCount(), 0);
    QVERIFY(!w.messages()->isHidden());
    QVERIFY(!w.step_action()->isEnabled());
    const QString text = w.messages()->toPlainText();
    const auto expected = tcpsim::scenario::load_file(path.toStdString());
    QVERIFY(expected.errors.size() >= 2);
    for (const auto& d : expected.errors) {
      QVERIFY(d.line > 0 && d.column > 0);
      const QString line = QString::fromStdString(d.to_string());
      QVERIFY2(line.contains(QStringLiteral("bad.json:%1:%2: ").arg(d.line).arg(d.column)), qPrintable(line));
      QVERIFY2(text.contains(line), qPrintable(line));
    }
    QVERIFY(w.header()->text().contains(QStringLiteral("Could not load")));

    // Nothing to step; none of it crashes.
    w.step_forward();
    w.step_back();
    w.next_state_change();
    QVERIFY(!w.jump_to(QStringLiteral("3")));
    QVERIFY(!w.run_to_breakpoint());
    QVERIFY(!w.apply_what_if(0, trace::FaultAction::Drop));
    QTest::keyClick(&w, Qt::Key_Right);

    // Not JSON at all, and a missing file: diagnostics too. A good file clears the message.
    QVERIFY(!w.open_file(write_file(dir, QStringLiteral("junk.json"), "{ \"name\": ")));
    QVERIFY(w.messages()->toPlainText().contains(QStringLiteral("junk.json:1:")));
    QVERIFY(!w.open_file(dir.filePath(QStringLiteral("missing.json"))));
    QVERIFY(w.messages()->toPlainText().contains(QStringLiteral("missing.json")));
    QVERIFY(w.open_file(kLossy));
    QVERIFY(w.messages()->isHidden());
    QVERIFY(w.step_action()->isEnabled());
  }

  void aRunStoppedAtABoundSaysSoInTheStatusBar() {
    // Keep-alive every 720 h, answered: only the virtual-time bound ends it.
    QTemporaryDir dir;
    const QString file = write_file(dir, QStringLiteral("keepalive.json"), R"({
      "name": "keepalive-720h",
      "tcp": {"keepalive": true, "keepalive_idle": "720h", "keepalive_interval": "720h"},
      "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2"}],
      "links": [{"between": ["A", "B"], "delay": "10ms"}],
      "apps": [{"host": "B", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
               {"host": "A", "steps": [{"at": "1ms", "do": "connect", "to": "B:80"}]}],
      "limits": {"time": "8760h"}
    })");
    MainWindow w;
    QVERIFY(w.open_file(file));
    QVERIFY(w.run()->bound);
    QVERIFY2(w.status_text().contains(QStringLiteral("stopped at the virtual-time bound")), qPrintable(w.status_text()));
    QVERIFY(w.messages()->toPlainText().contains(QStringLiteral("stopped at the virtual-time bound of 8760h")));
    // The writer keeps the limits.
    const std::string written = tcpsim::scenario::write_scenario(w.run()->scenario);
    QVERIFY2(written.find("\"limits\": {\n    \"time\": \"8760h\"\n  }") != std::string::npos, written.c_str());
    tcpsim::scenario::Scenario s = w.run()->scenario;
    s.limits.events = 123;
    s.limits.records = 456;
    const auto again = tcpsim::scenario::load_string(tcpsim::scenario::write_scenario(s), "written.json");
    QVERIFY(again.ok());
    QVERIFY(again.scenario->limits.time == s.limits.time);
    QCOMPARE(again.scenario->limits.events, std::optional<std::uint64_t>(123));
    QCOMPARE(again.scenario->limits.records, std::optional<std::uint64_t>(456));
  }

  void recentFilesWatchingAndReload() {
    QTemporaryDir dir;
    QFile::copy(kFaults, dir.filePath(QStringLiteral("copy.json")));
    const QString copy = dir.filePath(QStringLiteral("copy.json"));
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    QVERIFY(w.open_file(copy));
    QCOMPARE(w.recent_files().front(), QFileInfo(copy).absoluteFilePath());
    QVERIFY(w.recent_files().contains(QFileInfo(kLossy).absoluteFilePath()));
    QCOMPARE(w.watched_files(), QStringList{copy});
    // Edit the file on disk (drop every fault rule), then reload: the cursor is kept.
    auto s = tcpsim::scenario::load_file(copy.toStdString());
    s.scenario->faults.clear();
    w.set_cursor(5);
    QFile f(copy);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QByteArray::fromStdString(tcpsim::scenario::write_scenario(*s.scenario)));
    f.close();
    QVERIFY(w.reload());
    QCOMPARE(w.cursor(), std::size_t{5});
    QVERIFY(w.run()->scenario.faults.empty());
  }

  void droppingAFileOnTheWindowOpensIt() {
    MainWindow w;
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(kFaults)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY(w.run() != nullptr);
    QCOMPARE(w.run()->scenario.name, std::string("fault-rules"));
  }

  void libraryListsTheBundledScenariosWithDescriptions() {
    MainWindow w;
    auto* lib = w.library();
    QVERIFY(lib->files().contains(QFileInfo(kFaults).absoluteFilePath()) || lib->files().contains(kFaults));
    bool described = false;
    for (int i = 0; i < lib->topLevelItemCount(); ++i)
      for (int j = 0; j < lib->topLevelItem(i)->childCount(); ++j)
        described |= lib->topLevelItem(i)->child(j)->text(1).contains(QStringLiteral("clean 10 ms link"));
    QVERIFY(described);
  }

  void screenshotOptionWritesAnImage() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath(QStringLiteral("shot.png"));
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TCPSIM_GUI_EXE), {QStringLiteral("--screenshot"), out, kLossy});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QImage image(out);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 600 && image.height() > 400);
  }
};

QTEST_MAIN(GuiTest)
#include "gui_test.moc"
