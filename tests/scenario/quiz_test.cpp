// Learning mode's questions (sim/scenario/quiz.hpp) on real runs: automatic questions hold the
// real next event among distinct distractors, in an order fixed by the seed; a teacher's questions
// are placed where their "before" points; a revealed record reads as the views write it.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <variant>

#include "loader_support.hpp"
#include "sim/scenario/quiz.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;

namespace {

std::unique_ptr<World> run_file(const std::string& rel) {
  LoadResult r = load_file(std::filesystem::path(TCPSIM_SOURCE_DIR) / "scenarios" / rel);
  INFO(report(r));
  REQUIRE(r.ok());
  auto w = std::make_unique<World>(std::move(*r.scenario));
  w->run();
  return w;
}

std::string display(std::string_view s) {
  std::string d(s);
  std::replace(d.begin(), d.end(), '_', '-');
  return d;
}

}  // namespace

TEST_CASE("Every segment a TCP sends and every state change gets a question whose answer is the real event", "[quiz]") {
  const auto w = run_file("loss/lost-final-ack.json");
  const trace::TraceFacts facts(w->trace());
  const auto qs = automatic_questions(w->trace(), facts, w->scenario().seed);
  const auto& records = w->trace().records();
  std::size_t segments = 0, states = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const bool sent = std::holds_alternative<trace::SegmentSent>(records[i].body);
    const bool state = std::holds_alternative<trace::StateChanged>(records[i].body);
    segments += sent;
    states += state;
    const auto it = std::find_if(qs.begin(), qs.end(), [&](const QuizQuestion& q) { return q.record == i; });
    CHECK((it != qs.end()) == (sent || state));
  }
  REQUIRE(qs.size() == segments + states);
  CHECK(segments >= 8);
  for (const QuizQuestion& q : qs) {
    INFO("record " << q.record << ": " << q.ask);
    REQUIRE(q.choices.size() == 4);
    REQUIRE(q.answer < q.choices.size());
    for (std::size_t a = 0; a < q.choices.size(); ++a)
      for (std::size_t b = a + 1; b < q.choices.size(); ++b) CHECK(q.choices[a] != q.choices[b]);
    const trace::Body& body = records[q.record].body;
    if (const auto* c = std::get_if<trace::StateChanged>(&body)) {
      CHECK(q.kind == QuizQuestion::Kind::State);
      CHECK(q.choices[q.answer] == display(c->to));
      CHECK(std::find(q.choices.begin(), q.choices.end(), display(c->from)) == q.choices.end());
      CHECK_THAT(q.ask, Catch::Contains(w->trace().node_name(c->node)));
    } else {
      const auto& s = std::get<trace::SegmentSent>(body);
      CHECK(q.kind == QuizQuestion::Kind::Segment);
      trace::LabelOptions o;
      o.window = trace::LabelOptions::Window::Never;
      const std::string label = trace::segment_label(*facts.segment(s.id), o);
      CHECK_THAT(q.choices[q.answer], Catch::StartsWith(w->trace().node_name(s.node) + " → "));
      CHECK_THAT(q.choices[q.answer], Catch::EndsWith(": " + label));
    }
  }
}

TEST_CASE("A segment question offers the acknowledgment one off and the same segment from the other host", "[quiz]") {
  const auto w = run_file("loss/lost-final-ack.json");
  const trace::TraceFacts facts(w->trace());
  const auto qs = automatic_questions(w->trace(), facts, w->scenario().seed);
  // B's first FIN,ACK: seq=1 ack=2 from B to A.
  const auto fin = std::find_if(qs.begin(), qs.end(), [](const QuizQuestion& q) {
    return q.kind == QuizQuestion::Kind::Segment && q.choices[q.answer] == "B → A: FIN,ACK seq=1 ack=2";
  });
  REQUIRE(fin != qs.end());
  CHECK(std::count(fin->choices.begin(), fin->choices.end(), "B → A: FIN,ACK seq=1 ack=3") == 1);
  CHECK(std::count(fin->choices.begin(), fin->choices.end(), "A → B: FIN,ACK seq=1 ack=2") == 1);
  CHECK(fin->ask == "Which segment is sent next?");
}

TEST_CASE("A state question offers states reachable from the one the endpoint leaves", "[quiz]") {
  const auto w = run_file("loss/lost-final-ack.json");
  const trace::TraceFacts facts(w->trace());
  const auto qs = automatic_questions(w->trace(), facts, w->scenario().seed);
  // A leaves FIN-WAIT-2 for TIME-WAIT: FIN-WAIT-2 reaches TIME-WAIT and CLOSED only, so CLOSED
  // is among the choices, and FIN-WAIT-2 itself is not.
  const auto tw = std::find_if(qs.begin(), qs.end(), [](const QuizQuestion& q) {
    return q.kind == QuizQuestion::Kind::State && q.choices[q.answer] == "TIME-WAIT";
  });
  REQUIRE(tw != qs.end());
  CHECK(tw->ask == "Which state does A:1000 enter next? It is in FIN-WAIT-2 now.");
  CHECK(std::count(tw->choices.begin(), tw->choices.end(), "CLOSED") == 1);
  CHECK(std::count(tw->choices.begin(), tw->choices.end(), "FIN-WAIT-2") == 0);
}

TEST_CASE("Automatic questions are the same for the same run, and the seed orders the choices", "[quiz]") {
  const auto w = run_file("rfc9293-figures/normal-close.json");
  const trace::TraceFacts facts(w->trace());
  const auto a = automatic_questions(w->trace(), facts, 1);
  const auto b = automatic_questions(w->trace(), facts, 1);
  const auto c = automatic_questions(w->trace(), facts, 2);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() == c.size());
  std::size_t reordered = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].choices == b[i].choices);
    CHECK(a[i].answer == b[i].answer);
    CHECK(a[i].choices[a[i].answer] == c[i].choices[c[i].answer]);
    reordered += a[i].choices != c[i].choices;
  }
  CHECK(reordered > 0);
  // The right answer is not always in the same place.
  std::vector<std::size_t> places;
  for (const auto& q : a) places.push_back(q.answer);
  std::sort(places.begin(), places.end());
  CHECK(std::unique(places.begin(), places.end()) - places.begin() > 1);
}

TEST_CASE("Injected segments get no automatic question: no TCP rule sent them", "[quiz]") {
  const auto w = run_file("rfc9293-figures/old-duplicate-syn.json");
  const trace::TraceFacts facts(w->trace());
  const auto qs = automatic_questions(w->trace(), facts, 1);
  for (const auto& q : qs) {
    const auto* s = std::get_if<trace::SegmentSent>(&w->trace().records()[q.record].body);
    CHECK((s == nullptr || !s->injected));
  }
}

TEST_CASE("A scenario's own questions make the quiz, each at its record, in record order", "[quiz]") {
  const auto w = run_file("loss/lost-final-ack.json");
  const trace::TraceFacts facts(w->trace());
  const Quiz quiz = make_quiz(*w, facts);
  CHECK(quiz.from_teacher);
  CHECK(quiz.warnings.empty());
  REQUIRE(quiz.questions.size() == 3);
  const auto& records = w->trace().records();
  const auto& q0 = quiz.questions[0];
  CHECK(q0.pointer == "/questions/0");
  CHECK(q0.kind == QuizQuestion::Kind::Teacher);
  CHECK(q0.answer == 1);
  const auto* fin = std::get_if<trace::SegmentSent>(&records[q0.record].body);
  REQUIRE(fin != nullptr);
  CHECK(fin->retransmission);
  CHECK(fin->seg.flags.fin);
  CHECK(quiz.questions[1].record > q0.record);
  CHECK(quiz.questions[2].record > quiz.questions[1].record);
  CHECK(quiz.at(q0.record) == &quiz.questions[0]);
  CHECK(quiz.at(q0.record + 1) == nullptr);
  CHECK(quiz.next(q0.record + 1) == &quiz.questions[1]);
  CHECK(quiz.next(quiz.questions[2].record + 1) == nullptr);
  CHECK(quiz.next(0) == &quiz.questions[0]);
}

TEST_CASE("A teacher question the run never reaches, or asked where another is, is a warning naming it", "[quiz]") {
  LoadResult r = load(R"({"name": "w",
  "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["client", "server"], "delay": "10ms"}],
  "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
           {"host": "client", "steps": [{"at": "0s", "do": "connect", "to": "server:80"}]}],
  "questions": [
    {"before": {"sends": {"from": "client", "flags": "SYN"}}, "ask": "a?", "choices": ["x", "y"], "answer": 1},
    {"before": {"sends": {"from": "server", "flags": "RST"}}, "ask": "b?", "choices": ["x", "y"], "answer": 1},
    {"before": {"sends": {"from": "client", "flags": "SYN"}}, "ask": "c?", "choices": ["x", "y"], "answer": 2}]})");
  INFO(report(r));
  REQUIRE(r.ok());
  World w(std::move(*r.scenario));
  w.run();
  const trace::TraceFacts facts(w.trace());
  const Quiz quiz = make_quiz(w, facts);
  REQUIRE(quiz.questions.size() == 1);
  CHECK(quiz.questions[0].ask == "a?");
  REQUIRE(quiz.warnings.size() == 2);
  CHECK_THAT(quiz.warnings[0], Catch::StartsWith("/questions/1/before: the segment server -> * RST never happens"));
  CHECK_THAT(quiz.warnings[1], Catch::StartsWith("/questions/2/before: record "));
  CHECK_THAT(quiz.warnings[1], Catch::Contains("where /questions/0 is asked already"));
}

TEST_CASE("A revealed record reads as the views label it, with the rule the trace names", "[quiz]") {
  const auto w = run_file("loss/lost-final-ack.json");
  const trace::TraceFacts facts(w->trace());
  const Quiz quiz = make_quiz(*w, facts);
  const Revealed fin = reveal(w->trace(), facts, quiz.questions[0].record);
  CHECK(fin.what == "B → A: FIN,ACK seq=1 ack=2 (retransmission)");
  const auto& sent = std::get<trace::SegmentSent>(w->trace().records()[quiz.questions[0].record].body);
  CHECK(!fin.rule.empty());
  CHECK(fin.rule == std::string(sent.cause));
  const Revealed closed = reveal(w->trace(), facts, quiz.questions[2].record);
  CHECK(closed.what == "B:80 LAST-ACK → CLOSED");
  CHECK(!closed.rule.empty());
  CHECK(reveal(w->trace(), facts, w->trace().records().size()).what.empty());
}
