// What the CLI writes, and what it refuses: outputs that fail are reported (exit 3, the path),
// numbers are read strictly, --filter cannot hang or crash, and scenario text cannot drive the
// terminal.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/kernel/printable.hpp"
#include "tests/cli/cli_support.hpp"

namespace fs = std::filesystem;
using cli_support::cli;
using cli_support::scenario;
using cli_support::temp_file;

namespace {

// A valid two-host scenario whose description, host name... carry `text` (already JSON-escaped).
std::string hostile_scenario(const std::string& text) {
  return R"({
  "name": "hostile",
  "description": "before )" + text + R"( after",
  "hosts": [ { "name": "client", "ip": "10.0.0.1" }, { "name": "server", "ip": "10.0.0.2" } ],
  "links": [ { "between": ["client", "server"], "delay": "10ms" } ],
  "apps": [
    { "host": "server", "steps": [ { "at": "0s", "do": "listen", "port": 80 } ] },
    { "host": "client", "steps": [ { "at": "1ms", "do": "connect", "to": "server:80" } ] }
  ],
  "notes": [ { "at": "5ms", "text": "note )" + text + R"(" } ]
})";
}

}  // namespace

TEST_CASE("A trace that cannot be written ends the run with exit 3 and the path", "[cli][output]") {
  const auto r = cli({"run", "-q", scenario("rfc9293-figures/normal-close.json"), "--trace", "/dev/full"});
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Catch::Contains("--trace: cannot write \"/dev/full\""));
  // A path that cannot be opened is a usage error, found before the run.
  const auto missing = cli({"run", "-q", scenario("rfc9293-figures/normal-close.json"), "--trace", "/no/such/dir/t.jsonl"});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("No such file or directory"));
}

TEST_CASE("An SVG diagram that cannot be written ends the run with exit 3", "[cli][output]") {
  const auto r = cli({"run", "-q", scenario("rfc9293-figures/normal-close.json"), "--svg", "/dev/full"});
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Catch::Contains("--svg: cannot write \"/dev/full\""));
}

TEST_CASE("A capture that cannot be written ends the run with exit 3", "[cli][output]") {
  const auto r = cli({"run", "-q", scenario("rfc9293-figures/normal-close.json"), "--pcap", "/dev/full"});
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Catch::Contains("/dev/full"));
}

TEST_CASE("tcpsim check reports JUnit XML and --out files it cannot write, with exit 3", "[cli][output]") {
  const std::string file = scenario("rfc9293-figures/normal-close.json");
  const auto junit = cli({"check", "-q", "-j", "1", file, "--junit", "/dev/full"});
  CHECK(junit.code == 3);
  CHECK_THAT(junit.err, Catch::Contains("cannot write \"/dev/full\""));
  const auto no_dir = cli({"check", "-q", "-j", "1", file, "--junit", "/no/such/dir/junit.xml"});
  CHECK(no_dir.code == 2);
  CHECK_THAT(no_dir.err, Catch::Contains("--junit: cannot write \"/no/such/dir/junit.xml\": No such file or directory"));
  // An --out directory that cannot be made is found before anything runs.
  const auto out = cli({"check", "-j", "1", file, "--out", "/dev/full/results"});
  CHECK(out.code == 2);
  CHECK_THAT(out.err, Catch::Contains("--out: cannot create the directory \"/dev/full/results\""));
  CHECK(out.out.empty());
}

TEST_CASE("Output that cannot be printed is an error, not a silent exit 0", "[cli][output]") {
  std::ofstream full("/dev/full");
  REQUIRE(full.is_open());
  std::ostringstream err;
  const char* argv[] = {"tcpsim", "run", nullptr};
  const std::string file = scenario("rfc9293-figures/normal-close.json");
  argv[2] = file.c_str();
  const int code = tcpsim::cli::run_cli(3, argv, full, err);
  CHECK(code == 3);
  CHECK_THAT(err.str(), Catch::Contains("cannot write the output"));
}

TEST_CASE("A seed on the command line is read strictly: no sign, no wrap-around, no overflow", "[cli][usage]") {
  const std::string file = scenario("rfc9293-figures/normal-close.json");
  for (const std::string bad : {"-1", "18446744073709551616", "99999999999999999999999", "1e3", "0x10", "", " 1", "+1"}) {
    const auto r = cli({"run", "-q", file, "--seed", bad});
    INFO("--seed " << bad << ": " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("--seed") && Catch::Contains("expected an integer in [0, 18446744073709551615]"));
  }
  const auto max = cli({"run", "-q", file, "--seed", "18446744073709551615"});
  CHECK(max.code == 0);
  CHECK_THAT(max.out, Catch::Contains("ran "));
}

TEST_CASE("Counts and rates on bench and check are range-checked the same way", "[cli][usage]") {
  CHECK(cli({"check", "-j", "-1", scenario("rfc9293-figures")}).code == 2);
  CHECK(cli({"check", "-j", "0", scenario("rfc9293-figures")}).code == 2);
  CHECK(cli({"bench", "churn", "--clients", "-5"}).code == 2);
  CHECK(cli({"bench", "churn", "--loss", "nan"}).code == 2);
  CHECK(cli({"bench", "flood", "--seconds", "inf"}).code == 2);
  CHECK(cli({"bench", "flood", "--backlog", "65536"}).code == 2);
}

TEST_CASE("A check filter cannot crash or hang: nested and backtracking patterns", "[cli][usage]") {
  const std::string dir = scenario("rfc9293-figures");
  // 400 nested groups: std::regex recursed once per level and overflowed the stack.
  const std::string nested = std::string(400, '(') + "normal" + std::string(400, ')');
  const auto deep = cli({"check", "-q", "-j", "1", dir, "--filter", nested});
  CHECK(deep.code == 0);
  CHECK_THAT(deep.out, Catch::Contains("1 scenarios: 1 passed"));
  // Exponential backtracking for a backtracking matcher; linear for RE2.
  const auto backtrack = cli({"check", "-q", "-j", "1", dir, "--filter", "^(.*)*(.*)*(.*)*(.*)*(.*)*X$"});
  CHECK(backtrack.code == 2);
  CHECK_THAT(backtrack.err, Catch::Contains("no scenario files found"));
  const auto too_long = cli({"check", dir, "--filter", std::string(1001, 'a')});
  CHECK(too_long.code == 2);
  CHECK_THAT(too_long.err, Catch::Contains("at most 1000 characters, found one of 1001"));
  const auto invalid = cli({"check", dir, "--filter", "(unclosed"});
  CHECK(invalid.code == 2);
  CHECK_THAT(invalid.err, Catch::Contains("invalid regular expression"));
}

TEST_CASE("Scenario text cannot drive the terminal: escapes are printed as escapes", "[cli][terminal]") {
  const auto file = temp_file("hostile.json");
  // An OSC title change, a clear-screen, a C1 CSI and a right-to-left override.
  cli_support::write_text(file, hostile_scenario(R"(\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e)"));
  for (const std::string colour : {"never", "always"}) {
    const auto r = cli({"run", file.string(), "--color", colour});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("before \\e]0;owned\\a\\e[2J\\u{9b}31m\\u{202e} after"));
    CHECK_THAT(r.out, Catch::Contains("note \\e]0;owned\\a"));
    // No escape survives but the ladder's own colours.
    std::string rest = r.out;
    for (const std::string sgr : {"\x1b[0m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[2m"})
      for (auto at = rest.find(sgr); at != std::string::npos; at = rest.find(sgr)) rest.erase(at, sgr.size());
    CHECK(rest.find('\x1b') == std::string::npos);
    CHECK(tcpsim::sim::is_printable(rest, {.keep_newlines = true, .keep_tabs = true}));
  }
}

TEST_CASE("Errors about a binary file print its bytes as escapes", "[cli][terminal]") {
  const auto file = temp_file("binary-junk.json");
  cli_support::write_text(file, std::string("\x1b]0;t\x07\xff\xfe\x00\x9b junk", 14));
  const auto r = cli({"validate", file.string()});
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains(file.string() + ":1:1"));
  CHECK(tcpsim::sim::is_printable(r.err, {.keep_newlines = true}));
  CHECK(tcpsim::sim::is_printable(r.out, {.keep_newlines = true}));
}

TEST_CASE("A file name with control characters is printed escaped", "[cli][terminal]") {
  const auto file = temp_file("name\x1b[2J.json");
  cli_support::write_text(file, "{");
  const auto r = cli({"validate", file.string()});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("name\\e[2J.json"));
  CHECK(r.err.find('\x1b') == std::string::npos);
}

TEST_CASE("Reports stay valid JSON when file names and contents are not UTF-8", "[cli][terminal]") {
  const auto dir = temp_file("not-utf8");
  fs::create_directories(dir);
  cli_support::write_text(dir / "binary\xff.json", std::string("\xff\xfe\x1b]0;t\x07 junk"));
  cli_support::write_text(dir / "bad-string.json", "{\"name\": \"a\xff\"}");
  const auto out = temp_file("not-utf8-out");
  const auto r = cli({"check", "-j", "1", dir.string(), "--out", out.string(), "--junit", (out / "junit.xml").string()});
  INFO(r.out << r.err);
  CHECK(r.code == 2);  // two invalid files; nothing internal
  CHECK_THAT(r.out, Catch::Contains("2 invalid"));
  const auto summary = nlohmann::json::parse(cli_support::slurp(out / "summary.json"));
  CHECK(summary["invalid"] == 2);
  for (const auto& c : summary["results"])
    for (const auto& f : c["failures"]) CHECK(tcpsim::sim::is_printable(f.get<std::string>()));
}
