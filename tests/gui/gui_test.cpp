// The tcpsim-gui main window, driven headless: load, step, run, filter, chart, bad input.
#include <QAction>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <variant>

#include "gui/event_model.hpp"
#include "gui/main_window.hpp"
#include "gui/segment_chart.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

using tcpsim::gui::EventTableModel;
using tcpsim::gui::MainWindow;

namespace {

const QString kLossy = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/net/two-hop-lossy.json");

QString cell(const QAbstractItemModel& m, int row, int column) { return m.index(row, column).data().toString(); }

// Rows of the (unfiltered) event table whose kind is `kind`.
QList<int> rows_of_kind(const EventTableModel& m, const QString& kind) {
  QList<int> rows;
  for (int r = 0; r < m.rowCount(); ++r)
    if (cell(m, r, EventTableModel::Kind) == kind) rows.append(r);
  return rows;
}

}  // namespace

class GuiTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void runToEndShowsOneRowPerTraceRecord() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    QVERIFY(w.world() != nullptr);
    QCOMPARE(w.events()->rowCount(), 0);
    QVERIFY(w.run_action()->isEnabled());

    w.run_action()->trigger();
    const auto& trace = w.world()->trace();
    QVERIFY(w.world()->finished());
    QVERIFY(trace.records().size() > 20);
    QCOMPARE(static_cast<std::size_t>(w.events()->rowCount()), trace.records().size());
    QCOMPARE(w.table()->model()->rowCount(), w.events()->rowCount());
    QVERIFY(!w.step_action()->isEnabled());
    QVERIFY(!w.run_action()->isEnabled());
    QVERIFY(w.restart_action()->isEnabled());
    QVERIFY(w.messages()->isHidden());
    QVERIFY(w.header()->text().contains(QStringLiteral("two-hop-lossy")));

    // Columns: index, time with 6 decimals, kind, node.
    const int last = w.events()->rowCount() - 1;
    QCOMPARE(cell(*w.events(), last, EventTableModel::Index), QString::number(trace.records().back().index));
    QCOMPARE(cell(*w.events(), 0, EventTableModel::Time), QStringLiteral("0.000000"));
    QCOMPARE(cell(*w.events(), 0, EventTableModel::Kind), QString::fromLatin1(tcpsim::trace::kind_name(trace.records()[0].body)));
  }

  void steppingAddsRowsOneEventAtATime() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    const QString initial_status = w.status_text();
    QCOMPARE(initial_status, QStringLiteral("sent 0 (injected 0), delivered 0, dropped 0, in flight 0"));

    QSet<QString> statuses{initial_status};
    int steps = 0;
    int grew = 0;
    while (w.step_action()->isEnabled()) {
      const int before = w.events()->rowCount();
      const auto executed = w.world()->scheduler().executed();
      w.step_action()->trigger();
      ++steps;
      QVERIFY(w.world()->scheduler().executed() <= executed + 1);  // exactly one event, or the end
      QCOMPARE(static_cast<std::size_t>(w.events()->rowCount()), w.world()->trace().records().size());
      QVERIFY(w.events()->rowCount() >= before);
      if (w.events()->rowCount() > before) ++grew;
      statuses.insert(w.status_text());
      QVERIFY(steps < 100000);
    }
    QVERIFY(grew > 10);
    QVERIFY(statuses.size() > 10);  // the accounting line follows the run

    // Stepping to the end gives the same trace as running to the end.
    auto loaded = tcpsim::scenario::load_file(kLossy.toStdString());
    QVERIFY(loaded.ok());
    tcpsim::scenario::World reference(*loaded.scenario);
    reference.run();
    QCOMPARE(static_cast<std::size_t>(w.events()->rowCount()), reference.trace().records().size());
    QCOMPARE(w.status_text(), tcpsim::gui::segment_counts_text(reference.trace().segments()));
  }

  void stepShortcutsStepTheWorld() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    w.table()->setFocus();
    const auto executed = w.world()->scheduler().executed();
    QTest::keyClick(w.table(), Qt::Key_F10);
    QCOMPARE(w.world()->scheduler().executed(), executed + 1);
    QTest::keyClick(w.table(), Qt::Key_Right);
    QCOMPARE(w.world()->scheduler().executed(), executed + 2);
    QTest::keyClick(w.table(), Qt::Key_F5);
    QVERIFY(w.world()->finished());
    QTest::keyClick(w.table(), Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(w.world()->scheduler().executed(), 0u);
  }

  void summariesDescribeSegmentsAndTheirFate() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    w.run_to_end();
    const EventTableModel& m = *w.events();

    // The first record sent is the scripted SYN (notes may come first at the same time).
    const QList<int> sends = rows_of_kind(m, QStringLiteral("send"));
    QVERIFY(!sends.isEmpty());
    const QString syn = cell(m, sends.front(), EventTableModel::Summary);
    QVERIFY2(syn.startsWith(QStringLiteral("SYN seq=1000 len=0 [seg 0]")), qPrintable(syn));
    QVERIFY2(syn.contains(QStringLiteral("10.0.0.1:40000 > 10.0.1.2:80")), qPrintable(syn));
    QCOMPARE(cell(m, sends.front(), EventTableModel::Node), QStringLiteral("client"));

    for (int r : rows_of_kind(m, QStringLiteral("deliver")))
      QVERIFY2(cell(m, r, EventTableModel::Summary).contains(QStringLiteral(" delivered after ")),
               qPrintable(cell(m, r, EventTableModel::Summary)));

    // Every drop names its reason; the fault rule drop names the rule, the lost one the link.
    QStringList drops;
    for (int r : rows_of_kind(m, QStringLiteral("drop"))) drops << cell(m, r, EventTableModel::Summary);
    const QString all = drops.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("ACK seq=1001 ack=5001 len=0 [seg")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("dropped: fault rule 0")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("SYN seq=1 len=0 [seg")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("dropped: no-route")), qPrintable(all));

    // Details are the record's JSON Lines object.
    const QString details = cell(m, sends.front(), EventTableModel::Details);
    QVERIFY2(details.startsWith(QStringLiteral("{\"i\":")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("\"kind\":\"send\"")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("\"flags\":\"SYN\"")), qPrintable(details));
  }

  void invalidScenarioShowsEveryDiagnostic() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n"
            "  \"name\": \"bad\",\n"
            "  \"hosts\": [ { \"name\": \"a\", \"ip\": \"10.0.0.300\" } ],\n"
            "  \"links\": [ { \"between\": [\"a\", \"nowhere\"], \"delay\": \"5 parsecs\" } ]\n"
            "}\n");
    f.close();

    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    w.run_to_end();
    QVERIFY(!w.open_file(path));  // replaces the world that was there

    QVERIFY(w.world() == nullptr);
    QCOMPARE(w.events()->rowCount(), 0);
    QVERIFY(!w.messages()->isHidden());
    QVERIFY(!w.step_action()->isEnabled());
    QVERIFY(!w.run_action()->isEnabled());
    QVERIFY(!w.restart_action()->isEnabled());
    const QString text = w.messages()->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("bad.json:3:")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("10.0.0.300")), qPrintable(text));
    const auto expected = tcpsim::scenario::load_file(path.toStdString());
    QVERIFY(expected.errors.size() >= 2);
    for (const auto& d : expected.errors) {
      QVERIFY(d.line > 0 && d.column > 0);
      const QString line = QString::fromStdString(d.to_string());
      QVERIFY2(line.contains(QStringLiteral("bad.json:%1:%2: ").arg(d.line).arg(d.column)), qPrintable(line));
      QVERIFY2(text.contains(line), qPrintable(line));
    }
    QVERIFY(w.header()->text().contains(QStringLiteral("Could not load")));

    // Nothing to step, run or restart; none of it crashes.
    w.step();
    w.run_to_end();
    w.restart();
    QTest::keyClick(&w, Qt::Key_F10);

    // A file that does not exist is a diagnostic too; a good file afterwards clears the message.
    QVERIFY(!w.open_file(dir.filePath(QStringLiteral("missing.json"))));
    QVERIFY(w.messages()->toPlainText().contains(QStringLiteral("missing.json")));
    QVERIFY(w.open_file(kLossy));
    QVERIFY(w.messages()->isHidden());
    QVERIFY(w.step_action()->isEnabled());
  }

  void filterHidesRowsThatDoNotMatch() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    w.run_to_end();
    const EventTableModel& m = *w.events();
    const QAbstractItemModel& shown = *w.table()->model();
    const int all = m.rowCount();
    const int drops = static_cast<int>(rows_of_kind(m, QStringLiteral("drop")).size());
    QVERIFY(drops > 0 && drops < all);

    w.filter_edit()->setText(QStringLiteral("drop"));
    QCOMPARE(shown.rowCount(), drops);
    for (int r = 0; r < shown.rowCount(); ++r) QCOMPARE(cell(shown, r, EventTableModel::Kind), QStringLiteral("drop"));

    w.filter_edit()->setText(QStringLiteral("R1"));  // node, any case
    QVERIFY(shown.rowCount() > 0 && shown.rowCount() < all);
    for (int r = 0; r < shown.rowCount(); ++r) QCOMPARE(cell(shown, r, EventTableModel::Node), QStringLiteral("r1"));

    w.filter_edit()->setText(QStringLiteral("deliver server"));  // every word must match
    QVERIFY(shown.rowCount() > 0);
    for (int r = 0; r < shown.rowCount(); ++r) {
      QCOMPARE(cell(shown, r, EventTableModel::Kind), QStringLiteral("deliver"));
      QCOMPARE(cell(shown, r, EventTableModel::Node), QStringLiteral("server"));
    }

    w.filter_edit()->setText(QStringLiteral("no-such-thing"));
    QCOMPARE(shown.rowCount(), 0);
    w.filter_edit()->clear();
    QCOMPARE(shown.rowCount(), all);

    // Rows added while a filter is set are filtered as they arrive.
    w.filter_edit()->setText(QStringLiteral("send"));
    w.restart();
    QCOMPARE(shown.rowCount(), 0);
    while (w.step_action()->isEnabled()) w.step();
    QCOMPARE(shown.rowCount(), static_cast<int>(rows_of_kind(m, QStringLiteral("send")).size()));
  }

  void chartSeriesEndAtTheFinalCounts() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    const auto* delivered = w.chart()->delivered_series();
    const auto* dropped = w.chart()->dropped_series();

    auto check = [&] {
      const auto& c = w.world()->trace().segments();
      const auto d = delivered->points();
      const auto x = dropped->points();
      QVERIFY(!d.isEmpty() && !x.isEmpty());
      QCOMPARE(d.back().y(), static_cast<double>(c.delivered));
      QCOMPARE(x.back().y(), static_cast<double>(c.dropped_total()));
      QCOMPARE(d.back().x(), x.back().x());  // both end at the same time
      for (const auto* pts : {&d, &x})
        for (qsizetype i = 1; i < pts->size(); ++i) {
          QVERIFY((*pts)[i].x() >= (*pts)[i - 1].x());  // time moves forward
          QVERIFY((*pts)[i].y() >= (*pts)[i - 1].y());  // cumulative
        }
    };
    check();
    for (int i = 0; i < 40; ++i) w.step();
    check();
    QVERIFY(w.world()->trace().segments().delivered > 0);
    w.run_to_end();
    check();
    QVERIFY(w.world()->trace().segments().dropped_total() > 0);

    w.restart();
    QCOMPARE(delivered->points().back().y(), 0.0);
    QCOMPARE(dropped->points().back().y(), 0.0);
  }

  void restartGoesBackToTimeZero() {
    MainWindow w;
    QVERIFY(w.open_file(kLossy));
    for (int i = 0; i < 10; ++i) w.step();
    QVERIFY(w.events()->rowCount() > 0);
    w.restart_action()->trigger();
    QCOMPARE(w.events()->rowCount(), 0);
    QCOMPARE(w.world()->scheduler().now().ns(), 0);
    QVERIFY(w.step_action()->isEnabled());
    w.run_to_end();
    QCOMPARE(static_cast<std::size_t>(w.events()->rowCount()), w.world()->trace().records().size());
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
