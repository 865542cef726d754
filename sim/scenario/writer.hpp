// Scenario -> JSON text in the format of scenarios/README.md, the loader's inverse: a scenario
// edited in the GUI (what-if: links, fault rules, profile and TCP parameters) can be saved and
// loaded back.
//
// The output loads back to the same Scenario (load_string(write_scenario(s)) == s field by
// field) and runs to the same trace. Defaults are left out where the loader supplies them; link
// parameters are written once when both directions agree, else as a_to_b / b_to_a.
#pragma once

#include <string>

#include "sim/scenario/scenario.hpp"

namespace tcpsim::scenario {

// The scenario as pretty-printed JSON (two-space indent, trailing newline). The expectations
// are not rebuilt from their structs: `expect_json`, the "expect" value of the file the scenario
// came from (expect_block()), is copied as it is; empty: no "expect" block.
std::string write_scenario(const Scenario& s, const std::string& expect_json = {});

// The "expect" value of a scenario file's text as compact JSON, or "" when it has none or the
// text is not JSON.
std::string expect_block(const std::string& file_text);

}  // namespace tcpsim::scenario
