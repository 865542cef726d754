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

// ---- integers out of every range ----------------------------------------------------------

TEST_CASE("A seed far outside 64 bits is a range error at the number, whatever its sign", "[loader][numbers]") {
  const char* numbers[] = {"1e300", "-1e300", "1e19", "-1e19", "18446744073709551616", "9.3e18", "-9.3e18",
                           "1.7976931348623157e308", "-1.7976931348623157e308", "4.9e-324", "-0.0"};
  for (const char* number : numbers) {
    const std::string text = R"({"name": "t", "seed": )" + std::string(number) +
                             R"(, "hosts": [{"name": "a", "ip": "10.0.0.1"}]})";
    INFO(number);
    check_error(only_error(load(text)), where(text, number), "/seed",
                "expected an integer in [0, 18446744073709551615], found " + std::string(number));
  }
}

TEST_CASE("A number too large for a double is a syntax error with its position", "[loader][numbers]") {
  const std::string text = R"({"name": "t", "seed": 1e400, "hosts": [{"name": "a", "ip": "10.0.0.1"}]})";
  const Diagnostic d = only_error(load(text));
  INFO(d.to_string());
  CHECK(d.line == 1);
  CHECK(d.column == where(text, "1e400").column);
}

TEST_CASE("A group count of 1e300 is a range error, not an overflowing conversion", "[loader][numbers][groups]") {
  const std::string text =
      scenario_with(R"(, "groups": [{"name": "c", "count": 1e300, "ip": "10.1.0.1", "link": {"to": "server"}}])");
  check_error(only_error(load(text)), where(text, "1e300"), "/groups/0/count",
              "expected an integer in [1, 10000000], found 1e300");
}

