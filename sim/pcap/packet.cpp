#include "sim/pcap/packet.hpp"

#include <algorithm>

namespace tcpsim::pcap {
namespace {

constexpr std::size_t kIpHeader = 20;
constexpr std::size_t kTcpHeader = 20;

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}

// Data bytes a packet can carry: a payload past the IPv4 limit is cut short.
// Deviation: the model allows any payload_len; a datagram cannot exceed 65535 bytes, so a
// larger segment is captured with its payload truncated to fit (Wireshark then shows the
// IPv4 total length, not the model's length).
std::uint32_t data_bytes(const net::Segment& s, std::size_t headers) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(s.payload_len, kMaxDatagram - headers));
}

void write_ip_header(std::vector<std::uint8_t>& b, const net::Segment& s, std::uint16_t id) {
  b[0] = 0x45;  // version 4, IHL 5 (20 bytes)
  b[1] = 0;     // type of service
  put16(b, 2, static_cast<std::uint16_t>(b.size()));
  put16(b, 4, id);
  put16(b, 6, 0x4000);  // flags: don't fragment; fragment offset 0
  b[8] = kTtl;
  b[9] = kProtocolTcp;
  put32(b, 12, s.src.value);
  put32(b, 16, s.dst.value);
  // RFC 791 §3.1: "The checksum field is the 16 bit one's complement of the one's complement
  // sum of all 16 bit words in the header. For purposes of computing the checksum, the value
  // of the checksum field is zero."
  put16(b, 10, internet_checksum(std::span(b).first(kIpHeader)));
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  std::uint64_t acc = sum;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) acc += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  // RFC 9293 §3.1: "If a segment contains an odd number of header and text octets, alignment
  // can be achieved by padding the last octet with zeros on its right to form a 16-bit word".
  if (i < bytes.size()) acc += static_cast<std::uint32_t>(bytes[i] << 8);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

std::vector<std::uint8_t> encode_options(const net::Options& o) {
  constexpr std::uint8_t kNop = 1;
  std::vector<std::uint8_t> b;
  b.reserve(net::Options{.mss = 0, .wscale = 0, .sack_permitted = true, .timestamps = net::Timestamps{}}.wire_length());
  const auto put = [&b](std::initializer_list<std::uint8_t> bytes) {
    for (const std::uint8_t x : bytes) b.push_back(x);
  };
  if (o.mss) put({2, 4, static_cast<std::uint8_t>(*o.mss >> 8), static_cast<std::uint8_t>(*o.mss)});
  if (o.sack_permitted && !o.timestamps) put({kNop, kNop});
  if (o.sack_permitted) put({4, 2});
  if (o.timestamps) {
    if (!o.sack_permitted) put({kNop, kNop});
    put({8, 10});
    for (const std::uint32_t v : {o.timestamps->val, o.timestamps->ecr})
      for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  if (o.wscale) put({kNop, 3, 3, *o.wscale});
  b.resize(o.wire_length(), 0);  // already a multiple of 4; kind 0 (end of list) otherwise
  return b;
}

std::uint8_t pattern_byte(std::uint32_t seq) { return static_cast<std::uint8_t>('a' + seq % 26); }

std::vector<std::uint8_t> encode(const net::Segment& s, const EncodeOptions& o) {
  const std::vector<std::uint8_t> options = encode_options(s.options);
  const std::size_t tcp_header = kTcpHeader + options.size();
  const std::uint32_t data = data_bytes(s, kIpHeader + tcp_header);
  std::vector<std::uint8_t> b(kIpHeader + tcp_header + data, 0);
  write_ip_header(b, s, o.ip_id);

  const std::size_t t = kIpHeader;
  put16(b, t + 0, s.sport);
  put16(b, t + 2, s.dport);
  put32(b, t + 4, s.seq.raw());
  put32(b, t + 8, s.ack.raw());
  b[t + 12] = static_cast<std::uint8_t>(tcp_header / 4 << 4);  // data offset in 32-bit words
  b[t + 13] = s.flags.bits();
  put16(b, t + 14, s.window);
  put16(b, t + 18, s.urgent);
  std::copy(options.begin(), options.end(), b.begin() + static_cast<std::ptrdiff_t>(t + kTcpHeader));

  const std::size_t d = t + tcp_header;
  const auto& bytes = s.payload.bytes();
  // The data starts at SEG.SEQ, or one past it when SYN is set (SYN occupies the first number).
  const std::uint32_t first = s.seq.raw() + (s.flags.syn ? 1u : 0u);
  for (std::uint32_t i = 0; i < data; ++i) b[d + i] = i < bytes.size() ? bytes[i] : pattern_byte(first + i);

  // RFC 9293 §3.1: "The checksum field is the 16-bit ones' complement of the ones' complement
  // sum of all 16-bit words in the header and text. [...] The checksum also covers a
  // pseudo-header [...] the Source Address, the Destination Address, the Protocol number, and
  // TCP length".
  const std::uint32_t tcp_length = static_cast<std::uint32_t>(b.size() - t);
  const std::uint32_t pseudo = (s.src.value >> 16) + (s.src.value & 0xffff) + (s.dst.value >> 16) +
                               (s.dst.value & 0xffff) + kProtocolTcp + tcp_length;
  std::uint16_t sum = internet_checksum(std::span(b).subspan(t), pseudo);
  // A damaged segment: the checksum no longer matches (XOR keeps it from being the other
  // representation of zero, 0x0000 vs 0xffff, which would still verify).
  if (o.bad_checksum) sum ^= 0x5555;
  put16(b, t + 16, sum);
  return b;
}

}  // namespace tcpsim::pcap
