// A scenario with TCP hosts and apps, loaded from JSON and run by the World.

#include <catch2/catch.hpp>

#include <variant>

#include "loader_support.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;
using namespace tcpsim::sim::literals;

namespace {

constexpr std::string_view kExchange = R"({
  "name": "exchange", "profile": "linux", "tcp": {"msl": "1s"},
  "hosts": [{"name": "client", "ip": "10.0.0.1", "profile": "rfc9293"},
            {"name": "server", "ip": "10.0.0.2", "tcp": {"recv_buffer": 4096}},
            {"name": "mute", "ip": "10.0.0.3", "tcp": false}],
  "routers": [{"name": "r1"}],
  "links": [{"between": ["client", "r1"], "delay": "5ms"}, {"between": ["r1", "server"], "delay": "5ms"},
            {"between": ["mute", "r1"]}],
  "apps": [
    {"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
    {"host": "client", "steps": [{"at": "1ms", "do": "connect", "to": "server:80", "local_port": 40000, "iss": 4294967200},
                                 {"on": "connected", "do": "send", "bytes": 3000}, {"do": "close"}]}]
})";

Scenario parse(std::string_view text) {
  LoadResult r = load(text);
  INFO(report(r));
  REQUIRE(r.ok());
  return *r.scenario;
}

}  // namespace

TEST_CASE("The world gives each TCP host a stack with its own parameters, and none to the others", "[world][tcp]") {
  World w(parse(kExchange));
  const auto id = [&](const char* n) { return *w.network().find(n); };
  REQUIRE(w.stack(id("client")) != nullptr);
  REQUIRE(w.stack(id("server")) != nullptr);
  CHECK(w.stack(id("mute")) == nullptr);
  CHECK(w.stack(id("r1")) == nullptr);
  CHECK(w.stack(id("client"))->params().profile == "rfc9293");
  CHECK(w.stack(id("server"))->params().profile == "linux");
  CHECK(w.stack(id("server"))->params().recv_buffer == 4096);
  CHECK(w.stack(id("client"))->params().msl == 1_s);
}

TEST_CASE("A scripted exchange from JSON runs to the end with every byte read and both sides CLOSED", "[world][tcp]") {
  World w(parse(kExchange));
  w.run();
  const auto id = [&](const char* n) { return *w.network().find(n); };
  app::ScriptedApp& server = (*w.apps(id("server")))[0];
  app::ScriptedApp& client = (*w.apps(id("client")))[0];
  CHECK(client.bytes_sent() == 3000);
  CHECK(server.bytes_received() == 3000);
  CHECK(server.eof_seen());
  CHECK(client.eof_seen());
  CHECK(w.stack(id("client"))->socket_count() == 0);
  CHECK(w.stack(id("server"))->socket_count() == 1);  // the listener
  // The pinned ISS shows in the first SYN, and the transfer crossed the wrap.
  const trace::SegmentSent* syn = nullptr;
  for (const auto& r : w.trace().records())
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && !syn) syn = s;
  REQUIRE(syn != nullptr);
  CHECK(syn->seg.seq == net::SeqNum{4294967200u});
  CHECK(syn->seg.sport == 40000);
  CHECK(w.trace().segments().in_flight() == 0);
}
