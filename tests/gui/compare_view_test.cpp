// The Compare tab: a what-if drop against the run before it, another seed, another profile, a
// trace file (good and malformed), "go to" a difference, labels that never overlap, and a
// screenshot at 1280x800 written to results/gui/ for a person to look at.
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QStandardPaths>
#include <QTabWidget>
#include <QtTest>
#include <fstream>

#include "gui/compare_view.hpp"
#include "gui/main_window.hpp"
#include "gui/run.hpp"
#include "tests/gui/compare_support.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/jsonl.hpp"

using namespace tcpsim;
using tcpsim::gui::CompareView;
using tcpsim::gui::MainWindow;
using tcpsim::gui::test::compare_tab;

namespace {

const QString kNormalClose = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/normal-close.json");
const QString kLostFinalAck = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json");
const QString kRandomLoss = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/random-loss-transfer.json");
const QString kOut = QStringLiteral(TCPSIM_SOURCE_DIR "/results/gui");

// The record of the first segment sent with exactly these flags.
std::optional<std::size_t> first_send(const MainWindow& w, const char* flags) {
  const auto& rs = w.run()->trace()->records();
  for (std::size_t i = 0; i < rs.size(); ++i)
    if (const auto* s = std::get_if<trace::SegmentSent>(&rs[i].body); s && s->seg.flags.to_string() == flags) return i;
  return std::nullopt;
}

// A pair of texts of the painting that overlap, as "a | b"; "" when none do.
QString overlapping(const std::vector<QRectF>& rects) {
  const auto pair = gui::test::first_overlap(rects);
  if (!pair) return {};
  const QRectF& a = rects[pair->first];
  const QRectF& b = rects[pair->second];
  return QStringLiteral("(%1,%2 %3x%4) and (%5,%6 %7x%8)")
      .arg(a.x()).arg(a.y()).arg(a.width()).arg(a.height())
      .arg(b.x()).arg(b.y()).arg(b.width()).arg(b.height());
}

}  // namespace

class CompareViewTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void whatIfDropNamesTheDroppedSegmentAsTheFirstDifference() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kNormalClose));
    w.set_cursor(w.size());
    const auto fin = first_send(w, "FIN,ACK");
    QVERIFY(fin.has_value());
    QVERIFY(w.apply_what_if(*fin, trace::FaultAction::Drop));
    CompareView* view = compare_tab(w);
    QVERIFY(view != nullptr);
    QCOMPARE(view->source()->currentData().toInt(), static_cast<int>(CompareView::PreviousRun));
    const trace::Comparison* c = view->comparison();
    QVERIFY(c != nullptr);
    QVERIFY(!c->equal());
    const trace::CompareRow& first = c->rows()[c->first_difference()];
    QCOMPARE(first.kind, trace::RowKind::Differs);
    QVERIFY(first.segment);
    QCOMPARE(first.a, *fin);
    QVERIFY(first.differences & trace::kDiffFate);
    const QString summary = view->summary();
    QVERIFY2(summary.startsWith(QStringLiteral("first difference at t=")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral(": this run: A sends FIN,ACK seq=")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("fate lost: fault rule")) && summary.contains(QStringLiteral("vs delivered")),
             qPrintable(summary));
    const QStringList lines = view->difference_lines();
    QVERIFY(!lines.isEmpty());
    QVERIFY2(lines[0].contains(QStringLiteral("FIN,ACK")) && lines[0].contains(QStringLiteral("lost: fault rule")),
             qPrintable(lines[0]));
    // The retransmitted FIN the drop causes is a row of this run alone.
    bool rtx_only_here = false;
    for (const auto& r : c->rows())
      rtx_only_here = rtx_only_here || (r.kind == trace::RowKind::OnlyA && c->event_text(r, true).find("rtx FIN,ACK") != std::string::npos);
    QVERIFY(rtx_only_here);
  }

  void goToADifferenceMovesTheWindowCursorPastBothEvents() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kNormalClose));
    w.set_cursor(w.size());
    const auto fin = first_send(w, "FIN,ACK");
    QVERIFY(w.apply_what_if(*fin, trace::FaultAction::Drop));
    CompareView* view = compare_tab(w);
    QVERIFY(view->comparison() != nullptr);
    w.set_cursor(0);
    view->go_to_difference(0);
    QCOMPARE(w.cursor(), *fin + 1);
    QCOMPARE(w.selected().value_or(0), *fin);
  }

  void anotherSeedRunsTheScenarioAgainAndCompares() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kRandomLoss));
    w.set_cursor(w.size());
    CompareView* view = compare_tab(w);
    // No what-if yet: no previous run, so the tab starts with the next seed.
    QCOMPARE(view->source()->currentData().toInt(), static_cast<int>(CompareView::Seed));
    const std::uint64_t seed = w.run()->scenario.seed;
    QVERIFY(view->compare_with_seed(seed + 1));
    QCOMPARE(view->comparison()->b().name, "seed " + std::to_string(seed + 1));
    QVERIFY(!view->comparison()->equal());  // other losses
    QVERIFY(!view->difference_lines().isEmpty());
    // The same seed runs to the same trace.
    QVERIFY(view->compare_with_seed(seed));
    QVERIFY2(view->comparison()->equal(), qPrintable(view->summary()));
    QVERIFY(view->difference_lines().isEmpty());
  }

  void anotherProfileComparesTheSameSegmentsAtOtherTimes() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kLostFinalAck));
    w.set_cursor(w.size());
    CompareView* view = compare_tab(w);
    QCOMPARE(view->profile()->currentText(), QStringLiteral("linux"));  // the other profile is offered
    QVERIFY(view->compare_with_profile(scenario::Profile::Linux));
    const trace::Comparison* c = view->comparison();
    QCOMPARE(c->b().name, std::string("linux"));
    // The first difference: Linux acknowledges the FIN at the next 4 ms tick (ping-pong mode).
    QVERIFY2(view->summary().contains(QStringLiteral("B sends ACK seq=1 ack=2")) &&
                 view->summary().contains(QStringLiteral("time 0.110000 s vs 0.112000 s")),
             qPrintable(view->summary()));
    // Further down, the same retransmitted FIN at another time: Linux's 224 ms RTO on 4 ms ticks.
    bool rtx_fin = false;
    for (const trace::CompareRow& row : c->rows()) {
      if (row.kind != trace::RowKind::Differs) continue;
      rtx_fin = rtx_fin || (c->event_text(row, true).find("rtx FIN,ACK") != std::string::npos &&
                            c->difference_text(row).find("time 1.160000 s vs 0.384000 s") != std::string::npos);
    }
    QVERIFY(rtx_fin);
    QCOMPARE(c->count(trace::RowKind::OnlyA) + c->count(trace::RowKind::OnlyB), std::size_t{0});
  }

  void aMalformedTraceFileShowsItsErrorInTheTab() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kLostFinalAck));
    CompareView* view = compare_tab(w);
    const QString bad = QDir::temp().filePath(QStringLiteral("tcpsim-compare-bad-%1.jsonl").arg(QCoreApplication::applicationPid()));
    std::ofstream(bad.toStdString()) << "{\"i\":0,\"t_ns\":0,\"kind\":\"note\",\"text\":\"ok\"}\n{\"i\":1,\"t_ns\":0,\"kind\":\"send\"}\n";
    QVERIFY(!view->compare_with_file(bad));
    QVERIFY(view->comparison() == nullptr);
    QVERIFY2(view->error().contains(bad + QStringLiteral(":2: missing field \"node\"")), qPrintable(view->error()));
    QFile::remove(bad);

    // The run's own trace, written as `tcpsim run --trace` writes it, compares equal.
    const QString good = QDir::temp().filePath(QStringLiteral("tcpsim-compare-good-%1.jsonl").arg(QCoreApplication::applicationPid()));
    {
      std::ofstream out(good.toStdString());
      trace::JsonlSink sink(out);
      for (const auto& r : w.run()->trace()->records()) sink.write(r, *w.run()->trace());
    }
    QVERIFY(view->compare_with_file(good));
    QVERIFY(view->error().isEmpty());
    QVERIFY2(view->comparison()->equal(), qPrintable(view->summary()));
    QFile::remove(good);
  }

  void noTwoTextsOfThePaintingOverlap() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kLostFinalAck));
    w.set_cursor(w.size());
    CompareView* view = compare_tab(w);
    QVERIFY(view->compare_with_profile(scenario::Profile::Linux));
    std::vector<QRectF> rects = view->text_rects();
    QVERIFY(rects.size() > 40);
    QVERIFY2(overlapping(rects).isEmpty(), qPrintable(overlapping(rects)));
    // And after a what-if drop, with difference notes under the rows.
    const auto fin = first_send(w, "FIN,ACK");
    QVERIFY(w.apply_what_if(*fin, trace::FaultAction::Drop));
    QVERIFY(view->comparison() != nullptr);
    rects = view->text_rects();
    QVERIFY2(overlapping(rects).isEmpty(), qPrintable(overlapping(rects)));
  }

  void screenshotOfLostFinalAckUnderBothProfiles() {
    QVERIFY(QDir().mkpath(kOut));
    auto loaded = scenario::load_file(kLostFinalAck.toStdString());
    QVERIFY(loaded.ok());
    const auto run = gui::run_scenario(*loaded.scenario);
    CompareView view;
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.show_run({run.get(), nullptr, false});
    QVERIFY(view.compare_with_profile(scenario::Profile::Linux));
    view.set_cursor(run->size());
    const QString path = kOut + QStringLiteral("/compare-lost-final-ack-rfc9293-vs-linux.png");
    QVERIFY(view.grab().save(path));
    const QImage image(path);
    QCOMPARE(image.size(), QSize(1280, 800));

    // As after a what-if: the run without the scenario's drop is the previous one.
    scenario::Scenario clean = *loaded.scenario;
    clean.faults.clear();
    const auto before = gui::run_scenario(clean);
    view.show_run({run.get(), before.get(), false});
    QVERIFY(view.compare_with_previous());
    view.set_cursor(run->size());
    const QString whatif = kOut + QStringLiteral("/compare-lost-final-ack-vs-no-drop.png");
    QVERIFY(view.grab().save(whatif));
    QVERIFY(view.comparison()->count(trace::RowKind::OnlyA) > 0);
  }
};

QTEST_MAIN(CompareViewTest)
#include "compare_view_test.moc"
