// TCP options (RFC 9293 §3.1, §3.7.1; RFC 2018; RFC 7323): what our SYN or SYN,ACK offers, what
// the handshake agreed, and the options every later segment of the connection carries. One room
// for every place a handshake is answered: the connection's SYN and SYN,ACK (output.cpp), its
// reading of the peer's SYN or SYN,ACK (segment_arrives.cpp), and the stateless SYN,ACK of a SYN
// cookie and the connection rebuilt from it (stack.cpp, cookie.cpp), which must agree with them.
//
// Modelled:
//   - MSS (MUST-14 send it, MUST-15 assume 536 without it, Eff.snd.MSS);
//   - SACK-permitted (RFC 2018 §2): offered with TcpParams::sack, agreed when both SYNs carry
//     it. What it enables in the model is the tail loss probe (recovery.hpp), which Linux sends
//     only on SACK connections; SACK blocks themselves are not sent or read yet;
//   - timestamps (RFC 7323): offered with TcpParams::timestamps, agreed when both SYNs carry
//     TSopt; then every segment but a RST carries one (§3.2), TS.Recent follows §4.3, and the
//     option's 12 octets come off Eff.snd.MSS (RFC 9293 §3.7.1). PAWS (§5) is not modelled.
//     TSval is the connection's clock in milliseconds since time 0; Linux adds a random offset
//     per connection (secure_tcp_ts_off()), which only moves the numbers.
// Window scaling exists in net::Options (the wire, pcap and kernel traces carry it) but is not
// negotiated: the model's windows stay within 65535.
#pragma once

#include <cstdint>

#include "models/net/wire/segment.hpp"
#include "models/tcp/params.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::tcp {

// What a connection's handshake agreed, and TS.Recent.
struct OptionState {
  bool sack = false;            // both SYNs carried SACK-permitted
  bool timestamps = false;      // both SYNs carried TSopt
  std::uint32_t ts_recent = 0;  // RFC 7323 §4.3: the TSval to echo

  // Octets the agreed options take from every data segment (Eff.snd.MSS's TCP header options):
  // TSopt and its two NOPs, 12 (tcp_established_options(), TCPOLEN_TSTAMP_ALIGNED).
  std::uint16_t header_octets() const { return timestamps ? 12 : 0; }
};

// TSval at `now`: the clock in milliseconds since time 0, modulo 2^32 (RFC 7323 §5.4 allows any
// rate from 1 ms to 1 s per tick; Linux's tcp_time_stamp_ts() ticks in milliseconds).
std::uint32_t ts_clock(sim::Time now);

// The options on our SYN: §3.7.1 MUST-14, "TCP implementations MUST include the MSS option in
// every SYN segment", announcing TcpParams::mss; SACK-permitted and TSopt <TSval, 0> when the
// profile offers them.
net::Options syn_options(const TcpParams& p, sim::Time now);

// The options on our SYN,ACK: the MSS, and the options `agreed` with the peer's SYN (RFC 2018 §2
// "SACK-Permitted ... MUST NOT be sent on a SYN,ACK" unless the SYN had it; RFC 7323 §3.2 TSopt
// only if the SYN had one), TSopt echoing the SYN's TSval.
net::Options syn_ack_options(const TcpParams& p, const OptionState& agreed, sim::Time now);

// What the peer's SYN or SYN,ACK options `peer` agree with what we offer.
OptionState agree(const TcpParams& p, const net::Options& peer);

// The MSS the peer announced on its SYN or SYN,ACK; MUST-15: "If an MSS Option is not received
// at connection setup, TCP implementations MUST assume a default send MSS of 536"
// (TcpParams::default_peer_mss).
std::uint16_t peer_mss(const TcpParams& p, const net::Options& peer);

// §3.7.1 "Eff.snd.MSS": what we send at most, min(the peer's MSS, what we would use ourselves),
// less the octets the agreed options take from every segment.
std::uint16_t send_mss(const TcpParams& p, std::uint16_t peer, const OptionState& agreed);

// The options of a segment of a synchronized connection: RFC 7323 §3.2, "Once TSopt has been
// successfully negotiated ... the TSopt MUST be sent in every non-<RST> segment".
void stamp(net::Options& o, const OptionState& agreed, bool rst, sim::Time now);

// RFC 7323 §4.3 (2): an acceptable segment's TSval becomes TS.Recent when the segment starts at
// or before the last acknowledgment sent (Last.ACK.sent: `starts_by_last_ack`) and the TSval is
// not older (tcp_replace_ts_recent(), tcp_store_ts_recent()).
void note_timestamp(OptionState& s, const net::Options& seg, bool starts_by_last_ack);

// SYN cookies with timestamps (Linux cookie_init_timestamp(), cookie_timestamp_decode()): the
// cookie SYN,ACK's TSval carries in its low 6 bits what the SYN offered besides the MSS (window
// scale: 0xf = none; 0x10: SACK-permitted), so that the ACK's TSecr brings it back. Without
// timestamps a cookie keeps only the MSS.
net::Options cookie_syn_ack_options(const TcpParams& p, const net::Options& syn, sim::Time now);
OptionState cookie_agreement(const TcpParams& p, const net::Options& ack);

}  // namespace tcpsim::tcp
