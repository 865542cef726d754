// Inputs that once broke the loader or slipped past it: a misspelt key where the loader read a
// member it had not checked for, numbers far outside 64 bits, group names and clashes that only
// the world noticed (by throwing), and error reports that grew quadratically with the file.

#include <catch2/catch.hpp>

#include <string>

#include "loader_support.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;

namespace {

// Builds the world and runs it for a second of virtual time: anything the loader accepted must
// get this far without an exception.
void build_and_run(const Scenario& s) {
  RunOptions options;
  options.until = sim::Duration::s(1);
  World world(s, options);
  world.run();
  CHECK(world.finished());
}

}  // namespace

// ---- "exact" / "contains" ---------------------------------------------------------------------

TEST_CASE("A misspelt \"exact\" in expected segments is an unknown field, not a read of a missing one", "[loader][expect]") {
  const std::string text = scenario_with(R"(, "expect": {"segments": {"exactt": []}})");
  check_error(only_error(load(text)), where(text, "\"exactt\""), "/expect/segments/exactt",
              "unknown field \"exactt\"; did you mean \"exact\"?");
}

TEST_CASE("A misspelt \"contains\" in an expected state path is an unknown field", "[loader][expect]") {
  const std::string text = scenario_with(R"(, "expect": {"states": {"client": {"contain": ["CLOSED"]}}})");
  check_error(only_error(load(text)), where(text, "\"contain\""), "/expect/states/client/contain",
              "unknown field \"contain\"; did you mean \"contains\"?");
}

TEST_CASE("Both spellings of a segment ladder and of a state path still load", "[loader][expect]") {
  const Scenario s = loaded(load(scenario_with(
      R"(, "expect": {"segments": {"contains": [{"flags": "SYN"}]}, "states": {"client": {"exact": ["CLOSED"]}}})")));
  REQUIRE(s.expect.ladders.size() == 1);
  CHECK(s.expect.ladders[0].match == Match::Contains);
  REQUIRE(s.expect.states.size() == 1);
  CHECK(s.expect.states[0].match == Match::Exact);
}

