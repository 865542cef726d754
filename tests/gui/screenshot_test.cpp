// Screenshots of the window at 1280x800 on a few bundled scenarios, written to results/gui/
// (git-ignored) for a person to look at: the whole window at an interesting cursor, the state
// timeline (File > Export state timeline) and the sequence diagram export.
#include <QDir>
#include <QImage>
#include <QStandardPaths>
#include <QTabWidget>
#include <QtTest>
#include <variant>

#include "gui/main_window.hpp"

using tcpsim::gui::MainWindow;

namespace {

const QString kOut = QStringLiteral(TCPSIM_SOURCE_DIR "/results/gui");

// An image worth looking at: big enough and not one flat colour.
bool looks_drawn(const QString& path) {
  const QImage image(path);
  if (image.isNull() || image.width() < 300 || image.height() < 200) return false;
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 7)
    for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
  return colours.size() > 8;
}

}  // namespace

class ScreenshotTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // One line, so tests/gui/CMakeLists.txt does not take it for a test of its own.
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); QVERIFY(QDir().mkpath(kOut)); }

  void bundledScenariosRenderToPng() {
    struct Shot {
      const char* file;
      const char* name;
      const char* breakpoint;  // where to put the cursor; "" for the end
    };
    const Shot shots[] = {
        {"scenarios/rfc9293-figures/basic-three-way-handshake.json", "handshake-time-wait", "when client enters TIME-WAIT"},
        {"scenarios/rfc9293-figures/basic-three-way-handshake.json", "handshake-end", ""},
        {"scenarios/net/fault-rules.json", "fault-rules", "when a segment is dropped"},
        {"scenarios/loss/lost-final-ack.json", "lost-final-ack-scenario", "when B enters CLOSED"},
        {"scenarios/net/two-hop-lossy.json", "two-hop-lossy", ""},
    };
    for (const Shot& s : shots) {
      MainWindow w;
      w.resize(1280, 800);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QVERIFY2(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/") + QString::fromLatin1(s.file)), s.file);
      if (*s.breakpoint != '\0') {
        QVERIFY(w.set_breakpoints(QString::fromLatin1(s.breakpoint)));
        QVERIFY2(w.run_to_breakpoint(), s.breakpoint);
      } else {
        w.set_cursor(w.size());
      }
      const QString base = kOut + QLatin1Char('/') + QString::fromLatin1(s.name);
      QVERIFY(w.save_screenshot(base + QStringLiteral(".png")));
      QVERIFY2(looks_drawn(base + QStringLiteral(".png")), s.name);
      w.tabs()->setCurrentIndex(1);  // the timeline, laid out at its real size
      QVERIFY(w.export_timeline_png(base + QStringLiteral("-timeline.png")));
      QVERIFY2(looks_drawn(base + QStringLiteral("-timeline.png")), s.name);
      QVERIFY(w.save_screenshot(base + QStringLiteral("-timeline-tab.png")));
      w.tabs()->setCurrentIndex(3);
      QVERIFY(w.save_screenshot(base + QStringLiteral("-whatif-tab.png")));
      w.tabs()->setCurrentIndex(4);
      QVERIFY(w.save_screenshot(base + QStringLiteral("-library-tab.png")));
      w.export_diagram_png(base + QStringLiteral("-diagram.png"));  // checked by the diagram's own tests
      QVERIFY(w.export_diagram_svg(base + QStringLiteral("-diagram.svg")));
    }
  }

  // Runs with many connections: the SYN flood at mid-attack (queue full, SYNs thrown away) in
  // the diagram and in the Load tab, and the churn of a thousand clients.
  void manyConnectionsRenderToPng() {
    struct Shot {
      const char* file;
      const char* name;
      const char* jump;  // where to put the cursor
      bool load_tab;
    };
    const Shot shots[] = {
        {"scenarios/attacks/syn-flood-backlog-overflow.json", "syn-flood-backlog-overflow", "0.6s", false},
        {"scenarios/attacks/syn-flood-backlog-overflow.json", "syn-flood-load", "0.6s", true},
        {"scenarios/performance/churn-1000.json", "churn-1000", "1.5s", true},
    };
    for (const Shot& s : shots) {
      MainWindow w;
      w.resize(1280, 800);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QVERIFY2(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/") + QString::fromLatin1(s.file)), s.file);
      QVERIFY2(w.jump_to(QString::fromLatin1(s.jump)), s.jump);
      if (s.load_tab) w.tabs()->setCurrentIndex(2);
      QTest::qWait(50);
      const QString path = kOut + QLatin1Char('/') + QString::fromLatin1(s.name) + QStringLiteral(".png");
      QVERIFY(w.save_screenshot(path));
      QVERIFY2(looks_drawn(path), s.name);
    }
  }

  // The lost final ACK, made by a what-if drop of the client's last ACK: the server's FIN comes
  // again and the client restarts its 2MSL wait.
  void lostFinalAckRendersToPng() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/basic-three-way-handshake.json")));
    const auto& records = w.run()->trace()->records();
    std::size_t last_ack = 0;
    for (std::size_t i = 0; i < records.size(); ++i)
      if (const auto* s = std::get_if<tcpsim::trace::SegmentSent>(&records[i].body);
          s && w.run()->trace()->node_name(s->node) == "client")
        last_ack = i;
    QVERIFY(w.apply_what_if(last_ack, tcpsim::trace::FaultAction::Drop));
    QVERIFY(w.set_breakpoints(QStringLiteral("when server enters CLOSED")));
    QVERIFY(w.run_to_breakpoint());
    const QString base = kOut + QStringLiteral("/lost-final-ack");
    QVERIFY(w.save_screenshot(base + QStringLiteral(".png")));
    QVERIFY(looks_drawn(base + QStringLiteral(".png")));
    w.set_cursor(w.size());
    QVERIFY(w.save_screenshot(base + QStringLiteral("-end.png")));
    QVERIFY(w.export_diagram_svg(base + QStringLiteral("-diagram.svg")));
  }
};

QTEST_MAIN(ScreenshotTest)
#include "screenshot_test.moc"
