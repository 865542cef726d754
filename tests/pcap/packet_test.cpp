#include <bit>
#include <catch2/catch.hpp>

#include "sim/pcap/packet.hpp"
#include "tests/pcap/read_back.hpp"

using namespace tcpsim;
using namespace tcpsim::pcap::test;
using net::Flags;
using net::Segment;

namespace {

Segment data_segment() {
  Segment s;
  s.src = *net::Ipv4::parse("10.0.0.1");
  s.dst = *net::Ipv4::parse("192.168.1.200");
  s.sport = 49152;
  s.dport = 80;
  s.seq = net::SeqNum(0xfffffff0u);
  s.ack = net::SeqNum(1000);
  s.flags = Flags{.ack = true, .psh = true};
  s.window = 4096;
  s.payload_len = 5;
  return s;
}

}  // namespace

TEST_CASE("The IPv4 header carries version 4, IHL 5, total length, TTL 64, protocol 6 and both addresses") {
  const auto b = tcpsim::pcap::encode(data_segment(), {.ip_id = 0x1234});
  REQUIRE(b.size() == 20 + 20 + 5);
  CHECK(b[0] == 0x45);
  CHECK(b[1] == 0);
  CHECK(be16(b, 2) == 45);
  CHECK(be16(b, 4) == 0x1234);
  CHECK(be16(b, 6) == 0x4000);
  CHECK(b[8] == 64);
  CHECK(b[9] == 6);
  CHECK(be32(b, 12) == 0x0a000001);
  CHECK(be32(b, 16) == 0xc0a801c8);
  CHECK(ip_checksum_ok(b));
}

TEST_CASE("The TCP header carries ports, seq, ack, data offset, flag bits, window and urgent pointer") {
  Segment s = data_segment();
  s.flags = Flags{.ack = true, .fin = true, .psh = true, .urg = true};
  s.urgent = 3;
  const auto b = tcpsim::pcap::encode(s);
  CHECK(be16(b, 20) == 49152);
  CHECK(be16(b, 22) == 80);
  CHECK(be32(b, 24) == 0xfffffff0u);
  CHECK(be32(b, 28) == 1000);
  CHECK(b[32] == 0x50);           // 5 words, reserved bits zero
  CHECK(b[33] == (0x20 | 0x10 | 0x08 | 0x01));  // URG ACK PSH FIN
  CHECK(be16(b, 34) == 4096);
  CHECK(be16(b, 38) == 3);
  CHECK(tcp_checksum_ok(b));
}

TEST_CASE("Every flag lands on its RFC 9293 header bit") {
  CHECK(tcpsim::pcap::encode(Segment{.flags = Flags{.syn = true}})[33] == 0x02);
  CHECK(tcpsim::pcap::encode(Segment{.flags = Flags{.rst = true}})[33] == 0x04);
  CHECK(tcpsim::pcap::encode(Segment{.flags = Flags{.ece = true, .cwr = true}})[33] == 0xc0);
}

TEST_CASE("A segment with only a length carries a pattern indexed by sequence number") {
  const auto b = tcpsim::pcap::encode(data_segment());
  // seq 0xfffffff0 = 4294967280 = 26 * 165191049 + 6 -> 'g'
  CHECK(std::string(b.begin() + 40, b.end()) == "ghijk");
  CHECK(tcp_checksum_ok(b));
  // Across the wrap of the sequence space: 4294967294 % 26 = 20 -> 'u', then 0 -> 'a'.
  Segment s = data_segment();
  s.seq = net::SeqNum(0xfffffffeu);
  s.payload_len = 4;
  const auto w = tcpsim::pcap::encode(s);
  CHECK(std::string(w.begin() + 40, w.end()) == "uvab");
}

TEST_CASE("The pattern starts one past the sequence number of a SYN") {
  Segment s = data_segment();
  s.flags = Flags{.syn = true};
  s.seq = net::SeqNum(25);  // the first data byte is seq 26 -> 'a'
  s.payload_len = 2;
  const auto b = tcpsim::pcap::encode(s);
  CHECK(std::string(b.begin() + 40, b.end()) == "ab");
}

TEST_CASE("A segment with payload bytes carries exactly those bytes") {
  Segment s = data_segment();
  s.payload_len = 3;
  s.payload = net::Payload({0x00, 0xff, 0x7f});
  const auto b = tcpsim::pcap::encode(s);
  REQUIRE(b.size() == 43);
  CHECK(b[40] == 0x00);
  CHECK(b[41] == 0xff);
  CHECK(b[42] == 0x7f);
  CHECK(tcp_checksum_ok(b));  // odd length: the last byte is padded with zero for the sum
}

TEST_CASE("A damaged segment has a failing TCP checksum and a valid IPv4 checksum") {
  for (std::uint32_t seq = 0; seq < 64; ++seq) {  // whatever the right checksum is, it fails
    Segment s = data_segment();
    s.seq = net::SeqNum(seq);
    const auto good = tcpsim::pcap::encode(s);
    const auto bad = tcpsim::pcap::encode(s, {.bad_checksum = true});
    CHECK(tcp_checksum_ok(good));
    CHECK_FALSE(tcp_checksum_ok(bad));
    CHECK(ip_checksum_ok(bad));
    CHECK(std::equal(good.begin(), good.begin() + 36, bad.begin()));
  }
}

TEST_CASE("All four options are encoded as Linux sends them: MSS, SACK-permitted, timestamps, NOP, window scale") {
  net::Options o;
  o.mss = 1460;
  o.sack_permitted = true;
  o.timestamps = net::Timestamps{0x01020304, 0xa0b0c0d0};
  o.wscale = 7;
  const std::vector<std::uint8_t> want{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0, 1, 3, 3, 7};
  CHECK(tcpsim::pcap::encode_options(o) == want);
  const auto b = tcpsim::pcap::encode(Segment{.flags = Flags{.syn = true}, .options = o});
  CHECK(b[32] >> 4 == 10);  // 20 + 20 bytes
  CHECK(be16(b, 2) == 60);
  CHECK(std::equal(want.begin(), want.end(), b.begin() + 40));
  CHECK(tcp_checksum_ok(b));
}

TEST_CASE("Timestamps without SACK-permitted are preceded by two NOPs") {
  net::Options o;
  o.timestamps = net::Timestamps{5, 0};
  const std::vector<std::uint8_t> want{1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0};
  CHECK(tcpsim::pcap::encode_options(o) == want);
}

TEST_CASE("Every combination of options fills exactly the length the data offset counts") {
  for (int mask = 0; mask < 16; ++mask) {
    net::Options o;
    if (mask & 1) o.mss = 536;
    if (mask & 2) o.wscale = 14;
    if (mask & 4) o.sack_permitted = true;
    if (mask & 8) o.timestamps = net::Timestamps{1, 2};
    const auto bytes = tcpsim::pcap::encode_options(o);
    INFO("options mask " << mask);
    CHECK(bytes.size() == o.wire_length());
    const Segment s{.options = o, .payload_len = 7};
    const auto b = tcpsim::pcap::encode(s);
    CHECK(b.size() == s.wire_size());
    CHECK(tcp_header_len(b) == 20 + o.wire_length());
    CHECK(tcp_checksum_ok(b));
    // Each option is where a parser walking kind/length finds it.
    std::size_t at = 0, found = 0;
    while (at < bytes.size() && bytes[at] != 0) {
      if (bytes[at] == 1) {
        ++at;
        continue;
      }
      ++found;
      at += bytes.at(at + 1);
    }
    CHECK(found == static_cast<std::size_t>(std::popcount(static_cast<unsigned>(mask))));
  }
}

TEST_CASE("A packet decodes back into the segment it was encoded from, options and checksum included") {
  net::Segment s;
  s.src = *net::Ipv4::parse("10.0.0.1");
  s.dst = *net::Ipv4::parse("10.0.0.2");
  s.sport = 40000;
  s.dport = 80;
  s.seq = net::SeqNum{0xfffffff0u};
  s.ack = net::SeqNum{12345};
  s.flags = net::Flags{.syn = true, .ack = true};
  s.window = 64240;
  s.options = net::Options{.mss = 1460, .wscale = 7, .sack_permitted = true, .timestamps = net::Timestamps{7, 9}};
  s.payload_len = 5;
  const auto bytes = pcap::encode(s);
  const auto back = pcap::decode(bytes);
  REQUIRE(back);
  CHECK(*back == s);

  const auto damaged = pcap::decode(pcap::encode(s, {.bad_checksum = true}));
  REQUIRE(damaged);
  CHECK(damaged->corrupted);

  std::string why;
  CHECK_FALSE(pcap::decode(std::span(bytes).first(30), &why));
  CHECK(why == "IPv4 header or total length out of range");
  auto v6 = bytes;
  v6[0] = 0x60;
  CHECK_FALSE(pcap::decode(v6, &why));
  CHECK(why == "not IPv4");
}

TEST_CASE("Decoding skips options the model does not know, such as SACK blocks, and rejects one that overruns") {
  net::Segment s;
  s.src = *net::Ipv4::parse("10.0.0.2");
  s.dst = *net::Ipv4::parse("10.0.0.1");
  s.flags = net::Flags{.ack = true};
  s.options = net::Options{.timestamps = net::Timestamps{1, 2}};
  auto bytes = pcap::encode(s);
  // Replace the two leading NOPs and the timestamp with NOP, NOP, a SACK block (kind 5, 10 bytes):
  // the options keep their 12 bytes.
  const std::size_t opt = 40;
  const std::uint8_t sack[] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  std::copy(std::begin(sack), std::end(sack), bytes.begin() + opt);
  auto back = pcap::decode(bytes);
  REQUIRE(back);
  CHECK(back->options == net::Options{});
  bytes[opt + 3] = 40;  // the block's length now runs past the header
  std::string why;
  CHECK_FALSE(pcap::decode(bytes, &why));
  CHECK(why == "a TCP option runs past the header");
}
