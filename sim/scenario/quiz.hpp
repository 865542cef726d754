// Learning mode's questions: predict the next record of a run, then see it with its rule.
//
// A question is asked at a record: the records before it are revealed, the record itself is the
// answer. A scenario's own questions ("questions", written by a teacher) are asked where their
// "before" points; a scenario without them gets automatic ones, built from the trace alone:
//  - at each segment a TCP sends: "Which segment is sent next?", the real one among distractors
//    taken from the same exchange (other flag combinations, an acknowledgment one off, the same
//    flags from the other host);
//  - at each state change: "Which state does <endpoint> enter next?", the real state among states
//    reachable from the one it leaves in RFC 9293's state diagram, then other states.
// Choices are in an order drawn from the scenario seed and the record: the same run gives the same
// questions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/trace/facts.hpp"

namespace tcpsim::scenario {

class World;

// Where one of the scenario's questions is asked: the index of the record its "before" names, or
// nullopt and `problem` ("record 40 is past the end of the run ...") when the run has none.
struct QuestionPlace {
  std::optional<std::size_t> record;
  std::string problem;
};
// One per Scenario::questions, in order (check.cpp: the same event search as "timing").
std::vector<QuestionPlace> place_questions(const World& world);

struct QuizQuestion {
  enum class Kind : std::uint8_t { Teacher, Segment, State };
  Kind kind = Kind::Teacher;
  std::size_t record = 0;  // asked when records [0, record) are revealed
  std::string ask;
  std::vector<std::string> choices;
  std::size_t answer = 0;  // index into choices
  std::string explain;     // the teacher's explanation; "" for automatic questions
  std::string pointer;     // a teacher question's JSON pointer ("/questions/0"); "" otherwise
};

struct Quiz {
  std::vector<QuizQuestion> questions;  // by record, at most one per record
  // Teacher questions that are not asked, each naming its JSON pointer and why.
  std::vector<std::string> warnings;
  bool from_teacher = false;  // the scenario's own questions (else automatic ones)

  // The question asked at `record`, or null.
  const QuizQuestion* at(std::size_t record) const;
  // The first question at `record` or later, or null.
  const QuizQuestion* next(std::size_t record) const;
};

// The scenario's questions placed on its finished run, or automatic questions when it has none.
Quiz make_quiz(const World& world, const trace::TraceFacts& facts);
// The automatic questions of a trace; `seed` orders the choices.
std::vector<QuizQuestion> automatic_questions(const trace::Trace& trace, const trace::TraceFacts& facts,
                                              std::uint64_t seed);

// A record as the student sees it once revealed: what happened ("client → server: SYN,ACK seq=0
// ack=1", "client:49152 SYN-SENT → ESTABLISHED") and the rule the trace names for it ("" if none).
struct Revealed {
  std::string what;
  std::string rule;
};
Revealed reveal(const trace::Trace& trace, const trace::TraceFacts& facts, std::size_t record);

}  // namespace tcpsim::scenario
