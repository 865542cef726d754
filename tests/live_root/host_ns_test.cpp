#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "sim/live/host_ns.hpp"
#include "sim/pcap/packet.hpp"

using namespace tcpsim;

namespace {

// Reads the next packet from `fd` within `ms` milliseconds.
std::optional<net::Segment> next_segment(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, ms) <= 0) return std::nullopt;
  std::uint8_t buf[2048];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return pcap::decode(std::span(buf, static_cast<std::size_t>(n)));
}

// The end of a host's apps: waiting until the run stops them.
int wait_for_stop(int stop_fd) {
  pollfd p{stop_fd, POLLIN, 0};
  poll(&p, 1, 10'000);
  return 0;
}

std::int64_t mono_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1'000'000'000LL + t.tv_nsec;
}

}  // namespace

TEST_CASE("A host namespace answers through its TUN device: a SYN to a closed port gets RST,ACK, a listener SYN,ACK") {
  live::HostSetup s;
  s.host = "server";
  s.device = "tstest-srv";
  s.ip = *net::Ipv4::parse("10.9.0.2");
  s.sysctls = {{"net.ipv4.tcp_syn_retries", "2"}, {"net.ipv4.tcp_timestamps", "0"}};
  s.apps = [](int, int stop_fd, std::int64_t) {
    const int l = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    if (bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(l, 8) != 0) return 3;
    return wait_for_stop(stop_fd);
  };
  std::string error;
  auto h = live::HostNamespace::start(s, &error);
  REQUIRE(h);
  CHECK(error.empty());
  REQUIRE(h->go(mono_ns()));

  net::Segment syn;
  syn.src = *net::Ipv4::parse("10.9.0.1");
  syn.dst = s.ip;
  syn.sport = 40000;
  syn.dport = 81;
  syn.seq = net::SeqNum{1000};
  syn.flags = net::Flags{.syn = true};
  syn.window = 1000;
  auto bytes = pcap::encode(syn);
  REQUIRE(write(h->tun_fd(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  auto rst = next_segment(h->tun_fd(), 1000);
  REQUIRE(rst);
  CHECK(rst->flags == net::Flags{.ack = true, .rst = true});
  CHECK(rst->ack == net::SeqNum{1001});
  CHECK(rst->dst == syn.src);

  // The listener is up once the apps have run: give them a moment.
  std::optional<std::vector<live::KernelSocket>> socks;
  for (int i = 0; i < 100; ++i) {
    socks = h->sockets();
    if (socks && !socks->empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(socks);
  REQUIRE(socks->size() == 1);
  CHECK(socks->front().state == 10);  // TCP_LISTEN
  CHECK(socks->front().conn.local.port == 80);

  syn.dport = 80;
  bytes = pcap::encode(syn);
  REQUIRE(write(h->tun_fd(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  auto synack = next_segment(h->tun_fd(), 1000);
  REQUIRE(synack);
  CHECK(synack->flags == net::Flags{.syn = true, .ack = true});
  CHECK_FALSE(synack->options.timestamps);  // the namespace's own sysctl took effect
  CHECK(synack->options.mss);

  h->stop();
  CHECK(h->exited() == std::optional<std::string>("exit 0"));
}

TEST_CASE("A host namespace that cannot be set up says which host and what failed") {
  live::HostSetup s;
  s.host = "client";
  s.device = "tstest-cli";
  s.ip = *net::Ipv4::parse("10.9.0.1");
  s.sysctls = {{"net.ipv4.tcp_no_such_knob", "1"}};
  std::string error;
  CHECK_FALSE(live::HostNamespace::start(s, &error));
  CHECK(error == "host client: sysctl net.ipv4.tcp_no_such_knob: No such file or directory");
  s.sysctls.clear();
  s.device = "a-name-far-too-long";
  CHECK_FALSE(live::HostNamespace::start(s, &error));
  CHECK(error == "host client: TUN device name \"a-name-far-too-long\" must have 1 to 15 characters");
}

TEST_CASE("The namespace's socket table parses as /proc/net/tcp writes it") {
  const std::string text =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0200000A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
      "   1: 0100000A:9C40 0200000A:0050 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0\n";
  const auto socks = live::parse_proc_net_tcp(text);
  REQUIRE(socks.size() == 2);
  CHECK(socks[0].conn.local.ip.to_string() == "10.0.0.2");
  CHECK(socks[0].state == 10);
  CHECK(socks[1].conn.local.port == 40000);
  CHECK(socks[1].conn.remote.port == 80);
  CHECK(socks[1].state == 6);
  CHECK(socks[1].timer == 3);
}

TEST_CASE("A host namespace has a small socket table of its own and the machine's TIME-WAIT and SYN backlog limits") {
  // Its apps report what the namespace's sysctls say, one line on the events pipe.
  const auto read = [](const char* path) {
    std::ifstream in(path);
    std::string v;
    std::getline(in, v);
    return v;
  };
  const std::string tw = read("/proc/sys/net/ipv4/tcp_max_tw_buckets");
  const std::string backlog = read("/proc/sys/net/ipv4/tcp_max_syn_backlog");
  live::HostSetup s;
  s.host = "server";
  s.device = "tstest-ehash";
  s.ip = *net::Ipv4::parse("10.9.0.2");
  s.apps = [read](int events_fd, int stop_fd, std::int64_t) {
    const std::string line = read("/proc/sys/net/ipv4/tcp_ehash_entries") + " " + read("/proc/sys/net/ipv4/tcp_max_tw_buckets") +
                             " " + read("/proc/sys/net/ipv4/tcp_max_syn_backlog") + "\n";
    if (write(events_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 3;
    return wait_for_stop(stop_fd);
  };
  std::string error;
  auto h = live::HostNamespace::start(s, &error);
  REQUIRE(h);
  REQUIRE(h->go(mono_ns()));
  pollfd p{h->events_fd(), POLLIN, 0};
  REQUIRE(poll(&p, 1, 5000) == 1);
  char buf[256] = {};
  REQUIRE(::read(h->events_fd(), buf, sizeof buf - 1) > 0);
  // tcp_ehash_entries is the size of the namespace's own table, or minus the size of the
  // machine's it shares (as it must without tcp_child_ehash_entries, Linux < 6.1).
  const std::string own = std::ifstream("/proc/sys/net/ipv4/tcp_child_ehash_entries") ? "1024" : "-" + read("/proc/sys/net/ipv4/tcp_ehash_entries");
  CHECK(std::string(buf) == own + " " + tw + " " + backlog + "\n");
  h->stop();
  CHECK(h->exited() == std::optional<std::string>("exit 0"));
}
