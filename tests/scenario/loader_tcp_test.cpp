// The TCP sections of a scenario: profiles, "tcp" overrides at the top and per host, and apps.

#include <catch2/catch.hpp>

#include <set>
#include <variant>

#include "loader_support.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;
using namespace tcpsim::sim::literals;
using app::Step;

namespace {

// Two hosts, a link, and `extra` spliced in at the top level; `client` and `server` fields are
// added to those hosts.
std::string with(std::string_view extra, std::string_view client = "", std::string_view server = "") {
  std::string s = R"({"name": "t", "hosts": [{"name": "client", "ip": "10.0.0.1")";
  s += client;
  s += R"(}, {"name": "server", "ip": "10.0.0.2")";
  s += server;
  s += R"(}], "links": [{"between": ["client", "server"]}])";
  s += extra;
  s += "}";
  return s;
}

Scenario ok(const LoadResult& r) {
  INFO(report(r));
  REQUIRE(r.ok());
  return *r.scenario;
}

}  // namespace

TEST_CASE("Hosts run TCP with the scenario's profile unless told otherwise", "[loader][tcp]") {
  const Scenario s = ok(load(with(R"(, "profile": "linux")")));
  REQUIRE(s.tcp.size() == 2);
  CHECK(s.tcp[0].enabled);
  CHECK(s.tcp[0].params == tcp::TcpParams::linux_profile());
  CHECK(s.tcp[1].params == tcp::TcpParams::linux_profile());
}

TEST_CASE("Top-level tcp overrides apply to every host, host overrides only to theirs", "[loader][tcp]") {
  const Scenario s = ok(load(with(R"(, "tcp": {"msl": "1s", "rto_min": "200ms", "syn_retries": 2})",
                                   R"(, "tcp": {"recv_buffer": 4096, "dup_syn_in_syn_received": "syn-ack"})")));
  CHECK(s.tcp[0].params.msl == 1_s);
  CHECK(s.tcp[1].params.msl == 1_s);
  CHECK(s.tcp[0].params.rto_min == 200_ms);
  CHECK(s.tcp[0].params.syn_retries == tcp::RetryLimit{.count = 2, .duration = std::nullopt});
  CHECK(s.tcp[0].params.recv_buffer == 4096);
  CHECK(s.tcp[1].params.recv_buffer == 65535);
  CHECK(s.tcp[0].params.dup_syn_in_syn_received == tcp::DupSynAnswer::SynAck);
}

TEST_CASE("A host's own profile keeps the scenario's overrides on top of it", "[loader][tcp]") {
  const Scenario s = ok(load(with(R"(, "tcp": {"msl": "5s"})", R"(, "profile": "linux")")));
  CHECK(s.tcp[0].params.profile == "linux");
  CHECK(s.tcp[0].params.rto_min == 200_ms);  // from the linux profile
  CHECK(s.tcp[0].params.msl == 5_s);         // from the scenario's overrides
  CHECK(s.tcp[1].params.profile == "rfc9293");
  CHECK(s.tcp[1].params.msl == 5_s);
}

TEST_CASE("Retry limits read as a count, an object or null", "[loader][tcp]") {
  const Scenario s = ok(load(with(R"(, "tcp": {"r2": {"count": 5, "duration": "30s"}, "synack_retries": null})")));
  CHECK(s.tcp[0].params.r2 == tcp::RetryLimit{.count = 5, .duration = 30_s});
  CHECK(s.tcp[0].params.synack_retries == tcp::RetryLimit{});
}

TEST_CASE("A host with tcp false runs no TCP and takes no apps", "[loader][tcp]") {
  const Scenario s = ok(load(with("", R"(, "tcp": false)")));
  CHECK_FALSE(s.tcp[0].enabled);
  CHECK(s.tcp[1].enabled);
  const std::string text = with(R"(, "apps": [{"host": "client", "steps": [{"do": "close"}]}])", R"(, "tcp": false)");
  check_error(only_error(load(text)), where(text, "\"client\"", "\"apps\""), "/apps/0/host",
              "host \"client\" has \"tcp\": false");
}

TEST_CASE("An unknown TCP parameter is reported with a suggestion", "[loader][tcp]") {
  const std::string text = with(R"(, "tcp": {"rto_mni": "1s"})");
  check_error(only_error(load(text)), where(text, "\"rto_mni\""), "/tcp/rto_mni", "did you mean \"rto_min\"?");
}

TEST_CASE("A TCP parameter of the wrong type names the expected type", "[loader][tcp]") {
  const std::string text = with(R"(, "tcp": {"msl": 120})");
  check_error(only_error(load(text)), where(text, "120"), "/tcp/msl", "expected a duration string with a unit");
  const std::string t2 = with("", "", R"(, "tcp": {"rfc1337": "yes"})");
  check_error(only_error(load(t2)), where(t2, "\"yes\""), "/hosts/1/tcp/rfc1337", "expected true or false");
  const std::string t3 = with(R"(, "tcp": {"rto_style": "bsd"})");
  check_error(only_error(load(t3)), where(t3, "\"bsd\""), "/tcp/rto_style", "expected \"rfc6298\" or \"linux\"");
}

TEST_CASE("The ACK policy is read by name; the old delayed_ack switch is an unknown parameter", "[loader][tcp][delayed-ack]") {
  const std::string text = with(R"(, "tcp": {"ack_policy": "quick"})");
  check_error(only_error(load(text)), where(text, "\"quick\""), "/tcp/ack_policy",
              "expected \"immediate\", \"delayed\" or \"linux\"");
  const std::string t2 = with(R"(, "tcp": {"delayed_ack": true})");
  check_error(only_error(load(t2)), where(t2, "\"delayed_ack\""), "/tcp/delayed_ack", "did you mean");
}

TEST_CASE("rto_min above rto_max is an error at the tcp object", "[loader][tcp]") {
  const std::string text = with(R"(, "tcp": {"rto_min": "2min"})");
  check_error(only_error(load(text)), where(text, "{\"rto_min\""), "/tcp", "rto_min (2min) is greater than rto_max (1min)");
}

TEST_CASE("An MSS below 64 octets is rejected", "[loader][tcp]") {
  const std::string text = with(R"(, "tcp": {"mss": 10})");
  check_error(only_error(load(text)), where(text, "10}"), "/tcp/mss", "expected an integer in [64, 65535], found 10");
}

TEST_CASE("An ephemeral port range must be two ports, first <= last", "[loader][tcp]") {
  const Scenario s = ok(load(with("", R"(, "ephemeral_ports": [40000, 40010])")));
  CHECK(s.tcp[0].ephemeral_ports == std::pair<std::uint16_t, std::uint16_t>{40000, 40010});
  const std::string text = with("", R"(, "ephemeral_ports": [50000, 40000])");
  check_error(only_error(load(text)), where(text, "[50000"), "/hosts/0/ephemeral_ports", "expected first <= last");
}

TEST_CASE("Apps map every step field into the script", "[loader][apps]") {
  const Scenario s = ok(load(with(R"(, "apps": [
    {"host": "server", "name": "web", "auto_accept": false, "auto_receive": false, "steps": [
      {"at": "0s", "do": "listen", "port": 80, "backlog": 5, "iss": 4294967000, "linger_zero": true},
      {"do": "accept"},
      {"on": "eof", "after": "200ms", "do": "send", "bytes": 500, "repeat": 3, "interval": "100ms"},
      {"do": "receive", "bytes": 10},
      {"do": "shutdown"}]},
    {"host": "client", "steps": [
      {"at": "1ms", "do": "connect", "to": "server:80", "local_port": 40000, "iss": 7, "reuse_addr": true},
      {"on": "error", "do": "abort"},
      {"on": "closed", "do": "close"}]}])")));
  REQUIRE(s.apps.size() == 2);
  const auto& web = s.apps[0];
  CHECK(web.host == "server");
  CHECK(web.name == "web");
  CHECK_FALSE(web.script.auto_accept);
  CHECK_FALSE(web.script.auto_receive);
  REQUIRE(web.script.steps.size() == 5);
  CHECK(web.script.steps[0].action == Step::Do::Listen);
  CHECK(web.script.steps[0].at == 0_s);
  CHECK(web.script.steps[0].port == 80);
  CHECK(web.script.steps[0].backlog == 5);
  CHECK(web.script.steps[0].iss == net::SeqNum{4294967000u});
  CHECK(web.script.steps[0].linger_zero);
  CHECK_FALSE(web.script.steps[0].reuse_addr);
  CHECK(web.script.steps[1].action == Step::Do::Accept);
  CHECK_FALSE(web.script.steps[1].at.has_value());
  CHECK_FALSE(web.script.steps[1].on.has_value());
  const Step& send = web.script.steps[2];
  CHECK(send.action == Step::Do::Send);
  CHECK(send.on == app::Event::Eof);
  CHECK(send.after == 200_ms);
  CHECK(send.bytes == 500);
  CHECK(send.repeat == 3);
  CHECK(send.interval == 100_ms);
  CHECK(web.script.steps[3].bytes == 10);
  CHECK(web.script.steps[4].action == Step::Do::Shutdown);
  const auto& client = s.apps[1];
  CHECK(client.script.steps[0].remote == net::Endpoint{*net::Ipv4::parse("10.0.0.2"), 80});
  CHECK(client.script.steps[0].local_port == 40000);
  CHECK(client.script.steps[0].iss == net::SeqNum{7});
  CHECK(client.script.steps[0].reuse_addr);
  CHECK(client.script.steps[1].on == app::Event::Error);
  CHECK(client.script.steps[2].on == app::Event::Closed);
}

TEST_CASE("A step field that belongs to another action is reported at its key", "[loader][apps]") {
  const std::string text = with(R"(, "apps": [{"host": "client", "steps": [{"do": "send", "bytes": 1, "port": 80}]}])");
  check_error(only_error(load(text)), where(text, "\"port\""), "/apps/0/steps/0/port",
              "field \"port\" does not apply to a \"send\" step (its fields: \"bytes\", \"repeat\" and \"interval\")");
}

TEST_CASE("A step needs an action it knows", "[loader][apps]") {
  const std::string text = with(R"(, "apps": [{"host": "client", "steps": [{"at": "0s", "do": "conect"}]}])");
  check_error(only_error(load(text)), where(text, "\"conect\""), "/apps/0/steps/0/do", "did you mean \"connect\"?");
  const std::string t2 = with(R"(, "apps": [{"host": "client", "steps": [{"at": "0s"}]}])");
  check_error(only_error(load(t2)), where(t2, "{\"at\""), "/apps/0/steps/0/do", "missing required field \"do\"");
}

TEST_CASE("A step has at or on, not both", "[loader][apps]") {
  const std::string text =
      with(R"(, "apps": [{"host": "client", "steps": [{"at": "0s", "on": "eof", "do": "close"}]}])");
  check_error(only_error(load(text)), where(text, "\"eof\""), "/apps/0/steps/0/on", "not both");
}

TEST_CASE("A connect target names a known host and a port", "[loader][apps]") {
  const std::string text = with(R"(, "apps": [{"host": "client", "steps": [{"do": "connect", "to": "sever:80"}]}])");
  check_error(only_error(load(text)), where(text, "\"sever:80\""), "/apps/0/steps/0/to", "did you mean \"server\"?");
  const std::string t2 = with(R"(, "apps": [{"host": "client", "steps": [{"do": "connect", "to": "server:80000"}]}])");
  check_error(only_error(load(t2)), where(t2, "\"server:80000\""), "/apps/0/steps/0/to",
              "expected a port in 1..65535 after the ':', found \"80000\"");
  const std::string t3 = with(R"(, "apps": [{"host": "client", "steps": [{"do": "connect", "to": "server"}]}])");
  check_error(only_error(load(t3)), where(t3, "\"server\"}"), "/apps/0/steps/0/to", "expected \"host:port\"");
  const std::string t4 = with(R"(, "apps": [{"host": "client", "steps": [{"do": "connect", "to": "10.0.0.2:80"}]}])");
  CHECK(load(t4).ok());
}

TEST_CASE("An app on an unknown host or a router is an error", "[loader][apps]") {
  const std::string text = with(R"(, "apps": [{"host": "srv", "steps": []}])");
  check_error(only_error(load(text)), where(text, "\"srv\""), "/apps/0/host", "unknown node \"srv\"");
}

TEST_CASE("A negative send size is rejected with the range", "[loader][apps]") {
  const std::string text = with(R"(, "apps": [{"host": "client", "steps": [{"do": "send", "bytes": -5}]}])");
  check_error(only_error(load(text)), where(text, "-5"), "/apps/0/steps/0/bytes", "expected an integer in [1, 1099511627776], found -5");
}

TEST_CASE("A host group describes N members with consecutive addresses, one link each and a shared app", "[loader][groups]") {
  const Scenario s = ok(load(with(R"(, "groups": [{"name": "c", "count": 3, "ip": "10.1.0.1",
      "link": {"to": "server", "delay": "5ms", "loss": 0.5}, "profile": "linux",
      "app": {"steps": [{"at": "0s", "do": "connect", "to": "server:80"}]}, "start_spread": "2s"}])")));
  REQUIRE(s.groups.size() == 1);
  const HostGroup& g = s.groups[0];
  CHECK(g.member(3) == "c3");
  CHECK(g.count == 3);
  CHECK(g.first_ip == *net::Ipv4::parse("10.1.0.1"));
  CHECK(g.link_to == "server");
  CHECK(g.link.delay == 5_ms);
  CHECK(g.link.loss.rate == 0.5);
  CHECK(g.tcp.params.profile == "linux");
  REQUIRE(g.script != nullptr);
  CHECK(g.script->steps.size() == 1);
  CHECK(g.start_spread == 2_s);
}

TEST_CASE("A group whose members would clash with a node's name or address is an error", "[loader][groups]") {
  const std::string t1 = with(R"(, "groups": [{"name": "client", "count": 0, "ip": "10.1.0.1", "link": {"to": "server"}}])");
  check_error(only_error(load(t1)), where(t1, "0,"), "/groups/0/count", "expected an integer in [1, 10000000], found 0");
  const std::string t2 = with(R"(, "groups": [{"name": "h", "count": 5, "ip": "10.0.0.1", "link": {"to": "server"}}])");
  check_error(only_error(load(t2)), where(t2, "\"10.0.0.1\"", "groups"), "/groups/0/ip",
              "the group's addresses 10.0.0.1 .. 10.0.0.5 include 10.0.0.1 of node \"client\"");
  const std::string t3 = with(R"(, "groups": [{"name": "h", "count": 2, "ip": "10.1.0.1", "link": {"to": "sever"}}])");
  check_error(only_error(load(t3)), where(t3, "\"sever\""), "/groups/0/link/to", "did you mean \"server\"?");
}

TEST_CASE("A world builds every member of a group, each starting its app within the spread", "[world][groups]") {
  const Scenario s = ok(load(with(R"(, "groups": [{"name": "c", "count": 20, "ip": "10.1.0.1",
      "link": {"to": "server", "delay": "5ms"},
      "app": {"steps": [{"at": "0s", "do": "connect", "to": "server:80"}]}, "start_spread": "1s"}],
      "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]}])")));
  World w(s);
  w.run();
  std::set<std::string> connected;
  sim::Time first = sim::Time::max(), last = sim::Time::zero();
  for (const auto& r : w.trace().records())
    if (const auto* c = std::get_if<trace::AppCall>(&r.body); c && c->call == "connect") {
      connected.insert(w.trace().node_name(c->node));
      first = std::min(first, r.time);
      last = std::max(last, r.time);
    }
  CHECK(connected.size() == 20);
  CHECK(connected.contains("c20"));
  CHECK(last < sim::Time::zero() + 1_s);
  CHECK(last - first > 100_ms);  // spread out, not all at once
  CHECK(w.stack(*w.network().find("c7")) != nullptr);
}
