// The Runner of run_socket_apps() (socket_app_runner.hpp), what comes from the sockets: their
// events (connected, arrivals, room to write, errors, the end), their buffers, and the reports
// written to the run; and the system-call helpers.
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "sim/live/socket_app_runner.hpp"

namespace tcpsim::live::detail {

std::string errno_text(int err) {
  const char* name = strerrorname_np(err);
  return std::string(name ? name : "errno " + std::to_string(err)) + " (" + std::strerror(err) + ")";
}

[[noreturn]] void fail(const std::string& what) { throw Failure{what + ": " + errno_text(errno)}; }

sockaddr_in to_sockaddr(net::Endpoint e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(e.port);
  a.sin_addr.s_addr = htonl(e.ip.value);
  return a;
}

net::Endpoint from_sockaddr(const sockaddr_in& a) { return {net::Ipv4{ntohl(a.sin_addr.s_addr)}, ntohs(a.sin_port)}; }

std::optional<net::Endpoint> local_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return std::nullopt;
  return from_sockaddr(a);
}

int so_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

int tcp_state(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return info.tcpi_state;
}

bool connection_error(int err) {
  switch (err) {
    case ECONNREFUSED:
    case ECONNRESET:
    case ETIMEDOUT:
    case EPIPE:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
    case EPROTO: return true;
    default: return false;
  }
}

AppError app_error(int err) {
  switch (err) {
    case ECONNREFUSED: return AppError::ConnRefused;
    case ETIMEDOUT: return AppError::TimedOut;
    // Linux reports a RST in CLOSE-WAIT as EPIPE; the model (RFC 9293 §3.10.7.4) as a reset.
    case ECONNRESET:
    case EPIPE: return AppError::ConnReset;
    default: return AppError::None;
  }
}

const char* pattern() {
  static const std::array<char, kPiece + 26> p = [] {
    std::array<char, kPiece + 26> a{};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>('a' + i % 26);
    return a;
  }();
  return p.data();
}

// ---------------------------------------------------------------------------------------------
// What the sockets say

void Runner::on_socket(SockId id, std::uint32_t events) {
  Sock* found = find(id);
  if (found == nullptr || found->fd < 0) return;  // closed earlier in this batch
  Sock& s = *found;
  if (s.listener) {
    if (s.listening) offer(s.app, false);
    return;
  }
  if (s.ended) return;
  if (s.connecting) {
    const int err = so_error(s.fd);
    if (err != 0) return report_error(s, err);
    const int state = tcp_state(s.fd);
    if (!(events & EPOLLOUT) || state == TCP_SYN_SENT || state == TCP_CLOSE) return;
    connected(s);
  }
  if (events & EPOLLERR) {
    if (const int err = so_error(s.fd); err != 0) return report_error(s, err);
  }
  if (events & EPOLLIN) arrivals(s);
  if ((events & EPOLLRDHUP) && !s.eof && !s.ended && s.fd >= 0) {
    s.eof = true;
    notify(s, Notice::Eof);
    trigger(s.app, Event::Eof, s.id);
  }
  if (events & EPOLLOUT) writable(s);
  // The kernel's socket reaches CLOSE (while the app holds it) only after a shutdown: LAST-ACK
  // acknowledged, or TIME-WAIT entered (a timewait socket takes the rest over).
  if ((events & EPOLLHUP) && !s.ended && s.fd >= 0 && tcp_state(s.fd) == TCP_CLOSE) report_closed(s);
}

void Runner::connected(Sock& s) {
  s.connecting = false;
  notify(s, Notice::Connected);
  trigger(s.app, Event::Connected, s.id);
  writable(s);
}

// Reports the octets that arrived since the last report; with auto_receive the app reads them.
void Runner::arrivals(Sock& s) {
  if (s.ended || s.fd < 0) return;
  int available = 0;
  if (ioctl(s.fd, FIONREAD, &available) != 0 || available < 0) return;
  const auto now_there = static_cast<std::uint64_t>(available);
  if (now_there <= s.notified) return;
  const std::uint64_t fresh = now_there - s.notified;
  s.notified = now_there;
  notify(s, Notice::Data, AppError::None, fresh);
  if (apps_[s.app].script->auto_receive) read_notified(s, UINT64_MAX, "");
  trigger(s.app, Event::Data, s.id);
}

// Buffer space, or the handshake done: first the octets held through SYN-SENT, then the chunks
// that wait, oldest first, until one finds the buffer full again.
void Runner::writable(Sock& s) {
  flush_held(s);
  while (!s.waiting.empty() && s.held == 0 && s.fd >= 0 && !s.connecting) {
    const SendWait w = s.waiting.front();
    s.waiting.erase(s.waiting.begin());
    --waiting_;
    const std::size_t before = s.waiting.size();
    send_chunk(w, s.id, true);
    if (s.waiting.size() > before) break;  // back at the head: the buffer is full
  }
  update_interest(s);
}

void Runner::connection_failed(Sock& s, int err) {
  // EPIPE after the app's own shutdown is the call's failure, not news about the connection.
  if (err == EPIPE && s.shut_wr) return;
  if (!connection_error(err)) return note(s.conn, "call failed: " + errno_text(err));
  report_error(s, err);
}

void Runner::report_error(Sock& s, int err) {
  if (s.ended) return;
  s.ended = true;
  s.connecting = false;
  s.held = 0;
  const AppError e = app_error(err);
  if (e == AppError::None) note(s.conn, "connection error: " + errno_text(err));
  notify(s, Notice::Error, e);
  trigger(s.app, Event::Error, s.id);
  abandon_sends(s);
  if (s.then == Sock::Then::Close) close_fd(s);
  s.then = Sock::Then::Nothing;
  if (s.fd >= 0) update_interest(s);
}

void Runner::report_closed(Sock& s) {
  s.ended = true;
  notify(s, Notice::Closed);
  trigger(s.app, Event::Closed, s.id);
  abandon_sends(s);
  // The connection is gone: its per-connection state goes too.
  apps_[s.app].fired.erase(s.id);
}

// ---------------------------------------------------------------------------------------------
// Sockets and buffers

int Runner::new_socket(bool reuse_addr) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  auto option = [&](int level, int name, int value, const char* what) {
    if (setsockopt(fd, level, name, &value, sizeof value) != 0) fail(std::string("setsockopt ") + what);
  };
  if (reuse_addr) option(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  if (setup_.send_buffer) option(SOL_SOCKET, SO_SNDBUF, *setup_.send_buffer, "SO_SNDBUF");
  if (setup_.recv_buffer) option(SOL_SOCKET, SO_RCVBUF, *setup_.recv_buffer, "SO_RCVBUF");
  if (setup_.user_timeout_ms) option(IPPROTO_TCP, TCP_USER_TIMEOUT, *setup_.user_timeout_ms, "TCP_USER_TIMEOUT");
  if (setup_.keepalive) option(SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
  return fd;
}

Sock& Runner::add(std::uint32_t a, int fd, const net::ConnId& conn) {
  const SockId id = next_id_++;
  Sock& s = socks_[id];
  s.id = id;
  s.fd = fd;
  s.app = a;
  s.conn = conn;
  return s;
}

Sock* Runner::find(SockId id) {
  const auto it = socks_.find(id);
  return it == socks_.end() ? nullptr : &it->second;
}

void Runner::watch(int fd, std::uint32_t events, std::uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl ADD");
}

void Runner::update_interest(Sock& s) {
  const bool want = s.fd >= 0 && !s.ended && (s.connecting || s.held > 0 || !s.waiting.empty());
  if (want == s.out_armed || s.fd < 0) return;
  epoll_event ev{};
  ev.events = kConnEvents | (want ? EPOLLOUT : 0u);
  ev.data.u64 = s.id;
  // Edge-triggered: adding EPOLLOUT reports it at once if there is room already.
  if (epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev) != 0) fail("epoll_ctl MOD");
  s.out_armed = want;
}

// Hands up to n octets of the pattern to the kernel: 0 when all went, EAGAIN when the buffer
// is full, or send()'s errno; *took says how many went.
int Runner::write_pattern(Sock& s, std::uint64_t n, std::uint64_t* took) {
  *took = 0;
  while (*took < n) {
    const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(n - *took, kPiece));
    const ssize_t r = ::send(s.fd, pattern() + s.sent % 26, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r > 0) {
      *took += static_cast<std::uint64_t>(r);
      s.sent += static_cast<std::uint64_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    return r < 0 ? errno : EAGAIN;
  }
  return 0;
}

void Runner::flush_held(Sock& s) {
  if (s.held > 0 && !s.connecting && !s.ended && s.fd >= 0) {
    std::uint64_t took = 0;
    const int err = write_pattern(s, s.held, &took);
    s.held -= took;
    if (err != 0 && err != EAGAIN) {
      s.held = 0;
      connection_failed(s, err);
    }
  }
  if (s.held > 0 || s.fd < 0) return;
  // The shutdown or close that waited for them (reported when the app called it).
  const Sock::Then then = std::exchange(s.then, Sock::Then::Nothing);
  if (then == Sock::Then::Shutdown) ::shutdown(s.fd, SHUT_WR);
  if (then == Sock::Then::Close) close_fd(s);
}

void Runner::queue(Sock& s, const SendWait& w, bool front) {
  s.waiting.insert(front ? s.waiting.begin() : s.waiting.end(), w);
  ++waiting_;
  update_interest(s);
}

// The chunks waiting on a socket that will take no more: their steps are done (the model's next
// try would fail).
void Runner::abandon_sends(Sock& s) {
  std::vector<SendWait> gone = std::exchange(s.waiting, {});
  waiting_ -= gone.size();
  for (const SendWait& w : gone) completed(w.app, w.step, s.id);
}

void Runner::close_fd(Sock& s) {
  if (s.fd < 0) return;
  ::close(s.fd);  // leaves the epoll set with it
  s.fd = -1;
  s.listening = false;
  s.out_armed = false;
  // No event can come for it any more: its per-connection state goes (a server accepts many).
  apps_[s.app].fired.erase(s.id);
}

// ---------------------------------------------------------------------------------------------
// Reports

void Runner::emit(const AppEvent& e) {
  const std::string line = format_app_event(e) + '\n';
  // One write per line: lines up to PIPE_BUF stay whole when several hosts share a pipe.
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t r = ::write(out_, line.data() + done, line.size() - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) fail("writing the events");
    done += static_cast<std::size_t>(r);
  }
}

void Runner::call(std::int64_t t, const net::ConnId& c, std::string_view name, std::string args) {
  emit(AppEvent{.mono_ns = t, .body = trace::AppCall{node_, c, name, std::move(args)}, .idle = std::nullopt});
}

void Runner::notify(const Sock& s, Notice n, AppError e, std::uint64_t bytes, std::optional<std::int64_t> t) {
  emit(AppEvent{.mono_ns = t ? *t : monotonic_ns(), .body = trace::AppNotify{node_, s.conn, n, e, bytes},
                .idle = std::nullopt});
}

void Runner::note(const net::ConnId& c, std::string text) {
  emit(AppEvent{.mono_ns = monotonic_ns(), .body = trace::Note{std::move(text), node_, c}, .idle = std::nullopt});
}

bool Runner::report_failure(const std::string& what) {
  const std::string line =
      format_app_event(AppEvent{.mono_ns = monotonic_ns(), .body = trace::Note{"live apps failed: " + what, node_, {}},
                                .idle = std::nullopt}) +
      '\n';
  return ::write(out_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

}  // namespace tcpsim::live::detail
