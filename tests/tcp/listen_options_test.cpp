// Socket options on TcpStack: SO_LINGER with a zero timeout (close() resets) and SO_REUSEADDR
// (connect() takes a 4-tuple over from TIME-WAIT).
#include <catch2/catch.hpp>

#include "tests/tcp/listen_world.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using tcp::SocketId;
using tcp::State;
using test::ip;
using test::ListenWorld;

namespace {

sim::Time at(sim::Duration d) { return ListenWorld::at(d); }
const net::Endpoint kServer80{ip("10.0.0.9"), 80};

std::vector<const trace::SegmentSent*> rsts(const ListenWorld& w, const std::string& node) {
  std::vector<const trace::SegmentSent*> out;
  for (const auto& [t, s] : w.sent_by(node)) {
    if (s->seg.flags.rst) out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("close() on a socket with linger zero resets the connection instead of sending a FIN", "[stack][options]") {
  ListenWorld w({"client"}, tcp::TcpParams::rfc9293());
  w.listen(80, 4);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(50_ms);
  REQUIRE(w.accepted.size() == 1);
  CHECK(w["client"].set_linger_zero(c, true));
  w["client"].send(c, 100000);  // more than the window: data still queued at close()
  CHECK(w["client"].close(c) == tcp::CallError::None);
  CHECK(w["client"].state(c) == State::Closed);
  CHECK(w["client"].socket_count() == 0);
  w.run_until(200_ms);
  // The ABORT's RST, then one per ACK of the data in flight, which finds no TCB (§3.10.7.1).
  const auto r = rsts(w, "client");
  REQUIRE_FALSE(r.empty());
  CHECK(r[0]->cause == "§3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>");
  CHECK(std::count_if(r.begin(), r.end(), [](const auto* s) { return s->cause.starts_with("§3.10.5"); }) == 1);
  for (const auto& [t, s] : w.sent_by("client")) CHECK_FALSE(s->seg.flags.fin);
  CHECK(w.error_of("server", w.accepted[0]) == trace::AppError::ConnReset);
  CHECK(w["server"].state(w.accepted[0]) == State::Closed);
  bool call_noted = false;
  for (const auto& rec : w.trace.records()) {
    if (const auto* a = std::get_if<trace::AppCall>(&rec.body); a && a->call == "close") call_noted |= a->args == "linger=0";
  }
  CHECK(call_noted);
}

TEST_CASE("Linger zero can be turned off again, and an unknown socket refuses it", "[stack][options]") {
  ListenWorld w({"client"}, tcp::TcpParams::rfc9293());
  w.listen(80, 4);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(50_ms);
  CHECK(w["client"].set_linger_zero(c, true));
  CHECK(w["client"].set_linger_zero(c, false));
  CHECK_FALSE(w["client"].set_linger_zero(999, true));
  w["client"].close(c);
  CHECK(w["client"].state(c) == State::FinWait1);
  w.run_until(100_ms);
  CHECK(rsts(w, "client").empty());
}

TEST_CASE("Children inherit linger zero from their listener", "[stack][options]") {
  ListenWorld w({"client"}, tcp::TcpParams::rfc9293());
  const SocketId l = w.listen(80, 4);
  REQUIRE(w["server"].set_linger_zero(l, true));
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(50_ms);
  REQUIRE(w.accepted.size() == 1);
  w["server"].close(w.accepted[0]);
  w.run_until(100_ms);
  CHECK(rsts(w, "server").size() == 1);
  CHECK(w["client"].state(c) == State::Closed);
  CHECK(w.error_of("client", c) == trace::AppError::ConnReset);
}

TEST_CASE("connect() to a 4-tuple in TIME-WAIT fails unless reuse_addr takes it over", "[stack][options]") {
  ListenWorld w({"client"}, tcp::TcpParams::rfc9293());
  w.listen(80, 4);
  const SocketId first = w["client"].connect(kServer80, 40000);
  w.run_until(50_ms);
  w["client"].close(first);  // the server closes on EOF: the client ends in TIME-WAIT at 70 ms
  w.run_until(1_s);
  REQUIRE(w["client"].state(first) == State::TimeWait);
  const auto old = w["client"].status(first);
  REQUIRE(old);
  CHECK(w["client"].connect(kServer80, 40000) == tcp::kNoSocket);
  w["client"].set_reuse_addr(true);
  const SocketId again = w["client"].connect(kServer80, 40000);
  REQUIRE(again != tcp::kNoSocket);
  CHECK(w.notes_starting("reuse_addr: connect takes 10.0.0.1:40000") == 1);
  CHECK(w["client"].state(first) == State::Closed);  // the TIME-WAIT TCB is gone
  CHECK(w["client"].socket_count() == 1);
  CHECK(w["client"].status(again)->tcb.iss == old->tcb.snd_nxt + 65535 + 2);
  w.run_until(2_s);
  CHECK(w["client"].state(again) == State::Established);
  CHECK(w.accepted.size() == 2);
  // The old TIME-WAIT timer never fires: its socket is released.
  CHECK(w.entered("client", "CLOSED").empty());
}

TEST_CASE("reuse_addr does not take over a 4-tuple whose connection is not in TIME-WAIT", "[stack][options]") {
  ListenWorld w({"client"}, tcp::TcpParams::rfc9293());
  w.listen(80, 4);
  w["client"].set_reuse_addr(true);
  const SocketId first = w["client"].connect(kServer80, 40000);
  w.run_until(50_ms);
  CHECK(w["client"].connect(kServer80, 40000) == tcp::kNoSocket);
  CHECK(w["client"].state(first) == State::Established);
  // A pinned ISS still wins over the takeover rule.
  w["client"].close(first);
  w.run_until(1_s);
  REQUIRE(w["client"].state(first) == State::TimeWait);
  const SocketId again = w["client"].connect(kServer80, 40000, net::SeqNum(5));
  REQUIRE(again != tcp::kNoSocket);
  CHECK(w["client"].status(again)->tcb.iss == net::SeqNum(5));
  w.run_until(2_s);
  CHECK(w["client"].state(again) == State::Established);
  CHECK(w.entered("client", "ESTABLISHED") == std::vector{at(20_ms), at(1020_ms)});
}
