// A scenario's notes ("A's ACK of B's FIN is lost") in the window as a student first sees it,
// 1280x800: each inside the diagram pane without scrolling sideways (a host's note on a lane
// beyond the pane: once that lane is in view), whole, and clear of every other text.
#include <QDirIterator>
#include <QFontMetricsF>
#include <QScrollBar>
#include <QStandardPaths>
#include <QtTest>
#include <algorithm>

#include "gui/main_window.hpp"
#include "gui/sequence_view.hpp"
#include "sim/scenario/loader.hpp"

using tcpsim::gui::MainWindow;
namespace diagram = tcpsim::diagram;

namespace {

// The bundled scenarios (those that have notes of their own, or all).
QStringList bundled(bool with_notes) {
  QStringList out;
  QDirIterator it(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios"), {QStringLiteral("*.json")}, QDir::Files,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    const auto loaded = tcpsim::scenario::load_file(path.toStdString());
    if (loaded.scenario && (!with_notes || !loaded.scenario->notes.empty())) out << path;
  }
  out.sort();
  return out;
}

QRectF in_viewport(const tcpsim::gui::SequenceView& v, const diagram::Box& b) {
  return QRectF(v.mapFromScene(QPointF(b.x, b.y)), v.mapFromScene(QPointF(b.right(), b.bottom())));
}

}  // namespace

class NotesTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void scenarioNotesFitTheDiagramPaneAt1280x800() {
    const QStringList files = bundled(true);
    QVERIFY(files.size() >= 10);
    QVERIFY(files.contains(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json")));
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    int notes = 0;
    QStringList failures;
    for (const QString& file : files) {
      QVERIFY2(w.open_file(file), qPrintable(file));
      w.set_cursor(w.size());
      QCoreApplication::processEvents();
      auto& v = *w.diagram();
      v.horizontalScrollBar()->setValue(0);
      const QRect port = v.viewport()->rect();
      const auto& l = v.layout();
      const auto boxes = l.label_boxes();
      for (const auto& a : l.annotations) {
        if (a.kind != diagram::AnnotationKind::Note || !a.label.shown()) continue;
        ++notes;
        const QString what = file.section(QLatin1Char('/'), -2) + QStringLiteral(": ") + QString::fromStdString(a.label.text);
        // Inside the pane without scrolling sideways; a host's note beside a lane that lies
        // beyond the pane, inside it once that lane is scrolled to the middle.
        v.horizontalScrollBar()->setValue(0);
        if (a.lane != diagram::kNone && v.mapFromScene(QPointF(l.lanes[a.lane].x, 0)).x() > port.right())
          v.centerOn(l.lanes[a.lane].x, a.y);
        const QRectF r = in_viewport(v, a.label.box);
        if (r.left() < port.left() || r.right() > port.right())
          failures << what + QStringLiteral(" at x %1..%2, viewport %3 wide").arg(r.left()).arg(r.right()).arg(port.width());
        // Whole: each line, in the font it is drawn with, fits the box the layout gave it.
        QFont f(QStringLiteral("DejaVu Sans Mono"));
        f.setStyleHint(QFont::Monospace);
        f.setPixelSize(static_cast<int>(a.label.small ? diagram::Style::small_px : diagram::Style::font_px));
        const QFontMetricsF fm(f);
        for (const QString& line : QString::fromStdString(a.label.text).split(QLatin1Char('\n')))
          if (fm.horizontalAdvance(line) > a.label.box.w + 2) failures << what + QStringLiteral(": clipped");
        // Clear of every other text.
        int same = 0;
        for (const auto& b : boxes) {
          const bool self = b.x == a.label.box.x && b.y == a.label.box.y && b.w == a.label.box.w && b.h == a.label.box.h;
          same += self ? 1 : 0;
          if (!self && b.overlaps(a.label.box)) failures << what + QStringLiteral(": overlaps other text");
        }
        QCOMPARE(same, 1);
      }
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    QVERIFY(notes >= files.size());
  }

  // The calls and notifications written right of a lane that the pane shows end inside it too
  // (clipped with "..." where the room ends; the tooltip has the whole text).
  void callsBesideALaneInThePaneEndInsideIt() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QStringList failures;
    int checked = 0;
    for (const QString& file : bundled(false)) {
      QVERIFY2(w.open_file(file), qPrintable(file));
      w.set_cursor(w.size());
      QCoreApplication::processEvents();
      auto& v = *w.diagram();
      v.horizontalScrollBar()->setValue(0);
      const QRect port = v.viewport()->rect();
      const auto& l = v.layout();
      for (const auto& a : l.annotations) {
        if (a.kind == diagram::AnnotationKind::Note || a.lane == diagram::kNone || !a.label.shown()) continue;
        const double lane_x = v.mapFromScene(QPointF(l.lanes[a.lane].x, 0)).x();
        if (a.label.box.x < l.lanes[a.lane].x || lane_x > port.right() - 100) continue;  // left of it, or a lane at the edge
        ++checked;
        const QRectF r = in_viewport(v, a.label.box);
        if (r.right() > port.right())
          failures << file.section(QLatin1Char('/'), -2) + QStringLiteral(": ") + QString::fromStdString(a.label.text);
      }
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    QVERIFY(checked > 100);
  }
};

QTEST_MAIN(NotesTest)
#include "notes_test.moc"
