// Scripted applications over the real scheduler, network and TcpStack: hosts joined by 10 ms links.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/app/script.hpp"
#include "tests/support/star.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using app::AppHost;
using app::Event;
using app::Script;
using app::ScriptedApp;
using app::Step;
using tcp::State;
using tcp::TcpStack;
using trace::AppError;

namespace {

net::Ipv4 ip(const char* text) { return *net::Ipv4::parse(text); }

// The shared star of TcpStacks (tests/support/star.hpp) with an AppHost per host.
struct World : test::StackStar {
  std::vector<std::unique_ptr<AppHost>> hosts;  // members of the derived struct: destroyed before the stacks

  explicit World(std::vector<std::string> clients, tcp::TcpParams params = tcp::TcpParams::rfc9293())
      : StackStar(clients, params) {
    for (auto& st : stacks) hosts.push_back(std::make_unique<AppHost>(sched, *st));
  }
  AppHost& host(const std::string& name) { return *hosts[index.at(name)]; }
  void run_until(sim::Duration d) {
    for (auto& h : hosts) h->start();
    sched.run(sim::Time::zero() + d);
  }
};

Step listen_at(sim::Duration at, std::uint16_t port) {
  Step s{.action = Step::Do::Listen, .at = at};
  s.port = port;
  return s;
}
Step connect_at(sim::Duration at, std::uint16_t port) {
  Step s{.action = Step::Do::Connect, .at = at};
  s.remote = {ip("10.0.0.9"), port};
  return s;
}
Step on(Event e, Step::Do action, sim::Duration after = {}) {
  Step s{.action = action, .on = e};
  s.after = after;
  return s;
}
Step send_on(Event e, std::uint64_t bytes, sim::Duration after = {}, std::uint32_t repeat = 1,
             sim::Duration interval = {}) {
  Step s = on(e, Step::Do::Send, after);
  s.bytes = bytes;
  s.repeat = repeat;
  s.interval = interval;
  return s;
}

tcp::TcpParams short_msl() {
  tcp::TcpParams p = tcp::TcpParams::rfc9293();
  p.msl = 100_ms;
  return p;
}

// The exchange of the first test: the client sends 1000 bytes and closes; on EOF the server
// waits 200 ms, sends 3 x 500 bytes 100 ms apart and closes.
struct Exchange {
  World w{{"client"}, short_msl()};
  ScriptedApp& server;
  ScriptedApp& client;
  Exchange()
      : server(w.host("server").add(Script{{listen_at(0_ms, 80), send_on(Event::Eof, 500, 200_ms, 3, 100_ms),
                                            on(Event::Eof, Step::Do::Close, 450_ms)}})),
        client(w.host("client").add(Script{{connect_at(1_ms, 80), send_on(Event::Connected, 1000),
                                            on(Event::Connected, Step::Do::Close)}})) {}
};

}  // namespace

TEST_CASE("A scripted client and server exchange data, close, and end CLOSED after TIME-WAIT", "[app]") {
  Exchange x;
  x.w.run_until(300_ms);
  CHECK(x.client.connected());
  CHECK(x.server.connected());
  CHECK(x.client.bytes_sent() == 1000);
  CHECK(x.server.bytes_received() == 1000);
  CHECK(x.server.eof_seen());
  CHECK(x.server.bytes_sent() == 500);  // the first chunk at 200 ms after EOF (~31 ms)
  const tcp::SocketId child = x.server.socket();
  REQUIRE(child != tcp::kNoSocket);
  CHECK(child != x.server.listener());
  CHECK(x.w.stack("client").state(x.client.socket()) == State::FinWait2);

  x.w.run_until(3_s);
  CHECK(x.server.bytes_sent() == 1500);
  CHECK(x.client.bytes_received() == 1500);
  CHECK(x.client.eof_seen());
  CHECK(x.client.last_error() == AppError::None);
  CHECK(x.server.last_error() == AppError::None);
  CHECK(x.client.calls_failed() == 0);
  CHECK(x.server.calls_failed() == 0);
  CHECK(x.w.stack("client").state(x.client.socket()) == State::Closed);
  CHECK(x.w.stack("server").state(child) == State::Closed);
  CHECK(x.w.stack("client").socket_count() == 0);
  CHECK(x.w.stack("server").socket_count() == 1);  // only the listener is left
  CHECK(x.w.stack("server").state(x.server.listener()) == State::Listen);
  bool time_wait = false;
  for (const auto& r : x.w.trace.records()) {
    if (const auto* sc = std::get_if<trace::StateChanged>(&r.body)) time_wait |= sc->to == "TIME_WAIT";
  }
  CHECK(time_wait);
}

TEST_CASE("A scripted connect to a port nobody listens on ends with ECONNREFUSED", "[app]") {
  World w({"client"});
  ScriptedApp& client = w.host("client").add(Script{{connect_at(1_ms, 81), send_on(Event::Connected, 100)}});
  w.run_until(1_s);
  CHECK(client.last_error() == AppError::ConnRefused);
  CHECK_FALSE(client.connected());
  CHECK(client.bytes_sent() == 0);
  CHECK(w.stack("client").socket_count() == 0);
}

TEST_CASE("An on-step fires only the first time its event happens", "[app]") {
  World w({"client"});
  w.host("server").add(Script{{listen_at(0_ms, 80), send_on(Event::Data, 10)}});
  Step second = send_on(Event::Connected, 100, 0_ms);
  Step third = send_on(Event::Connected, 100, 200_ms);
  ScriptedApp& client = w.host("client").add(Script{{connect_at(0_ms, 80), second, third}});
  w.run_until(1_s);
  CHECK(client.bytes_sent() == 200);
  CHECK(client.bytes_received() == 10);  // the server answered the first Data only
}

TEST_CASE("Several apps on one host each get the notifications of their own sockets", "[app]") {
  World w({"client"});
  ScriptedApp& web = w.host("server").add(Script{{listen_at(0_ms, 80), send_on(Event::Eof, 7)}});
  ScriptedApp& ssh = w.host("server").add(Script{{listen_at(0_ms, 22), send_on(Event::Eof, 9)}});
  ScriptedApp& a = w.host("client").add(
      Script{{connect_at(1_ms, 80), send_on(Event::Connected, 100), on(Event::Connected, Step::Do::Close)}});
  ScriptedApp& b = w.host("client").add(
      Script{{connect_at(2_ms, 22), send_on(Event::Connected, 200), on(Event::Connected, Step::Do::Close)}});
  w.run_until(1_s);
  CHECK(web.bytes_received() == 100);
  CHECK(ssh.bytes_received() == 200);
  CHECK(a.bytes_received() == 7);
  CHECK(b.bytes_received() == 9);
  CHECK(web.socket() != ssh.socket());
  CHECK(w.host("server").unclaimed() == 0);
  CHECK(w.host("client").unclaimed() == 0);
}

TEST_CASE("Without auto_receive the data waits until a Receive step reads it", "[app]") {
  World w({"client"});
  Script server{{listen_at(0_ms, 80), on(Event::Data, Step::Do::Receive, 100_ms)}};
  server.auto_receive = false;
  ScriptedApp& srv = w.host("server").add(server);
  w.host("client").add(Script{{connect_at(0_ms, 80), send_on(Event::Connected, 300)}});
  w.run_until(100_ms);
  CHECK(srv.bytes_received() == 0);
  w.run_until(1_s);
  CHECK(srv.bytes_received() == 300);
}

TEST_CASE("The same scripted run twice gives identical JSON Lines traces", "[app]") {
  auto run = [] {
    Exchange x;
    x.w.run_until(3_s);
    return x.w.jsonl();
  };
  const auto first = run();
  CHECK(first.size() > 20);
  CHECK(first == run());
}

namespace {
Step then(Step::Do action, sim::Duration after = {}) {
  Step s{.action = action};
  s.after = after;
  return s;
}
Step send_then(std::uint64_t bytes, std::uint32_t repeat = 1, sim::Duration interval = {}) {
  Step s = then(Step::Do::Send);
  s.bytes = bytes;
  s.repeat = repeat;
  s.interval = interval;
  return s;
}
std::vector<std::string> states_of(const trace::Trace& t, const std::string& local_port) {
  std::vector<std::string> out;
  for (const auto& r : t.records())
    if (const auto* sc = std::get_if<trace::StateChanged>(&r.body))
      if (std::to_string(sc->conn.local.port) == local_port) out.emplace_back(sc->to);
  return out;
}
}  // namespace

TEST_CASE("A server's on-steps run once per accepted connection, so each client is served", "[app]") {
  World w({"a", "b", "c"}, short_msl());
  ScriptedApp& srv = w.host("server").add(Script{{listen_at(0_ms, 80), send_on(Event::Eof, 5), then(Step::Do::Close)}});
  std::vector<ScriptedApp*> clients;
  for (const char* name : {"a", "b", "c"})
    clients.push_back(&w.host(name).add(
        Script{{connect_at(1_ms, 80), send_on(Event::Connected, 100), then(Step::Do::Close)}}));
  w.run_until(5_s);
  CHECK(srv.bytes_received() == 300);
  CHECK(srv.bytes_sent() == 15);
  for (ScriptedApp* c : clients) {
    CHECK(c->bytes_received() == 5);
    CHECK(c->eof_seen());
  }
  CHECK(w.stack("server").socket_count() == 1);  // every child closed; the listener remains
}

TEST_CASE("A step without a trigger follows the previous step once its last chunk is sent", "[app]") {
  World w({"client"}, short_msl());
  w.host("server").add(Script{{listen_at(0_ms, 80)}});
  ScriptedApp& client = w.host("client").add(
      Script{{connect_at(0_ms, 80), send_on(Event::Connected, 100, {}, 3, 100_ms), then(Step::Do::Close, 50_ms)}});
  w.run_until(1_s);
  CHECK(client.bytes_sent() == 300);
  // The close call comes 50 ms after the third chunk (connected at 20 ms: chunks at 20, 120, 220 ms).
  std::optional<sim::Time> close_at;
  for (const auto& r : w.trace.records())
    if (const auto* c = std::get_if<trace::AppCall>(&r.body); c && c->call == "close") close_at = r.time;
  REQUIRE(close_at);
  CHECK(*close_at == sim::Time::zero() + 270_ms);
}

TEST_CASE("Without auto_accept each Accept step takes one connection, the next waits", "[app]") {
  World w({"a", "b"}, short_msl());
  Script server{{listen_at(0_ms, 80), then(Step::Do::Accept), send_then(7)}};
  server.auto_accept = false;
  ScriptedApp& srv = w.host("server").add(server);
  ScriptedApp& a = w.host("a").add(Script{{connect_at(1_ms, 80)}});
  ScriptedApp& b = w.host("b").add(Script{{connect_at(2_ms, 80)}});
  w.run_until(1_s);
  CHECK(a.connected());
  CHECK(b.connected());  // the handshake completes in the accept queue
  CHECK(a.bytes_received() == 7);
  CHECK(b.bytes_received() == 0);  // never accepted
  CHECK_FALSE(srv.busy());
}

TEST_CASE("After shutdown the client still receives what the server sends in CLOSE-WAIT", "[app]") {
  World w({"client"}, short_msl());
  w.host("server").add(Script{{listen_at(0_ms, 80), send_on(Event::Eof, 400, 100_ms, 2, 50_ms), then(Step::Do::Close)}});
  ScriptedApp& client = w.host("client").add(
      Script{{connect_at(0_ms, 80), send_on(Event::Connected, 100), then(Step::Do::Shutdown)}});
  w.run_until(3_s);
  CHECK(client.bytes_received() == 800);
  CHECK(client.eof_seen());
  const auto server_states = states_of(w.trace, "80");
  CHECK(std::find(server_states.begin(), server_states.end(), "CLOSE_WAIT") != server_states.end());
  CHECK(w.stack("client").socket_count() == 0);
}

TEST_CASE("A send larger than the send buffer is delivered whole as the buffer drains", "[app]") {
  tcp::TcpParams p = short_msl();
  p.send_buffer = 4000;
  World w({"client"}, p);
  ScriptedApp& srv = w.host("server").add(Script{{listen_at(0_ms, 80)}});
  ScriptedApp& client = w.host("client").add(Script{{connect_at(0_ms, 80), send_on(Event::Connected, 50'000),
                                                     then(Step::Do::Close)}});
  w.run_until(10_s);
  CHECK(client.bytes_sent() == 50'000);
  CHECK(srv.bytes_received() == 50'000);
  CHECK(srv.eof_seen());
  CHECK(client.calls_failed() == 0);
}

TEST_CASE("A connect step with linger_zero closes with a RST and the server sees ECONNRESET", "[app]") {
  World w({"client"}, short_msl());
  ScriptedApp& srv = w.host("server").add(Script{{listen_at(0_ms, 80)}});
  Step connect = connect_at(0_ms, 80);
  connect.linger_zero = true;
  ScriptedApp& client = w.host("client").add(Script{{connect, then(Step::Do::Close, 100_ms)}});
  w.run_until(1_s);
  CHECK(client.connected());
  CHECK(srv.last_error() == AppError::ConnReset);
  bool rst = false;
  for (const auto& r : w.trace.records())
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) rst |= s->seg.flags.rst;
  CHECK(rst);
}

TEST_CASE("A send that waits for buffer space for hours keeps the app's bookkeeping small", "[app]") {
  // 1 TiB to a server that never reads: the client's buffer stays full and its Send step looks
  // again every kSendRetry, so an hour schedules 360 000 retries while the step never ends.
  World w({"client"});
  Script server{{listen_at(0_ms, 80)}};
  server.auto_receive = false;
  w.host("server").add(server);
  ScriptedApp& client = w.host("client").add(Script{{connect_at(0_ms, 80), send_on(Event::Connected, std::uint64_t{1} << 40)}});
  w.run_until(sim::Duration::s(3600));
  CHECK(client.busy());
  CHECK(w.sched.executed() > 360'000);
  CHECK(client.tracked_events() < 200);
}
