// The Compare tab with the Linux kernel as B: a short scenario played on real sockets (skipped
// without root or /dev/net/tun) named by its origin, with the kernel's segments on B's ladder and
// a screenshot at 1280x800 written to results/gui/; a Cancel that ends a run; a kernel trace file
// named by its origin; and the kernel entry disabled, with the reason, for a scenario it cannot
// play. The live runs here play on the machine's kernel, so ctest runs them one at a time.
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QToolTip>
#include <QtTest>
#include <fstream>

#include "gui/compare_view.hpp"
#include "gui/main_window.hpp"
#include "gui/run.hpp"
#include "tests/gui/compare_support.hpp"
#include "sim/live/privileges.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/origin.hpp"

using namespace tcpsim;
using tcpsim::gui::CompareView;
using tcpsim::gui::MainWindow;
using tcpsim::gui::test::compare_at_end;
using tcpsim::gui::test::compare_tab;

namespace {

const QString kAbort = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/linux-profile/abort-sends-rst-linux.json");
const QString kNormalCloseLinux = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/linux-profile/normal-close-linux.json");
const QString kKernelTrace = QStringLiteral(TCPSIM_SOURCE_DIR "/tests/cli/data/normal-close-kernel.jsonl");
const QString kRecordedTrace = QStringLiteral(TCPSIM_SOURCE_DIR "/tests/cli/data/normal-close-kernel-recorded.jsonl");
const QString kOut = QStringLiteral(TCPSIM_SOURCE_DIR "/results/gui");
constexpr int kRunTimeoutMs = 30'000;

// A scenario file written for the test (removed by the caller).
QString write_scenario(const char* name, const std::string& text) {
  const QString path = QDir::temp().filePath(
      QStringLiteral("tcpsim-compare-kernel-%1-%2.json").arg(QLatin1String(name)).arg(QCoreApplication::applicationPid()));
  std::ofstream(path.toStdString()) << text;
  return path;
}

// A pair of texts of the painting that overlap, as "a | b"; "" when none do.
QString overlapping(const std::vector<QRectF>& rects, const QStringList& texts) {
  const auto pair = gui::test::first_overlap(rects);
  if (!pair) return {};
  return texts[static_cast<int>(pair->first)] + QStringLiteral(" | ") + texts[static_cast<int>(pair->second)];
}

QString joined(const QStringList& texts) { return texts.join(QStringLiteral(" / ")); }

bool has_text_starting(const QStringList& texts, const QString& start) {
  return std::any_of(texts.begin(), texts.end(), [&](const QString& t) { return t.startsWith(start); });
}

QStandardItem* kernel_item(CompareView* view) {
  auto* model = qobject_cast<QStandardItemModel*>(view->source()->model());
  return model->item(view->source()->findData(CompareView::Kernel));
}

}  // namespace

class CompareKernelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void theKernelPlaysTheScenarioAndBIsNamedByItsOrigin() {
    if (const auto missing = live::missing_privileges()) QSKIP(missing->c_str());
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kAbort));
    w.set_cursor(w.size());
    CompareView* view = compare_tab(w);
    QVERIFY(view != nullptr);
    QVERIFY2(view->kernel_unavailable().isEmpty(), qPrintable(view->kernel_unavailable()));
    QVERIFY(kernel_item(view)->isEnabled());

    QVERIFY2(view->compare_with_kernel(), qPrintable(view->error()));
    QVERIFY(view->kernel_running());
    QCOMPARE(view->source()->currentData().toInt(), static_cast<int>(CompareView::Kernel));
    QVERIFY2(view->kernel_status().startsWith(QStringLiteral("playing on the kernel… ")), qPrintable(view->kernel_status()));
    QCOMPARE(view->kernel_button()->text(), QStringLiteral("Cancel"));
    QVERIFY(view->comparison() == nullptr);  // B is not there yet; the window goes on meanwhile
    QTRY_VERIFY_WITH_TIMEOUT(!view->kernel_running(), kRunTimeoutMs);

    QVERIFY2(view->error().isEmpty(), qPrintable(view->error()));
    const trace::Comparison* c = view->comparison();
    QVERIFY(c != nullptr);
    QCOMPARE(trace::meta_value(*c->b().trace, "source"), std::string("kernel"));
    QVERIFY2(c->b().name.starts_with("Linux kernel ") && c->b().name.find(", HZ ") != std::string::npos, c->b().name.c_str());
    QCOMPARE(c->b().name, trace::origin_text(*c->b().trace));
    // The run recorded the kernel's tick phase, and A ran again on it.
    QVERIFY(trace::tick_phase(*c->b().trace).has_value());
    QCOMPARE(c->a().name, std::string("model (profile linux, on the kernel's ticks)"));
    const QStringList texts = view->texts();
    // The title (cut short, with the whole of it as a tooltip, where the tab is narrow).
    QVERIFY2(has_text_starting(texts, QStringLiteral("B: Linux kernel ")), qPrintable(joined(texts)));
    QVERIFY2(has_text_starting(texts, QStringLiteral("relay timing: ")), qPrintable(joined(texts)));
    // B's ladder is the kernel's: its client aborts with a RST,ACK, as the kernel recorded it.
    bool rst_on_b = false;
    for (const trace::CompareRow& r : c->rows())
      rst_on_b = rst_on_b ||
                 (r.b != trace::kNoRecord && c->event_text(r, false).find("client sends RST,ACK") != std::string::npos);
    QVERIFY(rst_on_b);
    QVERIFY(has_text_starting(texts, QStringLiteral("RST,ACK")));
    // The summary says whether they agree, and how a kernel is compared.
    QCOMPARE(view->summary().startsWith(QStringLiteral("the runs agree")), c->equal());
    if (!c->equal()) QVERIFY2(view->summary().startsWith(QStringLiteral("first difference at t=")), qPrintable(view->summary()));
    QVERIFY2(view->kernel_status().startsWith(QStringLiteral("played on the kernel in ")), qPrintable(view->kernel_status()));
    QCOMPARE(view->kernel_button()->text(), QStringLiteral("Play again"));
    QVERIFY2(overlapping(view->text_rects(), texts).isEmpty(), qPrintable(overlapping(view->text_rects(), texts)));
  }

  void screenshotOfAbortSendsRstAgainstTheKernel() {
    if (const auto missing = live::missing_privileges()) QSKIP(missing->c_str());
    QVERIFY(QDir().mkpath(kOut));
    auto loaded = scenario::load_file(kAbort.toStdString());
    QVERIFY(loaded.ok());
    const auto run = gui::run_scenario(*loaded.scenario);
    CompareView view;
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.show_run({run.get(), nullptr, false});
    QVERIFY2(view.compare_with_kernel(), qPrintable(view.error()));
    QTRY_VERIFY_WITH_TIMEOUT(!view.kernel_running(), kRunTimeoutMs);
    QVERIFY2(view.comparison() != nullptr, qPrintable(view.error()));
    view.set_cursor(run->size());
    const QString path = kOut + QStringLiteral("/compare-kernel-abort-sends-rst-linux.png");
    QVERIFY(view.grab().save(path));
    QCOMPARE(QImage(path).size(), QSize(1280, 800));
  }

  void cancelEndsAKernelRunAndPlayAgainPlaysItOnceMore() {
    if (const auto missing = live::missing_privileges()) QSKIP(missing->c_str());
    // The client's close at 600 ms, then TIME-WAIT, keep the run going until its stop time, 1 s.
    const QString file = write_scenario("cancel", R"({"name": "cancel-me", "profile": "linux", "until": "1s",
      "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
      "links": [{"between": ["client", "server"], "delay": "5ms"}],
      "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
                {"host": "client", "steps": [{"at": "1ms", "do": "connect", "to": "server:80"},
                                             {"at": "600ms", "do": "close"}]}]})");
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(file));
    QFile::remove(file);
    CompareView* view = compare_tab(w);
    QVERIFY2(view->compare_with_kernel(), qPrintable(view->error()));
    QTest::qWait(300);
    QVERIFY(view->kernel_running());
    view->kernel_button()->click();  // Cancel
    QTRY_VERIFY_WITH_TIMEOUT(!view->kernel_running(), kRunTimeoutMs);
    QVERIFY(view->comparison() == nullptr);
    QVERIFY2(view->error().contains(QStringLiteral("cancelled")), qPrintable(view->error()));
    QVERIFY2(view->kernel_status().startsWith(QStringLiteral("cancelled after ")), qPrintable(view->kernel_status()));

    view->kernel_button()->click();  // Play again
    QVERIFY(view->kernel_running());
    QVERIFY(view->error().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!view->kernel_running(), kRunTimeoutMs);
    QVERIFY2(view->comparison() != nullptr, qPrintable(view->error()));
    QVERIFY(trace::from_kernel(*view->comparison()->b().trace));
    QVERIFY2(view->kernel_status().startsWith(QStringLiteral("played on the kernel in ")), qPrintable(view->kernel_status()));
  }

  void aKernelTraceFileIsNamedByItsOriginAndComparedAsAKernel() {
    MainWindow w;
    CompareView* view = compare_at_end(w, kNormalCloseLinux);
    QVERIFY(view);
    QVERIFY2(view->compare_with_file(kKernelTrace), qPrintable(view->error()));
    const trace::Comparison* c = view->comparison();
    QCOMPARE(c->b().name, std::string("Linux kernel 6.18.44, HZ 250"));
    QCOMPARE(c->a().name, std::string("model (profile linux)"));
    const QStringList texts = view->texts();
    QVERIFY2(texts.contains(QStringLiteral("B: Linux kernel 6.18.44, HZ 250")), qPrintable(joined(texts)));
    QVERIFY2(texts.contains(QStringLiteral("read from normal-close-kernel.jsonl")), qPrintable(joined(texts)));
    // Within 35 ms, windows and discards left out, as `tcpsim diff` finds: they agree.
    QVERIFY2(c->equal(), qPrintable(view->summary()));
    QVERIFY2(view->summary().startsWith(QStringLiteral("the runs agree")), qPrintable(view->summary()));
    QVERIFY2(overlapping(view->text_rects(), texts).isEmpty(), qPrintable(overlapping(view->text_rects(), texts)));
  }

  void aKernelTraceWithItsTickPhaseRunsTheModelOnTheKernelsTicks() {
    // normal-close-linux as check --kernel recorded it, unedited: time 0 lay 3.197 ms into a tick.
    MainWindow w;
    CompareView* view = compare_at_end(w, kNormalCloseLinux);
    QVERIFY(view);
    QVERIFY2(view->compare_with_file(kRecordedTrace), qPrintable(view->error()));
    const trace::Comparison* c = view->comparison();
    QCOMPARE(c->a().name, std::string("model (profile linux, on the kernel's ticks)"));
    QVERIFY2(c->equal(), qPrintable(view->summary()));
    QVERIFY2(view->summary_text().contains(QStringLiteral("the kernel's tick phase (jiffies 4302795228 + 3.197 ms), links +114 us "
                                                          "(the relay's median lateness)")),
             qPrintable(view->summary_text()));
    // The window's own run is untouched: its A leaves TIME-WAIT at 61.44 s, the re-run at 61.581 s.
    const trace::Trace& shown = *c->a().trace;
    QCOMPARE(shown.records().back().time.since_start().count(), std::int64_t{61'580'803'169});
    const QStringList texts = view->texts();
    QVERIFY2(overlapping(view->text_rects(), texts).isEmpty(), qPrintable(overlapping(view->text_rects(), texts)));
  }

  void aTitleCutShortShowsWholeAsATooltip() {
    // The committed kernel trace with a longer release and the relay's timing in its metadata.
    const QString file = QDir::temp().filePath(
        QStringLiteral("tcpsim-compare-kernel-long-%1.jsonl").arg(QCoreApplication::applicationPid()));
    {
      std::ifstream in(kKernelTrace.toStdString());
      std::ofstream out(file.toStdString());
      std::string line;
      std::getline(in, line);
      out << R"x({"meta":{"source":"kernel","kernel":"6.18.44-a-release-with-a-long-local-version-suffix",)x"
          << R"x("hz":"250 (config)","relay":"26 packets written, late by median 101 us, p99 634 us, max 634 us"}})x"
          << "\n" << in.rdbuf();
    }
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.open_file(kNormalCloseLinux));
    w.set_cursor(w.size());
    CompareView* view = compare_tab(w);
    QVERIFY2(view->compare_with_file(file), qPrintable(view->error()));
    QFile::remove(file);
    const std::string name = view->comparison()->b().name;
    QCOMPARE(name, std::string("Linux kernel 6.18.44-a-release-with-a-long-local-version-suffix, HZ 250 (config)"));
    QWidget* canvas = view->findChild<QScrollArea*>()->widget();
    const QStringList texts = view->texts();
    const std::vector<QRectF> rects = view->text_rects();
    const auto title = std::find_if(texts.begin(), texts.end(), [](const QString& t) { return t.startsWith(QStringLiteral("B: ")); });
    QVERIFY(title != texts.end());
    QVERIFY2(title->endsWith(QStringLiteral("…")), qPrintable(*title));  // the tab is narrower than the title
    const QPoint at = rects[static_cast<std::size_t>(title - texts.begin())].center().toPoint();
    QHelpEvent help(QEvent::ToolTip, at, canvas->mapToGlobal(at));
    QApplication::sendEvent(canvas, &help);
    QTRY_COMPARE(QToolTip::text(), QStringLiteral("B: ") + QString::fromStdString(name));
  }

  void theKernelIsNotOfferedForAScenarioWithGroupsAndTheTabSaysWhy() {
    const QString file = write_scenario("groups", R"({"name": "with-groups", "until": "1s",
      "hosts": [{"name": "server", "ip": "10.0.0.2"}],
      "groups": [{"name": "c", "count": 2, "ip": "10.64.0.1", "link": {"to": "server", "delay": "10ms"},
                  "app": {"steps": [{"at": "0s", "do": "connect", "to": "server:80"}, {"do": "close"}]}}],
      "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]}]})");
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(file));
    QFile::remove(file);
    CompareView* view = compare_tab(w);
    // Without root the machine is what is missing; with it, the scenario's groups.
    const auto missing = live::missing_privileges();
    const QString why = missing ? QString::fromStdString(*missing) : QStringLiteral("/groups");
    QVERIFY2(view->kernel_unavailable().contains(why), qPrintable(view->kernel_unavailable()));
    QVERIFY(!kernel_item(view)->isEnabled());
    const QString tip = view->source()->itemData(view->source()->findData(CompareView::Kernel), Qt::ToolTipRole).toString();
    QVERIFY2(tip.startsWith(QStringLiteral("Not available: ")) && tip.contains(why), qPrintable(tip));
    bool shown = false;
    for (const QLabel* l : view->findChildren<QLabel*>()) {
      const QString text = l->text();
      shown = shown || (l->isVisible() && text.startsWith(QStringLiteral("The Linux kernel is not offered: ")) && text.contains(why));
    }
    QVERIFY(shown);
    QVERIFY(!view->compare_with_kernel());
    QVERIFY(!view->kernel_running());
    QVERIFY2(view->error().contains(why), qPrintable(view->error()));
  }
};

QTEST_MAIN(CompareKernelTest)
#include "compare_kernel_test.moc"
