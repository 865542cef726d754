// Text metrics, the palette, label placement, and the queries on a finished Layout.
#include <algorithm>
#include <limits>
#include <optional>
#include <cmath>

#include "sim/diagram/layout.hpp"
#include "sim/diagram/layout_detail.hpp"

namespace tcpsim::diagram {
namespace {

// Vertical extent of a primitive, labels included.
struct Extent {
  double y0, y1;
  void add(const Box& b) {
    if (b.w <= 0 && b.h <= 0) return;
    y0 = std::min(y0, b.y);
    y1 = std::max(y1, b.bottom());
  }
};

Extent extent(const Layout& l, PrimRef r) {
  switch (r.kind) {
    case PrimKind::Arrow: {
      const auto& a = l.arrows[r.index];
      Extent e{a.y_min(), a.y_max()};
      if (a.label.shown()) e.add(a.label.box);
      if (a.reason_label.shown()) e.add(a.reason_label.box);
      return e;
    }
    case PrimKind::Band: return {l.bands[r.index].y0, l.bands[r.index].y1};
    case PrimKind::State: {
      const auto& s = l.states[r.index];
      Extent e{s.y, s.y};
      e.add(s.label.box);
      return e;
    }
    case PrimKind::Timer: {
      const auto& t = l.timers[r.index];
      Extent e{t.y0, t.y1};
      e.add(t.label.box);
      return e;
    }
    case PrimKind::Annotation: {
      const auto& a = l.annotations[r.index];
      Extent e{a.y, a.y};
      e.add(a.label.box);
      return e;
    }
    case PrimKind::Break: {
      const auto& b = l.breaks[r.index];
      Extent e{b.y0, b.y1};
      e.add(b.label.box);
      return e;
    }
    case PrimKind::Tick: {
      const auto& t = l.ticks[r.index];
      Extent e{t.y, t.y};
      e.add(t.label.box);
      return e;
    }
  }
  return {0, 0};
}

template <class F>
void for_each_prim(const Layout& l, F&& f) {
  auto each = [&](PrimKind k, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) f(PrimRef{k, static_cast<std::uint32_t>(i)});
  };
  each(PrimKind::Band, l.bands.size());
  each(PrimKind::Timer, l.timers.size());
  each(PrimKind::Arrow, l.arrows.size());
  each(PrimKind::State, l.states.size());
  each(PrimKind::Annotation, l.annotations.size());
  each(PrimKind::Break, l.breaks.size());
  each(PrimKind::Tick, l.ticks.size());
}

double distance_to_segment(Point p, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

double distance_to_box(Point p, const Label& l) {
  if (!l.shown()) return 1e18;
  const Box& b = l.box;
  const double dx = std::max({b.x - p.x, 0.0, p.x - b.right()});
  const double dy = std::max({b.y - p.y, 0.0, p.y - b.bottom()});
  return std::hypot(dx, dy);
}

std::size_t bucket_of(const Layout& l, double y) {
  if (y <= 0) return 0;
  return std::min(static_cast<std::size_t>(y / l.bucket_h), l.buckets.empty() ? 0 : l.buckets.size() - 1);
}

}  // namespace

double text_width(std::string_view text, bool small) {
  // Count code points, not bytes (the legend and labels use a few non-ASCII symbols); several
  // lines are as wide as the longest.
  std::size_t n = 0, widest = 0;
  for (unsigned char c : text) {
    if (c == '\n') n = 0;
    else if ((c & 0xC0) != 0x80) ++n;
    widest = std::max(widest, n);
  }
  return static_cast<double>(widest) * (small ? Style::small_px : Style::font_px) * Style::char_w;
}

const char* state_colour(std::string_view s) {
  // One colour per RFC 9293 state; "SYN_SENT" and "SYN-SENT" spellings alike.
  struct Entry {
    const char* name;
    const char* colour;
  };
  static constexpr Entry kPalette[] = {
      {"CLOSED", "#bdbdbd"},     {"LISTEN", "#90caf9"},     {"SYN?SENT", "#ffe082"},   {"SYN?RECEIVED", "#ffcc80"},
      {"ESTABLISHED", "#a5d6a7"}, {"FIN?WAIT?1", "#ce93d8"}, {"FIN?WAIT?2", "#b39ddb"}, {"CLOSE?WAIT", "#80deea"},
      {"CLOSING", "#f48fb1"},    {"LAST?ACK", "#ef9a9a"},   {"TIME?WAIT", "#bcaaa4"},
  };
  for (const auto& e : kPalette) {
    const std::string_view n = e.name;
    if (n.size() != s.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < n.size() && same; ++i)
      same = n[i] == '?' ? (s[i] == '_' || s[i] == '-' || s[i] == ' ') : n[i] == s[i];
    if (same) return e.colour;
  }
  return "#e0e0e0";
}

std::string_view timer_short_name(std::string_view t) {
  if (t == "retransmit") return "RTO";
  if (t == "time-wait") return "2MSL";
  if (t == "delayed-ack") return "delACK";
  if (t == "persist") return "persist";
  if (t == "keepalive") return "keepalive";
  if (t == "user-timeout") return "UTO";
  if (t == "loss-probe") return "TLP";
  return t;
}

std::vector<PrimRef> Layout::visible(double y0, double y1) const {
  std::vector<PrimRef> out;
  if (buckets.empty() || y1 < y0) return out;
  const std::size_t k0 = bucket_of(*this, y0), k1 = bucket_of(*this, y1);
  for (std::size_t k = k0; k <= k1; ++k)
    for (const PrimRef& r : buckets[k]) {
      const Extent e = extent(*this, r);
      const std::size_t first = bucket_of(*this, e.y0);
      if (first != k && !(k == k0 && first < k0)) continue;  // reported from its first bucket
      if (e.y1 >= y0 && e.y0 <= y1) out.push_back(r);
    }
  std::sort(out.begin(), out.end(), [](PrimRef a, PrimRef b) {
    return std::tie(a.kind, a.index) < std::tie(b.kind, b.index);
  });
  return out;
}

std::optional<PrimRef> Layout::hit(Point p, double tolerance) const {
  std::optional<PrimRef> best;
  double best_d = tolerance;
  for (const PrimRef& r : visible(p.y - 64, p.y + 64)) {
    double d = 1e18;
    switch (r.kind) {
      case PrimKind::Arrow: {
        const auto& a = arrows[r.index];
        d = std::min({distance_to_segment(p, a.from, a.to), distance_to_box(p, a.label),
                      distance_to_box(p, a.reason_label)});
        break;
      }
      case PrimKind::Band: {
        const auto& b = bands[r.index];
        const double x = lanes[b.lane].x;
        if (p.y >= b.y0 && p.y <= b.y1) d = std::max(0.0, std::abs(p.x - x) - Style::band_w / 2);
        d += 0.5;  // what lies on a band wins a tie
        break;
      }
      case PrimKind::State: d = distance_to_box(p, states[r.index].label); break;
      case PrimKind::Timer: {
        const auto& t = timers[r.index];
        if (p.y >= t.y0 && p.y <= t.y1) d = std::abs(p.x - t.x);
        d = std::min(d, distance_to_box(p, t.label));
        break;
      }
      case PrimKind::Annotation: d = distance_to_box(p, annotations[r.index].label); break;
      case PrimKind::Break:
      case PrimKind::Tick: continue;
    }
    if (d <= best_d) {
      best_d = d;
      best = r;
    }
  }
  return best;
}

std::size_t Layout::record_of(PrimRef r) const {
  switch (r.kind) {
    case PrimKind::Arrow: return arrows[r.index].record;
    case PrimKind::Band: return bands[r.index].record;
    case PrimKind::State: return states[r.index].record;
    case PrimKind::Timer: return timers[r.index].record;
    case PrimKind::Annotation: return annotations[r.index].record;
    case PrimKind::Break:
    case PrimKind::Tick: return kNone;
  }
  return kNone;
}

std::vector<Box> Layout::label_boxes() const {
  std::vector<Box> out;
  auto add = [&out](const Label& l) {
    if (l.shown()) out.push_back(l.box);
  };
  add(title_label);
  add(legend);
  for (const auto& h : hosts) add(h.label);
  for (const auto& l : lanes) add(l.label);
  for (const auto& a : arrows) {
    add(a.label);
    add(a.reason_label);
  }
  for (const auto& s : states) add(s.label);
  for (const auto& t : timers) add(t.label);
  for (const auto& a : annotations) add(a.label);
  for (const auto& b : breaks) add(b.label);
  for (const auto& t : ticks) add(t.label);
  return out;
}

namespace {

// The boxes placed so far, bucketed by y, for overlap queries.
class Occupancy {
 public:
  explicit Occupancy(double bucket_h) : h_(bucket_h) {}
  void add(const Box& b) {
    for (std::size_t k = first(b.y); k <= last(b.bottom()); ++k) at(k).push_back(b);
  }
  bool free(const Box& b) const {
    for (std::size_t k = first(b.y); k <= last(b.bottom()) && k < rows_.size(); ++k)
      for (const Box& o : rows_[k])
        if (o.overlaps(b)) return false;
    return true;
  }

 private:
  std::size_t first(double y) const { return y <= 0 ? 0 : static_cast<std::size_t>(y / h_); }
  std::size_t last(double y) const { return first(y); }
  std::vector<Box>& at(std::size_t k) {
    if (k >= rows_.size()) rows_.resize(k + 1);
    return rows_[k];
  }
  double h_;
  std::vector<std::vector<Box>> rows_;
};

// Does the segment p-q pass through b? (Liang-Barsky clipping.)
bool segment_meets(Point p, Point q, const Box& b) {
  double t0 = 0, t1 = 1;
  const double dx = q.x - p.x, dy = q.y - p.y;
  const double pk[4] = {-dx, dx, -dy, dy};
  const double qk[4] = {p.x - b.x, b.right() - p.x, p.y - b.y, b.bottom() - p.y};
  for (int i = 0; i < 4; ++i) {
    if (pk[i] == 0) {
      if (qk[i] < 0) return false;
      continue;
    }
    const double r = qk[i] / pk[i];
    if (pk[i] < 0) t0 = std::max(t0, r);
    else t1 = std::min(t1, r);
    if (t0 > t1) return false;
  }
  return true;
}

// Every other text first, nudged down until no two overlap (in order of height; each label is
// compared with the boxes still reaching it).
void nudge(std::vector<Label*>& ls) {
  std::stable_sort(ls.begin(), ls.end(), [](const Label* a, const Label* b) { return a->box.y < b->box.y; });
  // Labels are taken by increasing original top and only ever move down, so a placed box that
  // ends above the current label's original top can meet no later label: drop it.
  // A label pushed further than kMaxPush is hidden, which also bounds the boxes kept active
  // (they all lie within kMaxPush + one line below the current top): linear overall.
  constexpr double kMaxPush = 8 * Style::font_px * Style::line_h;
  std::vector<Box> active;
  for (Label* lab : ls) {
    const double top = lab->box.y;
    std::erase_if(active, [top](const Box& b) { return b.bottom() <= top; });
    for (bool moved = true; moved && !lab->hidden;) {
      moved = false;
      for (const Box& b : active)
        if (b.overlaps(lab->box)) {
          lab->box.y = b.bottom() + 1;
          moved = true;
        }
      if (lab->box.y - top > kMaxPush) {
        lab->box.y = top;
        lab->hidden = true;
      }
    }
    if (!lab->hidden) active.push_back(lab->box);
  }
}

// Each arrow's label centred on a point of its own line: the middle if that is free, else the
// free point nearest to it that covers the fewest other lines (so crossing arrows keep their
// labels apart, each on its own side of the crossing). Hidden only when no point of the line
// has room.
constexpr std::size_t kCrowdedArrows = 4000;

void place_arrow_labels(Layout& l, Occupancy& taken) {
  constexpr double kBucket = 64;
  std::vector<std::vector<std::size_t>> lines;  // arrow indices by y bucket
  auto bucket = [](double y) { return y <= 0 ? std::size_t{0} : static_cast<std::size_t>(y / kBucket); };
  for (std::size_t i = 0; i < l.arrows.size(); ++i) {
    const auto& a = l.arrows[i];
    const std::size_t k1 = bucket(a.y_max());
    if (k1 >= lines.size()) lines.resize(k1 + 1);
    for (std::size_t k = bucket(a.y_min()); k <= k1; ++k) lines[k].push_back(i);
  }
  // The lines other than `self` that b meets, counted up to `enough` (a candidate meeting that
  // many already loses to the best one found: no need to count further).
  auto lines_met = [&](std::size_t self, const Box& b, int enough) {
    int n = 0;
    for (std::size_t k = bucket(b.y); k <= bucket(b.bottom()) && k < lines.size(); ++k)
      for (std::size_t i : lines[k]) {
        if (i == self) continue;
        const auto& o = l.arrows[i];
        // Counted once: from the first bucket both share.
        if (std::max(bucket(o.y_min()), bucket(b.y)) != k) continue;
        if (segment_meets(o.from, o.to, b) && ++n >= enough) return n;
      }
    return n;
  };
  const double h = Style::font_px * Style::line_h;
  // A crowded run (a churn of a thousand clients: thousands of arrows across the same few lanes)
  // tries fewer points per line: most labels there find no room anyway, and the search over every
  // point made each GUI step cost more than a step should (< 100 ms on churn-1000).
  const int last_step = l.arrows.size() > kCrowdedArrows ? 6 : 32;
  for (std::size_t i = 0; i < l.arrows.size(); ++i) {
    auto& a = l.arrows[i];
    const double w = text_width(a.label.text);
    double best_t = -1;
    int best_cost = 0;
    Box best_box;
    // From the middle outwards, in steps of 1/40 of the line, keeping clear of the lifelines.
    for (int step = 0; step <= last_step; ++step) {
      const double t = 0.5 + (step % 2 == 0 ? 1 : -1) * ((step + 1) / 2) / 40.0;
      const Point p{a.from.x + (a.to.x - a.from.x) * t, a.from.y + (a.to.y - a.from.y) * t};
      const Box b{p.x - w / 2, p.y - h / 2, w, h};
      if (!taken.free(b)) continue;
      const int cost = lines_met(i, b, best_t < 0 ? std::numeric_limits<int>::max() : best_cost);
      if (best_t < 0 || cost < best_cost) {
        best_t = t;
        best_cost = cost;
        best_box = b;
      }
      if (cost == 0) break;
    }
    if (best_t < 0) {
      a.label.hidden = true;
      a.label.anchor = {(a.from.x + a.to.x) / 2, (a.from.y + a.to.y) / 2};
      a.label.box = {a.label.anchor.x - w / 2, a.label.anchor.y - h / 2, w, h};
      continue;
    }
    a.label.box = best_box;
    a.label.anchor = {best_box.x + w / 2, best_box.y + h / 2};
    taken.add(best_box);
  }
}

// Each note moved from where the layout put it, a line at a time, down or up (nearest first), to
// the first place that covers no placed text and no arrow line; failing that (within kSteps
// lines), to the nearest that covers no text; failing that, hidden (its text stays in the
// record's tooltip).
void place_notes(Layout& l, Occupancy& taken) {
  constexpr int kSteps = 24;
  const double step = Style::small_px * Style::line_h;
  auto crosses_arrow = [&l](const Box& b) {
    for (const auto& a : l.arrows)
      if (a.y_max() >= b.y && a.y_min() <= b.bottom() && segment_meets(a.from, a.to, b)) return true;
    return false;
  };
  std::vector<Label*> notes;
  for (auto& a : l.annotations)
    if (a.kind == AnnotationKind::Note) notes.push_back(&a.label);
  std::stable_sort(notes.begin(), notes.end(), [](const Label* a, const Label* b) { return a->box.y < b->box.y; });
  for (Label* lab : notes) {
    const double top = lab->box.y;
    std::optional<double> clear_of_text;
    for (int k = 0; k <= 2 * kSteps; ++k) {
      // 0, +1, -1, +2, -2, ... lines from where the layout put it, never above the diagram.
      const double dy = (k % 2 == 1 ? 1 : -1) * ((k + 1) / 2) * step;
      Box b = lab->box;
      b.y = top + dy;
      if (b.y < l.lanes_top) continue;
      if (!taken.free(b)) continue;
      if (!clear_of_text) clear_of_text = b.y;
      if (!crosses_arrow(b)) {
        clear_of_text = b.y;
        break;
      }
    }
    if (!clear_of_text) {
      lab->hidden = true;
      continue;
    }
    lab->box.y = *clear_of_text;
    taken.add(lab->box);
  }
}

}  // namespace

namespace detail {

void place_labels(Layout& l) {
  const double hs = Style::small_px * Style::line_h;
  for (auto& a : l.arrows) {
    if (a.fate == Fate::Lost) {
      // "discarded: §..." for a segment its receiver threw away, "lost: ..." on the way.
      a.reason_label.text = a.discarded ? a.reason : "lost: " + a.reason;
      a.reason_label.small = true;
      const double rw = text_width(a.reason_label.text, true);
      // Below the cross (or the discard's bar), clear of the arrow's own label (centred on the line).
      a.reason_label.box = {a.to.x - rw / 2, a.to.y + Style::font_px * Style::line_h / 2 + 1, rw, hs};
      a.reason_label.anchor = a.to;
    }
  }
  std::vector<Label*> ls;
  for (auto& a : l.arrows)
    if (!a.reason_label.text.empty()) ls.push_back(&a.reason_label);
  for (auto& s : l.states) ls.push_back(&s.label);
  for (auto& t : l.timers) ls.push_back(&t.label);
  for (auto& a : l.annotations)
    if (a.kind != AnnotationKind::Note) ls.push_back(&a.label);
  for (auto& b : l.breaks) ls.push_back(&b.label);
  for (auto& t : l.ticks) ls.push_back(&t.label);
  nudge(ls);
  Occupancy taken(64);
  for (const Label* lab : ls)
    if (lab->shown()) taken.add(lab->box);
  place_arrow_labels(l, taken);
  // Notes last: a note is the scenario's comment on what the arrows show, so it yields to them,
  // moving until it covers no other text and no arrow (a lost ACK under its own note would
  // vanish), or, if it finds no such place nearby, to where it meets no other text.
  place_notes(l, taken);
}

void build_index(Layout& l) {
  l.buckets.assign(static_cast<std::size_t>(std::max(l.height, 1.0) / l.bucket_h) + 1, {});
  for_each_prim(l, [&l](PrimRef r) {
    const Extent e = extent(l, r);
    const std::size_t k0 = bucket_of(l, e.y0), k1 = bucket_of(l, e.y1);
    for (std::size_t k = k0; k <= k1; ++k) l.buckets[k].push_back(r);
  });
}

}  // namespace detail
}  // namespace tcpsim::diagram
