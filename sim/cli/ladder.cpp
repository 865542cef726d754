#include "sim/cli/ladder.hpp"

#include "sim/trace/seq_view.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tcpsim::cli {
namespace {

using trace::NodeId;
using trace::SegmentId;

struct Fate {
  enum class Kind { InFlight, Delivered, Dropped } kind = Kind::InFlight;
  sim::Time at{};
  trace::DropReason reason{};
  int rule = trace::kNoRule;
  NodeId node = trace::kNoNode;
  NodeId toward = trace::kNoNode;
  std::string effects;  // "delayed 50ms by rule 1", "reordered", "corrupted by rule 0"
};

const char* kReset = "\033[0m";
const char* kRed = "\033[31m";
const char* kGreen = "\033[32m";
const char* kYellow = "\033[33m";
const char* kDim = "\033[2m";

// Relative to each direction's ISN unless `absolute` (or that direction sent no SYN).
std::string label_of(const net::Segment& s, const trace::SeqView& v, const LadderOptions& opt) {
  const auto rel_seq = opt.absolute ? std::nullopt : v.rel_seq(s);
  const auto rel_ack = opt.absolute ? std::nullopt : v.rel_ack(s);
  const std::string seq = rel_seq ? std::to_string(*rel_seq) : s.seq.to_string();
  const std::string ack = rel_ack ? std::to_string(*rel_ack) : s.ack.to_string();
  if (opt.rfc_labels) {
    // RFC 9293 §3.5 figure notation.
    std::string l = "<SEQ=" + seq + ">";
    if (s.flags.ack) l += "<ACK=" + ack + ">";
    net::Flags ctl = s.flags;
    ctl.ack = s.flags.ack && (s.flags.syn || s.flags.fin || s.flags.rst);  // ACK alone is implied by <ACK=>
    ctl.psh = false;
    if (!ctl.none()) l += "<CTL=" + ctl.to_string() + ">";
    if (s.payload_len > 0) l += "<DATA=" + std::to_string(s.payload_len) + ">";
    return l;
  }
  std::string l = s.flags.to_string() + " seq=" + seq;
  if (s.flags.ack) l += " ack=" + ack;
  if (s.payload_len > 0) l += " len=" + std::to_string(s.payload_len);
  return l;
}

std::string fate_text(const Fate& f, const trace::Trace& t) {
  std::string txt;
  switch (f.kind) {
    case Fate::Kind::Delivered: txt = "arrives " + sim::format_seconds(f.at); break;
    case Fate::Kind::InFlight: txt = "in flight"; break;
    case Fate::Kind::Dropped:
      txt = std::string("lost: ") + trace::to_string(f.reason);
      if (f.rule != trace::kNoRule) txt += " rule " + std::to_string(f.rule);
      if (f.toward != trace::kNoNode) txt += " " + t.node_name(f.node) + "->" + t.node_name(f.toward);
      break;
  }
  if (!f.effects.empty()) txt += " (" + f.effects + ")";
  return txt;
}

class Canvas {
 public:
  Canvas(std::vector<int> columns, int width) : cols_(std::move(columns)), width_(width) {}
  // Lifelines only.
  std::string blank() const {
    std::string line(width_, ' ');
    for (int x : cols_) line[x] = '|';
    return line;
  }
  // An arrow from column a to column b (b < 0: to nowhere), cut short with XXX when lost.
  std::string arrow(int a, int b, const std::string& label, bool lost, std::size_t* lo, std::size_t* hi) const {
    std::string line = blank();
    const int xa = cols_[a];
    // No receiving lifeline (no host owns the address): aim at the middle of the diagram.
    int xb = b >= 0 ? cols_[b] : (xa + width_ / 2 < width_ ? xa + width_ / 2 : xa - width_ / 2);
    const bool right = xb > xa;
    int from = right ? xa + 1 : xb + 1, to = right ? xb - 1 : xa - 1;  // inclusive span
    if (to - from < 4) {  // too close (single column): a stub
      from = xa + 1;
      to = std::min(width_ - 1, xa + 6);
    }
    // A lost segment stops part-way with XXX: it never reached the other lifeline.
    const bool cut = lost || b < 0;
    if (cut) {
      const int keep = std::max(8, (to - from + 1) * 3 / 4);
      if (right) to = from + keep - 1;
      else from = to - keep + 1;
    }
    for (int x = from; x <= to; ++x) line[x] = '-';
    int inner_from = from, inner_to = to;  // where the label may go
    if (cut && right) {
      line.replace(to - 2, 3, "XXX");
      inner_to = to - 3;
    } else if (cut) {
      line.replace(from, 3, "XXX");
      inner_from = from + 3;
    } else if (right) {
      line[to] = '>';
      inner_to = to - 1;
    } else {
      line[from] = '<';
      inner_from = from + 1;
    }
    // Centre the label on the arrow, leaving at least two dashes at each end.
    const int room = inner_to - inner_from + 1 - 4;
    if (room >= 5) {
      std::string text = " " + label + " ";
      if (static_cast<int>(text.size()) > room) text = text.substr(0, room - 2) + "~ ";
      const int start = inner_from + (inner_to - inner_from + 1 - static_cast<int>(text.size())) / 2;
      line.replace(start, text.size(), text);
    }
    *lo = static_cast<std::size_t>(std::min(from, to));
    *hi = static_cast<std::size_t>(std::max(from, to));
    return line;
  }
  int x(int col) const { return cols_[col]; }

 private:
  std::vector<int> cols_;
  int width_;
};

}  // namespace

void print_segment_summary(std::ostream& out, const trace::SegmentCounts& c) {
  out << "segments: " << c.sent << " sent";
  if (c.injected != 0) out << " (" << c.injected << " injected)";
  if (c.duplicates != 0) out << ", " << c.duplicates << " duplicate" << (c.duplicates == 1 ? "" : "s");
  out << ", " << c.delivered << " delivered, " << c.dropped_total() << " dropped";
  std::string reasons;
  for (int i = 0; i < trace::kDropReasons; ++i)
    if (c.dropped[i] != 0)
      reasons += (reasons.empty() ? "" : ", ") + std::string(trace::to_string(static_cast<trace::DropReason>(i))) +
                 " " + std::to_string(c.dropped[i]);
  if (!reasons.empty()) out << " (" << reasons << ")";
  out << ", " << c.in_flight() << " in flight\n";
}

void print_ladder(std::ostream& out, const trace::Trace& trace, const net::Network& net, const LadderOptions& opt) {
  // Columns: the hosts, in scenario order.
  std::vector<NodeId> hosts;
  for (NodeId n = 0; n < net.node_count(); ++n)
    if (!net.node(n).router) hosts.push_back(n);
  if (hosts.size() > kMaxLadderHosts) {
    out << "(no ladder: " << hosts.size() << " hosts, more than the " << kMaxLadderHosts
        << " a terminal can show side by side; use --trace, --svg, --pcap or the GUI)\n";
    return;
  }
  auto column_of = [&](NodeId n) -> int {
    const auto it = std::find(hosts.begin(), hosts.end(), n);
    return it == hosts.end() ? -1 : static_cast<int>(it - hosts.begin());
  };

  // Fates first: a segment's line shows how its story ends.
  std::vector<Fate> fates;
  auto fate = [&fates](SegmentId id) -> Fate& {
    if (id >= fates.size()) fates.resize(id + 1);
    return fates[id];
  };
  for (const auto& r : trace.records()) {
    if (const auto* d = std::get_if<trace::SegmentDelivered>(&r.body)) {
      auto& f = fate(d->id);
      f.kind = Fate::Kind::Delivered;
      f.at = r.time;
    } else if (const auto* x = std::get_if<trace::SegmentDropped>(&r.body)) {
      auto& f = fate(x->id);
      f.kind = Fate::Kind::Dropped;
      f.at = r.time;
      f.reason = x->reason;
      f.rule = x->rule;
      f.node = x->node;
      f.toward = x->toward;
    } else if (const auto* y = std::get_if<trace::SegmentDelayed>(&r.body)) {
      auto& e = fate(y->id).effects;
      e += (e.empty() ? "" : "; ") + std::string(y->cause == trace::EffectCause::Link ? "reordered +" : "delayed +") +
           sim::format_duration(y->extra) + (y->rule != trace::kNoRule ? " by rule " + std::to_string(y->rule) : "");
    } else if (const auto* c = std::get_if<trace::SegmentCorrupted>(&r.body)) {
      auto& e = fate(c->id).effects;
      e += (e.empty() ? "" : "; ") + std::string("corrupted by rule ") + std::to_string(c->rule);
    }
  }

  constexpr int kPrefix = 17;  // "%4d  %-10s " + space
  constexpr int kMargin = 14;  // beside the outer lifelines: room for "SYN-RECEIVED"
  const int area = std::max(20, opt.width - kPrefix - 2 * kMargin);
  std::vector<int> xs;
  const int n = static_cast<int>(hosts.size());
  for (int i = 0; i < n; ++i) xs.push_back(n == 1 ? area / 2 : 1 + i * (area - 3) / (n - 1));
  Canvas canvas(xs, area);
  const std::string margin(kMargin, ' ');

  auto trim = [](std::string s) {
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  // Header: host names centred on their lifelines.
  const int full = kMargin + area + kMargin;
  std::string names(full, ' '), addrs(full, ' ');
  for (int i = 0; i < n; ++i) {
    auto put = [&](std::string& line, const std::string& text) {
      const int start = std::clamp(kMargin + xs[i] - static_cast<int>(text.size()) / 2, 0,
                                   full - static_cast<int>(text.size()));
      line.replace(start, text.size(), text);
    };
    put(names, trace.node_name(hosts[i]));
    const auto& cfg = net.node(hosts[i]);
    put(addrs, cfg.ip ? cfg.ip->to_string() : "");
  }
  out << trim(std::string(kPrefix, ' ') + names) << "\n" << trim(std::string(kPrefix, ' ') + addrs) << "\n";
  out << "   #  time (s)   " << margin << canvas.blank() << "\n";

  // A short text beside lifeline `col`: outside the outer lifelines (left of the first, right of
  // the last), inside the diagram to the right of the others.
  auto beside = [&](int col, const std::string& text) {
    std::string left = margin, body = canvas.blank(), right = margin;
    const std::string t = text.substr(0, kMargin - 2);
    if (col == 0 && n > 1) {
      left.replace(kMargin - 1 - t.size(), t.size(), t);
    } else if (col == n - 1) {
      right.replace(1, t.size(), t);
    } else {
      const int x = canvas.x(col) + 2;
      const std::string u = text.substr(0, std::max(0, area - x));
      body.replace(x, u.size(), u);
    }
    return left + body + right;
  };

  trace::SeqView seqs;
  int line_no = 0;
  bool any_injected = false;
  auto prefix = [&](sim::Time t, bool injected = false) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%4d%c %-10s ", ++line_no, injected ? '*' : ' ', sim::format_seconds(t).c_str());
    any_injected = any_injected || injected;
    return std::string(buf);
  };
  auto dim = [&](const std::string& text) { return opt.color ? std::string(kDim) + text + kReset : text; };
  auto emit_arrow = [&](sim::Time t, NodeId from, const net::Segment& seg, const Fate& f, const std::string& tag,
                        bool injected) {
    // A link's duplicate is the same transmission, not a retransmission.
    const bool again = tag.empty() && seqs.observe(seg, injected);
    const auto dst = net.owner(seg.dst);
    const int a = column_of(from);
    const int b = dst ? column_of(*dst) : -1;
    std::string label = tag + (again ? "rtx " : "") + label_of(seg, seqs, opt);
    const bool lost = f.kind == Fate::Kind::Dropped;
    std::size_t lo = 0, hi = 0;
    std::string body = a >= 0 ? canvas.arrow(a, b, label, lost, &lo, &hi) : canvas.blank();
    std::string suffix = "  " + fate_text(f, trace);
    if (opt.show_route && f.kind == Fate::Kind::Delivered) {
      // The routers a delivered segment crossed (routes are fixed for a run): "via r1,r2".
      const auto hops = net.path(from, seg.dst);
      std::string via;
      for (std::size_t i = 1; i + 1 < hops.size(); ++i) via += (via.empty() ? "" : ",") + trace.node_name(hops[i]);
      if (!via.empty()) suffix += " via " + via;
    }
    if (a < 0) suffix = "  " + label + " from " + trace.node_name(from) + suffix;
    if (seg.source().ip != net.node(from).ip.value_or(net::Ipv4{})) suffix += " [spoofed src " + seg.src.to_string() + "]";
    if (opt.color) {
      const char* c = lost ? kRed : (f.kind == Fate::Kind::InFlight ? kYellow : kGreen);
      body = body.substr(0, lo) + c + body.substr(lo, hi - lo + 1) + kReset + body.substr(hi + 1);
      suffix = std::string(lost ? kRed : kDim) + suffix + kReset;
    }
    // The right margin holds states; on an arrow's line the fate takes its place.
    out << prefix(t, injected) << margin << body << suffix << "\n";
  };
  // An annotation line: `text` beside the lifeline of `node`, `detail` after the diagram.
  auto annotate = [&](sim::Time t, NodeId node, const std::string& text, const std::string& detail) {
    const int col = column_of(node);
    if (col < 0) return;
    out << prefix(t) << trim(beside(col, text) + (detail.empty() ? "" : "  " + dim(detail))) << "\n";
  };

  std::vector<const net::Segment*> sent_seg;  // by id, for copies
  std::vector<NodeId> sent_node;
  for (const auto& r : trace.records()) {
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) {
      if (s->id >= sent_seg.size()) {
        sent_seg.resize(s->id + 1, nullptr);
        sent_node.resize(s->id + 1, trace::kNoNode);
      }
      sent_seg[s->id] = &s->seg;
      sent_node[s->id] = s->node;
      emit_arrow(r.time, s->node, s->seg, fate(s->id), "", s->injected);
    } else if (const auto* d = std::get_if<trace::SegmentDuplicated>(&r.body)) {
      if (d->id < sent_seg.size() && sent_seg[d->id] != nullptr) {
        if (d->copy >= sent_seg.size()) {
          sent_seg.resize(d->copy + 1, nullptr);
          sent_node.resize(d->copy + 1, trace::kNoNode);
        }
        sent_seg[d->copy] = sent_seg[d->id];
        sent_node[d->copy] = sent_node[d->id];
        emit_arrow(r.time, sent_node[d->id], *sent_seg[d->id], fate(d->copy), "dup ", false);
      }
    } else if (const auto* note = std::get_if<trace::Note>(&r.body)) {
      std::string line = prefix(r.time) + margin + canvas.blank() + "  note: " + note->text;
      out << (opt.color ? std::string(kYellow) + line + kReset : line) << "\n";
    } else if (const auto* st = std::get_if<trace::StateChanged>(&r.body)) {
      std::string state(st->to);
      std::replace(state.begin(), state.end(), '_', '-');
      // With causes: "B:80 §3.10.7.4 fifth: our FIN acked in LAST-ACK -> CLOSED".
      std::string detail;
      if (opt.causes)
        detail = trace.node_name(st->node) + ":" + std::to_string(st->conn.local.port) + " " +
                 (st->cause.empty() ? std::string(st->from) + " -> " + std::string(st->to) : std::string(st->cause));
      annotate(r.time, st->node, state, detail);
    } else if (!opt.annotations) {
      continue;
    } else if (const auto* c = std::get_if<trace::AppCall>(&r.body)) {
      if (c->call == "receive") continue;  // reads follow every data notice: too many to show
      annotate(r.time, c->node, "(" + std::string(c->call) + ")",
               trace.node_name(c->node) + " " + std::string(c->call) + (c->args.empty() ? "" : " " + c->args));
    } else if (const auto* nt = std::get_if<trace::AppNotify>(&r.body)) {
      if (nt->notice == trace::Notice::Error)
        annotate(r.time, nt->node, trace::to_string(nt->error), trace.node_name(nt->node) + " app told " + trace::to_string(nt->error));
      else if (nt->notice == trace::Notice::Eof)
        annotate(r.time, nt->node, "(EOF)", trace.node_name(nt->node) + " app reads the peer's FIN");
    } else if (const auto* tm = std::get_if<trace::TimerEvent>(&r.body)) {
      if (tm->op == trace::TimerOp::Fired)
        annotate(r.time, tm->node, "[" + std::string(tm->timer) + "]", trace.node_name(tm->node) + " " + std::string(tm->timer) + " timer fires");
    }
  }
  if (any_injected) out << "   * injected by the scenario\n";
}

}  // namespace tcpsim::cli
