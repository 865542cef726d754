// The TCP segment as a plain value (RFC 9293 §3.1 header plus the IPv4 addresses it travels with).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/net/wire/address.hpp"
#include "models/net/wire/seqnum.hpp"

namespace tcpsim::net {

// Control bits. Declared so that designated initializers read naturally (Flags{.syn = true,
// .ack = true}); to_string() writes them as RFC 9293's figures do: "SYN,ACK", "FIN,PSH,ACK".
struct Flags {
  bool syn = false;
  bool ack = false;
  bool fin = false;
  bool rst = false;
  bool psh = false;
  bool urg = false;
  bool ece = false;
  bool cwr = false;

  constexpr bool operator==(const Flags&) const = default;
  // Header bit layout: CWR ECE URG ACK PSH RST SYN FIN (RFC 9293 §3.1, RFC 3168).
  std::uint8_t bits() const;
  static Flags from_bits(std::uint8_t b);
  bool none() const { return bits() == 0; }
  // true if every flag set in `sub` is set here
  bool contains(const Flags& sub) const { return (bits() & sub.bits()) == sub.bits(); }
  // "SYN,ACK"; "none" when no flag is set
  std::string to_string() const;
  // Parses "SYN,ACK" (any case, any order, "+" also separates). Empty string or "none" = no flag.
  // On error returns nullopt and, if `bad` is given, stores the offending name.
  static std::optional<Flags> parse(std::string_view text, std::string* bad = nullptr);
  static constexpr const char* kNames = "SYN, FIN, RST, PSH, ACK, URG, ECE, CWR";
};

struct Timestamps {
  std::uint32_t val = 0;
  std::uint32_t ecr = 0;
  constexpr bool operator==(const Timestamps&) const = default;
};

struct Options {
  std::optional<std::uint16_t> mss{};      // kind 2
  std::optional<std::uint8_t> wscale{};    // kind 3 (shift count)
  bool sack_permitted = false;             // kind 4
  std::optional<Timestamps> timestamps{};  // kind 8
  constexpr bool operator==(const Options&) const = default;
  // Encoded length in bytes, padded to a multiple of 4 (what the data offset field counts).
  std::uint32_t wire_length() const;
};

// Optional payload bytes, shared between copies of a segment (duplicates, trace records).
// Equality compares contents.
class Payload {
 public:
  Payload() = default;
  explicit Payload(std::vector<std::uint8_t> bytes)
      : bytes_(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes))) {}
  bool has_bytes() const { return bytes_ != nullptr; }
  const std::vector<std::uint8_t>& bytes() const;
  bool operator==(const Payload& o) const;

 private:
  std::shared_ptr<const std::vector<std::uint8_t>> bytes_;
};

struct Segment {
  Ipv4 src{};
  Ipv4 dst{};
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  SeqNum seq{};
  SeqNum ack{};
  Flags flags{};
  std::uint16_t window = 0;
  std::uint16_t urgent = 0;
  Options options{};
  std::uint32_t payload_len = 0;  // bytes of data; payload.bytes() has this size when present
  Payload payload{};
  bool corrupted = false;  // damaged in transit (fault rule "corrupt"): the checksum fails

  bool operator==(const Segment&) const = default;

  // Sequence space the segment occupies: data length plus one for SYN and one for FIN.
  std::uint32_t seq_len() const { return payload_len + (flags.syn ? 1u : 0u) + (flags.fin ? 1u : 0u); }
  // Bytes on the wire: IPv4 header (20) + TCP header (20 + options) + payload.
  std::uint32_t wire_size() const { return 40 + options.wire_length() + payload_len; }
  Endpoint source() const { return {src, sport}; }
  Endpoint destination() const { return {dst, dport}; }
  // tcpdump style: "10.0.0.1:1024 > 10.0.0.2:80 [SYN] seq 100 win 65535 <mss 1460> len 0"
  std::string to_string() const;
};

}  // namespace tcpsim::net
