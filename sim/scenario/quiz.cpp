// Learning mode's questions (quiz.hpp).

#include "sim/scenario/quiz.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <variant>

#include "sim/scenario/world.hpp"
#include "sim/trace/jsonl.hpp"

namespace tcpsim::scenario {
namespace {

// A deterministic draw from (seed, record, k), the same on every platform.
std::uint64_t mix(std::uint64_t seed, std::uint64_t record, std::uint64_t k) {
  std::uint64_t z = seed ^ (record * 0x9E3779B97F4A7C15ULL) ^ (k * 0xBF58476D1CE4E5B9ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// `pool` shuffled by (seed, record): a Fisher-Yates shuffle over mix().
void shuffle(std::vector<std::string>& pool, std::uint64_t seed, std::uint64_t record, std::uint64_t salt) {
  for (std::size_t i = pool.size(); i > 1; --i) {
    const std::size_t j = mix(seed, record, salt + i) % i;
    std::swap(pool[i - 1], pool[j]);
  }
}

constexpr std::size_t kChoices = 4;

// The real answer and up to kChoices-1 distractors (first the preferred ones, in order, then
// `others` drawn by the seed), shuffled; `answer` is where the real one lands.
void fill_choices(QuizQuestion& q, const std::string& real, std::vector<std::string> preferred,
                  std::vector<std::string> others, std::uint64_t seed) {
  std::vector<std::string> picked{real};
  auto take = [&](const std::vector<std::string>& from) {
    for (const std::string& c : from)
      if (picked.size() < kChoices && std::find(picked.begin(), picked.end(), c) == picked.end()) picked.push_back(c);
  };
  take(preferred);
  shuffle(others, seed, q.record, 100);
  take(others);
  shuffle(picked, seed, q.record, 0);
  q.choices = std::move(picked);
  q.answer = static_cast<std::size_t>(std::find(q.choices.begin(), q.choices.end(), real) - q.choices.begin());
}

std::string display_state(std::string_view s) {
  std::string d(s);
  std::replace(d.begin(), d.end(), '_', '-');
  return d;
}

// The states of RFC 9293 §3.3.2, and where each may go next (its Figure 5, plus a reset or an
// abort to CLOSED from any synchronized state).
constexpr std::array<std::string_view, 11> kStates{"CLOSED",     "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
                                                   "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
                                                   "CLOSING",    "LAST-ACK",   "TIME-WAIT"};
std::vector<std::string> reachable(const std::string& from) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kNext{
      {"CLOSED", {"LISTEN", "SYN-SENT"}},
      {"LISTEN", {"SYN-RECEIVED", "SYN-SENT", "CLOSED"}},
      {"SYN-SENT", {"SYN-RECEIVED", "ESTABLISHED", "CLOSED"}},
      {"SYN-RECEIVED", {"ESTABLISHED", "FIN-WAIT-1", "LISTEN", "CLOSED"}},
      {"ESTABLISHED", {"FIN-WAIT-1", "CLOSE-WAIT", "CLOSED"}},
      {"FIN-WAIT-1", {"FIN-WAIT-2", "CLOSING", "TIME-WAIT", "CLOSED"}},
      {"FIN-WAIT-2", {"TIME-WAIT", "CLOSED"}},
      {"CLOSE-WAIT", {"LAST-ACK", "CLOSED"}},
      {"CLOSING", {"TIME-WAIT", "CLOSED"}},
      {"LAST-ACK", {"CLOSED"}},
      {"TIME-WAIT", {"CLOSED"}}};
  const auto it = kNext.find(from);
  return it == kNext.end() ? std::vector<std::string>{} : it->second;
}

// Host names by address, from the segments the hosts' TCPs send.
using Names = std::map<std::uint32_t, std::string>;
Names host_names(const trace::Trace& t) {
  Names n;
  for (const trace::Record& r : t.records())
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && !s->injected)
      n.emplace(s->seg.src.value, t.node_name(s->node));
  return n;
}
std::string host(const Names& names, net::Ipv4 ip) {
  const auto it = names.find(ip.value);
  return it != names.end() ? it->second : ip.to_string();
}

// A segment as a choice: "client → server: FIN,ACK seq=1 ack=1", with no marker that would give
// the real one away (retransmission, window).
std::string choice_text(const std::string& from, const std::string& to, const trace::SegmentFacts& f) {
  trace::LabelOptions o;
  o.window = trace::LabelOptions::Window::Never;
  return from + " → " + to + ": " + trace::segment_label(f, o);
}

void segment_question(QuizQuestion& q, const trace::SegmentSent& s, const trace::SegmentFacts& f, const Names& names,
                      const std::string& sender, std::uint64_t seed) {
  const std::string receiver = host(names, s.seg.dst);
  q.kind = QuizQuestion::Kind::Segment;
  q.ask = "Which segment is sent next?";
  const std::string real = choice_text(sender, receiver, f);

  // Variations of the real segment, labelled as the views label it.
  auto variant = [&](const std::string& from, const std::string& to, auto change) {
    net::Segment seg = *f.seg;
    trace::SegmentFacts g = f;
    g.seg = &seg;
    change(seg, g);
    return choice_text(from, to, g);
  };
  std::vector<std::string> preferred;
  if (f.seg->flags.ack) {  // an acknowledgment one off: the classic slip
    preferred.push_back(variant(sender, receiver, [](net::Segment& seg, trace::SegmentFacts& g) {
      seg.ack = seg.ack + 1;
      if (g.rel_ack) g.rel_ack = *g.rel_ack + 1;
    }));
  }
  // The same segment from the other host.
  preferred.push_back(variant(receiver, sender, [](net::Segment&, trace::SegmentFacts&) {}));

  // Other flag combinations of connection management.
  std::vector<std::string> others;
  for (const char* text : {"SYN", "SYN,ACK", "ACK", "FIN,ACK", "RST", "RST,ACK", "PSH,ACK"}) {
    const net::Flags flags = *net::Flags::parse(text);
    if (flags == f.seg->flags) continue;
    others.push_back(variant(sender, receiver, [&](net::Segment& seg, trace::SegmentFacts& g) {
      if (flags.ack && !seg.flags.ack) {  // acknowledge one past the peer's ISN, as a SYN,ACK would
        seg.ack = seg.seq + 1;
        g.rel_ack = g.rel_seq ? std::optional<std::uint32_t>(1) : std::nullopt;
      }
      if (!flags.psh && !flags.ack) seg.payload_len = 0;  // no data on a bare SYN or RST
      if (flags.psh && seg.payload_len == 0) seg.payload_len = f.seg->payload_len > 0 ? f.seg->payload_len : 100;
      seg.flags = flags;
    }));
  }
  if (f.seg->flags.ack && f.rel_ack && *f.rel_ack > 0)
    others.push_back(variant(sender, receiver, [](net::Segment& seg, trace::SegmentFacts& g) {
      seg.ack = seg.ack - 1;
      g.rel_ack = *g.rel_ack - 1;
    }));
  fill_choices(q, real, std::move(preferred), std::move(others), seed);
}

std::string endpoint_text(const trace::Trace& t, const trace::StateChanged& c) {
  return t.node_name(c.node) + ":" + std::to_string(c.conn.local.port);
}

void state_question(QuizQuestion& q, const trace::Trace& t, const trace::StateChanged& c, std::uint64_t seed) {
  q.kind = QuizQuestion::Kind::State;
  const std::string from = display_state(c.from);
  const std::string to = display_state(c.to);
  q.ask = "Which state does " + endpoint_text(t, c) + " enter next? It is in " + from + " now.";
  std::vector<std::string> preferred, others;
  for (const std::string& s : reachable(from))
    if (s != to) preferred.push_back(s);
  shuffle(preferred, seed, q.record, 50);
  for (std::string_view s : kStates)
    if (s != from && s != to) others.emplace_back(s);
  fill_choices(q, to, std::move(preferred), std::move(others), seed);
}

}  // namespace

const QuizQuestion* Quiz::at(std::size_t record) const {
  const QuizQuestion* q = next(record);
  return q != nullptr && q->record == record ? q : nullptr;
}

const QuizQuestion* Quiz::next(std::size_t record) const {
  const auto it = std::lower_bound(questions.begin(), questions.end(), record,
                                   [](const QuizQuestion& q, std::size_t r) { return q.record < r; });
  return it == questions.end() ? nullptr : &*it;
}

std::vector<QuizQuestion> automatic_questions(const trace::Trace& trace, const trace::TraceFacts& facts,
                                              std::uint64_t seed) {
  std::vector<QuizQuestion> out;
  const Names names = host_names(trace);
  const auto& records = trace.records();
  for (std::size_t i = 0; i < records.size(); ++i) {
    QuizQuestion q;
    q.record = i;
    if (const auto* s = std::get_if<trace::SegmentSent>(&records[i].body)) {
      const trace::SegmentFacts* f = facts.segment(s->id);
      if (s->injected || f == nullptr) continue;  // crafted by the scenario: nothing to predict from TCP's rules
      segment_question(q, *s, *f, names, trace.node_name(s->node), seed);
    } else if (const auto* c = std::get_if<trace::StateChanged>(&records[i].body)) {
      state_question(q, trace, *c, seed);
    } else {
      continue;
    }
    out.push_back(std::move(q));
  }
  return out;
}

Quiz make_quiz(const World& world, const trace::TraceFacts& facts) {
  Quiz quiz;
  const auto& questions = world.scenario().questions;
  if (questions.empty()) {
    quiz.questions = automatic_questions(world.trace(), facts, world.scenario().seed);
    return quiz;
  }
  quiz.from_teacher = true;
  const std::vector<QuestionPlace> places = place_questions(world);
  std::map<std::size_t, std::string> taken;  // record -> pointer of the question asked there
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const Question& src = questions[i];
    const QuestionPlace& p = places[i];
    if (!p.record) {
      quiz.warnings.push_back(src.pointer + "/before: " + p.problem);
      continue;
    }
    if (const auto it = taken.find(*p.record); it != taken.end()) {
      quiz.warnings.push_back(src.pointer + "/before: record " + std::to_string(*p.record) + " is where " + it->second +
                              " is asked already; only one question is asked per record, so this one is not");
      continue;
    }
    taken.emplace(*p.record, src.pointer);
    QuizQuestion q;
    q.kind = QuizQuestion::Kind::Teacher;
    q.record = *p.record;
    q.ask = src.ask;
    q.choices = src.choices;
    q.answer = src.answer;
    q.explain = src.explain;
    q.pointer = src.pointer;
    quiz.questions.push_back(std::move(q));
  }
  std::sort(quiz.questions.begin(), quiz.questions.end(),
            [](const QuizQuestion& a, const QuizQuestion& b) { return a.record < b.record; });
  return quiz;
}

Revealed reveal(const trace::Trace& trace, const trace::TraceFacts& facts, std::size_t record) {
  Revealed r;
  const auto& records = trace.records();
  if (record >= records.size()) return r;
  const trace::Body& b = records[record].body;
  if (const auto* s = std::get_if<trace::SegmentSent>(&b)) {
    const Names names = host_names(trace);
    if (const trace::SegmentFacts* f = facts.segment(s->id)) {
      r.what = trace.node_name(s->node) + " → " + host(names, s->seg.dst) + ": " + trace::segment_label(*f, {});
      if (f->retransmission) r.what += " (retransmission)";
      if (f->injected) r.what += " (injected)";
    }
    r.rule = s->injected ? "crafted by the scenario (inject), not sent by a TCP" : std::string(s->cause);
  } else if (const auto* c = std::get_if<trace::StateChanged>(&b)) {
    r.what = endpoint_text(trace, *c) + " " + display_state(c->from) + " → " + display_state(c->to);
    r.rule = std::string(c->cause);
  } else if (const auto* t = std::get_if<trace::TimerEvent>(&b)) {
    r.what = trace.node_name(t->node) + " " + std::string(t->timer) + " timer " + trace::to_string(t->op);
    r.rule = std::string(t->cause);
  } else if (const auto* n = std::get_if<trace::Note>(&b)) {
    r.what = (n->node == trace::kNoNode ? std::string("note") : trace.node_name(n->node)) + ": " + n->text;
  } else {
    r.what = trace::to_json(records[record], trace).dump();
  }
  return r;
}

}  // namespace tcpsim::scenario
