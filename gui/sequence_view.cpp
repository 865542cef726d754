#include "gui/sequence_view.hpp"

#include <QContextMenuEvent>
#include <QFile>
#include <QFont>
#include <QImage>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/diagram/svg.hpp"

namespace tcpsim::gui {
namespace {

using diagram::Label;
using diagram::Layout;
using diagram::PrimKind;

constexpr double kZoomStep = 1.25;
constexpr double kMinZoom = 0.05;
constexpr double kMaxZoom = 8;

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }
QRectF rect_of(const diagram::Box& b) { return {b.x, b.y, b.w, b.h}; }
QPointF pt(diagram::Point p) { return {p.x, p.y}; }

QFont font(bool small) {
  QFont f(QStringLiteral("DejaVu Sans Mono"));
  f.setStyleHint(QFont::Monospace);
  f.setPixelSize(static_cast<int>(small ? diagram::Style::small_px : diagram::Style::font_px));
  return f;
}

// The same colours as the SVG writer.
QColor arrow_colour(const diagram::Arrow& a) {
  if (a.discarded) return QColor(0x8e, 0x24, 0xaa);
  if (a.fate == diagram::Fate::Lost) return QColor(0xc6, 0x28, 0x28);
  if (a.retransmission) return QColor(0xe6, 0x51, 0x00);
  if (a.copy) return QColor(0x6a, 0x1b, 0x9a);
  if (a.fate == diagram::Fate::InFlight) return QColor(0x15, 0x65, 0xc0);
  return QColor(0x26, 0x32, 0x38);
}

// Paints one layout; `clip` is the scene rectangle to cover (only what meets it is drawn).
class Painter {
 public:
  Painter(QPainter& p, const Layout& l) : p_(p), l_(l) {}

  // `headers`: the host names and lane labels too (the view draws them itself, pinned to the
  // top of the viewport: see SequenceView::drawForeground()).
  void paint(const QRectF& clip, bool headers = true) {
    p_.setRenderHint(QPainter::Antialiasing);
    p_.fillRect(clip, Qt::white);
    if (clip.top() < l_.lanes_top) {
      text(l_.title_label, QColor(0x21, 0x21, 0x21), true);
      text(l_.legend, QColor(0x61, 0x61, 0x61));
      if (headers) paint_headers(0);
    }
    p_.setPen(QPen(QColor(0x90, 0xa4, 0xae), 1));
    for (const auto& ln : l_.lanes)
      p_.drawLine(QPointF(ln.x, std::max(l_.lanes_top, clip.top())), QPointF(ln.x, std::min(l_.lanes_bottom, clip.bottom())));
    const auto prims = l_.visible(clip.top(), clip.bottom());
    // Kinds come sorted in drawing order: bands, timers, breaks, arrows, then the text.
    // A note's white ground goes under the arrows: it keeps the note readable where lines cross
    // it without hiding an arrow (a lost ACK under its note would vanish).
    for (const auto& r : prims)
      if (r.kind == PrimKind::Annotation) note_ground(l_.annotations[r.index]);
    for (const auto& r : prims) shape(r);
    for (const auto& r : prims) words(r);
  }

  void note_ground(const diagram::Annotation& a) {
    if (a.kind == diagram::AnnotationKind::Note && a.label.shown())
      p_.fillRect(rect_of(a.label.box).adjusted(-2, 0, 2, 0), QColor(255, 255, 255, 217));
  }

  // The host names and lane labels, `dy` below where the layout put them; `host_x`, if given,
  // the left of each host's name (moved into the part of its lanes in view).
  void paint_headers(double dy, const std::vector<double>* host_x = nullptr) {
    for (std::size_t i = 0; i < l_.hosts.size(); ++i) {
      Label h = l_.hosts[i].label;
      if (host_x != nullptr && i < host_x->size()) h.box.x = (*host_x)[i];
      text(h, QColor(0x21, 0x21, 0x21), true, dy);
    }
    for (const auto& ln : l_.lanes) text(ln.label, ln.group.empty() ? QColor(0x21, 0x21, 0x21) : QColor(0x15, 0x65, 0xc0), false, dy);
  }

 private:
  void text(const Label& l, const QColor& c, bool bold = false, double dy = 0) {
    if (!l.shown()) return;
    QFont f = font(l.small);
    f.setBold(bold);
    p_.setFont(f);
    p_.setPen(c);
    // A wrapped note has several lines, one line height each (Style::line_h), from the top.
    const bool lines = l.text.find('\n') != std::string::npos;
    p_.drawText(rect_of(l.box).adjusted(0, dy, 40, dy), Qt::AlignLeft | (lines ? Qt::AlignTop : Qt::AlignVCenter), qs(l.text));
  }

  void shape(diagram::PrimRef r) {
    switch (r.kind) {
      case PrimKind::Band: {
        const auto& b = l_.bands[r.index];
        const double x = l_.lanes[b.lane].x - diagram::Style::band_w / 2;
        p_.fillRect(QRectF(x, b.y0, diagram::Style::band_w, b.y1 - b.y0), QColor(diagram::state_colour(b.state)));
        break;
      }
      case PrimKind::Timer: timer(l_.timers[r.index]); break;
      case PrimKind::Arrow: arrow(l_.arrows[r.index]); break;
      case PrimKind::Break: {
        const auto& b = l_.breaks[r.index];
        const double ym = (b.y0 + b.y1) / 2;
        QPainterPath zig;
        bool up = true;
        zig.moveTo(diagram::Style::axis_w, ym);
        for (double x = diagram::Style::axis_w; x <= l_.width - 20; x += 12, up = !up) zig.lineTo(x, ym + (up ? -4 : 4));
        p_.setPen(QPen(QColor(0x9e, 0x9e, 0x9e), 1.2));
        p_.setBrush(Qt::NoBrush);
        p_.drawPath(zig);
        break;
      }
      default: break;
    }
  }

  void words(diagram::PrimRef r) {
    switch (r.kind) {
      case PrimKind::Arrow: {
        const auto& a = l_.arrows[r.index];
        if (a.label.shown()) p_.fillRect(rect_of(a.label.box).adjusted(-2, 0, 2, 0), QColor(255, 255, 255, 217));
        text(a.label, QColor(0x21, 0x21, 0x21));
        text(a.reason_label, QColor(0xc6, 0x28, 0x28));
        break;
      }
      case PrimKind::State: text(l_.states[r.index].label, QColor(0x1b, 0x5e, 0x20), true); break;
      case PrimKind::Timer: text(l_.timers[r.index].label, QColor(0x6d, 0x4c, 0x41)); break;
      case PrimKind::Annotation: {
        const auto& a = l_.annotations[r.index];
        const QColor c = a.kind == diagram::AnnotationKind::Call     ? QColor(0x37, 0x47, 0x4f)
                         : a.kind == diagram::AnnotationKind::Notify ? QColor(0x45, 0x27, 0xa0)
                                                                     : QColor(0x8d, 0x6e, 0x63);
        text(a.label, c);  // on its white ground (note_ground), drawn before the arrows
        break;
      }
      case PrimKind::Break: text(l_.breaks[r.index].label, QColor(0x61, 0x61, 0x61)); break;
      case PrimKind::Tick: text(l_.ticks[r.index].label, QColor(0x61, 0x61, 0x61)); break;
      default: break;
    }
  }

  void timer(const diagram::TimerBracket& t) {
    const double tick = t.x > l_.lanes[t.lane].x ? 4 : -4;
    QPen pen(QColor(0x6d, 0x4c, 0x41), 1.2);
    if (t.end == diagram::TimerEnd::Pending) pen.setDashPattern({3, 2});
    p_.setPen(pen);
    p_.setBrush(Qt::NoBrush);
    QPainterPath path;
    path.moveTo(t.x + tick, t.y0);
    path.lineTo(t.x, t.y0);
    path.lineTo(t.x, t.y1);
    if (t.end != diagram::TimerEnd::Pending) path.lineTo(t.x + tick, t.y1);
    p_.drawPath(path);
    if (t.end != diagram::TimerEnd::Pending) {
      p_.setPen(QPen(QColor(0x6d, 0x4c, 0x41), 1));
      p_.setBrush(t.end == diagram::TimerEnd::Fired ? QColor(0xd8, 0x43, 0x15) : QColor(Qt::white));
      p_.drawEllipse(QPointF(t.x, t.y1), 2.5, 2.5);
    }
  }

  void arrow(const diagram::Arrow& a) {
    const QColor c = arrow_colour(a);
    QPen pen(c, a.retransmission ? 1.8 : 1.4);
    if (a.fate == diagram::Fate::InFlight) pen.setDashPattern({6 / 1.4, 4 / 1.4});
    else if (a.retransmission) pen.setDashPattern({2 / 1.8, 3 / 1.8});
    p_.setPen(pen);
    p_.drawLine(pt(a.from), pt(a.to));
    if (a.fate == diagram::Fate::Delivered) {
      // Arrowhead at the receiving end.
      const QPointF tip = pt(a.to);
      const double ang = std::atan2(a.to.y - a.from.y, a.to.x - a.from.x);
      const QPointF b1 = tip - QPointF(std::cos(ang - 0.4) * 9, std::sin(ang - 0.4) * 9);
      const QPointF b2 = tip - QPointF(std::cos(ang + 0.4) * 9, std::sin(ang + 0.4) * 9);
      p_.setPen(Qt::NoPen);
      p_.setBrush(c);
      p_.drawPolygon(QPolygonF({tip, b1, b2}));
    } else if (a.discarded) {
      // A bar across the end: it arrived, and its receiver threw it away.
      p_.setPen(QPen(c, 3));
      p_.drawLine(QPointF(a.to.x, a.to.y - 6), QPointF(a.to.x, a.to.y + 6));
    } else if (a.fate == diagram::Fate::Lost) {
      p_.setPen(QPen(c, 2.2));
      const double s = 5;
      p_.drawLine(QPointF(a.to.x - s, a.to.y - s), QPointF(a.to.x + s, a.to.y + s));
      p_.drawLine(QPointF(a.to.x - s, a.to.y + s), QPointF(a.to.x + s, a.to.y - s));
    }
    if (a.copy) {
      p_.setPen(Qt::NoPen);
      p_.setBrush(c);
      p_.drawEllipse(QPointF(a.from.x + (a.to.x > a.from.x ? 12 : -12), a.from.y), 3, 3);
    }
  }

  QPainter& p_;
  const Layout& l_;
};

}  // namespace

SequenceView::SequenceView(QWidget* parent) : QGraphicsView(parent) {
  setScene(new QGraphicsScene(this));
  setDragMode(QGraphicsView::ScrollHandDrag);
  setMouseTracking(true);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
  setAlignment(Qt::AlignLeft | Qt::AlignTop);
  setBackgroundBrush(Qt::white);
  rebuild();
}

SequenceView::~SequenceView() = default;

void SequenceView::set_trace(const trace::Trace& trace, const diagram::Names& names, const trace::TraceFacts* facts) {
  trace_ = &trace;
  facts_ = facts;
  names_ = names;
  rebuild();
}

void SequenceView::clear() {
  trace_ = nullptr;
  facts_ = nullptr;
  selected_ = diagram::kNone;
  rebuild();
}

void SequenceView::set_cursor(std::size_t records_revealed) {
  options_.cursor = records_revealed;
  rebuild();
}

void SequenceView::set_options(const diagram::Options& options) {
  const std::size_t cursor = options_.cursor;
  options_ = options;
  options_.cursor = cursor;
  rebuild();
}

void SequenceView::on_record_selected(std::function<void(std::size_t)> callback) { on_selected_ = std::move(callback); }

void SequenceView::on_what_if(std::function<void(std::size_t, WhatIfAction, sim::Duration)> callback) {
  on_what_if_ = std::move(callback);
}

void SequenceView::select_record(std::size_t record_index) {
  selected_ = record_index;
  if (record_index < layout_.record_y.size()) {
    const QRectF view = mapToScene(viewport()->rect()).boundingRect();
    centerOn(view.center().x(), layout_.record_y[record_index]);
  }
  viewport()->update();
}

void SequenceView::zoom_in() { set_zoom(zoom_ * kZoomStep); }
void SequenceView::zoom_out() { set_zoom(zoom_ / kZoomStep); }

void SequenceView::set_zoom(double factor) {
  zoom_ = std::clamp(factor, kMinZoom, kMaxZoom);
  setTransform(QTransform::fromScale(zoom_, zoom_));
}

bool SequenceView::export_svg(const QString& path) const {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  const std::string svg = diagram::to_svg(layout_);
  return f.write(svg.data(), static_cast<qint64>(svg.size())) == static_cast<qint64>(svg.size());
}

bool SequenceView::export_png(const QString& path) const {
  const int w = static_cast<int>(std::ceil(layout_.width)), h = static_cast<int>(std::ceil(layout_.height));
  if (w <= 0 || h <= 0 || w > 32767 || h > 32767) return false;  // QImage's (and PNG viewers') limit
  QImage img(w, h, QImage::Format_RGB32);
  if (img.isNull()) return false;
  img.fill(Qt::white);
  {
    QPainter p(&img);
    Painter(p, layout_).paint(QRectF(0, 0, w, h));
  }
  return img.save(path, "PNG");
}

QString SequenceView::tooltip_at(QPointF scene_pos) const {
  const auto hit = layout_.hit({scene_pos.x(), scene_pos.y()}, 4 / zoom_);
  if (!hit) return {};
  const std::size_t rec = layout_.record_of(*hit);
  QString tip;
  switch (hit->kind) {
    case PrimKind::Arrow: {
      const auto& a = layout_.arrows[hit->index];
      tip = qs(a.label.text);
      if (!a.cause.empty()) tip += QStringLiteral("\n") + qs(a.cause);
      if (a.fate == diagram::Fate::Lost) tip += (a.discarded ? QStringLiteral("\n") : QStringLiteral("\nlost: ")) + qs(a.reason);
      if (a.fate == diagram::Fate::InFlight) tip += QStringLiteral("\nin flight");
      if (a.injected) tip += QStringLiteral("\ninjected by the scenario");
      if (!a.effects.empty()) tip += QStringLiteral("\n") + qs(a.effects);
      break;
    }
    case PrimKind::Band: tip = qs(layout_.bands[hit->index].state); break;
    case PrimKind::State: {
      const auto& s = layout_.states[hit->index];
      tip = qs(s.from) + QStringLiteral(" -> ") + qs(s.to) + QStringLiteral("\n") + qs(s.cause);
      break;
    }
    case PrimKind::Timer: {
      const auto& t = layout_.timers[hit->index];
      tip = qs(t.timer) + QStringLiteral(" timer, deadline ") + QString::fromStdString(sim::format_seconds(t.deadline)) +
            QStringLiteral(" s, ") + QString::fromLatin1(diagram::to_string(t.end)) +
            (t.cause.empty() ? QString() : QStringLiteral("\narmed by ") + qs(t.cause));
      break;
    }
    case PrimKind::Annotation: tip = QString::fromStdString(layout_.annotations[hit->index].detail); break;
    default: return {};
  }
  return tip + QStringLiteral("\nrecord #") + QString::number(rec);
}

std::optional<std::size_t> SequenceView::record_at(QPointF scene_pos) const {
  const auto hit = layout_.hit({scene_pos.x(), scene_pos.y()}, 4 / zoom_);
  if (!hit) return std::nullopt;
  const std::size_t rec = layout_.record_of(*hit);
  if (rec == diagram::kNone) return std::nullopt;
  return rec;
}

bool SequenceView::what_if_at(QPointF scene_pos, WhatIfAction action, sim::Duration extra) {
  const auto hit = layout_.hit({scene_pos.x(), scene_pos.y()}, 4 / zoom_);
  if (!hit || hit->kind != PrimKind::Arrow) return false;
  if (on_what_if_) on_what_if_(layout_.arrows[hit->index].record, action, action == WhatIfAction::Delay ? extra : sim::Duration::zero());
  return true;
}

void SequenceView::drawBackground(QPainter* painter, const QRectF& rect) {
  QPainter& p = *painter;
  Painter(p, layout_).paint(rect, false);  // the headers: drawForeground()
}

void SequenceView::drawForeground(QPainter* painter, const QRectF& rect) {
  if (selected_ != diagram::kNone) {
    // The primitives of the selected record, outlined.
    QPen pen(QColor(255, 160, 0, 200), 5 / zoom_);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    for (const auto& r : layout_.visible(rect.top(), rect.bottom())) {
      if (layout_.record_of(r) != selected_) continue;
      if (r.kind == PrimKind::Arrow) {
        const auto& a = layout_.arrows[r.index];
        painter->drawLine(pt(a.from), pt(a.to));
      } else if (r.kind == PrimKind::State) {
        painter->drawRect(rect_of(layout_.states[r.index].label.box));
      } else if (r.kind == PrimKind::Annotation) {
        painter->drawRect(rect_of(layout_.annotations[r.index].label.box));
      } else if (r.kind == PrimKind::Timer) {
        const auto& t = layout_.timers[r.index];
        painter->drawLine(QPointF(t.x, t.y0), QPointF(t.x, t.y1));
      }
    }
    if (selected_ < layout_.record_y.size()) {
      painter->setPen(QPen(QColor(255, 160, 0, 120), 1 / zoom_, Qt::DashLine));
      const double y = layout_.record_y[selected_];
      painter->drawLine(QPointF(0, y), QPointF(layout_.width, y));
    }
  }
  // The host names and lane labels last, over everything: where the layout put them until the
  // diagram scrolls past them, then pinned to the top of the viewport (in scene coordinates, so
  // they follow the horizontal scroll and the zoom like the lifelines below them).
  const QRectF band = header_band();
  if (band.isEmpty()) return;
  const double dy = header_shift();
  const QRectF shown = mapToScene(viewport()->rect()).boundingRect();
  const QRectF pinned(shown.left(), band.top() + dy, shown.width(), band.height());
  painter->save();
  painter->fillRect(pinned, Qt::white);
  if (dy > 0) {
    painter->setPen(QPen(QColor(0x90, 0xa4, 0xae), 1 / zoom_));
    painter->drawLine(pinned.bottomLeft(), pinned.bottomRight());
  }
  std::vector<double> host_x;
  for (const auto& h : layout_.hosts) host_x.push_back(host_left(h));
  Painter(*painter, layout_).paint_headers(dy, &host_x);
  painter->restore();
}

QRectF SequenceView::header_band() const {
  QRectF band;
  auto add = [&band](const Label& l) {
    if (l.shown()) band = band.united(rect_of(l.box));
  };
  for (const auto& h : layout_.hosts) add(h.label);
  for (const auto& l : layout_.lanes) add(l.label);
  return band.isEmpty() ? band : band.adjusted(0, -4, 0, 4);
}

double SequenceView::header_shift() const {
  const QRectF band = header_band();
  if (band.isEmpty()) return 0;
  const double view_top = mapToScene(QPoint(0, 0)).y();
  return std::max(0.0, view_top - band.top());
}

QRectF SequenceView::header_rect(const Label& l) const {
  const QRectF scene = rect_of(l.box).translated(0, header_shift());
  return QRectF(mapFromScene(scene.topLeft()), mapFromScene(scene.bottomRight()));
}

double SequenceView::host_left(const diagram::HostHeader& h) const {
  // Centred over the part of the host's lanes in view (a host of many lanes keeps its name in
  // sight while the view shows some of them), but never beyond its first or last lane.
  const QRectF shown = mapToScene(viewport()->rect()).boundingRect();
  const double w = h.label.box.w;
  const double a = std::max(h.x0, shown.left() + w / 2 + 4), b = std::min(h.x1, shown.right() - w / 2 - 4);
  const double centre = a <= b ? (a + b) / 2 : (h.x0 + h.x1) / 2;
  return centre - w / 2;
}

QRectF SequenceView::lane_header_rect(std::size_t lane) const {
  return lane < layout_.lanes.size() ? header_rect(layout_.lanes[lane].label) : QRectF();
}

QRectF SequenceView::host_header_rect(std::size_t host) const {
  if (host >= layout_.hosts.size()) return {};
  Label l = layout_.hosts[host].label;
  l.box.x = host_left(layout_.hosts[host]);
  return header_rect(l);
}

void SequenceView::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ControlModifier) {
    if (event->angleDelta().y() > 0) zoom_in();
    else if (event->angleDelta().y() < 0) zoom_out();
    event->accept();
    return;
  }
  QGraphicsView::wheelEvent(event);
}

void SequenceView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoom_in(); return;
    case Qt::Key_Minus: zoom_out(); return;
    case Qt::Key_0: set_zoom(1); return;
    default: QGraphicsView::keyPressEvent(event);
  }
}

void SequenceView::toggle_group(const std::string& key) {
  if (!options_.expand.erase(key)) options_.expand.insert(key);
  rebuild();
}

void SequenceView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    // A group lane's label, where it is drawn (pinned to the top once scrolled).
    const QPointF p = mapToScene(event->position().toPoint()) - QPointF(0, header_shift());
    for (const auto& lane : layout_.lanes) {
      if (lane.group.empty() || !lane.label.box.contains({p.x(), p.y()})) continue;
      toggle_group(lane.group);
      return;
    }
    if (const auto rec = record_at(mapToScene(event->position().toPoint()))) {
      selected_ = *rec;
      viewport()->update();
      if (on_selected_) on_selected_(*rec);
    }
  }
  QGraphicsView::mousePressEvent(event);
}

void SequenceView::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() == Qt::NoButton) {
    const QString tip = tooltip_at(mapToScene(event->position().toPoint()));
    if (tip.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), tip, viewport());
  }
  QGraphicsView::mouseMoveEvent(event);
}

void SequenceView::contextMenuEvent(QContextMenuEvent* event) {
  const QPointF scene_pos = mapToScene(event->pos());
  const auto hit = layout_.hit({scene_pos.x(), scene_pos.y()}, 4 / zoom_);
  if (!hit || hit->kind != PrimKind::Arrow) {
    QGraphicsView::contextMenuEvent(event);
    return;
  }
  QMenu menu(this);
  const QStringList entries = what_if_menu_at(scene_pos);
  QAction* drop = menu.addAction(entries.value(0));
  QAction* delay = menu.addAction(entries.value(1));
  QAction* dup = menu.addAction(entries.value(2));
  QAction* chosen = menu.exec(event->globalPos());
  if (chosen == drop) {
    what_if_at(scene_pos, WhatIfAction::Drop);
  } else if (chosen == dup) {
    what_if_at(scene_pos, WhatIfAction::Duplicate);
  } else if (chosen == delay) {
    bool ok = false;
    const QString text = QInputDialog::getText(this, QStringLiteral("Delay the segment"),
                                               QStringLiteral("Extra delay (e.g. 50ms, 1.5s):"), QLineEdit::Normal,
                                               QStringLiteral("50ms"), &ok);
    if (!ok) return;
    try {
      const sim::Duration d = sim::parse_duration(text.trimmed().toStdString());
      if (d > sim::Duration::zero()) what_if_at(scene_pos, WhatIfAction::Delay, d);
    } catch (const sim::DurationError& e) {
      QToolTip::showText(event->globalPos(), QString::fromStdString(e.what()), this);
    }
  }
}

QStringList SequenceView::what_if_menu_at(QPointF scene_pos) const {
  const auto hit = layout_.hit({scene_pos.x(), scene_pos.y()}, 4 / zoom_);
  if (!hit || hit->kind != PrimKind::Arrow || trace_ == nullptr) return {};
  const auto& a = layout_.arrows[hit->index];
  // The segment by its label, its sender and receiver hosts, and its record number.
  QString who;
  if (a.from_lane != diagram::kNone && a.from_lane < layout_.lanes.size()) {
    who = QString::fromStdString(trace_->node_name(layout_.lanes[a.from_lane].node));
    if (a.to_lane != diagram::kNone && a.to_lane < layout_.lanes.size())
      who += QStringLiteral(" → ") + QString::fromStdString(trace_->node_name(layout_.lanes[a.to_lane].node));
  }
  const QString what = QStringLiteral("%1 (%2, #%3)").arg(QString::fromStdString(a.label.text), who).arg(a.record);
  return {QStringLiteral("Drop ") + what, QStringLiteral("Delay ") + what + QStringLiteral(" by..."),
          QStringLiteral("Duplicate ") + what};
}

void SequenceView::rebuild() {
  layout_ = trace_ != nullptr ? diagram::build_layout(*trace_, options_, names_, facts_) : diagram::Layout{};
  scene()->setSceneRect(0, 0, std::max(layout_.width, 1.0), std::max(layout_.height, 1.0));
  viewport()->update();
}

}  // namespace tcpsim::gui
