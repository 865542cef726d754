// The Load view (Qt Charts): a run with many connections read as quantities over time, from
// trace::build_load (sim/trace/load.hpp), not as lifelines:
//   - connections per state, stacked (CLOSED left out: it only grows);
//   - each listener's SYN queue and accept queue (the most each held per bucket) against its
//     backlog, dashed;
//   - segments per bucket by fate: sent, delivered, discarded on arrival by the receiving TCP,
//     dropped by reason.
// Under each chart a word-wrapped legend names the series it shows.
// A vertical line marks the cursor in each chart, and the series stop there: the load is built
// from the revealed records only, so nothing after the cursor shows. The time axis covers the
// revealed part with a little room after the cursor (rounded up in steps of at most 25%), not
// the whole run, and the buckets are chosen from that span. It is rebuilt
// when the cursor moves while the view is shown (one pass over the revealed records), and on
// showing.
#pragma once

#include <QString>
#include <QWidget>
#include <cstddef>
#include <vector>

#include "gui/run_view.hpp"
#include "sim/trace/load.hpp"

class QChart;
class QChartView;
class QLineSeries;
class QAreaSeries;
class QValueAxis;
class QLabel;

namespace tcpsim::gui {

class LoadView final : public QWidget, public RunView {
 public:
  explicit LoadView(QWidget* parent = nullptr);

  QWidget* widget() override { return this; }
  QString title() const override { return QStringLiteral("Load"); }
  void show_run(const ShownRuns& runs) override;
  // Shows a run (nullptr: nothing). The pointers must outlive the next call.
  void set_run(const trace::Trace* trace, const trace::TraceFacts* facts);
  void set_cursor(std::size_t cursor) override;

  const trace::Load& load() const { return load_; }
  QChart* states_chart() { return states_; }
  QChart* queues_chart() { return queues_; }
  QChart* segments_chart() { return segments_; }
  // The legend under a chart, as plain text: the name of every series it shows.
  QString legend_text(QChart* chart) const;
  // The time the x axes cover, in seconds: [0, this].
  double shown_until() const;
  // The largest y of a named series in the queue chart ("10.0.0.2:80 SYN queue"), -1 if none.
  double queue_max(const QString& name) const;
  bool export_png(const QString& path);

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  struct Chart {
    QChart* chart;
    QChartView* view;
    QWidget* box;     // the view over its legend
    QLabel* legend;   // the series shown, word-wrapped (a chart's own legend cuts names short)
    QValueAxis* x;
    QValueAxis* y;
    QLineSeries* cursor;
  };
  Chart make_chart(const QString& title, const QString& y_title);
  void update_data();  // the load at the cursor, and the points from it
  void make_queue_series();
  void place_cursor(Chart& c, double x, double ymax);
  void fill_legend(Chart& c);
  QLineSeries* add_line(Chart& c, const QString& name, const QColor& colour, Qt::PenStyle style = Qt::SolidLine);

  const trace::Trace* trace_ = nullptr;
  const trace::TraceFacts* facts_ = nullptr;
  std::size_t cursor_ = 0;
  bool dirty_ = true;
  trace::Load load_;  // the revealed records

  QLabel* note_;
  Chart st_, qu_, sg_;
  QChart* states_;
  QChart* queues_;
  QChart* segments_;
  struct StateSeries {
    int state;
    QLineSeries* upper;
    QLineSeries* lower;
    QAreaSeries* area;
  };
  std::vector<StateSeries> state_series_;
  struct QueueSeries {
    std::size_t listener;
    bool syn;
    QLineSeries* line;
  };
  std::vector<QueueSeries> queue_series_;
  struct RateSeries {
    int kind;  // -1 sent, -2 delivered, -3 discarded, else a DropReason
    QLineSeries* line;
  };
  std::vector<RateSeries> rate_series_;
};

}  // namespace tcpsim::gui
