// TCP options: options.hpp.
#include "models/tcp/options.hpp"

#include <algorithm>

namespace tcpsim::tcp {

namespace {

// Linux's cookie_init_timestamp(): TSBITS = 6 low bits of the SYN,ACK's TSval hold the options.
constexpr std::uint32_t kCookieTsBits = 6;
constexpr std::uint32_t kCookieTsMask = (1u << kCookieTsBits) - 1;
constexpr std::uint32_t kCookieNoWscale = 0x0f;  // TS_OPT_WSCALE_MASK: no window scale offered
constexpr std::uint32_t kCookieSack = 0x10;      // TS_OPT_SACK

// TSval a is not older than b (RFC 7323 §5.2's modular comparison).
bool not_older(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) >= 0; }

}  // namespace

std::uint32_t ts_clock(sim::Time now) { return static_cast<std::uint32_t>(now.since_start().count() / 1'000'000); }

net::Options syn_options(const TcpParams& p, sim::Time now) {
  net::Options o{.mss = p.mss};
  o.sack_permitted = p.sack;
  if (p.timestamps) o.timestamps = net::Timestamps{ts_clock(now), 0};
  return o;
}

net::Options syn_ack_options(const TcpParams& p, const OptionState& agreed, sim::Time now) {
  net::Options o{.mss = p.mss};
  o.sack_permitted = agreed.sack;
  if (agreed.timestamps) o.timestamps = net::Timestamps{ts_clock(now), agreed.ts_recent};
  return o;
}

OptionState agree(const TcpParams& p, const net::Options& peer) {
  OptionState s;
  s.sack = p.sack && peer.sack_permitted;
  s.timestamps = p.timestamps && peer.timestamps.has_value();
  if (s.timestamps) s.ts_recent = peer.timestamps->val;
  return s;
}

std::uint16_t peer_mss(const TcpParams& p, const net::Options& peer) {
  return peer.mss ? *peer.mss : p.default_peer_mss;
}

std::uint16_t send_mss(const TcpParams& p, std::uint16_t peer, const OptionState& agreed) {
  const std::uint16_t mss = std::min(peer, p.mss);
  // At least one octet of data per segment, whatever a tiny announced MSS leaves.
  return static_cast<std::uint16_t>(std::max<int>(1, mss - agreed.header_octets()));
}

void stamp(net::Options& o, const OptionState& agreed, bool rst, sim::Time now) {
  if (agreed.timestamps && !rst) o.timestamps = net::Timestamps{ts_clock(now), agreed.ts_recent};
}

void note_timestamp(OptionState& s, const net::Options& seg, bool starts_by_last_ack) {
  if (!s.timestamps || !seg.timestamps || !starts_by_last_ack) return;
  if (not_older(seg.timestamps->val, s.ts_recent)) s.ts_recent = seg.timestamps->val;
}

net::Options cookie_syn_ack_options(const TcpParams& p, const net::Options& syn, sim::Time now) {
  const OptionState agreed = agree(p, syn);
  net::Options o{.mss = p.mss};
  o.sack_permitted = agreed.sack;
  if (agreed.timestamps) {
    const std::uint32_t clock = ts_clock(now);
    std::uint32_t val = (clock & ~kCookieTsMask) | kCookieNoWscale | (agreed.sack ? kCookieSack : 0);
    // "If the encoded value is in the future, go back one tick" (never ahead of the clock).
    if (!not_older(clock, val)) val -= 1u << kCookieTsBits;
    o.timestamps = net::Timestamps{val, agreed.ts_recent};
  }
  return o;
}

OptionState cookie_agreement(const TcpParams& p, const net::Options& ack) {
  OptionState s;
  if (!p.timestamps || !ack.timestamps) return s;  // no TSecr: only the MSS survived the cookie
  s.timestamps = true;
  s.ts_recent = ack.timestamps->val;
  s.sack = p.sack && (ack.timestamps->ecr & kCookieSack) != 0;
  return s;
}

}  // namespace tcpsim::tcp
