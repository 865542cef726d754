// Runs with many connections: the Load tab (connections per state, listen queues, segments by
// fate), the state timeline that stops drawing a line per endpoint, and the diagram's group lanes.
#include <QAbstractSeries>
#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QStandardPaths>
#include <QTabWidget>
#include <QValueAxis>
#include <QtTest>

#include "gui/load_view.hpp"
#include "gui/main_window.hpp"
#include "gui/sequence_view.hpp"
#include "gui/state_timeline.hpp"

using tcpsim::gui::MainWindow;

namespace {

const QString kFlood = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/attacks/syn-flood-backlog-overflow.json");
const QString kChurn = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/performance/churn-1000.json");

int visible_series(QChart* chart) {
  int n = 0;
  for (QAbstractSeries* s : chart->series())
    if (s->isVisible() && !s->name().isEmpty()) ++n;
  return n;
}

double max_x(QChart* chart) {
  double m = 0;
  for (QAbstractSeries* s : chart->series()) {
    if (auto* line = qobject_cast<QLineSeries*>(s); line && !line->name().isEmpty())
      for (const QPointF& p : line->points()) m = std::max(m, p.x());
  }
  return m;
}

}  // namespace

class LoadViewTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  // The queue chart's y-axis fits the queues: a flood's queue at its backlog of 16 shows the
  // backlog line, a churn's few dozen queued connections are not flattened by a 4096 backlog.
  void queueAxisFitsTheQueuesNotAFarBacklog() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
    auto y_max = [&w] {
      const auto axes = w.load_view()->queues_chart()->axes(Qt::Vertical);
      return axes.isEmpty() ? -1.0 : static_cast<QValueAxis*>(axes.front())->max();
    };
    QVERIFY(w.open_file(kFlood));
    w.set_cursor(w.size());
    QVERIFY2(y_max() >= 16.0 && y_max() < 64.0, qPrintable(QString::number(y_max())));
    QVERIFY(w.open_file(kChurn));
    w.set_cursor(w.size());
    const auto& l = w.load_view()->load().listeners;
    QVERIFY(!l.empty());
    QCOMPARE(l[0].backlog, 4096u);
    const double peak = std::max<double>(l[0].syn_peak, l[0].accept_peak);
    QVERIFY(peak > 0);
    QVERIFY2(y_max() >= peak && y_max() < 1024.0, qPrintable(QString::number(y_max())));
  }

  void synFloodQueueReachesTheBacklogInTheLoadTab() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kFlood));
    w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
    w.set_cursor(w.size());
    auto* view = w.load_view();
    QCOMPARE(view->load().listeners.size(), std::size_t{1});
    QCOMPARE(view->load().listeners[0].backlog, 16u);
    QCOMPARE(view->queue_max(QStringLiteral("10.0.0.2:80 SYN queue")), 16.0);
    QVERIFY(visible_series(view->states_chart()) >= 2);  // LISTEN, SYN_RECEIVED, ...
    // The SYNs thrown away at the full queue, and the SYN,ACKs to nobody.
    bool discarded = false, no_route = false;
    for (QAbstractSeries* s : view->segments_chart()->series()) {
      discarded = discarded || (s->name() == QStringLiteral("discarded on arrival") && s->isVisible());
      no_route = no_route || (s->name() == QStringLiteral("dropped: no route") && s->isVisible());
    }
    QVERIFY(discarded);
    QVERIFY(no_route);
  }

  void loadTabShowsNothingAfterTheCursor() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kFlood));
    w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
    QVERIFY(w.set_breakpoints(QStringLiteral("when a segment is dropped")));
    QVERIFY(w.run_to_breakpoint());
    auto* view = w.load_view();
    const double cursor_s = max_x(view->queues_chart());
    QVERIFY(cursor_s > 0);
    QVERIFY(cursor_s < 1.0);  // the first drop comes well before the 3-minute end
    QVERIFY(max_x(view->segments_chart()) <= cursor_s + 1e-9);
    QVERIFY(view->queue_max(QStringLiteral("10.0.0.2:80 SYN queue")) <= 16.0);
  }

  void loadTabTimeAxisFollowsTheCursorNotTheWholeRun() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kFlood));
    w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
    auto* view = w.load_view();
    const double whole = w.run()->trace()->records().back().time.seconds();
    QVERIFY(whole > 100);  // the flood's run lasts minutes
    auto x_range = [](QChart* c) {
      const auto axes = c->axes(Qt::Horizontal);
      auto* x = axes.isEmpty() ? nullptr : qobject_cast<QValueAxis*>(axes.front());
      return x == nullptr ? std::pair{-1.0, -1.0} : std::pair{x->min(), x->max()};
    };
    for (const char* at : {"0.3s", "0.6s", "2s", "30s"}) {
      QVERIFY2(w.jump_to(QString::fromLatin1(at)), at);
      const double now = max_x(view->queues_chart());  // the series end at the cursor
      QVERIFY2(now > 0, at);
      const double until = view->shown_until();
      // The cursor in the right part of the chart, a little room after it, the run's end not shown.
      QVERIFY2(until > now * 1.05, at);
      QVERIFY2(now > 0.6 * until, qPrintable(QStringLiteral("%1: cursor %2 s of %3 s shown").arg(QLatin1String(at)).arg(now).arg(until)));
      QVERIFY2(until < whole, at);
      for (QChart* c : {view->states_chart(), view->queues_chart(), view->segments_chart()}) {
        QCOMPARE(x_range(c).first, 0.0);
        QCOMPARE(x_range(c).second, until);
      }
      // The buckets follow the span: the revealed part is drawn in many steps, not one or two.
      QVERIFY2(view->load().bucket.seconds() * 50 < now, at);
    }
    // At the end, the whole run.
    w.set_cursor(w.size());
    QCOMPARE(view->shown_until(), whole);
    QVERIFY(max_x(view->queues_chart()) > 0.9 * whole);
  }

  void loadTabLegendsNameEverySeriesInFull() {
    for (const QString& file : {kFlood, kChurn}) {
      MainWindow w;
      w.resize(1280, 800);
      w.show();
      QVERIFY(w.open_file(file));
      w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
      w.set_cursor(w.size());
      QCoreApplication::processEvents();
      auto* view = w.load_view();
      for (QChart* c : {view->states_chart(), view->queues_chart(), view->segments_chart()}) {
        const QString legend = view->legend_text(c);
        int shown = 0;
        for (QAbstractSeries* s : c->series()) {
          if (s->name().isEmpty()) continue;
          QCOMPARE(legend.contains(s->name()), s->isVisible());
          shown += s->isVisible() ? 1 : 0;
        }
        QVERIFY2(shown >= 2, qPrintable(c->title()));
      }
      QVERIFY(view->legend_text(view->queues_chart()).contains(file == kFlood ? QStringLiteral("10.0.0.2:80 SYN queue")
                                                                              : QStringLiteral("10.0.0.1:80 SYN queue")));
      QVERIFY(view->legend_text(view->states_chart()).contains(QStringLiteral("TIME_WAIT")) == (file == kChurn));
    }
  }

  void churnTimelineDrawsAtMostTheThresholdAndPointsToTheLoadTab() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kChurn));
    w.set_cursor(w.size() / 2);
    QVERIFY(w.timeline()->crowded());
    QVERIFY(w.timeline()->track_count() <= static_cast<int>(tcpsim::gui::kMaxTracks));
    QVERIFY(w.timeline()->crowd_note().contains(QStringLiteral("Load")));
    w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
    QVERIFY(w.load_view()->load().endpoints > 1000);
    QVERIFY(visible_series(w.load_view()->states_chart()) >= 2);
    QVERIFY(visible_series(w.load_view()->segments_chart()) >= 2);
  }

  void crowdedTimelineDrawsTheEndpointFollowed() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kChurn));
    w.set_cursor(w.size());
    QCOMPARE(w.timeline()->track_count(), 0);
    w.timeline()->set_selected({3});
    QCOMPARE(w.timeline()->track_count(), 1);
  }

  void clickingAGroupLaneExpandsIt() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kFlood));
    w.set_cursor(w.size());
    const auto& before = w.diagram()->layout();
    const std::size_t lanes = before.lanes.size();
    std::string key;
    for (const auto& l : before.lanes)
      if (l.label.text.rfind("198.51.100.x", 0) == 0) key = l.group;
    QVERIFY(!key.empty());
    w.diagram()->toggle_group(key);
    QCOMPARE(w.diagram()->layout().lanes.size(), lanes + 39);
    w.diagram()->toggle_group(key);
    QCOMPARE(w.diagram()->layout().lanes.size(), lanes);
  }
};

QTEST_MAIN(LoadViewTest)
#include "load_view_test.moc"
