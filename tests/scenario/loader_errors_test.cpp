// One test per kind of bad input: each checks the file name, line:column, JSON pointer and the
// words that tell the user what to fix.

#include <catch2/catch.hpp>

#include "loader_support.hpp"

using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;

// ---- JSON syntax -----------------------------------------------------------------------------

TEST_CASE("A missing comma is reported at the next member with a hint", "[loader]") {
  const auto r = load("{\n  \"name\": \"t\"\n  \"hosts\": []\n}\n");
  const Diagnostic d = only_error(r);
  check_error(d, 3, 3, "", "expected ',' or '}' after an object member, found string \"hosts\"; is a comma missing?");
  CHECK(d.to_string() ==
        "test.json:3:3: error: invalid JSON: expected ',' or '}' after an object member, found string \"hosts\"; "
        "is a comma missing?");
}

TEST_CASE("A missing comma between array elements is reported at the next element", "[loader]") {
  const auto r = load(R"({"hosts": [{"name": "a"} {"name": "b"}]})");
  check_error(only_error(r), 1, 26, "", "expected ',' or ']' after an array element, found '{'; is a comma missing?");
}

TEST_CASE("A trailing comma in an object is reported at the closing brace", "[loader]") {
  const auto r = load("{\"name\": \"t\",\n}");
  check_error(only_error(r), 2, 1, "", "JSON does not allow a trailing comma");
}

TEST_CASE("A trailing comma in an array is reported at the closing bracket", "[loader]") {
  const auto r = load(R"({"name": "t", "hosts": [{"name": "a", "ip": "10.0.0.1"},]})");
  check_error(only_error(r), 1, 57, "", "expected a value after ',', found ']'; JSON does not allow a trailing comma");
}

TEST_CASE("A misspelt literal, a comment and an unterminated string are reported where they start", "[loader]") {
  check_error(only_error(load("{\"a\": tru}")), 1, 7, "", "invalid value tru");
  check_error(only_error(load("{\"a\": 1 // note\n}")), 1, 9, "", "comments are not allowed in JSON");
  check_error(only_error(load("{\"a\": \"abc")), 1, 7, "", "missing its closing quote");
  check_error(only_error(load("{\"a\": 1e999}")), 1, 7, "", "number 1e999 is out of range");
  check_error(only_error(load("{a: 1}")), 1, 2, "", "expected a field name in double quotes, found a");
  check_error(only_error(load("{\"a\": 1} {}")), 1, 10, "", "after the end of the top-level value");
}

TEST_CASE("A file that ends early says which bracket is not closed", "[loader]") {
  check_error(only_error(load("{\"hosts\": [\n")), 2, 1, "", "the file ends before the JSON text is complete");
  check_error(only_error(load("{\"a\": 1")), 1, 8, "", "an object is not closed (expected '}')");
}

TEST_CASE("An empty file is rejected as empty", "[loader]") {
  const Diagnostic d = only_error(load(""));
  CHECK(d.line == 0);
  CHECK(d.to_string() == "test.json: error: the file is empty; expected a JSON object");
}

TEST_CASE("A file of whitespace only is rejected as empty", "[loader]") {
  const Diagnostic d = only_error(load(" \n\t\r\n  "));
  CHECK(d.file == "test.json");
  CHECK_THAT(d.message, Catch::Contains("the file is empty") && Catch::Contains("expected a JSON object"));
}

TEST_CASE("A top level that is not an object is rejected", "[loader]") {
  check_error(only_error(load("  [1, 2]")), 1, 3, "", "expected a JSON object at the top level, found an array");
}

// ---- structure -------------------------------------------------------------------------------

TEST_CASE("A missing hosts array is reported at the top-level brace", "[loader]") {
  const Diagnostic d = only_error(load("{\"name\": \"t\"}"));
  check_error(d, 1, 1, "/hosts", "missing required field \"hosts\"");
  CHECK(d.to_string().starts_with("test.json:1:1: error: /hosts: missing required field \"hosts\""));
}

TEST_CASE("A host without a name is reported at the host's brace", "[loader]") {
  const auto r = load("{\"name\": \"t\",\n \"hosts\": [{\"ip\": \"10.0.0.1\"}]}");
  check_error(only_error(r), 2, 12, "/hosts/0/name", "missing required field \"name\"");
}

TEST_CASE("A string where a number is expected names both types", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "queue": "100"}])");
  check_error(only_error(load(text)), where(text, "\"100\""), "/links/0/queue",
              "expected an integer in [1, 4294967295], found string \"100\"; write the number without quotes");
}

TEST_CASE("A boolean where a probability is expected is named a boolean", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "duplicate": true}])");
  check_error(only_error(load(text)), where(text, "true"), "/links/0/duplicate",
              "expected a probability in [0, 1], found boolean true");
}

TEST_CASE("An unknown field is reported at its key with a suggestion", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "dealy": "10ms"}])");
  const Diagnostic d = only_error(load(text));
  check_error(d, where(text, "\"dealy\""), "/links/0/dealy", "unknown field \"dealy\"; did you mean \"delay\"?");
}

TEST_CASE("An unknown field that resembles nothing lists the fields allowed", "[loader]") {
  const std::string text = scenario_with(R"(, "inject": [], "gadgets": [])");
  check_error(only_error(load(text)), where(text, "\"gadgets\""), "/gadgets", "expected \"name\", \"description\"");
}

TEST_CASE("A field name in the wrong case is suggested with the right case", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "Delay": "1ms"}])");
  check_error(only_error(load(text)), where(text, "\"Delay\""), "/links/0/Delay", "did you mean \"delay\"?");
}

TEST_CASE("A duplicate key is an error at the second key naming the first", "[loader]") {
  const std::string text = "{\"name\": \"t\",\n \"name\": \"u\", \"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\"}]}";
  check_error(only_error(load(text)), 2, 2, "/name", "duplicate field \"name\"; it is already defined at line 1, column 2");
}

TEST_CASE("A duplicate key inside a nested object is found too", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "delay": "1ms", "delay": "2ms"}])");
  check_error(only_error(load(text)), where(text, "\"delay\": \"2ms\""), "/links/0/delay", "duplicate field \"delay\"");
}

// ---- durations -------------------------------------------------------------------------------

TEST_CASE("A negative duration is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "delay": "-5ms"}])");
  check_error(only_error(load(text)), where(text, "\"-5ms\""), "/links/0/delay", "invalid duration \"-5ms\": durations cannot be negative");
}

TEST_CASE("A zero duration where more than zero is required is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "until": "0s")");
  check_error(only_error(load(text)), where(text, "\"0s\""), "/until", "expected a duration greater than 0, found \"0s\"");
}

TEST_CASE("A duration without a unit is rejected, as a string or as a number", "[loader]") {
  const std::string as_string = scenario_with(R"(, "links": [{"between": ["client", "server"], "delay": "10"}])");
  check_error(only_error(load(as_string)), where(as_string, "\"10\""), "/links/0/delay", "invalid duration \"10\": missing unit");
  const std::string as_number = scenario_with(R"(, "links": [{"between": ["client", "server"], "delay": 10}])");
  check_error(only_error(load(as_number)), where(as_number, "10}"), "/links/0/delay",
              "expected a duration string with a unit like \"10ms\", found number 10");
}

TEST_CASE("An absurd duration is rejected with the limit", "[loader]") {
  const std::string delay = scenario_with(R"(, "links": [{"between": ["client", "server"], "delay": "1000h"}])");
  check_error(only_error(load(delay)), where(delay, "\"1000h\""), "/links/0/delay", "expected a duration of at most 1h, found \"1000h\"");
  const std::string until = scenario_with(R"(, "until": "1000h")");
  check_error(only_error(load(until)), where(until, "\"1000h\""), "/until", "at most 720h (30 days)");
}

TEST_CASE("A duration with an unknown unit names the unit", "[loader]") {
  const std::string text = scenario_with(R"(, "notes": [{"at": "10 parsecs", "text": "x"}])");
  check_error(only_error(load(text)), where(text, "\"10 parsecs\""), "/notes/0/at",
              "invalid duration \"10 parsecs\": unknown unit \"parsecs\"; the units are ns, us, ms, s, min and h");
}

TEST_CASE("A jitter larger than the delay is rejected", "[loader]") {
  const std::string text =
      scenario_with(R"(, "links": [{"between": ["client", "server"], "delay": "10ms", "b_to_a": {"delay": "1ms"}, "jitter": "5ms"}])");
  check_error(only_error(load(text)), where(text, "\"1ms\""), "/links/0/b_to_a/delay",
              "the jitter (5ms) is larger than the delay (1ms) in the direction server -> client");
}

// ---- numbers ---------------------------------------------------------------------------------

TEST_CASE("A loss probability above 1 is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "loss": 1.5}])");
  check_error(only_error(load(text)), where(text, "1.5"), "/links/0/loss", "expected a probability in [0, 1], found 1.5");
}

TEST_CASE("A negative loss probability is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "server"], "a_to_b": {"loss": -0.1}}])");
  check_error(only_error(load(text)), where(text, "-0.1"), "/links/0/a_to_b/loss", "expected a probability in [0, 1], found -0.1");
}

TEST_CASE("A Gilbert-Elliott probability out of range is rejected and a missing one reported", "[loader]") {
  const std::string text =
      scenario_with(R"(, "links": [{"between": ["client", "server"], "loss": {"gilbert_elliott": {"p_good_to_bad": 2}}}])");
  const auto r = load(text);
  INFO(report(r));
  REQUIRE(r.errors.size() == 2);
  check_error(r.errors[0], where(text, "{\"p_good"), "/links/0/loss/gilbert_elliott/p_bad_to_good", "missing required field");
  check_error(r.errors[1], where(text, "2}"), "/links/0/loss/gilbert_elliott/p_good_to_bad", "found 2");
}

TEST_CASE("A port above 65535 is rejected with the range", "[loader]") {
  const std::string text =
      scenario_with(R"(, "inject": [{"at": "0s", "src": "client", "dst": "server", "sport": 70000, "dport": 80}])");
  check_error(only_error(load(text)), where(text, "70000"), "/inject/0/sport", "expected an integer in [0, 65535], found 70000");
}

TEST_CASE("A negative port is rejected with the range", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "match": {"dport": -1}}])");
  check_error(only_error(load(text)), where(text, "-1"), "/faults/0/match/dport", "expected an integer in [0, 65535], found -1");
}

TEST_CASE("A fractional integer is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "nth": 1.5}])");
  check_error(only_error(load(text)), where(text, "1.5"), "/faults/0/nth", "found 1.5");
}

TEST_CASE("A bandwidth without a unit or with a wrong unit is rejected", "[loader]") {
  const std::string unitless = scenario_with(R"(, "links": [{"between": ["client", "server"], "bandwidth": "1000"}])");
  check_error(only_error(load(unitless)), where(unitless, "\"1000\""), "/links/0/bandwidth", "the unit is missing");
  const std::string wrong = scenario_with(R"(, "links": [{"between": ["client", "server"], "bandwidth": "10mbps"}])");
  check_error(only_error(load(wrong)), where(wrong, "\"10mbps\""), "/links/0/bandwidth",
              "unknown unit \"mbps\"; expected a positive number followed by bps, kbps, Mbps or Gbps");
}

// ---- nodes and addresses ---------------------------------------------------------------------

TEST_CASE("Duplicate host names are rejected at the second one", "[loader]") {
  const std::string text = R"({"name": "t", "hosts": [{"name": "a", "ip": "10.0.0.1"}, {"name": "a", "ip": "10.0.0.2"}]})";
  check_error(only_error(load(text)), where(text, "\"a\"", "10.0.0.1"), "/hosts/1/name",
              "duplicate node name \"a\"; /hosts/0 (line 1, column 25) already uses it");
}

TEST_CASE("A router may not reuse a host's name", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [], "routers": [{"name": "client"}])");
  const auto r = load(text);
  // "routers" appears twice: the duplicate key is an error, and the last "routers" is the one read.
  INFO(report(r));
  REQUIRE(r.errors.size() == 2);
  CHECK_THAT(r.errors[1].message, Catch::Contains("duplicate node name \"client\""));
}

TEST_CASE("Duplicate addresses are rejected at the second one", "[loader]") {
  const std::string text = R"({"name": "t", "hosts": [{"name": "a", "ip": "10.0.0.1"}, {"name": "b", "ip": "10.0.0.1"}]})";
  check_error(only_error(load(text)), where(text, "\"10.0.0.1\"", "\"b\""), "/hosts/1/ip",
              "duplicate address 10.0.0.1; node \"a\" already uses it");
}

TEST_CASE("Invalid addresses are rejected with the reason", "[loader]") {
  const auto [ip, reason] = GENERATE(table<std::string, std::string>({
      {"10.0.0.256", "octet 256 is greater than 255"},
      {"10.0.0", "it has 3 parts; an address has 4"},
      {"01.2.3.4", "octet \"01\" has a leading zero"},
      {"10.0.0.x", "octet \"x\" is not a decimal number"},
  }));
  const std::string text = R"({"name": "t", "hosts": [{"name": "a", "ip": ")" + ip + "\"}]}";
  check_error(only_error(load(text)), where(text, "\"" + ip), "/hosts/0/ip",
              "expected an IPv4 address like \"10.0.0.1\", found \"" + ip + "\": " + reason);
}

TEST_CASE("A link to an unknown host suggests the closest name", "[loader]") {
  const std::string text = scenario_with(R"(, "links": [{"between": ["client", "sever"]}])");
  const Diagnostic d = only_error(load(text));
  check_error(d, where(text, "\"sever\""), "/links/0/between/1", "unknown node \"sever\"; did you mean \"server\"?");
}

TEST_CASE("The same pair of nodes linked twice is rejected", "[loader]") {
  const std::string text =
      scenario_with(R"(, "links": [{"between": ["client", "server"]}, {"between": ["server", "client"]}])");
  check_error(only_error(load(text)), where(text, "[\"server\""), "/links/1/between",
              "nodes \"server\" and \"client\" are already linked by /links/0");
}

TEST_CASE("A fault rule naming an unknown host suggests the closest name", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "match": {"from": "clinet"}}])");
  check_error(only_error(load(text)), where(text, "\"clinet\""), "/faults/0/match/from",
              "unknown node \"clinet\"; did you mean \"client\"?");
}

TEST_CASE("A fault rule naming a router without an address is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "match": {"to": "r1"}}])");
  check_error(only_error(load(text)), where(text, "\"r1\"", "match"), "/faults/0/match/to", "router \"r1\" has no IP address");
}

TEST_CASE("An unknown flag name is rejected with the list of flags", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "match": {"flags": "SYN,FNI"}}])");
  check_error(only_error(load(text)), where(text, "\"SYN,FNI\""), "/faults/0/match/flags",
              "unknown flag \"FNI\" in \"SYN,FNI\"; valid flags are " + std::string(tcpsim::net::Flags::kNames) +
                  "; did you mean \"FIN\"?");
}

TEST_CASE("An unknown profile is rejected with the choices", "[loader]") {
  const std::string text = scenario_with(R"(, "profile": "bsd")");
  check_error(only_error(load(text)), where(text, "\"bsd\""), "/profile", "unknown profile \"bsd\"; expected \"rfc9293\" or \"linux\"");
}

TEST_CASE("A delay on a fault rule whose action is not delay is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "delay": "5ms"}])");
  check_error(only_error(load(text)), where(text, "\"5ms\""), "/faults/0/delay", "this rule's action is \"drop\"");
}

TEST_CASE("A fault rule with action delay needs a delay", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "delay"}])");
  check_error(only_error(load(text)), where(text, "{\"action\""), "/faults/0/delay", "missing required field \"delay\"");
}

TEST_CASE("A reversed nth range is rejected", "[loader]") {
  const std::string text = scenario_with(R"(, "faults": [{"action": "drop", "nth": [3, 2]}])");
  check_error(only_error(load(text)), where(text, "[3, 2]"), "/faults/0/nth", "expected a range [n, m] with n <= m, found [3, 2]");
}

TEST_CASE("An injection with a spoofed source needs via", "[loader]") {
  const std::string text =
      scenario_with(R"(, "inject": [{"at": "1ms", "src": "10.9.9.9", "dst": "server", "sport": 1, "dport": 80}])");
  check_error(only_error(load(text)), where(text, "{\"at\""), "/inject/0/via",
              "missing required field \"via\": no node owns the source address 10.9.9.9");
}

TEST_CASE("An injection whose len disagrees with its payload is rejected", "[loader]") {
  const std::string text = scenario_with(
      R"(, "inject": [{"at": "1ms", "src": "client", "dst": "server", "sport": 1, "dport": 80, "payload": "hi", "len": 3}])");
  check_error(only_error(load(text)), where(text, "3}"), "/inject/0/len", "\"len\" is 3 but the payload is 2 bytes long");
}

TEST_CASE("A scenario name that cannot be a file name is rejected", "[loader]") {
  const std::string text = R"({"name": "lost final/ack", "hosts": [{"name": "a", "ip": "10.0.0.1"}]})";
  check_error(only_error(load(text)), 1, 10, "/name", "a space at position 5 is not allowed");
}

// ---- several errors --------------------------------------------------------------------------

TEST_CASE("Several errors are reported together in file order", "[loader]") {
  const std::string text =
      "{\n"
      "  \"name\": \"t\",\n"
      "  \"profile\": \"bsd\",\n"
      "  \"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.300\"}],\n"
      "  \"links\": [{\"between\": [\"a\", \"b\"], \"loss\": 2}]\n"
      "}\n";
  const auto r = load(text);
  INFO(report(r));
  REQUIRE(r.errors.size() == 4);
  check_error(r.errors[0], 3, 14, "/profile", "unknown profile");
  check_error(r.errors[1], 4, 33, "/hosts/0/ip", "octet 300");
  check_error(r.errors[2], 5, 31, "/links/0/between/1", "unknown node \"b\"");
  check_error(r.errors[3], 5, 45, "/links/0/loss", "found 2");
}

TEST_CASE("Errors beyond twenty are counted in one last line", "[loader]") {
  std::string hosts;
  for (int i = 0; i < 30; ++i) {
    if (i > 0) hosts += ",\n";
    hosts += R"(  {"name": "h)" + std::to_string(i) + R"(", "ip": "10.0.0.)" + std::to_string(300 + i) + "\"}";
  }
  const std::string text = "{\"name\": \"t\", \"hosts\": [\n" + hosts + "\n]}";
  const auto r = load(text);
  REQUIRE(r.errors.size() == kMaxErrors + 1);
  for (std::size_t i = 0; i < kMaxErrors; ++i) {
    CHECK(r.errors[i].line == static_cast<int>(i) + 2);  // the first twenty, in file order
    CHECK_THAT(r.errors[i].message, Catch::Contains("octet " + std::to_string(300 + i)));
  }
  CHECK(r.errors.back().to_string() == "... and 10 more errors");
}

TEST_CASE("A file full of mistakes still shows the first twenty in file order", "[loader]") {
  // Unknown keys come from the index in file order; the values are read in field order. Both
  // kinds must come out sorted by position, and only the earliest twenty are kept.
  std::string members;
  for (int i = 0; i < 5000; ++i) members += ", \"x" + std::to_string(i) + "\": 1";
  const std::string text = R"({"name": "t", "seed": -1)" + members + R"(, "hosts": 5})";
  const auto r = load(text);
  REQUIRE(r.errors.size() == kMaxErrors + 1);
  CHECK(r.errors[0].pointer == "/seed");
  CHECK(r.errors[1].pointer == "/x0");
  CHECK(r.errors.back().to_string() == "... and 4982 more errors");
}

TEST_CASE("A pattern of an injected segment with relative numbers is refused: injected segments have none", "[loader]") {
  const std::string text =
      scenario_with(R"(, "expect": {"segments": {"contains": [{"from": "client", "flags": "RST", "seq": 1, "injected": true}]}})");
  check_error(only_error(load(text)), where(text, "1, \"injected\""), "/expect/segments/contains/0/seq",
              "an injected segment belongs to no connection, so its numbers are absolute: add \"absolute\": true");
  const std::string ok = scenario_with(
      R"(, "expect": {"segments": {"contains": [{"from": "client", "flags": "RST", "seq": 1, "absolute": true, "injected": true}]}})");
  loaded(load(ok));
}
