// One host's TCP: the sans-IO Connections of connection.hpp run on the real scheduler, trace and
// network. RFC 9293 §3.10.7.1 (no TCB -> reset), §3.4.1 with RFC 6528 (ISN), §3.10.1 OPEN with
// socket semantics for LISTEN (catalog §3.14: SYN queue and accept queue, SYN cookies per
// RFC 4987 §3.6), and two socket options (linger zero, reuse_addr).
//
// TcpStack registers itself as its host's network receiver and owns every connection of the
// host. Each connection lives in a Socket (stable address, one kernel Timer per TimerKind whose
// callback captures only the Socket pointer and the kind) that implements Actions: segments go
// to Network::send, timers and state changes become TimerEvent / StateChanged records,
// notifications become AppNotify records and are forwarded to the application observer.
//
// Demultiplexing of an arriving segment: the exact 4-tuple (local, remote) first, then a listener
// on the local port, else the §3.10.7.1 CLOSED rule: reset_for_closed(seg) (never for a RST).
// A SYN for a TIME-WAIT connection that syn_may_reopen() goes to the listener (MAY-2) with the
// ISS reopen_iss().
//
// Listening. The RFC keeps the LISTEN TCB and makes it SYN-RECEIVED; sockets fork instead, and so
// does this host: listen() creates a listener (a Connection that stays in LISTEN and receives no
// segment), and each admitted SYN creates a child Connection (open_passive, then the SYN). The
// listener has two queues (catalog §3.14), each of capacity min(backlog, TcpParams::somaxconn),
// plus one with TcpParams::backlog_plus_one (linux: Linux's queues are full only when they hold
// more than the backlog): the SYN queue (children in SYN-RECEIVED) and the accept queue
// (children ESTABLISHED, not yet accepted). A SYN is handled as Linux's tcp_conn_request():
//   SYN queue full    -> with TcpParams::syn_cookies a SYN cookie (below), else dropped;
//   accept queue full -> dropped;
//   otherwise         -> a child.
// Each drop is counted (syns_dropped) with a Note "listen queue full: SYN dropped (...)". A child
// that reaches ESTABLISHED moves to the accept queue; accept() pops it. A child that returns to
// LISTEN or CLOSED is released. Closing a listener aborts its children not yet accepted.
//
// SYN cookies (RFC 4987 §3.6, syncookie.hpp; linux profile, as tcp_syncookies = 1). A SYN that
// finds the SYN queue full is answered by a SYN,ACK whose ISS is a cookie (a keyed hash of the
// 4-tuple, a 64 s counter and an MSS index; the key from the run's seeded streams), and nothing
// is stored: the SYN,ACK is never retransmitted. An ACK-only segment for no TCB on a listening
// port, while the listener sent cookies in the last 128 s (Linux's tcp_synq_no_recent_overflow),
// is checked as a cookie (ACK - 1, with SEQ - 1 as the client's ISN). If it is valid, a child is
// made directly (Connection::open_from_cookie: LISTEN -> SYN-RECEIVED -> ESTABLISHED at the same
// instant, the last with cause "SYN cookie validated (RFC 4987 §3.6) -> ESTABLISHED"), with a
// Note, and queued for accept(); data on the ACK is delivered. If not, the LISTEN rule answers
// (§3.10.7.2: RST), with a Note "invalid SYN cookie".
//
// Accept-queue overflow. An ACK that would complete a child's handshake (an acceptable SEQ,
// SND.UNA < SEG.ACK =< SND.NXT), or a valid cookie, that finds the accept queue full is
// dropped, as Linux's tcp_check_req() -> listen_overflow: the child stays SYN-RECEIVED and
// retransmits its SYN,ACK, whose answer completes the handshake once accept() made room (a
// cookie validates again on the peer's next retransmission). With TcpParams::abort_on_overflow
// (tcp_abort_on_overflow = 1) the ACK is answered <SEQ=SEG.ACK><CTL=RST> instead and the request
// released (Connection::refuse_on_overflow: SYN-RECEIVED -> LISTEN). Notes "accept queue
// full: ..."; counters acks_dropped_on_overflow, resets_on_overflow.
//
// Socket options. set_linger_zero(s): SO_LINGER with a zero timeout, close() on `s` is abort()
// (RST, §3.10.5); children inherit their listener's setting. set_reuse_addr(true) (host-wide):
// connect() with a local port whose 4-tuple a TIME-WAIT connection holds releases that TCB (Note
// "reuse_addr: ...", no StateChanged, as the MAY-2 reopen) and opens the new connection with
// ISS = old SND.NXT + 65535 + 2 (unless pinned); without it such a connect() fails.
// set_nodelay(s): TCP_NODELAY, inherited as SO_LINGER is. Each emits an AppCall "setsockopt".
// Not modelled: Linux's tcp_max_syn_backlog rule (without cookies, SYNs from peers not proven
// alive are dropped once fewer than a quarter of the request slots remain), its fewer SYN,ACK
// retries for old requests when the SYN queue is more than half full (catalog 3.6), and
// SO_REUSEADDR for listen() (a listener and TIME-WAIT connections share a port already).
//
// Release. A socket whose Connection reached CLOSED (or a child back in LISTEN) is released after
// the call that got it there returns (the Connection may still act on the way out). Its
// SocketId is then unknown: calls on it answer ConnectionDoesNotExist and state() is CLOSED.
// Each user call emits an AppCall record before acting.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/net/network.hpp"
#include "models/tcp/connection.hpp"
#include "models/tcp/params.hpp"
#include "models/tcp/syncookie.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/scheduler.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::tcp {

using SocketId = std::uint32_t;
inline constexpr SocketId kNoSocket = 0;  // ids start at 1

struct ConnIdHash {
  std::size_t operator()(const net::ConnId& id) const noexcept;
};

class TcpStack {
 public:
  // What the application layer is told: a notification of connection `socket` (AppNotify).
  using Observer = std::function<void(SocketId, trace::Notice, trace::AppError, std::uint64_t)>;

  TcpStack(sim::Scheduler& sched, trace::Trace& trace, net::Network& network, net::NodeId host,
           const TcpParams& params, const sim::RandomStreams& streams);
  // The same, sharing `params` (e.g. with the other hosts of a group) instead of copying them.
  TcpStack(sim::Scheduler& sched, trace::Trace& trace, net::Network& network, net::NodeId host,
           std::shared_ptr<const TcpParams> params, const sim::RandomStreams& streams);
  ~TcpStack();
  TcpStack(const TcpStack&) = delete;
  TcpStack& operator=(const TcpStack&) = delete;

  // The observer is called after the event that produced the notification has been processed
  // (never from inside a Connection), so it may call the stack back (receive, accept, close...).
  // A Connected notice of a child carries the child's SocketId, before or after accept().
  void set_observer(Observer observer) { observer_ = std::move(observer); }
  // Ephemeral ports for connect() without a local port (inclusive; default 49152..65535).
  void set_ephemeral_range(std::uint16_t lo, std::uint16_t hi);
  // Pins the ISS of the next connections on `local_port` / on exactly `id` (the 4-tuple wins).
  void set_fixed_iss(std::uint16_t local_port, net::SeqNum iss);
  void set_fixed_iss(const net::ConnId& id, net::SeqNum iss);

  // --- the application's calls (each emits an AppCall record first) ---
  // A listener on `port`; kNoSocket if the port already has one.
  SocketId listen(std::uint16_t port, std::uint32_t backlog);
  // The oldest ESTABLISHED child of `listener`, if any.
  std::optional<SocketId> accept(SocketId listener);
  // Active OPEN. kNoSocket if no ephemeral port is free or the 4-tuple is in use. `iss` pins the
  // initial sequence number of this connection (else set_fixed_iss or the RFC 6528 function).
  SocketId connect(net::Endpoint remote, std::optional<std::uint16_t> local_port = std::nullopt,
                   std::optional<net::SeqNum> iss = std::nullopt);
  CallError send(SocketId s, std::uint64_t octets, std::uint64_t* accepted = nullptr);
  std::uint64_t receive(SocketId s, std::uint64_t max);  // octets read
  CallError close(SocketId s);
  // shutdown(SHUT_WR): the FIN goes out after the queued data; receiving goes on (half-close).
  CallError shutdown(SocketId s);
  CallError abort(SocketId s);
  // --- socket options (each emits an AppCall "setsockopt") ---
  // SO_LINGER with a zero timeout on socket `s`: close() acts as abort() (RST). A listener's
  // setting is inherited by its children. False if `s` is unknown.
  bool set_linger_zero(SocketId s, bool on);
  // TCP_NODELAY on socket `s` (Connection::set_nodelay); inherited like SO_LINGER.
  bool set_nodelay(SocketId s, bool on);
  // SO_REUSEADDR for the host's connects: connect() to a 4-tuple held by a TIME-WAIT connection
  // releases it (Note) and opens the new one, ISS = old SND.NXT + 65535 + 2 unless pinned.
  void set_reuse_addr(bool on);

  State state(SocketId s) const;  // CLOSED for a released or unknown socket
  std::optional<Status> status(SocketId s) const;
  // The connection with this 4-tuple (as StateChanged and TimerEvent records name it), or the
  // listener of id.local's port when id.remote is unspecified; nullopt once released.
  std::optional<Status> status(const net::ConnId& id) const;

  net::NodeId host() const { return host_; }
  const TcpParams& params() const { return *params_; }
  net::Ipv4 ip() const { return ip_; }
  std::size_t socket_count() const { return sockets_.size(); }
  std::uint64_t syns_dropped() const { return syns_dropped_; }  // SYN or accept queue full
  std::uint64_t syn_cookies_sent() const { return cookies_sent_; }
  std::uint64_t syn_cookies_validated() const { return cookies_validated_; }  // children made
  // Handshake-completing ACKs (third ACK, or a valid cookie) that found the accept queue full:
  // dropped, or refused with a RST when TcpParams::abort_on_overflow.
  std::uint64_t acks_dropped_on_overflow() const { return acks_dropped_; }
  std::uint64_t resets_on_overflow() const { return overflow_resets_; }
  std::uint64_t resets_for_closed() const { return resets_for_closed_; }

 private:
  class Socket;

  void on_segment(const net::Segment& seg);
  void deliver_to_listener(Socket& listener, const net::Segment& seg, std::optional<net::SeqNum> iss);
  void drop_syn(std::string_view why);
  void send_cookie(Socket& listener, const net::Segment& syn);
  bool try_cookie(Socket& listener, const net::Segment& seg);
  bool overflows_accept_queue(const Socket& s, const net::Segment& seg) const;
  int synack_retry_limit(const Socket& listener, int configured) const;
  void accept_overflow(Socket& child, const net::Segment& seg);
  void no_tcb(const net::Segment& seg);
  Socket* find(SocketId s) const;
  Socket& create(bool listener);
  net::SeqNum make_iss(sim::Time now, const net::ConnId& id);
  std::optional<std::uint16_t> pick_ephemeral();
  void app_call(const net::ConnId& id, std::string_view call, std::string args);
  void hold(Socket& s, std::uint16_t port);
  void register_tuple(Socket& s, const net::ConnId& id);
  void mark_dead(Socket& s);
  // After every entry point (arrival, timer, user call): releases the sockets marked dead, then
  // tells the observer, so that it may call the stack again.
  void settle();
  void release(Socket& s);

  struct PendingNotice {
    SocketId socket;
    trace::Notice notice;
    trace::AppError error;
    std::uint64_t bytes;
  };

  sim::Scheduler& sched_;
  trace::Trace& trace_;
  net::Network& network_;
  net::NodeId host_;
  net::Ipv4 ip_;
  std::shared_ptr<const TcpParams> params_;  // shared by every connection of the host
  std::uint64_t isn_secret_;
  SynCookies cookies_;
  bool reuse_addr_ = false;
  Observer observer_;

  SocketId next_id_ = 1;
  std::map<SocketId, std::unique_ptr<Socket>> sockets_;
  std::unordered_map<net::ConnId, SocketId, ConnIdHash> by_tuple_;
  std::map<std::uint16_t, SocketId> listeners_;
  std::map<std::uint16_t, std::uint32_t> port_users_;  // local port -> sockets using it
  std::vector<SocketId> dead_;  // short FIFOs (vectors: an empty std::deque allocates)
  std::vector<PendingNotice> notices_;
  bool flushing_ = false;
  std::map<std::uint16_t, net::SeqNum> fixed_iss_port_;
  std::map<net::ConnId, net::SeqNum> fixed_iss_tuple_;
  std::uint16_t eph_lo_ = 49152;
  std::uint16_t eph_hi_ = 65535;
  std::uint16_t eph_next_ = 49152;
  std::uint64_t syns_dropped_ = 0;
  // The id of the segment being delivered to on_segment(), for the notes about it.
  static constexpr std::uint64_t kNoArrival = UINT64_MAX;
  std::uint64_t arriving_ = kNoArrival;
  std::uint64_t resets_for_closed_ = 0;
  std::uint64_t cookies_sent_ = 0;
  std::uint64_t cookies_validated_ = 0;
  std::uint64_t acks_dropped_ = 0;
  std::uint64_t overflow_resets_ = 0;
};

}  // namespace tcpsim::tcp
