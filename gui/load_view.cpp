#include "gui/load_view.hpp"

#include <QAreaSeries>
#include <QBrush>
#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QPixmap>
#include <QSplitter>
#include <QTextDocument>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "gui/run.hpp"
#include "sim/diagram/layout.hpp"

namespace tcpsim::gui {
namespace {

const QColor kSent(0x42, 0x42, 0x42);
const QColor kDelivered(0x2e, 0x7d, 0x32);
const QColor kDiscarded(0xe6, 0x51, 0x00);
const QColor kDropped[trace::kDropReasons] = {QColor(0xc6, 0x28, 0x28), QColor(0x6a, 0x1b, 0x9a), QColor(0x00, 0x83, 0x8f),
                                              QColor(0x88, 0x0e, 0x4f), QColor(0x45, 0x5a, 0x64)};

// A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least `v` * 1.1.
double nice_max(double v) {
  const double target = std::max(1.0, v * 1.1);
  double step = 1;
  for (;;) {
    for (const double k : {1.0, 2.0, 5.0})
      if (step * k >= target) return step * k;
    step *= 10;
  }
}

// The time the x axis shows: from 0 to the cursor with at least a tenth more, rounded up to a
// step of at most 25% (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten, so the axis
// changes in steps, not at every event), at least 1 ms and at most the whole run.
double shown_span(double now, double whole) {
  const double target = std::max(now * 1.1, 1e-3);
  double step = 1e-3;
  while (step * 10 < target) step *= 10;
  while (step > target) step /= 10;
  for (;;) {
    for (const double k : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0})
      if (step * k >= target) return std::min(step * k, whole);
    step *= 10;
  }
}

void show_series(QChart* chart, QAbstractSeries* s, bool shown) {
  s->setVisible(shown);
  for (QLegendMarker* m : chart->legend()->markers(s)) m->setVisible(shown);
}

}  // namespace

LoadView::LoadView(QWidget* parent) : QWidget(parent), note_(new QLabel) {
  st_ = make_chart(QStringLiteral("Connections per state"), QStringLiteral("endpoints"));
  qu_ = make_chart(QStringLiteral("Listen queues (most held per bucket)"), QStringLiteral("connections"));
  sg_ = make_chart(QStringLiteral("Segments by fate"), QStringLiteral("segments per bucket"));
  states_ = st_.chart;
  queues_ = qu_.chart;
  segments_ = sg_.chart;

  for (int k = 1; k < trace::kStates; ++k) {  // CLOSED left out: it only grows
    const auto name = trace::kStateNames[static_cast<std::size_t>(k)];
    auto* upper = new QLineSeries(this);
    auto* lower = new QLineSeries(this);
    auto* area = new QAreaSeries(upper, lower);
    area->setName(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size())));
    const QColor c(QString::fromLatin1(diagram::state_colour(name)));
    area->setBrush(c);
    area->setPen(QPen(c.darker(130), 1));
    st_.chart->addSeries(area);
    area->attachAxis(st_.x);
    area->attachAxis(st_.y);
    state_series_.push_back({k, upper, lower, area});
  }
  rate_series_.push_back({-1, add_line(sg_, QStringLiteral("sent"), kSent)});
  rate_series_.push_back({-2, add_line(sg_, QStringLiteral("delivered"), kDelivered)});
  rate_series_.push_back({-3, add_line(sg_, QStringLiteral("discarded on arrival"), kDiscarded)});
  for (int r = 0; r < trace::kDropReasons; ++r) {
    const auto reason = static_cast<trace::DropReason>(r);
    const std::string why = reason == trace::DropReason::FaultRule ? "fault rule" : trace::drop_text(reason, trace::kNoRule);
    const QString name = QStringLiteral("dropped: ") + QString::fromStdString(why);
    rate_series_.push_back({r, add_line(sg_, name, kDropped[r])});
  }

  auto* split = new QSplitter(Qt::Horizontal);
  for (auto* c : {&st_, &qu_, &sg_}) split->addWidget(c->box);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  note_->setWordWrap(true);
  layout->addWidget(note_);
  layout->addWidget(split, 1);
  set_run(nullptr, nullptr);
}

LoadView::Chart LoadView::make_chart(const QString& title, const QString& y_title) {
  Chart c{};
  c.view = new QChartView;
  c.chart = c.view->chart();
  c.chart->setTitle(title);
  c.chart->layout()->setContentsMargins(0, 0, 0, 0);
  c.chart->setMargins(QMargins(4, 4, 4, 4));
  c.chart->legend()->hide();
  c.box = new QWidget;
  c.legend = new QLabel;
  c.legend->setWordWrap(true);
  c.legend->setTextFormat(Qt::RichText);
  c.legend->setFont(QFont(c.legend->font().family(), 8));
  c.legend->setContentsMargins(6, 0, 6, 2);
  auto* box_layout = new QVBoxLayout(c.box);
  box_layout->setContentsMargins(0, 0, 0, 0);
  box_layout->setSpacing(0);
  box_layout->addWidget(c.view, 1);
  box_layout->addWidget(c.legend);
  c.view->setRenderHint(QPainter::Antialiasing);
  c.view->setMinimumWidth(240);
  c.x = new QValueAxis;
  c.x->setTitleText(QStringLiteral("time (s)"));
  c.x->setLabelFormat(QStringLiteral("%.3g"));
  c.y = new QValueAxis;
  c.y->setTitleText(y_title);
  c.y->setLabelFormat(QStringLiteral("%d"));
  c.chart->addAxis(c.x, Qt::AlignBottom);
  c.chart->addAxis(c.y, Qt::AlignLeft);
  c.cursor = new QLineSeries;
  c.cursor->setPen(QPen(QColor(0xd3, 0x2f, 0x2f), 1.5, Qt::DashLine));
  c.chart->addSeries(c.cursor);
  c.cursor->attachAxis(c.x);
  c.cursor->attachAxis(c.y);
  for (QLegendMarker* m : c.chart->legend()->markers(c.cursor)) m->setVisible(false);
  return c;
}

QLineSeries* LoadView::add_line(Chart& c, const QString& name, const QColor& colour, Qt::PenStyle style) {
  auto* s = new QLineSeries;
  s->setName(name);
  s->setPen(QPen(colour, 2, style));
  c.chart->addSeries(s);
  s->attachAxis(c.x);
  s->attachAxis(c.y);
  return s;
}

void LoadView::show_run(const ShownRuns& runs) {
  const Run* r = runs.run;
  set_run(r != nullptr ? r->trace() : nullptr, r != nullptr ? r->facts.get() : nullptr);
}

void LoadView::set_run(const trace::Trace* trace, const trace::TraceFacts* facts) {
  trace_ = trace;
  facts_ = facts;
  cursor_ = 0;
  load_ = {};
  for (auto& q : queue_series_) {
    qu_.chart->removeSeries(q.line);
    delete q.line;
  }
  queue_series_.clear();
  dirty_ = true;
  if (trace_ == nullptr || facts_ == nullptr) {
    note_->setText(QStringLiteral("Open a scenario to see its load."));
    return;
  }
  update_data();
}

void LoadView::set_cursor(std::size_t cursor) {
  if (cursor == cursor_ && !dirty_) return;
  cursor_ = cursor;
  dirty_ = true;
  if (isVisible()) update_data();
}

void LoadView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  if (dirty_) update_data();
}

void LoadView::make_queue_series() {
  static const QColor kSyn(0xef, 0x6c, 0x00), kAccept(0x15, 0x65, 0xc0);
  for (std::size_t i = queue_series_.size() / 3; i < load_.listeners.size(); ++i) {
    const auto& l = load_.listeners[i];
    const QString who = QString::fromStdString(l.local.to_string());
    queue_series_.push_back({i, true, add_line(qu_, who + QStringLiteral(" SYN queue"), kSyn)});
    queue_series_.push_back({i, false, add_line(qu_, who + QStringLiteral(" accept queue"), kAccept)});
    auto* backlog = add_line(qu_, who + QStringLiteral(" backlog ") + QString::number(l.backlog), QColor(0x61, 0x61, 0x61),
                             Qt::DashLine);
    queue_series_.push_back({i, false, backlog});
  }
}

void LoadView::update_data() {
  dirty_ = false;
  if (trace_ == nullptr || facts_ == nullptr) return;
  const auto& records = trace_->records();
  const double now = cursor_ == 0 ? 0.0 : records[std::min(cursor_, records.size()) - 1].time.seconds();
  // The x axis covers what is revealed (and a little more), not the whole run: series that stop
  // at the cursor mid-chart would read as a load fallen to zero. The buckets follow the span.
  const double whole = records.empty() ? 1.0 : std::max(records.back().time.seconds(), 1e-6);
  const double span = shown_span(now, whole);
  load_ = trace::build_load(*trace_, *facts_,
                            {.cursor = cursor_, .span = sim::Duration::ns(static_cast<std::int64_t>(std::ceil(span * 1e9)))});
  for (auto* c : {&st_, &qu_, &sg_}) c->x->setRange(0, span);
  make_queue_series();
  const std::size_t last = cursor_ == 0 ? 0 : load_.bucket_of(records[std::min(cursor_, records.size()) - 1].time);
  // Step lines: each bucket's value from its start to its end, the last one to the cursor.
  auto xs = [&](std::size_t i) {
    const double a = load_.bucket_start(i).seconds();
    const double b = i == last ? now : load_.bucket_start(i + 1).seconds();
    return std::pair{a, std::max(a, b)};
  };
  auto steps = [&](auto value) {
    QList<QPointF> pts;
    if (cursor_ == 0) return pts;
    pts.reserve(static_cast<qsizetype>(2 * (last + 1)));
    for (std::size_t i = 0; i <= last; ++i) {
      const auto [a, b] = xs(i);
      const double v = static_cast<double>(value(i));
      pts.append(QPointF(a, v));
      pts.append(QPointF(b, v));
    }
    return pts;
  };

  // Connections per state, stacked in RFC order.
  QList<QPointF> below = steps([](std::size_t) { return 0; });
  double top = 0;
  for (auto& s : state_series_) {
    const auto k = static_cast<std::size_t>(s.state);
    QList<QPointF> above = below;
    bool any = false;
    for (qsizetype j = 0; j < above.size(); ++j) {
      const std::uint32_t n = load_.states[static_cast<std::size_t>(j / 2)][k];
      any = any || n > 0;
      above[j].setY(below[j].y() + n);
      top = std::max(top, above[j].y());
    }
    s.lower->replace(below);
    s.upper->replace(above);
    show_series(st_.chart, s.area, any);
    below = std::move(above);
  }
  st_.y->setRange(0, nice_max(top));

  // Listen queues. The y-axis reaches a backlog only when the queues come within a quarter of
  // it: a churn's 4096 would flatten queues of a few dozen to zero (the legend names it anyway).
  double peaks = 0;
  for (const auto& q : queue_series_) {
    const auto& l = load_.listeners[q.listener];
    if (!q.line->name().contains(QStringLiteral(" backlog ")))
      peaks = std::max(peaks, static_cast<double>(q.syn ? l.syn_peak : l.accept_peak));
  }
  double qtop = peaks;
  for (const auto& q : queue_series_) {
    const auto& l = load_.listeners[q.listener];
    const bool backlog = q.line->name().contains(QStringLiteral(" backlog "));
    QList<QPointF> pts;
    if (backlog) {
      if (cursor_ > 0) pts = {QPointF(0, l.backlog), QPointF(now, l.backlog)};
      if (l.backlog <= 4 * std::max(peaks, 1.0)) qtop = std::max(qtop, static_cast<double>(l.backlog));
    } else {
      const auto& levels = q.syn ? l.syn_queue : l.accept_queue;
      pts = steps([&](std::size_t i) { return levels[i].peak; });
    }
    q.line->replace(pts);
  }
  qu_.y->setRange(0, nice_max(qtop));

  // Segments by fate.
  double rtop = 0;
  for (const auto& r : rate_series_) {
    auto value = [&](std::size_t i) -> std::uint32_t {
      const auto& s = load_.segments[i];
      switch (r.kind) {
        case -1: return s.sent;
        case -2: return s.delivered;
        case -3: return s.discarded;
        default: return s.dropped[static_cast<std::size_t>(r.kind)];
      }
    };
    bool any = false;
    for (std::size_t i = 0; cursor_ > 0 && i <= last; ++i) {
      any = any || value(i) > 0;
      rtop = std::max(rtop, static_cast<double>(value(i)));
    }
    r.line->replace(steps(value));
    show_series(sg_.chart, r.line, any);
  }
  sg_.y->setRange(0, nice_max(rtop));

  for (auto* c : {&st_, &qu_, &sg_}) fill_legend(*c);
  place_cursor(st_, now, st_.y->max());
  place_cursor(qu_, now, qu_.y->max());
  place_cursor(sg_, now, sg_.y->max());
  note_->setText(QStringLiteral("%1 connection endpoints so far; buckets of %2 s. The charts show the run up to the "
                                "cursor (t = %3 s, dashed red line) of %4 s; nothing after it is revealed yet.")
                     .arg(load_.endpoints)
                     .arg(load_.bucket.seconds())
                     .arg(now)
                     .arg(whole));
}

void LoadView::place_cursor(Chart& c, double x, double ymax) { c.cursor->replace({QPointF(x, 0), QPointF(x, ymax)}); }

double LoadView::queue_max(const QString& name) const {
  for (const auto& q : queue_series_) {
    if (q.line->name() != name) continue;
    double m = -1;
    for (const QPointF& p : q.line->points()) m = std::max(m, p.y());
    return m;
  }
  return -1;
}

void LoadView::fill_legend(Chart& c) {
  QStringList entries;
  for (QAbstractSeries* s : c.chart->series()) {
    if (!s->isVisible() || s->name().isEmpty()) continue;
    QColor colour;
    bool dashed = false;
    if (auto* area = qobject_cast<QAreaSeries*>(s)) {
      colour = area->brush().color();
    } else if (auto* line = qobject_cast<QLineSeries*>(s)) {
      colour = line->pen().color();
      dashed = line->pen().style() != Qt::SolidLine;
    }
    // A swatch and the name, kept together; the entries wrap between them.
    entries << QStringLiteral("<span style=\"color:%1\">%2</span>&nbsp;%3")
                   .arg(colour.name(), dashed ? QStringLiteral("\u254c\u254c") : QStringLiteral("\u25a0"),
                        s->name().toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;")));
  }
  c.legend->setText(entries.join(QStringLiteral(" &nbsp; ")));
}

QString LoadView::legend_text(QChart* chart) const {
  for (const Chart* c : {&st_, &qu_, &sg_})
    if (c->chart == chart) {
      QTextDocument doc;
      doc.setHtml(c->legend->text());
      return doc.toPlainText().replace(QChar(0xa0), QLatin1Char(' '));
    }
  return {};
}

double LoadView::shown_until() const { return st_.x->max(); }

bool LoadView::export_png(const QString& path) { return grab().save(path, "PNG"); }

}  // namespace tcpsim::gui
