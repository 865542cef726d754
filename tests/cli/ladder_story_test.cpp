// What a student reads in `tcpsim run`'s ladder on the bundled lessons: the numbers on the
// arrows, which arrow is a retransmission, the window where it changed, the rule behind a reply
// and a timer restart, and one numbering shared with the trace.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/cli/cli_support.hpp"

using cli_support::cli;
using cli_support::scenario;

namespace {
// The ladder's lines that draw an arrow (a segment sent or copied).
std::vector<std::string> arrows(const std::string& out) {
  std::vector<std::string> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.find("--") != std::string::npos && line.find('|') != std::string::npos) v.push_back(line);
  return v;
}
bool any_line(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "") {
  for (const auto& l : lines)
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("Figure 8 on the ladder: the old SYN starred and absolute, the ACK of it visibly wrong", "[cli][ladder][numbering]") {
  const auto r = cli({"run", "--color", "never", scenario("rfc9293-figures/old-duplicate-syn.json")});
  REQUIRE(r.code == 0);
  const auto a = arrows(r.out);
  INFO(r.out);
  CHECK(any_line(a, "* ", " SYN seq=90 "));  // injected: starred, its own number
  CHECK(any_line(a, "SYN,ACK seq=0 ack=91(abs)"));
  CHECK(any_line(a, " RST seq=91(abs) "));
  CHECK(any_line(a, " SYN,ACK seq=0 ack=1 "));  // B's new ISN: a new incarnation, numbered from 0 again
  CHECK_FALSE(any_line(a, "rtx"));
  CHECK_THAT(r.out, Catch::Contains("* injected by the scenario"));
  // --rfc prints the figure's own absolute numbers.
  const auto rfc = cli({"run", "--rfc", scenario("rfc9293-figures/old-duplicate-syn.json")});
  CHECK_THAT(rfc.out, Catch::Contains("<SEQ=100><CTL=SYN>") && Catch::Contains("<SEQ=90><CTL=SYN>") &&
                          Catch::Contains("<ACK=91><CTL=SYN,ACK>") && Catch::Contains("<SEQ=91><CTL=RST>"));
}

TEST_CASE("The delayed stale SYN's exchange shows the acknowledgment of the stale ISN", "[cli][ladder][numbering]") {
  const auto r = cli({"run", "--color", "never", scenario("handshake/delayed-stale-syn.json")});
  REQUIRE(r.code == 0);
  const auto a = arrows(r.out);
  INFO(r.out);
  CHECK(any_line(a, "* ", " SYN seq=7000 "));
  CHECK(any_line(a, "SYN,ACK seq=0 ack=7001(abs)"));
  CHECK(any_line(a, " RST seq=7001(abs) ", "§3.10.7.1: no TCB -> RST"));  // the reply names its rule
}

TEST_CASE("Neither the crossing SYN,ACKs of a simultaneous open nor a new incarnation's SYN are called retransmissions",
          "[cli][ladder][retransmission]") {
  for (const char* f : {"rfc9293-figures/simultaneous-open.json", "linux-profile/simultaneous-open-linux.json"}) {
    const auto r = cli({"run", "--color", "never", scenario(f)});
    INFO(f << "\n" << r.out);
    REQUIRE(r.code == 0);
    CHECK_FALSE(any_line(arrows(r.out), "rtx"));
  }
  // The reconnect's SYN (a new ISN on a 4-tuple in TIME-WAIT) starts a new incarnation; its RTO
  // resend a second later is a retransmission; the challenge ACK carries the old numbers.
  const auto r = cli({"run", "--color", "never", scenario("close/syn-to-time-wait.json")});
  const auto a = arrows(r.out);
  INFO(r.out);
  CHECK_FALSE(any_line(a, "0.500000 ", "rtx"));
  CHECK(any_line(a, "0.500000 ", "-- SYN seq=0 "));  // its window shown: it differs from the last ACK's
  CHECK(any_line(a, "1.500000 ", "rtx SYN seq=0"));
  CHECK(any_line(a, "0.510000 ", "ACK seq=2 ack=1002(abs)"));
}

TEST_CASE("Zero-window persist prints win=0 and tells a window update from a duplicate ACK", "[cli][ladder][window]") {
  const auto r = cli({"run", "--color", "never", scenario("flow-control/zero-window-persist.json")});
  REQUIRE(r.code == 0);
  const auto a = arrows(r.out);
  INFO(r.out);
  CHECK(any_line(a, "ACK seq=1 ack=4097 win=0"));
  CHECK(any_line(a, "ACK seq=1 ack=4097 win=2048"));  // the update: same ACK, new window
  CHECK(any_line(a, "ACK seq=1 ack=4097 -"));          // the probes' answers: window unchanged, not repeated
  CHECK(any_line(a, "len=1024"));
  CHECK_FALSE(any_line(a, " +1024"));
}

TEST_CASE("Lost final ACK: the 2 MSL restart is on the ladder with its rule", "[cli][ladder][causes]") {
  const auto r = cli({"run", "--color", "never", scenario("loss/lost-final-ack.json")});
  REQUIRE(r.code == 0);
  INFO(r.out);
  CHECK_THAT(r.out, Catch::Contains("2MSL restart") && Catch::Contains("restart the 2 MSL timeout"));
  const auto brief = cli({"run", "--brief", scenario("loss/lost-final-ack.json")});
  CHECK_THAT(brief.out, !Catch::Contains("2MSL restart"));
}

TEST_CASE("The ladder's # is the trace record index that --trace writes and failures cite", "[cli][ladder][numbering]") {
  const auto trace = cli_support::temp_file("story-numbering.jsonl");
  const auto r = cli({"run", "--color", "never", scenario("rfc9293-figures/old-duplicate-syn.json"), "--trace", trace.string()});
  REQUIRE(r.code == 0);
  std::set<std::uint64_t> sends;
  std::istringstream in(cli_support::slurp(trace));
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["kind"] == "send") sends.insert(j["i"].get<std::uint64_t>());
  }
  std::set<std::uint64_t> drawn;
  static const std::regex kNumber(R"(^\s*(\d+)[* ] )");
  for (const auto& l : arrows(r.out)) {
    std::smatch m;
    REQUIRE(std::regex_search(l, m, kNumber));
    drawn.insert(std::stoull(m[1]));
  }
  CHECK(drawn == sends);
  CHECK_THAT(r.out, Catch::Contains("scheduler events") && Catch::Contains("trace records (#0-#"));
}

TEST_CASE("Drops are counted by what dropped them, a fault rule by its own index", "[cli][summary]") {
  const auto r = cli({"run", "-q", scenario("net/fault-rules.json")});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("3 dropped (1 by fault rule 0, 2 by bad checksum)"));
}

TEST_CASE("A receive without a limit is written as such, not with a sentinel", "[cli][trace]") {
  const auto trace = cli_support::temp_file("story-receive.jsonl");
  const auto r = cli({"run", "-q", scenario("flow-control/zero-window-persist.json"), "--trace", trace.string()});
  REQUIRE(r.code == 0);
  CHECK_THAT(cli_support::slurp(trace), !Catch::Contains("18446744073709551615"));
}

TEST_CASE("A label too long for its short lost arrow is written whole beside the diagram, never cut", "[cli][ladder]") {
  // Every SYN,ACK of the flood goes to a spoofed address and is lost half-way: its arrow has no
  // room for "SYN,ACK seq=0 ack=1001(abs) win=65535", and a cut label would hide the ACK number.
  const auto r = cli({"run", "--brief", "--color", "never", scenario("attacks/syn-flood-backlog-overflow.json")});
  REQUIRE(r.code == 0);
  INFO(r.out);
  CHECK(any_line(arrows(r.out), "XXX", "SYN,ACK seq=0 ack=1001(abs) win=65535, lost: no route"));
  CHECK_THAT(r.out, !Catch::Contains("~ "));
}
