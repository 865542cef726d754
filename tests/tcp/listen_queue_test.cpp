// Listen queues through TcpStack on the real scheduler and network (catalog card 3.14): SYN
// cookies when the SYN queue is full, and a handshake that completes while the accept queue is
// full (dropped, or refused with tcp_abort_on_overflow).
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

// Fills a linux-profile listener's SYN queue (backlog 1 holds 2 requests) with SYNs from
// addresses no host owns (their SYN,ACKs find no route), arriving at 10 ms.
void fill_syn_queue(ListenWorld& w, const std::string& via) {
  for (std::uint32_t i = 1; i <= 2; ++i) {
    const net::Endpoint spoofed{net::Ipv4{ip("10.66.0.0").value + i}, 1000};
    w.inject(via, test::syn_from(spoofed, kServer80, net::SeqNum(7 * i)));
  }
}

}  // namespace

TEST_CASE("With SYN cookies a SYN that finds the SYN queue full is answered statelessly and its ACK "
          "creates the connection in ESTABLISHED",
          "[stack][listen][syncookie]") {
  ListenWorld w({"client"}, tcp::TcpParams::linux_profile());
  w.listen(80, 1);
  fill_syn_queue(w, "client");
  w.run_until(5_ms);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(10_s);
  REQUIRE(w["client"].state(c) == State::Established);
  CHECK(w.entered("client", "ESTABLISHED") == std::vector{at(25_ms)});
  REQUIRE(w.accepted.size() == 1);
  const SocketId child = w.accepted[0];
  CHECK(w["server"].state(child) == State::Established);
  CHECK(w["server"].syn_cookies_sent() == 1);
  CHECK(w["server"].syn_cookies_validated() == 1);
  CHECK(w.notes_starting("SYN cookie validated for ") == 1);
  // One SYN,ACK for the client, never retransmitted: the cookie is its ISS.
  std::vector<const trace::SegmentSent*> to_client;
  for (const auto& [t, s] : w.sent_by("server")) {
    if (s->seg.dst == ip("10.0.0.1") && s->seg.flags.syn) to_client.push_back(s);
  }
  REQUIRE(to_client.size() == 1);
  CHECK(to_client[0]->cause.starts_with("RFC 4987 §3.6: SYN queue full"));
  CHECK(to_client[0]->seg.options.mss == std::optional<std::uint16_t>(1460));
  const auto server_side = w["server"].status(child);
  const auto client_side = w["client"].status(c);
  REQUIRE(server_side);
  REQUIRE(client_side);
  CHECK(server_side->tcb.iss == to_client[0]->seg.seq);
  CHECK(client_side->tcb.irs == server_side->tcb.iss);
  CHECK(server_side->tcb.irs == client_side->tcb.iss);
  // The cookie's MSS index (1460), less the 12 octets of the timestamps the cookie's TSval kept.
  CHECK(server_side->tcb.snd_mss == 1448);
  CHECK(to_client[0]->seg.options.sack_permitted);
  REQUIRE(to_client[0]->seg.options.timestamps);
  CHECK((to_client[0]->seg.options.timestamps->val & 0x3f) == 0x1f);  // no window scale, SACK-permitted
  CHECK(server_side->passive);
  // The child passes SYN-RECEIVED only at the instant of the ACK; its causes name the cookie rule.
  const auto changes = w.state_changes("server");
  REQUIRE(changes.size() == 5);  // listener LISTEN, 2 spoofed requests SYN-RECEIVED, the cookie child twice
  CHECK(changes[3]->to == "SYN_RECEIVED");
  CHECK(changes[3]->cause.starts_with("RFC 4987 §3.6: SYN cookie validated"));
  CHECK(changes[4]->from == "SYN_RECEIVED");
  CHECK(changes[4]->to == "ESTABLISHED");
  CHECK(changes[4]->cause == "SYN cookie validated (RFC 4987 §3.6) -> ESTABLISHED");
  CHECK(w.entered("server", "ESTABLISHED") == std::vector{at(35_ms)});
  // The connection carries data as any other.
  w["client"].send(c, 4000);
  w.run_until(11_s);
  CHECK(w.octets_read("server") == 4000);
}

TEST_CASE("Data on the ACK that returns a SYN cookie is delivered with the new connection",
          "[stack][listen][syncookie]") {
  ListenWorld w({"client"}, tcp::TcpParams::linux_profile());
  w.listen(80, 1);
  fill_syn_queue(w, "client");
  w.run_until(5_ms);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(24_ms);
  w["client"].send(c, 100);  // queued in SYN-SENT, leaves with the ACK at 25 ms
  w.run_until(1_s);
  CHECK(w["client"].state(c) == State::Established);
  REQUIRE(w.accepted.size() == 1);
  CHECK(w.octets_read("server") == 100);
  CHECK(w["client"].status(c)->send_queued == 0);
}

TEST_CASE("An ACK to a listener that returns no valid SYN cookie is answered with a RST as in LISTEN",
          "[stack][listen][syncookie]") {
  ListenWorld w({"client"}, tcp::TcpParams::linux_profile());
  w.listen(80, 1);
  fill_syn_queue(w, "client");
  w.run_until(5_ms);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(15_ms);  // the cookie SYN,ACK is on its way
  REQUIRE(w["server"].syn_cookies_sent() == 1);
  const net::Segment forged{.src = ip("10.0.0.1"), .dst = kServer80.ip, .sport = 50000, .dport = 80,
                            .seq = net::SeqNum(1), .ack = net::SeqNum(12345), .flags = {.ack = true}, .window = 1000};
  w.inject("client", forged);
  w.run_until(1_s);
  CHECK(w.notes_starting("invalid SYN cookie from 10.0.0.1:50000") == 1);
  bool rst = false;
  for (const auto& [t, s] : w.sent_by("server")) {
    if (s->seg.flags.rst && s->seg.dport == 50000) {
      rst = true;
      CHECK(s->seg.seq == net::SeqNum(12345));
      CHECK(s->cause == "§3.10.7.2 second: ACK in LISTEN -> RST");
    }
  }
  CHECK(rst);
  CHECK(w["server"].syn_cookies_validated() == 1);  // the real client only
  CHECK(w["client"].state(c) == State::Established);
}

TEST_CASE("Without SYN cookies an ACK that looks like one is answered with a RST", "[stack][listen][syncookie]") {
  tcp::TcpParams params = tcp::TcpParams::linux_profile();
  params.syn_cookies = false;
  ListenWorld w({"client"}, params);
  w.listen(80, 1);
  fill_syn_queue(w, "client");
  w.run_until(5_ms);
  const SocketId c = w["client"].connect(kServer80);
  w.run_until(500_ms);
  CHECK(w["client"].state(c) == State::SynSent);  // its SYN was dropped
  CHECK(w["server"].syns_dropped() == 1);
  CHECK(w.notes_starting("listen queue full: SYN dropped (SYN queue full)") == 1);
  CHECK(w["server"].syn_cookies_sent() == 0);
}

TEST_CASE("A valid SYN cookie that finds the accept queue full is dropped and validates again on the "
          "peer's retransmission",
          "[stack][listen][syncookie]") {
  ListenWorld w({"c1", "c2", "c3"}, tcp::TcpParams::linux_profile());
  w.auto_accept = false;
  w.listen(80, 1);  // linux: 2 requests, 2 children
  fill_syn_queue(w, "c1");
  w.run_until(5_ms);
  const SocketId s1 = w["c1"].connect(kServer80);
  w.run_until(6_ms);
  const SocketId s2 = w["c2"].connect(kServer80);
  w.run_until(7_ms);
  const SocketId s3 = w["c3"].connect(kServer80);
  w.run_until(40_ms);
  CHECK(w["server"].syn_cookies_sent() == 3);
  CHECK(w["server"].syn_cookies_validated() == 2);  // c1's and c2's (35, 36 ms) fill the accept queue
  CHECK(w["server"].acks_dropped_on_overflow() == 1);
  CHECK(w.notes_starting("accept queue full: ACK with a valid SYN cookie dropped") == 1);
  CHECK(w["c3"].state(s3) == State::Established);  // c3 does not know
  w.run_until(50_ms);
  w["c3"].send(s3, 100);  // dropped the same way at 60 ms
  w.run_until(100_ms);
  CHECK(w["server"].acks_dropped_on_overflow() == 2);
  w.accept_all();
  REQUIRE(w.accepted.size() == 2);
  w.run_until(1_s);  // c3's retransmission carries the cookie again
  CHECK(w["server"].syn_cookies_validated() == 3);
  CHECK(w.octets_read("server") == 100);
  w.accept_all();
  CHECK(w.accepted.size() == 3);
  CHECK(w["c1"].state(s1) == State::Established);
  CHECK(w["c2"].state(s2) == State::Established);
}

TEST_CASE("A valid SYN cookie that finds the accept queue full is refused with a RST under abort_on_overflow",
          "[stack][listen][syncookie]") {
  tcp::TcpParams params = tcp::TcpParams::linux_profile();
  params.abort_on_overflow = true;
  ListenWorld w({"c1", "c2", "c3"}, params);
  w.auto_accept = false;
  w.listen(80, 1);
  fill_syn_queue(w, "c1");
  w.run_until(5_ms);
  w["c1"].connect(kServer80);
  w.run_until(6_ms);
  w["c2"].connect(kServer80);
  w.run_until(7_ms);
  const SocketId s3 = w["c3"].connect(kServer80);
  w.run_until(100_ms);
  CHECK(w["server"].resets_on_overflow() == 1);
  CHECK(w["server"].acks_dropped_on_overflow() == 0);
  CHECK(w.notes_starting("accept queue full: valid SYN cookie refused") == 1);
  CHECK(w["c3"].state(s3) == State::Closed);
  CHECK(w.error_of("c3", s3) == trace::AppError::ConnReset);
}

TEST_CASE("A linux listener holds backlog + 1 children and requests, an rfc9293 one exactly backlog", "[stack][listen]") {
  for (const bool linux : {false, true}) {
    ListenWorld w({"c1", "c2", "c3"}, linux ? tcp::TcpParams::linux_profile() : tcp::TcpParams::rfc9293());
    w.auto_accept = false;
    w.listen(80, 1);
    const SocketId s1 = w["c1"].connect(kServer80);
    const SocketId s2 = w["c2"].connect(kServer80);
    const SocketId s3 = w["c3"].connect(kServer80);
    w.run_until(100_ms);
    CHECK(w["c1"].state(s1) == State::Established);
    CHECK(w["c2"].state(s2) == (linux ? State::Established : State::SynSent));
    // linux: c3's SYN found 2 requests and got a cookie; its ACK then found 2 children and was
    // dropped, which c3 cannot know.
    CHECK(w["c3"].state(s3) == (linux ? State::Established : State::SynSent));
    CHECK(w["server"].syn_cookies_sent() == (linux ? 1u : 0u));
    CHECK(w["server"].acks_dropped_on_overflow() == (linux ? 1u : 0u));
    CHECK(w["server"].syns_dropped() == (linux ? 0u : 2u));
  }
}

TEST_CASE("A third ACK that finds the accept queue full is dropped and the child completes on a later ACK "
          "once accept() makes room",
          "[stack][listen]") {
  ListenWorld w({"c1", "c2", "c3"}, tcp::TcpParams::rfc9293());
  w.auto_accept = false;
  w.listen(80, 2);
  w["c1"].connect(kServer80);  // ESTABLISHED at the server at 30 ms: accept queue 1 of 2
  w.run_until(25_ms);
  w["c2"].connect(kServer80);  // both SYNs find room at 35 ms
  w.run_until(26_ms);
  const SocketId s3 = w["c3"].connect(kServer80);
  w.run_until(500_ms);
  // c2's ACK (55 ms) fills the accept queue; c3's (56 ms) is dropped, its child stays SYN-RECEIVED.
  CHECK(w["server"].acks_dropped_on_overflow() == 1);
  CHECK(w.notes_starting("accept queue full: third ACK dropped, child stays SYN-RECEIVED") == 1);
  CHECK(w.entered("server", "ESTABLISHED") == std::vector{at(30_ms), at(55_ms)});
  CHECK(w["c3"].state(s3) == State::Established);
  CHECK(w["server"].socket_count() == 4);
  w.accept_all();
  CHECK(w.accepted.size() == 2);
  // The child's SYN,ACK retransmission (36 ms + RTO 1 s) draws c3's ACK, which now finds room.
  w.run_until(2_s);
  CHECK(w.entered("server", "ESTABLISHED") == std::vector{at(30_ms), at(55_ms), at(1056_ms)});
  w.accept_all();
  CHECK(w.accepted.size() == 3);
  CHECK(w["server"].acks_dropped_on_overflow() == 1);
  CHECK_FALSE(w.error_of("c3", s3));
}

TEST_CASE("With abort_on_overflow a third ACK that finds the accept queue full is answered with a RST "
          "and the request is released",
          "[stack][listen]") {
  tcp::TcpParams params = tcp::TcpParams::rfc9293();
  params.abort_on_overflow = true;
  ListenWorld w({"c1", "c2", "c3"}, params);
  w.auto_accept = false;
  w.listen(80, 2);
  w["c1"].connect(kServer80);
  w.run_until(25_ms);
  w["c2"].connect(kServer80);
  w.run_until(26_ms);
  const SocketId s3 = w["c3"].connect(kServer80);
  w.run_until(500_ms);
  CHECK(w["server"].resets_on_overflow() == 1);
  CHECK(w.notes_starting("accept queue full: third ACK refused with RST") == 1);
  CHECK(w["server"].socket_count() == 3);  // the listener and two children
  CHECK(w["c3"].state(s3) == State::Closed);
  CHECK(w.error_of("c3", s3) == trace::AppError::ConnReset);
  CHECK(w.entered("c3", "CLOSED") == std::vector{at(66_ms)});
  const auto c3_status_rst = [&] {
    for (const auto& [t, s] : w.sent_by("server")) {
      if (s->seg.flags.rst) return std::make_pair(t, s);
    }
    return std::pair<sim::Time, const trace::SegmentSent*>{};
  }();
  REQUIRE(c3_status_rst.second);
  CHECK(c3_status_rst.first == at(56_ms));
  CHECK(c3_status_rst.second->seg.flags == net::Flags{.rst = true});
  CHECK(c3_status_rst.second->cause.starts_with("linux tcp_abort_on_overflow"));
  bool back_to_listen = false;
  for (const auto* sc : w.state_changes("server")) {
    back_to_listen |= sc->from == "SYN_RECEIVED" && sc->to == "LISTEN" && sc->cause.starts_with("linux tcp_abort_on_overflow");
  }
  CHECK(back_to_listen);
}
