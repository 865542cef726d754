// Inside run_socket_apps() (socket_apps.hpp): the Runner that plays one host's scripts on real
// sockets, its view of a socket and of an app, and the system-call helpers it uses. Internal to
// sim/live: socket_apps.cpp has the loop, the steps and the calls; socket_app_sockets.cpp what
// the sockets say, their buffers and the reports.
//
// One Runner per call: an epoll set holds the stop fd, a timerfd and every socket (edge-triggered,
// so a socket in CLOSE does not wake the loop forever, and each arrival is one wake-up even when
// the app leaves the octets unread). The loop handles the socket events, then runs every step
// whose deadline has come, reports `idle` when that changed, and re-arms the timerfd to the next
// deadline. Steps, triggers and completions follow models/app/script.cpp function by function.
#pragma once

#include <netinet/in.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/live/clock.hpp"
#include "sim/live/socket_apps.hpp"

namespace tcpsim::live::detail {

using app::Event;
using app::Step;
using trace::AppError;
using trace::Notice;

// A socket as the host's apps know it, numbered from 1 in the order they get one.
using SockId = std::uint32_t;
inline constexpr SockId kNoSock = 0;

// epoll tags besides the sockets' ids.
inline constexpr std::uint64_t kStopTag = UINT64_MAX;
inline constexpr std::uint64_t kTimerTag = UINT64_MAX - 1;
// A connection's interest: arrivals, the peer's FIN (EPOLLRDHUP, even with octets unread), and
// EPOLLOUT only while something waits for the handshake or for buffer space.
inline constexpr std::uint32_t kConnEvents = EPOLLIN | EPOLLRDHUP | EPOLLET;

// "ECONNRESET (Connection reset by peer)".
std::string errno_text(int err);

// An internal failure: reported as an error line, and run_socket_apps() returns 1.
struct Failure {
  std::string what;
};
// Throws a Failure naming `what` and errno.
[[noreturn]] void fail(const std::string& what);

sockaddr_in to_sockaddr(net::Endpoint e);
net::Endpoint from_sockaddr(const sockaddr_in& a);
std::optional<net::Endpoint> local_of(int fd);
int so_error(int fd);
// The kernel's state of the socket (TCP_ESTABLISHED, TCP_CLOSE, ... of <netinet/tcp.h>), or -1.
int tcp_state(int fd);
// The errors of a connection that a call or SO_ERROR can bring (not a call's own misuse).
bool connection_error(int err);
// The model's code for a connection error (None where it has none).
AppError app_error(int err);

// The octets the apps send: octet k of a connection is 'a' + k % 26, so a capture shows where
// the stream is. Sent from one buffer of kPiece + 26 octets, up to kPiece at a time.
inline constexpr std::size_t kPiece = 64 * 1024;
const char* pattern();

// The rest of a Send step's chunk, waiting for buffer space: `left` chunks remain including this one.
struct SendWait {
  std::uint32_t app = 0;
  std::uint32_t step = 0;
  std::uint32_t left = 0;
  std::uint64_t rest = 0;
};

struct Sock {
  SockId id = kNoSock;
  int fd = -1;  // -1 once the app has closed or aborted it
  std::uint32_t app = 0;
  net::ConnId conn{};
  bool listener = false;
  bool listening = false;   // a listener not yet closed or shut down
  bool connecting = false;  // connect() made, the handshake not yet over
  bool linger_zero = false;
  bool shut_wr = false;     // the app has shut down or closed its sending side
  bool app_closed = false;  // the app has called close or abort
  bool eof = false;  // Eof reported
  // Nothing more to report: after Error or Closed, or a shutdown in SYN-SENT (which ends the
  // connection, as the model's close there does).
  bool ended = false;
  std::uint64_t notified = 0;  // octets reported by Data notices and not yet read
  std::uint64_t sent = 0;      // octets handed to the kernel (the position in the pattern)
  // Octets accepted while the handshake was running, not yet handed to the kernel, and the call
  // that waits for them (the model queues them in its send buffer, ahead of the FIN).
  std::uint64_t held = 0;
  enum class Then : std::uint8_t { Nothing, Shutdown, Close } then = Then::Nothing;
  std::vector<SendWait> waiting;  // chunks waiting for buffer space, oldest first
  bool out_armed = false;         // EPOLLOUT in the interest set
};

struct App {
  const app::Script* script = nullptr;
  // Per connection: which `on` steps have fired on it (kNoSock: the app before any socket).
  std::map<SockId, std::vector<bool>> fired;
  SockId listener = kNoSock;
  SockId socket = kNoSock;
  std::vector<std::uint32_t> accept_steps;  // Accept steps waiting for a child, oldest first
  SockId current() const { return socket != kNoSock ? socket : listener; }
};

class Runner {
 public:
  Runner(const std::vector<app::Script>& scripts, trace::NodeId node, net::Ipv4 ip, const SocketSetup& setup,
         std::int64_t start, int out_fd, int stop_fd)
      : node_(node), ip_(ip), setup_(setup), start_(start), out_(out_fd), stop_(stop_fd) {
    apps_.resize(scripts.size());
    for (std::size_t i = 0; i < scripts.size(); ++i) apps_[i].script = &scripts[i];
  }
  ~Runner() {
    if (ep_ >= 0) ::close(ep_);
    if (tfd_ >= 0) ::close(tfd_);
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  int run();
  // The error line of an internal failure (true if it could be written).
  bool report_failure(const std::string& what);

 private:
  // --- steps (models/app/script.cpp) ---
  void start(std::uint32_t a);
  void at(std::int64_t when, std::function<void()> fn);
  void schedule(std::uint32_t a, std::uint32_t i, SockId s, std::int64_t when);
  void trigger(std::uint32_t a, Event e, SockId s);
  void completed(std::uint32_t a, std::uint32_t i, SockId s);
  void run_step(std::uint32_t a, std::uint32_t i, SockId target);
  const Step& step(std::uint32_t a, std::uint32_t i) const { return apps_[a].script->steps[i]; }
  std::int64_t after(std::int64_t from, sim::Duration d) const { return sim::detail::sat_add(from, d.count()); }

  // --- the calls ---
  void listen(std::uint32_t a, const Step& st);
  SockId connect(std::uint32_t a, const Step& st);
  void offer(std::uint32_t a, bool from_step);
  void send_chunk(SendWait w, SockId sid, bool resumed);
  void receive(SockId sid, std::uint64_t max);
  void read_notified(Sock& s, std::uint64_t max, std::string args);
  void shutdown(SockId sid);
  void close(SockId sid);
  void abort(SockId sid);
  void set_linger_zero(Sock& s);
  void set_nodelay(Sock& s);

  // --- what the sockets say ---
  void on_socket(SockId id, std::uint32_t events);
  void connected(Sock& s);
  void arrivals(Sock& s);
  void writable(Sock& s);
  void connection_failed(Sock& s, int err);  // an error a call returned
  void report_error(Sock& s, int err);
  void report_closed(Sock& s);

  // --- sockets and buffers ---
  int new_socket(bool reuse_addr);
  Sock& add(std::uint32_t a, int fd, const net::ConnId& conn);
  Sock* find(SockId id);
  net::ConnId conn_of(SockId id) {
    const Sock* s = find(id);
    return s ? s->conn : net::ConnId{};
  }
  void watch(int fd, std::uint32_t events, std::uint64_t tag);
  void update_interest(Sock& s);
  int write_pattern(Sock& s, std::uint64_t n, std::uint64_t* took);
  void flush_held(Sock& s);
  void queue(Sock& s, const SendWait& w, bool front);
  void abandon_sends(Sock& s);
  void close_fd(Sock& s);

  // --- reports ---
  void emit(const AppEvent& e);
  void call(std::int64_t t, const net::ConnId& c, std::string_view name, std::string args);
  // At `t` when given, else now.
  void notify(const Sock& s, Notice n, AppError e = AppError::None, std::uint64_t bytes = 0,
              std::optional<std::int64_t> t = std::nullopt);
  void note(const net::ConnId& c, std::string text);
  void report_idle();
  void arm_timer();
  void run_due();
  void warm_up();

  const trace::NodeId node_;
  const net::Ipv4 ip_;
  const SocketSetup setup_;
  const std::int64_t start_;
  const int out_;
  const int stop_;
  int ep_ = -1;
  int tfd_ = -1;
  std::vector<App> apps_;
  // Sockets are never erased (a step may still name one the app closed); references to them
  // stay valid as the map grows.
  std::unordered_map<SockId, Sock> socks_;
  SockId next_id_ = 1;
  // Steps and chunks to run, by (deadline, order of scheduling).
  std::map<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> timers_;
  std::uint64_t timer_seq_ = 0;
  std::int64_t armed_for_ = -1;
  std::size_t waiting_ = 0;  // SendWaits queued on all sockets
  bool idle_ = false;        // as last reported (nothing is reported before the first idle)
};

}  // namespace tcpsim::live::detail
