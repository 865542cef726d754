// Expectations: loaded from the "expect" block and checked against a real run; a failure names
// the first divergence.

#include <catch2/catch.hpp>

#include "loader_support.hpp"
#include "sim/scenario/expect.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;

namespace {

// client -> server over 10 ms; the server listens on 80; the client sends 100 bytes and closes;
// the server closes on EOF; MSL 1 s. `extra` goes into the top level (faults, expect).
std::string exchange(std::string_view expect, std::string_view extra = "") {
  std::string s = R"({"name": "x", "tcp": {"msl": "1s"},
  "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["client", "server"], "delay": "10ms"}],
  "apps": [
    {"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
    {"host": "client", "steps": [{"at": "0s", "do": "connect", "to": "server:80", "local_port": 40000},
                                 {"on": "connected", "do": "send", "bytes": 100}, {"do": "close"}]}])";
  s += extra;
  s += R"(, "expect": )";
  s += expect;
  s += "}";
  return s;
}

Verdict run(const std::string& text) {
  LoadResult r = load(text);
  INFO(report(r));
  REQUIRE(r.ok());
  World w(std::move(*r.scenario));
  w.run();
  return check(w);
}

std::string failures(const Verdict& v) {
  std::string s;
  for (const auto& f : v.failures) s += f.pointer + ": " + f.message + "\n";
  return s;
}

}  // namespace

TEST_CASE("A correct state path, final states and contains-ladder pass", "[expect]") {
  const Verdict v = run(exchange(R"({
    "states": {"client": ["CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"],
               "server:80": {"contains": ["SYN-RECEIVED", "CLOSE-WAIT", "CLOSED"]}},
    "final": {"client": "CLOSED", "server>client": "CLOSED"},
    "segments": [{"from": "client", "flags": "SYN"}, {"from": "server", "flags": "SYN,ACK", "ack": 1},
                 {"from": "client", "flags_include": "FIN", "seq": 101}],
    "apps": {"client": {"connect": "ok", "sent": 100, "eof": true, "error": "none"},
             "server": {"received_all_from": "client", "received": 100}},
    "counters": {"segments": 9, "retransmissions": 0, "rst": 0, "dropped": 0}})"));
  INFO(failures(v));
  CHECK(v.passed());
  CHECK(v.checked == 11);  // each state path, final state, app and counter counts once
}

TEST_CASE("A wrong state in an exact path is reported with the state found and its record", "[expect]") {
  const Verdict v = run(exchange(R"({"states": {"client": ["CLOSED", "SYN-SENT", "ESTABLISHED", "CLOSING"]}})"));
  REQUIRE(v.failures.size() == 1);
  const Failure& f = v.failures[0];
  CHECK(f.pointer == "/expect/states/client");
  CHECK_THAT(f.message, Catch::Contains("The 4th state is FIN-WAIT-1, not CLOSING"));
  REQUIRE(f.record.has_value());
  CHECK(f.time == sim::Time::zero() + sim::Duration::ms(20));
}

TEST_CASE("An exact ladder names the first segment that does not fit", "[expect]") {
  const Verdict v = run(exchange(R"({"segments": {"exact": [
      {"from": "client", "flags": "SYN"}, {"from": "server", "flags": "SYN,ACK"},
      {"from": "client", "flags": "PSH,ACK", "len": 100}, {"repeat": "*"}]}})"));
  REQUIRE(v.failures.size() == 1);
  CHECK(v.failures[0].pointer == "/expect/segments");
  CHECK_THAT(v.failures[0].message, Catch::Contains("expected client -> * PSH,ACK len=100; found client -> server ACK seq=1 ack=1"));
}

TEST_CASE("A ladder that asks for a window shows the window of the segment found", "[expect]") {
  // The client's FIN follows its 100 octets at once, offering the whole 65535-octet window.
  const Verdict exact = run(exchange(R"({"segments": {"exact": [
      {"from": "client", "flags": "SYN"}, {"from": "server", "flags": "SYN,ACK"}, {"from": "client", "flags": "ACK"},
      {"from": "client", "flags": "PSH,ACK", "len": 100}, {"from": "client", "flags": "FIN,ACK", "window": 1000}, {"repeat": "*"}]}})"));
  REQUIRE(exact.failures.size() == 1);
  CHECK_THAT(exact.failures[0].message, Catch::Contains("expected client -> * FIN,ACK win=1000; found client -> server FIN,ACK seq=101 ack=1 win=65535"));
  const Verdict contains = run(exchange(R"({"segments": [{"from": "client", "flags": "PSH,ACK", "len": 100},
                                                         {"from": "server", "flags": "ACK", "ack": 101, "window": 1}]})"));
  REQUIRE(contains.failures.size() == 1);
  CHECK_THAT(contains.failures[0].message, Catch::Contains("(the next one sent was client -> server FIN,ACK seq=101 ack=1 win=65535,"));
  // Without a window in the pattern the message stays as it was.
  const Verdict plain = run(exchange(R"({"segments": {"exact": [{"from": "client", "flags": "SYN"}, {"from": "server", "flags": "RST"}]}})"));
  REQUIRE(plain.failures.size() == 1);
  CHECK_THAT(plain.failures[0].message, !Catch::Contains("win="));
}

TEST_CASE("A contains ladder reports the pattern item no later segment matches", "[expect]") {
  const Verdict v = run(exchange(R"({"segments": [{"from": "client", "flags": "SYN"}, {"from": "server", "flags_include": "RST"}]})"));
  REQUIRE(v.failures.size() == 1);
  CHECK(v.failures[0].pointer == "/expect/segments/1");
  CHECK_THAT(v.failures[0].message, Catch::Contains("expected segment 2 of the pattern, server -> * with RST"));
  CHECK_THAT(v.failures[0].message, Catch::Contains("no later segment matches"));
}

TEST_CASE("A dropped final ACK: the FIN is retransmitted and TIME-WAIT lasts 2 MSL from the last ACK", "[expect]") {
  const Verdict v = run(exchange(R"({
    "segments": [{"from": "client", "flags": "ACK", "ack": 2, "dropped_by": "fault 0"},
                 {"from": "server", "flags_include": "FIN", "retransmission": true},
                 {"from": "client", "flags": "ACK", "ack": 2, "fate": "delivered"}],
    "timing": [{"from": {"sends": {"from": "server", "flags_include": "FIN"}},
                "to": {"sends": {"from": "server", "flags_include": "FIN"}, "nth": 2}, "duration": "1s"},
               {"from": {"endpoint": "client", "enters": "TIME-WAIT"}, "to": {"endpoint": "client", "enters": "CLOSED"},
                "duration": "3s", "tolerance": "50ms"}],
    "counters": {"retransmissions": 1, "dropped.fault": 1}})",
                                 R"(, "faults": [{"action": "drop", "match": {"from": "client", "flags": "ACK", "after": "35ms"}, "nth": 1}])"));
  INFO(failures(v));
  CHECK(v.passed());
}

TEST_CASE("A time constraint that does not hold shows both times", "[expect]") {
  const Verdict v = run(exchange(R"({"timing": [{"from": {"endpoint": "client", "enters": "TIME-WAIT"},
                                                "to": {"endpoint": "client", "enters": "CLOSED"}, "duration": "240s"}]})"));
  REQUIRE(v.failures.size() == 1);
  CHECK_THAT(v.failures[0].message, Catch::Contains("expected 4min (+/- 0s) from client entering TIME-WAIT"));
  CHECK_THAT(v.failures[0].message, Catch::Contains("found 2s"));
}

TEST_CASE("Application outcomes compare with what the apps did", "[expect]") {
  const Verdict v = run(exchange(R"({"apps": {"client": {"connect": "ECONNREFUSED", "received": 5}}})"));
  REQUIRE(v.failures.size() == 2);
  CHECK(v.failures[0].message == "client: expected the connect to end ECONNREFUSED, found ok");
  CHECK(v.failures[1].message == "client: expected its apps to read 5 bytes, found 0");
}

TEST_CASE("Expectations with unknown endpoints, states or counters are load errors", "[expect][loader]") {
  const std::string t1 = exchange(R"({"final": {"clinet": "CLOSED"}})");
  check_error(only_error(load(t1)), where(t1, "\"clinet\""), "/expect/final/clinet", "did you mean \"client\"?");
  const std::string t2 = exchange(R"({"final": {"client": "TIME-WIAT"}})");
  check_error(only_error(load(t2)), where(t2, "\"TIME-WIAT\""), "/expect/final/client", "did you mean \"TIME-WAIT\"?");
  const std::string t3 = exchange(R"({"counters": {"retransmision": 1}})");
  check_error(only_error(load(t3)), where(t3, "\"retransmision\""), "/expect/counters/retransmision",
              "did you mean \"retransmissions\"?");
  const std::string t4 = exchange(R"({"segments": [{"flags": "SYN", "repeat": "*"}]})");
  check_error(only_error(load(t4)), where(t4, "\"*\""), "/expect/segments/0/repeat", "are for exact patterns");
}
