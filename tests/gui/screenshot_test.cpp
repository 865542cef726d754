// Screenshots of the window at 1280x800 on a few bundled scenarios, written to results/gui/
// (git-ignored) for a person to look at: the whole window at an interesting cursor, the state
// timeline (File > Export state timeline) and the sequence diagram export; and story-<name>.png,
// five scenarios at the moment that tells their story (gui/screenshots/ holds two of them).
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QStandardPaths>
#include <QTabWidget>
#include <QtTest>
#include <variant>

#include "gui/library.hpp"
#include "gui/load_view.hpp"
#include "gui/main_window.hpp"
#include "gui/sequence_view.hpp"
#include "gui/state_timeline.hpp"
#include "gui/whatif.hpp"

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
      w.tabs()->setCurrentWidget(w.timeline()->parentWidget());  // the timeline, laid out at its real size
      QVERIFY(w.export_timeline_png(base + QStringLiteral("-timeline.png")));
      QVERIFY2(looks_drawn(base + QStringLiteral("-timeline.png")), s.name);
      QVERIFY(w.save_screenshot(base + QStringLiteral("-timeline-tab.png")));
      w.tabs()->setCurrentWidget(w.whatif());
      QVERIFY(w.save_screenshot(base + QStringLiteral("-whatif-tab.png")));
      w.tabs()->setCurrentWidget(w.library()->parentWidget());
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
      if (s.load_tab) w.tabs()->setCurrentWidget(w.load_view());
      QTest::qWait(50);
      const QString path = kOut + QLatin1Char('/') + QString::fromLatin1(s.name) + QStringLiteral(".png");
      QVERIFY(w.save_screenshot(path));
      QVERIFY2(looks_drawn(path), s.name);
    }
  }

  // The scenarios a student meets first, each with the cursor at the moment that tells its
  // story and the tab that shows it: the diagram for the handshakes, the Load tab for the flood
  // and the churn. Named after the scenario (results/gui/story-<name>.png).
  void storiesRenderToPng() {
    struct Shot {
      const char* file;
      const char* breakpoint;  // run to its nth hit ("" : use `jump`)
      int nth;
      const char* jump;        // a time or a record number
      bool load_tab;
      double zoom;             // the diagram's, so that all of its lanes show
    };
    const Shot shots[] = {
        // B back in LISTEN after A's RST killed the half-open connection of the old SYN; A's own
        // SYN still on its way.
        {"scenarios/rfc9293-figures/old-duplicate-syn.json", "when B enters LISTEN", 2, "", false, 1},
        // The server back in LISTEN after the client's RST answered the SYN,ACK to the stale SYN.
        {"scenarios/handshake/delayed-stale-syn.json", "when server enters LISTEN", 2, "", false, 1},
        // Both sides ESTABLISHED after the crossing SYNs and SYN,ACKs.
        {"scenarios/rfc9293-figures/simultaneous-open.json", "when B enters ESTABLISHED", 1, "", false, 1},
        // Mid-attack: the SYN queue full, the spoofed SYNs thrown away, the real client's SYN too.
        {"scenarios/attacks/syn-flood-backlog-overflow.json", "", 0, "0.6s", true, 0.5},
        // Mid-churn: connections still opening while the closed ones pile up in TIME-WAIT.
        {"scenarios/performance/churn-1000.json", "", 0, "0.5s", true, 0.3},
    };
    for (const Shot& s : shots) {
      MainWindow w;
      w.resize(1280, 800);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QVERIFY2(w.open_file(QStringLiteral(TCPSIM_SOURCE_DIR "/") + QString::fromLatin1(s.file)), s.file);
      if (*s.breakpoint != '\0') {
        QVERIFY(w.set_breakpoints(QString::fromLatin1(s.breakpoint)));
        for (int i = 0; i < s.nth; ++i) QVERIFY2(w.run_to_breakpoint(), s.breakpoint);
      } else {
        QVERIFY2(w.jump_to(QString::fromLatin1(s.jump)), s.jump);
      }
      if (s.load_tab) w.tabs()->setCurrentIndex(w.tabs()->indexOf(w.load_view()));
      if (s.zoom != 1) {
        w.diagram()->set_zoom(s.zoom);
        w.diagram()->select_record(w.diagram()->selected_record());  // the cursor's record in view again
      }
      QTest::qWait(50);
      const QString name = QFileInfo(QString::fromLatin1(s.file)).completeBaseName();
      const QString path = kOut + QStringLiteral("/story-") + name + QStringLiteral(".png");
      QVERIFY(w.save_screenshot(path));
      QVERIFY2(looks_drawn(path), s.file);
      QCOMPARE(QImage(path).size(), QSize(1280, 800));
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
