#include <catch2/catch.hpp>

#include "models/net/wire/segment.hpp"

using namespace tcpsim::net;

TEST_CASE("SeqNum compares modulo 2^32 across the wrap", "[wire][seqnum]") {
  const SeqNum top(0xFFFFFFF0u);
  const SeqNum wrapped = top + 0x20;  // 0x00000010
  CHECK(wrapped.raw() == 0x10u);
  CHECK(top < wrapped);
  CHECK(wrapped > top);
  CHECK(top <= wrapped);
  CHECK_FALSE(wrapped < top);
  CHECK((wrapped - top) == 0x20);
  CHECK((top - wrapped) == -0x20);
  CHECK(SeqNum(5) < SeqNum(6));
  CHECK(SeqNum(0) > SeqNum(0xFFFFFFFFu));
}

TEST_CASE("SeqNum values half the space apart are not ordered either way", "[wire][seqnum]") {
  const SeqNum a(100), b = a + 0x80000000u;
  CHECK_FALSE(a == b);
  // RFC 1982: the comparison is undefined at exactly 2^31; this implementation says neither is
  // "ahead" in the sense of a positive distance: a - b is INT32_MIN.
  CHECK((b - a) == INT32_MIN);
  CHECK(seq_in_window(a + 10, a, a + 100));
  CHECK_FALSE(seq_in_window(a + 100, a, a + 100));
  CHECK(seq_in_window(SeqNum(2), SeqNum(0xFFFFFFFEu), SeqNum(10)));  // a window across the wrap
}

TEST_CASE("Dotted quads parse strictly", "[wire][address]") {
  CHECK(Ipv4::parse("10.0.0.1")->value == 0x0a000001u);
  CHECK(Ipv4::parse("255.255.255.255")->value == 0xffffffffu);
  CHECK(Ipv4::parse("0.0.0.0")->to_string() == "0.0.0.0");
  for (const char* bad : {"10.0.0", "10.0.0.256", "01.2.3.4", "1.2.3.4.5", "a.b.c.d", "", "1..2.3", " 1.2.3.4"})
    CHECK_FALSE(Ipv4::parse(bad).has_value());
}

TEST_CASE("Flags read and write in the RFC's order", "[wire][flags]") {
  CHECK(Flags{.syn = true, .ack = true}.to_string() == "SYN,ACK");
  CHECK(Flags{.ack = true, .fin = true}.to_string() == "FIN,ACK");
  CHECK(Flags{.ack = true, .psh = true}.to_string() == "PSH,ACK");
  CHECK(Flags{}.to_string() == "none");
  CHECK(Flags::parse("ack,syn") == Flags{.syn = true, .ack = true});
  CHECK(Flags::parse("fin+ack") == Flags{.ack = true, .fin = true});
  CHECK(Flags::parse("") == Flags{});
  std::string bad;
  CHECK_FALSE(Flags::parse("SYN,AKC", &bad).has_value());
  CHECK(bad == "AKC");
  CHECK(Flags::from_bits(Flags{.syn = true, .ack = true, .cwr = true}.bits()) == Flags{.syn = true, .ack = true, .cwr = true});
  CHECK(Flags{.syn = true, .ack = true}.contains(Flags{.ack = true}));
  CHECK_FALSE(Flags{.ack = true}.contains(Flags{.syn = true}));
}

TEST_CASE("A segment counts SYN and FIN in sequence space and options on the wire", "[wire][segment]") {
  const Segment syn{.seq = SeqNum(100), .flags = {.syn = true}, .options = {.mss = 1460, .sack_permitted = true}};
  CHECK(syn.seq_len() == 1);
  CHECK(syn.wire_size() == 40 + 8);  // MSS (4) + SACK-permitted (2), padded to 8
  const Segment fin_data{.flags = {.ack = true, .fin = true}, .payload_len = 100};
  CHECK(fin_data.seq_len() == 101);
  CHECK(fin_data.wire_size() == 140);
  const Segment full{.options = {.mss = 1460, .wscale = 7, .sack_permitted = true, .timestamps = Timestamps{1, 2}}};
  CHECK(full.options.wire_length() == 20);  // 4 + 3 + 2 + 10 = 19 -> 20
}

TEST_CASE("A segment prints like tcpdump", "[wire][segment]") {
  const Segment s{.src = *Ipv4::parse("10.0.0.1"),
                  .dst = *Ipv4::parse("10.0.0.2"),
                  .sport = 1024,
                  .dport = 80,
                  .seq = SeqNum(100),
                  .ack = SeqNum(301),
                  .flags = {.syn = true, .ack = true},
                  .window = 4096,
                  .options = {.mss = 1460}};
  CHECK(s.to_string() == "10.0.0.1:1024 > 10.0.0.2:80 [SYN,ACK] seq 100 ack 301 win 4096 <mss 1460> len 0");
}

TEST_CASE("Segments compare by value, payload bytes included", "[wire][segment]") {
  Segment a{.payload_len = 3, .payload = Payload({1, 2, 3})};
  Segment b{.payload_len = 3, .payload = Payload({1, 2, 3})};
  CHECK(a == b);
  b.payload = Payload({1, 2, 4});
  CHECK_FALSE(a == b);
  Segment c = a;  // copies share the bytes
  CHECK(c == a);
  CHECK(c.payload.bytes().size() == 3);
}
