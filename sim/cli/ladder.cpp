#include "sim/cli/ladder.hpp"

#include "sim/diagram/layout.hpp"
#include "sim/trace/facts.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

namespace tcpsim::cli {
namespace {

using trace::NodeId;
using trace::SegmentId;

const char* kReset = "\033[0m";
const char* kRed = "\033[31m";
const char* kGreen = "\033[32m";
const char* kYellow = "\033[33m";
const char* kDim = "\033[2m";

// How a segment's story ends: "arrives 0.061000 (delayed +50ms by rule 0)", "lost: loss A->B".
std::string fate_text(const trace::SegmentFacts& f, const trace::Trace& t) {
  std::string txt;
  switch (f.fate) {
    case trace::Fate::Delivered:
      txt = "arrives " + sim::format_seconds(f.end_time);
      if (f.discard_record != trace::kNoRecord) txt += ", discarded";
      break;
    case trace::Fate::InFlight: txt = "in flight"; break;
    case trace::Fate::Dropped:
      txt = "lost: " + trace::drop_text(f.reason, f.rule);
      if (f.toward != trace::kNoNode) txt += " " + t.node_name(f.end_node) + "->" + t.node_name(f.toward);
      break;
  }
  if (!f.effects.empty()) txt += " (" + f.effects_text() + ")";
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
  // An arrow from column a to column b (b < 0: to nowhere), cut short with XXX when lost. The
  // label goes on the arrow when it fits whole; *fitted says whether it did (a label cut short
  // would hide the very numbers a reader looks for, so the caller writes it beside the diagram).
  std::string arrow(int a, int b, const std::string& label, bool lost, std::size_t* lo, std::size_t* hi,
                    bool* fitted) const {
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
    *fitted = static_cast<int>(label.size()) + 2 <= room;
    if (*fitted) {
      const std::string text = " " + label + " ";
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

void print_segment_summary(std::ostream& out, const trace::Trace& t) {
  const trace::SegmentCounts& c = t.segments();
  out << "segments: " << c.sent << " sent";
  if (c.injected != 0) out << " (" << c.injected << " injected)";
  if (c.duplicates != 0) out << ", " << c.duplicates << " duplicate" << (c.duplicates == 1 ? "" : "s");
  out << ", " << c.delivered << " delivered, " << c.dropped_total() << " dropped";
  // "(2 by loss, 1 by fault rule 0)": the count first, then what dropped them.
  const std::string reasons = trace::drop_reasons_text(t);
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

  // Fates, retransmissions and numbering: the trace's facts, as every view reads them.
  const trace::TraceFacts facts(trace);
  trace::LabelOptions label_opt;
  label_opt.absolute = opt.absolute;
  label_opt.rfc = opt.rfc_labels;

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
  out << trim("   #  time (s)   " + margin + canvas.blank()) << "\n";

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

  bool any_injected = false, any_abs = false;
  // "#" is the trace record's index: the number failures, --trace and the GUI cite.
  auto prefix = [&](const trace::Record& r, bool injected = false) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%4llu%c %-10s ", static_cast<unsigned long long>(r.index), injected ? '*' : ' ',
                  sim::format_seconds(r.time).c_str());
    any_injected = any_injected || injected;
    return std::string(buf);
  };
  auto dim = [&](const std::string& text) { return opt.color ? std::string(kDim) + text + kReset : text; };
  auto emit_arrow = [&](const trace::Record& r, const trace::SegmentFacts& f) {
    const net::Segment& seg = *f.seg;
    const auto dst = f.fate == trace::Fate::Delivered ? std::optional<NodeId>(f.end_node) : net.owner(seg.dst);
    const int a = column_of(f.sender);
    const int b = dst ? column_of(*dst) : -1;
    const std::string text = trace::segment_label(f, label_opt);
    any_abs = any_abs || text.find("(abs)") != std::string::npos;
    // A link's duplicate is the same transmission, not a retransmission.
    const std::string label = std::string(f.copy() ? "dup " : "") + (f.retransmission ? "rtx " : "") + text;
    const bool lost = f.fate == trace::Fate::Dropped;
    std::size_t lo = 0, hi = 0;
    bool fitted = false;
    std::string body = a >= 0 ? canvas.arrow(a, b, label, lost, &lo, &hi, &fitted) : canvas.blank();
    std::string suffix = "  " + fate_text(f, trace);
    if (a >= 0 && !fitted) suffix = "  " + label + ", " + fate_text(f, trace);
    if (opt.show_route && f.fate == trace::Fate::Delivered) {
      // The routers a delivered segment crossed (routes are fixed for a run): "via r1,r2".
      const auto hops = net.path(f.sender, seg.dst);
      std::string via;
      for (std::size_t i = 1; i + 1 < hops.size(); ++i) via += (via.empty() ? "" : ",") + trace.node_name(hops[i]);
      if (!via.empty()) suffix += " via " + via;
    }
    if (a < 0) suffix = "  " + label + " from " + trace.node_name(f.sender) + suffix;
    if (seg.source().ip != net.node(f.sender).ip.value_or(net::Ipv4{})) suffix += " [spoofed src " + seg.src.to_string() + "]";
    // The rule that sent it ("§3.10.7.1: no TCB -> RST"): a reply is as much a lesson as a state.
    std::string why = opt.causes && !f.copy() && !f.cause.empty() ? "  " + std::string(f.cause) : std::string();
    if (opt.color) {
      const char* c = lost ? kRed : (f.fate == trace::Fate::InFlight ? kYellow : kGreen);
      body = body.substr(0, lo) + c + body.substr(lo, hi - lo + 1) + kReset + body.substr(hi + 1);
      suffix = std::string(lost ? kRed : kDim) + suffix + kReset;
      if (!why.empty()) why = dim(why);
    }
    // The right margin holds states; on an arrow's line the fate takes its place.
    out << prefix(r, f.injected) << margin << body << suffix << why << "\n";
  };
  // An annotation line: `text` beside the lifeline of `node`, `detail` after the diagram.
  auto annotate = [&](const trace::Record& r, NodeId node, const std::string& text, const std::string& detail) {
    const int col = column_of(node);
    if (col < 0) return;
    out << prefix(r) << trim(beside(col, text) + (detail.empty() ? "" : "  " + dim(detail))) << "\n";
  };
  auto endpoint = [&](NodeId node, const net::ConnId& c) { return trace.node_name(node) + ":" + std::to_string(c.local.port); };

  // Timers armed and not yet fired or cancelled, to tell a restart from a start.
  std::set<std::tuple<NodeId, net::ConnId, std::string_view>> pending;
  for (std::size_t i = 0; i < trace.records().size(); ++i) {
    const trace::Record& r = trace.records()[i];
    if (std::holds_alternative<trace::SegmentSent>(r.body) || std::holds_alternative<trace::SegmentDuplicated>(r.body)) {
      if (const auto* f = facts.segment(facts.started_by(i))) emit_arrow(r, *f);
    } else if (const auto* note = std::get_if<trace::Note>(&r.body)) {
      if (note->node != trace::kNoNode) {
        // What a host's TCP did without a segment or a state change, beside that host.
        const bool discard = note->discarded || note->text.rfind("discard ", 0) == 0;
        annotate(r, note->node, discard ? "(discard)" : "(note)", endpoint(note->node, note->conn) + " " + note->text);
        continue;
      }
      std::string line = prefix(r) + margin + canvas.blank() + "  note: " + note->text;
      out << (opt.color ? std::string(kYellow) + line + kReset : line) << "\n";
    } else if (const auto* st = std::get_if<trace::StateChanged>(&r.body)) {
      std::string state(st->to);
      std::replace(state.begin(), state.end(), '_', '-');
      // With causes: "B:80 §3.10.7.4 fifth: our FIN acked in LAST-ACK -> CLOSED".
      std::string detail;
      if (opt.causes)
        detail = endpoint(st->node, st->conn) + " " +
                 (st->cause.empty() ? std::string(st->from) + " -> " + std::string(st->to) : std::string(st->cause));
      annotate(r, st->node, state, detail);
    } else if (const auto* tm = std::get_if<trace::TimerEvent>(&r.body)) {
      const auto key = std::make_tuple(tm->node, tm->conn, tm->timer);
      const bool restart = tm->op == trace::TimerOp::Armed && pending.contains(key);
      if (tm->op == trace::TimerOp::Armed) pending.insert(key);
      else pending.erase(key);
      if (!opt.annotations) continue;
      const std::string name(diagram::timer_short_name(tm->timer));
      if (tm->op == trace::TimerOp::Fired) {
        annotate(r, tm->node, "[" + std::string(tm->timer) + "]", trace.node_name(tm->node) + " " + std::string(tm->timer) + " timer fires");
      } else if (restart && (tm->timer == "time-wait" || tm->timer == "fin-wait-2")) {
        // The restarts that change a connection's fate (RTO restarts on every ACK: too many).
        annotate(r, tm->node, name + " restart",
                 endpoint(tm->node, tm->conn) + " " + std::string(tm->timer) + " timer restarted, " +
                     sim::format_duration(tm->deadline - r.time) + (tm->cause.empty() ? "" : ": " + std::string(tm->cause)));
      }
    } else if (!opt.annotations) {
      continue;
    } else if (const auto* c = std::get_if<trace::AppCall>(&r.body)) {
      if (c->call == "receive") continue;  // reads follow every data notice: too many to show
      annotate(r, c->node, "(" + std::string(c->call) + ")",
               trace.node_name(c->node) + " " + std::string(c->call) + (c->args.empty() ? "" : " " + c->args));
    } else if (const auto* nt = std::get_if<trace::AppNotify>(&r.body)) {
      if (nt->notice == trace::Notice::Error)
        annotate(r, nt->node, trace::to_string(nt->error), trace.node_name(nt->node) + " app told " + trace::to_string(nt->error));
      else if (nt->notice == trace::Notice::Eof)
        annotate(r, nt->node, "(EOF)", trace.node_name(nt->node) + " app reads the peer's FIN");
    }
  }
  if (any_injected) out << "   * injected by the scenario (numbers absolute: it belongs to no connection)\n";
  if (any_abs) out << "   (abs) an absolute number: no incarnation of that connection reaches back to it\n";
}

}  // namespace tcpsim::cli
