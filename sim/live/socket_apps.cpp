// run_socket_apps() (socket_apps.hpp): the Runner's loop, the scripts' steps and triggers as
// ScriptedApp runs them, and the socket calls the steps make. What the sockets say back is in
// socket_app_sockets.cpp.
#include "sim/live/socket_apps.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <utility>

#include "sim/live/socket_app_runner.hpp"

namespace tcpsim::live {
namespace detail {

// ---------------------------------------------------------------------------------------------
// The loop

int Runner::run() {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) fail("epoll_create1");
  tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (tfd_ < 0) fail("timerfd_create");
  watch(stop_, EPOLLIN, kStopTag);
  watch(tfd_, EPOLLIN, kTimerTag);
  if (setup_.user_timeout_ms && *setup_.user_timeout_ms < 0) {
    errno = EINVAL;
    fail("TCP_USER_TIMEOUT " + std::to_string(*setup_.user_timeout_ms) + " ms");
  }
  warm_up();
  for (std::uint32_t a = 0; a < apps_.size(); ++a) start(a);
  std::array<epoll_event, 64> events{};
  for (;;) {
    run_due();
    report_idle();
    arm_timer();
    const int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait");
    }
    for (int i = 0; i < n; ++i)
      if (events[i].data.u64 == kStopTag) return 0;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == kTimerTag) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] const ssize_t r = ::read(tfd_, &expirations, sizeof expirations);
        continue;
      }
      on_socket(static_cast<SockId>(tag), events[i].events);
    }
  }
}

// The first listen() in a fresh network namespace takes milliseconds (2 to 6 ms measured on
// Linux 6.x, 0.1 ms for the next ones): paid on a throwaway socket before the clock starts, it
// does not make a scripted listen late, nor a client connecting just after it refused.
void Runner::warm_up() {
  bool listens = false;
  for (const App& a : apps_)
    for (const Step& st : a.script->steps) listens = listens || st.action == Step::Do::Listen;
  if (!listens) return;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  const sockaddr_in any_port = to_sockaddr({ip_, 0});
  if (bind(fd, reinterpret_cast<const sockaddr*>(&any_port), sizeof any_port) == 0) ::listen(fd, 1);
  ::close(fd);
}

void Runner::run_due() {
  // A step may schedule another for now (a chain with no `after`): it runs in this same pass.
  while (!timers_.empty() && timers_.begin()->first.first <= monotonic_ns()) {
    auto node = timers_.extract(timers_.begin());
    node.mapped()();
  }
}

void Runner::arm_timer() {
  const std::int64_t next = timers_.empty() ? 0 : timers_.begin()->first.first;
  if (next == armed_for_) return;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(next / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(next % 1'000'000'000);
  if (timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) fail("timerfd_settime");
  armed_for_ = next;
}

void Runner::report_idle() {
  const bool idle = timers_.empty() && waiting_ == 0;
  if (idle == idle_) return;
  idle_ = idle;
  emit(AppEvent{.mono_ns = monotonic_ns(), .body = std::nullopt, .idle = idle});
}

// ---------------------------------------------------------------------------------------------
// Steps and triggers, as ScriptedApp

void Runner::start(std::uint32_t a) {
  const auto& steps = apps_[a].script->steps;
  for (std::uint32_t i = 0; i < steps.size(); ++i) {
    if (steps[i].at) schedule(a, i, kNoSock, after(start_, *steps[i].at + steps[i].after));
  }
  // The first step without a trigger starts the chain of steps that follow each other.
  if (!steps.empty() && !steps[0].at && !steps[0].on) schedule(a, 0, kNoSock, after(start_, steps[0].after));
}

void Runner::at(std::int64_t when, std::function<void()> fn) {
  timers_.emplace(std::pair{std::max(when, monotonic_ns()), timer_seq_++}, std::move(fn));  // an `at` already past runs now
}

void Runner::schedule(std::uint32_t a, std::uint32_t i, SockId s, std::int64_t when) {
  at(when, [this, a, i, s] { run_step(a, i, s); });
}

void Runner::trigger(std::uint32_t a, Event e, SockId s) {
  const auto& steps = apps_[a].script->steps;
  std::vector<bool>& fired = apps_[a].fired[s];
  fired.resize(steps.size(), false);
  for (std::uint32_t i = 0; i < steps.size(); ++i) {
    const Step& st = steps[i];
    if (st.at || !st.on || *st.on != e || fired[i]) continue;
    fired[i] = true;
    schedule(a, i, s, after(monotonic_ns(), st.after));
  }
}

// Step i is done on socket s: the next step follows it if it has no trigger of its own.
void Runner::completed(std::uint32_t a, std::uint32_t i, SockId s) {
  const std::uint32_t next = i + 1;
  if (next >= apps_[a].script->steps.size()) return;
  const Step& st = step(a, next);
  if (st.at || st.on) return;
  schedule(a, next, s, after(monotonic_ns(), st.after));
}

void Runner::run_step(std::uint32_t a, std::uint32_t i, SockId target) {
  const Step& st = step(a, i);
  // An `at` step (or a chain started at start()) acts on the app's current socket.
  const SockId s = target != kNoSock ? target : apps_[a].current();
  switch (st.action) {
    case Step::Do::Listen: listen(a, st); break;
    case Step::Do::Accept:
      apps_[a].accept_steps.push_back(i);
      offer(a, true);
      return;  // completes when a child is accepted
    case Step::Do::Connect: completed(a, i, connect(a, st)); return;
    case Step::Do::Send:
      if (st.repeat > 0) {
        send_chunk(SendWait{a, i, st.repeat, st.bytes}, s, false);
        return;  // completes with its last chunk
      }
      break;
    case Step::Do::Receive: receive(s, st.bytes); break;
    case Step::Do::Shutdown: shutdown(s); break;
    case Step::Do::Close: close(s); break;
    case Step::Do::Abort: abort(s); break;
  }
  completed(a, i, s);
}

// ---------------------------------------------------------------------------------------------
// The calls

void Runner::listen(std::uint32_t a, const Step& st) {
  const std::int64_t t = monotonic_ns();
  const net::ConnId id{{ip_, st.port}, {}};
  call(t, id, "listen", "port=" + std::to_string(st.port) + " backlog=" + std::to_string(st.backlog));
  if (st.port == 0) return;  // the model refuses it (Linux would pick a port)
  const int fd = new_socket(true);
  if (fd < 0) return note(id, "listen: socket(): " + errno_text(errno));
  const sockaddr_in local = to_sockaddr(id.local);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
      ::listen(fd, static_cast<int>(std::min<std::uint32_t>(st.backlog, INT_MAX))) != 0) {
    const int err = errno;
    ::close(fd);
    return note(id, "listen: " + errno_text(err));
  }
  Sock& l = add(a, fd, id);
  l.listener = true;
  l.listening = true;
  watch(fd, EPOLLIN | EPOLLET, l.id);
  apps_[a].listener = l.id;
  emit(AppEvent{.mono_ns = t, .body = listener_opened(node_, id.local), .idle = std::nullopt});
  if (st.linger_zero) set_linger_zero(l);
  if (st.nodelay) set_nodelay(l);
}

SockId Runner::connect(std::uint32_t a, const Step& st) {
  const std::int64_t t = monotonic_ns();
  if (st.reuse_addr) call(t, {{ip_, 0}, {}}, "setsockopt", "reuse_addr=on");
  const std::uint16_t asked = st.local_port.value_or(0);
  auto report = [&](std::uint16_t port) {
    call(t, {{ip_, port}, st.remote}, "connect", "remote=" + st.remote.to_string() + " local=" + std::to_string(port));
  };
  if (st.local_port && asked == 0) {
    report(0);  // the model refuses it (Linux would pick a port)
    return kNoSock;
  }
  const int fd = new_socket(st.reuse_addr);
  if (fd < 0) {
    const int err = errno;
    report(asked);
    note({{ip_, asked}, st.remote}, "connect: socket(): " + errno_text(err));
    return kNoSock;
  }
  // Without a local port the kernel picks one at connect(), as for an unbound socket, among
  // the ports free for this remote endpoint.
  const int one = 1;
  if (asked == 0) setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  const sockaddr_in local = to_sockaddr({ip_, asked});
  const sockaddr_in remote = to_sockaddr(st.remote);
  int err = 0;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0) {
    err = errno;
  }
  const std::uint16_t port = err == 0 || err == EINPROGRESS ? local_of(fd).value_or(net::Endpoint{}).port : asked;
  report(port);
  const net::ConnId id{{ip_, port}, st.remote};
  if (err != 0 && err != EINPROGRESS && !connection_error(err)) {
    ::close(fd);
    note(id, "connect: " + errno_text(err));
    return kNoSock;
  }
  Sock& s = add(a, fd, id);
  s.connecting = true;
  s.out_armed = true;
  watch(fd, kConnEvents | EPOLLOUT, s.id);
  apps_[a].socket = s.id;
  if (st.linger_zero) set_linger_zero(s);
  if (st.nodelay) set_nodelay(s);
  if (err != 0 && err != EINPROGRESS) report_error(s, err);  // refused before connect() returned
  return s.id;
}

// Accepts children of app a's listener while the app may: all of them with auto_accept, else
// one per waiting Accept step. `from_step`: an Accept step calls, and reports its accept()
// even when no child is there (as the model's call).
void Runner::offer(std::uint32_t a, bool from_step) {
  App& app = apps_[a];
  Sock* l = find(app.listener);
  if (l == nullptr) return;
  while (app.script->auto_accept || !app.accept_steps.empty()) {
    const std::int64_t t = monotonic_ns();
    const std::string args = "socket=" + std::to_string(l->id);
    if (l->fd < 0 || !l->listening) {
      if (from_step) call(t, l->conn, "accept", args);
      return;
    }
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int fd = accept4(l->fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == EINTR || err == ECONNABORTED) continue;  // a child reset before it was accepted
      if (from_step) call(t, l->conn, "accept", args);
      if (err != EAGAIN) note(l->conn, "accept: " + errno_text(err));
      return;
    }
    from_step = false;
    const net::ConnId id{local_of(fd).value_or(l->conn.local), from_sockaddr(peer)};
    Sock& c = add(a, fd, id);
    c.linger_zero = l->linger_zero;  // the kernel's child inherits SO_LINGER, as the model's
    watch(fd, kConnEvents, c.id);
    // What the child saw before the app took it is reported first, as the model reports it when
    // it happens (the handshake's end, octets, the FIN), then the accept call; the app reacts
    // after the accept, in that order. An error is left to the loop (EPOLLERR).
    pollfd before{fd, POLLIN | POLLRDHUP, 0};
    const bool readable = poll(&before, 1, 0) == 1 && !(before.revents & POLLERR);
    int available = 0;
    if (!readable || ioctl(fd, FIONREAD, &available) != 0 || available < 0) available = 0;
    c.notified = static_cast<std::uint64_t>(available);
    c.eof = readable && (before.revents & POLLRDHUP);
    notify(c, Notice::Connected, AppError::None, 0, t);
    if (c.notified > 0) notify(c, Notice::Data, AppError::None, c.notified, t);
    if (c.eof) notify(c, Notice::Eof, AppError::None, 0, t);
    call(t, l->conn, "accept", args);
    app.socket = c.id;
    trigger(a, Event::Accepted, c.id);
    if (!app.script->auto_accept) {
      // The oldest waiting Accept step is done: the steps after it act on this connection.
      const std::uint32_t done = app.accept_steps.front();
      app.accept_steps.erase(app.accept_steps.begin());
      completed(a, done, c.id);
    }
    trigger(a, Event::Connected, c.id);
    if (c.notified > 0) {
      if (app.script->auto_receive) read_notified(c, UINT64_MAX, "");
      trigger(a, Event::Data, c.id);
    }
    if (c.eof) trigger(a, Event::Eof, c.id);
  }
}

// Offers w.rest octets of the current chunk. `resumed`: the chunk was waiting at the head of the
// socket's queue and buffer space has freed.
void Runner::send_chunk(SendWait w, SockId sid, bool resumed) {
  Sock* s = find(sid);
  call(monotonic_ns(), s ? s->conn : net::ConnId{}, "send", "bytes=" + std::to_string(w.rest));
  // A listener, a socket the app has closed or shut down, or one gone: the call fails.
  if (s == nullptr || s->listener || s->app_closed || s->shut_wr || s->ended) {
    completed(w.app, w.step, sid);
    return;
  }
  if (s->connecting) {
    s->held += w.rest;  // the model queues them in SYN-SENT
    w.rest = 0;
  } else if (s->held == 0 && (resumed || s->waiting.empty())) {
    std::uint64_t took = 0;
    const int err = write_pattern(*s, w.rest, &took);
    w.rest -= took;
    if (err != 0 && err != EAGAIN) {
      connection_failed(*s, err);
      completed(w.app, w.step, sid);
      return;
    }
  }
  if (w.rest > 0) {
    queue(*s, w, resumed);
    return;
  }
  if (--w.left == 0) {
    completed(w.app, w.step, sid);
    return;
  }
  w.rest = step(w.app, w.step).bytes;
  at(after(monotonic_ns(), step(w.app, w.step).interval), [this, w, sid] { send_chunk(w, sid, false); });
}

void Runner::receive(SockId sid, std::uint64_t max) {
  Sock* s = find(sid);
  // "receive" alone reads everything there is, as the model's call with no maximum.
  std::string args = max == 0 ? std::string() : "max=" + std::to_string(max);
  if (s == nullptr || s->fd < 0 || s->listener || s->ended) {
    call(monotonic_ns(), conn_of(sid), "receive", std::move(args));
    return;
  }
  // What has arrived and not been reported yet is reported first (the model's notice would
  // have come before the call).
  arrivals(*s);
  read_notified(*s, max == 0 ? UINT64_MAX : max, std::move(args));
}

// The receive call: reads at most `max` of the octets Data notices have reported.
void Runner::read_notified(Sock& s, std::uint64_t max, std::string args) {
  call(monotonic_ns(), s.conn, "receive", std::move(args));
  std::uint64_t left = std::min(max, s.notified);
  std::array<char, 64 * 1024> buf;
  while (left > 0 && s.fd >= 0) {
    const ssize_t r = ::recv(s.fd, buf.data(), std::min<std::uint64_t>(left, buf.size()), MSG_DONTWAIT);
    if (r > 0) {
      left -= static_cast<std::uint64_t>(r);
      s.notified -= static_cast<std::uint64_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno != EAGAIN) connection_failed(s, errno);
    break;
  }
}

void Runner::shutdown(SockId sid) {
  Sock* s = find(sid);
  call(monotonic_ns(), conn_of(sid), "shutdown", "how=write");
  if (s == nullptr || s->app_closed) return;
  if (s->listener) {
    if (!s->listening) return;
    // SHUT_WR alone leaves a Linux listener listening; the model closes a LISTEN TCB.
    ::shutdown(s->fd, SHUT_RDWR);
    s->listening = false;
    epoll_ctl(ep_, EPOLL_CTL_DEL, s->fd, nullptr);
    emit(AppEvent{.mono_ns = monotonic_ns(), .body = listener_closed(node_, s->conn.local, false), .idle = std::nullopt});
    return;
  }
  if (s->shut_wr) return;
  s->shut_wr = true;
  if (s->connecting) {
    // RFC 9293 §3.10.4 CLOSE in SYN-SENT: "Delete the TCB": the connection ends without a
    // notice (Linux disconnects it too, with an ECONNRESET nobody is told about).
    s->held = 0;
    s->connecting = false;
    s->ended = true;
    abandon_sends(*s);
  } else if (s->held > 0) {
    s->then = Sock::Then::Shutdown;
    return;
  }
  ::shutdown(s->fd, SHUT_WR);
  update_interest(*s);
}

void Runner::close(SockId sid) {
  Sock* s = find(sid);
  call(monotonic_ns(), conn_of(sid), "close", s && s->linger_zero ? "linger=0" : "");
  if (s == nullptr || s->app_closed) return;
  s->app_closed = true;
  s->shut_wr = true;
  abandon_sends(*s);
  if (s->listener) {
    const bool was_listening = s->listening;
    close_fd(*s);
    // With linger=0 the model's close is an abort.
    if (was_listening) {
      emit(AppEvent{.mono_ns = monotonic_ns(), .body = listener_closed(node_, s->conn.local, s->linger_zero),
                    .idle = std::nullopt});
    }
    return;
  }
  // SYN-SENT drops what waits for the handshake (§3.10.4); linger=0 resets, dropping it too.
  if (s->connecting || s->linger_zero) s->held = 0;
  if (s->held > 0) {
    s->then = Sock::Then::Close;
    return;
  }
  close_fd(*s);
}

void Runner::abort(SockId sid) {
  Sock* s = find(sid);
  call(monotonic_ns(), conn_of(sid), "abort", "");
  if (s == nullptr || s->app_closed) return;
  s->app_closed = true;
  s->shut_wr = true;
  s->held = 0;
  abandon_sends(*s);
  // SO_LINGER {on, 0 s}: close() sends a RST and drops the queues (Linux tcp_disconnect()).
  const linger zero{1, 0};
  setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &zero, sizeof zero);
  const bool was_listening = s->listener && s->listening;
  close_fd(*s);
  if (was_listening) {
    emit(AppEvent{.mono_ns = monotonic_ns(), .body = listener_closed(node_, s->conn.local, true), .idle = std::nullopt});
  }
}

// TCP_NODELAY; the kernel's children inherit it from the listener (sk_clone_lock()), as the model's.
void Runner::set_nodelay(Sock& s) {
  call(monotonic_ns(), s.conn, "setsockopt", "nodelay=on");
  const int on = 1;
  if (setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) note(s.conn, "setsockopt TCP_NODELAY: " + errno_text(errno));
}

void Runner::set_linger_zero(Sock& s) {
  call(monotonic_ns(), s.conn, "setsockopt", "linger=0");
  const linger zero{1, 0};
  if (setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &zero, sizeof zero) != 0) {
    note(s.conn, "setsockopt SO_LINGER: " + errno_text(errno));
    return;
  }
  s.linger_zero = true;
}

}  // namespace detail

int run_socket_apps(const std::vector<app::Script>& scripts, trace::NodeId node, net::Ipv4 host_ip,
                    const SocketSetup& setup, std::int64_t start_mono_ns, int out_fd, int stop_fd) {
  detail::Runner runner(scripts, node, host_ip, setup, start_mono_ns, out_fd, stop_fd);
  try {
    return runner.run();
  } catch (const detail::Failure& f) {
    runner.report_failure(f.what);
    return 1;
  }
}

}  // namespace tcpsim::live
