#include "gui/compare_view.hpp"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QHelpEvent>
#include <QPaintEvent>
#include <QStandardItemModel>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <limits>
#include <map>
#include <thread>

#include "gui/run.hpp"
#include "sim/live/privileges.hpp"
#include "sim/live/run.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/jsonl_read.hpp"
#include "sim/trace/origin.hpp"

namespace tcpsim::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

const QColor kInk(0x37, 0x47, 0x4f);       // a row both runs share
const QColor kDiffers(0xc6, 0x28, 0x28);   // a row that differs
const QColor kOnly(0x6a, 0x1b, 0x9a);      // an event only one run has
const QColor kLifeline(0xb0, 0xbe, 0xc5);
const QColor kLink(0xcf, 0xd8, 0xdc);
const QColor kSelected(0xff, 0xf5, 0x9d);
const QColor kNoteInk(0x60, 0x7d, 0x8b);   // the time axis, a note under a title

constexpr int kAxis = 100;    // the time axis, left of both ladders: room for "100.000000 s"
constexpr int kGap = 60;      // between the ladders: links, and markers that do not touch
constexpr int kHeader = 46;   // panel titles and host names
constexpr int kHeaderNote = 16;  // a line of notes under a title (a kernel run's relay timing)
constexpr int kRow = 28;      // one event: its label above its arrow
constexpr int kNoteRow = 16;  // a difference written under its event
constexpr int kOuter = 120;   // beside the outer lifelines: room for "SYN-RECEIVED" in bold

}  // namespace

// The painting of a comparison (see compare_view.hpp). Laid out once per comparison and width;
// the cursor only changes what is revealed.
class CompareCanvas final : public QWidget {
 public:
  explicit CompareCanvas(QWidget* parent = nullptr) : QWidget(parent) { setMinimumWidth(760); }

  // `notes`: small lines under each side's title.
  void set(const trace::Comparison* c, const std::array<QStringList, 2>& notes = {}) {
    c_ = c;
    notes_ = notes;
    header_ = kHeader + static_cast<int>(std::max(notes[0].size(), notes[1].size())) * kHeaderNote;
    selected_ = -1;
    build();
  }
  // Every text of the painting, in the order placed: for tests of what it says.
  QStringList texts() const {
    QStringList out;
    place(width());
    for (const Text& t : texts_) out << t.text;
    return out;
  }
  void set_cursor(std::size_t cursor) {
    cursor_ = cursor;
    update();
  }
  void select(int row) {
    selected_ = row;
    update();
  }
  // The y of row `row`'s event on a side (its band's top), -1 when the side has none.
  int row_y(int row) const {
    const auto& e = row_events_[static_cast<std::size_t>(row)];
    return std::max(e[0] >= 0 ? events_[static_cast<std::size_t>(e[0])].top : -1,
                    e[1] >= 0 ? events_[static_cast<std::size_t>(e[1])].top : -1);
  }
  std::vector<QRectF> text_rects() const {
    std::vector<QRectF> out;
    place(width());
    for (const Text& t : texts_) out.push_back(t.rect);
    return out;
  }

 protected:
  void resizeEvent(QResizeEvent*) override { placed_width_ = -1; }
  // A text cut short to fit (a long kernel release, the relay's timing) shows whole as a tooltip.
  bool event(QEvent* e) override {
    if (e->type() != QEvent::ToolTip || c_ == nullptr) return QWidget::event(e);
    const auto* help = static_cast<QHelpEvent*>(e);
    place(width());
    const int top = visibleRegion().boundingRect().top();
    for (const Text& t : texts_) {
      const bool shown = t.header || t.always || revealed(events_[static_cast<std::size_t>(t.event)]);
      if (shown && t.text != t.full && (t.header ? t.rect.translated(0, top) : t.rect).contains(help->pos())) {
        QToolTip::showText(help->globalPos(), t.full, this);
        return true;
      }
    }
    QToolTip::hideText();
    e->ignore();
    return true;
  }
  void paintEvent(QPaintEvent* e) override {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (c_ == nullptr) return;
    place(width());
    p.setRenderHint(QPainter::Antialiasing);
    const QRect clip = e->rect();
    // Lifelines, then events, then texts on top.
    for (int side = 0; side < 2; ++side)
      for (const double x : xs_[side]) {
        p.setPen(QPen(kLifeline, 1.5));
        p.drawLine(QPointF(x, header_), QPointF(x, height()));
      }
    if (selected_ >= 0) {
      p.setPen(Qt::NoPen);
      p.setBrush(kSelected);
      for (const int i : row_events_[static_cast<std::size_t>(selected_)])
        if (i >= 0 && revealed(events_[static_cast<std::size_t>(i)]))
          p.drawRect(QRectF(panel_x(events_[static_cast<std::size_t>(i)].side), events_[static_cast<std::size_t>(i)].top,
                            panel_w(), events_[static_cast<std::size_t>(i)].height));
    }
    p.setFont(font());
    for (const Event& ev : events_) {
      if (ev.top > clip.bottom() || ev.top + ev.height < clip.top() - kRow * 4 || !revealed(ev)) continue;
      draw_event(p, ev);
    }
    draw_links(p, clip);
    for (const Text& t : texts_) {
      if (t.header || (!t.always && !revealed(events_[static_cast<std::size_t>(t.event)]))) continue;
      if (!t.rect.intersects(clip)) continue;
      p.setFont(font_for(t.bold, t.small));
      p.setPen(t.colour);
      p.drawText(t.rect, t.align | Qt::AlignVCenter, t.text);
    }
    // The titles and host names stay at the top of what is visible, however far it scrolled.
    const int top = visibleRegion().boundingRect().top();
    p.fillRect(QRectF(0, top, width(), header_), Qt::white);
    p.setPen(QPen(kLifeline, 1));
    p.drawLine(QPointF(0, top + header_ - 0.5), QPointF(width(), top + header_ - 0.5));
    for (const Text& t : texts_) {
      if (!t.header) continue;
      p.setFont(font_for(t.bold, t.small));
      p.setPen(t.colour);
      p.drawText(t.rect.translated(0, top), t.align | Qt::AlignVCenter, t.text);
    }
  }

 private:
  struct Event {
    int side;            // 0: A, 1: B
    std::size_t record;  // in its trace
    int row;             // in the comparison
    sim::Time time;
    int top = 0;         // its band
    int height = kRow;
    bool note = false;   // the row's difference is written under it
  };
  struct Text {
    QRectF rect;
    QString text;  // as drawn: elided to fit
    QString full;
    QColor colour;
    int event = -1;  // revealed with this event; -1 with `always`
    bool always = false;
    bool header = false;  // a title or host name: drawn at the top of the visible part
    bool bold = false;
    bool small = false;
    Qt::Alignment align = Qt::AlignLeft;
  };

  const trace::CompareSide& side(int s) const { return s == 0 ? c_->a() : c_->b(); }
  const trace::CompareRow& row(const Event& e) const { return c_->rows()[static_cast<std::size_t>(e.row)]; }
  double panel_x(int s) const { return s == 0 ? kAxis : kAxis + panel_w() + kGap; }
  double panel_w() const { return (std::max(width(), minimumWidth()) - kAxis - kGap) / 2.0; }
  QColor colour(const Event& e) const {
    switch (row(e).kind) {
      case trace::RowKind::Same: return kInk;
      case trace::RowKind::Differs: return kDiffers;
      default: return kOnly;
    }
  }
  // B follows A down the time axis: up to the time of A's last revealed record, all of it once
  // A is revealed entirely.
  bool revealed(const Event& e) const {
    const auto& ra = c_->a().trace->records();
    if (e.side == 0) return e.record < cursor_;
    if (cursor_ >= ra.size()) return true;
    return cursor_ > 0 && e.time <= ra[cursor_ - 1].time;
  }

  // The events of both sides in bands of equal time (the layout that does not depend on width).
  void build() {
    events_.clear();
    row_events_.clear();
    placed_width_ = -1;
    if (c_ == nullptr) {
      setMinimumHeight(0);
      update();
      return;
    }
    lines_[0] = std::make_unique<trace::Lifelines>(*c_->a().trace);
    lines_[1] = std::make_unique<trace::Lifelines>(*c_->b().trace, lines_[0]->names());
    row_events_.assign(c_->rows().size(), {-1, -1});
    for (std::size_t r = 0; r < c_->rows().size(); ++r) {
      const trace::CompareRow& cr = c_->rows()[r];
      for (int s = 0; s < 2; ++s) {
        const std::size_t rec = s == 0 ? cr.a : cr.b;
        if (rec == trace::kNoRecord) continue;
        Event e{s, rec, static_cast<int>(r), side(s).trace->records()[rec].time};
        // The difference is written once: under B's event, or under the only event of its row.
        e.note = cr.kind != trace::RowKind::Same && (s == 1 || cr.kind == trace::RowKind::OnlyA);
        row_events_[r][s] = static_cast<int>(events_.size());
        events_.push_back(e);
      }
    }
    // Bands: per time, as many sub-rows as the busier side has events then; a sub-row is taller
    // when an event in it carries a difference note.
    std::map<std::int64_t, std::array<std::vector<int>, 2>> bands;
    for (std::size_t i = 0; i < events_.size(); ++i)
      bands[events_[i].time.ns()][static_cast<std::size_t>(events_[i].side)].push_back(static_cast<int>(i));
    int y = header_ + 6;
    for (auto& [t, sides] : bands) {
      const std::size_t n = std::max(sides[0].size(), sides[1].size());
      for (std::size_t k = 0; k < n; ++k) {
        bool note = false;
        for (const auto& s : sides)
          if (k < s.size()) note = note || events_[static_cast<std::size_t>(s[k])].note;
        const int h = kRow + (note ? kNoteRow : 0);
        for (const auto& s : sides)
          if (k < s.size()) {
            events_[static_cast<std::size_t>(s[k])].top = y;
            events_[static_cast<std::size_t>(s[k])].height = h;
          }
        y += h;
      }
    }
    setMinimumHeight(y + kRow);
    updateGeometry();
    update();
  }

  // Lifeline positions and every text, for this width.
  void place(int w) const {
    if (placed_width_ == w || c_ == nullptr) return;
    placed_width_ = w;
    texts_.clear();
    const double lh = QFontMetricsF(font()).height();
    for (int s = 0; s < 2; ++s) {
      xs_[s].clear();
      const int n = lines_[s]->size();
      const double x0 = panel_x(s) + kOuter, x1 = panel_x(s) + panel_w() - kOuter;
      for (int i = 0; i < n; ++i) xs_[s].push_back(n == 1 ? (x0 + x1) / 2 : x0 + i * (x1 - x0) / (n - 1));
      // Title and host names.
      add_text(QRectF(panel_x(s) + 4, 4, panel_w() - 8, lh), qs((s == 0 ? "A: " : "B: ") + side(s).name), kInk, -1,
               Qt::AlignLeft, true);
      const int note = header_ - kHeader;  // the lines of notes, when a side has some
      const QStringList& notes = notes_[static_cast<std::size_t>(s)];
      for (int i = 0; i < notes.size(); ++i)
        add_text(QRectF(panel_x(s) + 4, 4 + lh + i * kHeaderNote, panel_w() - 8, kHeaderNote), notes[i], kNoteInk, -1,
                 Qt::AlignLeft, false, true);
      const double slot = n > 1 ? (x1 - x0) / (n - 1) - 6 : panel_w();
      for (int i = 0; i < n; ++i) {
        const QString name = qs(lines_[s]->names()[static_cast<std::size_t>(i)]);
        const double tw = text_width(name, true, false, slot);
        add_text(QRectF(xs_[s][static_cast<std::size_t>(i)] - tw / 2, 8 + lh + note, tw, lh), name, kInk, -1,
                 Qt::AlignHCenter, true);
      }
    }
    // The time axis: one label per band; bands are as tall as their events need, not to scale.
    add_text(QRectF(2, 4, kAxis - 10, lh), QStringLiteral("time"), kNoteInk, -1, Qt::AlignRight, true);
    add_text(QRectF(2, 8 + lh + header_ - kHeader, kAxis - 10, lh), QStringLiteral("(not to scale)"), kNoteInk, -1,
             Qt::AlignRight, false, true);
    // A kernel's times are in nanoseconds: bands that print alike get one label.
    QString last;
    std::map<int, sim::Time> band_tops;
    for (const Event& e : events_) band_tops.try_emplace(e.top, e.time);
    for (const auto& [top, time] : band_tops) {
      const QString label = qs(sim::format_seconds(time)) + QStringLiteral(" s");
      if (label == last) continue;
      last = label;
      add_text(QRectF(2, top + 2, kAxis - 10, lh), label, kNoteInk, -1, Qt::AlignRight);
    }
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const Event& e = events_[i];
      const int ev = static_cast<int>(i);
      const QColor col = colour(e);
      const double px = panel_x(e.side), pw = panel_w();
      const trace::Record& r = side(e.side).trace->records()[e.record];
      if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) {
        const trace::SegmentFacts& f = *side(e.side).facts->segment(s->id);
        const auto [xa, xb] = arrow_ends(e, f);
        trace::LabelOptions o;
        o.window = trace::LabelOptions::Window::Never;
        QString label = qs(std::string(f.retransmission ? "rtx " : "") + trace::segment_label(f, o));
        if (f.fate == trace::Fate::Dropped) label += QStringLiteral(" lost");
        else if (f.fate == trace::Fate::InFlight) label += QStringLiteral(" in flight");
        else if (f.discard_record != trace::kNoRecord) label += QStringLiteral(" discarded");
        const bool bold = row(e).kind != trace::RowKind::Same;
        const double tw = text_width(label, bold, false, pw - 8);
        const double cx = std::clamp((xa + xb) / 2 - tw / 2, px + 4, px + pw - 4 - tw);
        add_text(QRectF(cx, e.top + 1, tw, lh), label, col, ev, Qt::AlignLeft, bold);
      } else {
        const auto& st = std::get<trace::StateChanged>(r.body);
        QString state = qs(std::string(st.to)).replace(QLatin1Char('_'), QLatin1Char('-'));
        const int c = lines_[e.side]->column(st.node);
        const double x = xs_[e.side][static_cast<std::size_t>(std::max(0, c))];
        const int n = lines_[e.side]->size();
        const bool bold = row(e).kind != trace::RowKind::Same;
        const double tw = text_width(state, bold, false, kOuter - 12.0);
        // Outside the outer lifelines; to the right of the others.
        const bool left = c == 0 && n > 1;
        add_text(QRectF(left ? x - 8 - tw : x + 8, e.top + (kRow - lh) / 2, tw, lh), state, col, ev,
                 left ? Qt::AlignRight : Qt::AlignLeft, bold);
      }
      if (e.note) {
        const trace::CompareRow& cr = row(e);
        const QString note = (cr.kind == trace::RowKind::Differs ? QStringLiteral("≠ ") : QStringLiteral("+ ")) +
                             qs(c_->difference_text(cr));
        const double tw = text_width(note, false, true, pw - 8);
        add_text(QRectF(px + pw / 2 - tw / 2, e.top + kRow - 2, tw, QFontMetricsF(font_for(false, true)).height()), note, col, ev,
                 Qt::AlignLeft, false, true);
      }
    }
  }
  QFont font_for(bool bold, bool small) const {
    QFont f = font();
    f.setBold(bold);
    if (small) f.setPointSizeF(f.pointSizeF() * 0.9);
    return f;
  }
  // Width of `text` in its font, at most `room`.
  double text_width(const QString& text, bool bold, bool small, double room) const {
    return std::min(QFontMetricsF(font_for(bold, small)).horizontalAdvance(text) + 2, room);
  }
  void add_text(const QRectF& rect, const QString& text, const QColor& colour, int event, Qt::Alignment align,
                bool bold = false, bool small = false) const {
    Text t;
    t.rect = rect;
    t.text = QFontMetricsF(font_for(bold, small)).elidedText(text, Qt::ElideRight, rect.width());
    t.full = text;
    t.colour = colour;
    t.event = event;
    t.always = event < 0;
    t.header = rect.bottom() <= header_;
    t.bold = bold;
    t.small = small;
    t.align = align;
    texts_.push_back(std::move(t));
  }

  // The arrow's x at its start and end (an arrow to nobody: a stub toward the panel's middle).
  std::pair<double, double> arrow_ends(const Event& e, const trace::SegmentFacts& f) const {
    const auto& xs = xs_[e.side];
    const int from = lines_[e.side]->column(f.sender);
    const int to = lines_[e.side]->target(f);
    const double xa = xs[static_cast<std::size_t>(std::max(0, from))];
    if (to >= 0 && to != from) return {xa, xs[static_cast<std::size_t>(to)]};
    const double mid = panel_x(e.side) + panel_w() / 2;
    return {xa, xa + (mid >= xa ? 60.0 : -60.0)};
  }
  double arrow_y(const Event& e) const { return e.top + kRow - 8; }

  void draw_event(QPainter& p, const Event& e) {
    const QColor col = colour(e);
    const bool marked = row(e).kind != trace::RowKind::Same;
    const trace::Record& r = side(e.side).trace->records()[e.record];
    p.setBrush(Qt::NoBrush);
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) {
      const trace::SegmentFacts& f = *side(e.side).facts->segment(s->id);
      auto [xa, xb] = arrow_ends(e, f);
      const double y = arrow_y(e);
      const bool lost = f.fate == trace::Fate::Dropped || lines_[e.side]->target(f) < 0;
      if (lost) xb = xa + (xb - xa) * 0.6;
      p.setPen(QPen(col, marked ? 2.2 : 1.4, lost ? Qt::DashLine : Qt::SolidLine));
      p.drawLine(QPointF(xa, y), QPointF(xb, y));
      p.setPen(QPen(col, marked ? 2.2 : 1.4));
      if (lost) {  // a cross where it was lost
        p.drawLine(QPointF(xb - 5, y - 5), QPointF(xb + 5, y + 5));
        p.drawLine(QPointF(xb - 5, y + 5), QPointF(xb + 5, y - 5));
      } else {
        const double d = xb > xa ? -8 : 8;
        QPainterPath head;
        head.moveTo(xb, y);
        head.lineTo(xb + d, y - 4);
        head.lineTo(xb + d, y + 4);
        head.closeSubpath();
        p.fillPath(head, col);
      }
    } else {
      const auto& st = std::get<trace::StateChanged>(r.body);
      const int c = std::max(0, lines_[e.side]->column(st.node));
      p.setPen(Qt::NoPen);
      p.setBrush(col);
      p.drawEllipse(QPointF(xs_[e.side][static_cast<std::size_t>(c)], e.top + kRow / 2.0), 4, 4);
    }
  }

  // Across the gap: a line from each A event to its B event, and the row's marker.
  void draw_links(QPainter& p, const QRect& clip) {
    const double gx0 = panel_x(0) + panel_w(), gx1 = panel_x(1);
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    for (std::size_t r = 0; r < row_events_.size(); ++r) {
      const auto [ia, ib] = row_events_[r];
      const Event* a = ia >= 0 && revealed(events_[static_cast<std::size_t>(ia)]) ? &events_[static_cast<std::size_t>(ia)] : nullptr;
      const Event* b = ib >= 0 && revealed(events_[static_cast<std::size_t>(ib)]) ? &events_[static_cast<std::size_t>(ib)] : nullptr;
      if (a == nullptr && b == nullptr) continue;
      const double ya = a ? a->top + kRow / 2.0 : 0, yb = b ? b->top + kRow / 2.0 : 0;
      if (std::max(ya, yb) < clip.top() - kRow || std::min(a ? ya : yb, b ? yb : ya) > clip.bottom() + kRow) continue;
      const trace::RowKind kind = c_->rows()[r].kind;
      if (a && b) {
        p.setPen(QPen(kind == trace::RowKind::Same ? kLink : kDiffers, kind == trace::RowKind::Same ? 1 : 1.6,
                      kind == trace::RowKind::Same ? Qt::DotLine : Qt::SolidLine));
        p.drawLine(QPointF(gx0 + 2, ya), QPointF(gx1 - 2, yb));
      }
      if (kind == trace::RowKind::Same) continue;
      // The marker: "!" for a row that differs, "+" beside the side that alone has the event.
      const bool only = kind != trace::RowKind::Differs;
      const QPointF at = only ? (a ? QPointF(gx0 + 9, ya) : QPointF(gx1 - 9, yb)) : QPointF((gx0 + gx1) / 2, a && b ? (ya + yb) / 2 : (a ? ya : yb));
      const QColor col = only ? kOnly : kDiffers;
      p.setPen(Qt::NoPen);
      p.setBrush(col);
      p.drawEllipse(at, 8, 8);
      p.setPen(Qt::white);
      p.drawText(QRectF(at.x() - 8, at.y() - 8, 16, 16), Qt::AlignCenter, only ? QStringLiteral("+") : QStringLiteral("!"));
    }
  }

  const trace::Comparison* c_ = nullptr;
  std::array<QStringList, 2> notes_;
  int header_ = kHeader;  // titles, notes and host names
  std::unique_ptr<trace::Lifelines> lines_[2];
  std::vector<Event> events_;
  std::vector<std::array<int, 2>> row_events_;  // per comparison row: its event on each side, or -1
  // Placed for a width (place()), on demand.
  mutable std::vector<double> xs_[2];  // lifelines
  mutable std::vector<Text> texts_;
  mutable int placed_width_ = -1;
  std::size_t cursor_ = 0;
  int selected_ = -1;
};

// A play of A's scenario on the kernel. The worker thread owns `live` until it posts
// kernel_finished(); this thread reads the rest only after joining it. The thread that forks a
// run's host processes must outlive them (they die with it: PR_SET_PDEATHSIG), and it does:
// LiveRun::run() stops them before it returns.
struct CompareView::KernelRun {
  std::string scenario;  // what it plays (write_scenario text): a run of an edited scenario is stale
  std::unique_ptr<live::LiveRun> live;
  std::unique_ptr<trace::TraceFacts> facts;  // once it ran
  std::atomic<bool> cancel{false};
  bool discard = false;  // cancelled because A or the source changed: forget it when it ends
  bool done = false;
  std::string error;  // what the run threw
  std::thread thread;
  QElapsedTimer clock;
  qint64 took_ms = 0;
};

namespace {

// As `tcpsim diff` compares a kernel's trace: a kernel's timer ticks and the processes that drive
// its sockets move its times by milliseconds; it scales its windows and cannot see discards.
trace::CompareOptions options_for(const trace::Trace& b) {
  if (!trace::from_kernel(b)) return {};
  return trace::kernel_options();
}

const QString kListTitle = QStringLiteral("Differences (double-click to go there):");

QString seconds_text(qint64 ms) { return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1) + QStringLiteral(" s"); }

}  // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent),
      source_(new QComboBox),
      seed_(new QSpinBox),
      profile_(new QComboBox),
      file_button_(new QPushButton(QStringLiteral("Choose trace file…"))),
      kernel_button_(new QPushButton(QStringLiteral("Cancel"))),
      kernel_status_(new QLabel),
      kernel_note_(new QLabel),
      kernel_clock_(new QTimer(this)),
      error_label_(new QLabel),
      summary_(new QLabel),
      scroll_(new QScrollArea),
      canvas_(new CompareCanvas),
      list_label_(new QLabel(kListTitle)),
      list_(new QListWidget),
      go_(new QPushButton(QStringLiteral("Go to"))) {
  source_->addItem(QStringLiteral("previous run (before the last what-if)"), PreviousRun);
  source_->addItem(QStringLiteral("same scenario, seed …"), Seed);
  source_->addItem(QStringLiteral("same scenario, profile …"), Profile);
  source_->addItem(QStringLiteral("trace file…"), TraceFile);
  source_->addItem(QStringLiteral("the Linux kernel (live run)"), Kernel);
  source_->setToolTip(QStringLiteral("B: the run the one on screen (A) is compared with"));
  seed_->setRange(0, std::numeric_limits<int>::max());
  seed_->setPrefix(QStringLiteral("seed "));
  profile_->addItem(QStringLiteral("rfc9293"), static_cast<int>(scenario::Profile::Rfc9293));
  profile_->addItem(QStringLiteral("linux"), static_cast<int>(scenario::Profile::Linux));
  error_label_->setStyleSheet(QStringLiteral("color: #c62828"));
  error_label_->setWordWrap(true);
  error_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_label_->hide();
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  kernel_status_->setStyleSheet(QStringLiteral("color: #607d8b"));
  kernel_note_->setStyleSheet(QStringLiteral("color: #607d8b"));
  kernel_note_->setWordWrap(true);
  kernel_note_->hide();
  kernel_clock_->setInterval(100);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(QStringLiteral("Compare with:")));
  controls->addWidget(source_);
  controls->addWidget(seed_);
  controls->addWidget(profile_);
  controls->addWidget(file_button_);
  controls->addWidget(kernel_button_);
  controls->addWidget(kernel_status_);
  controls->addStretch(1);

  scroll_->setWidget(canvas_);
  scroll_->setWidgetResizable(true);
  // The canvas keeps its header at the top of the visible part: repaint it whole on a scroll.
  connect(scroll_->verticalScrollBar(), &QScrollBar::valueChanged, canvas_, [this] { canvas_->update(); });
  auto* side = new QWidget;
  auto* side_layout = new QVBoxLayout(side);
  side_layout->setContentsMargins(0, 0, 0, 0);
  side_layout->addWidget(list_label_);
  auto* list_row = new QHBoxLayout;
  list_row->addWidget(list_, 1);
  list_row->addWidget(go_, 0, Qt::AlignTop);
  side_layout->addLayout(list_row, 1);
  // The ladders need the width; the list goes below them.
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(scroll_);
  split->addWidget(side);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  split->setSizes({560, 140});

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(kernel_note_);
  layout->addWidget(error_label_);
  layout->addWidget(summary_);
  layout->addWidget(split, 1);

  connect(source_, &QComboBox::activated, this, [this](int i) {
    const auto s = static_cast<Source>(source_->itemData(i).toInt());
    if (s == TraceFile) {
      file_button_->click();
      return;
    }
    choose(s);
  });
  connect(seed_, &QSpinBox::editingFinished, this, [this] { compare_with_seed(static_cast<std::uint64_t>(seed_->value())); });
  connect(profile_, &QComboBox::activated, this,
          [this](int i) { compare_with_profile(static_cast<scenario::Profile>(profile_->itemData(i).toInt())); });
  connect(file_button_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Compare with a trace"), file_,
                                                      QStringLiteral("JSON Lines traces (*.jsonl);;All files (*)"));
    if (!path.isEmpty()) compare_with_file(path);
    else update_enabled();  // cancelled: the selector shows the source on screen again
  });
  connect(list_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) { go_to_difference(list_->row(item)); });
  connect(list_, &QListWidget::currentRowChanged, this, [this](int n) {
    if (n < 0 || comparison_ == nullptr) return;
    const int row = list_->item(n)->data(Qt::UserRole).toInt();
    canvas_->select(row);
    scroll_->ensureVisible(0, canvas_->row_y(row), 0, 80);
  });
  connect(go_, &QPushButton::clicked, this, [this] { go_to_difference(list_->currentRow()); });
  connect(kernel_button_, &QPushButton::clicked, this, [this] {
    if (kernel_running()) cancel_kernel();
    else play_kernel_again();
  });
  connect(kernel_clock_, &QTimer::timeout, this, [this] { kernel_status_->setText(kernel_status()); });
  update_enabled();
}

CompareView::~CompareView() {
  if (kernel_ && kernel_->thread.joinable()) {
    kernel_->cancel = true;
    kernel_->thread.join();  // its queued kernel_finished() is dropped with this object
  }
}

void CompareView::show_run(const ShownRuns& runs) {
  // Nothing may point into the runs of the last call any more.
  comparison_.reset();
  canvas_->set(nullptr);
  const bool same_scenario = a_ && runs.run && a_->scenario.source == runs.run->scenario.source;
  const bool new_other = runs.other != nullptr && runs.other != other_;
  a_ = runs.run;
  other_ = runs.other;
  showing_previous_ = runs.showing_previous;
  b_run_.reset();  // A's scenario may have been edited: run B from it again
  kernel_unavailable_.clear();
  if (a_) {
    if (const auto missing = live::missing_privileges()) {
      kernel_unavailable_ = qs(*missing);
    } else {
      const std::vector<std::string> problems = live::live_problems(a_->scenario);
      for (const std::string& p : problems) kernel_unavailable_ += (kernel_unavailable_.isEmpty() ? "" : "; ") + qs(p);
    }
  }
  // A kernel run of the scenario before: stop it (a finished one is kept while it plays this).
  if (kernel_running() && (a_ == nullptr || kernel_->scenario != scenario::write_scenario(a_->scenario)))
    discard_kernel_run();
  if (a_ && !same_scenario) {
    // Defaults for a new scenario: the next seed, the other profile.
    const QSignalBlocker b1(seed_), b2(profile_);
    seed_->setValue(static_cast<int>(std::min<std::uint64_t>(a_->scenario.seed + 1, std::numeric_limits<int>::max())));
    profile_->setCurrentIndex(a_->scenario.profile == scenario::Profile::Linux ? 0 : 1);
  }
  // A what-if edit makes a previous run: that is what to compare with, unless a file or the
  // kernel (which then plays the edited scenario) was chosen.
  if (new_other && chosen_ != TraceFile && chosen_ != Kernel) chosen_ = PreviousRun;
  if (chosen_ == Kernel && !kernel_unavailable_.isEmpty()) chosen_ = other_ ? PreviousRun : Seed;
  if (!other_ && chosen_ == PreviousRun) chosen_ = Seed;
  dirty_ = true;
  update_enabled();
  if (isVisible()) compare();
}

void CompareView::set_cursor(std::size_t cursor) {
  cursor_ = cursor;
  canvas_->set_cursor(cursor);
}

void CompareView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  if (dirty_) compare();
}

void CompareView::update_enabled() {
  auto* model = qobject_cast<QStandardItemModel*>(source_->model());
  const int kernel = source_->findData(Kernel);
  if (model != nullptr) {
    model->item(0)->setEnabled(other_ != nullptr);
    model->item(kernel)->setEnabled(kernel_unavailable_.isEmpty());
  }
  source_->setItemData(kernel,
                       kernel_unavailable_.isEmpty()
                           ? QStringLiteral("Plays this scenario on real Linux sockets, a network namespace per host, "
                                            "the scenario's network relaying between them in real time")
                           : QStringLiteral("Not available: ") + kernel_unavailable_,
                       Qt::ToolTipRole);
  kernel_note_->setText(QStringLiteral("The Linux kernel is not offered: ") + kernel_unavailable_);
  kernel_note_->setVisible(a_ != nullptr && !kernel_unavailable_.isEmpty());
  source_->setCurrentIndex(source_->findData(chosen_));
  seed_->setVisible(chosen_ == Seed);
  profile_->setVisible(chosen_ == Profile);
  file_button_->setVisible(chosen_ == TraceFile);
  const bool running = kernel_running();
  kernel_button_->setText(running ? QStringLiteral("Cancel") : QStringLiteral("Play again"));
  kernel_button_->setToolTip(running ? QStringLiteral("Stop the kernel run (everything it made is removed)")
                                     : QStringLiteral("Play the scenario on the kernel once more"));
  kernel_button_->setVisible(chosen_ == Kernel && kernel_ != nullptr && (running || kernel_->done));
  kernel_status_->setVisible(chosen_ == Kernel && kernel_ != nullptr);
  kernel_status_->setText(kernel_status());
  source_->setEnabled(a_ != nullptr);
}

void CompareView::choose(Source s) {
  chosen_ = s;
  dirty_ = true;
  if (s != TraceFile) b_run_.reset();
  if (s != Kernel && kernel_running()) discard_kernel_run();
  update_enabled();
  compare();
}

bool CompareView::compare_with_previous() {
  choose(PreviousRun);
  return comparison_ != nullptr;
}

bool CompareView::compare_with_seed(std::uint64_t seed) {
  {
    const QSignalBlocker block(seed_);
    seed_->setValue(static_cast<int>(std::min<std::uint64_t>(seed, std::numeric_limits<int>::max())));
  }
  choose(Seed);
  return comparison_ != nullptr;
}

bool CompareView::compare_with_profile(scenario::Profile profile) {
  {
    const QSignalBlocker block(profile_);
    profile_->setCurrentIndex(profile_->findData(static_cast<int>(profile)));
  }
  choose(Profile);
  return comparison_ != nullptr;
}

bool CompareView::compare_with_file(const QString& path) {
  file_ = path;
  choose(TraceFile);
  return comparison_ != nullptr;
}

bool CompareView::compare_with_kernel() {
  choose(Kernel);
  return error_.isEmpty();
}

void CompareView::play_kernel_again() {
  if (kernel_running()) return;
  // B may be the run to forget: nothing may point into it any more.
  comparison_.reset();
  canvas_->set(nullptr);
  b_ = {};
  kernel_.reset();
  choose(Kernel);
}

void CompareView::cancel_kernel() {
  if (!kernel_running()) return;
  kernel_->cancel = true;
  kernel_status_->setText(kernel_status());
}

bool CompareView::kernel_running() const { return kernel_ != nullptr && !kernel_->done; }

QString CompareView::kernel_status() const {
  if (kernel_ == nullptr) return {};
  if (!kernel_->done) {
    if (kernel_->cancel) return QStringLiteral("cancelling…");
    return QStringLiteral("playing on the kernel… ") + seconds_text(kernel_->clock.elapsed());
  }
  if (!kernel_->error.empty())  // the error shows under the controls
    return kernel_->cancel ? QStringLiteral("cancelled after ") + seconds_text(kernel_->took_ms) : QString();
  QString end;
  switch (kernel_->live->end()) {
    case live::LiveEnd::Quiet: end = QStringLiteral("it ended when nothing was left to happen"); break;
    case live::LiveEnd::StopTime: end = QStringLiteral("it ended at the scenario's stop time"); break;
    case live::LiveEnd::MaxRealTime:
      end = QStringLiteral("stopped after ") + qs(sim::format_duration(kKernelMaxRealTime));
      break;
  }
  return QStringLiteral("played on the kernel in ") + seconds_text(kernel_->took_ms) + QStringLiteral("; ") + end;
}

void CompareView::start_kernel() {
  auto job = std::make_unique<KernelRun>();
  job->scenario = scenario::write_scenario(a_->scenario);
  live::LiveOptions options;  // the scenario's own seed and stop time
  options.max_real_time = kKernelMaxRealTime;
  options.cancel = &job->cancel;
  try {
    job->live = std::make_unique<live::LiveRun>(a_->scenario, options);
  } catch (const live::LiveError& e) {
    job->error = e.what();
    job->done = true;
    kernel_ = std::move(job);
    return;
  }
  job->clock.start();
  KernelRun* run = job.get();
  kernel_ = std::move(job);
  run->thread = std::thread([this, run] {
    try {
      run->live->run();
    } catch (const std::exception& e) {
      run->error = e.what();
    }
    QMetaObject::invokeMethod(this, [this] { kernel_finished(); }, Qt::QueuedConnection);
  });
  kernel_clock_->start();
  update_enabled();
}

void CompareView::kernel_finished() {
  if (kernel_ == nullptr || kernel_->done) return;
  kernel_->thread.join();
  kernel_->done = true;
  kernel_->took_ms = kernel_->clock.elapsed();
  kernel_clock_->stop();
  if (kernel_->discard) {
    kernel_.reset();
  } else if (kernel_->error.empty()) {
    kernel_->facts = std::make_unique<trace::TraceFacts>(kernel_->live->trace());
  }
  if (chosen_ != Kernel) {
    update_enabled();
    return;
  }
  // B is here (or why it is not), or A changed while the kernel played: play the new A.
  dirty_ = true;
  if (isVisible()) compare();
  update_enabled();
}

void CompareView::discard_kernel_run() {
  kernel_->cancel = true;
  kernel_->discard = true;
}

bool CompareView::make_kernel_b() {
  if (!kernel_unavailable_.isEmpty()) {
    show_error(QStringLiteral("The Linux kernel cannot play this here: ") + kernel_unavailable_);
    return false;
  }
  const std::string scenario = scenario::write_scenario(a_->scenario);
  if (kernel_ && kernel_->done && kernel_->scenario != scenario) kernel_.reset();  // it played A before an edit
  if (kernel_ == nullptr) start_kernel();
  if (kernel_running()) {
    // kernel_finished() compares again. A run being discarded ends first, then A's starts.
    const auto& until = a_->scenario.until;
    summary_->setText(QStringLiteral("Playing the scenario on the Linux kernel: B appears when the run ends (%1, or after "
                                     "%2 of real time at most).")
                          .arg(until ? QStringLiteral("at its stop time, %1").arg(qs(sim::format_duration(*until)))
                                     : QStringLiteral("when nothing is left to happen"),
                               qs(sim::format_duration(kKernelMaxRealTime))));
    return false;
  }
  if (!kernel_->error.empty()) {
    show_error(QStringLiteral("B could not be played on the kernel: ") + qs(kernel_->error));
    return false;
  }
  const trace::Trace& t = kernel_->live->trace();
  b_ = {&t, kernel_->facts.get(), trace::origin_text(t)};
  return true;
}

bool CompareView::make_b() {
  b_ = {};
  if (a_ == nullptr) return false;
  const scenario::Scenario& s = a_->scenario;
  switch (chosen_) {
    case PreviousRun:
      if (other_ == nullptr || other_->trace() == nullptr) {
        show_error(QStringLiteral("There is no previous run: make a what-if edit first, or choose another source."));
        return false;
      }
      b_ = {other_->trace(), other_->facts.get(), showing_previous_ ? "run after the edit" : "previous run"};
      return true;
    case Seed:
    case Profile: {
      if (!b_run_) {
        scenario::Scenario edited = s;
        if (chosen_ == Seed) {
          edited.seed = static_cast<std::uint64_t>(seed_->value());
        } else {
          std::string why;
          auto p = scenario::with_tcp(s, static_cast<scenario::Profile>(profile_->currentData().toInt()), {}, &why);
          if (!p) {
            show_error(QStringLiteral("The profile cannot be applied: ") + qs(why));
            return false;
          }
          edited = std::move(*p);
        }
        b_run_ = run_scenario(edited);
      }
      if (b_run_->trace() == nullptr) {
        show_error(QStringLiteral("B could not be run: ") + qs(b_run_->error));
        return false;
      }
      const std::string name = chosen_ == Seed ? "seed " + std::to_string(b_run_->scenario.seed)
                                               : std::string(scenario::to_string(b_run_->scenario.profile));
      b_ = {b_run_->trace(), b_run_->facts.get(), name};
      return true;
    }
    case TraceFile: {
      if (file_.isEmpty()) {
        show_error(QStringLiteral("Choose a trace file (.jsonl, as tcpsim run --trace writes it)."));
        return false;
      }
      auto read = trace::read_jsonl_file(file_.toStdString());
      if (!read.trace) {
        b_file_.reset();
        b_file_facts_.reset();
        show_error(QStringLiteral("The trace file cannot be read: ") + qs(read.error->to_string()));
        return false;
      }
      b_file_ = std::move(read.trace);
      b_file_facts_ = std::make_unique<trace::TraceFacts>(*b_file_);
      // A kernel's trace is named by its origin (the file by the note under its title).
      const bool kernel = trace::from_kernel(*b_file_);
      b_ = {&*b_file_, b_file_facts_.get(),
            kernel ? trace::origin_text(*b_file_) : QFileInfo(file_).fileName().toStdString()};
      return true;
    }
    case Kernel:
      return make_kernel_b();
  }
  return false;
}

void CompareView::show_error(const QString& text) {
  error_ = text;
  error_label_->setText(text);
  error_label_->show();
}

void CompareView::compare() {
  dirty_ = false;
  comparison_.reset();
  canvas_->set(nullptr);
  list_->clear();
  list_label_->setText(kListTitle);
  summary_->clear();
  error_.clear();
  error_label_->hide();
  if (a_ == nullptr || a_->trace() == nullptr) {
    summary_->setText(QStringLiteral("Open a scenario to compare its run with another."));
    return;
  }
  if (!make_b()) return;
  // A is named by what tells it from B: its seed, its profile, "model" against a kernel, or "this run".
  std::string a_name = showing_previous_ ? "previous run" : "this run";
  if (chosen_ == Seed && a_->scenario.seed != b_run_->scenario.seed) a_name = "seed " + std::to_string(a_->scenario.seed);
  if (chosen_ == Profile && a_->scenario.profile != b_run_->scenario.profile) a_name = scenario::to_string(a_->scenario.profile);
  const bool kernel = trace::from_kernel(*b_.trace);
  // Against a kernel's trace, A runs again on the conditions it recorded (its tick phase, the
  // relay's lateness), so that its timers expire on the kernel's ticks and its round trips are as
  // long (as tcpsim diff and check --kernel do).
  const Run* a = a_;
  a_on_ticks_.reset();
  std::string conditions;
  if (kernel) {
    scenario::Scenario s = a_->scenario;
    conditions = scenario::take_kernel_conditions(s, *b_.trace);
    if (!conditions.empty()) {
      a_on_ticks_ = run_scenario(s);
      if (a_on_ticks_->trace() != nullptr) a = a_on_ticks_.get();
    }
  }
  if (kernel) {
    a_name = std::string(showing_previous_ ? "previous run, model (profile " : "model (profile ") +
             scenario::to_string(a_->scenario.profile) + (a != a_ ? ", on the kernel's ticks)" : ")");
  }
  comparison_ = std::make_unique<trace::Comparison>(trace::CompareSide{a->trace(), a->facts.get(), a_name}, b_,
                                                    options_for(*b_.trace));
  QString summary = qs(comparison_->summary()).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
  if (kernel)
    summary += QStringLiteral("<br><i>Compared as with a kernel: times within 35 ms are the same; windows (a kernel scales "
                              "them), discards (a kernel's trace cannot see them) and PSH (set by its buffer sizes) are not compared.</i>");
  if (a != a_)
    summary += QStringLiteral("<br><i>The model ran again with %1, so that its timers expire on the ticks the kernel's did "
                              "and its round trips are as long.</i>")
                   .arg(qs(conditions.substr(2)).toHtmlEscaped());
  summary_->setText(summary);
  for (const QString& line : difference_lines()) list_->addItem(line);
  list_label_->setText(list_->count() > 0 ? kListTitle
                                          : QStringLiteral("No differences: every row is the same in both runs."));
  int n = 0;
  for (std::size_t r = 0; r < comparison_->rows().size(); ++r)
    if (comparison_->rows()[r].kind != trace::RowKind::Same) list_->item(n++)->setData(Qt::UserRole, static_cast<int>(r));
  // Under a kernel's title: where it was read from, and how late the relay wrote its packets.
  QStringList note;
  if (kernel && chosen_ == TraceFile) note << QStringLiteral("read from ") + QFileInfo(file_).fileName();
  if (const std::string relay = trace::meta_value(*b_.trace, "relay"); !relay.empty())
    note << QStringLiteral("relay timing: ") + qs(relay);
  canvas_->set(comparison_.get(), {QStringList(), note});
  canvas_->set_cursor(cursor_);
  // The first difference is what to look at: selected and scrolled to (the cursor stays).
  if (list_->count() > 0) list_->setCurrentRow(0);
}

QString CompareView::summary() const { return comparison_ ? qs(comparison_->summary()) : QString(); }
QString CompareView::summary_text() const { return summary_->text(); }
QString CompareView::error() const { return error_; }

QStringList CompareView::difference_lines() const {
  QStringList out;
  if (comparison_ == nullptr) return out;
  const trace::Comparison& c = *comparison_;
  for (const trace::CompareRow& r : c.rows()) {
    if (r.kind == trace::RowKind::Same) continue;
    const bool has_a = r.a != trace::kNoRecord;
    const sim::Time t = has_a ? c.a().trace->records()[r.a].time : c.b().trace->records()[r.b].time;
    out << QStringLiteral("t=%1 s  %2 — %3")
               .arg(qs(sim::format_seconds(t)), qs(c.event_text(r, has_a)), qs(c.difference_text(r)));
  }
  return out;
}

void CompareView::go_to_difference(int n) {
  if (comparison_ == nullptr || n < 0 || n >= list_->count()) return;
  const int row = list_->item(n)->data(Qt::UserRole).toInt();
  const trace::CompareRow& r = comparison_->rows()[static_cast<std::size_t>(row)];
  const auto& ra = comparison_->a().trace->records();
  // Past A's event, and far enough that B's event (revealed up to the time of A's last revealed
  // record) shows too: past the first A record at or after B's time.
  std::size_t cursor = r.a != trace::kNoRecord ? r.a + 1 : 0;
  if (r.b != trace::kNoRecord) {
    const sim::Time tb = comparison_->b().trace->records()[r.b].time;
    const auto at = std::lower_bound(ra.begin(), ra.end(), tb, [](const trace::Record& x, sim::Time t) { return x.time < t; });
    cursor = std::max(cursor, std::min(ra.size(), static_cast<std::size_t>(at - ra.begin()) + 1));
  }
  list_->setCurrentRow(n);
  if (host().set_cursor) host().set_cursor(cursor);
  if (r.a != trace::kNoRecord && host().select_record) host().select_record(r.a);
}

std::vector<QRectF> CompareView::text_rects() const { return canvas_->text_rects(); }
QStringList CompareView::texts() const { return canvas_->texts(); }

}  // namespace tcpsim::gui
