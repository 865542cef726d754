// A scenario's "questions": loaded as strictly as the rest of the file, written back by the
// writer, and placed on the run at the record their "before" names (or reported when the run has
// no such record).

#include <catch2/catch.hpp>

#include <variant>

#include "loader_support.hpp"
#include "sim/scenario/quiz.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;

namespace {

// client -> server over 10 ms, 100 bytes and a close from each side, and `questions`.
std::string with_questions(std::string_view questions) {
  std::string s = R"({"name": "q", "tcp": {"msl": "1s"},
  "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["client", "server"], "delay": "10ms"}],
  "apps": [
    {"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
    {"host": "client", "steps": [{"at": "0s", "do": "connect", "to": "server:80", "local_port": 40000},
                                 {"on": "connected", "do": "send", "bytes": 100}, {"do": "close"}]}],
  "questions": )";
  s += questions;
  s += "}";
  return s;
}

const char* kFinQuestion = R"([
  {"before": {"sends": {"from": "server", "flags": "FIN,ACK"}},
   "ask": "What does the server send now?",
   "choices": ["RST", "FIN,ACK", "SYN"],
   "answer": 2,
   "explain": "RFC 9293 section 3.10.4: CLOSE in CLOSE-WAIT queues a FIN."}])";

}  // namespace

TEST_CASE("A question is read with its event, its choices and its answer counted from 1", "[questions]") {
  const Scenario s = loaded(load(with_questions(kFinQuestion)));
  REQUIRE(s.questions.size() == 1);
  const Question& q = s.questions[0];
  CHECK(q.pointer == "/questions/0");
  CHECK(q.ask == "What does the server send now?");
  CHECK(q.choices == std::vector<std::string>{"RST", "FIN,ACK", "SYN"});
  CHECK(q.answer == 1);
  CHECK(q.explain == "RFC 9293 section 3.10.4: CLOSE in CLOSE-WAIT queues a FIN.");
  REQUIRE(q.event.has_value());
  REQUIRE(q.event->sends.has_value());
  CHECK(q.event->sends->from == "server");
  CHECK(q.event->nth == 1);
  CHECK_FALSE(q.record.has_value());
}

TEST_CASE("A question may be placed before a record index or a state an endpoint enters", "[questions]") {
  const Scenario s = loaded(load(with_questions(R"([
    {"before": {"record": 3}, "ask": "a?", "choices": ["x", "y"], "answer": 1},
    {"before": {"endpoint": "client", "enters": "TIME_WAIT", "nth": 1}, "ask": "b?", "choices": ["x", "y"], "answer": 2}])")));
  REQUIRE(s.questions.size() == 2);
  CHECK(s.questions[0].record == 3u);
  CHECK(s.questions[0].explain.empty());
  REQUIRE(s.questions[1].event.has_value());
  CHECK(s.questions[1].event->enters == "TIME_WAIT");
  CHECK(s.questions[1].answer == 1);
}

TEST_CASE("A question's answer that names no choice is an error at the answer", "[questions]") {
  const std::string text = with_questions(R"([{"before": {"record": 1}, "ask": "a?", "choices": ["x", "y"], "answer": 3}])");
  check_error(only_error(load(text)), where(text, "3}"), "/questions/0/answer",
              "answer 3 names no choice: there are 2 choices, numbered 1 to 2");
  const std::string zero = with_questions(R"([{"before": {"record": 1}, "ask": "a?", "choices": ["x", "y"], "answer": 0}])");
  check_error(only_error(load(zero)), where(zero, "0}", "answer"), "/questions/0/answer", "answer 0 names no choice");
}

TEST_CASE("A question's unknown field is reported at its key", "[questions]") {
  const std::string text =
      with_questions(R"([{"before": {"record": 1}, "ask": "a?", "choices": ["x", "y"], "answer": 1, "hint": "no"}])");
  check_error(only_error(load(text)), where(text, "\"hint\""), "/questions/0/hint", "unknown field \"hint\"");
}

TEST_CASE("A question needs two different non-empty choices", "[questions]") {
  const std::string one = with_questions(R"([{"before": {"record": 1}, "ask": "a?", "choices": ["x"], "answer": 1}])");
  check_error(only_error(load(one)), where(one, "[\"x\"]"), "/questions/0/choices", "expected 2 to 8 choices, found 1");
  const std::string twice = with_questions(R"([{"before": {"record": 1}, "ask": "a?", "choices": ["x", "x"], "answer": 1}])");
  check_error(only_error(load(twice)), where(twice, "\"x\"]"), "/questions/0/choices/1", "choice \"x\" is given twice");
  const std::string number = with_questions(R"([{"before": {"record": 1}, "ask": "a?", "choices": ["x", 2], "answer": 1}])");
  check_error(only_error(load(number)), where(number, "2]"), "/questions/0/choices/1",
              "expected a non-empty string, found number 2");
}

TEST_CASE("A question without ask or before is reported at its brace", "[questions]") {
  const std::string text = with_questions(R"([{"before": {"record": 1}, "choices": ["x", "y"], "answer": 1}])");
  check_error(only_error(load(text)), where(text, "{\"before\""), "/questions/0/ask", "missing required field \"ask\"");
  const std::string no_before = with_questions(R"([{"ask": "a?", "choices": ["x", "y"], "answer": 1}])");
  check_error(only_error(load(no_before)), where(no_before, "{\"ask\""), "/questions/0/before", "missing required field \"before\"");
}

TEST_CASE("A question's before uses the timing events' checks: unknown hosts and wrong types", "[questions]") {
  const std::string host =
      with_questions(R"([{"before": {"sends": {"from": "sever"}}, "ask": "a?", "choices": ["x", "y"], "answer": 1}])");
  const Diagnostic d = only_error(load(host));
  CHECK(d.pointer == "/questions/0/before/sends/from");
  CHECK_THAT(d.message, Catch::Contains("server"));
  const std::string array = with_questions(R"([{"before": [1], "ask": "a?", "choices": ["x", "y"], "answer": 1}])");
  check_error(only_error(load(array)), where(array, "[1]"), "/questions/0/before",
              "expected where the question is asked: {\"record\": N}");
  const std::string state = with_questions(
      R"([{"before": {"endpoint": "client", "enters": "WAITING"}, "ask": "a?", "choices": ["x", "y"], "answer": 1}])");
  CHECK(only_error(load(state)).pointer == "/questions/0/before/enters");
  const std::string mixed =
      with_questions(R"([{"before": {"record": 1, "nth": 2}, "ask": "a?", "choices": ["x", "y"], "answer": 1}])");
  check_error(only_error(load(mixed)), where(mixed, "\"nth\""), "/questions/0/before/nth", "unknown field \"nth\"");
}

TEST_CASE("Questions that are not an array are rejected", "[questions]") {
  const std::string text = with_questions(R"({"ask": "a?"})");
  check_error(only_error(load(text)), where(text, "{\"ask\""), "/questions", "expected an array of questions");
}

TEST_CASE("The writer keeps the questions: written and loaded back they are the same", "[questions][writer]") {
  const Scenario a = loaded(load(with_questions(R"([
    {"before": {"sends": {"from": "server", "flags": "FIN,ACK"}, "nth": 1}, "ask": "a?", "choices": ["x", "y", "z"],
     "answer": 3, "explain": "because"},
    {"before": {"record": 4}, "ask": "b?", "choices": ["p", "q"], "answer": 1}])")));
  const std::string text = write_scenario(a);
  const Scenario b = loaded(load_string(text, "written.json"));
  REQUIRE(b.questions.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO(text);
    CHECK(b.questions[i].ask == a.questions[i].ask);
    CHECK(b.questions[i].choices == a.questions[i].choices);
    CHECK(b.questions[i].answer == a.questions[i].answer);
    CHECK(b.questions[i].explain == a.questions[i].explain);
    CHECK(b.questions[i].before_json == a.questions[i].before_json);
    CHECK(b.questions[i].record == a.questions[i].record);
  }
  CHECK(b.questions[0].answer == 2);
  CHECK(b.questions[0].event->sends->flags == a.questions[0].event->sends->flags);
  CHECK(write_scenario(b) == text);
}

TEST_CASE("A question is placed at the record of its event, and the check says when the run has none", "[questions]") {
  LoadResult r = load(with_questions(R"([
    {"before": {"sends": {"from": "server", "flags": "FIN,ACK"}}, "ask": "a?", "choices": ["x", "y"], "answer": 1},
    {"before": {"endpoint": "client", "enters": "TIME-WAIT"}, "ask": "b?", "choices": ["x", "y"], "answer": 1},
    {"before": {"sends": {"from": "server", "flags": "RST"}}, "ask": "c?", "choices": ["x", "y"], "answer": 1},
    {"before": {"record": 100000}, "ask": "d?", "choices": ["x", "y"], "answer": 1}])"));
  INFO(report(r));
  REQUIRE(r.ok());
  World w(std::move(*r.scenario));
  w.run();
  const auto places = place_questions(w);
  REQUIRE(places.size() == 4);
  const auto& records = w.trace().records();
  REQUIRE(places[0].record.has_value());
  const auto* fin = std::get_if<trace::SegmentSent>(&records[*places[0].record].body);
  REQUIRE(fin != nullptr);
  CHECK(w.trace().node_name(fin->node) == "server");
  CHECK(fin->seg.flags.fin);
  REQUIRE(places[1].record.has_value());
  const auto* tw = std::get_if<trace::StateChanged>(&records[*places[1].record].body);
  REQUIRE(tw != nullptr);
  CHECK(tw->to == "TIME_WAIT");
  CHECK_FALSE(places[2].record.has_value());
  CHECK_THAT(places[2].problem, Catch::Contains("server -> * RST never happens in this run"));
  CHECK_FALSE(places[3].record.has_value());
  CHECK_THAT(places[3].problem, Catch::Contains("record 100000 is past the end of the run"));

  const Verdict v = check(w);
  REQUIRE(v.failures.size() == 2);
  CHECK(v.failures[0].pointer == "/questions/2/before");
  CHECK(v.failures[1].pointer == "/questions/3/before");
}
