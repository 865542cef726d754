#include "gui/sequence_view.hpp"

#include <QContextMenuEvent>
#include <QFile>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include "sim/diagram/svg.hpp"

namespace tcpsim::gui {

SequenceView::SequenceView(QWidget* parent) : QGraphicsView(parent) { setScene(new QGraphicsScene(this)); }
SequenceView::~SequenceView() = default;

void SequenceView::set_trace(const trace::Trace& trace, const diagram::Names& names) {
  trace_ = &trace;
  names_ = names;
  rebuild();
}
void SequenceView::clear() {
  trace_ = nullptr;
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
void SequenceView::select_record(std::size_t record_index) { selected_ = record_index; }
void SequenceView::zoom_in() { set_zoom(zoom_ * 1.25); }
void SequenceView::zoom_out() { set_zoom(zoom_ / 1.25); }
void SequenceView::set_zoom(double factor) { zoom_ = factor; }
bool SequenceView::export_svg(const QString& path) const {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  const std::string svg = diagram::to_svg(layout_);
  return f.write(svg.data(), static_cast<qint64>(svg.size())) == static_cast<qint64>(svg.size());
}
bool SequenceView::export_png(const QString&) const { return false; }
QString SequenceView::tooltip_at(QPointF) const { return {}; }
std::optional<std::size_t> SequenceView::record_at(QPointF) const { return std::nullopt; }
bool SequenceView::what_if_at(QPointF, WhatIfAction, sim::Duration) { return false; }
void SequenceView::drawBackground(QPainter* painter, const QRectF& rect) { QGraphicsView::drawBackground(painter, rect); }
void SequenceView::drawForeground(QPainter* painter, const QRectF& rect) { QGraphicsView::drawForeground(painter, rect); }
void SequenceView::wheelEvent(QWheelEvent* event) { QGraphicsView::wheelEvent(event); }
void SequenceView::keyPressEvent(QKeyEvent* event) { QGraphicsView::keyPressEvent(event); }
void SequenceView::mousePressEvent(QMouseEvent* event) { QGraphicsView::mousePressEvent(event); }
void SequenceView::mouseMoveEvent(QMouseEvent* event) { QGraphicsView::mouseMoveEvent(event); }
void SequenceView::contextMenuEvent(QContextMenuEvent* event) { QGraphicsView::contextMenuEvent(event); }

void SequenceView::rebuild() {
  layout_ = trace_ != nullptr ? diagram::build_layout(*trace_, options_, names_) : diagram::Layout{};
}

}  // namespace tcpsim::gui
