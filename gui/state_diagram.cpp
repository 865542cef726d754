#include "gui/state_diagram.hpp"

#include <QBrush>
#include <QFont>
#include <QGraphicsPathItem>
#include <QGraphicsPolygonItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QPainterPath>
#include <QPen>
#include <QResizeEvent>
#include <cmath>
#include <set>

#include "gui/stepper.hpp"
#include "models/tcp/state.hpp"

namespace tcpsim::gui {
namespace {

constexpr double kW = 132;  // node box
constexpr double kH = 30;
constexpr double kCenterX = 300;

// Node centres, placed as in RFC 9293 Figure 5.
QPointF position(tcp::State s) {
  using S = tcp::State;
  switch (s) {
    case S::Closed: return {300, 0};
    case S::Listen: return {300, 100};
    case S::SynReceived: return {80, 200};
    case S::SynSent: return {520, 200};
    case S::Established: return {300, 290};
    case S::FinWait1: return {80, 380};
    case S::CloseWait: return {520, 380};
    case S::Closing: return {300, 400};
    case S::FinWait2: return {80, 500};
    case S::TimeWait: return {300, 500};
    case S::LastAck: return {520, 500};
  }
  return {};
}

// The second CLOSED box, where the closing states end.
const QPointF kClosedBelow(520, 590);

// Where an edge into `to` from `from` ends: the bottom CLOSED for the synchronized states.
QPointF target(tcp::State from, tcp::State to) {
  if (to == tcp::State::Closed && position(from).y() >= position(tcp::State::Established).y()) return kClosedBelow;
  return position(to);
}

// The edges of Figure 5 itself; the others come from its notes and §3.10.
bool primary(tcp::Event e) {
  using E = tcp::Event;
  return e != E::UserAbort && e != E::RcvRst && e != E::RetransmitGiveUp && e != E::UserTimeout &&
         e != E::FinWait2Timeout;  // Linux's orphan timeout, not in the figure
}

// Where the segment from the centre of a box towards `toward` leaves the box.
QPointF box_exit(QPointF centre, QPointF toward) {
  const QPointF d = toward - centre;
  const double sx = d.x() == 0 ? 1e9 : (kW / 2 + 3) / std::abs(d.x());
  const double sy = d.y() == 0 ? 1e9 : (kH / 2 + 3) / std::abs(d.y());
  return centre + d * std::min(sx, sy);
}

const QColor kInk(0x33, 0x33, 0x33);
const QColor kFaint(0xb8, 0xb8, 0xb8);
const QColor kHot(0xd6, 0x27, 0x28);
const QColor kNodeFill(0xf4, 0xf6, 0xfa);
const QColor kNowFill(0xff, 0xe0, 0x8a);

}  // namespace

StateDiagram::StateDiagram(QWidget* parent) : QGraphicsView(parent) {
  auto* scene = new QGraphicsScene(this);
  setScene(scene);
  setRenderHint(QPainter::Antialiasing);
  setRenderHint(QPainter::TextAntialiasing);
  setBackgroundBrush(Qt::white);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

  QFont node_font = font();
  node_font.setPixelSize(15);
  node_font.setBold(true);
  QFont edge_font = font();
  edge_font.setPixelSize(12);

  auto add_node = [&](tcp::State s, QPointF c) {
    auto* box = scene->addRect(QRectF(c.x() - kW / 2, c.y() - kH / 2, kW, kH), QPen(kInk, 1.2), QBrush(kNodeFill));
    box->setZValue(2);
    auto* text = scene->addSimpleText(QString::fromLatin1(tcp::to_string(s).data(), static_cast<int>(tcp::to_string(s).size())), node_font);
    const QRectF tb = text->boundingRect();
    text->setPos(c.x() - tb.width() / 2, c.y() - tb.height() / 2);
    text->setZValue(3);
    nodes_.insert({std::string(tcp::trace_name(s)), Node{box, text}});
  };
  for (tcp::State s : tcp::kAllStates) add_node(s, position(s));
  add_node(tcp::State::Closed, kClosedBelow);

  // One edge per (from, to) pair; its label lists the events of Figure 5 that take it.
  std::map<std::pair<tcp::State, tcp::State>, std::pair<QStringList, QStringList>> pairs;  // primary, all
  for (const auto& t : tcp::all_transitions()) {
    if (t.from == t.to) continue;
    auto& [prim, all] = pairs[{t.from, t.to}];
    const QString name = QString::fromLatin1(tcp::to_string(t.event).data(), static_cast<int>(tcp::to_string(t.event).size()));
    all << name;
    if (primary(t.event)) prim << name;
  }
  for (const auto& [key, lists] : pairs) {
    const auto& [prim, all] = lists;
    const QPointF a = position(key.first);
    const QPointF b = target(key.first, key.second);
    const QPointF mid = (a + b) / 2;
    QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    QPointF perp(-d.y() / len, d.x() / len);
    double bend = 16;
    if (len > 300) {  // long edges swing outward, around the middle column
      bend = 0.55 * len;
      const double side = (mid + perp).x() - kCenterX;
      const bool vertical = std::abs(mid.x() - kCenterX) < 1;
      if ((vertical && perp.x() > 0) || (!vertical && (side > 0) != (mid.x() > kCenterX))) perp = -perp;
    }
    const QPointF ctrl = mid + perp * bend;
    const QPointF start = box_exit(a, ctrl);
    const QPointF end = box_exit(b, ctrl);
    QPainterPath path(start);
    path.quadTo(ctrl, end);
    const bool is_primary = !prim.isEmpty();
    auto* item = scene->addPath(path, QPen(is_primary ? kInk : kFaint, is_primary ? 1.2 : 0.8,
                                           is_primary ? Qt::SolidLine : Qt::DashLine));
    item->setZValue(is_primary ? 1 : 0);
    item->setToolTip(all.join(QStringLiteral(", ")));
    item->setVisible(is_primary);  // the edges of the notes appear when taken
    QPointF dir = end - ctrl;
    dir /= std::hypot(dir.x(), dir.y());
    const QPointF side(-dir.y(), dir.x());
    QPolygonF tri({end, end - dir * 8 + side * 3.5, end - dir * 8 - side * 3.5});
    auto* head = scene->addPolygon(tri, QPen(Qt::NoPen), QBrush(is_primary ? kInk : kFaint));
    head->setZValue(1);
    head->setVisible(is_primary);
    QGraphicsSimpleTextItem* label = nullptr;
    if (is_primary) {
      label = scene->addSimpleText(prim.join(QStringLiteral(" / ")), edge_font);
      label->setBrush(QColor(0x1f, 0x4e, 0x9c));
      // Beside the curve on its bulging side, so the labels of a pair of opposite edges part.
      const QRectF lb = label->boundingRect();
      const double away = std::abs(perp.x()) * lb.width() / 2 + std::abs(perp.y()) * lb.height() / 2 + 2;
      const QPointF at = path.pointAtPercent(0.5) + perp * away;
      label->setPos(at.x() - lb.width() / 2, at.y() - lb.height() / 2);
      label->setZValue(4);
    }
    edges_[{std::string(tcp::trace_name(key.first)), std::string(tcp::trace_name(key.second))}] = {item, head, label,
                                                                                                     is_primary, all.join(QStringLiteral(", "))};
  }
  // The figure's extent: the nodes and the edges drawn by default (not the hidden ones).
  QRectF extent;
  for (const auto& [name, n] : nodes_) extent |= n.box->sceneBoundingRect();
  for (const auto& [key, e] : edges_)
    if (e.primary) {
      extent |= e.path->sceneBoundingRect();
      if (e.label) extent |= e.label->sceneBoundingRect();
    }
  scene->setSceneRect(extent.adjusted(-6, -6, 6, 6));
}

QString StateDiagram::edge_label(const std::string& from, const std::string& to) const {
  const auto it = edges_.find({from, to});
  return it == edges_.end() ? QString() : it->second.events;
}

QString StateDiagram::caption() const { return caption_; }

void StateDiagram::paint_normal() {
  for (auto& [name, n] : nodes_) {
    n.box->setBrush(kNodeFill);
    n.box->setPen(QPen(kInk, 1.2));
  }
  for (auto& [key, e] : edges_) {
    e.path->setPen(QPen(e.primary ? kInk : kFaint, e.primary ? 1.2 : 0.8, e.primary ? Qt::SolidLine : Qt::DashLine));
    e.path->setZValue(e.primary ? 1 : 0);
    e.path->setVisible(e.primary);
    e.head->setVisible(e.primary);
    e.head->setBrush(e.primary ? kInk : kFaint);
    if (e.label) e.label->setBrush(QColor(0x1f, 0x4e, 0x9c));
  }
  edge_.clear();
  state_.clear();
  caption_.clear();
}

void StateDiagram::clear_highlight() { paint_normal(); }

void StateDiagram::set_state(const std::string& state, const QString& caption) {
  paint_normal();
  const auto [first, last] = nodes_.equal_range(state);
  if (first == last) return;
  for (auto it = first; it != last; ++it) {
    it->second.box->setBrush(kNowFill);
    it->second.box->setPen(QPen(kHot, 2.2));
  }
  state_ = QString::fromStdString(state);
  caption_ = caption;
}

void StateDiagram::set_transition(const std::string& from, const std::string& to, const QString& caption) {
  set_state(to, caption);
  const auto it = edges_.find({from, to});
  if (it == edges_.end()) return;
  Edge& e = it->second;
  e.path->setPen(QPen(kHot, 3.0));
  e.path->setZValue(5);
  e.path->setVisible(true);
  e.head->setBrush(kHot);
  e.head->setZValue(5);
  e.head->setVisible(true);
  if (e.label) e.label->setBrush(kHot);
  const auto [first, last] = nodes_.equal_range(from);
  for (auto n = first; n != last; ++n) n->second.box->setPen(QPen(kHot, 1.6, Qt::DashLine));
  edge_ = QString::fromStdString(from + ">" + to);
}

void StateDiagram::resizeEvent(QResizeEvent* e) {
  QGraphicsView::resizeEvent(e);
  fitInView(sceneRect(), Qt::KeepAspectRatio);
}

}  // namespace tcpsim::gui
