// The apps of one live host: a scenario host's scripts (models/app/script.hpp) played with real
// socket calls inside the host's network namespace, reporting what they do as the model's trace
// records would (AppCall, AppNotify, and a listener's own StateChanged), one line per event.
//
// One process per host runs run_socket_apps(): one epoll loop over non-blocking sockets, the
// steps on absolute CLOCK_MONOTONIC deadlines (a timerfd), the events written to a pipe that the
// run reads with parse_app_event(). The triggers are the model's: `at` on the app's current
// socket, `on` once per connection (a server's `on eof: close` serves every client), a step
// without a trigger after the previous one on the same connection, `after` as an extra wait.
//
// What differs from the model, and why:
//   - Closed: a socket's end is visible only while the app still holds it open. After a
//     shutdown(), the kernel moves the socket to CLOSE when LAST-ACK is acknowledged (as the
//     model's Closed) or when it enters TIME-WAIT (a timewait socket takes over, so Closed comes
//     2 MSL earlier than in the model). A socket the app has closed or aborted reports nothing
//     more, so `on closed` never fires for it (the model reports its TIME-WAIT or FIN-WAIT-2
//     expiry).
//   - Connected on an accepted connection is reported when accept() returns it (the kernel
//     says nothing about a child before), just before the accept call, with the octets and
//     the FIN that came before it (the order of the model's records); without auto_accept a
//     child nobody accepts is never reported.
//   - Data reports the octets that arrived since the last report (FIONREAD), as the loop sees
//     them: several segments can make one report. A Receive step first reports what has
//     arrived and reads at most what has been reported. Eof is the FIN's arrival (EPOLLRDHUP),
//     even with unread data, as in the model.
//   - Errors come from SO_ERROR or a failed send()/recv(): ECONNREFUSED, ETIMEDOUT, ECONNRESET
//     as the model's; EPIPE on a connection the app has not shut down (Linux's error after a
//     RST in CLOSE-WAIT, or an error another call consumed) as ECONNRESET; anything else as an
//     Error without a code, with a Note naming the errno.
//   - A send that finds the buffer full waits for EPOLLOUT instead of looking again every
//     kSendRetry; each retry is a "send" call of the rest, as in the model. Octets sent while
//     the connection is still in SYN-SENT are accepted whole (the model queues them; Linux
//     would say EAGAIN) and handed to the kernel once it is established; a shutdown or close
//     that follows waits for them, and a close or shutdown in SYN-SENT drops them (RFC 9293
//     §3.10.4, as the model).
//   - Every listener gets SO_REUSEADDR: the model's listen() never fails because earlier
//     connections on the port are in TIME-WAIT, Linux's bind() does without it.
//   - shutdown on a listener is shutdown(SHUT_RDWR), which stops it (the model closes a LISTEN
//     TCB on a half close too; Linux ignores SHUT_WR there).
//   - reuse_addr on a connect sets SO_REUSEADDR before bind(); taking over a 4-tuple in
//     TIME-WAIT then follows Linux's rules (net.ipv4.tcp_tw_reuse, timestamps, TIME-WAIT older
//     than 1 s), not the model's unconditional take-over.
//   - `iss` cannot be played (unsupported_on_sockets()); "socket=N" of an accept call numbers
//     the host's sockets in the order the apps get them, which is the model's numbering only
//     until the first connection arrives (the model numbers a child at its SYN).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/app/script.hpp"
#include "models/net/wire/address.hpp"
#include "sim/trace/record.hpp"

namespace tcpsim::live {

// Socket options applied to every socket the apps create (listeners too; accepted sockets inherit).
struct SocketSetup {
  std::optional<int> send_buffer;      // SO_SNDBUF
  std::optional<int> recv_buffer;      // SO_RCVBUF
  std::optional<int> user_timeout_ms;  // TCP_USER_TIMEOUT
  bool keepalive = false;              // SO_KEEPALIVE (times: the namespace's tcp_keepalive_* sysctls)
};

// What the apps of one host report, at CLOCK_MONOTONIC time mono_ns: an AppCall or AppNotify body
// (node = the `node` given), or a listener's own state change (StateChanged CLOSED->LISTEN when
// listen() succeeds, LISTEN->CLOSED when the listener is closed, with the model's texts), or
// `idle`: no timed step is left to run (apps may still react to events; a later step that becomes
// scheduled again reports idle=false); a chunk waiting for buffer space counts as a step still
// running. Nothing is reported before the first idle=true. A Note body names what failed (an errno the model has no
// code for, a call the kernel refused, an internal failure of the runner).
struct AppEvent {
  std::int64_t mono_ns = 0;
  std::optional<trace::Body> body;
  std::optional<bool> idle;
};

// Why a step cannot be played on real sockets, or nullopt.
std::optional<std::string> unsupported_on_sockets(const app::Step& step);

// Runs in a child process already inside the host's network namespace: the host's apps (`scripts`),
// their clock starting at start_mono_ns (CLOCK_MONOTONIC ns), making real socket calls on host_ip.
// Writes one line per event to out_fd (format_app_event + '\n'). Returns 0 when stop_fd becomes
// readable or reaches EOF (the run is over; sockets still open stay open — the caller exits), or
// non-zero after writing an error line (a Note) on an internal failure.
int run_socket_apps(const std::vector<app::Script>& scripts, trace::NodeId node, net::Ipv4 host_ip,
                    const SocketSetup& setup, std::int64_t start_mono_ns, int out_fd, int stop_fd);

// One line of JSON, no newline: {"mono_ns":..,"idle":true} and/or the body as the trace's JSON
// Lines write it ("kind", then its fields), with the node as its number. Only the bodies the
// runner reports (app-call, app-notify, state, note) have their fields written.
std::string format_app_event(const AppEvent& e);
// The reverse of format_app_event; nullopt with *error (when given) saying what is wrong.
// Texts kept as string_view (calls, states, causes) must be ones the runner writes.
std::optional<AppEvent> parse_app_event(std::string_view line, std::string* error);

// The model's texts for a listener's own state changes (TcpStack listen(), close(), abort() or a
// close with linger=0), the StateChanged records the runner reports.
trace::StateChanged listener_opened(trace::NodeId node, net::Endpoint local);
trace::StateChanged listener_closed(trace::NodeId node, net::Endpoint local, bool aborted);

}  // namespace tcpsim::live
