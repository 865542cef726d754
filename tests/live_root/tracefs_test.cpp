// KernelTracer against the running kernel: connections made in a fresh network namespace (a
// forked child), read back from the tracer's own tracefs instance; the instance's removal; stale
// instances; tracefs mounted when absent; HZ measured.
#include "sim/live/tracefs.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using tcpsim::live::KernelEvent;
using tcpsim::live::KernelTracer;
using Kind = KernelEvent::Kind;
using Transition = std::pair<std::string, std::string>;

namespace {

std::int64_t mono_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Each test's instance is named after the test and this process, so copies of the suite running
// at once (other build trees) do not meet.
std::string instance_name(const char* what) {
  return std::string("tcpsim-test-") + what + "-" + std::to_string(getpid());
}

std::unique_ptr<KernelTracer> open_tracer(const char* what) {
  std::string error;
  auto tracer = KernelTracer::open(instance_name(what), &error);
  INFO(error);
  REQUIRE(tracer);
  CHECK(error.empty());
  return tracer;
}

// --- The child side: plain POSIX, reporting failure through its exit status and stderr.

[[noreturn]] void child_fail(const char* what) {
  std::fprintf(stderr, "child: %s: %s\n", what, std::strerror(errno));
  _exit(1);
}

void loopback_up() {
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) child_fail("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) child_fail("SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) child_fail("SIOCSIFFLAGS lo");
  close(s);
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int tcp_socket() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) child_fail("socket");
  return fd;
}

void bind_loopback(int fd, std::uint16_t port) {
  const sockaddr_in a = loopback(port);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) child_fail("bind");
}

std::uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) child_fail("getsockname");
  return ntohs(a.sin_port);
}

int connect_loopback(int fd, std::uint16_t port) {
  const sockaddr_in a = loopback(port);
  return connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Runs `body` in a child process inside a fresh network namespace whose loopback is up; the
// ports `body` reports (written to the given fd) come back in order. REQUIREs a clean exit.
std::vector<std::uint16_t> in_fresh_netns(const std::function<void(int)>& body) {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    if (unshare(CLONE_NEWNET) != 0) child_fail("unshare(CLONE_NEWNET)");
    loopback_up();
    body(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  std::vector<std::uint16_t> ports;
  std::uint16_t port = 0;
  while (read(fds[0], &port, sizeof port) == static_cast<ssize_t>(sizeof port)) ports.push_back(port);
  close(fds[0]);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return ports;
}

void report_port(int out, std::uint16_t port) {
  if (write(out, &port, sizeof port) != static_cast<ssize_t>(sizeof port)) child_fail("write");
}

// --- The parent side.

// Polls and drains until `done` holds for what was read, or 3 s have passed.
std::vector<KernelEvent> collect(KernelTracer& tracer,
                                 const std::function<bool(const std::vector<KernelEvent>&)>& done) {
  std::vector<KernelEvent> all;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!done(all) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{tracer.fd(), POLLIN, 0};
    poll(&p, 1, 100);
    for (KernelEvent& ev : tracer.drain()) all.push_back(ev);
  }
  return all;
}

std::vector<KernelEvent> matching(const std::vector<KernelEvent>& events,
                                  const std::function<bool(const KernelEvent&)>& pick) {
  std::vector<KernelEvent> out;
  for (const KernelEvent& ev : events) {
    if (pick(ev)) out.push_back(ev);
  }
  return out;
}

std::vector<Transition> transitions(const std::vector<KernelEvent>& events) {
  std::vector<Transition> out;
  for (const KernelEvent& ev : events) {
    if (ev.kind == Kind::StateChange) out.emplace_back(ev.from, ev.to);
  }
  return out;
}

const tcpsim::net::Ipv4 kLoopback{0x7f000001};

}  // namespace

TEST_CASE("A loopback connection in a fresh namespace is traced from SYN_SENT to CLOSED on both ends", "[tracefs]") {
  auto tracer = open_tracer("connection");
  const std::int64_t before = mono_now();
  // Ports: the listener's, then the client's.
  const auto ports = in_fresh_netns([](int out) {
    const int listener = tcp_socket();
    bind_loopback(listener, 0);
    if (listen(listener, 4) != 0) child_fail("listen");
    report_port(out, local_port(listener));
    const int client = tcp_socket();
    if (connect_loopback(client, local_port(listener)) != 0) child_fail("connect");
    report_port(out, local_port(client));
    const int server = accept(listener, nullptr, nullptr);
    if (server < 0) child_fail("accept");
    // The client closes first (FIN_WAIT_1); once the server has seen the FIN (CLOSE_WAIT), it
    // closes too (LAST_ACK), and the client's TIME_WAIT answers.
    close(client);
    char byte = 0;
    if (read(server, &byte, 1) != 0) child_fail("read (expected the end of the stream)");
    sleep_ms(50);
    close(server);
    sleep_ms(50);
    close(listener);
  });
  REQUIRE(ports.size() == 2);
  const std::uint16_t lport = ports[0];
  const std::uint16_t cport = ports[1];

  auto is_listener = [&](const KernelEvent& e) { return e.sport == lport && e.dport == 0; };
  // The client's first change comes before its port is chosen (sport 0).
  auto is_client = [&](const KernelEvent& e) { return (e.sport == cport || e.sport == 0) && e.dport == lport; };
  auto is_server = [&](const KernelEvent& e) { return e.sport == lport && e.dport == cport; };
  const auto events = collect(*tracer, [&](const std::vector<KernelEvent>& all) {
    return matching(all, is_listener).size() >= 2 && matching(all, is_client).size() >= 5 &&
           matching(all, is_server).size() >= 5;
  });
  const std::int64_t after = mono_now();

  const auto listener = matching(events, is_listener);
  const auto client = matching(events, is_client);
  const auto server = matching(events, is_server);
  CHECK(transitions(listener) == std::vector<Transition>{{"CLOSED", "LISTEN"}, {"LISTEN", "CLOSED"}});
  // The client's TIME_WAIT is a timewait mini-socket the tracepoint does not follow: the full
  // socket goes from FIN_WAIT_2 to CLOSED.
  CHECK(transitions(client) == std::vector<Transition>{{"CLOSED", "SYN_SENT"},
                                                       {"SYN_SENT", "ESTABLISHED"},
                                                       {"ESTABLISHED", "FIN_WAIT_1"},
                                                       {"FIN_WAIT_1", "FIN_WAIT_2"},
                                                       {"FIN_WAIT_2", "CLOSED"}});
  CHECK(transitions(server) == std::vector<Transition>{{"LISTEN", "SYN_RECEIVED"},
                                                       {"SYN_RECEIVED", "ESTABLISHED"},
                                                       {"ESTABLISHED", "CLOSE_WAIT"},
                                                       {"CLOSE_WAIT", "LAST_ACK"},
                                                       {"LAST_ACK", "CLOSED"}});
  // The trace prints microseconds: an event in the microsecond of `before` may read as earlier.
  const std::int64_t before_us = before / 1000 * 1000;
  std::int64_t last = 0;
  for (const KernelEvent& e : client) {
    CHECK(e.saddr == kLoopback);
    CHECK(e.daddr == kLoopback);
    CHECK(e.mono_ns >= before_us);
    CHECK(e.mono_ns <= after);
    CHECK(e.mono_ns >= last);
    last = e.mono_ns;
  }
  for (const auto* side : {&listener, &server}) {
    for (const KernelEvent& e : *side) {
      CHECK(e.mono_ns >= before_us);
      CHECK(e.mono_ns <= after);
    }
  }
  REQUIRE(!listener.empty());
  REQUIRE(!client.empty());
  REQUIRE(server.size() >= 3);
  CHECK(listener.front().mono_ns <= client.front().mono_ns);
  // The server's CLOSE_WAIT (the client's FIN arriving) follows the client's FIN_WAIT_1.
  CHECK(server[2].mono_ns >= client[2].mono_ns);
  CHECK(tracer->lost_events() == 0);
}

TEST_CASE("A refused connection is traced as a reset sent and a reset received", "[tracefs]") {
  auto tracer = open_tracer("refused");
  // Ports: the closed one, then the client's (bound before connecting, so every event has it).
  const auto ports = in_fresh_netns([](int out) {
    const int probe = tcp_socket();
    bind_loopback(probe, 0);
    const std::uint16_t closed = local_port(probe);
    close(probe);
    report_port(out, closed);
    const int client = tcp_socket();
    bind_loopback(client, 0);
    report_port(out, local_port(client));
    if (connect_loopback(client, closed) == 0 || errno != ECONNREFUSED) child_fail("connect (expected refusal)");
    close(client);
  });
  REQUIRE(ports.size() == 2);
  const std::uint16_t closed = ports[0];
  const std::uint16_t cport = ports[1];
  auto kind_is = [](Kind k) { return [k](const KernelEvent& e) { return e.kind == k; }; };
  auto sent_reset = [&](const KernelEvent& e) {
    return kind_is(Kind::SendReset)(e) && e.sport == closed && e.dport == cport;
  };
  auto got_reset = [&](const KernelEvent& e) {
    return kind_is(Kind::ReceiveReset)(e) && e.sport == cport && e.dport == closed;
  };
  auto client = [&](const KernelEvent& e) {
    return e.kind == Kind::StateChange && e.sport == cport && e.dport == closed;
  };
  const auto events = collect(*tracer, [&](const std::vector<KernelEvent>& all) {
    return !matching(all, sent_reset).empty() && !matching(all, got_reset).empty() && matching(all, client).size() >= 2;
  });
  const auto sent = matching(events, sent_reset);
  const auto got = matching(events, got_reset);
  REQUIRE(sent.size() == 1);
  REQUIRE(got.size() == 1);
  CHECK(sent[0].saddr == kLoopback);
  CHECK(got[0].daddr == kLoopback);
  CHECK(sent[0].mono_ns <= got[0].mono_ns);
  CHECK(transitions(matching(events, client)) ==
        std::vector<Transition>{{"CLOSED", "SYN_SENT"}, {"SYN_SENT", "CLOSED"}});
}

TEST_CASE("A SYN dropped by a full accept queue is traced as retransmitted after the initial RTO", "[tracefs]") {
  auto tracer = open_tracer("retransmit");
  // Ports: the listener's, then the second client's.
  const auto ports = in_fresh_netns([](int out) {
    const int listener = tcp_socket();
    bind_loopback(listener, 0);
    // A backlog of 0 holds one connection: the first client fills the accept queue and the
    // listener drops the second client's SYNs.
    if (listen(listener, 0) != 0) child_fail("listen");
    const std::uint16_t lport = local_port(listener);
    report_port(out, lport);
    const int first = tcp_socket();
    if (connect_loopback(first, lport) != 0) child_fail("connect");
    const int second = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (second < 0) child_fail("socket");
    bind_loopback(second, 0);
    report_port(out, local_port(second));
    if (connect_loopback(second, lport) == 0 || errno != EINPROGRESS) child_fail("connect (expected EINPROGRESS)");
    sleep_ms(1300);  // the initial RTO is 1 s (RFC 6298 §2.1)
  });
  REQUIRE(ports.size() == 2);
  const std::uint16_t lport = ports[0];
  const std::uint16_t cport = ports[1];
  auto second = [&](const KernelEvent& e) { return e.sport == cport && e.dport == lport; };
  const auto events = collect(*tracer, [&](const std::vector<KernelEvent>& all) {
    return !matching(all, [&](const KernelEvent& e) { return second(e) && e.kind == Kind::Retransmit; }).empty();
  });
  const auto mine = matching(events, second);
  REQUIRE(mine.size() >= 2);
  CHECK(mine[0].kind == Kind::StateChange);
  CHECK(mine[0].to == "SYN_SENT");
  CHECK(mine[1].kind == Kind::Retransmit);
  CHECK(mine[1].saddr == kLoopback);
  const std::int64_t rto = mine[1].mono_ns - mine[0].mono_ns;
  CHECK(rto >= 950'000'000);
  CHECK(rto <= 1'300'000'000);
}

TEST_CASE("The tracer's buffer holds the events of a thousand connections read in one go", "[tracefs]") {
  constexpr int kConnections = 1000;
  auto tracer = open_tracer("thousand");
  const auto ports = in_fresh_netns([](int out) {
    const int listener = tcp_socket();
    bind_loopback(listener, 0);
    if (listen(listener, 16) != 0) child_fail("listen");
    const std::uint16_t lport = local_port(listener);
    report_port(out, lport);
    for (int i = 0; i < kConnections; ++i) {
      const int client = tcp_socket();
      if (connect_loopback(client, lport) != 0) child_fail("connect");
      const int server = accept(listener, nullptr, nullptr);
      if (server < 0) child_fail("accept");
      close(client);
      close(server);
    }
    sleep_ms(100);
  });
  REQUIRE(ports.size() == 1);
  const std::uint16_t lport = ports[0];
  // Nothing was read while the child ran: the ring buffer held it all.
  sleep_ms(100);
  int established = 0;
  int received = 0;
  std::size_t total = 0;
  for (const KernelEvent& e : tracer->drain()) {
    ++total;
    if (e.kind != Kind::StateChange) continue;
    if (e.dport == lport && e.from == "SYN_SENT" && e.to == "ESTABLISHED") ++established;
    if (e.sport == lport && e.from == "LISTEN" && e.to == "SYN_RECEIVED") ++received;
  }
  INFO(total << " events");
  CHECK(established == kConnections);
  CHECK(received == kConnections);
  CHECK(tracer->lost_events() == 0);
}

TEST_CASE("Closing the kernel tracer removes its instance, and so does its destructor", "[tracefs]") {
  std::string dir;
  {
    auto tracer = open_tracer("close");
    dir = tracer->directory();
    CHECK(path_exists(dir + "/trace_pipe"));
    CHECK(tracer->fd() >= 0);
    tracer->close();
    CHECK_FALSE(path_exists(dir));
    CHECK(tracer->fd() == -1);
    CHECK(tracer->drain().empty());
    tracer->close();  // a second close does nothing
  }
  {
    auto tracer = open_tracer("destructor");
    dir = tracer->directory();
    CHECK(path_exists(dir));
  }
  CHECK_FALSE(path_exists(dir));
}

TEST_CASE("A tracer's instance is set up as the parser expects", "[tracefs]") {
  auto tracer = open_tracer("settings");
  const std::string dir = tracer->directory();
  auto first_line = [](const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
  };
  CHECK(first_line(dir + "/trace_clock").find("[mono]") != std::string::npos);
  CHECK(first_line(dir + "/events/sock/inet_sock_set_state/enable") == "1");
  CHECK(first_line(dir + "/events/tcp/tcp_retransmit_skb/enable") == "1");
  CHECK(first_line(dir + "/events/tcp/tcp_retransmit_synack/enable") == "1");
  CHECK(first_line(dir + "/events/tcp/tcp_send_reset/enable") == "1");
  CHECK(first_line(dir + "/events/tcp/tcp_receive_reset/enable") == "1");
  CHECK(first_line(dir + "/events/sock/inet_sock_set_state/filter") == "family == 2 && protocol == 6");
  CHECK(std::stoi(first_line(dir + "/buffer_size_kb")) >= 1024);
}

TEST_CASE("A tracer cannot take a name that is in use or that is not a name", "[tracefs]") {
  auto tracer = open_tracer("taken");
  std::string error;
  CHECK_FALSE(KernelTracer::open(instance_name("taken"), &error));
  CHECK(error.find("File exists") != std::string::npos);
  CHECK(path_exists(tracer->directory()));  // the failed open left the first one alone
  error.clear();
  CHECK_FALSE(KernelTracer::open("../x", &error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("Stale instances of dead processes are removed and those of live processes kept", "[tracefs]") {
  const std::string instances = "/sys/kernel/tracing/instances/";
  // The prefix holds this process's pid so copies of the suite running at once do not meet.
  const std::string prefix = "tcpsim-test-stale-" + std::to_string(getpid()) + "-";
  const pid_t dead = fork();
  REQUIRE(dead >= 0);
  if (dead == 0) _exit(0);
  REQUIRE(waitpid(dead, nullptr, 0) == dead);
  const std::string stale = instances + prefix + std::to_string(dead);
  const std::string live = instances + prefix + std::to_string(getpid()) + "-b";
  const std::string not_ours = instances + prefix + "x" + std::to_string(dead);
  REQUIRE(mkdir(stale.c_str(), 0750) == 0);
  REQUIRE(mkdir(live.c_str(), 0750) == 0);
  REQUIRE(mkdir(not_ours.c_str(), 0750) == 0);
  // As a killed run leaves it: events on.
  std::ofstream(stale + "/events/sock/inet_sock_set_state/enable") << "1";

  CHECK(tcpsim::live::remove_stale_instances(prefix) == 1);
  CHECK_FALSE(path_exists(stale));
  CHECK(path_exists(live));
  CHECK(path_exists(not_ours));
  CHECK(rmdir(live.c_str()) == 0);
  CHECK(rmdir(not_ours.c_str()) == 0);
}

TEST_CASE("A tracer mounts tracefs where it is mounted nowhere and unmounts it at close", "[tracefs]") {
  // In a child with a mount namespace of its own, so the machine's tracefs stays where it is.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) child_fail("unshare(CLONE_NEWNS)");
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail("make / private");
    if (umount2("/sys/kernel/tracing", MNT_DETACH) != 0) child_fail("umount tracefs");
    if (path_exists("/sys/kernel/tracing/instances")) _exit(2);
    std::string error;
    auto tracer = KernelTracer::open(instance_name("mount"), &error);
    if (!tracer) {
      std::fprintf(stderr, "child: %s\n", error.c_str());
      _exit(3);
    }
    if (!path_exists(tracer->directory())) _exit(4);
    tracer->close();
    if (path_exists("/sys/kernel/tracing/instances")) _exit(5);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(path_exists("/sys/kernel/tracing/instances"));
  CHECK_FALSE(path_exists("/sys/kernel/tracing/instances/" + instance_name("mount")));
}

TEST_CASE("HZ measured from the jiffies counter agrees with the kernel's configuration", "[kernel-info]") {
  const auto measured = tcpsim::live::measure_hz();
  REQUIRE(measured.has_value());
  const auto info = tcpsim::live::kernel_info();
  if (info.hz_source == "config") CHECK(*measured == *info.hz);
  CHECK(*measured > 0);
}

TEST_CASE("Without a kernel configuration to read, HZ is measured", "[kernel-info]") {
  // In a child with a mount namespace of its own, an empty file hides /proc/config.gz and
  // /boot/config-<release>.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) child_fail("unshare(CLONE_NEWNS)");
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail("make / private");
    const auto release = tcpsim::live::kernel_info().release;
    for (const std::string& path : {std::string("/proc/config.gz"), "/boot/config-" + release}) {
      if (path_exists(path) && mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0) child_fail("bind");
    }
    const auto info = tcpsim::live::kernel_info();
    if (info.hz_source != "measured" || !info.hz || *info.hz <= 0) _exit(2);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
