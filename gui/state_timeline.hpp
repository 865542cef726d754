// The state timeline (Qt Charts): one step line per connection endpoint, the eleven RFC 9293
// states on a categorical y axis, virtual time on x, and a vertical cursor line at the time of
// the last revealed record. Only the state changes revealed by the cursor are drawn; each line
// runs on to the cursor in the state it is in.
//
// The x axis is virtual time (its range follows the revealed part, so the handshake is not a
// sliver beside a 2MSL wait) or the event number (every record one step, as the diagram's
// "one row per event"). Clicking the chart moves the cursor: onto a state change when the click
// is near one of the drawn corners, else to the time or event clicked.
#pragma once

#include <QList>
#include <QString>
#include <QPointF>
#include <QWidget>
#include <cstddef>
#include <functional>
#include <vector>

#include "gui/connections.hpp"

class QCategoryAxis;
class QGraphicsSimpleTextItem;
class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace tcpsim::gui {

// Endpoints drawn one line each at most. A run with more (a flood, a churn of a thousand
// clients) draws only the endpoints selected (set_selected) and a note pointing to the Load tab,
// which shows connections per state for any number of them.
inline constexpr std::size_t kMaxTracks = 24;

// The y value of a state (trace spelling) on the timeline: its index in RFC 9293 order, -1 if unknown.
int state_row(std::string_view trace_name);

class StateTimeline final : public QWidget {
 public:
  explicit StateTimeline(QWidget* parent = nullptr);

  // Shows the endpoints of a run (nullptr: nothing). The pointers must outlive the next call.
  void set_run(const trace::Trace* trace, const Connections* conns);
  void set_cursor(std::size_t cursor);
  // The endpoints (indices into Connections::endpoints) drawn when there are too many for all.
  void set_selected(std::vector<std::size_t> endpoints);
  // More endpoints change state than kMaxTracks: only the selected are drawn.
  bool crowded() const { return crowded_; }
  QString crowd_note() const;
  enum class Axis { Time, Events };
  void set_axis(Axis a);
  Axis axis() const { return axis_; }
  void on_cursor_requested(std::function<void(std::size_t)> f) { request_ = std::move(f); }

  // Handles a click at chart value `v` (x in seconds, y a state row), as a mouse click does.
  void click_value(QPointF v);
  bool export_png(const QString& path);

  QChart* chart() { return chart_; }
  QChartView* view() { return view_; }
  int track_count() const { return static_cast<int>(tracks_.size()); }
  const QLineSeries* track(int i) const { return tracks_[static_cast<std::size_t>(i)].series; }
  const QLineSeries* cursor_line() const { return cursor_; }

 private:
  struct Track {
    QLineSeries* series = nullptr;
    QList<QPointF> points;             // every corner of the step line
    std::vector<std::size_t> records;  // record index of each corner
    double offset = 0.0;               // small y offset so tracks in one state stay apart
  };
  void clear();
  void build_tracks();
  double x_of(std::size_t record) const;
  void place_labels();

  const trace::Trace* trace_ = nullptr;
  const Connections* conns_ = nullptr;
  Axis axis_ = Axis::Time;
  QChart* chart_;
  QChartView* view_;  // made with chart_ (setChart() would orphan the view's default chart)
  QValueAxis* x_;
  QCategoryAxis* y_;
  QLineSeries* cursor_;
  std::vector<Track> tracks_;
  // The state names, drawn beside the plot: QCategoryAxis elides them all to "..." when the
  // chart is not tall, which a tab under the diagram seldom is.
  std::vector<QGraphicsSimpleTextItem*> state_labels_;
  std::size_t cursor_pos_ = 0;
  std::vector<std::size_t> selected_;
  bool crowded_ = false;
  std::size_t changing_ = 0;  // endpoints that change state
  QGraphicsSimpleTextItem* note_ = nullptr;
  std::function<void(std::size_t)> request_;
};

}  // namespace tcpsim::gui
