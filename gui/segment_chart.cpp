#include "gui/segment_chart.hpp"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QPainter>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <variant>

namespace tcpsim::gui {
namespace {

// A step curve: the count becomes `y` at time `t` (a vertical rise from the previous level).
void rise(QList<QPointF>& pts, double t, double y) {
  if (pts.back().x() == t) {
    pts.back().setY(y);
  } else {
    pts.append({t, pts.back().y()});
    pts.append({t, y});
  }
}

QLineSeries* make_series(const QString& name, const QColor& color) {
  auto* s = new QLineSeries;
  s->setName(name);
  QPen pen(color);
  pen.setWidthF(2.0);
  s->setPen(pen);
  return s;
}

// Integer ticks at 1, 2 or 5 times a power of ten, about five of them, covering [0, max].
void set_count_range(QValueAxis* axis, double max) {
  const double raw = std::max(max, 1.0) / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  step = std::max(step, 1.0);
  const double top = std::max(std::ceil(max / step), 1.0) * step;
  axis->setRange(0.0, top);
  axis->setTickCount(static_cast<int>(std::lround(top / step)) + 1);
}

// Fewest decimals that tell the ticks of `axis` apart (0.05 -> 2, 0.00025 -> 5).
void set_time_labels(QValueAxis* axis) {
  const double interval = (axis->max() - axis->min()) / std::max(axis->tickCount() - 1, 1);
  int decimals = 0;
  for (double scaled = interval; decimals < 9 && std::abs(scaled - std::round(scaled)) > 1e-6 * scaled; scaled *= 10)
    ++decimals;
  axis->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f"));
}

}  // namespace

SegmentChart::SegmentChart(QWidget* parent)
    : QWidget(parent),
      view_(new QChartView),
      chart_(new QChart),
      delivered_(make_series(QStringLiteral("delivered"), QColor(0x1b, 0x8a, 0x3a))),
      dropped_(make_series(QStringLiteral("dropped"), QColor(0xc6, 0x28, 0x28))),
      x_(new QValueAxis),
      y_(new QValueAxis) {
  chart_->addSeries(delivered_);
  chart_->addSeries(dropped_);
  x_->setTitleText(QStringLiteral("time (s)"));
  y_->setTitleText(QStringLiteral("segments"));
  y_->setLabelFormat(QStringLiteral("%d"));
  chart_->addAxis(x_, Qt::AlignBottom);
  chart_->addAxis(y_, Qt::AlignLeft);
  for (auto* s : {delivered_, dropped_}) {
    s->attachAxis(x_);
    s->attachAxis(y_);
  }
  chart_->setTitle(QStringLiteral("Cumulative segments"));
  chart_->legend()->setAlignment(Qt::AlignTop);
  chart_->setAnimationOptions(QChart::NoAnimation);
  chart_->setMargins(QMargins(4, 4, 4, 4));
  view_->setChart(chart_);
  view_->setRenderHint(QPainter::Antialiasing);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_);
  reset();
}

void SegmentChart::reset() {
  delivered_steps_ = {QPointF(0, 0)};
  dropped_steps_ = {QPointF(0, 0)};
  seen_ = 0;
  publish(0.0);
}

void SegmentChart::sync(const trace::Trace& trace, sim::Time now) {
  const auto& records = trace.records();
  for (; seen_ < records.size(); ++seen_) {
    const auto& r = records[seen_];
    if (std::holds_alternative<trace::SegmentDelivered>(r.body))
      rise(delivered_steps_, r.time.seconds(), delivered_steps_.back().y() + 1);
    else if (std::holds_alternative<trace::SegmentDropped>(r.body))
      rise(dropped_steps_, r.time.seconds(), dropped_steps_.back().y() + 1);
  }
  double now_s = now == sim::Time::max() ? 0.0 : now.seconds();
  if (!records.empty()) now_s = std::max(now_s, records.back().time.seconds());
  publish(now_s);
}

void SegmentChart::publish(double now_s) {
  const double end = std::max({now_s, delivered_steps_.back().x(), dropped_steps_.back().x()});
  for (auto [series, steps] : {std::pair{delivered_, &delivered_steps_}, std::pair{dropped_, &dropped_steps_}}) {
    QList<QPointF> pts = *steps;
    if (pts.back().x() < end) pts.append({end, pts.back().y()});
    series->replace(pts);
  }
  x_->setTickCount(6);
  x_->setRange(0.0, end > 0.0 ? end : 1.0);
  x_->applyNiceNumbers();
  set_time_labels(x_);
  set_count_range(y_, std::max(delivered_steps_.back().y(), dropped_steps_.back().y()));
}

}  // namespace tcpsim::gui
