// Where a scenario's questions are asked: each at the record its "before" names, found with the
// same event search as the "timing" expectations.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

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

}  // namespace tcpsim::scenario
