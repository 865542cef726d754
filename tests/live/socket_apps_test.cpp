// The live apps' line format, what they refuse to play, and the model's texts they report (the
// socket calls themselves are in tests/live_root/socket_apps_test.cpp).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <string>
#include <vector>

#include "models/app/script.hpp"
#include "sim/live/socket_apps.hpp"
#include "tests/support/star.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using live::AppEvent;
using live::format_app_event;
using live::parse_app_event;

namespace {

net::Endpoint ep(const char* ip, std::uint16_t port) { return {*net::Ipv4::parse(ip), port}; }

AppEvent event(std::int64_t t, std::optional<trace::Body> body, std::optional<bool> idle = std::nullopt) {
  return {.mono_ns = t, .body = std::move(body), .idle = idle};
}

// The event read back from its line, which it must give again.
AppEvent round_trip(const AppEvent& e) {
  const std::string line = format_app_event(e);
  CHECK(line.find('\n') == std::string::npos);
  std::string error;
  const auto back = parse_app_event(line, &error);
  INFO(line);
  INFO(error);
  REQUIRE(back);
  CHECK(format_app_event(*back) == line);
  CHECK(back->mono_ns == e.mono_ns);
  CHECK(back->idle == e.idle);
  CHECK(back->body.has_value() == e.body.has_value());
  return *back;
}

// Everything written to a pipe's read end that is already closed for writing.
std::vector<AppEvent> read_events(int fd) {
  std::string text;
  char buf[4096];
  for (ssize_t r; (r = read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(r));
  std::vector<AppEvent> out;
  for (std::size_t from = 0, nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
    std::string error;
    const auto e = parse_app_event(std::string_view(text).substr(from, nl - from), &error);
    INFO(error);
    REQUIRE(e);
    out.push_back(*e);
  }
  return out;
}

std::int64_t mono_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string parse_error(const std::string& line) {
  std::string error;
  CHECK_FALSE(parse_app_event(line, &error));
  return error;
}

}  // namespace

TEST_CASE("An app call's line reads back as the same call, with or without arguments", "[live][apps]") {
  const net::ConnId conn{ep("10.0.0.1", 80), {}};
  const AppEvent back = round_trip(event(123456789, trace::AppCall{3, conn, "listen", "port=80 backlog=128"}));
  const auto& call = std::get<trace::AppCall>(*back.body);
  CHECK(call.node == 3);
  CHECK(call.conn == conn);
  CHECK(call.call == "listen");
  CHECK(call.args == "port=80 backlog=128");

  const AppEvent bare = round_trip(event(1, trace::AppCall{0, {ep("10.0.0.2", 40000), ep("10.0.0.1", 80)}, "abort", ""}));
  CHECK(std::get<trace::AppCall>(*bare.body).args.empty());
}

TEST_CASE("A notice's line reads back with its error and byte count", "[live][apps]") {
  const net::ConnId conn{ep("10.0.0.2", 40000), ep("10.0.0.1", 80)};
  const AppEvent data = round_trip(event(5, trace::AppNotify{1, conn, trace::Notice::Data, trace::AppError::None, 1000}));
  CHECK(std::get<trace::AppNotify>(*data.body).bytes == 1000);
  CHECK(std::get<trace::AppNotify>(*data.body).notice == trace::Notice::Data);

  const AppEvent refused =
      round_trip(event(6, trace::AppNotify{1, conn, trace::Notice::Error, trace::AppError::ConnRefused, 0}));
  CHECK(std::get<trace::AppNotify>(*refused.body).error == trace::AppError::ConnRefused);
  CHECK(format_app_event(refused).find("\"ECONNREFUSED\"") != std::string::npos);
}

TEST_CASE("A listener's state changes read back with the model's texts in static storage", "[live][apps]") {
  for (const trace::StateChanged& s : {live::listener_opened(2, ep("10.0.0.1", 80)),
                                       live::listener_closed(2, ep("10.0.0.1", 80), false),
                                       live::listener_closed(2, ep("10.0.0.1", 80), true)}) {
    const AppEvent back = round_trip(event(7, s));
    const auto& b = std::get<trace::StateChanged>(*back.body);
    CHECK(b.node == s.node);
    CHECK(b.conn == s.conn);
    CHECK(b.from == s.from);
    CHECK(b.to == s.to);
    CHECK(b.cause == s.cause);
  }
}

TEST_CASE("A note's line reads back with or without its node", "[live][apps]") {
  const AppEvent with_node = round_trip(
      event(8, trace::Note{"connect: EADDRINUSE (Address already in use)", 4, {ep("10.0.0.1", 5000), ep("10.0.0.9", 80)}}));
  CHECK(std::get<trace::Note>(*with_node.body).node == 4);
  CHECK(std::get<trace::Note>(*with_node.body).text == "connect: EADDRINUSE (Address already in use)");
  const AppEvent alone = round_trip(event(9, trace::Note{"quote \" and \\ and é", trace::kNoNode, {}}));
  CHECK(std::get<trace::Note>(*alone.body).text == "quote \" and \\ and é");
}

TEST_CASE("An idle report reads back alone or beside a body", "[live][apps]") {
  CHECK(format_app_event(event(10, std::nullopt, true)) == R"({"mono_ns":10,"idle":true})");
  CHECK(round_trip(event(10, std::nullopt, false)).idle == false);
  const AppEvent both = round_trip(event(-4, trace::AppCall{0, {ep("127.0.0.1", 80), {}}, "close", ""}, true));
  CHECK(both.mono_ns == -4);
}

TEST_CASE("A line that is not an app event is refused with the reason", "[live][apps]") {
  CHECK(parse_error("").find("invalid JSON") != std::string::npos);
  CHECK(parse_error("[1]").find("expected a JSON object") != std::string::npos);
  CHECK(parse_error(R"({"idle":true})").find("mono_ns") != std::string::npos);
  CHECK(parse_error(R"({"mono_ns":1})").find("reports nothing") != std::string::npos);
  CHECK(parse_error(R"({"mono_ns":1,"idle":true,"extra":0})").find("unknown field \"extra\"") != std::string::npos);
  CHECK(parse_error(R"({"mono_ns":1,"kind":"send","node":0})").find("\"kind\"") != std::string::npos);
  CHECK(parse_error(R"({"mono_ns":1,"kind":"app-call","node":0,"conn":"10.0.0.1:80-0.0.0.0:0","call":"bind"})")
            .find("\"call\"") != std::string::npos);
  CHECK(parse_error(R"({"mono_ns":1,"kind":"app-call","node":0,"conn":"10.0.0.1:80","call":"close"})")
            .find("\"conn\"") != std::string::npos);
  const std::string listener = R"("node":0,"conn":"10.0.0.1:80-0.0.0.0:0")";
  CHECK(parse_error(R"({"mono_ns":1,"kind":"state",)" + listener + R"(,"from":"CLOSED","to":"LISTEN","cause":"x"})")
            .find("\"cause\"") != std::string::npos);
  CHECK(parse_error(R"({"mono_ns":1,"kind":"app-notify",)" + listener + R"(,"notice":"data","bytes":-1})")
            .find("\"bytes\"") != std::string::npos);
  // A body the runner never writes (a segment) has only its kind on the line, and is refused.
  const std::string segment = format_app_event(event(1, trace::SegmentDelivered{1, 0}));
  CHECK(segment == R"({"mono_ns":1,"kind":"deliver"})");
  CHECK_FALSE(parse_app_event(segment, nullptr));
}

TEST_CASE("Only a pinned initial sequence number cannot be played on sockets", "[live][apps]") {
  using app::Step;
  Step listen{.action = Step::Do::Listen, .at = 0_ms};
  listen.port = 80;
  CHECK_FALSE(live::unsupported_on_sockets(listen));
  listen.linger_zero = true;
  listen.backlog = 1;
  CHECK_FALSE(live::unsupported_on_sockets(listen));
  listen.iss = net::SeqNum(0xFFFFFF00u);
  const auto why = live::unsupported_on_sockets(listen);
  REQUIRE(why);
  CHECK(why->find("\"iss\" on a listen step") != std::string::npos);
  CHECK(why->find("Linux picks its own initial sequence numbers") != std::string::npos);

  Step connect{.action = Step::Do::Connect, .at = 10_ms};
  connect.remote = ep("10.0.0.1", 80);
  connect.local_port = 5000;
  connect.reuse_addr = true;
  CHECK_FALSE(live::unsupported_on_sockets(connect));
  connect.iss = net::SeqNum(1);
  REQUIRE(live::unsupported_on_sockets(connect));
  CHECK(live::unsupported_on_sockets(connect)->find("on a connect step") != std::string::npos);

  for (const auto action : {Step::Do::Accept, Step::Do::Send, Step::Do::Receive, Step::Do::Shutdown, Step::Do::Close,
                            Step::Do::Abort}) {
    Step s{.action = action, .on = app::Event::Eof};
    s.bytes = 1000;
    s.repeat = 3;
    s.interval = 5_ms;
    CHECK_FALSE(live::unsupported_on_sockets(s));
  }
}

TEST_CASE("The listener state changes the live apps report are the model's, texts included", "[live][apps]") {
  // The model's server listens, closes, listens again with linger=0 and closes (an abort).
  test::StackStar star({}, tcp::TcpParams::linux_profile());
  app::AppHost host(star.sched, star.stack("server"));
  app::Script script;
  app::Step listen{.action = app::Step::Do::Listen, .at = 0_ms};
  listen.port = 80;
  script.steps.push_back(listen);
  script.steps.push_back({.action = app::Step::Do::Close, .at = 1_ms});
  listen.at = 2_ms;
  listen.linger_zero = true;
  script.steps.push_back(listen);
  script.steps.push_back({.action = app::Step::Do::Close, .at = 3_ms});
  host.add(script);
  host.start();
  star.sched.run(sim::Time::zero() + 10_ms);

  std::vector<trace::StateChanged> model;
  for (const auto& r : star.trace.records())
    if (const auto* s = std::get_if<trace::StateChanged>(&r.body)) model.push_back(*s);
  const net::Endpoint local = ep("10.0.0.9", 80);
  const trace::NodeId node = model.empty() ? 0 : model[0].node;
  const std::vector<trace::StateChanged> live{live::listener_opened(node, local), live::listener_closed(node, local, false),
                                              live::listener_opened(node, local), live::listener_closed(node, local, true)};
  REQUIRE(model.size() == live.size());
  for (std::size_t i = 0; i < model.size(); ++i) {
    INFO(i);
    CHECK(model[i].node == live[i].node);
    CHECK(model[i].conn == live[i].conn);
    CHECK(model[i].from == live[i].from);
    CHECK(model[i].to == live[i].to);
    CHECK(model[i].cause == live[i].cause);
  }
}

TEST_CASE("Apps with nothing timed to run report idle once and return 0 when the stop pipe closes", "[live][apps]") {
  // A server that only reacts (no socket is made without a step that runs).
  app::Script reacting;
  reacting.steps.push_back({.action = app::Step::Do::Close, .on = app::Event::Eof});
  int out[2];
  int stop[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(pipe2(stop, O_CLOEXEC) == 0);
  close(stop[1]);  // already over: the loop sees EOF at its first wait
  const std::int64_t before = mono_now();
  CHECK(live::run_socket_apps({reacting}, 0, ep("127.0.0.1", 0).ip, {}, before, out[1], stop[0]) == 0);
  close(out[1]);
  close(stop[0]);
  const auto events = read_events(out[0]);
  close(out[0]);
  REQUIRE(events.size() == 1);
  CHECK(events[0].idle == true);
  CHECK_FALSE(events[0].body);
  CHECK(events[0].mono_ns >= before);
}

TEST_CASE("An internal failure of the apps is written as a note and returns non-zero", "[live][apps]") {
  int out[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  // No stop pipe to watch.
  CHECK(live::run_socket_apps({}, 2, ep("127.0.0.1", 0).ip, {}, mono_now(), out[1], -1) != 0);
  // A user timeout Linux cannot take.
  int stop[2];
  REQUIRE(pipe2(stop, O_CLOEXEC) == 0);
  live::SocketSetup bad;
  bad.user_timeout_ms = -1;
  CHECK(live::run_socket_apps({}, 2, ep("127.0.0.1", 0).ip, bad, mono_now(), out[1], stop[0]) != 0);
  close(stop[0]);
  close(stop[1]);
  close(out[1]);
  const auto events = read_events(out[0]);
  close(out[0]);
  REQUIRE(events.size() == 2);
  for (const AppEvent& e : events) {
    REQUIRE(e.body);
    const auto* note = std::get_if<trace::Note>(&*e.body);
    REQUIRE(note);
    CHECK(note->node == 2);
    CHECK(note->text.rfind("live apps failed: ", 0) == 0);
  }
  CHECK(std::get<trace::Note>(*events[0].body).text.find("EBADF") != std::string::npos);
  CHECK(std::get<trace::Note>(*events[1].body).text.find("TCP_USER_TIMEOUT -1 ms") != std::string::npos);
}
