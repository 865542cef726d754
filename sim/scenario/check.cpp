// The check of a scenario's expectations against its trace (expect.hpp).

#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "sim/scenario/expect.hpp"
#include "sim/scenario/quiz.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/facts.hpp"

namespace tcpsim::scenario {
namespace {

using trace::ordinal;
using trace::Record;

std::string join(const std::vector<std::string>& v, std::size_t from = 0, std::size_t to = SIZE_MAX) {
  std::string s;
  for (std::size_t i = from; i < std::min(to, v.size()); ++i) s += (s.empty() ? "" : ", ") + v[i];
  return s.empty() ? "(none)" : s;
}

std::string display(std::string_view state) {
  std::string s(state);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

// One sent segment as the checks see it: its record and what the trace's facts say of it (fate,
// the sender's retransmission flag, incarnation-relative numbers), as every view reads them.
struct Sent {
  const Record* record;
  const trace::SegmentSent* sent;
  const trace::SegmentFacts* facts;
};

class Checker {
 public:
  explicit Checker(const World& w) : w_(w), records_(w.trace().records()), facts_(w.trace()) {
    for (const auto& n : w.scenario().nodes)
      if (n.ip) ip_of_[n.name] = *n.ip;
    index_segments();
  }

  Verdict run() {
    const Expectations& e = w_.scenario().expect;
    for (const auto& p : e.states) state_path(p);
    for (const auto& f : e.final_states) final_state(f);
    for (const auto& l : e.ladders) ladder(l);
    for (const auto& a : e.apps) app(a);
    for (const auto& t : e.timings) timing(t);
    for (const auto& c : e.counters) counter(c);
    for (const auto& q : w_.scenario().questions) {
      checked();
      if (const QuestionPlace p = place(q); !p.record) fail(q.pointer + "/before", p.problem);
    }
    return std::move(v_);
  }

  QuestionPlace place(const Question& q) const {
    QuestionPlace p;
    if (q.record) {
      if (*q.record < records_.size()) p.record = static_cast<std::size_t>(*q.record);
      else
        p.problem = "record " + std::to_string(*q.record) + " is past the end of the run (" +
                    std::to_string(records_.size()) + " records, numbered from 0), so the question is never asked";
      return p;
    }
    if (q.event) {
      if (const Record* r = find(*q.event)) p.record = static_cast<std::size_t>(r - records_.data());
      else p.problem = describe(*q.event) + " never happens in this run, so the question is never asked";
    }
    return p;
  }

 private:
  void fail(const std::string& pointer, std::string message, const Record* at = nullptr) {
    Failure f{pointer, std::move(message), std::nullopt, std::nullopt};
    if (at) {
      f.record = at->index;
      f.time = at->time;
    }
    v_.failures.push_back(std::move(f));
  }
  void checked() { ++v_.checked; }

  std::string where(const Record& r) const {
    return "record #" + std::to_string(r.index) + " at " + sim::format_seconds(r.time) + " s";
  }

  // --- segments ---------------------------------------------------------------------------
  void index_segments() {
    for (const Record& r : records_)
      if (const auto* x = std::get_if<trace::SegmentSent>(&r.body)) sent_.push_back({&r, x, facts_.segment(x->id)});
  }

  std::optional<net::Ipv4> address(const std::string& name_or_ip) const {
    if (auto it = ip_of_.find(name_or_ip); it != ip_of_.end()) return it->second;
    return net::Ipv4::parse(name_or_ip);
  }

  // The name a pattern's "dropped_by" gives the reason: "loss", "fault 2", ...
  static std::string drop_name(const Sent& s) {
    std::string n = trace::to_string(s.facts->reason);
    if (s.facts->reason == trace::DropReason::FaultRule) return "fault " + std::to_string(s.facts->rule);
    return n;
  }

  bool matches(const SegmentPattern& p, const Sent& s) const {
    const net::Segment& g = s.sent->seg;
    if (p.from && address(*p.from) != g.src) return false;
    if (p.to && address(*p.to) != g.dst) return false;
    if (p.flags && !(*p.flags == g.flags)) return false;
    if (p.flags_include && !g.flags.contains(*p.flags_include)) return false;
    if (p.seq) {
      const std::optional<std::uint32_t> v = p.absolute ? std::optional<std::uint32_t>(g.seq.raw()) : s.facts->rel_seq;
      if (v != p.seq) return false;
    }
    if (p.ack) {
      const std::optional<std::uint32_t> v = p.absolute ? std::optional<std::uint32_t>(g.ack.raw()) : s.facts->rel_ack;
      if (!g.flags.ack || v != p.ack) return false;
    }
    if (p.len && g.payload_len != *p.len) return false;
    if (p.window && g.window != *p.window) return false;
    if (p.injected && s.sent->injected != *p.injected) return false;
    if (p.retransmission && s.facts->retransmission != *p.retransmission) return false;
    const trace::Fate fate = s.facts->fate;
    if (p.fate == SegmentPattern::Fate::Delivered && fate != trace::Fate::Delivered) return false;
    if (p.fate == SegmentPattern::Fate::Dropped && fate != trace::Fate::Dropped) return false;
    if (p.dropped_by) {
      if (fate != trace::Fate::Dropped) return false;
      const std::string n = drop_name(s);
      if (n != *p.dropped_by && !(*p.dropped_by == "fault" && s.facts->reason == trace::DropReason::FaultRule)) return false;
    }
    return true;
  }

  std::string name_of(net::Ipv4 ip) const {
    for (const auto& [n, a] : ip_of_)
      if (a == ip) return n;
    return ip.to_string();
  }

  // `window`: the expectation asked for one, so the segment's is shown beside it.
  std::string describe(const Sent& s, bool window = false) const {
    const net::Segment& g = s.sent->seg;
    std::string d = name_of(g.src) + " -> " + name_of(g.dst) + " " + g.flags.to_string();
    d += " seq=" + (s.facts->rel_seq ? std::to_string(*s.facts->rel_seq) : g.seq.to_string());
    if (g.flags.ack) d += " ack=" + (s.facts->rel_ack ? std::to_string(*s.facts->rel_ack) : g.ack.to_string());
    if (g.payload_len) d += " len=" + std::to_string(g.payload_len);
    if (window) d += " win=" + std::to_string(g.window);
    if (s.facts->retransmission) d += " (retransmission)";
    if (s.sent->injected) d += " (injected)";
    if (s.facts->fate == trace::Fate::Dropped) d += " (dropped: " + trace::drop_text(s.facts->reason, s.facts->rule) + ")";
    return d;
  }

  static std::string describe(const SegmentPattern& p) {
    std::string d;
    auto add = [&](const std::string& x) { d += (d.empty() ? "" : " ") + x; };
    if (p.from || p.to) add((p.from ? *p.from : "*") + " -> " + (p.to ? *p.to : "*"));
    if (p.flags) add(p.flags->to_string());
    if (p.flags_include) add("with " + p.flags_include->to_string());
    if (p.seq) add("seq=" + std::to_string(*p.seq));
    if (p.ack) add("ack=" + std::to_string(*p.ack));
    if (p.len) add("len=" + std::to_string(*p.len));
    if (p.window) add("win=" + std::to_string(*p.window));
    if (p.retransmission) add(*p.retransmission ? "(retransmission)" : "(not a retransmission)");
    if (p.injected) add(*p.injected ? "(injected)" : "(sent by TCP)");
    if (p.dropped_by) add("(dropped: " + *p.dropped_by + ")");
    else if (p.fate == SegmentPattern::Fate::Dropped) add("(dropped)");
    else if (p.fate == SegmentPattern::Fate::Delivered) add("(delivered)");
    if (p.max != p.min || p.min != 1) {
      if (!p.max) add(p.min == 0 ? "x any number" : "x at least " + std::to_string(p.min));
      else add("x " + std::to_string(p.min));
    }
    return d.empty() ? "any segment" : d;
  }

  void ladder(const SegmentLadder& l) {
    checked();
    if (l.match == Match::Contains) ladder_contains(l);
    else ladder_exact(l);
  }

  void ladder_contains(const SegmentLadder& l) {
    std::size_t pos = 0;
    const Record* last = nullptr;
    for (std::size_t i = 0; i < l.items.size(); ++i) {
      const SegmentPattern& p = l.items[i];
      for (std::uint32_t k = 0; k < p.min; ++k) {
        while (pos < sent_.size() && !matches(p, sent_[pos])) ++pos;
        if (pos == sent_.size()) {
          std::string msg = "expected segment " + std::to_string(i + 1) + " of the pattern, " + describe(p);
          if (p.min > 1) msg += " (" + ordinal(k + 1) + " of " + std::to_string(p.min) + ")";
          msg += last ? ", after " + where(*last) : "";
          msg += "; no later segment matches";
          const std::size_t from = last ? static_cast<std::size_t>(std::find_if(sent_.begin(), sent_.end(), [&](const Sent& s) { return s.record == last; }) - sent_.begin()) + 1 : 0;
          if (from < sent_.size()) msg += " (the next one sent was " + describe(sent_[from], p.window.has_value()) + ", " + where(*sent_[from].record) + ")";
          fail(p.pointer, msg, from < sent_.size() ? sent_[from].record : last);
          return;
        }
        last = sent_[pos].record;
        ++pos;
      }
    }
  }

  // The pattern must describe every segment, in order: an NFA over pattern positions.
  void ladder_exact(const SegmentLadder& l) {
    // state = (item index, count matched in it)
    using St = std::pair<std::size_t, std::uint32_t>;
    auto closure = [&](std::set<St> in) {
      std::vector<St> work(in.begin(), in.end());
      while (!work.empty()) {
        const St s = work.back();
        work.pop_back();
        if (s.first < l.items.size() && s.second >= l.items[s.first].min) {
          const St next{s.first + 1, 0};
          if (in.insert(next).second) work.push_back(next);
        }
      }
      return in;
    };
    std::set<St> cur = closure({{0, 0}});
    for (const Sent& s : sent_) {
      std::set<St> next;
      for (const St& st : cur) {
        if (st.first >= l.items.size()) continue;
        const SegmentPattern& p = l.items[st.first];
        if ((!p.max || st.second < *p.max) && matches(p, s)) next.insert({st.first, st.second + 1});
      }
      if (next.empty()) {
        std::string expected;
        bool window = false;
        for (const St& st : cur)
          if (st.first < l.items.size() && (!l.items[st.first].max || st.second < *l.items[st.first].max)) {
            expected += (expected.empty() ? "" : " or ") + describe(l.items[st.first]);
            window = window || l.items[st.first].window.has_value();
          }
        fail(l.pointer, "expected " + (expected.empty() ? std::string("no more segments") : expected) + "; found " +
                            describe(s, window) + " (" + where(*s.record) + ")",
             s.record);
        return;
      }
      cur = closure(std::move(next));
    }
    if (!cur.contains({l.items.size(), 0})) {
      std::string expected;
      for (const St& st : cur)
        if (st.first < l.items.size()) {
          expected = describe(l.items[st.first]);
          break;
        }
      fail(l.pointer, "the run sent " + std::to_string(sent_.size()) + " segments; the pattern still expects " + expected);
    }
  }

  // --- states -----------------------------------------------------------------------------
  bool selected(const EndpointKey& k, const trace::StateChanged& sc) const {
    if (w_.trace().node_name(sc.node) != k.host) return false;
    if (sc.conn.remote.port == 0) return false;  // a listener
    if (k.port && sc.conn.local.port != *k.port) return false;
    if (k.peer && sc.conn.remote.ip != *k.peer) return false;
    if (k.peer_port && sc.conn.remote.port != *k.peer_port) return false;
    return true;
  }

  struct PathStep {
    std::string state;
    const Record* record;
  };
  std::vector<PathStep> path_of(const EndpointKey& k) const {
    std::vector<PathStep> out;
    for (const Record& r : records_)
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body); sc && selected(k, *sc)) {
        if (out.empty()) out.push_back({std::string(sc->from), &r});
        out.push_back({std::string(sc->to), &r});
      }
    return out;
  }

  static std::vector<std::string> names(const std::vector<PathStep>& p) {
    std::vector<std::string> v;
    for (const auto& s : p) v.push_back(display(s.state));
    return v;
  }

  void state_path(const StatePath& e) {
    checked();
    const auto path = path_of(e.endpoint);
    std::vector<std::string> want;
    for (const auto& s : e.states) want.push_back(display(s));
    const auto got = names(path);
    if (path.empty()) {
      fail(e.pointer, "expected states " + join(want) + " for " + e.endpoint.text + "; it had no connection");
      return;
    }
    if (e.match == Match::Exact) {
      for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
        if (i < want.size() && i < got.size() && want[i] == got[i]) continue;
        std::string msg = e.endpoint.text + ": expected states " + join(want) + "; found " + join(got) + ". ";
        if (i >= got.size()) {
          msg += "The path ends after " + got.back() + " where " + want[i] + " was expected";
          fail(e.pointer, msg, path.back().record);
        } else if (i >= want.size()) {
          msg += "After " + want.back() + " it went on to " + got[i] + " (" + where(*path[i].record) + ")";
          fail(e.pointer, msg, path[i].record);
        } else {
          msg += "The " + ordinal(i + 1) + " state is " + got[i] + ", not " + want[i] + " (" + where(*path[i].record) + ")";
          fail(e.pointer, msg, path[i].record);
        }
        return;
      }
      return;
    }
    std::size_t j = 0;
    const Record* last = nullptr;
    for (std::size_t i = 0; i < got.size() && j < want.size(); ++i)
      if (got[i] == want[j]) {
        ++j;
        last = path[i].record;
      }
    if (j < want.size())
      fail(e.pointer,
           e.endpoint.text + ": expected the states " + join(want) + " in this order; found " + join(got) + ", where " +
               want[j] + (j > 0 ? " does not follow " + want[j - 1] : std::string(" never occurs")),
           last);
  }

  void final_state(const FinalState& f) {
    checked();
    const auto path = path_of(f.endpoint);
    if (path.empty()) {
      fail(f.pointer, f.endpoint.text + ": expected final state " + display(f.state) + "; it had no connection");
      return;
    }
    if (path.back().state != f.state)
      fail(f.pointer,
           f.endpoint.text + ": expected final state " + display(f.state) + ", found " + display(path.back().state) +
               " (entered " + where(*path.back().record) + ")",
           path.back().record);
  }

  // --- applications -----------------------------------------------------------------------
  struct AppStats {
    std::uint64_t sent = 0, received = 0;
    bool eof = false;
    trace::AppError last_error = trace::AppError::None;
  };
  std::optional<AppStats> stats(const std::string& host) const {
    const auto id = w_.network().find(host);
    if (!id || !w_.apps(*id)) return std::nullopt;
    const app::AppHost& h = *w_.apps(*id);
    AppStats s;
    for (std::size_t i = 0; i < h.size(); ++i) {
      s.sent += h[i].bytes_sent();
      s.received += h[i].bytes_received();
      s.eof = s.eof || h[i].eof_seen();
      if (h[i].last_error() != trace::AppError::None) s.last_error = h[i].last_error();
    }
    return s;
  }

  // How the first connect of `host` ended: "ok", an errno name, or "pending".
  std::pair<std::string, const Record*> connect_outcome(const std::string& host) const {
    std::optional<net::ConnId> conn;
    for (const Record& r : records_) {
      if (const auto* c = std::get_if<trace::AppCall>(&r.body)) {
        if (!conn && c->call == "connect" && w_.trace().node_name(c->node) == host) conn = c->conn;
      } else if (const auto* n = std::get_if<trace::AppNotify>(&r.body); n && conn && n->conn == *conn &&
                                                                         w_.trace().node_name(n->node) == host) {
        if (n->notice == trace::Notice::Connected) return {"ok", &r};
        if (n->notice == trace::Notice::Error) return {trace::to_string(n->error), &r};
      }
    }
    return {conn ? "pending" : "no connect call", nullptr};
  }

  void app(const AppOutcome& a) {
    checked();
    const auto s = stats(a.host);
    if (!s) {
      fail(a.pointer, "host " + a.host + " runs no apps");
      return;
    }
    if (a.connect) {
      const auto [got, at] = connect_outcome(a.host);
      if (got != *a.connect)
        fail(a.pointer + "/connect", a.host + ": expected the connect to end " + *a.connect + ", found " + got, at);
    }
    if (a.error) {
      const std::string got = s->last_error == trace::AppError::None ? "none" : trace::to_string(s->last_error);
      if (got != *a.error) fail(a.pointer + "/error", a.host + ": expected error " + *a.error + ", found " + got);
    }
    if (a.sent && s->sent != *a.sent)
      fail(a.pointer + "/sent", a.host + ": expected its apps to send " + std::to_string(*a.sent) + " bytes, found " +
                                    std::to_string(s->sent));
    if (a.received && s->received != *a.received)
      fail(a.pointer + "/received", a.host + ": expected its apps to read " + std::to_string(*a.received) +
                                        " bytes, found " + std::to_string(s->received));
    if (a.received_all_from) {
      const auto peer = stats(*a.received_all_from);
      const std::uint64_t want = peer ? peer->sent : 0;
      if (s->received != want)
        fail(a.pointer + "/received_all_from", a.host + ": expected to read the " + std::to_string(want) +
                                                   " bytes " + *a.received_all_from + " sent, found " +
                                                   std::to_string(s->received));
    }
    if (a.eof && s->eof != *a.eof)
      fail(a.pointer + "/eof", a.host + (*a.eof ? ": expected its apps to see EOF; they did not" : ": expected no EOF; one was seen"));
  }

  // --- timing -----------------------------------------------------------------------------
  const Record* find(const EventRef& e) const {
    std::uint32_t seen = 0;
    if (e.sends) {
      for (const Sent& s : sent_)
        if (matches(*e.sends, s) && ++seen == e.nth) return s.record;
      return nullptr;
    }
    for (const Record& r : records_)
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body);
          sc && selected(*e.endpoint, *sc) && sc->to == *e.enters && ++seen == e.nth)
        return &r;
    return nullptr;
  }

  std::string describe(const EventRef& e) const {
    const std::string n = e.nth > 1 ? ordinal(e.nth) + " " : "";
    if (e.sends) return "the " + n + "segment " + describe(*e.sends);
    return e.endpoint->text + " entering " + display(*e.enters) + (e.nth > 1 ? " (" + ordinal(e.nth) + " time)" : "");
  }

  void timing(const Timing& t) {
    checked();
    const Record* a = find(t.from);
    const Record* b = find(t.to);
    if (!a || !b) {
      fail(!a ? t.from.pointer : t.to.pointer, "expected " + describe(!a ? t.from : t.to) + "; it never happened");
      return;
    }
    const sim::Duration d = b->time - a->time;
    const sim::Duration off = d > t.duration ? d - t.duration : t.duration - d;
    if (off > t.tolerance)
      fail(t.pointer,
           "expected " + sim::format_duration(t.duration) + " (+/- " + sim::format_duration(t.tolerance) + ") from " +
               describe(t.from) + " (" + where(*a) + ") to " + describe(t.to) + "; found " + sim::format_duration(d) +
               " (" + where(*b) + ")",
           b);
  }

  // --- counters ---------------------------------------------------------------------------
  std::optional<std::uint64_t> count(const std::string& name) const {
    std::uint64_t n = 0;
    if (name == "segments") return sent_.size();
    if (name == "retransmissions") {
      for (const Sent& s : sent_) n += s.facts->retransmission;
      return n;
    }
    if (name == "rst") {
      for (const Sent& s : sent_) n += s.sent->seg.flags.rst && !s.sent->injected;
      return n;
    }
    if (name == "challenge_acks") {
      for (const Sent& s : sent_) n += s.sent->cause.find("challenge ACK") != std::string_view::npos;
      return n;
    }
    if (name == "dropped") {
      for (const Sent& s : sent_) n += s.facts->fate == trace::Fate::Dropped;
      return n;
    }
    if (name.starts_with("dropped.")) {
      const std::string reason = name.substr(8);
      for (const Sent& s : sent_)
        n += s.facts->fate == trace::Fate::Dropped && (trace::to_string(s.facts->reason) == reason ||
                                                       (reason == "fault" && s.facts->reason == trace::DropReason::FaultRule));
      return n;
    }
    if (name == "notes.syn_dropped") {
      for (const Record& r : records_)
        if (const auto* note = std::get_if<trace::Note>(&r.body)) n += note->text.find("SYN dropped") != std::string::npos;
      return n;
    }
    return std::nullopt;
  }

  void counter(const CounterExpect& c) {
    checked();
    const auto n = count(c.name);
    if (!n) {
      fail(c.pointer, "unknown counter " + c.name);
      return;
    }
    if (*n != c.value)
      fail(c.pointer, "expected " + c.name + " = " + std::to_string(c.value) + ", found " + std::to_string(*n));
  }

  const World& w_;
  const std::vector<Record>& records_;
  trace::TraceFacts facts_;
  std::map<std::string, net::Ipv4> ip_of_;
  std::vector<Sent> sent_;
  Verdict v_;
};

}  // namespace

Verdict check(const World& world) { return Checker(world).run(); }

std::vector<QuestionPlace> place_questions(const World& world) {
  const Checker c(world);
  std::vector<QuestionPlace> out;
  for (const Question& q : world.scenario().questions) out.push_back(c.place(q));
  return out;
}

}  // namespace tcpsim::scenario
