// Scripted applications: a list of steps (listen, accept, connect, send, receive, shutdown, close,
// abort), each taken at an absolute time, when an event happens on a connection of the app, or
// after the previous step, driving one host's TcpStack through its user calls.
//
// Script and Step are plain data, filled by hand or by the scenario loader. ScriptedApp
// interprets one script. Triggers:
//   `at`      the step runs once at that absolute time, on the app's current socket (its last
//             connected or accepted socket, else its listener);
//   `on`      the step runs on the connection where the event happened, the first time it
//             happens on THAT connection: a server's `on` steps run once per accepted
//             connection, so "on eof: close" serves every client;
//   neither   the step follows the previous step, on the same connection, once that step has
//             completed (a Send step completes when its last chunk has been handed to TCP);
//             the first step of a script with no trigger runs at start().
// `after` adds a wait to any trigger. A Send step sends `repeat` chunks of `bytes`, `interval`
// apart; when the send buffer is full the rest waits and is offered again as space frees
// (checked every kSendRetry, without a user call while the buffer stays full). With
// `auto_accept` a listening app accepts each child as soon as it is established; without it,
// each Accept step accepts one (the next to complete, if none is waiting). With `auto_receive`
// it reads every byte it is told about (so EOF is seen and the receive window reopens).
//
// A TcpStack has one observer: AppHost owns it and the apps of one host, and dispatches each
// notification to the app that owns the socket (a child not yet accepted goes to the listening
// apps, which accept it if they may). Scheduler callbacks capture an app pointer, a step index
// and a socket (<= 24 bytes).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <map>
#include <set>
#include <vector>

#include "models/net/wire/address.hpp"
#include "models/tcp/stack.hpp"
#include "sim/kernel/scheduler.hpp"
#include "sim/trace/record.hpp"

namespace tcpsim::app {

using tcp::SocketId;

// What an `on` step can wait for, on the app's current socket.
enum class Event : std::uint8_t { Connected, Accepted, Data, Eof, Error, Closed };
const char* to_string(Event e);

struct Step {
  enum class Do : std::uint8_t { Listen, Accept, Connect, Send, Receive, Shutdown, Close, Abort } action = Do::Close;
  std::optional<sim::Duration> at{};  // absolute time (from 0), or
  std::optional<Event> on{};        // the first time this event happens on a connection, or
                                    // neither: after the previous step
  sim::Duration after{};            // extra wait after the trigger
  // Listen
  std::uint16_t port = 0;
  std::uint32_t backlog = 128;
  // Connect
  net::Endpoint remote{};
  std::optional<std::uint16_t> local_port{};
  // Listen / Connect: pin the initial sequence number (of every connection on the port / of
  // this connection), e.g. just below 2^32 to cross the wrap.
  std::optional<net::SeqNum> iss{};
  // Listen / Connect socket options: SO_LINGER with a zero timeout (close() resets; a listener's
  // connections inherit it), and for Connect SO_REUSEADDR (the host may take over a 4-tuple
  // still in TIME-WAIT; TcpStack applies it host-wide). `nodelay`: TCP_NODELAY, no Nagle (a
  // listener's connections inherit it).
  bool linger_zero = false;
  bool nodelay = false;
  bool reuse_addr = false;
  // Send: `repeat` chunks of `bytes`, `interval` apart. Receive: at most `bytes` (0: everything).
  std::uint64_t bytes = 0;
  std::uint32_t repeat = 1;
  sim::Duration interval{};
};

struct Script {
  std::vector<Step> steps;
  bool auto_accept = true;
  bool auto_receive = true;
};

const char* to_string(Step::Do d);

// How often a Send step waiting for send-buffer space looks again.
inline constexpr sim::Duration kSendRetry = sim::Duration::ms(10);

class ScriptedApp {
 public:
  ScriptedApp(sim::Scheduler& sched, tcp::TcpStack& stack, Script script);
  // Many apps may share one script (a group of hosts running the same program).
  ScriptedApp(sim::Scheduler& sched, tcp::TcpStack& stack, std::shared_ptr<const Script> script);
  ScriptedApp(const ScriptedApp&) = delete;
  ScriptedApp& operator=(const ScriptedApp&) = delete;
  ~ScriptedApp();

  // Schedules the `at` steps (and the first step if it has no trigger), `offset` later than
  // written: the app's clock starts at `offset`. Call once.
  void start(sim::Duration offset = {});
  // A notification of the stack about `s` (see AppHost, or install it as the stack's observer
  // when the app is alone on its host).
  void notify(SocketId s, trace::Notice n, trace::AppError e, std::uint64_t bytes);
  // Offers an established child (kNoSocket: whichever is first): true if the app accepted one.
  // Apps listening on another port decline without a call.
  bool offer_child(SocketId child = tcp::kNoSocket);
  // True while the app still has steps, sends or accepts to run.
  bool busy() const { return outstanding_ > 0 || !accept_steps_.empty(); }

  // Scheduled steps and chunks the app keeps for cancelling on destruction (fired ones are
  // pruned as the list grows): stays near the number outstanding.
  std::size_t tracked_events() const { return pending_.size(); }

  bool owns(SocketId s) const { return s != tcp::kNoSocket && (s == listener_ || owned_.contains(s)); }
  bool listening() const { return listener_ != tcp::kNoSocket; }
  SocketId socket() const { return socket_; }      // current socket (kNoSocket before any)
  SocketId listener() const { return listener_; }  // kNoSocket if the app never listened
  const Script& script() const { return *script_; }

  // --- statistics ---
  std::uint64_t bytes_sent() const { return bytes_sent_; }  // accepted by send()
  std::uint64_t bytes_received() const { return bytes_received_; }
  bool eof_seen() const { return eof_seen_; }
  bool connected() const { return connected_; }
  trace::AppError last_error() const { return last_error_; }
  std::uint64_t steps_run() const { return steps_run_; }
  std::uint64_t calls_failed() const { return calls_failed_; }  // user calls that returned an error

 private:
  void trigger(Event e, SocketId s);
  void schedule(std::size_t i, SocketId s, sim::Time at);
  void track(sim::EventId id);  // adds to pending_
  void run(std::size_t i, SocketId s);
  void completed(std::size_t i, SocketId s);
  void send_chunk(std::size_t i, SocketId s, std::uint32_t left, std::uint64_t rest);
  void adopt(SocketId child);
  void note(tcp::CallError err) { calls_failed_ += err != tcp::CallError::None; }
  SocketId current() const { return socket_ != tcp::kNoSocket ? socket_ : listener_; }

  sim::Scheduler& sched_;
  tcp::TcpStack& stack_;
  std::shared_ptr<const Script> script_;
  std::vector<sim::EventId> pending_;  // scheduled steps and chunks, cancelled on destruction
  std::uint32_t outstanding_ = 0;     // of those, not yet run (pending_ is cleared at 0)
  static constexpr std::size_t kPruneFrom = 64;
  std::size_t prune_at_ = kPruneFrom;  // pending_'s size at which fired ids are dropped
  // Per connection: which `on` steps have fired on it (kNoSocket: the app before any socket).
  std::map<SocketId, std::vector<bool>> fired_;
  SocketId listener_ = tcp::kNoSocket;
  SocketId socket_ = tcp::kNoSocket;
  std::set<SocketId> owned_;  // connected sockets and accepted children
  std::vector<std::uint32_t> accept_steps_;  // Accept steps waiting for a child, oldest first
  // The rest of a partly accepted chunk, by (socket, step), while its retry is scheduled.
  std::map<std::pair<SocketId, std::uint32_t>, std::uint64_t> resume_;
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t bytes_received_ = 0;
  bool eof_seen_ = false;
  bool connected_ = false;
  trace::AppError last_error_ = trace::AppError::None;
  std::uint64_t steps_run_ = 0;
  std::uint64_t calls_failed_ = 0;
  bool started_ = false;
};

// The applications of one host: owns the stack's observer and dispatches by SocketId.
class AppHost {
 public:
  AppHost(sim::Scheduler& sched, tcp::TcpStack& stack);
  ~AppHost();
  AppHost(const AppHost&) = delete;
  AppHost& operator=(const AppHost&) = delete;

  ScriptedApp& add(Script script);
  ScriptedApp& add(std::shared_ptr<const Script> script);
  void start(sim::Duration offset = {});  // starts every app added so far (see ScriptedApp::start)
  std::size_t size() const { return apps_.size(); }
  ScriptedApp& operator[](std::size_t i) { return *apps_[i]; }
  const ScriptedApp& operator[](std::size_t i) const { return *apps_[i]; }
  std::uint64_t unclaimed() const { return unclaimed_; }  // notices no app owned

 private:
  void dispatch(SocketId s, trace::Notice n, trace::AppError e, std::uint64_t bytes);

  sim::Scheduler& sched_;
  tcp::TcpStack& stack_;
  std::vector<std::unique_ptr<ScriptedApp>> apps_;
  std::uint64_t unclaimed_ = 0;
};

}  // namespace tcpsim::app
