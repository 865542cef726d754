// Reading a capture back with libpcap, and taking packets apart, for the pcap tests.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tcpsim::pcap::test {

struct ReadPacket {
  std::int64_t ns;  // timestamp, nanoseconds
  std::uint32_t len;
  std::vector<std::uint8_t> bytes;
};

struct ReadCapture {
  int linktype = 0;
  std::vector<ReadPacket> packets;
};

inline ReadCapture read_capture(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) throw std::runtime_error(std::string("pcap_open_offline: ") + err);
  ReadCapture c;
  c.linktype = pcap_datalink(p);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    c.packets.push_back({static_cast<std::int64_t>(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec, h->len,
                         std::vector<std::uint8_t>(data, data + h->caplen)});
  }
  pcap_close(p);
  return c;
}

inline std::uint16_t be16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}
inline std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(be16(b, at)) << 16 | be16(b, at + 2);
}

// One's complement sum folded to 16 bits, written independently of the code under test.
inline std::uint16_t fold_sum(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t to, std::uint32_t sum) {
  for (std::size_t i = from; i < to; i += 2) sum += static_cast<std::uint32_t>(b[i] << 8 | (i + 1 < to ? b[i + 1] : 0));
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
// A header whose checksum is right sums to 0xffff (RFC 1071).
inline bool ip_checksum_ok(const std::vector<std::uint8_t>& b) { return fold_sum(b, 0, 20, 0) == 0xffff; }
inline bool tcp_checksum_ok(const std::vector<std::uint8_t>& b) {
  const std::uint32_t pseudo = be16(b, 12) + be16(b, 14) + be16(b, 16) + be16(b, 18) + 6u +
                               static_cast<std::uint32_t>(b.size() - 20);
  return fold_sum(b, 20, b.size(), pseudo) == 0xffff;
}
inline std::size_t tcp_header_len(const std::vector<std::uint8_t>& b) { return (b.at(32) >> 4) * 4u; }

}  // namespace tcpsim::pcap::test
