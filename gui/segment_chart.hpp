// Cumulative delivered and dropped segments over virtual time, as two step-shaped line series.
//
// sync() reads only the records appended since the previous call, so stepping stays cheap; the
// series end at the world's current time with the trace's final counts.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>
#include <cstddef>

#include "sim/kernel/time.hpp"
#include "sim/trace/trace.hpp"

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace tcpsim::gui {

class SegmentChart final : public QWidget {
 public:
  explicit SegmentChart(QWidget* parent = nullptr);

  // Forgets every point (a new or restarted world).
  void reset();
  // Adds the deliveries and drops recorded since the last call; `now` is the world's clock.
  void sync(const trace::Trace& trace, sim::Time now);

  const QLineSeries* delivered_series() const { return delivered_; }
  const QLineSeries* dropped_series() const { return dropped_; }

 private:
  void publish(double now_s);

  QChartView* view_;
  QChart* chart_;
  QLineSeries* delivered_;
  QLineSeries* dropped_;
  QValueAxis* x_;
  QValueAxis* y_;
  // The corners of each step curve; the series also get a last point at the current time.
  QList<QPointF> delivered_steps_;
  QList<QPointF> dropped_steps_;
  std::size_t seen_ = 0;  // records already read
};

}  // namespace tcpsim::gui
