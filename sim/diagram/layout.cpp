// build_layout(): lanes, the time axis, then one pass over the revealed records.
#include "sim/diagram/layout.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "sim/diagram/lanes.hpp"
#include "sim/diagram/layout_detail.hpp"
#include "sim/trace/facts.hpp"

namespace tcpsim::diagram {
namespace {

using trace::NodeId;
using trace::Record;

constexpr double kTop = Style::header_h + 16;  // first lifeline y
constexpr double kRowH = 22;                    // one event row (EventStep) and text spacing
constexpr double kMedianGapPx = 48;             // auto scale: the median gap between events
constexpr double kMaxLinearHeight = 200'000;
constexpr double kBreakH = 36;                  // a squeezed gap (Compressed)
constexpr double kMinSendSep = 18;              // between arrow starts (Compressed)
constexpr double kAxisW = Style::axis_w;
constexpr double kSideRoom = 200;               // side labels of the first and last lanes
constexpr double kTimerSlotW = 5;
constexpr int kTimerSlots = 4;
// Lifeline to side label: past the state band and the timer brackets.
constexpr double kLabelGap = Style::band_w / 2 + 3 + kTimerSlots * kTimerSlotW + 4;
// Notes end before this x, so that the diagram pane of a 1280x800 window (its left column, about
// 770 px) shows them whole without scrolling sideways.
constexpr double kNotesRight = 760;
constexpr double kMinNoteW = 150;
// A host's note beside its lane: as many characters per line as the side room holds.
constexpr std::size_t kNoteSideChars = static_cast<std::size_t>((kSideRoom - kLabelGap) / (Style::small_px * Style::char_w));

// --- lanes ---------------------------------------------------------------------------------

using detail::LaneMap;

// The (node, conn) a record is about, if any.
struct Owner {
  NodeId node;
  net::ConnId conn;
};
std::optional<Owner> owner_of(const trace::Body& b) {
  return std::visit(
      [](const auto& x) -> std::optional<Owner> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, trace::StateChanged> || std::is_same_v<T, trace::TimerEvent> ||
                      std::is_same_v<T, trace::AppCall> || std::is_same_v<T, trace::AppNotify>)
          return Owner{x.node, x.conn};
        else
          return std::nullopt;
      },
      b);
}

// --- time axis ------------------------------------------------------------------------------

// y of every record of the whole trace, and the break marks of the Compressed axis.
struct Axis {
  std::vector<double> y;
  std::vector<Break> breaks;
};

sim::Duration median_gap(const std::vector<Record>& rs) {
  std::vector<std::int64_t> gaps;
  gaps.reserve(rs.size());
  for (std::size_t i = 1; i < rs.size(); ++i)
    if (rs[i].time > rs[i - 1].time) gaps.push_back((rs[i].time - rs[i - 1].time).count());
  if (gaps.empty()) return sim::Duration::ms(1);
  auto mid = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), mid, gaps.end());
  return sim::Duration::ns(*mid);
}

Axis make_axis(const std::vector<Record>& rs, const Options& o) {
  Axis a;
  a.y.resize(rs.size());
  const double top = kTop + kRowH;
  if (o.axis == TimeAxis::EventStep) {
    for (std::size_t i = 0; i < rs.size(); ++i) a.y[i] = top + static_cast<double>(i) * kRowH;
    return a;
  }
  if (rs.empty()) return a;
  const sim::Duration median = median_gap(rs);
  double px_per_ns = o.px_per_ms > 0 ? o.px_per_ms / 1e6 : kMedianGapPx / static_cast<double>(median.count());
  const sim::Time t0 = rs.front().time;
  if (o.axis == TimeAxis::Linear) {
    const double span = static_cast<double>((rs.back().time - t0).count());
    if (o.px_per_ms <= 0 && span * px_per_ns > kMaxLinearHeight) px_per_ns = kMaxLinearHeight / span;
    for (std::size_t i = 0; i < rs.size(); ++i) a.y[i] = top + static_cast<double>((rs[i].time - t0).count()) * px_per_ns;
    return a;
  }
  const sim::Duration threshold =
      o.compress_threshold > sim::Duration::zero() ? o.compress_threshold : std::max(median * 4, sim::Duration::us(1));
  double y = top;
  a.y[0] = y;
  // Segments sent at (nearly) the same time would draw one on top of the other: each arrow
  // starts at least kMinSendSep below the previous one (time still only moves down).
  double last_send = -kMinSendSep;
  auto starts_arrow = [](const Record& r) {
    return std::holds_alternative<trace::SegmentSent>(r.body) || std::holds_alternative<trace::SegmentDuplicated>(r.body);
  };
  if (starts_arrow(rs[0])) last_send = y;
  for (std::size_t i = 1; i < rs.size(); ++i) {
    const sim::Duration gap = rs[i].time - rs[i - 1].time;
    if (gap > threshold && static_cast<double>(gap.count()) * px_per_ns > kBreakH) {
      Break b;
      b.y0 = y;
      y += kBreakH;
      b.y1 = y;
      b.skipped = gap;
      a.breaks.push_back(std::move(b));
    } else {
      y += static_cast<double>(gap.count()) * px_per_ns;
    }
    if (starts_arrow(rs[i])) {
      y = std::max(y, last_send + kMinSendSep);
      last_send = y;
    }
    a.y[i] = y;
  }
  return a;
}

// --- labels ---------------------------------------------------------------------------------

// The label every view writes (trace::segment_label), with the diagram's markers.
std::string arrow_text(const trace::SegmentFacts& f, const Options& o) {
  trace::LabelOptions l;
  l.absolute = o.absolute;
  l.window = o.show_window ? trace::LabelOptions::Window::Always : trace::LabelOptions::Window::Changed;
  std::string t = trace::segment_label(f, l);
  if (f.retransmission) t += " (rtx)";
  if (f.copy()) t += " x2";
  if (f.injected) t += " (injected)";
  return t;
}

// Why a receiving TCP discarded a segment, short enough for the arrow: the rule of a "discard
// <segment>: <rule>" note, or a queue note as it is ("listen queue full: SYN dropped (...)").
std::string discard_text(std::string_view note) {
  std::string_view why = note;
  if (note.rfind("discard ", 0) == 0) {
    if (const auto at = note.find(": \xc2\xa7"); at != std::string_view::npos) why = note.substr(at + 2);  // ": §..."
  }
  std::string t = "discarded: " + std::string(why);
  if (t.size() > 72) t = t.substr(0, 69) + "...";
  return t;
}

// "SYN_SENT" as RFC 9293 writes it: "SYN-SENT".
std::string rfc_name(std::string_view state) {
  std::string s(state);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

std::string clip(std::string s, std::size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

// Word-wrapped into lines of at most `width` characters joined by '\n'; a word longer than a
// line is cut, and text past `max_lines` is clipped.
std::string wrap(const std::string& s, std::size_t width, std::size_t max_lines) {
  std::vector<std::string> lines(1);
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find(' ', pos);
    if (end == std::string::npos) end = s.size();
    std::string word = s.substr(pos, end - pos);
    pos = end + 1;
    while (word.size() > width) {
      if (!lines.back().empty()) lines.emplace_back();
      lines.back() = word.substr(0, width);
      word = word.substr(width);
      lines.emplace_back();
    }
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > width) lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += word;
  }
  if (lines.size() > max_lines) {
    lines.resize(max_lines);
    lines.back() = clip(lines.back() + "...", width);
  }
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

// --- the walk -------------------------------------------------------------------------------

class Builder {
 public:
  Builder(const trace::Trace& t, const Options& o, const Names& n, const trace::TraceFacts* f)
      : trace_(t), opt_(o), names_(n), own_(f == nullptr ? std::make_optional<trace::TraceFacts>(t) : std::nullopt),
        facts_(f != nullptr ? *f : *own_) {}

  Layout run() {
    const auto& rs = trace_.records();
    out_.options = opt_;
    out_.records_total = rs.size();
    out_.revealed = std::min(opt_.cursor, rs.size());
    axis_ = make_axis(rs, opt_);
    lanes();
    out_.lanes_top = kTop;
    out_.cursor_y = out_.revealed == 0 ? kTop : axis_.y[out_.revealed - 1];
    out_.record_y.assign(axis_.y.begin(), axis_.y.begin() + static_cast<std::ptrdiff_t>(out_.revealed));
    for (std::size_t i = 0; i < out_.revealed; ++i) record(i, rs[i]);
    finish();
    return std::move(out_);
  }

 private:
  void lanes();
  void record(std::size_t i, const Record& r);
  void sent(std::size_t i, const trace::SegmentFacts& f);
  void state(std::size_t i, double y, const trace::StateChanged& s);
  void timer(std::size_t i, const Record& r, const trace::TimerEvent& t);
  void annotate(std::size_t i, double y, std::size_t lane, AnnotationKind kind, std::string text, std::string detail);
  void finish();
  void header();
  void side_label(Label& l, std::size_t lane, double y, bool small);
  std::size_t lane_of(NodeId node, const net::ConnId& c) const { return map_.lane(node, c.local, c.remote); }
  double lane_x(std::size_t lane) const { return lane == kNone ? 0 : out_.lanes[lane].x; }
  bool left_side(std::size_t lane) const { return lane == 0 && out_.lanes.size() > 1; }
  std::string host_name(NodeId n) const {
    if (n < names_.hosts.size() && !names_.hosts[n].empty()) return names_.hosts[n];
    return n < trace_.node_count() ? trace_.node_name(n) : "?";
  }


  const trace::Trace& trace_;
  const Options& opt_;
  const Names& names_;
  std::optional<trace::TraceFacts> own_;  // built here when the caller has none
  const trace::TraceFacts& facts_;  // fates, retransmissions, numbering: as every view reads them
  Axis axis_;
  LaneMap map_;
  Layout out_;
  std::vector<std::size_t> open_band_;                                           // by lane
  std::map<std::pair<std::size_t, std::string_view>, std::size_t> open_timer_;  // (lane, timer)
  std::vector<std::array<bool, kTimerSlots>> slots_;                             // by lane
  double gap_ = 260;
};

void Builder::lanes() {
  const auto& rs = trace_.records();
  double widest = 0;
  std::vector<const net::Segment*> sent_seg;
  for (const auto& r : rs) {
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) {
      map_.see(s->node, s->seg.source(), s->seg.destination(), !s->injected);
      if (s->id >= sent_seg.size()) sent_seg.resize(s->id + 1, nullptr);
      sent_seg[s->id] = &s->seg;
      widest = std::max(widest, text_width(s->seg.flags.to_string()) + text_width(" seq=4294967295 ack=4294967295"));
    } else if (const auto* d = std::get_if<trace::SegmentDelivered>(&r.body)) {
      if (d->id < sent_seg.size() && sent_seg[d->id] != nullptr)
        map_.see(d->node, sent_seg[d->id]->destination(), sent_seg[d->id]->source(), false);
    } else if (const auto* c = std::get_if<trace::SegmentDuplicated>(&r.body)) {
      if (c->copy >= sent_seg.size()) sent_seg.resize(c->copy + 1, nullptr);
      if (c->id < sent_seg.size()) sent_seg[c->copy] = sent_seg[c->id];
    } else if (auto o = owner_of(r.body)) {
      map_.see(o->node, o->conn.local, o->conn.remote, true);
      const auto* s = std::get_if<trace::StateChanged>(&r.body);
      if (s && s->to == "LISTEN" && s->conn.remote == net::Endpoint{}) map_.listens(s->node, s->conn.local);
    }
  }
  map_.assign(out_.lanes, opt_.expand);
  gap_ = std::clamp(widest * (opt_.absolute ? 1.0 : 0.75) + 110, 280.0, 520.0);
  const double left = kAxisW + (out_.lanes.size() > 1 ? kSideRoom : 40);
  for (std::size_t i = 0; i < out_.lanes.size(); ++i) out_.lanes[i].x = left + static_cast<double>(i) * gap_;
  open_band_.assign(out_.lanes.size(), kNone);
  slots_.assign(out_.lanes.size(), {});
}

void Builder::record(std::size_t i, const Record& r) {
  const double y = axis_.y[i];
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, trace::SegmentSent> || std::is_same_v<T, trace::SegmentDuplicated>) {
          if (const auto* f = facts_.segment(facts_.started_by(i))) sent(i, *f);
        } else if constexpr (std::is_same_v<T, trace::StateChanged>) {
          state(i, y, x);
        } else if constexpr (std::is_same_v<T, trace::TimerEvent>) {
          timer(i, r, x);
        } else if constexpr (std::is_same_v<T, trace::AppCall>) {
          annotate(i, y, lane_of(x.node, x.conn), AnnotationKind::Call,
                   "(" + std::string(x.call) + (x.args.empty() ? "" : " " + x.args) + ")",
                   host_name(x.node) + " " + std::string(x.call) + "(" + x.args + ")");
        } else if constexpr (std::is_same_v<T, trace::AppNotify>) {
          std::string t = trace::to_string(x.notice);
          if (x.error != trace::AppError::None) t += std::string(" ") + trace::to_string(x.error);
          if (x.bytes != 0) t += " " + std::to_string(x.bytes);
          annotate(i, y, lane_of(x.node, x.conn), AnnotationKind::Notify, "[" + t + "]",
                   host_name(x.node) + " notified: " + t);
        } else if constexpr (std::is_same_v<T, trace::Note>) {
          // A host's note (its TCP discarding a segment, ...) beside that host's lane.
          std::size_t lane = kNone;
          if (x.node != trace::kNoNode) {
            lane = lane_of(x.node, x.conn);
            for (std::size_t k = 0; k < out_.lanes.size() && lane == kNone; ++k)
              if (out_.lanes[k].node == x.node) lane = k;
          }
          annotate(i, y, lane, AnnotationKind::Note, x.text, x.text);
        }
        // SegmentDelivered / Dropped / Delayed / Corrupted: the facts fold them into the arrow.
      },
      r.body);
}

void Builder::sent(std::size_t i, const trace::SegmentFacts& f) {
  const net::Segment& seg = *f.seg;
  Arrow a;
  a.record = i;
  a.segment = f.id;
  a.copy = f.copy();
  a.injected = f.injected;
  a.cause = f.cause;
  a.effects = f.effects_text(out_.revealed);
  a.from_lane = map_.lane(f.sender, seg.source(), seg.destination());
  if (a.from_lane == kNone) return;  // cannot happen: every sender has a lane
  const bool ends = f.end_record != trace::kNoRecord;
  const bool dropped = f.fate == trace::Fate::Dropped;
  if (f.fate == trace::Fate::Delivered) {
    a.to_lane = map_.lane(f.end_node, seg.destination(), seg.source());
  } else {
    a.to_lane = map_.receiver(seg.destination(), seg.source());
  }
  // The sender's own word (trace::TraceFacts), not a guess from sequence numbers.
  a.retransmission = f.retransmission;
  a.label.text = arrow_text(f, opt_);

  const double x0 = lane_x(a.from_lane);
  double x1 = a.to_lane != kNone && a.to_lane != a.from_lane ? lane_x(a.to_lane) : x0 + (left_side(a.from_lane) || a.from_lane == 0 ? 1 : -1) * gap_ * 0.6;
  const double y0 = axis_.y[i];
  const double y_end = ends ? axis_.y[f.end_record] : y0 + kMedianGapPx;
  a.from = {x0, y0};
  if (f.ended_before(out_.revealed)) {
    a.end_record = f.end_record;
    if (dropped) {
      a.fate = Fate::Lost;
      a.reason = trace::drop_text(f.reason, f.rule);
      // A corrupted segment travels all the way and fails its checksum at the receiver.
      const double frac = a.to_lane == kNone ? 1.0 : f.reason == trace::DropReason::Corrupted ? 0.9 : 0.6;
      a.to = {x0 + (x1 - x0) * frac, y_end};
    } else if (f.discarded_before(out_.revealed)) {
      // It reached the host, whose TCP threw it away (a full SYN queue, an unacceptable
      // segment): drawn all the way to the receiver's lifeline, ending in a bar rather than
      // an arrowhead (not a cross: it was not lost on the way), with the TCP's reason.
      a.fate = Fate::Lost;
      a.discarded = true;
      a.reason = discard_text(f.discard_reason);
      a.to = {x1, y_end};
    } else {
      a.fate = Fate::Delivered;
      a.to = {x1, y_end};
    }
  } else {
    // In flight at the cursor: the tip at the cursor's height, as far across as the segment has
    // travelled on its eventual path, but at least a third of the way (a segment sent by the last
    // revealed record must still show where it is going and carry its label).
    a.fate = Fate::InFlight;
    const double span = y_end - y0;
    const double frac = span > 0 ? std::clamp((out_.cursor_y - y0) / span, 1.0 / 3, 0.95) : 0.5;
    a.to = {x0 + (x1 - x0) * frac * (dropped ? 0.6 : 1.0), std::max(y0, out_.cursor_y)};
  }
  out_.arrows.push_back(std::move(a));
}

void Builder::state(std::size_t i, double y, const trace::StateChanged& s) {
  const std::size_t lane = lane_of(s.node, s.conn);
  if (lane == kNone) return;
  if (std::size_t b = open_band_[lane]; b != kNone) out_.bands[b].y1 = y;
  open_band_[lane] = kNone;
  if (s.to != "CLOSED") {
    open_band_[lane] = out_.bands.size();
    out_.bands.push_back({lane, i, s.to, y, y});
  }
  StateMark m;
  m.lane = lane;
  m.record = i;
  m.from = s.from;
  m.to = s.to;
  m.cause = s.cause;
  m.y = y;
  m.label.text = rfc_name(s.to);
  side_label(m.label, lane, y, false);
  out_.states.push_back(std::move(m));
}

void Builder::timer(std::size_t i, const Record& r, const trace::TimerEvent& t) {
  const std::size_t lane = lane_of(t.node, t.conn);
  if (lane == kNone) return;
  const double y = axis_.y[i];
  const auto key = std::make_pair(lane, t.timer);
  bool restart = false;
  if (auto it = open_timer_.find(key); it != open_timer_.end()) {
    auto& b = out_.timers[it->second];
    b.y1 = y;
    b.end_record = i;
    restart = t.op == trace::TimerOp::Armed;
    b.end = t.op == trace::TimerOp::Fired ? TimerEnd::Fired : restart ? TimerEnd::Restarted : TimerEnd::Cancelled;
    slots_[lane][static_cast<std::size_t>(b.slot)] = false;
    open_timer_.erase(it);
  }
  if (t.op != trace::TimerOp::Armed) return;
  std::size_t slot = 0;
  while (slot + 1 < kTimerSlots && slots_[lane][slot]) ++slot;
  slots_[lane][slot] = true;
  TimerBracket b;
  b.lane = lane;
  b.record = i;
  b.timer = t.timer;
  b.deadline = t.deadline;
  b.cause = t.cause;
  b.restart = restart;
  b.y0 = b.y1 = y;
  b.slot = static_cast<int>(slot);
  // Brackets between the lifeline and the lane's text, the gap stays for the arrows.
  const double dir = left_side(lane) ? -1 : 1;
  b.x = lane_x(lane) + dir * (Style::band_w / 2 + 3 + static_cast<double>(slot) * kTimerSlotW);
  b.label.text = std::string(timer_short_name(t.timer)) + " " + sim::format_duration(t.deadline - r.time) +
                 (restart ? " again" : "");
  side_label(b.label, lane, y, true);
  open_timer_[key] = out_.timers.size();
  out_.timers.push_back(std::move(b));
}

void Builder::annotate(std::size_t i, double y, std::size_t lane, AnnotationKind kind, std::string text,
                       std::string detail) {
  Annotation a;
  a.lane = lane;
  a.record = i;
  a.kind = kind;
  a.y = y;
  a.detail = std::move(detail);
  const double hs = Style::small_px * Style::line_h;
  if (kind != AnnotationKind::Note) {
    // At most 30 characters; right of a lane inside the diagram pane, no further than its edge
    // (the tooltip has the whole call).
    std::size_t chars = 30;
    if (lane != kNone && !left_side(lane) && lane_x(lane) < kNotesRight) {
      const double room = (kNotesRight - lane_x(lane) - kLabelGap) / (Style::small_px * Style::char_w);
      chars = std::clamp(static_cast<std::size_t>(std::max(room, 0.0)), std::size_t{12}, chars);
    }
    a.label.text = clip(std::move(text), chars);
    side_label(a.label, lane, y, true);
  } else if (lane != kNone) {
    // A host's note beside its lane, in the room its side labels have.
    a.label.text = wrap(text, kNoteSideChars, 3);
    side_label(a.label, lane, y, true);
    a.label.box.h = hs * static_cast<double>(1 + std::count(a.label.text.begin(), a.label.text.end(), '\n'));
    a.label.box.w = text_width(a.label.text, true);
    // Right-aligned left of the lane when it is the first one, or when the right side would
    // leave the diagram pane of a 1280 px window.
    if (left_side(lane) || a.label.box.right() > kNotesRight) a.label.box.x = lane_x(lane) - kLabelGap - a.label.box.w;
  } else {
    // The scenario's own note: wrapped in a column right of the last lane's side labels, narrow
    // enough for the diagram pane of a 1280 px window; where the lanes leave no room there,
    // between the lanes.
    a.label.small = true;
    const double last = out_.lanes.empty() ? kAxisW : out_.lanes.back().x;
    double x0 = last + kSideRoom, x1 = kNotesRight;
    if (x1 - x0 < kMinNoteW) {
      x0 = out_.lanes.empty() ? kAxisW : out_.lanes.front().x + kLabelGap;
      x1 = std::min(out_.lanes.size() > 1 ? last - kLabelGap : x0 + 360, kNotesRight);
    }
    const auto chars = static_cast<std::size_t>(std::max(20.0, (x1 - x0) / (Style::small_px * Style::char_w)));
    a.label.text = wrap("note: " + text, chars, 8);
    const double lines = static_cast<double>(1 + std::count(a.label.text.begin(), a.label.text.end(), '\n'));
    a.label.box = {x0, y - hs / 2, text_width(a.label.text, true), hs * lines};
  }
  a.label.anchor = {a.label.box.x, y};
  out_.annotations.push_back(std::move(a));
}

// Text beside a lane: left of the first lane (right-aligned), right of the others.
void Builder::side_label(Label& l, std::size_t lane, double y, bool small) {
  l.small = small;
  const double w = text_width(l.text, small);
  const double h = (small ? Style::small_px : Style::font_px) * Style::line_h;
  const double x = left_side(lane) ? lane_x(lane) - kLabelGap - w : lane_x(lane) + kLabelGap;
  l.box = {x, y - h / 2, w, h};
}

void Builder::finish() {
  const double end = out_.cursor_y;
  for (std::size_t b : open_band_)
    if (b != kNone) out_.bands[b].y1 = end;
  for (auto& [key, t] : open_timer_) out_.timers[t].y1 = end;
  for (const auto& b : axis_.breaks)
    if (b.y1 <= end + 1e-9) out_.breaks.push_back(b);
  for (auto& b : out_.breaks) {
    b.label.text = "~" + sim::format_duration(b.skipped);
    b.label.small = true;
    const double w = text_width(b.label.text, true);
    b.label.box = {kAxisW - 8 - w, (b.y0 + b.y1) / 2 - Style::small_px * 0.65, w, Style::small_px * Style::line_h};
  }
  // Time ticks on the left axis, where the time changes and there is room.
  const auto& rs = trace_.records();
  double last_y = -1e9;
  for (std::size_t i = 0; i < out_.revealed; ++i) {
    const double y = axis_.y[i];
    if (i > 0 && rs[i].time == rs[i - 1].time) continue;
    if (y - last_y < kRowH) continue;
    Tick t;
    t.y = y;
    t.time = rs[i].time;
    t.label.text = sim::format_seconds(rs[i].time);
    t.label.small = true;
    const double w = text_width(t.label.text, true);
    t.label.box = {kAxisW - 8 - w, y - Style::small_px * 0.65, w, Style::small_px * Style::line_h};
    last_y = y;
    out_.ticks.push_back(std::move(t));
  }
  out_.lanes_bottom = end + 2 * kRowH;
  header();
  detail::place_labels(out_);
  double bottom = out_.lanes_bottom;
  for (const auto& b : out_.label_boxes()) bottom = std::max(bottom, b.bottom());
  out_.lanes_bottom = bottom + kRowH / 2;
  out_.height = out_.lanes_bottom + kRowH;
  double right = out_.lanes.empty() ? kAxisW + 200 : out_.lanes.back().x + kSideRoom + 40;
  for (const auto& b : out_.label_boxes()) right = std::max(right, b.right() + 20);
  right = std::max(right, out_.title_label.box.right() + 20);
  right = std::max(right, out_.legend.box.right() + 20);
  out_.width = right;
  detail::build_index(out_);
}

void Builder::header() {
  out_.title = names_.title.empty() ? std::string("sequence diagram") : names_.title;
  out_.title_label.text = out_.title + "  (" + to_string(opt_.axis) + " time, " +
                          (opt_.absolute ? "absolute" : "relative") + " seq/ack)";
  out_.title_label.box = {16, 8, text_width(out_.title_label.text), Style::font_px * Style::line_h};
  out_.legend.text = "-> delivered   -| discarded by its receiver (rule)   - - in flight   X lost (reason)   "
                     "(rtx) retransmission   x2 duplicate   (injected) sent by no TCP   | timer bracket   (call)   "
                     "[notice]   STATE after the event";
  out_.legend.small = true;
  out_.legend.box = {16, 28, text_width(out_.legend.text, true), Style::small_px * Style::line_h};
  for (std::size_t i = 0; i < out_.lanes.size(); ++i) {
    auto& l = out_.lanes[i];
    const double w = text_width(l.label.text, true);
    l.label.box = {l.x - w / 2, Style::header_h - 14, w, Style::small_px * Style::line_h};
    if (out_.hosts.empty() || out_.hosts.back().node != l.node) {
      HostHeader h;
      h.node = l.node;
      h.label.text = host_name(l.node);
      if (l.last_node != trace::kNoNode)
        h.label.text += " \u2026 " + host_name(l.last_node) + " (" + std::to_string(l.members) + " hosts)";
      h.x0 = h.x1 = l.x;
      out_.hosts.push_back(std::move(h));
    }
    out_.hosts.back().x1 = l.x;
  }
  for (auto& h : out_.hosts) {
    const double w = text_width(h.label.text);
    h.label.box = {(h.x0 + h.x1) / 2 - w / 2, Style::header_h - 34, w, Style::font_px * Style::line_h};
  }
}

}  // namespace

const char* to_string(TimerEnd e) {
  switch (e) {
    case TimerEnd::Pending: return "pending";
    case TimerEnd::Fired: return "fired";
    case TimerEnd::Cancelled: return "cancelled";
    case TimerEnd::Restarted: return "restarted";
  }
  return "?";
}

const char* to_string(TimeAxis a) {
  switch (a) {
    case TimeAxis::Linear: return "linear";
    case TimeAxis::EventStep: return "event-step";
    case TimeAxis::Compressed: return "compressed";
  }
  return "?";
}

Layout build_layout(const trace::Trace& trace, const Options& options, const Names& names, const trace::TraceFacts* facts) {
  return Builder(trace, options, names, facts).run();
}

}  // namespace tcpsim::diagram
