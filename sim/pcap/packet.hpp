// One segment as the bytes of a real IPv4 + TCP packet (RFC 791 §3.1, RFC 9293 §3.1), for
// captures that Wireshark and tcpdump read.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <optional>
#include <vector>

#include "models/net/wire/segment.hpp"

namespace tcpsim::pcap {

inline constexpr std::uint8_t kTtl = 64;
inline constexpr std::uint8_t kProtocolTcp = 6;
// The largest IPv4 datagram (RFC 791 §3.1: Total Length is 16 bits).
inline constexpr std::uint32_t kMaxDatagram = 65535;

struct EncodeOptions {
  std::uint16_t ip_id = 0;     // the IPv4 Identification field
  bool bad_checksum = false;   // write a TCP checksum that fails (a segment damaged in transit)
};

// The 16-bit one's complement of the one's complement sum of `bytes` (RFC 1071), continuing
// from `sum` (an unfolded partial sum, e.g. of a pseudo-header).
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0);

// The TCP options as they go on the wire: MSS, then SACK-permitted and timestamps, then window
// scale, each aligned with NOPs as Linux sends them; exactly Options::wire_length() bytes.
std::vector<std::uint8_t> encode_options(const net::Options& o);

// The byte at absolute sequence number `seq` when a segment has a length but no payload bytes:
// 'a'..'z' repeating, so a retransmission carries the same bytes as the original.
std::uint8_t pattern_byte(std::uint32_t seq);

// IPv4 header (20 bytes, no options, DF set, TTL 64, protocol 6, valid header checksum), TCP
// header with options, payload (the segment's bytes, or the pattern). The TCP checksum covers
// the pseudo-header (RFC 9293 §3.1) and is valid unless `bad_checksum` is set.
std::vector<std::uint8_t> encode(const net::Segment& s, const EncodeOptions& o = {});

// The reverse, for packets a real TCP sent: an IPv4 datagram (no fragment) carrying TCP becomes
// a Segment with its addresses, ports, numbers, flags, window, urgent pointer, the options the
// model knows (MSS, window scale, SACK-permitted, timestamps; others, SACK blocks among them,
// are skipped over) and the payload length (the bytes are not kept). `corrupted` is set when the
// TCP checksum fails. Anything else (not IPv4, not TCP, a fragment, a length that does not add
// up) gives nullopt and, if `why` is given, one line saying what.
std::optional<net::Segment> decode(std::span<const std::uint8_t> datagram, std::string* why = nullptr);

}  // namespace tcpsim::pcap
