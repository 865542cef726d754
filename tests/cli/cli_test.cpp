#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/app.hpp"
#include "sim/scenario/fingerprint.hpp"

namespace fs = std::filesystem;
using tcpsim::cli::run_cli;

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result cli(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpsim");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

std::string scenario(const std::string& rel) { return std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + rel; }

fs::path temp_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "tcpsim-cli-test";
  fs::create_directories(dir);
  return dir / name;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<nlohmann::json> read_jsonl(const fs::path& p) {
  std::vector<nlohmann::json> v;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) v.push_back(nlohmann::json::parse(line));
  return v;
}

}  // namespace

TEST_CASE("tcpsim run prints the ladder and accounts for every segment of the two-hop demo", "[cli]") {
  const auto trace = temp_file("two-hop.jsonl");
  const auto r = cli({"run", scenario("net/two-hop-lossy.json"), "--trace", trace.string()});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("client") && Catch::Contains("server") && Catch::Contains("SYN seq=1000"));  // injected: absolute
  CHECK_THAT(r.out, Catch::Contains("XXX"));                        // at least one lost segment drawn
  CHECK_THAT(r.out, Catch::Contains("lost: fault rule 0"));         // the scripted ACK drop
  CHECK_THAT(r.out, Catch::Contains("lost: no route"));             // the unowned address
  CHECK_THAT(r.out, Catch::Contains("spoofed src 10.9.9.9"));
  CHECK_THAT(r.out, Catch::Contains("segments: 15 sent (15 injected)"));

  // Every segment id is sent (or copied) once and then delivered or dropped at most once.
  std::map<std::uint64_t, int> born, fates;
  std::uint64_t sent = 0, dup = 0, delivered = 0, dropped = 0;
  for (const auto& j : read_jsonl(trace)) {
    const auto kind = j["kind"].get<std::string>();
    if (kind == "send") ++born[j["seg"].get<std::uint64_t>()], ++sent;
    if (kind == "duplicate") ++born[j["copy"].get<std::uint64_t>()], ++dup;
    if (kind == "deliver") ++fates[j["seg"].get<std::uint64_t>()], ++delivered;
    if (kind == "drop") {
      ++fates[j["seg"].get<std::uint64_t>()], ++dropped;
      CHECK(j.contains("reason"));
    }
  }
  for (const auto& [id, n] : born) CHECK(n == 1);
  for (const auto& [id, n] : fates) {
    CHECK(n == 1);
    CHECK(born.count(id) == 1);
  }
  CHECK(sent == 15);
  CHECK(sent + dup == delivered + dropped);  // nothing is left in flight at the end of this run
  CHECK(dropped >= 2);
}

TEST_CASE("The same scenario and seed give a byte-identical trace; another seed changes the losses", "[cli][determinism]") {
  const auto a = temp_file("det-a.jsonl"), b = temp_file("det-b.jsonl"), c = temp_file("det-c.jsonl");
  REQUIRE(cli({"run", "-q", scenario("net/two-hop-lossy.json"), "--trace", a.string()}).code == 0);
  REQUIRE(cli({"run", "-q", scenario("net/two-hop-lossy.json"), "--trace", b.string()}).code == 0);
  REQUIRE(cli({"run", "-q", scenario("net/two-hop-lossy.json"), "--trace", c.string(), "--seed", "8"}).code == 0);
  CHECK(slurp(a) == slurp(b));
  CHECK(slurp(a) != slurp(c));
}

TEST_CASE("Stopping a run early with --until leaves segments in flight", "[cli]") {
  // The SYN,ACK leaves the server at 30 ms and needs at least 15 ms to reach the client.
  const auto r = cli({"run", "-q", scenario("net/two-hop-lossy.json"), "--until", "35ms"});
  REQUIRE(r.code == 1);  // the scenario's expectations count the segments of the whole run
  CHECK_THAT(r.out, Catch::Contains("expected segments = 15, found 2"));
  CHECK_THAT(r.out, Catch::Contains("t=0.035000"));
  CHECK_THAT(r.out, Catch::Contains("2 sent (2 injected), 1 delivered, 0 dropped, 1 in flight"));
}

TEST_CASE("A bad --until value is a usage error with exit code 2", "[cli]") {
  const auto r = cli({"run", scenario("net/two-hop-lossy.json"), "--until", "10"});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing unit"));
}

TEST_CASE("tcpsim validate accepts every bundled scenario", "[cli]") {
  std::vector<std::string> args{"validate"};
  for (const auto& e : fs::recursive_directory_iterator(std::string(TCPSIM_SOURCE_DIR) + "/scenarios"))
    if (e.path().extension() == ".json") args.push_back(e.path().string());
  REQUIRE(args.size() > 3);
  const auto r = cli(args);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
}

TEST_CASE("tcpsim validate reports a broken file with its location and exits with 2", "[cli]") {
  const auto bad = temp_file("bad.json");
  std::ofstream(bad) << "{\n  \"name\": \"x\",\n  \"hosts\": [ { \"name\": \"a\", \"ip\": \"10.0.0.300\" } ]\n}\n";
  const auto r = cli({"validate", bad.string()});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.json:3:") && Catch::Contains("/hosts/0/ip"));
  CHECK_THAT(r.out, Catch::Contains("invalid"));
}

TEST_CASE("tcpsim run on a missing file exits with 2 and names the file", "[cli]") {
  const auto r = cli({"run", "/nonexistent/scenario.json"});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("/nonexistent/scenario.json"));
}

TEST_CASE("Every subcommand has --help, which exits with 0", "[cli]") {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"}, {"run", "--help"}, {"validate", "--help"},
                                                         {"bench", "--help"}, {"bench", "kernel", "--help"}}) {
    const auto r = cli(args);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage") || Catch::Contains("usage"));
  }
  CHECK_THAT(cli({"--help"}).out, Catch::Contains("Exit codes"));
}

TEST_CASE("An unknown subcommand or option is a usage error with exit code 2", "[cli]") {
  CHECK(cli({"frobnicate"}).code == 2);
  CHECK(cli({"run", scenario("net/two-hop-lossy.json"), "--bogus"}).code == 2);
  CHECK(cli({}).code == 2);
}

TEST_CASE("tcpsim bench kernel prints the events-per-second figure", "[cli][bench]") {
  const auto r = cli({"bench", "kernel", "--pending", "1000", "--events", "20000"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("M events/s") && Catch::Contains("wheel") && Catch::Contains("radix") &&
                       Catch::Contains("heap"));
}

TEST_CASE("The ladder names the routers a delivered segment crossed", "[cli]") {
  const auto r = cli({"run", scenario("net/three-hop-route.json")});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("arrives 0.006000 via r1,r2,r3"));
  CHECK_THAT(r.out, Catch::Contains("arrives 0.016000 via r3,r2,r1"));
}

TEST_CASE("The parameter table in scenarios/README.md is what tcpsim profiles prints", "[cli][docs]") {
  const Result r = cli({"profiles", "--markdown"});
  REQUIRE(r.code == 0);
  std::ifstream in(scenario("README.md"));
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const std::string begin = "<!-- profiles:begin -->\n";
  const auto a = text.find(begin);
  const auto b = text.find("<!-- profiles:end -->");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  INFO("regenerate with: tcpsim profiles --markdown");
  CHECK(text.substr(a + begin.size(), b - a - begin.size()) == r.out);
  CHECK(r.out.find("| `msl` | `\"2min\"` | **`\"30s\"`** |") != std::string::npos);
}

namespace {

// A scenario directory with a passing, a failing and an invalid scenario.
// Each test has its own directory: CTest runs them in parallel.
fs::path check_dir(const std::string& test) {
  const fs::path dir = fs::temp_directory_path() / ("tcpsim-check-" + test);
  fs::remove_all(dir);
  fs::create_directories(dir / "b");
  const std::string base = R"({"name": "NAME", "tcp": {"msl": "1s"},
  "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["client", "server"], "delay": "10ms"}],
  "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
           {"host": "client", "steps": [{"at": "0s", "do": "connect", "to": "server:80"}, {"do": "close", "after": "50ms"}]}],
  "expect": {"final": {"client": "STATE"}}})";
  auto write = [&](const fs::path& p, const std::string& name, const std::string& state) {
    std::string t = base;
    t.replace(t.find("NAME"), 4, name);
    t.replace(t.find("STATE"), 5, state);
    std::ofstream(p) << t;
  };
  write(dir / "a-pass.json", "a-pass", "CLOSED");
  write(dir / "b" / "c-fail.json", "c-fail", "LISTEN");
  std::ofstream(dir / "b" / "d-invalid.json") << R"({"name": "d", "hosts": [{"name": "x", "ip": "10.0.0.300"}]})";
  return dir;
}

}  // namespace

TEST_CASE("tcpsim check gives one line per scenario in path order, the failures, and a summary", "[cli][check]") {
  const fs::path dir = check_dir("order");
  const Result r = cli({"check", "-j", "3", dir.string()});
  INFO(r.out << r.err);
  CHECK(r.code == 2);  // an invalid scenario is bad input
  const auto a = r.out.find("PASS    a-pass");
  const auto c = r.out.find("FAIL    b/c-fail");
  const auto d = r.out.find("INVALID b/d-invalid");
  REQUIRE(a != std::string::npos);
  REQUIRE(c != std::string::npos);
  REQUIRE(d != std::string::npos);
  CHECK(a < c);
  CHECK(c < d);
  CHECK(r.out.find("/expect/final/client: client: expected final state LISTEN, found CLOSED") != std::string::npos);
  CHECK(r.out.find("octet 300 is greater than 255") != std::string::npos);
  CHECK(r.out.find("--- ladder of b/c-fail ---") != std::string::npos);
  CHECK(r.out.find("3 scenarios: 1 passed, 1 failed, 1 invalid") != std::string::npos);
}

TEST_CASE("tcpsim check exits 1 when an expectation fails and 0 when all pass", "[cli][check]") {
  const fs::path dir = check_dir("exit");
  CHECK(cli({"check", (dir / "b" / "c-fail.json").string()}).code == 1);
  CHECK(cli({"check", (dir / "a-pass.json").string()}).code == 0);
  CHECK(cli({"check", "--filter", "^a-", dir.string()}).code == 0);
  CHECK(cli({"check", (dir / "nowhere").string()}).code == 2);
}

TEST_CASE("Results of tcpsim check do not depend on the number of jobs", "[cli][check]") {
  const fs::path dir = check_dir("jobs");
  auto strip_times = [](std::string s) {
    return std::regex_replace(s, std::regex("[0-9]+\\.[0-9]+ s"), "T");
  };
  const Result one = cli({"check", "-j", "1", dir.string()});
  const Result four = cli({"check", "-j", "4", dir.string()});
  const std::string a = strip_times(one.out), b = strip_times(four.out);
  CHECK(a.substr(0, a.rfind(" jobs)")) == b.substr(0, b.rfind(" jobs)") - 1) + "1");
}

TEST_CASE("tcpsim check writes JUnit XML and a results directory", "[cli][check]") {
  const fs::path dir = check_dir("junit");
  const fs::path out = dir / "out";
  cli({"check", "--junit", (out / "junit.xml").string(), "--out", out.string(), dir.string()});
  std::ifstream junit(out / "junit.xml");
  std::stringstream x;
  x << junit.rdbuf();
  CHECK(x.str().find("<testsuite name=\"tcpsim\" tests=\"3\" failures=\"1\" errors=\"1\"") != std::string::npos);
  CHECK(x.str().find("<testcase classname=\"scenarios.b\" name=\"b/c-fail\"") != std::string::npos);
  CHECK(x.str().find("<failure message=\"/expect/final/client: client: expected final state LISTEN") != std::string::npos);
  CHECK(fs::exists(out / "a-pass" / "trace.jsonl"));
  CHECK(fs::exists(out / "b" / "c-fail" / "ladder.txt"));
  const auto summary = nlohmann::json::parse(std::ifstream(out / "summary.json"));
  CHECK(summary["scenarios"] == 3);
  CHECK(summary["passed"] == 1);
  CHECK(summary["results"][1]["verdict"] == "FAIL");
  const std::string html = slurp(out / "index.html");
  // What did not pass comes first, however the ids sort.
  const std::size_t fail_row = html.find("<span class=\"badge FAIL\">FAIL</span></span><span class=\"id\" title=\"b/c-fail\">");
  const std::size_t pass_row = html.find("<span class=\"badge PASS\">PASS</span></span><span class=\"id\" title=\"a-pass\">");
  REQUIRE(fail_row != std::string::npos);
  REQUIRE(pass_row != std::string::npos);
  CHECK(fail_row < pass_row);
  CHECK(html.find("expected final state LISTEN") != std::string::npos);
  CHECK(html.find("<a href=\"a-pass/trace.jsonl\">trace.jsonl</a>") != std::string::npos);
  CHECK(fs::exists(out / "a-pass" / "diagram.svg"));
  CHECK(html.find("<img loading=\"lazy\" src=\"a-pass/diagram.svg\"") != std::string::npos);
  CHECK(html.find("<a href=\"a-pass/capture.pcap\">capture.pcap</a>") != std::string::npos);
}

TEST_CASE("check --bless records a fingerprint; a changed exchange then fails naming the first differing line", "[cli][check]") {
  const fs::path dir = check_dir("bless");
  const fs::path file = dir / "a-pass.json";
  const Result bless = cli({"check", "--bless", file.string()});
  INFO(bless.out << bless.err);
  CHECK(bless.code == 0);
  CHECK(bless.out.find("fingerprint written") != std::string::npos);
  CHECK(fs::exists(dir / "a-pass.trace"));
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  CHECK(text.str().find("\"fingerprint\": \"fnv1a64:") != std::string::npos);
  CHECK(cli({"check", file.string()}).code == 0);

  // The close now comes 10 ms later: the same expectations hold, the fingerprint does not.
  std::string changed = text.str();
  changed.replace(changed.find("\"50ms\""), 6, "\"60ms\"");
  std::ofstream(file, std::ios::trunc) << changed;
  const Result r = cli({"check", file.string()});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("/fingerprint: fingerprint fnv1a64:") != std::string::npos);
  CHECK(r.out.find("first difference at line") != std::string::npos);
  CHECK(r.out.find("expected \"50000000 ") != std::string::npos);
  CHECK(r.out.find("found \"60000000 ") != std::string::npos);
}

TEST_CASE("check --bless writes only the top-level fingerprint, never a host or a text of that name", "[cli][check]") {
  const fs::path dir = fs::temp_directory_path() / "tcpsim-check-bless-names";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "named.json";
  // A host named "fingerprint" (the old rewrite replaced its "ip"), a description that quotes the
  // field, and the top-level field missing at first.
  const std::string original = R"({"name": "named", "description": "a host called \"fingerprint\": \"x\"", "tcp": {"msl": "1s"},
  "hosts": [{"name": "fingerprint", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["fingerprint", "server"], "delay": "10ms"}],
  "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
           {"host": "fingerprint", "steps": [{"at": "0s", "do": "connect", "to": "server:80"}, {"do": "close", "after": "50ms"}]}],
  "expect": {"final": {"fingerprint": "CLOSED"}}}
)";
  std::ofstream(file, std::ios::binary) << original;

  const Result first = cli({"check", "--bless", file.string()});
  INFO(first.out << first.err);
  REQUIRE(first.code == 0);
  const std::string blessed = slurp(file);
  const std::size_t at = blessed.find(",\n  \"fingerprint\": \"fnv1a64:");
  REQUIRE(at != std::string::npos);
  const std::size_t value_end = blessed.find('"', blessed.find("fnv1a64:", at)) + 1;
  // Everything but the added member is the original text.
  CHECK(blessed.substr(0, at) + blessed.substr(value_end) == original);
  CHECK(cli({"validate", file.string()}).code == 0);
  CHECK(cli({"check", file.string()}).code == 0);

  // With the field present (and wrong), blessing changes its value and nothing else.
  std::string stale = blessed;
  const std::size_t v = stale.find("fnv1a64:", at);
  stale.replace(v, 24, "fnv1a64:0000000000000000");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << stale;
  CHECK(cli({"check", file.string()}).code == 1);
  const Result second = cli({"check", "--bless", file.string()});
  INFO(second.out << second.err);
  CHECK(second.code == 0);
  CHECK(slurp(file) == blessed);
}

TEST_CASE("write_fingerprint leaves a file that does not load as it is and says why", "[cli][check]") {
  const fs::path file = temp_file("bless-invalid.json");
  const std::string text = R"({"name": "x", "hosts": [{"name": "fingerprint", "ip": "10.0.0.300"}]})";
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  std::string error;
  CHECK_FALSE(tcpsim::scenario::write_fingerprint(file, "fnv1a64:0123456789abcdef", &error));
  CHECK_THAT(error, Catch::Contains("does not load") && Catch::Contains("/hosts/0/ip"));
  CHECK(slurp(file) == text);
}

TEST_CASE("The ladder writes each new state beside its lifeline with the rule that caused it", "[cli][ladder]") {
  const auto r = cli({"run", scenario("rfc9293-figures/basic-three-way-handshake.json")});
  REQUIRE(r.code == 0);
  // The client's column is the left one: its states sit left of its lifeline.
  CHECK(r.out.find("      SYN-SENT  |") != std::string::npos);
  CHECK(r.out.find("|  SYN-RECEIVED   server:80 §3.10.7.2 third: SYN in LISTEN -> SYN-RECEIVED") != std::string::npos);
  CHECK(r.out.find("(connect)  |") != std::string::npos);
  CHECK(r.out.find("[time-wait]  |") != std::string::npos);
  const auto brief = cli({"run", "--brief", scenario("rfc9293-figures/basic-three-way-handshake.json")});
  CHECK(brief.out.find("(connect)") == std::string::npos);
  CHECK(brief.out.find("SYN-SENT") != std::string::npos);
}

TEST_CASE("With --rfc the ladder labels segments in RFC 9293 figure notation", "[cli][ladder]") {
  const auto r = cli({"run", "--rfc", scenario("rfc9293-figures/basic-three-way-handshake.json")});
  REQUIRE(r.code == 0);
  // Absolute numbers, as the figures print them (A's ISS 100, B's 300).
  CHECK(r.out.find(" <SEQ=100><CTL=SYN> ") != std::string::npos);
  CHECK(r.out.find(" <SEQ=300><ACK=101><CTL=SYN,ACK> ") != std::string::npos);
  CHECK(r.out.find(" <SEQ=101><ACK=301><DATA=100> ") != std::string::npos);
  CHECK(r.out.find(" <SEQ=201><ACK=301><CTL=FIN,ACK> ") != std::string::npos);
}

TEST_CASE("bench churn runs the workload at a small N and checks every byte arrived", "[cli][bench]") {
  const Result r = cli({"bench", "churn", "--clients", "50", "--json"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["clients"] == 50);
  CHECK(j["bytes_received"] == 50000);
  CHECK(j["correct"] == true);
  CHECK(j["segments"] == 450);  // 9 per connection: handshake, data + ACK, two FINs and their ACKs
  CHECK(j["events"].get<std::uint64_t>() > 0);
#if !defined(__SANITIZE_ADDRESS__)
  // glibc's allocator statistics; AddressSanitizer's allocator does not fill them.
  CHECK(j["heap_bytes_per_established_tcb"].get<double>() > 0);
#endif
}

TEST_CASE("bench flood: legitimate clients fail with a full SYN queue and connect with SYN cookies", "[cli][bench]") {
  const Result off = cli({"bench", "flood", "--seconds", "0.6", "--rate", "20000", "--clients", "10", "--json"});
  const Result on = cli({"bench", "flood", "--seconds", "0.6", "--rate", "20000", "--clients", "10", "--syn-cookies", "--json"});
  INFO(off.out << on.out);
  REQUIRE(off.code == 0);
  REQUIRE(on.code == 0);
  const auto a = nlohmann::json::parse(off.out);
  const auto b = nlohmann::json::parse(on.out);
  CHECK(a["spoofed_syns"].get<std::uint64_t>() > 11000);
  CHECK(a["connected"] == 0);
  CHECK(b["connected"] == 10);
}

TEST_CASE("A load test with a thousand hosts gets a note instead of a thousand-column ladder", "[cli][ladder]") {
  const auto r = cli({"run", scenario("performance/churn-1000.json")});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("(no ladder: 1001 hosts, more than the 8 a terminal can show side by side") != std::string::npos);
  CHECK(r.out.find("expectations: 7 checked, all passed") != std::string::npos);
}

TEST_CASE("tcpsim run checks a scenario's questions even when it expects nothing else", "[cli][questions]") {
  const auto file = temp_file("learn-questions-only.json");
  {
    std::ofstream out(file);
    out << R"({"name": "questions-only",
  "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["client", "server"], "delay": "10ms"}],
  "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
           {"host": "client", "steps": [{"at": "0s", "do": "connect", "to": "server:80"}]}],
  "questions": [
    {"before": {"sends": {"from": "server", "flags": "SYN,ACK"}}, "ask": "a?", "choices": ["x", "y"], "answer": 1},
    {"before": {"endpoint": "client", "enters": "TIME-WAIT"}, "ask": "b?", "choices": ["x", "y"], "answer": 1}]})";
  }
  const auto r = cli({"run", file.string()});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("expectations: 2 checked") != std::string::npos);
  CHECK(r.out.find("/questions/1/before") != std::string::npos);
  CHECK(r.out.find("client entering TIME-WAIT never happens in this run") != std::string::npos);
}
