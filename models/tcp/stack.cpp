// One host's TCP on the kernel and the network: see stack.hpp. RFC 9293 §3.10.7.1 (no TCB),
// §3.4.1 + RFC 6528 (ISN), §3.6.1 MAY-2 (TIME-WAIT reopen), catalog §3.14 (listen queues).
#include "models/tcp/stack.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "models/tcp/options.hpp"

namespace tcpsim::tcp {

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The 4-tuple folded into 64 bits twice (addresses, then ports), keyed by `key`.
std::uint64_t tuple_hash(const net::ConnId& id, std::uint64_t key) {
  const std::uint64_t ips = (std::uint64_t{id.local.ip.value} << 32) | id.remote.ip.value;
  const std::uint64_t ports = (std::uint64_t{id.local.port} << 16) | id.remote.port;
  return splitmix(splitmix(key ^ ips) ^ ports);
}

bool is_bare_syn(const net::Segment& seg) { return seg.flags.syn && !seg.flags.ack && !seg.flags.rst; }
bool is_ack_only(const net::Segment& seg) { return seg.flags.ack && !seg.flags.syn && !seg.flags.rst; }

// An ACK that would take a SYN-RECEIVED connection to ESTABLISHED (§3.10.7.4 first and fifth
// steps: an acceptable sequence number and SND.UNA < SEG.ACK =< SND.NXT).
bool completes_handshake(const Tcb& tcb, const net::Segment& seg) {
  if (!is_ack_only(seg) || seg.corrupted) return false;
  const net::SeqNum right = tcb.rcv_nxt + std::max<std::uint32_t>(tcb.rcv_wnd, 1);
  return net::seq_in_window(seg.seq, tcb.rcv_nxt, right) && tcb.snd_una < seg.ack && seg.ack <= tcb.snd_nxt;
}

void erase_id(std::vector<SocketId>& q, SocketId id) { q.erase(std::remove(q.begin(), q.end(), id), q.end()); }

}  // namespace

std::size_t ConnIdHash::operator()(const net::ConnId& id) const noexcept {
  return static_cast<std::size_t>(tuple_hash(id, 0));
}

// A connection (or a listener) and its host-side half: the Actions of its Connection.
class TcpStack::Socket final : public Actions {
 public:
  Socket(TcpStack& stack, SocketId id, bool listener)
      : stack_(stack), id_(id), listener_(listener), conn_(stack.params_, *this) {}

  SocketId id() const { return id_; }
  bool listener() const { return listener_; }
  Connection& conn() { return conn_; }
  const Connection& conn() const { return conn_; }

  // listener: the port, queue capacities, children by stage
  std::uint16_t port = 0;
  std::uint32_t syn_capacity = 0;
  std::uint32_t accept_capacity = 0;
  // Vectors, not deques: every socket has these, and an empty std::deque costs ~600 bytes.
  std::vector<SocketId> half_open;     // SYN queue: children in SYN-RECEIVED
  std::vector<SocketId> accept_queue;  // children ESTABLISHED, not yet accepted
  std::optional<sim::Time> last_cookie{};  // when the last SYN cookie was sent
  // child: its listener until accepted; the ISS a TIME-WAIT reopen imposes
  SocketId parent = kNoSocket;
  std::optional<net::SeqNum> iss_override{};
  // socket options (a child inherits its listener's, as sk_clone_lock() copies the socket)
  bool linger_zero = false;
  void inherit_options(const Socket& l) {
    linger_zero = l.linger_zero;
    conn().set_nodelay(l.conn().nodelay());
  }
  // host bookkeeping
  std::optional<net::ConnId> tuple{};        // registered in by_tuple_
  std::optional<std::uint16_t> port_held{};  // counted in port_users_
  bool dead = false;

  void send(const net::Segment& seg, std::string_view cause, bool retransmission) override {
    stack_.network_.send(stack_.host_, seg, cause, false, retransmission);
  }
  void discard(const net::Segment& seg, std::string_view cause) override {
    stack_.trace_.emit(now(), trace::Note{"discard " + seg.to_string() + ": " + std::string(cause), stack_.host_, conn_.id(),
                                          stack_.arriving_, stack_.arriving_ != kNoArrival});
  }
  void arm(TimerKind kind, sim::Time deadline, sim::TieOrder order, std::string_view cause) override {
    const int slot = timer_slot(kind);
    auto& t = timers_[static_cast<std::size_t>(slot)];
    if (!t) t.emplace(stack_.sched_, [s = this, slot] { s->on_timer(s->kind_in(slot)); });
    if (slot == timer_slot(TimerKind::LossProbe)) probe_in_slot_ = kind == TimerKind::LossProbe;
    t->arm_at(deadline, order);
    emit_timer(kind, trace::TimerOp::Armed, deadline, cause);
  }
  void cancel(TimerKind kind) override {
    auto& t = timers_[static_cast<std::size_t>(timer_slot(kind))];
    if (!t || !t->armed() || kind_in(timer_slot(kind)) != kind) return;
    const sim::Time deadline = t->deadline();
    t->cancel();
    emit_timer(kind, trace::TimerOp::Cancelled, deadline);
  }
  void notify(trace::Notice notice, trace::AppError error, std::uint64_t bytes) override {
    stack_.trace_.emit(now(), trace::AppNotify{stack_.host_, conn_.id(), notice, error, bytes});
    stack_.notices_.push_back({id_, notice, error, bytes});
  }
  void state_changed(State from, State to, std::string_view cause) override {
    // A child's OPEN into LISTEN is the fork, not a state the application sees.
    const bool forking = parent != kNoSocket && from == State::Closed && to == State::Listen;
    if (!forking) {
      stack_.trace_.emit(now(), trace::StateChanged{stack_.host_, conn_.id(), trace_name(from), trace_name(to), cause});
    }
    if (to == State::Closed) stack_.mark_dead(*this);
    if (parent == kNoSocket || forking) return;
    if (to == State::Listen) {
      stack_.mark_dead(*this);  // a passive SYN-RECEIVED reset or given up: the request is gone
    } else if (from == State::SynReceived && to == State::Established) {
      if (Socket* l = stack_.find(parent)) {
        erase_id(l->half_open, id_);
        l->accept_queue.push_back(id_);
      }
    }
  }
  int synack_retry_limit(int configured) const override {
    const Socket* l = parent == kNoSocket ? nullptr : stack_.find(parent);
    return l ? stack_.synack_retry_limit(*l, configured) : configured;
  }
  net::SeqNum choose_iss(sim::Time now, const net::ConnId& id) override {
    if (iss_override) return *std::exchange(iss_override, std::nullopt);
    return stack_.make_iss(now, id);
  }

 private:
  sim::Time now() const { return stack_.sched_.now(); }
  void emit_timer(TimerKind kind, trace::TimerOp op, sim::Time deadline, std::string_view cause = {}) {
    stack_.trace_.emit(now(), trace::TimerEvent{stack_.host_, conn_.id(), to_string(kind), op, deadline, cause});
  }
  void on_timer(TimerKind kind) {
    emit_timer(kind, trace::TimerOp::Fired, now());
    conn_.timer_expired(now(), kind);
    stack_.settle();  // may destroy this socket (and this timer): nothing may follow
  }

  TcpStack& stack_;
  SocketId id_;
  bool listener_;
  std::array<std::optional<sim::Timer>, kTimerSlotCount> timers_{};
  bool probe_in_slot_ = false;  // the shared slot (actions.hpp timer_slot()) holds the loss probe
  TimerKind kind_in(int slot) const {
    return slot == timer_slot(TimerKind::LossProbe) && probe_in_slot_ ? TimerKind::LossProbe : static_cast<TimerKind>(slot);
  }
  Connection conn_;
};

TcpStack::TcpStack(sim::Scheduler& sched, trace::Trace& trace, net::Network& network, net::NodeId host,
                   const TcpParams& params, const sim::RandomStreams& streams)
    : TcpStack(sched, trace, network, host, std::make_shared<const TcpParams>(params), streams) {}

TcpStack::TcpStack(sim::Scheduler& sched, trace::Trace& trace, net::Network& network, net::NodeId host,
                   std::shared_ptr<const TcpParams> params, const sim::RandomStreams& streams)
    : sched_(sched), trace_(trace), network_(network), host_(host), params_(std::move(params)), cookies_(0) {
  const net::NodeConfig& node = network_.node(host);
  if (!node.ip || node.router) throw std::invalid_argument("TcpStack: " + node.name + " is not a host");
  ip_ = *node.ip;
  // RFC 6528 §3: "F() ... a secret key ... SHOULD be ... unknown to an attacker": one per host
  // and run, from the run's seed.
  isn_secret_ = streams.stream("host/" + node.name + "/isn-secret").next_u64();
  // RFC 4987 §3.6: the cookie's hash is keyed by a secret of the server's; one per host and run.
  cookies_ = SynCookies(streams.stream("host/" + node.name + "/syncookie-secret").next_u64());
  network_.set_receiver(host_, [this](const net::Segment& seg, net::SegmentId id) {
    arriving_ = id;  // what a discard note is about
    on_segment(seg);
    arriving_ = kNoArrival;
  });
}

TcpStack::~TcpStack() { network_.set_receiver(host_, nullptr); }

void TcpStack::set_ephemeral_range(std::uint16_t lo, std::uint16_t hi) {
  if (lo == 0 || lo > hi) throw std::invalid_argument("TcpStack: bad ephemeral port range");
  eph_lo_ = lo;
  eph_hi_ = hi;
  eph_next_ = lo;
}

void TcpStack::set_fixed_iss(std::uint16_t local_port, net::SeqNum iss) { fixed_iss_port_[local_port] = iss; }
void TcpStack::set_fixed_iss(const net::ConnId& id, net::SeqNum iss) { fixed_iss_tuple_[id] = iss; }

// RFC 9293 §3.4.1 (MUST-8, MUST-9) with RFC 6528 §3: ISN = M + F(localip, localport, remoteip,
// remoteport, secretkey), M a 4-microsecond timer.
net::SeqNum TcpStack::make_iss(sim::Time now, const net::ConnId& id) {
  if (auto it = fixed_iss_tuple_.find(id); it != fixed_iss_tuple_.end()) return it->second;
  if (auto it = fixed_iss_port_.find(id.local.port); it != fixed_iss_port_.end()) return it->second;
  const auto m = static_cast<std::uint64_t>(now.ns()) / 4000;
  return net::SeqNum(static_cast<std::uint32_t>(m + tuple_hash(id, isn_secret_)));
}

TcpStack::Socket* TcpStack::find(SocketId s) const {
  const auto it = sockets_.find(s);
  return it == sockets_.end() ? nullptr : it->second.get();
}

TcpStack::Socket& TcpStack::create(bool listener) {
  const SocketId id = next_id_++;
  auto& slot = sockets_[id];
  slot = std::make_unique<Socket>(*this, id, listener);
  return *slot;
}

std::optional<std::uint16_t> TcpStack::pick_ephemeral() {
  const std::uint32_t span = std::uint32_t{eph_hi_} - eph_lo_ + 1;
  for (std::uint32_t i = 0; i < span; ++i) {
    const std::uint16_t p = eph_next_;
    eph_next_ = p == eph_hi_ ? eph_lo_ : static_cast<std::uint16_t>(p + 1);
    const auto used = port_users_.find(p);
    if (used == port_users_.end() || used->second == 0) return p;
  }
  return std::nullopt;
}

void TcpStack::app_call(const net::ConnId& id, std::string_view call, std::string args) {
  trace_.emit(sched_.now(), trace::AppCall{host_, id, call, std::move(args)});
}

void TcpStack::hold(Socket& s, std::uint16_t port) {
  s.port_held = port;
  ++port_users_[port];
}

void TcpStack::register_tuple(Socket& s, const net::ConnId& id) {
  s.tuple = id;
  by_tuple_[id] = s.id();
}

// --- arrivals ---

void TcpStack::on_segment(const net::Segment& seg) {
  const net::ConnId id{seg.destination(), seg.source()};
  if (auto it = by_tuple_.find(id); it != by_tuple_.end()) {
    Socket& s = *find(it->second);
    const auto l = listeners_.find(id.local.port);
    if (s.conn().state() == State::TimeWait && l != listeners_.end() && s.conn().syn_may_reopen(seg)) {
      const net::SeqNum iss = s.conn().reopen_iss();
      trace_.emit(sched_.now(), trace::Note{"§3.6.1 MAY-2: a new SYN reopens " + id.to_string() + " from TIME-WAIT", host_, id});
      release(s);
      deliver_to_listener(*find(l->second), seg, iss);
    } else if (overflows_accept_queue(s, seg)) {
      accept_overflow(s, seg);
    } else {
      s.conn().segment_arrives(sched_.now(), seg);
    }
  } else if (auto l = listeners_.find(id.local.port); l != listeners_.end()) {
    deliver_to_listener(*find(l->second), seg, std::nullopt);
  } else {
    no_tcb(seg);
  }
  settle();
}

// Catalog §3.14, in the order of Linux's tcp_conn_request(): a SYN that finds the SYN queue full
// is answered with a SYN cookie (syn_cookies) or dropped; one that finds the accept queue full is
// dropped; otherwise it forks a child. An ACK may return a SYN cookie. Anything else meets the
// LISTEN TCB itself (§3.10.7.2: RST ignored, ACK answered with a RST, the rest dropped).
void TcpStack::deliver_to_listener(Socket& l, const net::Segment& seg, std::optional<net::SeqNum> iss) {
  const sim::Time now = sched_.now();
  if (!is_bare_syn(seg)) {
    if (!try_cookie(l, seg)) l.conn().segment_arrives(now, seg);
    return;
  }
  const bool syn_queue_full = l.half_open.size() >= l.syn_capacity;
  if (syn_queue_full && !params_->syn_cookies) {
    drop_syn("listen queue full: SYN dropped (SYN queue full)");
    return;
  }
  if (l.accept_queue.size() >= l.accept_capacity) {
    drop_syn("listen queue full: SYN dropped (accept queue full)");
    return;
  }
  if (syn_queue_full) {
    send_cookie(l, seg);
    return;
  }
  Socket& c = create(false);
  c.parent = l.id();
  c.iss_override = iss;
  c.inherit_options(l);
  c.conn().open_passive(now, {ip_, l.port});
  register_tuple(c, {seg.destination(), seg.source()});
  hold(c, l.port);
  l.half_open.push_back(c.id());
  c.conn().segment_arrives(now, seg);
}

void TcpStack::drop_syn(std::string_view why) {
  ++syns_dropped_;
  trace_.emit(sched_.now(), trace::Note{std::string(why), host_, {}, arriving_, arriving_ != kNoArrival});
}

// RFC 4987 §3.6: "the server ... sends back a SYN-ACK, exactly as if the SYN queue had been
// larger", with the cookie as ISS and an MSS option, and keeps no state (never retransmitted).
void TcpStack::send_cookie(Socket& l, const net::Segment& syn) {
  const sim::Time now = sched_.now();
  net::Segment sa{.src = syn.dst,
                  .dst = syn.src,
                  .sport = syn.dport,
                  .dport = syn.sport,
                  .seq = cookies_.make(now, {syn.destination(), syn.source()}, syn.seq, peer_mss(*params_, syn.options)),
                  .ack = syn.seq + 1,
                  .flags = {.syn = true, .ack = true},
                  .window = static_cast<std::uint16_t>(std::min<std::uint32_t>(params_->recv_buffer, 65535))};
  sa.options = cookie_syn_ack_options(*params_, syn.options, now);
  l.last_cookie = now;
  ++cookies_sent_;
  network_.send(host_, sa, "RFC 4987 §3.6: SYN queue full -> SYN,ACK with a SYN cookie as ISS, no state");
}

// An ACK for no TCB on a listening port: a SYN cookie coming back? As Linux's cookie_v4_check(),
// only while cookies were sent recently (tcp_synq_no_recent_overflow: within two slots). Returns
// true if the segment was consumed (a valid cookie); false sends it on to the LISTEN TCB.
bool TcpStack::try_cookie(Socket& l, const net::Segment& seg) {
  const sim::Time now = sched_.now();
  if (!params_->syn_cookies || !is_ack_only(seg) || !l.last_cookie || now - *l.last_cookie >= kCookieSlot * 2) {
    return false;
  }
  const net::ConnId id{seg.destination(), seg.source()};
  const std::optional<std::uint16_t> mss = cookies_.check(now, id, seg.seq - 1, seg.ack - 1);
  if (!mss) {
    trace_.emit(now, trace::Note{"invalid SYN cookie from " + id.remote.to_string() + ": ACK in LISTEN", host_, id});
    return false;
  }
  if (l.accept_queue.size() >= l.accept_capacity) {
    // Linux: tcp_get_cookie_sock() -> tcp_v4_syn_recv_sock() fails on sk_acceptq_is_full; the
    // cookie stays valid, so a retransmission of the peer's segment may succeed later.
    // Deviation: Linux discards the segment here even with tcp_abort_on_overflow (only
    // tcp_check_req() resets); this host treats a cookie as a stored request and resets too.
    if (params_->abort_on_overflow) {
      ++overflow_resets_;
      trace_.emit(now, trace::Note{"accept queue full: valid SYN cookie refused (abort_on_overflow)", host_, id});
      if (auto rst = reset_for_closed(seg)) {
        network_.send(host_, *rst, "linux tcp_abort_on_overflow: accept queue full -> <SEQ=SEG.ACK><CTL=RST>");
      }
    } else {
      ++acks_dropped_;
      trace_.emit(now, trace::Note{"accept queue full: ACK with a valid SYN cookie dropped", host_, id, arriving_,
                                   arriving_ != kNoArrival});
    }
    return true;
  }
  ++cookies_validated_;
  trace_.emit(now, trace::Note{"SYN cookie validated for " + id.to_string() + ": MSS " + std::to_string(*mss), host_, id});
  Socket& c = create(false);
  c.parent = l.id();
  c.inherit_options(l);
  c.conn().open_passive(now, {ip_, l.port});
  register_tuple(c, id);
  hold(c, l.port);
  c.conn().open_from_cookie(now, seg, *mss);  // ESTABLISHED: state_changed queues it for accept()
  return true;
}

// Catalog 3.14 (Linux tcp_check_req -> listen_overflow): `seg` would complete the handshake of a
// child in SYN-RECEIVED while its listener's accept queue is full.
bool TcpStack::overflows_accept_queue(const Socket& s, const net::Segment& seg) const {
  if (s.parent == kNoSocket || s.conn().state() != State::SynReceived) return false;
  const Socket* l = find(s.parent);
  return l && l->accept_queue.size() >= l->accept_capacity && completes_handshake(s.conn().tcb(), seg);
}

// TcpParams::prune_old_requests, Linux's reqsk_timer_handler(): "we reserve half of room for young
// embrions; and abort old ones without pity, if old ones are about to clog our table." While the
// SYN queue holds more than half of max(8, backlog) requests, the requests whose SYN,ACK has timed
// out lose one retry for each halving of the young requests' share of the queue, down to 2. A
// request is young until its first timeout; the one expiring now counts as it stood before.
int TcpStack::synack_retry_limit(const Socket& l, int configured) const {
  const auto qlen = static_cast<std::uint64_t>(l.half_open.size());
  const std::uint64_t backlog = l.accept_capacity - (params_->backlog_plus_one ? 1 : 0);
  if (qlen * 2 <= std::max<std::uint64_t>(8, backlog)) return configured;
  std::uint64_t young = 0;
  for (const SocketId id : l.half_open) {
    if (const Socket* c = find(id); c && !c->conn().handshake_timed_out()) ++young;
  }
  young *= 2;
  int thresh = configured;
  while (thresh > 2 && qlen >= young) {
    --thresh;
    young *= 2;
  }
  return thresh;
}

// tcp_abort_on_overflow = 0: the ACK is dropped and the child stays SYN-RECEIVED; its SYN,ACK
// retransmissions draw new ACKs, one of which completes the handshake once accept() made room.
// = 1: the child answers with a RST and is released.
void TcpStack::accept_overflow(Socket& child, const net::Segment& seg) {
  const sim::Time now = sched_.now();
  if (params_->abort_on_overflow) {
    ++overflow_resets_;
    trace_.emit(now, trace::Note{"accept queue full: third ACK refused with RST (abort_on_overflow)", host_, child.conn().id()});
    child.conn().refuse_on_overflow(now, seg);
  } else {
    ++acks_dropped_;
    trace_.emit(now, trace::Note{"accept queue full: third ACK dropped, child stays SYN-RECEIVED", host_,
                                 child.conn().id(), arriving_, arriving_ != kNoArrival});
  }
}

void TcpStack::no_tcb(const net::Segment& seg) {
  // §3.10.7.1: "An incoming segment not containing a RST causes a RST to be sent in response."
  if (auto rst = reset_for_closed(seg)) {
    ++resets_for_closed_;
    network_.send(host_, *rst, "§3.10.7.1: no TCB -> RST");
  }
}

// --- release ---

void TcpStack::mark_dead(Socket& s) {
  if (s.dead) return;
  s.dead = true;
  dead_.push_back(s.id());
}

void TcpStack::settle() {
  while (!dead_.empty()) {
    const SocketId id = dead_.front();
    dead_.erase(dead_.begin());
    if (Socket* s = find(id)) release(*s);
  }
  if (flushing_) return;
  flushing_ = true;
  while (!notices_.empty()) {
    const PendingNotice n = notices_.front();
    notices_.erase(notices_.begin());
    if (observer_) observer_(n.socket, n.notice, n.error, n.bytes);
  }
  flushing_ = false;
}

void TcpStack::release(Socket& s) {
  if (s.tuple) by_tuple_.erase(*s.tuple);
  if (s.port_held) --port_users_[*s.port_held];
  if (s.parent != kNoSocket) {
    if (Socket* l = find(s.parent)) {
      erase_id(l->half_open, s.id());
      erase_id(l->accept_queue, s.id());
    }
  }
  if (s.listener()) {
    listeners_.erase(s.port);
    // Children not yet accepted belong to no one: abort them (they are released in turn).
    std::vector<SocketId> children(s.half_open.begin(), s.half_open.end());
    children.insert(children.end(), s.accept_queue.begin(), s.accept_queue.end());
    for (SocketId cid : children) {
      Socket* c = find(cid);
      if (!c) continue;
      c->parent = kNoSocket;
      if (!c->dead) c->conn().abort(sched_.now());
      mark_dead(*c);
    }
  }
  sockets_.erase(s.id());
}

// --- the application's calls ---

SocketId TcpStack::listen(std::uint16_t port, std::uint32_t backlog) {
  app_call({{ip_, port}, {}}, "listen", "port=" + std::to_string(port) + " backlog=" + std::to_string(backlog));
  if (port == 0 || listeners_.contains(port)) return kNoSocket;
  Socket& l = create(true);
  l.port = port;
  // Catalog §3.14: capacity min(backlog, somaxconn), plus one where the queues are full only when
  // they hold more than that (Linux).
  const std::uint32_t capped = params_->somaxconn ? std::min(backlog, *params_->somaxconn) : backlog;
  const std::uint32_t cap = params_->backlog_plus_one ? capped + 1 : capped;
  l.syn_capacity = cap;
  l.accept_capacity = cap;
  listeners_[port] = l.id();
  hold(l, port);
  l.conn().open_passive(sched_.now(), {ip_, port});
  settle();
  return l.id();
}

std::optional<SocketId> TcpStack::accept(SocketId listener) {
  Socket* l = find(listener);
  app_call(l ? l->conn().id() : net::ConnId{}, "accept", "socket=" + std::to_string(listener));
  if (!l || !l->listener() || l->accept_queue.empty()) return std::nullopt;
  const SocketId c = l->accept_queue.front();
  l->accept_queue.erase(l->accept_queue.begin());
  if (Socket* child = find(c)) child->parent = kNoSocket;
  return c;
}

SocketId TcpStack::connect(net::Endpoint remote, std::optional<std::uint16_t> local_port,
                           std::optional<net::SeqNum> iss) {
  const std::optional<std::uint16_t> port = local_port ? local_port : pick_ephemeral();
  const net::ConnId id{{ip_, port.value_or(0)}, remote};
  app_call(id, "connect", "remote=" + remote.to_string() + " local=" + std::to_string(id.local.port));
  if (!port || *port == 0) return kNoSocket;
  std::optional<net::SeqNum> takeover_iss;
  if (const auto it = by_tuple_.find(id); it != by_tuple_.end()) {
    Socket& old = *find(it->second);
    if (!reuse_addr_ || old.conn().state() != State::TimeWait) return kNoSocket;
    // SO_REUSEADDR (host option): the TIME-WAIT TCB gives the 4-tuple up. Its ISS rule is MAY-2's
    // (§3.6.1: "assigns its initial sequence number for the new connection to be larger than the
    // largest sequence number it used on the previous connection incarnation"), as Linux's
    // tcp_twsk_unique() for tcp_tw_reuse.
    takeover_iss = old.conn().reopen_iss();
    trace_.emit(sched_.now(), trace::Note{"reuse_addr: connect takes " + id.to_string() + " over from TIME-WAIT", host_, id});
    release(old);
  }
  const bool pinned = fixed_iss_tuple_.contains(id) || fixed_iss_port_.contains(id.local.port);
  const net::SeqNum first = iss ? *iss : (takeover_iss && !pinned) ? *takeover_iss : make_iss(sched_.now(), id);
  Socket& s = create(false);
  register_tuple(s, id);
  hold(s, *port);
  s.conn().open_active(sched_.now(), id, first);
  const SocketId sid = s.id();
  settle();
  return sid;
}

CallError TcpStack::send(SocketId sock, std::uint64_t octets, std::uint64_t* accepted) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "send", "bytes=" + std::to_string(octets));
  if (accepted) *accepted = 0;
  if (!s) return CallError::ConnectionDoesNotExist;
  const CallError e = s->conn().send(sched_.now(), octets, accepted);
  settle();
  return e;
}

std::uint64_t TcpStack::receive(SocketId sock, std::uint64_t max) {
  Socket* s = find(sock);
  // "receive" alone reads everything there is (max = UINT64_MAX is the API's way to say so).
  app_call(s ? s->conn().id() : net::ConnId{}, "receive", max == UINT64_MAX ? std::string() : "max=" + std::to_string(max));
  if (!s) return 0;
  const std::uint64_t read = s->conn().receive(sched_.now(), max).octets;
  settle();
  return read;
}

CallError TcpStack::close(SocketId sock) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "close", s && s->linger_zero ? "linger=0" : "");
  if (!s) return CallError::ConnectionDoesNotExist;
  // SO_LINGER with a zero timeout: close() discards what is queued and resets, i.e. §3.10.5 ABORT
  // (Linux tcp_close() -> tcp_disconnect() -> tcp_send_active_reset()).
  const CallError e = s->linger_zero ? s->conn().abort(sched_.now()) : s->conn().close(sched_.now());
  settle();
  return e;
}

CallError TcpStack::shutdown(SocketId sock) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "shutdown", "how=write");
  if (!s) return CallError::ConnectionDoesNotExist;
  const CallError e = s->conn().close(sched_.now(), Connection::CloseMode::HalfDuplex);
  settle();
  return e;
}

CallError TcpStack::abort(SocketId sock) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "abort", "");
  if (!s) return CallError::ConnectionDoesNotExist;
  const CallError e = s->conn().abort(sched_.now());
  settle();
  return e;
}

bool TcpStack::set_nodelay(SocketId sock, bool on) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "setsockopt", std::string("nodelay=") + (on ? "on" : "off"));
  if (!s) return false;
  s->conn().set_nodelay(on);
  return true;
}

bool TcpStack::set_linger_zero(SocketId sock, bool on) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "setsockopt", std::string("linger=") + (on ? "0" : "off"));
  if (!s) return false;
  s->linger_zero = on;
  return true;
}

void TcpStack::set_reuse_addr(bool on) {
  app_call({{ip_, 0}, {}}, "setsockopt", std::string("reuse_addr=") + (on ? "on" : "off"));
  reuse_addr_ = on;
}

State TcpStack::state(SocketId sock) const {
  const Socket* s = find(sock);
  return s ? s->conn().state() : State::Closed;
}

std::optional<Status> TcpStack::status(SocketId sock) const {
  const Socket* s = find(sock);
  if (!s) return std::nullopt;
  return s->conn().status();
}

std::optional<Status> TcpStack::status(const net::ConnId& id) const {
  if (const auto it = by_tuple_.find(id); it != by_tuple_.end()) return status(it->second);
  if (id.remote == net::Endpoint{}) {
    if (const auto l = listeners_.find(id.local.port); l != listeners_.end()) {
      if (auto st = status(l->second); st && st->id == id) return st;
    }
  }
  return std::nullopt;
}

}  // namespace tcpsim::tcp
