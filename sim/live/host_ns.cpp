#include "sim/live/host_ns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tcpsim::live {
namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// --- in the child ---

// Writes `value` to /proc/sys/<name with dots as slashes>: the namespace's own copy, since
// /proc/sys/net shows the network namespace of the process that opens it.
bool write_sysctl(const std::string& name, const std::string& value, std::string* error) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = errno_text("sysctl " + name);
    return false;
  }
  const ssize_t n = write(fd, value.data(), value.size());
  const int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    errno = n < 0 ? err : EIO;
    *error = errno_text("sysctl " + name + " = " + value);
    return false;
  }
  return true;
}

// The value of /proc/sys/<name> without its newline, or "" if it cannot be read.
std::string read_sysctl(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  std::ifstream in(path);
  std::string value;
  std::getline(in, value);
  return value;
}

// The socket hash table of a host's namespace: a few sockets each, so a small one.
constexpr int kHostEhashEntries = 1024;

sockaddr_in inet(std::uint32_t host_order) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(host_order);
  return a;
}

bool set_up(int sock, const char* dev, std::string* error) {
  ifreq r{};
  std::snprintf(r.ifr_name, IFNAMSIZ, "%s", dev);
  if (ioctl(sock, SIOCGIFFLAGS, &r) < 0) {
    *error = errno_text(std::string("SIOCGIFFLAGS ") + dev);
    return false;
  }
  r.ifr_flags = static_cast<short>(r.ifr_flags | IFF_UP);
  if (ioctl(sock, SIOCSIFFLAGS, &r) < 0) {
    *error = errno_text(std::string("bringing ") + dev + " up");
    return false;
  }
  return true;
}

// The TUN device with the host's address as a /32, up, and the default route through it.
int make_tun(const HostSetup& s, std::string* error) {
  const int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tun < 0) {
    *error = errno_text("/dev/net/tun");
    return -1;
  }
  ifreq r{};
  std::snprintf(r.ifr_name, IFNAMSIZ, "%s", s.device.c_str());
  r.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (ioctl(tun, TUNSETIFF, &r) < 0) {
    *error = errno_text("creating TUN device " + s.device);
    close(tun);
    return -1;
  }
  const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool ok = sock >= 0;
  if (!ok) *error = errno_text("socket for interface ioctls");
  if (ok) {
    ifreq a{};
    std::snprintf(a.ifr_name, IFNAMSIZ, "%s", s.device.c_str());
    const sockaddr_in addr = inet(s.ip.value);
    std::memcpy(&a.ifr_addr, &addr, sizeof addr);
    ok = ioctl(sock, SIOCSIFADDR, &a) == 0;
    if (!ok) *error = errno_text("address " + s.ip.to_string() + " on " + s.device);
    if (ok && s.mtu) {
      a.ifr_mtu = *s.mtu;
      ok = ioctl(sock, SIOCSIFMTU, &a) == 0;
      if (!ok) *error = errno_text("MTU " + std::to_string(*s.mtu) + " on " + s.device);
    }
    if (ok) {
      const sockaddr_in mask = inet(0xffffffffu);
      std::memcpy(&a.ifr_netmask, &mask, sizeof mask);
      ok = ioctl(sock, SIOCSIFNETMASK, &a) == 0;
      if (!ok) *error = errno_text("netmask /32 on " + s.device);
    }
  }
  ok = ok && set_up(sock, "lo", error) && set_up(sock, s.device.c_str(), error);
  if (ok) {
    rtentry rt{};
    const sockaddr_in any = inet(0);
    std::memcpy(&rt.rt_dst, &any, sizeof any);
    std::memcpy(&rt.rt_genmask, &any, sizeof any);
    rt.rt_flags = RTF_UP;
    std::string dev = s.device;
    rt.rt_dev = dev.data();
    ok = ioctl(sock, SIOCADDRT, &rt) == 0;
    if (!ok) *error = errno_text("default route through " + s.device);
  }
  if (sock >= 0) close(sock);
  if (!ok) {
    close(tun);
    return -1;
  }
  return tun;
}

bool send_text(int fd, const std::string& text, int pass_fd = -1) {
  iovec io{const_cast<char*>(text.data()), text.size()};
  msghdr m{};
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(int))];
  if (pass_fd >= 0) {
    m.msg_control = buf;
    m.msg_controllen = sizeof buf;
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  return sendmsg(fd, &m, MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

// One message; `fd_out` receives a passed descriptor, if any. "" on EOF or error.
std::string receive_text(int fd, int* fd_out = nullptr) {
  char data[256];
  iovec io{data, sizeof data};
  msghdr m{};
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(int))];
  m.msg_control = buf;
  m.msg_controllen = sizeof buf;
  ssize_t n;
  do {
    n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return {};
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && fd_out) std::memcpy(fd_out, CMSG_DATA(c), sizeof(int));
  }
  return std::string(data, static_cast<std::size_t>(n));
}

[[noreturn]] void child_main(const HostSetup& s, int control, int events, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // the parent died before the line above took effect
  std::string error;
  const auto fail = [&](const std::string& why) {
    send_text(control, "error " + why);
    _exit(1);
  };
  // Two steps into the host's namespace, so that it gets a socket hash table of its own: a
  // namespace shares the machine's (here 262144 buckets) unless the namespace it was made from
  // sets net.ipv4.tcp_child_ehash_entries (Linux 6.1+), and reading /proc/net/tcp walks every
  // bucket of it, ~1 ms per host at each 10 ms poll, a stall during which the relay neither reads
  // nor writes packets. The first namespace only sets that sysctl and is gone when this process
  // leaves it. Two limits Linux derives from the table's size (tcp_set_hashinfo():
  // tcp_max_tw_buckets = entries / 2, tcp_max_syn_backlog = max(128, entries / 128)) keep the
  // machine's values, so the kernel behaves as in a namespace sharing the machine's table.
  const std::string tw_buckets = read_sysctl("net.ipv4.tcp_max_tw_buckets");
  const std::string syn_backlog = read_sysctl("net.ipv4.tcp_max_syn_backlog");
  if (unshare(CLONE_NEWNET) < 0) fail(errno_text("unshare(CLONE_NEWNET)"));
  if (write_sysctl("net.ipv4.tcp_child_ehash_entries", std::to_string(kHostEhashEntries), &error)) {
    if (unshare(CLONE_NEWNET) < 0) fail(errno_text("unshare(CLONE_NEWNET)"));
    for (const auto& [name, value] : {std::pair{"net.ipv4.tcp_max_tw_buckets", tw_buckets},
                                      std::pair{"net.ipv4.tcp_max_syn_backlog", syn_backlog}}) {
      if (!value.empty() && !write_sysctl(name, value, &error)) fail(error);
    }
  } else if (errno != ENOENT) {
    fail(error);
  }
  // IPv6 off before the device exists, so it never gets an IPv6 address or sends a solicitation.
  for (const char* v6 : {"net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"}) {
    if (!write_sysctl(v6, "1", &error) && errno != ENOENT) fail(error);
  }
  for (const Sysctl& c : s.sysctls) {
    if (!write_sysctl(c.name, c.value, &error)) fail(error);
  }
  const int tun = make_tun(s, &error);
  if (tun < 0) fail(error);
  if (!send_text(control, "ready", tun)) _exit(1);
  close(tun);
  const std::string go = receive_text(control);
  if (go.rfind("go ", 0) != 0) _exit(0);  // the run ended before it started
  const std::int64_t start = std::stoll(go.substr(3));
  _exit(s.apps ? s.apps(events, control, start) : 0);
}

std::uint32_t hex_address(const std::string& hex) {
  // /proc/net/tcp prints the address as the 32-bit word it is in memory (network byte order).
  return ntohl(static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16)));
}

}  // namespace

std::unique_ptr<HostNamespace> HostNamespace::start(HostSetup setup, std::string* error) {
  const std::string who = "host " + setup.host + ": ";
  if (setup.device.empty() || setup.device.size() >= IFNAMSIZ) {
    *error = who + "TUN device name \"" + setup.device + "\" must have 1 to 15 characters";
    return nullptr;
  }
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
    *error = who + errno_text("socketpair");
    return nullptr;
  }
  int events[2];
  if (pipe2(events, O_CLOEXEC) < 0) {
    *error = who + errno_text("pipe");
    close(pair[0]);
    close(pair[1]);
    return nullptr;
  }
  std::unique_ptr<HostNamespace> h(new HostNamespace());
  h->setup_ = std::move(setup);
  const pid_t parent = getpid();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    *error = who + errno_text("fork");
    for (const int fd : {pair[0], pair[1], events[0], events[1]}) close(fd);
    return nullptr;
  }
  if (pid == 0) {
    close(pair[0]);
    close(events[0]);
    child_main(h->setup_, pair[1], events[1], parent);
  }
  close(pair[1]);
  close(events[1]);
  h->pid_ = pid;
  h->control_fd_ = pair[0];
  h->events_fd_ = events[0];
  fcntl(h->events_fd_, F_SETFL, fcntl(h->events_fd_, F_GETFL) | O_NONBLOCK);

  pollfd p{h->control_fd_, POLLIN, 0};
  if (poll(&p, 1, 5000) <= 0) {
    *error = who + "the namespace was not ready within 5 s";
    return nullptr;  // the destructor kills the child
  }
  int fd = -1;
  const std::string reply = receive_text(h->control_fd_, &fd);
  if (reply != "ready" || fd < 0) {
    if (fd >= 0) close(fd);
    *error = who + (reply.rfind("error ", 0) == 0 ? reply.substr(6) : "the namespace's process ended while it was set up");
    return nullptr;
  }
  h->tun_fd_ = fd;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return h;
}

HostNamespace::~HostNamespace() { stop(0); }

bool HostNamespace::go(std::int64_t start_mono_ns) {
  return control_fd_ >= 0 && send_text(control_fd_, "go " + std::to_string(start_mono_ns));
}

std::optional<std::vector<KernelSocket>> HostNamespace::sockets() const {
  if (pid_ <= 0 || status_) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/net/tcp");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return parse_proc_net_tcp(text.str());
}

std::optional<std::string> HostNamespace::exited() {
  if (!status_ && pid_ > 0) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) status_ = st;
  }
  if (!status_) return std::nullopt;
  if (WIFEXITED(*status_)) return "exit " + std::to_string(WEXITSTATUS(*status_));
  if (WIFSIGNALED(*status_)) return "killed by signal " + std::to_string(WTERMSIG(*status_));
  return "ended";
}

void HostNamespace::stop(int grace_ms) {
  if (control_fd_ >= 0) {
    send_text(control_fd_, "stop");
    shutdown(control_fd_, SHUT_RDWR);
  }
  if (pid_ > 0 && !status_) {
    for (int waited = 0; waited < grace_ms && !exited(); waited += 5) {
      const timespec t{0, 5'000'000};
      nanosleep(&t, nullptr);
    }
    if (!exited()) {
      kill(pid_, SIGKILL);
      int st = 0;
      while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
      status_ = st;
    }
  }
  for (int* fd : {&control_fd_, &tun_fd_, &events_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

std::vector<KernelSocket> parse_proc_net_tcp(const std::string& text) {
  std::vector<KernelSocket> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    // "   0: 0100000A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 ..."
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer;
    if (!(f >> sl >> local >> remote >> st >> queues >> timer)) continue;
    const auto lc = local.find(':');
    const auto rc = remote.find(':');
    const auto tc = timer.find(':');
    if (lc == std::string::npos || rc == std::string::npos || tc == std::string::npos) continue;
    try {
      KernelSocket s;
      s.conn.local = {net::Ipv4{hex_address(local.substr(0, lc))},
                      static_cast<std::uint16_t>(std::stoul(local.substr(lc + 1), nullptr, 16))};
      s.conn.remote = {net::Ipv4{hex_address(remote.substr(0, rc))},
                       static_cast<std::uint16_t>(std::stoul(remote.substr(rc + 1), nullptr, 16))};
      s.state = static_cast<int>(std::stoul(st, nullptr, 16));
      s.timer = static_cast<int>(std::stoul(timer.substr(0, tc), nullptr, 16));
      out.push_back(s);
    } catch (const std::exception&) {
      continue;
    }
  }
  return out;
}

}  // namespace tcpsim::live
