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

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
std::uint32_t get32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(get16(b, at)) << 16 | get16(b, at + 2);
}

std::uint32_t pseudo_header_sum(const net::Segment& s, std::uint32_t tcp_length) {
  return (s.src.value >> 16) + (s.src.value & 0xffff) + (s.dst.value >> 16) + (s.dst.value & 0xffff) + kProtocolTcp +
         tcp_length;
}

// RFC 9293 §3.2 (Specific Option Definitions): kind 0 ends the list, kind 1 is one byte of
// padding, every other option is kind, length (counting both), data.
bool decode_options(std::span<const std::uint8_t> b, net::Options& o) {
  std::size_t i = 0;
  while (i < b.size()) {
    const std::uint8_t kind = b[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= b.size() || b[i + 1] < 2 || i + b[i + 1] > b.size()) return false;
    const std::uint8_t len = b[i + 1];
    const auto data = b.subspan(i + 2, len - 2u);
    if (kind == 2 && len == 4) o.mss = get16(data, 0);
    if (kind == 3 && len == 3) o.wscale = data[0];
    if (kind == 4 && len == 2) o.sack_permitted = true;
    if (kind == 8 && len == 10) o.timestamps = net::Timestamps{get32(data, 0), get32(data, 4)};
    i += len;
  }
  return true;
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
  std::uint16_t sum = internet_checksum(std::span(b).subspan(t), pseudo_header_sum(s, tcp_length));
  // A damaged segment: the checksum no longer matches (XOR keeps it from being the other
  // representation of zero, 0x0000 vs 0xffff, which would still verify).
  if (o.bad_checksum) sum ^= 0x5555;
  put16(b, t + 16, sum);
  return b;
}

std::optional<net::Segment> decode(std::span<const std::uint8_t> b, std::string* why) {
  const auto fail = [why](const char* what) -> std::optional<net::Segment> {
    if (why) *why = what;
    return std::nullopt;
  };
  if (b.size() < kIpHeader) return fail("shorter than an IPv4 header");
  if (b[0] >> 4 != 4) return fail("not IPv4");
  const std::size_t ihl = (b[0] & 0x0f) * 4u;
  const std::size_t total = get16(b, 2);
  if (ihl < kIpHeader || total < ihl || total > b.size()) return fail("IPv4 header or total length out of range");
  if ((get16(b, 6) & 0x3fff) != 0) return fail("an IPv4 fragment");
  if (b[9] != kProtocolTcp) return fail("not TCP");
  const auto tcp = b.subspan(ihl, total - ihl);
  if (tcp.size() < kTcpHeader) return fail("shorter than a TCP header");
  const std::size_t offset = (tcp[12] >> 4) * 4u;
  if (offset < kTcpHeader || offset > tcp.size()) return fail("TCP data offset out of range");

  net::Segment s;
  s.src = net::Ipv4{get32(b, 12)};
  s.dst = net::Ipv4{get32(b, 16)};
  s.sport = get16(tcp, 0);
  s.dport = get16(tcp, 2);
  s.seq = net::SeqNum{get32(tcp, 4)};
  s.ack = net::SeqNum{get32(tcp, 8)};
  s.flags = net::Flags::from_bits(tcp[13]);
  s.window = get16(tcp, 14);
  s.urgent = get16(tcp, 18);
  if (!decode_options(tcp.subspan(kTcpHeader, offset - kTcpHeader), s.options)) return fail("a TCP option runs past the header");
  s.payload_len = static_cast<std::uint32_t>(tcp.size() - offset);
  s.corrupted = internet_checksum(tcp, pseudo_header_sum(s, static_cast<std::uint32_t>(tcp.size()))) != 0;
  return s;
}

}  // namespace tcpsim::pcap
