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

// ---- nesting -------------------------------------------------------------------------------

TEST_CASE("Arrays nested more than 64 deep are a syntax error at the first one too deep", "[loader][syntax]") {
  // The top-level object is level 1, so "hosts" holds 63 levels at most.
  const std::string ok = R"({"name": "t", "hosts": )" + std::string(63, '[') + std::string(63, ']') + "}";
  const Diagnostic shallow = only_error(load(ok));
  CHECK_THAT(shallow.message, Catch::Contains("expected a host object"));
  const std::string deep = R"({"name": "t", "description": "[[[[", "hosts": )" + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  const Diagnostic d = only_error(load(deep));
  INFO(d.to_string());
  CHECK(d.line == 1);
  CHECK(d.column == static_cast<int>(deep.find("[[[[[") + 64));
  CHECK_THAT(d.message, Catch::StartsWith("invalid JSON: arrays and objects are nested more than 64 levels deep"));
}

// ---- group names and clashes --------------------------------------------------------------

namespace {
// A group; `name` is written as is (JSON text).
std::string group(std::string_view name, int count, std::string_view ip, std::string_view to = "server") {
  return R"({"name": )" + std::string(name) + R"(, "count": )" + std::to_string(count) + R"(, "ip": ")" +
         std::string(ip) + R"(", "link": {"to": ")" + std::string(to) + R"("}})";
}
std::string groups(const std::string& list) { return scenario_with(R"(, "groups": [)" + list + "]"); }
}  // namespace

TEST_CASE("A group name follows the host name rule", "[loader][groups]") {
  SECTION("empty") {
    const std::string text = groups(group(R"("")", 2, "10.1.0.1"));
    check_error(only_error(load(text)), where(text, "\"\""), "/groups/0/name", "expected a non-empty string");
  }
  SECTION("with a space") {
    const std::string text = groups(group(R"("a b")", 2, "10.1.0.1"));
    check_error(only_error(load(text)), where(text, "\"a b\""), "/groups/0/name", "a space at position 2 is not allowed");
  }
  SECTION("with an escape character") {
    const std::string text = groups(group(R"("c\u001b[31m")", 2, "10.1.0.1"));
    check_error(only_error(load(text)), where(text, "\"c\\u"), "/groups/0/name", "at position 2 is not allowed");
  }
  SECTION("10,000 characters long") {
    const std::string text = groups(group("\"" + std::string(10000, 'c') + "\"", 2, "10.1.0.1"));
    check_error(only_error(load(text)), where(text, "\"ccc"), "/groups/0/name",
                "expected a node name of at most 64 characters, found one of 10000");
  }
  SECTION("not a string") {
    const std::string text = groups(group("7", 2, "10.1.0.1"));
    check_error(only_error(load(text)), where(text, "7,"), "/groups/0/name", "expected a non-empty string, found number 7");
  }
}

TEST_CASE("An empty group name no longer skips the address check", "[loader][groups]") {
  // 10.0.0.1 is the client's: both the name and the address are reported.
  const std::string text = groups(group(R"("")", 2, "10.0.0.1"));
  const LoadResult r = load(text);
  INFO(report(r));
  REQUIRE(r.errors.size() == 2);
  check_error(r.errors[0], where(text, "\"\""), "/groups/0/name", "expected a non-empty string");
  check_error(r.errors[1], where(text, "\"10.0.0.1\"", "groups"), "/groups/0/ip",
              "include 10.0.0.1 of node \"client\" at /hosts/0");
}

TEST_CASE("Two groups with the same name clash, naming both groups", "[loader][groups]") {
  const std::string text = groups(group(R"("c")", 2, "10.1.0.1") + ", " + group(R"("c")", 2, "10.2.0.1"));
  check_error(only_error(load(text)), where(text, "\"c\"", "10.1.0.1"), "/groups/1/name",
              "member \"c1\" of group \"c\" is also a member of group \"c\" at /groups/0 (line 1, column ");
}

TEST_CASE("Group c of 11 members and group c1 share the member c11", "[loader][groups]") {
  const std::string text = groups(group(R"("c")", 11, "10.1.0.1") + ", " + group(R"("c1")", 1, "10.2.0.1"));
  check_error(only_error(load(text)), where(text, "\"c1\""), "/groups/1/name",
              "member \"c11\" of group \"c1\" is also a member of group \"c\" at /groups/0");
  // In the other order the later group is blamed, for the same member.
  const std::string swapped = groups(group(R"("c1")", 1, "10.2.0.1") + ", " + group(R"("c")", 11, "10.1.0.1"));
  check_error(only_error(load(swapped)), where(swapped, "\"c\""), "/groups/1/name",
              "member \"c11\" of group \"c\" is also a member of group \"c1\" at /groups/0");
}

TEST_CASE("Groups whose member names only look alike load and build", "[loader][groups][world]") {
  // c1..c10 and c11: no name in common. d1..d5 and d-1..: different prefixes.
  const Scenario s = loaded(load(groups(group(R"("c")", 10, "10.1.0.1") + ", " + group(R"("c1")", 1, "10.2.0.1") +
                                        ", " + group(R"("d")", 5, "10.3.0.1") + ", " + group(R"("d-")", 5, "10.4.0.1"))));
  CHECK(s.groups.size() == 4);
  build_and_run(s);
}

TEST_CASE("A group member named like a host or a router is an error naming both", "[loader][groups]") {
  const std::string hosts = R"({"name": "t", "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "c3", "ip": "10.0.0.3"}],
    "routers": [{"name": "r7", "ip": "10.0.0.254"}], "groups": [)";
  const std::string t1 = hosts + group(R"("c")", 5, "10.1.0.1", "client") + "]}";
  check_error(only_error(load(t1)), where(t1, "\"c\""), "/groups/0/name",
              "member \"c3\" of group \"c\" would clash with the host \"c3\" at /hosts/1 (line 1, column ");
  const std::string t2 = hosts + group(R"("r")", 9, "10.1.0.1", "client") + "]}";
  check_error(only_error(load(t2)), where(t2, "\"r\""), "/groups/0/name",
              "member \"r7\" of group \"r\" would clash with the router \"r7\" at /routers/0");
}

TEST_CASE("Group addresses that overlap a host's or another group's are errors naming both", "[loader][groups]") {
  const std::string t1 = groups(group(R"("c")", 5, "10.0.0.2"));
  check_error(only_error(load(t1)), where(t1, "\"10.0.0.2\"", "groups"), "/groups/0/ip",
              "the group's addresses 10.0.0.2 .. 10.0.0.6 include 10.0.0.2 of node \"server\" at /hosts/1 (line 1, column ");
  const std::string t2 = groups(group(R"("c")", 100, "10.1.0.1") + ", " + group(R"("d")", 10, "10.1.0.95"));
  check_error(only_error(load(t2)), where(t2, "\"10.1.0.95\""), "/groups/1/ip",
              "the group's addresses 10.1.0.95 .. 10.1.0.104 overlap those of group \"c\" at /groups/0 (line 1, column ");
}

TEST_CASE("Every clash the world would throw on is a load error instead", "[loader][groups][world]") {
  // Each of these passed the loader once, and World::World threw invalid_argument.
  const std::string cases[] = {
      groups(group(R"("c")", 11, "10.1.0.1") + ", " + group(R"("c1")", 1, "10.2.0.1")),
      groups(group(R"("c")", 2, "10.1.0.1") + ", " + group(R"("c")", 2, "10.2.0.1")),
      groups(group(R"("c")", 2, "10.1.0.1") + ", " + group(R"("d")", 2, "10.1.0.2")),
      groups(group(R"("")", 2, "10.0.0.1")),
      groups(group(R"("clien")", 2, "10.0.0.1")),
  };
  for (const std::string& text : cases) {
    INFO(text);
    const LoadResult r = load(text);
    CHECK_FALSE(r.ok());
    for (const Diagnostic& d : r.errors) CHECK(d.line > 0);
  }
}

TEST_CASE("Among many groups, the one that shares names or addresses with a new group is found", "[loader][groups]") {
  // 200 groups g1x, g2x, ... of 10 members at 10.1.0.0 + 10 i; then one overlapping the 100th
  // group's addresses, one whose members are also members of group "c", and one fine.
  std::string list;
  for (int i = 1; i <= 200; ++i)
    list += group("\"g" + std::to_string(i) + "x\"", 10, "10.1." + std::to_string(i * 10 / 256) + "." +
                                                         std::to_string(i * 10 % 256)) + ", ";
  list += group(R"("c")", 200, "10.3.0.1") + ", ";
  list += group(R"("late")", 3, "10.1.3.238") + ", ";  // 1006 .. 1008 past 10.1.0.0; g100x has 1000 .. 1009
  list += group(R"("c12")", 1, "10.4.0.1") + ", ";      // c121 is also a member of c (c1..c200)
  list += group(R"("c201")", 5, "10.5.0.1");            // c2011 ..: c has no member that long
  const std::string text = groups(list);
  const LoadResult r = load(text);
  INFO(report(r));
  REQUIRE(r.errors.size() == 2);
  check_error(r.errors[0], where(text, "\"10.1.3.238\""), "/groups/201/ip",
              "the group's addresses 10.1.3.238 .. 10.1.3.240 overlap those of group \"g100x\" at /groups/99");
  check_error(r.errors[1], where(text, "\"c12\""), "/groups/202/name",
              "member \"c121\" of group \"c12\" is also a member of group \"c\" at /groups/200");
}

TEST_CASE("Thousands of unknown node names are all reported, the first with a suggestion", "[loader][errors]") {
  // Suggesting compares with every node name; past a budget the loader stops suggesting rather
  // than take minutes.
  std::string hosts, links;
  for (int i = 1; i <= 3000; ++i)
    hosts += (i > 1 ? ", " : "") + std::string(R"({"name": "h)") + std::to_string(i) + R"(", "ip": "10.)" +
             std::to_string(i / 256) + "." + std::to_string(i % 256) + R"(.1"})";
  for (int i = 1; i <= 2000; ++i)
    links += (i > 1 ? ", " : "") + std::string(R"({"between": ["h1", "q)") + std::to_string(i + 1) + R"("]})";
  const LoadResult r = load(R"({"name": "t", "hosts": [)" + hosts + R"(], "links": [)" + links + "]}");
  REQUIRE(r.errors.size() == kMaxErrors + 1);
  CHECK_THAT(r.errors[0].message, Catch::Contains("unknown node \"q2\"; did you mean \"h2\"?"));
  CHECK(r.errors.back().message == "... and " + std::to_string(2000 - kMaxErrors) + " more errors");
}

// ---- many errors ----------------------------------------------------------------------------

TEST_CASE("80,000 unknown hosts in one expectation are all counted, 20 shown", "[loader][errors]") {
  std::string members;
  constexpr int kKeys = 80'000;
  for (int i = 0; i < kKeys; ++i) members += (i ? ", \"h" : "\"h") + std::to_string(i) + "\": \"CLOSED\"";
  const LoadResult r = load(scenario_with(R"(, "expect": {"final": {)" + members + "}}"));
  REQUIRE(r.errors.size() == kMaxErrors + 1);
  CHECK(r.errors[0].pointer == "/expect/final/h0");
  CHECK(r.errors[0].line == 1);
  CHECK_THAT(r.errors[0].message, Catch::Contains("unknown host \"h0\""));
  CHECK(r.errors[kMaxErrors - 1].pointer == "/expect/final/h19");
  CHECK(r.errors.back().message == "... and " + std::to_string(kKeys - kMaxErrors) + " more errors");
}
