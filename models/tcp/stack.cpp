// One host's TCP on the kernel and the network: see stack.hpp. RFC 9293 §3.10.7.1 (no TCB),
// §3.4.1 + RFC 6528 (ISN), §3.6.1 MAY-2 (TIME-WAIT reopen), catalog §3.14 (listen queues).
#include "models/tcp/stack.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

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

void erase_id(std::deque<SocketId>& q, SocketId id) { q.erase(std::remove(q.begin(), q.end(), id), q.end()); }

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
  std::deque<SocketId> half_open;     // SYN queue: children in SYN-RECEIVED
  std::deque<SocketId> accept_queue;  // children ESTABLISHED, not yet accepted
  // child: its listener until accepted; the ISS a TIME-WAIT reopen imposes
  SocketId parent = kNoSocket;
  std::optional<net::SeqNum> iss_override{};
  // host bookkeeping
  std::optional<net::ConnId> tuple{};        // registered in by_tuple_
  std::optional<std::uint16_t> port_held{};  // counted in port_users_
  bool dead = false;

  void send(const net::Segment& seg, std::string_view cause) override {
    stack_.network_.send(stack_.host_, seg, cause);
  }
  void discard(const net::Segment& seg, std::string_view cause) override {
    stack_.trace_.emit(now(), trace::Note{"discard " + seg.to_string() + ": " + std::string(cause)});
  }
  void arm(TimerKind kind, sim::Time deadline) override {
    auto& t = timers_[static_cast<int>(kind)];
    if (!t) t.emplace(stack_.sched_, [s = this, kind] { s->on_timer(kind); });
    t->arm_at(deadline);
    emit_timer(kind, trace::TimerOp::Armed, deadline);
  }
  void cancel(TimerKind kind) override {
    auto& t = timers_[static_cast<int>(kind)];
    if (!t || !t->armed()) return;
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
  net::SeqNum choose_iss(sim::Time now, const net::ConnId& id) override {
    if (iss_override) return *std::exchange(iss_override, std::nullopt);
    return stack_.make_iss(now, id);
  }

 private:
  sim::Time now() const { return stack_.sched_.now(); }
  void emit_timer(TimerKind kind, trace::TimerOp op, sim::Time deadline) {
    stack_.trace_.emit(now(), trace::TimerEvent{stack_.host_, conn_.id(), to_string(kind), op, deadline});
  }
  void on_timer(TimerKind kind) {
    emit_timer(kind, trace::TimerOp::Fired, now());
    conn_.timer_expired(now(), kind);
    stack_.settle();  // may destroy this socket (and this timer): nothing may follow
  }

  TcpStack& stack_;
  SocketId id_;
  bool listener_;
  std::array<std::optional<sim::Timer>, kTimerKindCount> timers_{};
  Connection conn_;
};

TcpStack::TcpStack(sim::Scheduler& sched, trace::Trace& trace, net::Network& network, net::NodeId host,
                   const TcpParams& params, const sim::RandomStreams& streams)
    : sched_(sched), trace_(trace), network_(network), host_(host), params_(params) {
  const net::NodeConfig& node = network_.node(host);
  if (!node.ip || node.router) throw std::invalid_argument("TcpStack: " + node.name + " is not a host");
  ip_ = *node.ip;
  // RFC 6528 §3: "F() ... a secret key ... SHOULD be ... unknown to an attacker": one per host
  // and run, from the run's seed.
  isn_secret_ = streams.stream("host/" + node.name + "/isn-secret").next_u64();
  network_.set_receiver(host_, [this](const net::Segment& seg, net::SegmentId) { on_segment(seg); });
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
      trace_.emit(sched_.now(), trace::Note{"§3.6.1 MAY-2: a new SYN reopens " + id.to_string() + " from TIME-WAIT"});
      release(s);
      deliver_to_listener(*find(l->second), seg, iss);
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

// Catalog §3.14: a SYN forks a child if both queues have room; anything else meets the LISTEN
// TCB itself (§3.10.7.2: RST ignored, ACK answered with a RST, the rest dropped).
void TcpStack::deliver_to_listener(Socket& l, const net::Segment& seg, std::optional<net::SeqNum> iss) {
  const sim::Time now = sched_.now();
  if (!is_bare_syn(seg)) {
    l.conn().segment_arrives(now, seg);
    return;
  }
  if (l.half_open.size() >= l.syn_capacity || l.accept_queue.size() >= l.accept_capacity) {
    ++syns_dropped_;
    trace_.emit(now, trace::Note{"listen queue full: SYN dropped"});
    return;
  }
  Socket& c = create(false);
  c.parent = l.id();
  c.iss_override = iss;
  c.conn().open_passive(now, {ip_, l.port});
  register_tuple(c, {seg.destination(), seg.source()});
  hold(c, l.port);
  l.half_open.push_back(c.id());
  c.conn().segment_arrives(now, seg);
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
    dead_.pop_front();
    if (Socket* s = find(id)) release(*s);
  }
  if (flushing_) return;
  flushing_ = true;
  while (!notices_.empty()) {
    const PendingNotice n = notices_.front();
    notices_.pop_front();
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
  // Linux's listen() caps the backlog at net.core.somaxconn. TODO: Linux's queues admit one more
  // than the backlog (sk_acceptq_is_full tests >); both capacities are `backlog` here.
  const std::uint32_t cap = params_.profile == "linux" ? std::min(backlog, kSomaxconn) : backlog;
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
  l->accept_queue.pop_front();
  if (Socket* child = find(c)) child->parent = kNoSocket;
  return c;
}

SocketId TcpStack::connect(net::Endpoint remote, std::optional<std::uint16_t> local_port,
                           std::optional<net::SeqNum> iss) {
  const std::optional<std::uint16_t> port = local_port ? local_port : pick_ephemeral();
  const net::ConnId id{{ip_, port.value_or(0)}, remote};
  app_call(id, "connect", "remote=" + remote.to_string() + " local=" + std::to_string(id.local.port));
  if (!port || *port == 0 || by_tuple_.contains(id)) return kNoSocket;
  Socket& s = create(false);
  register_tuple(s, id);
  hold(s, *port);
  s.conn().open_active(sched_.now(), id, iss ? *iss : make_iss(sched_.now(), id));
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
  app_call(s ? s->conn().id() : net::ConnId{}, "receive", "max=" + std::to_string(max));
  if (!s) return 0;
  const std::uint64_t read = s->conn().receive(sched_.now(), max).octets;
  settle();
  return read;
}

CallError TcpStack::close(SocketId sock) {
  Socket* s = find(sock);
  app_call(s ? s->conn().id() : net::ConnId{}, "close", "");
  if (!s) return CallError::ConnectionDoesNotExist;
  const CallError e = s->conn().close(sched_.now());
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

State TcpStack::state(SocketId sock) const {
  const Socket* s = find(sock);
  return s ? s->conn().state() : State::Closed;
}

std::optional<Status> TcpStack::status(SocketId sock) const {
  const Socket* s = find(sock);
  if (!s) return std::nullopt;
  return s->conn().status();
}

}  // namespace tcpsim::tcp
