#include "sim/trace/facts.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace tcpsim::trace {
namespace {

using Direction = std::pair<net::Endpoint, net::Endpoint>;  // sender endpoint -> receiver endpoint

// The sequence space one incarnation of a direction has used: its ISN, and one past the highest
// relative number it has sent (a SYN and a FIN count one each).
struct Span {
  net::SeqNum isn;
  std::uint32_t end = 0;
};

struct DirectionState {
  std::optional<Span> span;     // of the current incarnation
  std::vector<Span> earlier;    // of the ones before it, oldest first
  std::uint32_t incarnation = 0;
  std::optional<std::uint16_t> window;  // of the last non-RST segment the TCP sent
};

// How far beyond anything its incarnation has sent a number may lie and still be read relative to
// it (an ACK of data the trace never shows, a segment crafted ahead): 1 MiB.
constexpr std::uint32_t kBeyondSent = 1U << 20;

// x relative to a span, when it lies inside what that incarnation has sent so far (give or take
// kBeyondSent): a number before the ISN, or far beyond anything sent, belongs to no part of it (an
// older incarnation's, or an injected segment's; with random ISNs, as a kernel picks them, "after
// the ISN" alone would give half of such numbers a meaningless relative value).
std::optional<std::uint32_t> relative(net::SeqNum x, const std::optional<Span>& span, std::uint32_t beyond = kBeyondSent) {
  if (!span || x - span->isn < 0) return std::nullopt;
  const std::uint32_t rel = x.raw() - span->isn.raw();
  if (rel > span->end && rel - span->end > beyond) return std::nullopt;
  return rel;
}

// A number placed in the incarnation it belongs to: the current one if it lies within what that
// one has sent, else the latest earlier one within what it sent, else the current one if it lies
// not far beyond. `old` receives an earlier incarnation's placement.
std::optional<std::uint32_t> place(net::SeqNum x, const DirectionState& d, std::optional<EarlierNumber>& old) {
  if (const auto rel = relative(x, d.span, 0)) return rel;
  for (std::size_t k = d.earlier.size(); k-- > 0;) {
    if (const auto rel = relative(x, d.earlier[k], 0)) {
      old = EarlierNumber{static_cast<std::uint32_t>(k + 1), *rel};
      return std::nullopt;
    }
  }
  return relative(x, d.span);
}

// Widens a span over a segment its incarnation sent.
void extend(std::optional<Span>& span, const net::Segment& g) {
  if (!span || g.seq - span->isn < 0) return;
  const std::uint32_t end = g.seq.raw() - span->isn.raw() + g.payload_len + (g.flags.syn ? 1 : 0) + (g.flags.fin ? 1 : 0);
  span->end = std::max(span->end, end);
}


}  // namespace

TraceFacts::TraceFacts(const Trace& trace) {
  const auto& rs = trace.records();
  std::map<Direction, DirectionState> dirs;
  auto at = [this](SegmentId id) -> SegmentFacts& {
    if (id >= segments_.size()) segments_.resize(id + 1);
    return segments_[id];
  };
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const Body& b = rs[i].body;
    if (const auto* s = std::get_if<SegmentSent>(&b)) {
      SegmentFacts& f = at(s->id);
      f.id = s->id;
      f.record = i;
      f.sender = s->node;
      f.seg = &s->seg;
      f.injected = s->injected;
      f.retransmission = s->retransmission;
      f.cause = s->cause;
      starts_.emplace_back(i, s->id);
      if (s->retransmission) ++retransmissions_;
      const net::Segment& g = s->seg;
      if (s->injected) {  // no incarnation, no window history: absolute, as crafted
        if (const auto it = dirs.find({g.source(), g.destination()}); it != dirs.end() && it->second.span) {
          f.as_if_seq = g.seq - it->second.span->isn;
          // Crafted as if its incarnation had sent it: what it covers, near what that one sent, counts as sent.
          if (relative(g.seq, it->second.span)) extend(it->second.span, g);
        }
        if (const auto it = dirs.find({g.destination(), g.source()}); it != dirs.end() && it->second.span && g.flags.ack) {
          f.as_if_ack = g.ack - it->second.span->isn;
        }
        continue;
      }
      DirectionState& d = dirs[{g.source(), g.destination()}];
      if (g.flags.syn && (!d.span || (d.span->isn != g.seq && !s->retransmission))) {
        if (d.span) d.earlier.push_back(*d.span);
        d.span = Span{g.seq, 0};
        ++d.incarnation;
      }
      f.incarnation = d.incarnation;
      f.rel_seq = place(g.seq, d, f.earlier_seq);
      extend(d.span, g);
      if (g.flags.ack) {
        if (const auto back = dirs.find({g.destination(), g.source()}); back != dirs.end()) {
          f.rel_ack = place(g.ack, back->second, f.earlier_ack);
        }
      }
      if (!g.flags.rst) {
        f.window_first = !d.window;
        f.window_changed = d.window && *d.window != g.window;
        d.window = g.window;
      }
    } else if (const auto* c = std::get_if<SegmentDuplicated>(&b)) {
      if (segment(c->id) == nullptr) continue;
      SegmentFacts copy = segments_[c->id];  // the same transmission: same numbers, own fate
      copy.id = c->copy;
      copy.record = i;
      copy.copy_of = c->id;
      copy.retransmission = false;
      copy.fate = Fate::InFlight;
      copy.end_record = kNoRecord;
      copy.effects.clear();
      at(c->copy) = std::move(copy);
      starts_.emplace_back(i, c->copy);
    } else if (const auto* d = std::get_if<SegmentDelivered>(&b)) {
      if (d->id >= segments_.size()) continue;
      SegmentFacts& f = segments_[d->id];
      f.fate = Fate::Delivered;
      f.end_record = i;
      f.end_time = rs[i].time;
      f.end_node = d->node;
    } else if (const auto* x = std::get_if<SegmentDropped>(&b)) {
      if (x->id >= segments_.size()) continue;
      SegmentFacts& f = segments_[x->id];
      f.fate = Fate::Dropped;
      f.end_record = i;
      f.end_time = rs[i].time;
      f.end_node = x->node;
      f.reason = x->reason;
      f.rule = x->rule;
      f.toward = x->toward;
    } else if (const auto* y = std::get_if<SegmentDelayed>(&b)) {
      if (y->id >= segments_.size()) continue;
      segments_[y->id].effects.push_back(
          {i, std::string(y->cause == EffectCause::Link ? "reordered +" : "delayed +") + sim::format_duration(y->extra) +
                  (y->rule != kNoRule ? " by fault rule " + std::to_string(y->rule) : "")});
    } else if (const auto* n = std::get_if<Note>(&b); n && n->discarded) {
      if (n->segment >= segments_.size() || segments_[n->segment].seg == nullptr) continue;
      SegmentFacts& f = segments_[n->segment];
      f.discard_record = i;
      f.discard_reason = n->text;
    } else if (const auto* k = std::get_if<SegmentCorrupted>(&b)) {
      if (k->id >= segments_.size()) continue;
      segments_[k->id].effects.push_back({i, "corrupted by fault rule " + std::to_string(k->rule)});
    }
  }
}

std::string SegmentFacts::effects_text(std::size_t cursor) const {
  std::string s;
  for (const Effect& e : effects)
    if (e.record < cursor) s += (s.empty() ? "" : "; ") + e.text;
  return s;
}

SegmentId TraceFacts::started_by(std::size_t record) const {
  const auto it = std::lower_bound(starts_.begin(), starts_.end(), std::make_pair(record, SegmentId{0}));
  return it != starts_.end() && it->first == record ? it->second : kNoSegment;
}

std::string drop_text(DropReason reason, int rule) {
  switch (reason) {
    case DropReason::Loss: return "loss";
    case DropReason::FaultRule: return "fault rule " + std::to_string(rule);
    case DropReason::QueueOverflow: return "queue overflow";
    case DropReason::NoRoute: return "no route";
    case DropReason::Corrupted: return "bad checksum";
  }
  return "lost";
}

std::string ordinal(std::size_t n) {
  const char* suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return std::to_string(n) + suffix;
}

std::string segment_label(const SegmentFacts& f, const LabelOptions& o) {
  const net::Segment& s = *f.seg;
  const bool absolute = o.absolute || o.rfc || f.injected;
  // A relative number, or the absolute one; "(abs)" marks an absolute number among relative ones.
  auto number = [&](net::SeqNum v, const std::optional<std::uint32_t>& rel) {
    if (absolute) return v.to_string();
    return rel ? std::to_string(*rel) : v.to_string() + "(abs)";
  };
  const bool window = o.window == LabelOptions::Window::Always ||
                      (o.window == LabelOptions::Window::Changed && !s.flags.rst &&
                       (f.window_changed || (f.window_first && !o.rfc)));
  if (o.rfc) {
    // RFC 9293 §3.5 figure notation.
    std::string l = "<SEQ=" + number(s.seq, f.rel_seq) + ">";
    if (s.flags.ack) l += "<ACK=" + number(s.ack, f.rel_ack) + ">";
    net::Flags ctl = s.flags;
    ctl.ack = s.flags.ack && (s.flags.syn || s.flags.fin || s.flags.rst);  // ACK alone is implied by <ACK=>
    ctl.psh = false;
    if (!ctl.none()) l += "<CTL=" + ctl.to_string() + ">";
    if (s.payload_len > 0) l += "<DATA=" + std::to_string(s.payload_len) + ">";
    if (window) l += "<WND=" + std::to_string(s.window) + ">";
    return l;
  }
  std::string l = s.flags.to_string() + " seq=" + number(s.seq, f.rel_seq);
  if (s.flags.ack) l += " ack=" + number(s.ack, f.rel_ack);
  if (s.payload_len > 0) l += " len=" + std::to_string(s.payload_len);
  if (window) l += " win=" + std::to_string(s.window);
  return l;
}

}  // namespace tcpsim::trace

namespace tcpsim::trace {

std::string drop_reasons_text(const Trace& trace) {
  const SegmentCounts& c = trace.segments();
  std::map<int, std::uint64_t> by_rule;  // the records say which rule; the counters only that one did
  for (const auto& r : trace.records())
    if (const auto* d = std::get_if<SegmentDropped>(&r.body); d && d->reason == DropReason::FaultRule) ++by_rule[d->rule];
  std::string out;
  auto add = [&out](std::uint64_t n, const std::string& what) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " by " + what;
  };
  for (int i = 0; i < kDropReasons; ++i) {
    const auto reason = static_cast<DropReason>(i);
    if (c.dropped[i] == 0) continue;
    if (reason != DropReason::FaultRule) {
      add(c.dropped[i], drop_text(reason, kNoRule));
      continue;
    }
    std::uint64_t named = 0;
    for (const auto& [rule, n] : by_rule) {
      add(n, drop_text(reason, rule));
      named += n;
    }
    // Records not kept (a bounded trace): the rules together.
    if (named < c.dropped[i]) add(c.dropped[i] - named, named == 0 ? "fault rules" : "other fault rules");
  }
  return out;
}

}  // namespace tcpsim::trace
