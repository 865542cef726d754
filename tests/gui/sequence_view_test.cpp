// The sequence diagram view, headless: same layout as the SVG writer, cursor, clicks, tooltips,
// the what-if context actions, zoom and the exports.
#include <QFile>
#include <QImage>
#include <QKeyEvent>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QtTest>
#include <optional>
#include <variant>

#include "gui/sequence_view.hpp"
#include "sim/diagram/svg.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

using tcpsim::gui::SequenceView;
using tcpsim::gui::WhatIfAction;
namespace diagram = tcpsim::diagram;

namespace {

const QString kFaults = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/net/fault-rules.json");

std::unique_ptr<tcpsim::scenario::World> run(const QString& path) {
  auto loaded = tcpsim::scenario::load_file(path.toStdString());
  if (!loaded.scenario) return nullptr;
  auto w = std::make_unique<tcpsim::scenario::World>(*loaded.scenario);
  w->run();
  return w;
}

QPointF mid(const diagram::Arrow& a) { return {(a.from.x + a.to.x) / 2, (a.from.y + a.to.y) / 2}; }

// The first arrow whose midpoint hits that arrow (and nothing closer).
std::optional<std::size_t> clickable_arrow(const SequenceView& v, diagram::Fate fate) {
  const auto& l = v.layout();
  for (std::size_t i = 0; i < l.arrows.size(); ++i) {
    if (l.arrows[i].fate != fate) continue;
    const auto hit = l.hit({mid(l.arrows[i]).x(), mid(l.arrows[i]).y()});
    if (hit && hit->kind == diagram::PrimKind::Arrow && hit->index == i) return i;
  }
  return std::nullopt;
}

// Every lane's label and host's name drawn inside the viewport, at its lane's (host's) x, none
// overlapping another, and painted (dark pixels where the text is).
void check_headers(SequenceView& v, const char* when) {
  const auto& l = v.layout();
  const QRect port = v.viewport()->rect();
  const QImage img = v.viewport()->grab().toImage();
  if (const QByteArray out = qgetenv("TCPSIM_DIAGRAM_OUT"); !out.isEmpty())
    img.save(QString::fromUtf8(out) + QStringLiteral("/headers-") + QString::fromLatin1(when).replace(QLatin1Char(' '), QLatin1Char('-')) + QStringLiteral(".png"));
  auto inked = [&img](const QRectF& r) {
    int n = 0;
    const QRect px = r.toAlignedRect().intersected(img.rect());
    for (int y = px.top(); y <= px.bottom(); ++y)
      for (int x = px.left(); x <= px.right(); ++x) n += img.pixelColor(x, y).lightness() < 160 ? 1 : 0;
    return n;
  };
  std::vector<QRectF> rects;
  for (std::size_t i = 0; i < l.lanes.size() + l.hosts.size(); ++i) {
    const bool lane = i < l.lanes.size();
    const QRectF r = lane ? v.lane_header_rect(i) : v.host_header_rect(i - l.lanes.size());
    // A lane's label centred over it; a host's name over the span of its lanes.
    const double x0 = lane ? l.lanes[i].x : l.hosts[i - l.lanes.size()].x0;
    const double x1 = lane ? l.lanes[i].x : l.hosts[i - l.lanes.size()].x1;
    const QString what = QStringLiteral("%1: %2").arg(QLatin1String(when), QString::fromStdString(
        lane ? l.lanes[i].label.text : l.hosts[i - l.lanes.size()].label.text));
    const double vx0 = v.mapFromScene(QPointF(x0, 0)).x(), vx1 = v.mapFromScene(QPointF(x1, 0)).x();
    QVERIFY2(!r.isEmpty(), qPrintable(what));
    if (r.right() < port.left() || r.left() > port.right()) continue;  // scrolled off sideways
    QVERIFY2(r.top() >= port.top() && r.bottom() <= port.bottom(), qPrintable(what));
    if (lane) QVERIFY2(std::abs(r.center().x() - vx0) <= 1, qPrintable(what));
    else QVERIFY2(vx0 - 1 <= r.center().x() && r.center().x() <= vx1 + 1, qPrintable(what));
    QVERIFY2(inked(r) > 3, qPrintable(what));
    for (const QRectF& o : rects) QVERIFY2(!o.intersects(r), qPrintable(what));
    rects.push_back(r);
  }
  QVERIFY2(rects.size() >= 2, when);
}

}  // namespace

class SequenceViewTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void exportedSvgIsTheSameAsTheCommandLineWrites() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.set_trace(w->trace(), {w->scenario().name, {}});
    QVERIFY(v.layout().arrows.size() > 3);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("d.svg"));
    QVERIFY(v.export_svg(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray got = f.readAll();
    // `tcpsim run --svg` lays out with the default options and the scenario name.
    const std::string expected = diagram::to_svg(diagram::build_layout(w->trace(), {}, {w->scenario().name, {}}));
    QCOMPARE(got, QByteArray::fromStdString(expected));
    QVERIFY(got.contains("fault-rules"));
  }

  void cursorHidesLaterRecordsAndLeavesSegmentsInFlight() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.set_trace(w->trace());
    const std::size_t all = v.layout().arrows.size();
    // Just after the first SegmentSent: one arrow, in flight.
    const auto& recs = w->trace().records();
    std::size_t first_sent = 0;
    while (!std::holds_alternative<tcpsim::trace::SegmentSent>(recs[first_sent].body)) ++first_sent;
    v.set_cursor(first_sent + 1);
    QCOMPARE(v.layout().revealed, first_sent + 1);
    QCOMPARE(v.layout().arrows.size(), std::size_t{1});
    QCOMPARE(v.layout().arrows[0].fate, diagram::Fate::InFlight);
    const double short_height = v.scene()->sceneRect().height();
    v.set_cursor(diagram::kAll);
    QCOMPARE(v.layout().arrows.size(), all);
    QVERIFY(v.scene()->sceneRect().height() > short_height);
    if (const QByteArray out = qgetenv("TCPSIM_DIAGRAM_OUT"); !out.isEmpty()) {
      v.set_cursor(recs.size() / 2);
      QVERIFY(v.export_png(QString::fromUtf8(out) + QStringLiteral("/gui-half.png")));
    }
    // Options keep the cursor.
    v.set_cursor(first_sent + 1);
    diagram::Options o;
    o.axis = diagram::TimeAxis::EventStep;
    v.set_options(o);
    QCOMPARE(v.options().axis, diagram::TimeAxis::EventStep);
    QCOMPARE(v.layout().revealed, first_sent + 1);
  }

  void clickingAnArrowReportsItsRecord() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.resize(1200, 900);
    v.set_trace(w->trace());
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    std::optional<std::size_t> selected;
    v.on_record_selected([&](std::size_t r) { selected = r; });
    const auto i = clickable_arrow(v, diagram::Fate::Delivered);
    QVERIFY(i.has_value());
    const auto& a = v.layout().arrows[*i];
    v.centerOn(mid(a));
    QTest::mouseClick(v.viewport(), Qt::LeftButton, {}, v.mapFromScene(mid(a)));
    QVERIFY(selected.has_value());
    QCOMPARE(*selected, a.record);
    QCOMPARE(v.selected_record(), a.record);
    QVERIFY(std::holds_alternative<tcpsim::trace::SegmentSent>(w->trace().records()[*selected].body));
  }

  void tooltipsShowTheCauseAndTheFate() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.set_trace(w->trace());
    const auto lost = clickable_arrow(v, diagram::Fate::Lost);
    QVERIFY(lost.has_value());
    const auto& a = v.layout().arrows[*lost];
    const QString tip = v.tooltip_at(mid(a));
    QVERIFY2(tip.contains(QStringLiteral("lost: ")), qPrintable(tip));
    QVERIFY(tip.contains(QString::fromStdString(a.label.text)));
    QVERIFY(tip.contains(QStringLiteral("record #") + QString::number(a.record)));
    QVERIFY(v.tooltip_at(QPointF(2, v.layout().height - 2)).isEmpty());
  }

  void contextActionsOnAnArrowReportWhatIf() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.set_trace(w->trace());
    struct Call {
      std::size_t record;
      WhatIfAction action;
      tcpsim::sim::Duration extra;
    };
    std::vector<Call> calls;
    v.on_what_if([&](std::size_t r, WhatIfAction a, tcpsim::sim::Duration d) { calls.push_back({r, a, d}); });
    const auto i = clickable_arrow(v, diagram::Fate::Delivered);
    QVERIFY(i.has_value());
    const auto& a = v.layout().arrows[*i];
    QVERIFY(v.what_if_at(mid(a), WhatIfAction::Drop));
    QVERIFY(v.what_if_at(mid(a), WhatIfAction::Delay, tcpsim::sim::Duration::ms(50)));
    QVERIFY(v.what_if_at(mid(a), WhatIfAction::Duplicate, tcpsim::sim::Duration::ms(50)));
    QVERIFY(!v.what_if_at(QPointF(2, v.layout().height - 2), WhatIfAction::Drop));  // nothing there
    QCOMPARE(calls.size(), std::size_t{3});
    QCOMPARE(calls[0].record, a.record);
    QCOMPARE(calls[0].action, WhatIfAction::Drop);
    QCOMPARE(calls[1].action, WhatIfAction::Delay);
    QCOMPARE(calls[1].extra, tcpsim::sim::Duration::ms(50));
    QCOMPARE(calls[2].extra, tcpsim::sim::Duration::zero());  // only Delay carries a duration
  }

  void zoomKeysAndCtrlWheelChangeTheScale() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.set_trace(w->trace());
    QCOMPARE(v.zoom(), 1.0);
    QTest::keyClick(&v, Qt::Key_Plus);
    QCOMPARE(v.zoom(), 1.25);
    QCOMPARE(v.transform().m11(), 1.25);
    QTest::keyClick(&v, Qt::Key_Minus);
    QTest::keyClick(&v, Qt::Key_Minus);
    QCOMPARE(v.zoom(), 0.8);
    QWheelEvent up(QPointF(10, 10), v.mapToGlobal(QPoint(10, 10)), QPoint(), QPoint(0, 120), Qt::NoButton,
                   Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(v.viewport(), &up);
    QCOMPARE(v.zoom(), 1.0);
    v.set_zoom(1000);
    QVERIFY(v.zoom() <= 8);
  }

  void viewPaintsTheDiagramAndOutlinesTheSelection() {
    auto w = run(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/basic-three-way-handshake.json"));
    QVERIFY(w != nullptr);
    SequenceView v;
    v.resize(1000, 700);
    v.set_trace(w->trace(), {w->scenario().name, {}});
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    auto orange = [](const QImage& img) {
      int n = 0;
      for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
          const QColor c = img.pixelColor(x, y);
          n += c.red() > 200 && c.green() > 120 && c.green() < 210 && c.blue() < 90 ? 1 : 0;
        }
      return n;
    };
    const QImage before = v.viewport()->grab().toImage();
    const auto& lane = v.layout().lanes.front();
    const QPoint on_lane = v.mapFromScene(QPointF(lane.x, v.layout().lanes_top + 40));
    QVERIFY(before.pixelColor(on_lane) != QColor(Qt::white));
    const auto& ack = v.layout().arrows[2];  // the handshake's ACK
    v.select_record(ack.record);
    QCOMPARE(v.selected_record(), ack.record);
    const QImage after = v.viewport()->grab().toImage();
    QVERIFY(orange(after) > orange(before) + 50);
    // Zoomed out, the whole diagram fits and is still painted.
    v.set_zoom(0.5);
    const QImage small = v.viewport()->grab().toImage();
    QVERIFY(small.pixelColor(v.mapFromScene(QPointF(lane.x, v.layout().lanes_top + 40))) != QColor(Qt::white));
  }

  void hostHeadersStayAtTheTopWhenTheDiagramScrollsDown() {
    auto w = run(QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/attacks/syn-flood-backlog-overflow.json"));
    QVERIFY(w != nullptr);
    SequenceView v;
    v.resize(900, 600);
    v.set_trace(w->trace(), {w->scenario().name, {}});
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    QVERIFY(v.layout().height > 5 * 600);  // a long run: several screens down
    check_headers(v, "top");
    const QRectF top = v.lane_header_rect(0);
    v.verticalScrollBar()->setValue(v.verticalScrollBar()->maximum());
    QCoreApplication::processEvents();
    // The layout's own header rows are far above the viewport now.
    QVERIFY(v.mapFromScene(QPointF(0, v.layout().lanes_top)).y() < -2000);
    check_headers(v, "bottom");
    // The server's name, over five lanes, stays in view while some of them are.
    auto server_in_view = [&v] {
      bool server = false;
      for (std::size_t h = 0; h < v.layout().hosts.size(); ++h)
        if (v.layout().hosts[h].label.text == "server") {
          server = true;
          QVERIFY(v.viewport()->rect().contains(v.host_header_rect(h).toRect()));
        }
      QVERIFY(server);
    };
    server_in_view();
    QCOMPARE(v.lane_header_rect(0).left(), top.left());
    QVERIFY(v.lane_header_rect(0).top() < 40);
    // Scrolled sideways, the headers move with their lanes.
    v.horizontalScrollBar()->setValue(v.horizontalScrollBar()->maximum());
    QCoreApplication::processEvents();
    QVERIFY(v.horizontalScrollBar()->maximum() > 0);
    QCOMPARE(v.lane_header_rect(0).left(), top.left() - v.horizontalScrollBar()->maximum());
    check_headers(v, "bottom right");
    server_in_view();
    // Zoomed, still at the top and over their lanes.
    v.horizontalScrollBar()->setValue(0);
    v.set_zoom(0.6);
    v.verticalScrollBar()->setValue(v.verticalScrollBar()->maximum() / 2);
    QCoreApplication::processEvents();
    check_headers(v, "zoomed out");
    v.set_zoom(1.5);
    v.verticalScrollBar()->setValue(v.verticalScrollBar()->maximum());
    QCoreApplication::processEvents();
    check_headers(v, "zoomed in");
    // The spoofed sources' group lane, clicked at its pinned header, opens.
    v.set_zoom(1);
    v.verticalScrollBar()->setValue(v.verticalScrollBar()->maximum());
    QCoreApplication::processEvents();
    std::size_t group = diagram::kNone;
    for (std::size_t i = 0; i < v.layout().lanes.size(); ++i)
      if (v.layout().lanes[i].label.text.rfind("198.51.100.x", 0) == 0) group = i;
    QVERIFY(group != diagram::kNone);
    QVERIFY(v.layout().lanes[group].label.text.find("\xc3\x97" "40") != std::string::npos);
    v.centerOn(v.layout().lanes[group].x, v.layout().height);
    QCoreApplication::processEvents();
    const std::size_t lanes = v.layout().lanes.size();
    QTest::mouseClick(v.viewport(), Qt::LeftButton, {}, v.lane_header_rect(group).center().toPoint());
    QCOMPARE(v.layout().lanes.size(), lanes + 39);
  }

  void exportedPngShowsTheDiagram() {
    auto w = run(kFaults);
    QVERIFY(w != nullptr);
    SequenceView v;
    v.set_trace(w->trace(), {w->scenario().name, {}});
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("d.png"));
    QVERIFY(v.export_png(path));
    const QImage img(path);
    QVERIFY(!img.isNull());
    QCOMPARE(img.width(), static_cast<int>(std::ceil(v.layout().width)));
    // Lifelines and arrows are drawn: the lifeline column holds non-white pixels.
    const auto& lane = v.layout().lanes.front();
    const int y = static_cast<int>((v.layout().lanes_top + v.layout().lanes_bottom) / 2);
    QVERIFY(img.pixelColor(static_cast<int>(lane.x), y) != QColor(Qt::white));
    // The state band colours or the red of a lost arrow appear somewhere.
    bool red = false;
    for (int yy = 0; yy < img.height() && !red; yy += 1)
      for (int xx = 0; xx < img.width() && !red; xx += 1) {
        const QColor c = img.pixelColor(xx, yy);
        red = c.red() > 180 && c.green() < 80 && c.blue() < 80;
      }
    QVERIFY(red);
    // To look at a picture: TCPSIM_DIAGRAM_OUT=dir [TCPSIM_DIAGRAM_SCENARIO=file.json].
    if (const QByteArray out = qgetenv("TCPSIM_DIAGRAM_OUT"); !out.isEmpty()) {
      const QByteArray other = qgetenv("TCPSIM_DIAGRAM_SCENARIO");
      auto ow = other.isEmpty() ? nullptr : run(QString::fromUtf8(other));
      if (ow) v.set_trace(ow->trace(), {ow->scenario().name, {}});
      QVERIFY(v.export_png(QString::fromUtf8(out) + QStringLiteral("/gui-") +
                           QString::fromStdString(ow ? ow->scenario().name : w->scenario().name) + QStringLiteral(".png")));
      v.set_trace(w->trace());
    }
    v.clear();
    QVERIFY(v.layout().arrows.empty());
    QVERIFY(!v.export_png(path));  // nothing to draw
  }
};

QTEST_MAIN(SequenceViewTest)
#include "sequence_view_test.moc"
