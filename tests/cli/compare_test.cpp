// `tcpsim compare`: two runs side by side through the CLI, each source kind (scenario, another
// seed, another profile, a trace file), the exit codes and the errors for bad input.
#include <catch2/catch.hpp>

#include <sstream>

#include "tests/cli/cli_support.hpp"

using cli_support::cli;
using cli_support::scenario;

namespace {
// The lines of `text` that start with `mark` (a row mark: "! ", "< ", "> ").
std::vector<std::string> marked(const std::string& text, const std::string& mark) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(mark)) v.push_back(line);
  return v;
}
}  // namespace

TEST_CASE("A scenario compared with itself agrees and exits 0", "[cli][compare]") {
  const auto r = cli({"compare", scenario("close/three-segment-close.json"), scenario("close/three-segment-close.json")});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("the runs agree: "));
  CHECK(marked(r.out, "! ").empty());
}

TEST_CASE("Another profile: sides named by profile, differing rows marked and explained, exit 1", "[cli][compare]") {
  const auto r = cli({"compare", scenario("loss/lost-final-ack.json"), "--profile-b", "linux", "--tolerance", "1ms"});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("rfc9293: ") && Catch::Contains("(seed 1, profile linux)"));
  const auto differ = marked(r.out, "! ");
  REQUIRE(differ.size() == 8);
  // Linux acknowledges the FIN at the next 4 ms tick (ping-pong mode, delayed-ACK timeout 0), so
  // the first difference is 2 ms there; and the rfc9293 side keeps its right edge after the FIN
  // (receiver SWS avoidance), one octet less than Linux's window.
  CHECK_THAT(differ[0], Catch::Contains("0.110000") && Catch::Contains("0.112000") && Catch::Contains("ACK seq=1 ack=2"));
  CHECK_THAT(r.out, Catch::Contains("    ^ win 65534 vs 65535; time 0.110000 s vs 0.112000 s\n"));
  CHECK_THAT(r.out, Catch::Contains("first difference at t=0.110000 s: rfc9293: B sends ACK seq=1 ack=2"));
  // Both ladders on one line: the same retransmitted FIN at 1.16 s and at 0.384 s.
  CHECK_THAT(differ[4], Catch::Contains("1.160000") && Catch::Contains("0.384000") && Catch::Contains("rtx FIN,ACK seq=1 ack=2"));
  CHECK_THAT(r.out, Catch::Contains("    ^ win 65534 vs 65535; time 1.160000 s vs 0.384000 s\n"));
  CHECK_THAT(r.out, Catch::Contains("rows: 13 same, 8 differ, 0 only in rfc9293, 0 only in linux"));
}

TEST_CASE("A lost segment is drawn cut short with XX on its side", "[cli][compare]") {
  const auto r = cli({"compare", scenario("loss/lost-final-ack.json"), "--seed-b", "7"});
  INFO(r.out);
  bool lost = false;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    lost = lost || (line.find("|--XX   |") != std::string::npos && line.find("ACK seq=2 ack=2 lost") != std::string::npos);
  CHECK(lost);
  CHECK_THAT(r.out, Catch::Contains("seed 1: ") && Catch::Contains("seed 7: "));
}

TEST_CASE("A trace written by run --trace compares equal with its scenario", "[cli][compare]") {
  const auto path = cli_support::temp_file("lost-final-ack.jsonl").string();
  REQUIRE(cli({"run", "-q", "--trace", path, scenario("loss/lost-final-ack.json")}).code == 0);
  const auto r = cli({"compare", path, scenario("loss/lost-final-ack.json")});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  // --seed-b runs B again: B must be a scenario.
  const auto other = cli({"compare", scenario("loss/lost-final-ack.json"), path, "--seed-b", "1"});
  CHECK(other.code == 2);
  CHECK_THAT(other.err, Catch::Contains("--seed-b and --profile-b run a scenario again"));
}

TEST_CASE("A malformed trace file is bad input, named with its line", "[cli][compare]") {
  const auto path = cli_support::temp_file("broken.jsonl");
  cli_support::write_text(path, "{\"i\":0,\"t_ns\":0,\"kind\":\"note\",\"text\":\"hello\"}\n{\"i\":1,\"t_ns\":\"soon\"}\n");
  const auto r = cli({"compare", path.string(), scenario("loss/lost-final-ack.json")});
  CHECK(r.code == 2);
  CHECK(r.err == "tcpsim compare: " + path.string() + ":2: /t_ns: expected an integer of at least 0, found \"soon\"\n");
}

TEST_CASE("Bad usage of compare is bad input", "[cli][compare]") {
  CHECK(cli({"compare", scenario("loss/lost-final-ack.json")}).err ==
        "tcpsim compare: give B (a scenario or a .jsonl trace), or --seed-b / --profile-b to run A's scenario again\n");
  const auto tol = cli({"compare", scenario("loss/lost-final-ack.json"), "--seed-b", "2", "--tolerance", "soon"});
  CHECK(tol.code == 2);
  CHECK_THAT(tol.err, Catch::StartsWith("tcpsim compare: --tolerance: "));
  CHECK(cli({"compare", scenario("loss/lost-final-ack.json"), "--profile-b", "bsd"}).code == 2);
  const auto missing = cli({"compare", "/nonexistent.json", scenario("loss/lost-final-ack.json")});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent.json"));
}
