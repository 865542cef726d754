// parse_trace_line() on lines of trace_pipe captured from Linux 6.18 (loopback and TUN in network
// namespaces), and on the same lines bent out of shape.
#include <catch2/catch.hpp>
#include <string>

#include "sim/live/tracefs.hpp"

using tcpsim::live::KernelEvent;
using tcpsim::live::parse_trace_line;
using tcpsim::net::Ipv4;
using Kind = KernelEvent::Kind;

namespace {

constexpr Ipv4 ip(int a, int b, int c, int d) {
  return Ipv4{static_cast<std::uint32_t>(a << 24 | b << 16 | c << 8 | d)};
}

// A listener's socket: bind(127.0.0.1:5000) and listen().
const std::string kListen =
    "         python3-3931    [000] ..... 62128.431321: inet_sock_set_state: family=AF_INET "
    "protocol=IPPROTO_TCP sport=5000 dport=0 saddr=127.0.0.1 daddr=0.0.0.0 saddrv6=::ffff:127.0.0.1 "
    "daddrv6=::ffff:0.0.0.0 oldstate=TCP_CLOSE newstate=TCP_LISTEN";
// connect(): the state changes before the port is chosen, so sport is 0.
const std::string kSynSent =
    "         python3-3931    [000] ..... 62128.431359: inet_sock_set_state: family=AF_INET "
    "protocol=IPPROTO_TCP sport=0 dport=5000 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 "
    "daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT";
// The listener's child, in softirq context.
const std::string kSynRecv =
    "         python3-3931    [000] ..s2. 62128.431459: inet_sock_set_state: family=AF_INET "
    "protocol=IPPROTO_TCP sport=5000 dport=32984 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 "
    "daddrv6=::ffff:127.0.0.1 oldstate=TCP_LISTEN newstate=TCP_SYN_RECV";
// An orphaned FIN_WAIT_2 handed to a timewait socket, in another process's softirq.
const std::string kFinWait2Close =
    "         cc1plus-3919    [000] ..s1. 62128.476079: inet_sock_set_state: family=AF_INET "
    "protocol=IPPROTO_TCP sport=32984 dport=5000 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 "
    "daddrv6=::ffff:127.0.0.1 oldstate=TCP_FIN_WAIT2 newstate=TCP_CLOSE";
// A SYN to an address behind a TUN device nobody answers, sent again after 1 s.
const std::string kRetransmit =
    "          <idle>-0       [000] ..s2. 62160.360153: tcp_retransmit_skb: skbaddr=0000000043b67de0 "
    "skaddr=0000000045853882 family=AF_INET sport=44548 dport=80 saddr=10.9.9.1 daddr=10.9.9.2 "
    "saddrv6=::ffff:10.9.9.1 daddrv6=::ffff:10.9.9.2 state=TCP_SYN_SENT err=0";
// A SYN to a closed port: the RST is sent without a socket...
const std::string kSendResetNoSocket =
    "         python3-3931    [000] ..s1. 62128.481984: tcp_send_reset: skbaddr=0000000025a8ec38 "
    "skaddr=0000000000000000 src=127.0.0.1:5001 dest=127.0.0.1:57178 state=UNKNOWN reason=NO_SOCKET";
// ...and the connecting socket takes it.
const std::string kReceiveReset =
    "         python3-3931    [000] ..... 62128.482013: tcp_receive_reset: family=AF_INET sport=57178 "
    "dport=5001 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 "
    "sock_cookie=1";
// close() with SO_LINGER 0: the RST of a socket.
const std::string kSendResetSocket =
    "         python3-3931    [000] ..... 62128.482279: tcp_send_reset: skbaddr=0000000000000000 "
    "skaddr=000000001c5ff2aa src=127.0.0.1:33000 dest=127.0.0.1:5000 state=TCP_CLOSE reason=TCP_STATE";

// The same events over IPv6.
const std::string kIpv6Listen =
    "         python3-3931    [000] ..... 62128.532755: inet_sock_set_state: family=AF_INET6 "
    "protocol=IPPROTO_TCP sport=5002 dport=0 saddr=127.0.0.6 daddr=0.0.0.0 saddrv6=::1 daddrv6=:: "
    "oldstate=TCP_CLOSE newstate=TCP_LISTEN";
const std::string kIpv6Retransmit =
    "          <idle>-0       [001] ..s2. 62168.328100: tcp_retransmit_skb: skbaddr=00000000bdae81cb "
    "skaddr=0000000098ce847a family=AF_INET6 sport=53992 dport=80 saddr=0.0.0.0 daddr=0.0.0.0 "
    "saddrv6=fd00::1 daddrv6=fd00::2 state=TCP_SYN_SENT err=0";
const std::string kIpv6SendReset =
    "         python3-4321    [000] ..s1. 62167.314027: tcp_send_reset: skbaddr=0000000003c198ff "
    "skaddr=0000000000000000 src=[::1]:5009 dest=[::1]:54772 state=UNKNOWN reason=NO_SOCKET";
const std::string kIpv6ReceiveReset =
    "         python3-4321    [000] ..... 62167.314037: tcp_receive_reset: family=AF_INET6 sport=54772 "
    "dport=5009 saddr=0.0.0.0 daddr=0.0.0.0 saddrv6=::1 daddrv6=::1 sock_cookie=3";

std::string replace(std::string line, const std::string& from, const std::string& to) {
  const std::size_t at = line.find(from);
  REQUIRE(at != std::string::npos);
  return line.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("A listener's state change reads as CLOSED to LISTEN with its address and port", "[tracefs]") {
  const auto ev = parse_trace_line(kListen);
  REQUIRE(ev);
  CHECK(ev->kind == Kind::StateChange);
  CHECK(ev->mono_ns == 62128'431321'000);
  CHECK(ev->saddr == ip(127, 0, 0, 1));
  CHECK(ev->daddr == ip(0, 0, 0, 0));
  CHECK(ev->sport == 5000);
  CHECK(ev->dport == 0);
  CHECK(ev->from == "CLOSED");
  CHECK(ev->to == "LISTEN");
}

TEST_CASE("A connect's first state change reads as SYN_SENT with no source port yet", "[tracefs]") {
  const auto ev = parse_trace_line(kSynSent);
  REQUIRE(ev);
  CHECK(ev->from == "CLOSED");
  CHECK(ev->to == "SYN_SENT");
  CHECK(ev->sport == 0);
  CHECK(ev->dport == 5000);
  CHECK(ev->daddr == ip(127, 0, 0, 1));
}

TEST_CASE("The kernel's TCP_SYN_RECV is the model's SYN_RECEIVED", "[tracefs]") {
  const auto ev = parse_trace_line(kSynRecv);
  REQUIRE(ev);
  CHECK(ev->from == "LISTEN");
  CHECK(ev->to == "SYN_RECEIVED");
  CHECK(ev->sport == 5000);
  CHECK(ev->dport == 32984);
}

TEST_CASE("A state change in another process's softirq is read like any other", "[tracefs]") {
  const auto ev = parse_trace_line(kFinWait2Close);
  REQUIRE(ev);
  CHECK(ev->from == "FIN_WAIT_2");
  CHECK(ev->to == "CLOSED");
  CHECK(ev->mono_ns == 62128'476079'000);
}

TEST_CASE("Every kernel state of a full socket has the model's trace name", "[tracefs]") {
  const std::pair<const char*, const char*> names[] = {
      {"TCP_ESTABLISHED", "ESTABLISHED"},
      {"TCP_SYN_SENT", "SYN_SENT"},
      {"TCP_SYN_RECV", "SYN_RECEIVED"},
      {"TCP_FIN_WAIT1", "FIN_WAIT_1"},
      {"TCP_FIN_WAIT2", "FIN_WAIT_2"},
      {"TCP_TIME_WAIT", "TIME_WAIT"},
      {"TCP_CLOSE", "CLOSED"},
      {"TCP_CLOSE_WAIT", "CLOSE_WAIT"},
      {"TCP_LAST_ACK", "LAST_ACK"},
      {"TCP_LISTEN", "LISTEN"},
      {"TCP_CLOSING", "CLOSING"},
  };
  for (const auto& [kernel, model] : names) {
    INFO(kernel);
    const auto ev = parse_trace_line(replace(kFinWait2Close, "newstate=TCP_CLOSE", std::string("newstate=") + kernel));
    REQUIRE(ev);
    CHECK(ev->to == model);
  }
}

TEST_CASE("A retransmitted SYN reads as a retransmission of its connection", "[tracefs]") {
  const auto ev = parse_trace_line(kRetransmit);
  REQUIRE(ev);
  CHECK(ev->kind == Kind::Retransmit);
  CHECK(ev->mono_ns == 62160'360153'000);
  CHECK(ev->saddr == ip(10, 9, 9, 1));
  CHECK(ev->daddr == ip(10, 9, 9, 2));
  CHECK(ev->sport == 44548);
  CHECK(ev->dport == 80);
  CHECK(ev->from.empty());
  CHECK(ev->to.empty());
}

TEST_CASE("A reset sent without a socket has the reset's source as its local end", "[tracefs]") {
  const auto ev = parse_trace_line(kSendResetNoSocket);
  REQUIRE(ev);
  CHECK(ev->kind == Kind::SendReset);
  CHECK(ev->saddr == ip(127, 0, 0, 1));
  CHECK(ev->sport == 5001);
  CHECK(ev->daddr == ip(127, 0, 0, 1));
  CHECK(ev->dport == 57178);
}

TEST_CASE("A reset sent by a socket reads like one sent without", "[tracefs]") {
  const auto ev = parse_trace_line(kSendResetSocket);
  REQUIRE(ev);
  CHECK(ev->kind == Kind::SendReset);
  CHECK(ev->sport == 33000);
  CHECK(ev->dport == 5000);
}

TEST_CASE("A received reset has the receiving socket as its local end", "[tracefs]") {
  const auto ev = parse_trace_line(kReceiveReset);
  REQUIRE(ev);
  CHECK(ev->kind == Kind::ReceiveReset);
  CHECK(ev->mono_ns == 62128'482013'000);
  CHECK(ev->sport == 57178);
  CHECK(ev->dport == 5001);
  CHECK(ev->saddr == ip(127, 0, 0, 1));
}

TEST_CASE("IPv6 lines of every event are ignored", "[tracefs]") {
  CHECK_FALSE(parse_trace_line(kIpv6Listen));
  CHECK_FALSE(parse_trace_line(kIpv6Retransmit));
  CHECK_FALSE(parse_trace_line(kIpv6SendReset));
  CHECK_FALSE(parse_trace_line(kIpv6ReceiveReset));
}

TEST_CASE("State changes of other protocols are ignored", "[tracefs]") {
  CHECK_FALSE(parse_trace_line(replace(kListen, "IPPROTO_TCP", "IPPROTO_MPTCP")));
  CHECK_FALSE(parse_trace_line(replace(kListen, "IPPROTO_TCP", "IPPROTO_SCTP")));
}

TEST_CASE("Lines of other events are ignored", "[tracefs]") {
  CHECK_FALSE(
      parse_trace_line("          <idle>-0       [001] d..2. 62200.000001: sched_switch: prev_comm=swapper/1 "
                       "prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=python3 next_pid=4 next_prio=120"));
  CHECK_FALSE(parse_trace_line(replace(kListen, "inet_sock_set_state:", "inet_sock_set_stat:")));
}

TEST_CASE("Headers, loss notices and malformed lines are ignored", "[tracefs]") {
  CHECK_FALSE(parse_trace_line(""));
  CHECK_FALSE(parse_trace_line("# tracer: nop"));
  CHECK_FALSE(parse_trace_line("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION"));
  CHECK_FALSE(parse_trace_line("CPU:1 [LOST 42 EVENTS]"));
  CHECK_FALSE(parse_trace_line(kListen.substr(0, kListen.size() / 2)));               // cut short
  CHECK_FALSE(parse_trace_line(kListen.substr(0, kListen.find("newstate"))));         // no new state
  CHECK_FALSE(parse_trace_line(replace(kListen, "TCP_LISTEN", "TCP_NEW_SYN_RECV")));  // no model state
  CHECK_FALSE(parse_trace_line(replace(kListen, "TCP_LISTEN", "0xd")));               // a number
  CHECK_FALSE(parse_trace_line(replace(kListen, "saddr=127.0.0.1", "saddr=127.0.0.256")));
  CHECK_FALSE(parse_trace_line(replace(kListen, "sport=5000", "sport=65536")));
  CHECK_FALSE(parse_trace_line(replace(kListen, "sport=5000", "sport=")));
  CHECK_FALSE(parse_trace_line(replace(kListen, "62128.431321", "62128")));  // a counter clock
  CHECK_FALSE(parse_trace_line(replace(kSendResetNoSocket, "src=127.0.0.1:5001", "src=127.0.0.1")));
}

TEST_CASE("A command name holding spaces and colons does not hide the event", "[tracefs]") {
  const auto ev = parse_trace_line(replace(kListen, "python3-3931", "a 1: b:c d-3931"));
  REQUIRE(ev);
  CHECK(ev->to == "LISTEN");
  CHECK(ev->mono_ns == 62128'431321'000);
}

TEST_CASE("A line with the thread group id column or a newline reads the same", "[tracefs]") {
  const auto with_tgid = parse_trace_line(replace(kListen, "python3-3931    [000]", "python3-3931    (   3931) [000]"));
  REQUIRE(with_tgid);
  CHECK(with_tgid->to == "LISTEN");
  const auto with_newline = parse_trace_line(kListen + "\n");
  REQUIRE(with_newline);
  CHECK(with_newline->to == "LISTEN");
}

TEST_CASE("A line cut anywhere by a read is read once its end arrives", "[tracefs]") {
  const std::string stream = kListen + "\n" + kRetransmit + "\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at " << cut);
    tcpsim::live::TraceLineReader reader;
    std::vector<KernelEvent> events;
    reader.feed(std::string_view(stream).substr(0, cut), events);
    CHECK(events.size() == (cut == stream.size() ? 2u : cut > kListen.size() ? 1u : 0u));
    reader.feed(std::string_view(stream).substr(cut), events);
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == Kind::StateChange);
    CHECK(events[1].kind == Kind::Retransmit);
  }
}

TEST_CASE("A line without its newline yet is held back, and other lines are skipped", "[tracefs]") {
  tcpsim::live::TraceLineReader reader;
  std::vector<KernelEvent> events;
  reader.feed(kIpv6Listen + "\n" + kSynSent, events);
  CHECK(events.empty());
  reader.feed("\n", events);
  REQUIRE(events.size() == 1);
  CHECK(events[0].to == "SYN_SENT");
}

TEST_CASE("The pipe's loss notices are counted", "[tracefs]") {
  tcpsim::live::TraceLineReader reader;
  std::vector<KernelEvent> events;
  reader.feed("CPU:1 [LOST 42 EVENTS]\n" + kListen + "\nCPU:0 [LOST EVENTS]\n", events);
  CHECK(events.size() == 1);
  CHECK(reader.lost_events() == 43);
}

TEST_CASE("A request socket's SYN,ACK sent again reads as a retransmission of its local end") {
  const auto e = parse_trace_line(
      "          <idle>-0       [001] ..s2. 62170.100000: tcp_retransmit_synack: family=AF_INET sport=80 "
      "dport=41370 saddr=10.0.0.2 daddr=10.0.0.1 saddrv6=::ffff:10.0.0.2 daddrv6=::ffff:10.0.0.1");
  REQUIRE(e);
  CHECK(e->kind == Kind::Retransmit);
  CHECK(e->saddr.to_string() == "10.0.0.2");
  CHECK(e->sport == 80);
  CHECK(e->dport == 41370);
  CHECK(e->mono_ns == 62170100000000LL);
}
