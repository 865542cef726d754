// Per-connection TCP parameters and the two profiles of the scenario catalog §5
// (/work/shared/reference/scenario-catalog.md): `rfc9293` (RFC 9293 + RFC 6298 + RFC 5961 where
// noted) and `linux` (current Linux defaults). Every default below cites its source in params.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// When to stop retransmitting one segment (RFC 9293 §3.8.3 R2): after `count` retransmissions,
// or at the first retransmission-timer expiry at least `duration` after the segment was first
// sent, whichever comes first. An empty limit never gives up.
struct RetryLimit {
  std::optional<int> count{};
  std::optional<sim::Duration> duration{};
  bool operator==(const RetryLimit&) const = default;
};

// How to answer a retransmitted SYN (SEG.SEQ = IRS) in SYN-RECEIVED (catalog D3).
enum class DupSynAnswer : std::uint8_t { Ack, SynAck };
// What a zero-window probe carries (catalog D15).
enum class ProbeKind : std::uint8_t { NewOctet, ZeroLengthOld };
// How the RTO is derived from SRTT and RTTVAR (catalog D9).
enum class RtoStyle : std::uint8_t { Rfc6298, Linux };
// When received text and FINs are acknowledged (ack_policy.hpp).
enum class AckPolicyKind : std::uint8_t { Immediate, Delayed, Linux };
// How short segments are held while data is outstanding (output.cpp, Connection::may_send_short).
enum class NagleKind : std::uint8_t { Off, Rfc896, Minshall };
// The congestion window's rules (congestion.hpp).
enum class CongestionKind : std::uint8_t { None, NewReno, Linux };

struct TcpParams {
  std::string profile = "rfc9293";

  // --- timers ---
  sim::Duration msl = sim::Duration::s(120);           // TIME-WAIT lasts time_wait()
  std::optional<sim::Duration> time_wait_length{};     // overrides 2*MSL when set
  sim::Duration rto_initial = sim::Duration::s(1);
  sim::Duration rto_min = sim::Duration::s(1);
  sim::Duration rto_max = sim::Duration::s(60);
  sim::Duration rto_after_syn_timeout = sim::Duration::s(3);
  sim::Duration clock_granularity = sim::Duration::ms(1);  // RFC 6298 G
  RtoStyle rto_style = RtoStyle::Rfc6298;
  bool rtt_every_ack = false;  // linux: an RTT sample from every ACK of new data (rto.hpp SendTimes)
  int syn_linear_timeouts = 0;  // first N SYN retransmissions do not double the RTO
  std::optional<sim::Duration> user_timeout{};
  std::optional<sim::Duration> fin_wait_2_timeout{};  // orphaned FIN-WAIT-2 lifetime (Linux tcp_fin_timeout)
  std::optional<sim::Duration> syn_retry_after_bad_ack{};  // SYN-SENT: unacceptable ACK -> SYN again this soon
  // The tick clock (jiffies.hpp): with hz > 0 timeouts are whole ticks and every timer fires
  // where Linux's timer wheel puts it; 0 is continuous time.
  int hz = 0;
  std::uint64_t jiffies_at_start = 0;  // the jiffies value at model time 0
  sim::Duration tick_offset{};         // how far into its tick model time 0 lies (< 1/hz)

  // --- give-up rules (RFC 9293 §3.8.3) ---
  RetryLimit syn_retries{};
  RetryLimit synack_retries{};
  int r1 = 3;  // retransmissions before "negative advice" (recorded only; no IP layer to advise)
  RetryLimit r2{};
  std::optional<std::uint32_t> orphan_retries{};  // retransmission count after a full CLOSE (replaces r2's)

  // --- robustness and close semantics ---
  bool rfc5961 = true;            // exact-match RST + challenge ACK, challenge ACK for SYN
  bool rfc5961_ack_range = false;  // MAY-12 ACK-range check with MAX.SND.WND
  std::optional<sim::Duration> challenge_ack_interval{};  // at most one challenge ACK per interval
  std::optional<sim::Duration> oow_ack_interval{};  // at most one ACK per interval to unacceptable ACK-only segments
  bool rst_accepts_rcv_nxt_minus_one = false;  // CLOSE-WAIT/LAST-ACK/CLOSING: RST at RCV.NXT-1 is valid (catalog D6)
  bool syn_received_rst_is_reset = false;      // active-open SYN-RECEIVED + RST: "reset", not "refused" (D14)
  bool rfc1337 = false;            // ignore RST in TIME-WAIT (RFC 1337 fix F1)
  DupSynAnswer dup_syn_in_syn_received = DupSynAnswer::Ack;
  bool accept_crossing_synack = false;    // simultaneous open as Figure 7 draws it (catalog D4)
  bool rst_on_close_with_unread = false;  // §3.6.1 SHLD-3 for a half-duplex CLOSE
  bool abort_rst_carries_ack = false;     // RST,ACK (Linux) instead of <SEQ=SND.NXT><CTL=RST>
  bool restart_time_wait_on_fin = true;   // catalog 3.18 recommendation (see steps.cpp)
  bool time_wait_reopen = false;          // MAY-2: a new SYN may reopen TIME-WAIT (see connection.hpp)
  ProbeKind zero_window_probe = ProbeKind::NewOctet;
  bool persist_restart_on_ack = false;  // an ACK leaving the window shut restarts the probe timer

  // --- acknowledgements, keep-alive ---
  AckPolicyKind ack_policy = AckPolicyKind::Immediate;
  sim::Duration delayed_ack_timeout = sim::Duration::ms(200);  // delayed: the delay; linux: TCP_DELACK_MAX
  sim::Duration delayed_ack_min = sim::Duration::ms(40);       // linux: TCP_ATO_MIN = TCP_DELACK_MIN
  int pingpong_thresh = 1;                                      // linux: tcp_pingpong_thresh (1..255)
  bool keepalive = false;
  sim::Duration keepalive_idle = sim::Duration::s(7200);
  sim::Duration keepalive_interval = sim::Duration::s(75);
  int keepalive_probes = 9;
  // --- options and loss recovery (options.hpp, recovery.hpp) ---
  bool sack = false;             // offer SACK-permitted (RFC 2018)
  bool timestamps = false;       // offer TSopt (RFC 7323)
  bool tail_loss_probe = false;  // RFC 8985 §7 TLP on SACK connections (Linux tcp_early_retrans = 3)
  // --- short segments (RFC 9293 §3.7.4, §3.8.6.2.1) ---
  NagleKind nagle = NagleKind::Rfc896;  // per socket off with TCP_NODELAY
  bool sender_sws = true;               // MUST-38 sender SWS avoidance
  bool receiver_sws = true;             // MUST-39 receiver SWS avoidance (every ACK's window)
  sim::Duration sws_override_timeout = sim::Duration::ms(200);
  // --- congestion control (congestion.hpp) ---
  CongestionKind congestion_control = CongestionKind::NewReno;
  int initial_window = 0;           // segments; 0 = RFC 5681 §3.1 by SMSS (4, 3 or 2)
  int syn_loss_cwnd_after = 1;      // handshake retransmissions after which IW is 1 segment (0: never)
  bool slow_start_after_idle = true;  // RFC 5681 §4.1 restart window after an idle RTO
  bool fast_retransmit = true;  // RFC 5681 §3.2: resend SND.UNA on the dupack_threshold-th duplicate ACK
  int dupack_threshold = 3;
  bool queue_syn_text = true;   // §3.10.7.2/§3.10.7.3: text on a SYN is queued until ESTABLISHED (catalog 3.13)
  bool rst_on_data_after_close = false;  // after a full CLOSE, new data in FIN-WAIT-1/2 -> RST (catalog 3.17 b)

  // --- listening and socket options ---
  bool syn_cookies = false;        // SYN cookies (RFC 4987 §3.6) when the SYN queue is full
  bool abort_on_overflow = false;  // accept queue full at the third ACK: RST instead of dropping it
  std::optional<std::uint32_t> somaxconn{};  // cap on listen()'s backlog; none = no cap
  bool backlog_plus_one = false;   // each listen queue holds backlog + 1 (full when > backlog)
  bool request_sockets = false;    // a dropped passive SYN-RECEIVED ends in CLOSED, not LISTEN
  bool prune_old_requests = false;  // a crowded SYN queue cuts old requests' SYN,ACK retries (to 2)

  // --- sizes ---
  std::uint16_t mss = 1460;                 // what we advertise in the MSS option
  std::uint16_t default_peer_mss = 536;     // send MSS when the peer sent no MSS option
  std::uint32_t send_buffer = 65535;
  std::uint32_t recv_buffer = 65535;
  // A receive buffer under 64 KiB advertises whole receive MSS (linux: an unscaled window).
  bool window_mss_multiple = false;

  sim::Duration time_wait() const { return time_wait_length ? *time_wait_length : msl * 2; }
  bool operator==(const TcpParams&) const = default;

  static TcpParams rfc9293();
  static TcpParams linux_profile();
  // "rfc9293" or "linux"; nullopt for anything else.
  static std::optional<TcpParams> by_name(std::string_view name);
};

}  // namespace tcpsim::tcp
