#include "sim/trace/compare.hpp"

#include <algorithm>
#include <unordered_map>

namespace tcpsim::trace {
namespace {

// A segment sent or a state change, as the alignment sees it.
struct Event {
  std::size_t record;
  sim::Time time;
  const SegmentFacts* seg = nullptr;   // a segment sent
  const StateChanged* state = nullptr;  // or a state change
  std::string lane;                    // sender and addresses, or host and address
  std::string key;                     // lane and the fields that make it the same event
};

// A sequence or acknowledgment number as compared: relative where it has a relative value, else
// relative to the earlier incarnation it belongs to ("1(incarnation 1)"), else absolute.
std::string number(net::SeqNum raw, const std::optional<std::uint32_t>& rel, const std::optional<EarlierNumber>& old) {
  if (rel) return std::to_string(*rel);
  if (old) return std::to_string(old->value) + "(incarnation " + std::to_string(old->incarnation) + ")";
  return raw.to_string() + "(abs)";
}

// An injected segment compares by what its numbers mean to the connection it was crafted for: its
// offset from that connection's ISN ("-44": 44 before it).
std::string crafted(net::SeqNum raw, const std::optional<std::int32_t>& offset) {
  return offset ? std::to_string(*offset) : raw.to_string() + "(abs)";
}

std::string seq_of(const SegmentFacts& f) {
  return f.injected ? crafted(f.seg->seq, f.as_if_seq) : number(f.seg->seq, f.rel_seq, f.earlier_seq);
}
// No ACK flag: the field means nothing, and is not compared.
std::string ack_of(const SegmentFacts& f) {
  if (!f.seg->flags.ack) return "-";
  return f.injected ? crafted(f.seg->ack, f.as_if_ack) : number(f.seg->ack, f.rel_ack, f.earlier_ack);
}

std::string fate_of(const SegmentFacts& f, bool discards = true) {
  switch (f.fate) {
    case Fate::Delivered: return discards && f.discard_record != kNoRecord ? "discarded on arrival" : "delivered";
    case Fate::Dropped: return "lost: " + drop_text(f.reason, f.rule);
    case Fate::InFlight: return "in flight";
  }
  return "?";
}

std::string state_name(std::string_view s) {
  std::string t(s);
  std::replace(t.begin(), t.end(), '_', '-');
  return t;
}

std::vector<Event> events_of(const CompareSide& side, bool psh) {
  std::vector<Event> out;
  const Trace& t = *side.trace;
  const auto& rs = t.records();
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (const auto* s = std::get_if<SegmentSent>(&rs[i].body)) {
      const SegmentFacts* f = side.facts->segment(s->id);
      if (f == nullptr) continue;
      const net::Segment& g = *f->seg;
      Event e{i, rs[i].time, f, nullptr, {}, {}};
      e.lane = "S " + t.node_name(s->node) + " " + g.src.to_string() + ">" + g.dst.to_string();
      net::Flags flags = g.flags;
      if (!psh) flags.psh = false;
      e.key = e.lane + " " + flags.to_string() + " " + seq_of(*f) + " " + ack_of(*f) + " " + std::to_string(g.payload_len);
      out.push_back(std::move(e));
    } else if (const auto* st = std::get_if<StateChanged>(&rs[i].body)) {
      Event e{i, rs[i].time, nullptr, st, {}, {}};
      e.lane = "T " + t.node_name(st->node) + " " + st->conn.local.ip.to_string();
      e.key = e.lane + " " + std::string(st->from) + ">" + std::string(st->to);
      out.push_back(std::move(e));
    }
  }
  return out;
}

// How far apart in time two events are.
sim::Duration time_apart(const Event& x, const Event& y) { return x.time > y.time ? x.time - y.time : y.time - x.time; }

// Matched pairs (i in A, j in B) of a heaviest common subsequence of the key ids a[lo_a, hi_a)
// and b[lo_b, hi_b), in order: equal keys match, and `weight(i, j)` (1 or 2) says how much a match
// is worth, so that of two equally long alignments the one pairing events close in time wins (a
// retransmission pairs with the one sent when it was, not with the next). The table holds suffix
// weights; its cells fit 16 bits because both lengths cannot exceed sqrt(kMaxAlignCells).
template <class Weight>
void lcs(const std::vector<int>& a, std::size_t lo_a, std::size_t hi_a, const std::vector<int>& b, std::size_t lo_b,
         std::size_t hi_b, const Weight& weight, std::vector<std::pair<std::size_t, std::size_t>>& out) {
  const std::size_t n = hi_a - lo_a, m = hi_b - lo_b;
  std::vector<std::uint16_t> len((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint16_t& { return len[i * (m + 1) + j]; };
  auto match = [&](std::size_t i, std::size_t j) -> int {
    return a[lo_a + i] == b[lo_b + j] ? weight(lo_a + i, lo_b + j) : 0;
  };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;) {
      const int w = match(i, j);
      const std::uint16_t skip = std::max(at(i + 1, j), at(i, j + 1));
      at(i, j) = w > 0 ? std::max(skip, static_cast<std::uint16_t>(at(i + 1, j + 1) + w)) : skip;
    }
  std::size_t i = 0, j = 0;
  while (i < n && j < m) {
    const int w = match(i, j);
    if (w > 0 && at(i, j) == at(i + 1, j + 1) + w) {
      out.emplace_back(lo_a + i, lo_b + j);
      ++i;
      ++j;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      ++i;
    } else {
      ++j;
    }
  }
}

template <class Differences>
// See "With a tolerance" in compare.hpp.
void join_swapped(std::vector<CompareRow>& rows_, const std::vector<Event>& ea, const std::vector<Event>& eb,
                  sim::Duration tolerance, const Differences& differences) {
  constexpr std::size_t kWindow = 8;  // rows apart at most
  std::unordered_map<std::size_t, std::size_t> in_a, in_b;  // record -> event
  for (std::size_t k = 0; k < ea.size(); ++k) in_a[ea[k].record] = k;
  for (std::size_t k = 0; k < eb.size(); ++k) in_b[eb[k].record] = k;
  for (std::size_t p = 0; p < rows_.size(); ++p) {
    if (rows_[p].kind != RowKind::OnlyA) continue;
    const Event& x = ea[in_a.at(rows_[p].a)];
    const std::size_t lo = p > kWindow ? p - kWindow : 0, hi = std::min(rows_.size(), p + kWindow + 1);
    for (std::size_t q = lo; q < hi; ++q) {
      if (rows_[q].kind != RowKind::OnlyB) continue;
      const Event& y = eb[in_b.at(rows_[q].b)];
      if (x.key != y.key || time_apart(x, y) > tolerance) continue;
      const unsigned d = differences(x, y);
      rows_[p] = {d == 0 ? RowKind::Same : RowKind::Differs, x.record, y.record, d, x.seg != nullptr};
      rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(q));
      if (q < p) --p;
      break;
    }
  }
}

}  // namespace

std::string difference_names(unsigned d) {
  static constexpr const char* kNames[] = {"flags", "seq", "ack", "len", "win", "fate", "time", "state"};
  std::string s;
  for (unsigned bit = 0; bit < std::size(kNames); ++bit)
    if (d & (1u << bit)) s += (s.empty() ? "" : ", ") + std::string(kNames[bit]);
  return s;
}

Comparison::Comparison(CompareSide a, CompareSide b, const CompareOptions& options)
    : a_(std::move(a)), b_(std::move(b)), options_(options) {
  const std::vector<Event> ea = events_of(a_, options_.psh), eb = events_of(b_, options_.psh);
  // Keys as small integers, so the table compares numbers.
  std::unordered_map<std::string, int> ids;
  auto ids_of = [&ids](const std::vector<Event>& es) {
    std::vector<int> out;
    out.reserve(es.size());
    for (const Event& e : es) out.push_back(ids.try_emplace(e.key, static_cast<int>(ids.size())).first->second);
    return out;
  };
  const std::vector<int> ka = ids_of(ea), kb = ids_of(eb);

  // The common head and tail match without a table.
  std::size_t head = 0;
  while (head < ka.size() && head < kb.size() && ka[head] == kb[head]) ++head;
  std::size_t tail = 0;
  while (tail < ka.size() - head && tail < kb.size() - head && ka[ka.size() - 1 - tail] == kb[kb.size() - 1 - tail]) ++tail;
  std::vector<std::pair<std::size_t, std::size_t>> matches;
  for (std::size_t i = 0; i < head; ++i) matches.emplace_back(i, i);
  const std::size_t mid_a = ka.size() - tail - head, mid_b = kb.size() - tail - head;
  if (mid_a != 0 && mid_b != 0 && mid_a * mid_b > kMaxAlignCells) in_order_ = true;
  else if (mid_a != 0 && mid_b != 0) {
    // With a tolerance, a match within it weighs twice one further apart.
    const auto weight = [&](std::size_t x, std::size_t y) {
      if (options_.tolerance <= sim::Duration::zero()) return 2;
      return time_apart(ea[x], eb[y]) <= options_.tolerance ? 2 : 1;
    };
    lcs(ka, head, ka.size() - tail, kb, head, kb.size() - tail, weight, matches);
  }
  for (std::size_t k = tail; k-- > 0;) matches.emplace_back(ka.size() - 1 - k, kb.size() - 1 - k);

  auto differences = [&](const Event& x, const Event& y) {
    unsigned d = 0;
    if (x.seg != nullptr) {
      const net::Segment& s = *x.seg->seg;
      const net::Segment& t = *y.seg->seg;
      net::Flags fs = s.flags, ft = t.flags;
      if (!options_.psh) fs.psh = ft.psh = false;
      if (fs != ft) d |= kDiffFlags;
      if (seq_of(*x.seg) != seq_of(*y.seg)) d |= kDiffSeq;
      if (ack_of(*x.seg) != ack_of(*y.seg)) d |= kDiffAck;
      if (s.payload_len != t.payload_len) d |= kDiffLen;
      if (options_.windows && !s.flags.rst && !t.flags.rst && s.window != t.window) d |= kDiffWin;
      if (fate_of(*x.seg, options_.discards) != fate_of(*y.seg, options_.discards)) d |= kDiffFate;
    } else if (x.state->from != y.state->from || x.state->to != y.state->to) {
      d |= kDiffState;
    }
    if (time_apart(x, y) > options_.tolerance) d |= kDiffTime;
    return d;
  };
  auto pair = [&](std::size_t i, std::size_t j) {
    const unsigned d = differences(ea[i], eb[j]);
    rows_.push_back({d == 0 ? RowKind::Same : RowKind::Differs, ea[i].record, eb[j].record, d, ea[i].seg != nullptr});
  };
  // Between matches: an A event pairs with the next B event of its lane; the rest stand alone.
  auto gap = [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
    std::size_t j = j0;
    for (std::size_t i = i0; i < i1; ++i) {
      std::size_t k = j;
      while (k < j1 && eb[k].lane != ea[i].lane) ++k;
      if (k == j1) {
        rows_.push_back({RowKind::OnlyA, ea[i].record, kNoRecord, 0, ea[i].seg != nullptr});
        continue;
      }
      for (; j < k; ++j) rows_.push_back({RowKind::OnlyB, kNoRecord, eb[j].record, 0, eb[j].seg != nullptr});
      pair(i, k);
      j = k + 1;
    }
    for (; j < j1; ++j) rows_.push_back({RowKind::OnlyB, kNoRecord, eb[j].record, 0, eb[j].seg != nullptr});
  };
  std::size_t i = 0, j = 0;
  for (const auto& [mi, mj] : matches) {
    gap(i, mi, j, mj);
    pair(mi, mj);
    i = mi + 1;
    j = mj + 1;
  }
  gap(i, ea.size(), j, eb.size());
  if (options_.tolerance > sim::Duration::zero()) join_swapped(rows_, ea, eb, options_.tolerance, differences);

  first_difference_ = static_cast<std::size_t>(
      std::find_if(rows_.begin(), rows_.end(), [](const CompareRow& r) { return r.kind != RowKind::Same; }) - rows_.begin());
}

std::size_t Comparison::count(RowKind kind) const {
  return static_cast<std::size_t>(std::count_if(rows_.begin(), rows_.end(), [kind](const CompareRow& r) { return r.kind == kind; }));
}

std::string Comparison::event_text(const CompareRow& row, bool side_a) const {
  const CompareSide& side = side_a ? a_ : b_;
  const std::size_t record = side_a ? row.a : row.b;
  if (record == kNoRecord) return "";
  const Trace& t = *side.trace;
  const Body& body = t.records()[record].body;
  if (const auto* s = std::get_if<SegmentSent>(&body)) {
    const SegmentFacts& f = *side.facts->segment(s->id);
    LabelOptions o;
    o.window = LabelOptions::Window::Never;
    std::string text = t.node_name(s->node) + " sends " + (f.retransmission ? "rtx " : "") + segment_label(f, o);
    if (f.fate != Fate::Delivered || f.discard_record != kNoRecord) text += " (" + fate_of(f) + ")";
    return text;
  }
  const auto& st = std::get<StateChanged>(body);
  return t.node_name(st.node) + ":" + std::to_string(st.conn.local.port) + " enters " + state_name(st.to);
}

std::string Comparison::side_text(const CompareRow& row, bool side_a) const {
  if ((side_a ? row.a : row.b) != kNoRecord) return event_text(row, side_a);
  return row.segment ? "sends nothing like it" : "has no such state change";
}

std::string Comparison::difference_text(const CompareRow& row) const {
  if (row.kind == RowKind::OnlyA) return "only in " + a_.name;
  if (row.kind == RowKind::OnlyB) return "only in " + b_.name;
  const Record& ra = a_.trace->records()[row.a];
  const Record& rb = b_.trace->records()[row.b];
  std::string text;
  auto add = [&text](const std::string& what, const std::string& x, const std::string& y) {
    text += (text.empty() ? "" : "; ") + what + " " + x + " vs " + y;
  };
  if (row.segment) {
    const SegmentFacts& x = *a_.facts->segment(std::get<SegmentSent>(ra.body).id);
    const SegmentFacts& y = *b_.facts->segment(std::get<SegmentSent>(rb.body).id);
    if (row.differences & kDiffFlags) add("flags", x.seg->flags.to_string(), y.seg->flags.to_string());
    if (row.differences & kDiffSeq) add("seq", seq_of(x), seq_of(y));
    if (row.differences & kDiffAck) add("ack", ack_of(x), ack_of(y));
    if (row.differences & kDiffLen) add("len", std::to_string(x.seg->payload_len), std::to_string(y.seg->payload_len));
    if (row.differences & kDiffWin) add("win", std::to_string(x.seg->window), std::to_string(y.seg->window));
    if (row.differences & kDiffFate) add("fate", fate_of(x), fate_of(y));
  } else if (row.differences & kDiffState) {
    const auto& x = std::get<StateChanged>(ra.body);
    const auto& y = std::get<StateChanged>(rb.body);
    add("state", state_name(x.from) + " -> " + state_name(x.to), state_name(y.from) + " -> " + state_name(y.to));
  }
  if (row.differences & kDiffTime) add("time", sim::format_seconds(ra.time) + " s", sim::format_seconds(rb.time) + " s");
  return text;
}

std::string Comparison::summary() const {
  std::string s;
  if (equal()) {
    std::size_t segments = 0;
    for (const CompareRow& r : rows_) segments += r.segment ? 1 : 0;
    s = "the runs agree: " + std::to_string(segments) + " segments and " + std::to_string(rows_.size() - segments) +
        " state changes";
    if (options_.tolerance > sim::Duration::zero()) s += ", times within " + sim::format_duration(options_.tolerance);
    if (!options_.windows && !options_.psh) s += ", windows and PSH not compared";
    else if (!options_.windows) s += ", windows not compared";
    else if (!options_.psh) s += ", PSH not compared";
  } else {
    const CompareRow& r = rows_[first_difference_];
    const sim::Time at = r.a != kNoRecord ? a_.trace->records()[r.a].time : b_.trace->records()[r.b].time;
    s = "first difference at t=" + sim::format_seconds(at) + " s: ";
    s += a_.name + ": " + side_text(r, true) + "; " + b_.name + ": " + side_text(r, false);
    if (r.kind == RowKind::Differs) s += " [" + difference_text(r) + "]";
  }
  return s + "\nrows: " + counts_text();
}

std::string Comparison::counts_text() const {
  std::string s = std::to_string(count(RowKind::Same)) + " same, " + std::to_string(count(RowKind::Differs)) + " differ, " +
                  std::to_string(count(RowKind::OnlyA)) + " only in " + a_.name + ", " + std::to_string(count(RowKind::OnlyB)) +
                  " only in " + b_.name;
  if (in_order_) s += " (too long to align: paired in order)";
  return s;
}

std::vector<StatePath> state_paths(const Trace& t) {
  std::vector<StatePath> paths;
  std::map<std::pair<NodeId, std::uint32_t>, std::size_t> index;  // (host, address) -> paths[i]
  for (const Record& r : t.records()) {
    const auto* st = std::get_if<StateChanged>(&r.body);
    if (st == nullptr) continue;
    const auto [it, added] = index.try_emplace({st->node, st->conn.local.ip.value}, paths.size());
    if (added) paths.push_back({t.node_name(st->node), st->conn.local.ip, {state_name(st->from)}});
    paths[it->second].states.push_back(state_name(st->to));
  }
  return paths;
}

Lifelines::Lifelines(const Trace& t, const std::vector<std::string>& first) {
  std::vector<bool> host(t.node_count(), false);
  auto mark = [&host](NodeId n) {
    if (n < host.size()) host[n] = true;
  };
  for (const auto& r : t.records()) {
    if (const auto* s = std::get_if<SegmentSent>(&r.body)) {
      mark(s->node);
      if (!s->injected) owner_.try_emplace(s->seg.src.value, s->node);
    } else if (const auto* d = std::get_if<SegmentDelivered>(&r.body)) {
      mark(d->node);
    } else if (const auto* st = std::get_if<StateChanged>(&r.body)) {
      mark(st->node);
      owner_.try_emplace(st->conn.local.ip.value, st->node);
    }
  }
  std::vector<NodeId> nodes;
  for (NodeId n = 0; n < host.size(); ++n)
    if (host[n]) nodes.push_back(n);
  auto rank = [&](NodeId n) { return std::find(first.begin(), first.end(), t.node_name(n)) - first.begin(); };
  std::stable_sort(nodes.begin(), nodes.end(), [&](NodeId x, NodeId y) { return rank(x) < rank(y); });
  for (const NodeId n : nodes) {
    column_[n] = static_cast<int>(names_.size());
    names_.push_back(t.node_name(n));
  }
}

int Lifelines::column(NodeId node) const {
  const auto it = column_.find(node);
  return it == column_.end() ? -1 : it->second;
}

int Lifelines::target(const SegmentFacts& f) const {
  if (f.fate == Fate::Delivered) return column(f.end_node);
  const auto it = owner_.find(f.seg->dst.value);
  return it == owner_.end() ? -1 : column(it->second);
}

}  // namespace tcpsim::trace
