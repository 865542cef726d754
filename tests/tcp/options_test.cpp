// The options room (models/tcp/options.hpp): what a SYN offers, what a handshake agrees, the
// timestamps on every later segment, TS.Recent, Eff.snd.MSS, and SYN cookies that keep
// SACK-permitted in their TSval, as Linux's cookie_init_timestamp() does.
#include <catch2/catch.hpp>

#include "models/tcp/options.hpp"
#include "tests/tcp/harness.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;

namespace {
sim::Time at_ms(std::int64_t ms) { return sim::Time::zero() + sim::Duration::ms(ms); }
}  // namespace

TEST_CASE("The rfc9293 profile's SYN carries the MSS alone; the linux profile's adds SACK-permitted and TSopt", "[options]") {
  const net::Options rfc = syn_options(TcpParams::rfc9293(), at_ms(1500));
  CHECK(rfc == net::Options{.mss = 1460});
  const net::Options lin = syn_options(TcpParams::linux_profile(), at_ms(1500));
  CHECK(lin.mss == 1460);
  CHECK(lin.sack_permitted);
  REQUIRE(lin.timestamps);
  CHECK(lin.timestamps->val == 1500);  // milliseconds since time 0
  CHECK(lin.timestamps->ecr == 0);
  CHECK(lin.wire_length() == 16);  // MSS 4 + SACK-permitted 2 + TSopt 10 (no window scale)
}

TEST_CASE("A handshake agrees on an option only when both SYNs carry it", "[options]") {
  const TcpParams lin = TcpParams::linux_profile();
  const net::Options peer_all{.mss = 1400, .sack_permitted = true, .timestamps = net::Timestamps{777, 0}};
  const OptionState both = agree(lin, peer_all);
  CHECK(both.sack);
  CHECK(both.timestamps);
  CHECK(both.ts_recent == 777);
  CHECK(both.header_octets() == 12);
  // The SYN,ACK answers with what was agreed and echoes the SYN's TSval.
  const net::Options synack = syn_ack_options(lin, both, at_ms(20));
  CHECK(synack.sack_permitted);
  CHECK(synack.timestamps == net::Timestamps{20, 777});
  // A peer without timestamps: SACK alone; nothing in its SYN,ACK it did not offer.
  const OptionState sack_only = agree(lin, net::Options{.mss = 1460, .sack_permitted = true});
  CHECK(sack_only.sack);
  CHECK_FALSE(sack_only.timestamps);
  CHECK_FALSE(syn_ack_options(lin, sack_only, at_ms(20)).timestamps);
  // We do not offer them (rfc9293): the peer's offer agrees nothing.
  const OptionState none = agree(TcpParams::rfc9293(), peer_all);
  CHECK_FALSE(none.sack);
  CHECK_FALSE(none.timestamps);
  CHECK(syn_ack_options(TcpParams::rfc9293(), none, at_ms(20)) == net::Options{.mss = 1460});
}

TEST_CASE("Eff.snd.MSS is the smaller MSS less the agreed options' octets, and never below one octet", "[options]") {
  const TcpParams lin = TcpParams::linux_profile();
  const OptionState ts{.timestamps = true};
  CHECK(send_mss(lin, 1460, ts) == 1448);
  CHECK(send_mss(lin, 1024, ts) == 1012);
  CHECK(send_mss(lin, 1460, OptionState{}) == 1460);
  CHECK(send_mss(lin, 9000, OptionState{}) == 1460);  // our own MSS bounds it too
  CHECK(send_mss(lin, 8, ts) == 1);
}

TEST_CASE("Once agreed every segment but a RST carries TSopt, and TS.Recent follows RFC 7323 4.3", "[options]") {
  OptionState s{.sack = true, .timestamps = true, .ts_recent = 100};
  net::Options o;
  stamp(o, s, /*rst=*/false, at_ms(2500));
  CHECK(o.timestamps == net::Timestamps{2500, 100});
  net::Options r;
  stamp(r, s, /*rst=*/true, at_ms(2500));
  CHECK_FALSE(r.timestamps);
  net::Options off;
  stamp(off, OptionState{}, false, at_ms(2500));
  CHECK_FALSE(off.timestamps);

  // A newer TSval on a segment at or before the last ACK sent is taken; an older one, a segment
  // beyond the last ACK, or a segment without TSopt leave TS.Recent alone.
  note_timestamp(s, net::Options{.timestamps = net::Timestamps{150, 0}}, true);
  CHECK(s.ts_recent == 150);
  note_timestamp(s, net::Options{.timestamps = net::Timestamps{140, 0}}, true);
  CHECK(s.ts_recent == 150);
  note_timestamp(s, net::Options{.timestamps = net::Timestamps{160, 0}}, false);
  CHECK(s.ts_recent == 150);
  note_timestamp(s, net::Options{}, true);
  CHECK(s.ts_recent == 150);
  // Modular: a TSval just past the 32-bit wrap is newer.
  s.ts_recent = 0xfffffff0u;
  note_timestamp(s, net::Options{.timestamps = net::Timestamps{5, 0}}, true);
  CHECK(s.ts_recent == 5u);
}

TEST_CASE("A SYN cookie keeps SACK-permitted in its TSval's low bits, and only with timestamps", "[options][syncookie]") {
  const TcpParams lin = TcpParams::linux_profile();
  const net::Options syn{.mss = 1460, .sack_permitted = true, .timestamps = net::Timestamps{4242, 0}};
  const net::Options sa = cookie_syn_ack_options(lin, syn, at_ms(100'000));
  REQUIRE(sa.timestamps);
  CHECK((sa.timestamps->val & 0x3f) == 0x1f);  // no window scale (0xf), SACK (0x10)
  CHECK(sa.timestamps->val <= 100'000u);      // never ahead of the clock
  CHECK(100'000u - sa.timestamps->val < 64u);
  CHECK(sa.timestamps->ecr == 4242);
  // The ACK echoes it: the rebuilt connection has timestamps and SACK.
  const OptionState back = cookie_agreement(lin, net::Options{.timestamps = net::Timestamps{4300, sa.timestamps->val}});
  CHECK(back.timestamps);
  CHECK(back.sack);
  CHECK(back.ts_recent == 4300);
  // A SYN without SACK-permitted: bit 0x10 stays clear, and the connection has no SACK.
  const net::Options no_sack_syn{.mss = 1460, .timestamps = net::Timestamps{4242, 0}};
  const net::Options sa2 = cookie_syn_ack_options(lin, no_sack_syn, at_ms(100'000));
  REQUIRE(sa2.timestamps);
  CHECK((sa2.timestamps->val & 0x3f) == 0x0f);
  CHECK_FALSE(cookie_agreement(lin, net::Options{.timestamps = net::Timestamps{1, sa2.timestamps->val}}).sack);
  // Without timestamps the cookie keeps only the MSS.
  const OptionState bare = cookie_agreement(lin, net::Options{});
  CHECK_FALSE(bare.sack);
  CHECK_FALSE(bare.timestamps);
}
