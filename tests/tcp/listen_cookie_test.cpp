// SYN cookies on their own (syncookie.hpp, RFC 4987 §3.6): encoding, validation, expiry.
#include <catch2/catch.hpp>

#include "models/tcp/syncookie.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using tcp::SynCookies;

namespace {

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

const net::ConnId kId{{*net::Ipv4::parse("10.0.0.9"), 80}, {*net::Ipv4::parse("10.0.0.1"), 49152}};
const net::SeqNum kClientIsn{123456789};

}  // namespace

TEST_CASE("The cookie MSS index is the largest table entry not above the peer's MSS", "[syncookie]") {
  CHECK(SynCookies::mss_index(100) == 0);
  CHECK(SynCookies::mss_index(536) == 0);
  CHECK(SynCookies::mss_index(1299) == 0);
  CHECK(SynCookies::mss_index(1300) == 1);
  CHECK(SynCookies::mss_index(1459) == 2);
  CHECK(SynCookies::mss_index(1460) == 3);
  CHECK(SynCookies::mss_index(9000) == 3);
}

TEST_CASE("A SYN cookie validates for its 4-tuple and client ISN and gives back the table MSS", "[syncookie]") {
  const SynCookies c(0x1234);
  const net::SeqNum cookie = c.make(at(10_s), kId, kClientIsn, 1400);
  CHECK(c.check(at(10_s), kId, kClientIsn, cookie) == std::optional<std::uint16_t>(1300));
  CHECK(c.make(at(10_s), kId, kClientIsn, 1460) != cookie);
  CHECK(c.check(at(10_s), kId, kClientIsn, c.make(at(10_s), kId, kClientIsn, 1460)) ==
        std::optional<std::uint16_t>(1460));
}

TEST_CASE("The top five bits of ISS minus the client ISN count 64 second slots modulo 32", "[syncookie]") {
  const SynCookies c(0x1234);
  const auto top5 = [&](sim::Time t) { return static_cast<std::uint32_t>(c.make(t, kId, kClientIsn, 536) - kClientIsn) >> 27; };
  CHECK(top5(at(0_s)) == 0);
  CHECK(top5(at(63_s)) == 0);
  CHECK(top5(at(64_s)) == 1);
  CHECK(top5(at(64_s * 33)) == 1);
  CHECK(SynCookies::slot(at(127_s)) == 1);
}

TEST_CASE("A SYN cookie is valid in its slot and the next one, not later", "[syncookie]") {
  const SynCookies c(0x1234);
  const net::SeqNum cookie = c.make(at(100_s), kId, kClientIsn, 1460);  // slot 1: 64..128 s
  CHECK(c.check(at(64_s), kId, kClientIsn, cookie));
  CHECK(c.check(at(191_s), kId, kClientIsn, cookie));
  CHECK_FALSE(c.check(at(192_s), kId, kClientIsn, cookie));
  CHECK_FALSE(c.check(at(63_s), kId, kClientIsn, cookie));  // from the future
  // 32 slots later the 5-bit counter matches again, but the hash covers the full counter.
  CHECK_FALSE(c.check(at(100_s + 64_s * 32), kId, kClientIsn, cookie));
}

TEST_CASE("A SYN cookie fails for another tuple, another client ISN, another secret or a changed MSS index",
          "[syncookie]") {
  const SynCookies c(0x1234);
  const net::SeqNum cookie = c.make(at(5_s), kId, kClientIsn, 1460);
  net::ConnId other_port = kId;
  other_port.remote.port = 49153;
  net::ConnId other_ip = kId;
  other_ip.remote.ip = *net::Ipv4::parse("10.0.0.2");
  CHECK_FALSE(c.check(at(5_s), other_port, kClientIsn, cookie));
  CHECK_FALSE(c.check(at(5_s), other_ip, kClientIsn, cookie));
  CHECK_FALSE(c.check(at(5_s), kId, kClientIsn + 1, cookie));
  CHECK_FALSE(SynCookies(0x1235).check(at(5_s), kId, kClientIsn, cookie));
  for (std::uint32_t m = 0; m < 8; ++m) {
    const std::uint32_t diff = static_cast<std::uint32_t>(cookie - kClientIsn);
    const net::SeqNum forged = kClientIsn + ((diff & ~(7u << 24)) | (m << 24));
    if (m == 3) {
      CHECK(c.check(at(5_s), kId, kClientIsn, forged));
    } else {
      CHECK_FALSE(c.check(at(5_s), kId, kClientIsn, forged));
    }
  }
}
