#include "gui/state_timeline.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPen>
#include <QPixmap>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "gui/stepper.hpp"

namespace tcpsim::gui {
namespace {

constexpr std::string_view kStates[] = {"CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
                                        "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK",     "TIME_WAIT"};

const QColor kPalette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                           QColor(0x94, 0x67, 0xbd), QColor(0xff, 0x7f, 0x0e), QColor(0x8c, 0x56, 0x4b),
                           QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf)};

// Clicks filter: a press on the chart's viewport becomes a click_value().
class ClickFilter final : public QObject {
 public:
  ClickFilter(StateTimeline* owner, QChartView* view) : QObject(owner), owner_(owner), view_(view) {}
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::MouseButtonPress) {
      auto* me = static_cast<QMouseEvent*>(event);
      const QPointF scene = view_->mapToScene(me->position().toPoint());
      const QPointF in_chart = view_->chart()->mapFromScene(scene);
      if (view_->chart()->plotArea().contains(in_chart)) {
        owner_->click_value(view_->chart()->mapToValue(in_chart));
        return true;
      }
    }
    return QObject::eventFilter(watched, event);
  }

 private:
  StateTimeline* owner_;
  QChartView* view_;
};

}  // namespace

int state_row(std::string_view trace_name) {
  for (int i = 0; i < static_cast<int>(std::size(kStates)); ++i)
    if (kStates[i] == trace_name) return i;
  return -1;
}

StateTimeline::StateTimeline(QWidget* parent)
    : QWidget(parent), chart_(new QChart), view_(new QChartView(chart_)), x_(new QValueAxis), y_(new QCategoryAxis),
      cursor_(new QLineSeries) {
  setToolTip(QStringLiteral("Connection states over time: click to move the cursor there"));
  chart_->legend()->setAlignment(Qt::AlignRight);
  chart_->setMargins(QMargins(2, 2, 2, 2));
  chart_->layout()->setContentsMargins(0, 0, 0, 0);
  QFont small = font();
  small.setPixelSize(10);
  y_->setLabelsFont(small);
  x_->setLabelsFont(small);
  x_->setTitleFont(small);
  chart_->legend()->setFont(small);
  x_->setTitleText(QStringLiteral("time (s)"));
  x_->setLabelFormat(QStringLiteral("%.3g"));
  y_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  for (int i = 0; i < static_cast<int>(std::size(kStates)); ++i) {
    y_->append(QString::fromStdString(display_state(kStates[i])), i);
    auto* label = new QGraphicsSimpleTextItem(QString::fromStdString(display_state(kStates[i])), chart_);
    label->setFont(small);
    label->setBrush(QColor(0x44, 0x44, 0x44));
    label->setZValue(10);
    state_labels_.push_back(label);
  }
  y_->setLabelsVisible(false);
  note_ = new QGraphicsSimpleTextItem(chart_);
  note_->setFont(small);
  note_->setBrush(QColor(0x8a, 0x3b, 0x00));
  note_->setZValue(11);
  note_->setVisible(false);
  chart_->setMargins(QMargins(86, 2, 2, 2));
  connect(chart_, &QChart::plotAreaChanged, this, [this] { place_labels(); });
  y_->setRange(-0.5, static_cast<double>(std::size(kStates)) - 0.5);
  y_->setGridLineVisible(true);
  chart_->addAxis(x_, Qt::AlignBottom);
  chart_->addAxis(y_, Qt::AlignLeft);
  cursor_->setName(QStringLiteral("cursor"));
  QPen pen(QColor(0x40, 0x40, 0x40));
  pen.setStyle(Qt::DashLine);
  pen.setWidthF(1.5);
  cursor_->setPen(pen);
  chart_->addSeries(cursor_);
  cursor_->attachAxis(x_);
  cursor_->attachAxis(y_);
  for (auto* m : chart_->legend()->markers(cursor_)) m->setVisible(false);
  view_->setRenderHint(QPainter::Antialiasing);
  view_->viewport()->installEventFilter(new ClickFilter(this, view_));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_);
  x_->setRange(0, 1);
}

void StateTimeline::place_labels() {
  const QRectF plot = chart_->plotArea();
  const double span = y_->max() - y_->min();
  for (std::size_t i = 0; i < state_labels_.size(); ++i) {
    auto* label = state_labels_[i];
    const double y = plot.bottom() - (static_cast<double>(i) - y_->min()) / span * plot.height();
    const QRectF r = label->boundingRect();
    label->setPos(plot.left() - r.width() - 4, y - r.height() / 2);
  }
  note_->setPos(plot.left() + 8, plot.top() + 4);
}

QString StateTimeline::crowd_note() const {
  if (!crowded_) return {};
  return QStringLiteral("%1 connection endpoints: too many for one line each. The Load tab shows how many are in each "
                        "state;\nchoose one under the state diagram (follow: ...) to draw it here.")
      .arg(changing_);
}

void StateTimeline::set_selected(std::vector<std::size_t> endpoints) {
  if (endpoints == selected_) return;
  selected_ = std::move(endpoints);
  if (!crowded_) return;
  const std::size_t keep = cursor_pos_;
  clear();
  build_tracks();
  set_cursor(keep);
}

void StateTimeline::clear() {
  for (auto& t : tracks_) {
    chart_->removeSeries(t.series);
    delete t.series;
  }
  tracks_.clear();
  cursor_->clear();
  crowded_ = false;
  if (note_) note_->setVisible(false);
}

void StateTimeline::set_run(const trace::Trace* trace, const Connections* conns) {
  clear();
  trace_ = trace;
  conns_ = conns;
  cursor_pos_ = 0;
  selected_.clear();
  build_tracks();
}

void StateTimeline::set_axis(Axis a) {
  if (a == axis_) return;
  axis_ = a;
  x_->setTitleText(a == Axis::Time ? QStringLiteral("time (s)") : QStringLiteral("event #"));
  x_->setLabelFormat(a == Axis::Time ? QStringLiteral("%.3g") : QStringLiteral("%d"));
  const std::size_t keep = cursor_pos_;
  clear();
  build_tracks();
  set_cursor(keep);
}

double StateTimeline::x_of(std::size_t record) const {
  return axis_ == Axis::Time ? trace_->records()[record].time.seconds() : static_cast<double>(record);
}

void StateTimeline::build_tracks() {
  if (trace_ == nullptr || conns_ == nullptr) return;
  const auto& records = trace_->records();
  changing_ = static_cast<std::size_t>(std::count_if(conns_->endpoints.begin(), conns_->endpoints.end(),
                                                      [](const auto& e) { return !e.changes.empty(); }));
  crowded_ = changing_ > kMaxTracks;
  note_->setText(crowd_note());
  note_->setVisible(crowded_);
  int k = 0;
  for (std::size_t ei = 0; ei < conns_->endpoints.size(); ++ei) {
    const auto& e = conns_->endpoints[ei];
    if (e.changes.empty()) continue;
    if (tracks_.size() == kMaxTracks) break;
    if (crowded_ && std::find(selected_.begin(), selected_.end(), ei) == selected_.end()) continue;
    Track t;
    t.series = new QLineSeries;
    t.series->setName(QString::fromStdString(e.label));
    QPen pen(kPalette[k % std::size(kPalette)]);
    pen.setWidthF(2.5);
    t.series->setPen(pen);
    t.series->setPointsVisible(true);
    t.series->setMarkerSize(5);
    t.offset = 0.12 * (k % 3) - 0.12;
    ++k;
    for (std::size_t i : e.changes) {
      const auto& s = std::get<trace::StateChanged>(records[i].body);
      const double x = x_of(i);
      const int from = state_row(s.from);
      const int to = state_row(s.to);
      if (from < 0 || to < 0) continue;
      const QPointF corner(x, from + t.offset);  // the horizontal run ends here, then the step
      if (t.points.isEmpty() || t.points.back() != corner) {
        t.points.append(corner);
        t.records.push_back(i);
      }
      t.points.append(QPointF(x, to + t.offset));
      t.records.push_back(i);
    }
    chart_->addSeries(t.series);
    t.series->attachAxis(x_);
    t.series->attachAxis(y_);
    tracks_.push_back(std::move(t));
  }
  set_cursor(0);
}

void StateTimeline::set_cursor(std::size_t cursor) {
  cursor_pos_ = cursor;
  if (trace_ == nullptr) return;
  const auto& records = trace_->records();
  const std::size_t n = std::min(cursor, records.size());
  const double now = n == 0 ? 0.0 : x_of(n - 1);
  for (auto& t : tracks_) {
    QList<QPointF> shown;
    for (std::size_t i = 0; i < t.records.size() && t.records[i] < cursor; ++i) shown.append(t.points[static_cast<qsizetype>(i)]);
    if (!shown.isEmpty() && shown.back().x() < now) shown.append(QPointF(now, shown.back().y()));
    t.series->replace(shown);
  }
  cursor_->replace({QPointF(now, -0.5), QPointF(now, static_cast<double>(std::size(kStates)) - 0.5)});
  // The x range covers what is revealed (with room to the right), at least a little.
  const double end = records.empty() ? 1.0 : x_of(records.size() - 1);
  const double min_span = axis_ == Axis::Time ? 1e-3 : 10.0;
  x_->setRange(0, std::min(std::max(now * 1.15, min_span), std::max(end * 1.03, min_span)));
}

void StateTimeline::click_value(QPointF v) {
  if (trace_ == nullptr || !request_) return;
  // The nearest revealed or hidden corner within a few pixels wins; else the time clicked.
  // (Pixels mean nothing before the chart is laid out: then only the time counts.)
  const QPointF at = chart_->mapToPosition(v);
  const bool laid_out = chart_->plotArea().width() > 20 && chart_->plotArea().height() > 20;
  double best = 10.0;
  std::optional<std::size_t> hit;
  for (const auto& t : tracks_) {
    if (!laid_out) break;
    for (qsizetype i = 0; i < t.points.size(); ++i) {
      const QPointF p = chart_->mapToPosition(t.points[i]);
      const double d = std::hypot(p.x() - at.x(), p.y() - at.y());
      if (d < best) {
        best = d;
        hit = t.records[static_cast<std::size_t>(i)];
      }
    }
  }
  if (hit) {
    request_(*hit + 1);
    return;
  }
  const double s = std::max(0.0, v.x());
  if (axis_ == Axis::Events) {
    request_(std::min(static_cast<std::size_t>(std::llround(s)) + 1, trace_->records().size()));
    return;
  }
  request_(cursor_at_time(*trace_, sim::Time::from_ns(static_cast<std::int64_t>(std::llround(s * 1e9)))));
}

bool StateTimeline::export_png(const QString& path) { return view_->grab().save(path, "PNG"); }

}  // namespace tcpsim::gui
