// The fields of TcpParams by name, once: the scenario loader reads "tcp" overrides through this
// list, and `tcpsim profiles` prints both profiles from it, so a new parameter is added here and
// nowhere else. The JSON name of each field is the C++ member's name.
//
// visit_params(params, v) calls `v(name, member, help)` for every field, where member is a
// reference of one of the types: sim::Duration, std::optional<sim::Duration>, bool, int,
// std::uint16_t, std::uint32_t, std::uint64_t, std::optional<std::uint32_t>, RetryLimit, RtoStyle, DupSynAnswer, ProbeKind, AckPolicyKind, CongestionKind, NagleKind. The enum names
// below are what scenarios write.
#pragma once

#include <array>
#include <string>
#include <optional>
#include <string_view>
#include <utility>

#include "models/tcp/params.hpp"

namespace tcpsim::tcp {

// Spellings of the enum-valued parameters, in enum order.
inline constexpr std::array<std::string_view, 2> kRtoStyleNames{"rfc6298", "linux"};
inline constexpr std::array<std::string_view, 2> kDupSynAnswerNames{"ack", "syn-ack"};
inline constexpr std::array<std::string_view, 2> kProbeKindNames{"new-octet", "zero-length-old"};
inline constexpr std::array<std::string_view, 3> kAckPolicyNames{"immediate", "delayed", "linux"};
inline constexpr std::array<std::string_view, 3> kCongestionNames{"none", "newreno", "linux"};
inline constexpr std::array<std::string_view, 3> kNagleNames{"off", "rfc896", "minshall"};

template <class Params, class Visitor>
void visit_params(Params& p, Visitor&& v) {
  // timers
  v("msl", p.msl, "maximum segment lifetime; TIME-WAIT lasts 2 MSL unless time_wait_length is set");
  v("time_wait_length", p.time_wait_length, "TIME-WAIT duration, overriding 2 MSL");
  v("rto_initial", p.rto_initial, "RTO before the first RTT sample (RFC 6298 2.1)");
  v("rto_min", p.rto_min, "lower bound of the RTO");
  v("rto_max", p.rto_max, "upper bound of the RTO");
  v("rto_after_syn_timeout", p.rto_after_syn_timeout, "RTO for data after a SYN timed out (RFC 6298 5.7)");
  v("clock_granularity", p.clock_granularity, "G of RFC 6298");
  v("rto_style", p.rto_style, "rfc6298: SRTT + max(G, 4 RTTVAR), floored at rto_min; linux: SRTT + max(4 RTTVAR, rto_min)");
  v("rtt_every_ack", p.rtt_every_ack,
    "an RTT sample from every ACK of new data (the oldest newly acknowledged segment, none if any was sent again) and, with "
    "timestamps, from the TSecr of an ACK of retransmitted data (linux: tcp_clean_rtx_queue(), tcp_ack_update_rtt()); off: "
    "one segment timed per round trip (RFC 6298 3, Karn)");
  v("syn_linear_timeouts", p.syn_linear_timeouts, "first SYN retransmissions that do not double the RTO");
  v("user_timeout", p.user_timeout, "give up when data stays unacknowledged this long (ETIMEDOUT)");
  v("window_mss_multiple", p.window_mss_multiple, "with a receive buffer under 64 KiB, the window advertised is a whole number of receive MSS, kept while it still fits, and the ACK of a second full segment waits while unread data shrank the window (linux: __tcp_select_window() and __tcp_ack_snd_check() for an unscaled window)");
  v("syn_retry_after_bad_ack", p.syn_retry_after_bad_ack, "in SYN-SENT, an unacceptable ACK (answered by RST) before any SYN retransmission brings the first retransmission forward to this delay (null: the RTO runs on)");
  v("fin_wait_2_timeout", p.fin_wait_2_timeout, "after a full close, FIN-WAIT-2 ends silently after this long (null: waits forever)");
  v("hz", p.hz, "tick rate of the timer clock: 0 = continuous time; else timeouts are whole ticks and timers fire on Linux's timer wheel (kernel/time/timer.c; linux: CONFIG_HZ=250 of Debian's kernels)");
  v("jiffies_at_start", p.jiffies_at_start, "jiffies value at time 0 (with hz > 0; a kernel trace's meta jiffies_at_start)");
  v("tick_offset", p.tick_offset, "how far into its tick time 0 lies, less than 1/hz (a kernel trace's meta tick_offset_ns)");
  // give-up rules
  v("syn_retries", p.syn_retries, "when an active open gives up (ETIMEDOUT)");
  v("synack_retries", p.synack_retries, "when a half-open passive connection is dropped");
  v("r1", p.r1, "retransmissions before negative advice (recorded only)");
  v("r2", p.r2, "when a synchronized connection gives up (ETIMEDOUT)");
  v("orphan_retries", p.orphan_retries, "after a full close, give up after this many retransmissions (null: r2 applies)");
  // robustness and close semantics
  v("rfc5961", p.rfc5961, "exact-match RST and challenge ACKs for in-window RST and SYN");
  v("rfc5961_ack_range", p.rfc5961_ack_range, "RFC 5961 section 5 ACK range check (MAY-12)");
  v("challenge_ack_interval", p.challenge_ack_interval, "at most one challenge ACK per interval");
  v("oow_ack_interval", p.oow_ack_interval, "at most one reply per interval to unacceptable segments and ACK fields (segments with data or FIN always get one)");
  v("rst_accepts_rcv_nxt_minus_one", p.rst_accepts_rcv_nxt_minus_one, "in CLOSE-WAIT, LAST-ACK and CLOSING a RST at RCV.NXT - 1 is valid");
  v("syn_received_rst_is_reset", p.syn_received_rst_is_reset, "a RST in an active-open SYN-RECEIVED reports connection reset, not refused");
  v("rfc1337", p.rfc1337, "ignore RST in TIME-WAIT (TIME-WAIT assassination fix)");
  v("dup_syn_in_syn_received", p.dup_syn_in_syn_received, "answer to a retransmitted SYN in SYN-RECEIVED: ack or syn-ack");
  v("accept_crossing_synack", p.accept_crossing_synack, "simultaneous open completes on the crossing SYN,ACKs");
  v("rst_on_close_with_unread", p.rst_on_close_with_unread, "close() with unread data sends RST");
  v("abort_rst_carries_ack", p.abort_rst_carries_ack, "ABORT sends RST,ACK instead of <SEQ=SND.NXT><CTL=RST>");
  v("restart_time_wait_on_fin", p.restart_time_wait_on_fin, "a retransmitted FIN restarts the 2 MSL timer");
  v("time_wait_reopen", p.time_wait_reopen, "a new SYN may reopen a connection in TIME-WAIT");
  v("zero_window_probe", p.zero_window_probe, "probe content: new-octet or zero-length-old");
  v("persist_restart_on_ack", p.persist_restart_on_ack, "an ACK that leaves the window shut, nothing in flight, restarts the probe timer from its arrival with the backed-off interval (linux tcp_ack_probe())");
  // acknowledgements, keep-alive
  v("ack_policy", p.ack_policy,
    "immediate: every ACK at once; delayed: RFC 9293 3.8.6.3 (the ACK of a lone segment waits, every 2nd is ACKed); "
    "linux: quick ACKs at first, delayed in ping-pong mode (tcp_input.c __tcp_ack_snd_check)");
  v("delayed_ack_timeout", p.delayed_ack_timeout, "longest delay of a delayed ACK (linux: TCP_DELACK_MAX)");
  v("delayed_ack_min", p.delayed_ack_min, "linux: the ACK timeout's floor and start (TCP_ATO_MIN = TCP_DELACK_MIN)");
  v("pingpong_thresh", p.pingpong_thresh, "linux: replies within ATO that make a connection interactive (net.ipv4.tcp_pingpong_thresh)");
  v("keepalive", p.keepalive, "send keep-alive probes on idle connections");
  v("keepalive_idle", p.keepalive_idle, "idle time before the first keep-alive probe");
  v("keepalive_interval", p.keepalive_interval, "time between keep-alive probes");
  v("keepalive_probes", p.keepalive_probes, "unanswered probes before giving up");
  v("sack", p.sack, "offer SACK-permitted on the SYN (RFC 2018); agreed when both SYNs carry it (linux: net.ipv4.tcp_sack)");
  v("timestamps", p.timestamps,
    "offer TSopt on the SYN (RFC 7323); agreed, every segment but a RST carries it and it takes 12 octets of each (linux: net.ipv4.tcp_timestamps)");
  v("tail_loss_probe", p.tail_loss_probe,
    "on SACK connections, probe a lost tail about 2 RTTs after the last send (RFC 8985 7; linux: net.ipv4.tcp_early_retrans = 3, tcp_schedule_loss_probe)");
  v("nagle", p.nagle,
    "hold a segment shorter than SND.MSS while data is unacknowledged (rfc896: RFC 9293 3.7.4 SHLD-7), or while an earlier "
    "short segment is (minshall: linux tcp_nagle_check(), tcp_minshall_check()); off; a socket turns it off with the step option nodelay (TCP_NODELAY)");
  v("sender_sws", p.sender_sws,
    "sender SWS avoidance (RFC 9293 3.8.6.2.1 MUST-38): a short segment leaves only if it is all the queued data or at least half "
    "the largest window the peer offered, else at the override timeout");
  v("receiver_sws", p.receiver_sws,
    "receiver SWS avoidance (RFC 9293 3.8.6.2.2 MUST-39): every ACK keeps the right edge it offered until reads let it move by "
    "min(RCV.BUFF/2, Eff.snd.MSS); linux leaves the window to window_mss_multiple (__tcp_select_window())");
  v("sws_override_timeout", p.sws_override_timeout, "when a short segment held by sender SWS avoidance leaves anyway (RFC 9293 3.8.6.2.1: 0.1 - 1.0 s)");
  v("congestion_control", p.congestion_control,
    "none: the peer's window alone limits the sender; newreno: RFC 5681 slow start and congestion avoidance with RFC 6582 "
    "fast recovery; linux: IW 10, slow start and Reno-style growth, CUBIC's 0.7 decrease (tcp_cong.c; congestion.hpp)");
  v("initial_window", p.initial_window, "initial congestion window in segments; 0 = RFC 5681 3.1 by SMSS (linux: TCP_INIT_CWND = 10)");
  v("syn_loss_cwnd_after", p.syn_loss_cwnd_after,
    "retransmissions of the SYN or SYN,ACK after which the transfer starts with cwnd 1 segment (RFC 5681 3.1: 1; linux "
    "tcp_init_transfer(): 2); 0 = never");
  v("slow_start_after_idle", p.slow_start_after_idle,
    "after an idle period longer than the RTO cwnd restarts from min(IW, cwnd) (RFC 5681 4.1; linux: "
    "net.ipv4.tcp_slow_start_after_idle, tcp_cwnd_restart())");
  v("fast_retransmit", p.fast_retransmit, "resend SND.UNA on the dupack_threshold-th duplicate ACK (RFC 5681 3.2)");
  v("dupack_threshold", p.dupack_threshold, "duplicate ACKs that trigger fast retransmit");
  v("queue_syn_text", p.queue_syn_text, "text on a SYN is queued until ESTABLISHED (else ignored, as Linux without TFO)");
  v("rst_on_data_after_close", p.rst_on_data_after_close, "after a full close, new data in FIN-WAIT-1/2 is answered by RST");
  // listening and socket options
  v("syn_cookies", p.syn_cookies, "answer SYNs with SYN cookies when the SYN queue is full (RFC 4987 3.6)");
  v("abort_on_overflow", p.abort_on_overflow, "accept queue full at the third ACK: RST instead of dropping the ACK");
  v("somaxconn", p.somaxconn, "cap on a listen backlog (null: no cap)");
  v("backlog_plus_one", p.backlog_plus_one, "each listen queue holds backlog + 1 (Linux's > checks)");
  v("prune_old_requests", p.prune_old_requests, "when the SYN queue holds more than half of max(8, backlog) requests, requests whose SYN,ACK has timed out get fewer retries (one less per halving of the young ones' share, down to 2)");
  v("request_sockets", p.request_sockets, "a passive open's SYN-RECEIVED is a request beside the listener: when dropped (SYN,ACK retries out, RST, accept queue overflow) it ends in CLOSED instead of returning to LISTEN");
  // sizes
  v("mss", p.mss, "MSS option this host sends");
  v("default_peer_mss", p.default_peer_mss, "send MSS when the peer sent no MSS option");
  v("send_buffer", p.send_buffer, "send buffer size in octets");
  v("recv_buffer", p.recv_buffer, "receive buffer size in octets (the advertised window follows its free space)");
}

// How a parameter value is written in a scenario file.
struct ParamText {
  std::string operator()(const sim::Duration& d) const { return "\"" + sim::format_duration(d) + "\""; }
  std::string operator()(const std::optional<sim::Duration>& d) const { return d ? (*this)(*d) : "null"; }
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(int n) const { return std::to_string(n); }
  std::string operator()(std::uint16_t n) const { return std::to_string(n); }
  std::string operator()(std::uint32_t n) const { return std::to_string(n); }
  std::string operator()(std::uint64_t n) const { return std::to_string(n); }
  std::string operator()(const std::optional<std::uint32_t>& n) const { return n ? std::to_string(*n) : "null"; }
  std::string operator()(const RetryLimit& l) const {
    if (l.count && !l.duration) return std::to_string(*l.count);
    if (!l.count && !l.duration) return "null";
    std::string s = "{";
    if (l.count) s += "\"count\": " + std::to_string(*l.count);
    if (l.count && l.duration) s += ", ";
    if (l.duration) s += "\"duration\": " + (*this)(*l.duration);
    return s + "}";
  }
  std::string operator()(RtoStyle e) const { return quoted(kRtoStyleNames[static_cast<std::size_t>(e)]); }
  std::string operator()(DupSynAnswer e) const {
    return quoted(kDupSynAnswerNames[static_cast<std::size_t>(e)]);
  }
  std::string operator()(ProbeKind e) const { return quoted(kProbeKindNames[static_cast<std::size_t>(e)]); }
  std::string operator()(AckPolicyKind e) const { return quoted(kAckPolicyNames[static_cast<std::size_t>(e)]); }
  std::string operator()(CongestionKind e) const { return quoted(kCongestionNames[static_cast<std::size_t>(e)]); }
  std::string operator()(NagleKind e) const { return quoted(kNagleNames[static_cast<std::size_t>(e)]); }
  static std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }
};

}  // namespace tcpsim::tcp
