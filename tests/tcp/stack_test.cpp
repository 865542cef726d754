// TcpStack on the real scheduler, trace and network: hosts joined by 10 ms links.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/tcp/stack.hpp"
#include "tests/support/star.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using tcp::SocketId;
using tcp::State;
using tcp::TcpStack;
using trace::AppError;
using trace::Notice;

namespace {

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }
net::Ipv4 ip(const char* text) { return *net::Ipv4::parse(text); }

// A star of hosts around `server`, each link 10 ms one way, and an application per host that
// reads every byte it is told about, accepts every child that connects and closes on EOF.
struct World : test::StackStar {
  std::map<std::pair<std::size_t, SocketId>, std::uint64_t> read;  // (stack, socket) -> octets read
  std::map<std::size_t, SocketId> listener;
  std::vector<SocketId> accepted;  // by the server's application, in order
  bool auto_accept = true;

  explicit World(std::vector<std::string> clients, tcp::TcpParams params = tcp::TcpParams::rfc9293())
      : StackStar(clients, params) {
    for (std::size_t k = 0; k < stacks.size(); ++k)
      stacks[k]->set_observer([this, k](SocketId s, Notice n, AppError, std::uint64_t) { on_notice(k, s, n); });
  }
  void on_notice(std::size_t k, SocketId s, Notice n) {
    TcpStack& st = *stacks[k];
    if (n == Notice::Data) read[{k, s}] += st.receive(s, UINT64_MAX);
    if (n == Notice::Connected && auto_accept && listener.contains(k)) {
      if (const auto child = st.accept(listener[k])) accepted.push_back(*child);
    }
    if (n == Notice::Eof) st.close(s);
  }
  TcpStack& operator[](const std::string& name) { return stack(name); }
  SocketId listen(std::uint16_t port, std::uint32_t backlog) {
    const SocketId l = (*this)["server"].listen(port, backlog);
    listener[index.at("server")] = l;
    return l;
  }
  std::uint64_t octets_read(const std::string& name) const {
    std::uint64_t n = 0;
    for (const auto& [key, octets] : read) n += key.first == index.at(name) ? octets : 0;
    return n;
  }
  void run_until(sim::Duration d) { sched.run(at(d)); }

  // Times at which `node` entered `to`, in order.
  std::vector<sim::Time> entered(const std::string& node, std::string_view to) const {
    std::vector<sim::Time> out;
    const net::NodeId id = *net.find(node);
    for (const auto& r : trace.records()) {
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body); sc && sc->node == id && sc->to == to) {
        out.push_back(r.time);
      }
    }
    return out;
  }
  bool has_state_change(const std::string& node, std::string_view to, std::string_view cause_prefix) const {
    const net::NodeId id = *net.find(node);
    for (const auto& r : trace.records()) {
      if (const auto* sc = std::get_if<trace::StateChanged>(&r.body);
          sc && sc->node == id && sc->to == to && sc->cause.starts_with(cause_prefix)) {
        return true;
      }
    }
    return false;
  }
  std::vector<const trace::SegmentSent*> sent_by(const std::string& node) const {
    std::vector<const trace::SegmentSent*> out;
    const net::NodeId id = *net.find(node);
    for (const auto& r : trace.records()) {
      if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && s->node == id) out.push_back(s);
    }
    return out;
  }
};

const net::Endpoint kServer80{ip("10.0.0.9"), 80};

}  // namespace

TEST_CASE("A connect to a listener reaches ESTABLISHED on both sides after one and a half round trips", "[stack]") {
  World w({"client"});
  w.listen(80, 8);
  const SocketId c = w["client"].connect(kServer80);
  REQUIRE(c != tcp::kNoSocket);
  CHECK(w["client"].state(c) == State::SynSent);
  w.run_until(100_ms);
  CHECK(w["client"].state(c) == State::Established);
  CHECK(w.entered("client", "ESTABLISHED") == std::vector{at(20_ms)});
  CHECK(w.entered("server", "ESTABLISHED") == std::vector{at(30_ms)});
  CHECK(w.entered("server", "LISTEN") == std::vector{at(0_ms)});  // the listener, not the child
  CHECK(w.has_state_change("client", "SYN_SENT", "§3.10.1"));
  CHECK(w.has_state_change("client", "ESTABLISHED", "§3.10.7.3"));
  CHECK(w.has_state_change("server", "SYN_RECEIVED", "§3.10.7.2"));
  CHECK(w.has_state_change("server", "ESTABLISHED", "§3.10.7.4"));
  // The client's port is the first ephemeral one; the retransmission timer was armed and cancelled.
  const auto status = w["client"].status(c);
  REQUIRE(status);
  CHECK(status->id.local.port == 49152);
  bool armed = false, cancelled = false;
  for (const auto& r : w.trace.records()) {
    if (const auto* t = std::get_if<trace::TimerEvent>(&r.body); t && t->timer == "retransmit") {
      armed |= t->op == trace::TimerOp::Armed;
      cancelled |= t->op == trace::TimerOp::Cancelled;
    }
  }
  CHECK(armed);
  CHECK(cancelled);
  CHECK(w["server"].socket_count() == 2);  // the listener and the accepted connection
}

TEST_CASE("A connect to a port without a listener is refused by a RST,ACK", "[stack]") {
  World w({"client"});
  std::vector<AppError> errors;
  w["client"].set_observer([&](SocketId, Notice n, AppError e, std::uint64_t) {
    if (n == Notice::Error) errors.push_back(e);
  });
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(100_ms);
  const auto from_server = w.sent_by("server");
  REQUIRE(from_server.size() == 1);
  CHECK(from_server[0]->seg.flags == net::Flags{.ack = true, .rst = true});
  CHECK(from_server[0]->cause == "§3.10.7.1: no TCB -> RST");
  CHECK(w["server"].resets_for_closed() == 1);
  CHECK(errors == std::vector{AppError::ConnRefused});
  bool refused_record = false;
  for (const auto& r : w.trace.records()) {
    if (const auto* n = std::get_if<trace::AppNotify>(&r.body)) refused_record |= n->error == AppError::ConnRefused;
  }
  CHECK(refused_record);
  CHECK(w["client"].state(c) == State::Closed);
  CHECK(w["client"].socket_count() == 0);  // released
  CHECK(w["client"].send(c, 10) == tcp::CallError::ConnectionDoesNotExist);
}

TEST_CASE("Data sent by the client is read by the server application", "[stack]") {
  World w({"client"});
  w.listen(80, 8);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(50_ms);
  std::uint64_t accepted = 0;
  CHECK(w["client"].send(c, 5000, &accepted) == tcp::CallError::None);
  CHECK(accepted == 5000);
  w.run_until(200_ms);
  CHECK(w.octets_read("server") == 5000);
  const auto status = w["client"].status(c);
  REQUIRE(status);
  CHECK(status->send_queued == 0);
}

TEST_CASE("A normal close leaves the client in TIME-WAIT for 2 MSL, then every connection is released",
          "[stack]") {
  tcp::TcpParams params = tcp::TcpParams::rfc9293();
  params.msl = 1_s;
  World w({"client"}, params);
  w.listen(80, 8);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(50_ms);
  CHECK(w["client"].close(c) == tcp::CallError::None);
  w.run_until(1_s);
  CHECK(w["client"].state(c) == State::TimeWait);
  const auto tw = w.entered("client", "TIME_WAIT");
  REQUIRE(tw.size() == 1);
  CHECK(tw[0] == at(70_ms));  // FIN at 50 ms, the server's FIN (sent on EOF at 60 ms) at 70 ms
  CHECK(w["server"].socket_count() == 1);  // the child went LAST-ACK -> CLOSED at 80 ms
  w.run_until(3_s);
  CHECK(w.entered("client", "CLOSED") == std::vector{tw[0] + 2_s});
  CHECK(w["client"].state(c) == State::Closed);
  CHECK(w["client"].socket_count() == 0);
  CHECK(w.sched.pending_count() == 0);
}

TEST_CASE("ISNs pinned just below 2^32 carry a transfer across the wrap", "[stack]") {
  World w({"client"});
  w.listen(80, 8);
  w["client"].set_fixed_iss(5000, net::SeqNum(0xFFFFFFF0u));
  w["server"].set_fixed_iss(80, net::SeqNum(0xFFFFFFFEu));
  const SocketId c = w["client"].connect(kServer80, 5000);
  w.run_until(50_ms);
  REQUIRE(w["client"].state(c) == State::Established);
  CHECK(w["client"].status(c)->tcb.iss == net::SeqNum(0xFFFFFFF0u));
  CHECK(w["client"].status(c)->tcb.irs == net::SeqNum(0xFFFFFFFEu));
  w["client"].send(c, 5000);
  w.run_until(300_ms);
  CHECK(w.octets_read("server") == 5000);
  CHECK(w["client"].status(c)->tcb.snd_una == net::SeqNum(0xFFFFFFF0u) + 5001);
}

TEST_CASE("Unpinned ISNs differ per connection and follow the 4 microsecond clock", "[stack]") {
  World w({"a", "b"});
  w.listen(80, 8);
  const SocketId a = w["a"].connect(kServer80, 1000);
  const SocketId b = w["b"].connect(kServer80, 1000);
  CHECK(w["a"].status(a)->tcb.iss != w["b"].status(b)->tcb.iss);
}

TEST_CASE("A backlog of 2 drops the third SYN until the application accepts", "[stack]") {
  World w({"c1", "c2", "c3"});
  w.auto_accept = false;
  const SocketId l = w.listen(80, 2);
  const SocketId s1 = w["c1"].connect(kServer80);
  const SocketId s2 = w["c2"].connect(kServer80);
  const SocketId s3 = w["c3"].connect(kServer80);
  w.run_until(500_ms);
  CHECK(w["c1"].state(s1) == State::Established);
  CHECK(w["c2"].state(s2) == State::Established);
  CHECK(w["c3"].state(s3) == State::SynSent);
  CHECK(w["server"].syns_dropped() == 1);
  bool noted = false;
  for (const auto& r : w.trace.records()) {
    if (const auto* n = std::get_if<trace::Note>(&r.body)) noted |= n->text == "listen queue full: SYN dropped (SYN queue full)";
  }
  CHECK(noted);
  const auto first = w["server"].accept(l);
  REQUIRE(first);
  CHECK(w["server"].status(*first)->id.remote.ip == ip("10.0.0.1"));
  // c3's SYN is retransmitted after the initial RTO (1 s) and now finds room.
  w.run_until(2_s);
  CHECK(w["c3"].state(s3) == State::Established);
  CHECK(w.entered("c3", "ESTABLISHED") == std::vector{at(1020_ms)});
  CHECK(w.sent_by("c3").size() == 3);  // SYN, SYN again, ACK
  CHECK(w["server"].syns_dropped() == 1);
  CHECK(w["server"].accept(l));
  CHECK(w["server"].accept(l));
  CHECK_FALSE(w["server"].accept(l));
}

TEST_CASE("A new SYN reopens a server connection in TIME-WAIT when the profile allows it", "[stack]") {
  World w({"client"}, tcp::TcpParams::linux_profile());
  w.listen(80, 8);
  w["client"].connect(kServer80, 40000);
  w.run_until(50_ms);
  REQUIRE(w.accepted.size() == 1);
  w["server"].close(w.accepted[0]);  // the server closes first and ends in TIME-WAIT
  w.run_until(200_ms);
  REQUIRE(w.entered("server", "TIME_WAIT") == std::vector{at(70_ms)});
  CHECK(w["client"].socket_count() == 0);
  const auto old = w["server"].status(w.accepted[0]);
  REQUIRE(old);
  const SocketId again = w["client"].connect(kServer80, 40000);
  w.run_until(300_ms);
  CHECK(w["client"].state(again) == State::Established);
  CHECK(w.entered("client", "ESTABLISHED") == std::vector{at(20_ms), at(220_ms)});
  REQUIRE(w.accepted.size() == 2);
  CHECK(w["server"].state(w.accepted[0]) == State::Closed);  // the old incarnation is gone
  CHECK(w["server"].status(w.accepted[1])->tcb.iss == old->tcb.snd_nxt + 65535 + 2);
}

TEST_CASE("Closing a listener aborts the children it has not handed out", "[stack]") {
  World w({"client"});
  w.auto_accept = false;
  const SocketId l = w.listen(80, 4);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(50_ms);
  REQUIRE(w["server"].socket_count() == 2);
  CHECK(w["server"].close(l) == tcp::CallError::None);
  CHECK(w["server"].socket_count() == 0);
  w.run_until(100_ms);
  CHECK(w["client"].state(c) == State::Closed);  // reset by the child's abort
}

TEST_CASE("The same setup run twice gives identical trace records", "[stack]") {
  const auto run = [] {
    tcp::TcpParams params = tcp::TcpParams::rfc9293();
    params.msl = 1_s;
    World w({"c1", "c2"}, params);
    w.listen(80, 8);
    const SocketId a = w["c1"].connect(kServer80);
    const SocketId b = w["c2"].connect(kServer80);
    w.run_until(50_ms);
    w["c1"].send(a, 5000);
    w["c2"].send(b, 3000);
    w.run_until(200_ms);
    w["c1"].close(a);
    w["c2"].close(b);
    w.run_until(5_s);
    return w.jsonl();
  };
  const auto first = run();
  CHECK(first.size() > 50);
  CHECK(first == run());
}
