// The ACK policies of ack_policy.hpp: RFC 9293 §3.8.6.3 and Linux's tcp_input.c / tcp_output.c.
#include "models/tcp/ack_policy.hpp"

#include <algorithm>

namespace tcpsim::tcp {

namespace {
// TCP_MAX_QUICKACKS (include/net/tcp.h): at most 16 quick ACKs per quick-ACK episode.
constexpr std::uint32_t kMaxQuickAcks = 16;
// tcp_send_delayed_ack(): "max_ato = HZ / 2" outside ping-pong mode.
constexpr sim::Duration kMaxAtoNotInteractive = sim::Duration::ms(500);
}  // namespace

AckPolicy::AckPolicy(const TcpParams& p) : p_(&p) { reset(); }

std::uint32_t AckPolicy::pingpong_thresh() const { return static_cast<std::uint32_t>(std::clamp(p_->pingpong_thresh, 1, 255)); }

void AckPolicy::reset() {
  segments_unacked_ = 0;
  quick_ = pingpong_ = 0;
  ato_ = {};
  lrcvtime_ = {};
  rcv_mss_ = std::min<std::uint32_t>(p_->mss, 536);
  pushed_ = false;
}

// tcp_incr_quickack(): "quickacks = tcp_sk(sk)->rcv_wnd / (2 * icsk->icsk_ack.rcv_mss)", at least
// 2, at most the given maximum, and never lowering what is left.
void AckPolicy::incr_quickack(const AckContext& c) {
  std::uint32_t q = c.rcv_wnd / (2 * std::max<std::uint32_t>(1, rcv_mss_));
  if (q == 0) q = 2;
  q = std::min(q, kMaxQuickAcks);
  quick_ = std::max(quick_, q);
}

// tcp_enter_quickack_mode(): quick ACKs again, out of ping-pong mode, ATO back to its minimum.
void AckPolicy::enter_quickack(const AckContext& c) {
  incr_quickack(c);
  pingpong_ = 0;
  ato_ = ato_min();
}

void AckPolicy::data_received(const AckContext& c, std::uint32_t len) {
  if (kind() != AckPolicyKind::Linux || len == 0) return;
  // tcp_measure_rcv_mss(): a segment at least as long as the estimate raises it (up to our
  // advertised MSS); a shorter one marks the ACK as "pushed" (small segments: a reply is near).
  if (len >= rcv_mss_) {
    rcv_mss_ = std::min<std::uint32_t>(len, p_->mss);
  } else {
    pushed_ = true;
  }
  // tcp_event_data_recv(): "The _first_ data packet received, initialize delayed ACK engine."
  if (ato_ == sim::Duration{}) {
    incr_quickack(c);
    ato_ = ato_min();
  } else {
    const sim::Duration m = c.now - lrcvtime_;
    if (m <= ato_min() / 2) {
      ato_ = ato_ / 2 + ato_min() / 2;  // "The fastest case is the first."
    } else if (m < ato_) {
      ato_ = std::min(ato_ / 2 + m, c.rto);
    } else if (m > c.rto) {
      // "Too long gap. Apparently sender failed to restart window, so that we send ACKs quickly."
      incr_quickack(c);
    }
  }
  lrcvtime_ = c.now;
}

void AckPolicy::fin_in_established() {
  // tcp_fin(): ESTABLISHED -> CLOSE_WAIT with inet_csk_enter_pingpong_mode().
  if (kind() == AckPolicyKind::Linux) pingpong_ = pingpong_thresh();
}

void AckPolicy::duplicate_received(const AckContext& c) {
  // tcp_data_queue(), "A retransmit, 2nd most common case. Force an immediate ack."
  if (kind() == AckPolicyKind::Linux) enter_quickack(c);
}

void AckPolicy::data_sent(sim::Time now) {
  // tcp_event_data_sent(): "If it is a reply for ato after last received packet, increase
  // pingpong count."
  if (kind() == AckPolicyKind::Linux && now - lrcvtime_ < ato_ && pingpong_ < 255) ++pingpong_;
}

void AckPolicy::ack_sent(bool owed) {
  segments_unacked_ = 0;
  if (kind() != AckPolicyKind::Linux) return;
  pushed_ = false;
  // tcp_dec_quickack_mode(): "How many ACKs S/ACKing new data have we sent?" One if an ACK was
  // owed; leaving quick-ACK mode deflates ATO.
  if (quick_ == 0) return;
  const std::uint32_t pkts = owed ? 1 : 0;
  if (pkts >= quick_) {
    quick_ = 0;
    ato_ = ato_min();
  } else {
    quick_ -= pkts;
  }
}

void AckPolicy::timer_expired(const AckContext& c) {
  if (kind() != AckPolicyKind::Linux) return;
  if (!pingpong()) {
    ato_ = std::min(ato_ * 2, c.rto);  // "Delayed ACK missed: inflate ATO."
  } else {
    pingpong_ = 0;  // "Delayed ACK missed: leave pingpong mode and deflate ATO."
    ato_ = ato_min();
  }
}

std::optional<sim::Time> AckPolicy::defer(const AckContext& c) {
  switch (kind()) {
    case AckPolicyKind::Immediate: return std::nullopt;
    case AckPolicyKind::Delayed: return defer_delayed(c);
    case AckPolicyKind::Linux: return defer_linux(c);
  }
  return std::nullopt;
}

// §3.8.6.3: "A TCP SHOULD implement a delayed ACK, but an ACK should not be excessively delayed;
// in particular, the delay MUST be less than 0.5 seconds (MUST-40)", and "an ACK SHOULD be
// generated for at least every second full-sized segment (SHLD-19)". A FIN counts as a segment.
std::optional<sim::Time> AckPolicy::defer_delayed(const AckContext& c) {
  if (c.out_of_order) return std::nullopt;
  if (++segments_unacked_ >= 2) return std::nullopt;
  return c.timer ? *c.timer : c.now + timeout();
}

std::optional<sim::Time> AckPolicy::defer_linux(const AckContext& c) {
  // __tcp_ack_snd_check(): "More than one full frame received", quick-ACK mode (not interactive),
  // or out-of-order data -> send now.
  // The first test also asks that "the right edge of window advances far enough" (the window an
  // ACK would now advertise is no smaller than tp->rcv_wnd) unless everything received was read.
  const bool quick = quick_ > 0 && !pingpong();
  const bool full = c.unacked > rcv_mss_ && (!c.window_now || *c.window_now >= c.rcv_wnd);
  if (full || quick || c.out_of_order) return std::nullopt;
  // tcp_send_delayed_ack().
  sim::Duration ato = ato_;
  if (ato > ato_min()) {
    sim::Duration max_ato = kMaxAtoNotInteractive;
    if (pingpong() || pushed_) max_ato = timeout();
    // "If some rtt estimate is known, use it to bound delayed ack."
    if (c.srtt) max_ato = std::min(max_ato, std::max(*c.srtt, ato_min()));
    ato = std::min(ato, max_ato);
  }
  ato = std::min(ato, timeout());
  sim::Time deadline = c.now + ato;
  if (c.timer) {
    // "If delack timer is about to expire, send ACK now."
    if (*c.timer <= c.now + ato / 4) return std::nullopt;
    deadline = std::min(deadline, *c.timer);
  }
  return deadline;
}

}  // namespace tcpsim::tcp
