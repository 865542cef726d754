// The Connection's choke point (set_state), its timers and the helpers every event source shares.
// RFC 9293 §3.3.2 (states), §3.8 (timers), §3.10.8 (what entering CLOSED / TIME-WAIT implies).
#include "models/tcp/connection.hpp"

#include <stdexcept>
#include <string>

namespace tcpsim::tcp {

std::string_view to_string(TimerKind k) {
  switch (k) {
    case TimerKind::Retransmit: return "retransmit";
    case TimerKind::Persist: return "persist";
    case TimerKind::TimeWait: return "time-wait";
    case TimerKind::UserTimeout: return "user-timeout";
    case TimerKind::DelayedAck: return "delayed-ack";
    case TimerKind::Keepalive: return "keepalive";
    case TimerKind::FinWait2: return "fin-wait-2";
    case TimerKind::LossProbe: return "loss-probe";
  }
  return "?";
}

std::string_view to_string(CallError e) {
  switch (e) {
    case CallError::None: return "ok";
    case CallError::ConnectionDoesNotExist: return "error: connection does not exist";
    case CallError::ConnectionAlreadyExists: return "error: connection already exists";
    case CallError::ConnectionClosing: return "error: connection closing";
    case CallError::RemoteSocketUnspecified: return "error: remote socket unspecified";
    case CallError::InsufficientResources: return "error: insufficient resources";
  }
  return "?";
}

Connection::Connection(const TcpParams& params, Actions& actions)
    : Connection(std::make_shared<const TcpParams>(params), actions) {}

Connection::Connection(std::shared_ptr<const TcpParams> params, Actions& actions)
    : params_holder_(std::move(params)), params_(*params_holder_), actions_(actions), rto_(params_),
      sndbuf_(params_.send_buffer), rcvbuf_(params_.recv_buffer), ack_policy_(params_) {
  tcb_.rcv_wnd = rcvbuf_.window();
  tcb_.snd_mss = params_.default_peer_mss;
}

// The one place the state changes. Every handler names the event and the rule (`cause`).
void Connection::set_state(sim::Time now, Event e, std::string_view cause) {
  const std::optional<State> to = transition(state_, e);
  if (!to) {
    throw std::logic_error("tcp: no transition from " + std::string(to_string(state_)) + " on " +
                           std::string(to_string(e)));
  }
  const State from = state_;
  state_ = *to;
  actions_.state_changed(from, *to, cause);
  switch (*to) {
    case State::Established:
      // RFC 6298 (5.7): "If the timer expires awaiting the ACK of a SYN segment and the TCP
      // implementation is using an RTO less than 3 seconds, the RTO MUST be re-initialized to
      // 3 seconds when data transmission begins (i.e., after the three-way handshake completes)."
      if (handshake_retransmissions_ > 0 && !rto_.has_sample()) rto_.reinitialize(params_.rto_after_syn_timeout);
      // RFC 5681 §3.1 / tcp_init_transfer(): the congestion window for the transfer.
      cc_.start(params_, tcb_.snd_mss, handshake_retransmissions_);
      last_data_sent_ = now;
      actions_.notify(trace::Notice::Connected, trace::AppError::None, 0);
      restart_keepalive(now);
      break;
    case State::TimeWait:
      // §3.10.7.4 eighth step, FIN-WAIT-2: "Enter the TIME-WAIT state. Start the time-wait timer,
      // turn off the other timers."
      cancel_all_timers();
      arm(TimerKind::TimeWait, now, params_.time_wait(), "§3.10.7.4 eighth: enter TIME-WAIT -> start the time-wait timer (2 MSL)");
      break;
    case State::FinWait2: arm_fin_wait_2_timer(now); break;
    case State::Closed: enter_closed(); break;
    case State::Listen:
      if (from == State::SynReceived) reset_tcb();
      break;
    default: break;
  }
}

// A passive open's SYN-RECEIVED ends without a connection. RFC 9293 returns the TCB to LISTEN
// (`to_listen` says why); with TcpParams::request_sockets (linux) the request is freed
// (inet_csk_reqsk_queue_drop()) and closes by `linux_event` (`to_closed`), the listener beside it
// never having left LISTEN. Causes are literals: the trace keeps them by reference.
void Connection::drop_passive_request(sim::Time now, Event linux_event, std::string_view to_listen,
                                      std::string_view to_closed) {
  if (params_.request_sockets) {
    set_state(now, linux_event, to_closed);
  } else {
    set_state(now, Event::ReturnToListen, to_listen);
  }
}

void Connection::enter_closed() {
  cancel_all_timers();
  sndbuf_.clear();
  fin_queued_ = false;
  close_pending_ = false;
  probe_outstanding_ = false;
  ack_now_ = false;
  syn_text_.reset();
}

// A fresh TCB on the same local socket: for OPEN, and for the return to LISTEN (RFC 9293
// §3.10.7.4 second/fourth step, passive SYN-RECEIVED), where the remote socket is unspecified
// again and the next SYN gets a new ISS (Figure 8, line 7).
void Connection::reset_tcb() {
  cancel_all_timers();
  const net::Endpoint local = id_.local;
  id_ = {};
  id_.local = local;
  tcb_ = {};
  sndbuf_.clear();
  rcvbuf_.clear();
  tcb_.rcv_wnd = rcvbuf_.window();
  tcb_.snd_mss = params_.default_peer_mss;
  options_ = {};
  recovery_.reset();
  rto_ = RtoEstimator(params_);
  ack_policy_.reset();
  fin_queued_ = fin_sent_ = close_pending_ = fin_received_ = eof_read_ = full_close_ = false;
  ack_now_ = probe_outstanding_ = false;
  handshake_retransmissions_ = 0;
  cc_.reset();
  retransmissions_ = 0;
  dupacks_ = 0;
  sws_held_ = false;
  snd_sml_ = {};
  rtt_seq_.reset();
  syn_text_.reset();
}

void Connection::arm(TimerKind t, sim::Time now, sim::Duration timeout, std::string_view cause) {
  // Deviation (linux profile, TcpParams::hz): sk_reset_timer() arms jiffies + timeout, and the
  // timer wheel (calc_wheel_index(), calc_index()) runs it on a later tick edge, never earlier,
  // in the wheel's order among the timers of that tick (TimerFiring).
  const TimerFiring firing = tick_clock().firing(now, timeout);
  if (!holds(t)) {  // the shared slot: the other timer leaves it first
    cancel(t == TimerKind::LossProbe ? TimerKind::Retransmit : TimerKind::LossProbe);
    probe_in_slot_ = t == TimerKind::LossProbe;
  }
  timers_[timer_slot(t)] = firing.at;
  actions_.arm(t, firing.at, firing.order, cause);
}

void Connection::cancel(TimerKind t) {
  auto& slot = timers_[timer_slot(t)];
  if (!slot || !holds(t)) return;
  slot.reset();
  actions_.cancel(t);
}

void Connection::cancel_all_timers() {
  for (int i = 0; i < kTimerKindCount; ++i) cancel(static_cast<TimerKind>(i));
}

// "RECEIVEs and SENDs get reset responses, flush all queues, signal the user ..., enter CLOSED".
void Connection::reset_connection(sim::Time now, trace::AppError err, Event e, std::string_view cause) {
  rcvbuf_.clear();
  tcb_.rcv_wnd = rcvbuf_.window();
  if (err != trace::AppError::None) actions_.notify(trace::Notice::Error, err, 0);
  set_state(now, e, cause);
}

bool Connection::syn_unacked() const {
  return tcb_.snd_una == tcb_.iss && tcb_.snd_nxt != tcb_.iss && state_ != State::Listen &&
         state_ != State::Closed;
}

bool Connection::fin_acked() const { return fin_sent_ && fin_seq_ < tcb_.snd_una; }

std::uint64_t Connection::data_in_flight() const {
  std::int64_t n = tcb_.snd_nxt - tcb_.snd_una;
  if (syn_unacked()) n -= 1;
  if (fin_sent_ && !fin_acked()) n -= 1;
  return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

std::uint64_t Connection::unsent() const {
  const std::uint64_t flight = data_in_flight();
  return sndbuf_.size() > flight ? sndbuf_.size() - flight : 0;
}

Status Connection::status() const {
  return {.state = state_,
          .id = id_,
          .tcb = tcb_,
          .send_queued = sndbuf_.size(),
          .recv_unread = rcvbuf_.unread(),
          .rto = rto_.rto(),
          .passive = passive_};
}

void Connection::timer_expired(sim::Time now, TimerKind t) {
  clock_ = now;
  auto& slot = timers_[timer_slot(t)];
  if (!slot || !holds(t)) return;  // cancelled or replaced: a stale expiry is harmless
  slot.reset();
  switch (t) {
    case TimerKind::Retransmit: on_retransmit_expired(now); break;
    case TimerKind::Persist: on_persist_expired(now); break;
    case TimerKind::TimeWait: on_time_wait_expired(now); break;
    case TimerKind::UserTimeout: on_user_timeout_expired(now); break;
    case TimerKind::DelayedAck:
      ack_policy_.timer_expired(ack_context(now));
      send_ack("§3.8.6.3: delayed-ACK timer -> ACK");
      break;
    case TimerKind::Keepalive: on_keepalive_expired(now); break;
    case TimerKind::FinWait2: on_fin_wait_2_expired(now); break;
    case TimerKind::LossProbe: on_loss_probe_expired(now); break;
  }
}

}  // namespace tcpsim::tcp
