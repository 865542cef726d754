#include "sim/live/linux_params.hpp"

#include <map>
#include <set>

#include "models/tcp/param_fields.hpp"

namespace tcpsim::live {
namespace {

using sim::Duration;

std::string whole(std::int64_t n) { return std::to_string(n); }
std::int64_t seconds(Duration d) { return d.count() / 1'000'000'000; }
bool whole_seconds(Duration d) { return d.count() % 1'000'000'000 == 0; }

// Every parameter's value as a scenario writes it, by name.
std::map<std::string, std::string> texts(const tcp::TcpParams& p) {
  std::map<std::string, std::string> out;
  tcp::visit_params(p, [&](std::string_view name, const auto& v, std::string_view) {
    out.emplace(std::string(name), tcp::ParamText{}(v));
  });
  return out;
}

}  // namespace

LinuxSetup linux_setup(const tcp::TcpParams& p, const std::optional<std::pair<std::uint16_t, std::uint16_t>>& ports) {
  LinuxSetup s;
  const tcp::TcpParams linux = tcp::TcpParams::linux_profile();
  const auto mine = texts(p);
  const auto theirs = texts(linux);
  std::set<std::string> handled;  // parameters mapped (or reported) below
  const auto set = [&s](std::string name, std::string value) { s.sysctls.push_back({std::move(name), std::move(value)}); };
  const auto unmapped = [&](const std::string& name, const std::string& why) {
    handled.insert(name);
    s.unmapped.push_back(name + " = " + mine.at(name) + ": " + why);
  };

  // SYN retransmissions. tcp_write_timeout(): an active open gives up after tcp_syn_retries +
  // tcp_syn_linear_timeouts retransmissions, the first tcp_syn_linear_timeouts of them without
  // doubling the RTO (the model counts them all in syn_retries).
  handled.insert({"syn_retries", "syn_linear_timeouts"});
  if (p.syn_retries.count) {
    const int total = *p.syn_retries.count;
    const int linear = std::max(0, std::min(p.syn_linear_timeouts, total - 1));
    if (linear != p.syn_linear_timeouts) {
      unmapped("syn_linear_timeouts", "Linux needs at least one exponential SYN retry after the linear ones; " +
                                          std::to_string(linear) + " linear retries are used");
    }
    set("net.ipv4.tcp_syn_retries", whole(std::max(1, total - linear)));
    set("net.ipv4.tcp_syn_linear_timeouts", whole(linear));
  } else {
    unmapped("syn_retries", "Linux always gives up after tcp_syn_retries; its default is used");
  }
  if (p.syn_retries.duration) unmapped("syn_retries", "Linux bounds SYN retries by count, not by time");

  handled.insert("synack_retries");
  if (p.synack_retries.count) set("net.ipv4.tcp_synack_retries", whole(*p.synack_retries.count));
  else unmapped("synack_retries", "Linux always drops a request after tcp_synack_retries; its default is used");
  if (p.synack_retries.duration) unmapped("synack_retries", "Linux bounds SYN,ACK retries by count, not by time");

  handled.insert({"r1", "r2", "orphan_retries"});
  set("net.ipv4.tcp_retries1", whole(p.r1));
  if (p.r2.count) set("net.ipv4.tcp_retries2", whole(*p.r2.count));
  else unmapped("r2", "Linux always gives up after tcp_retries2; its default is used");
  if (p.r2.duration) unmapped("r2", "Linux bounds data retransmissions by count (tcp_retries2), or by TCP_USER_TIMEOUT");
  // tcp_orphan_retries(): 0 means 8 when the socket sent something recently, which is what the
  // profile's 8 models.
  if (p.orphan_retries) set("net.ipv4.tcp_orphan_retries", whole(*p.orphan_retries == 8 ? 0 : *p.orphan_retries));
  else unmapped("orphan_retries", "Linux always limits an orphaned socket by tcp_orphan_retries");

  handled.insert("fin_wait_2_timeout");
  if (!p.fin_wait_2_timeout) {
    unmapped("fin_wait_2_timeout", "Linux always ends an orphaned FIN-WAIT-2 after tcp_fin_timeout");
  } else {
    if (!whole_seconds(*p.fin_wait_2_timeout)) unmapped("fin_wait_2_timeout", "tcp_fin_timeout counts whole seconds");
    set("net.ipv4.tcp_fin_timeout", whole(std::max<std::int64_t>(1, seconds(*p.fin_wait_2_timeout))));
  }

  handled.insert({"rto_min", "rto_max"});
  set("net.ipv4.tcp_rto_min_us", whole(p.rto_min.count() / 1000));
  set("net.ipv4.tcp_rto_max_ms", whole(p.rto_max.count() / 1'000'000));

  handled.insert("pingpong_thresh");
  set("net.ipv4.tcp_pingpong_thresh", whole(p.pingpong_thresh));

  handled.insert({"sack", "timestamps", "tail_loss_probe"});
  set("net.ipv4.tcp_sack", p.sack ? "1" : "0");
  set("net.ipv4.tcp_timestamps", p.timestamps ? "1" : "0");
  // tcp_early_retrans: 3 = tail loss probes (and RACK's reordering window), 0 = neither.
  set("net.ipv4.tcp_early_retrans", p.tail_loss_probe ? "3" : "0");

  handled.insert({"rfc1337", "syn_cookies", "abort_on_overflow", "somaxconn"});
  set("net.ipv4.tcp_rfc1337", p.rfc1337 ? "1" : "0");
  set("net.ipv4.tcp_syncookies", p.syn_cookies ? "1" : "0");
  set("net.ipv4.tcp_abort_on_overflow", p.abort_on_overflow ? "1" : "0");
  if (p.somaxconn) set("net.core.somaxconn", whole(*p.somaxconn));
  else unmapped("somaxconn", "Linux always caps the backlog at net.core.somaxconn; its default is used");

  handled.insert({"keepalive", "keepalive_idle", "keepalive_interval", "keepalive_probes"});
  s.keepalive = p.keepalive;
  for (const auto& [name, d] : {std::pair{"keepalive_idle", p.keepalive_idle}, std::pair{"keepalive_interval", p.keepalive_interval}}) {
    if (!whole_seconds(d)) unmapped(name, "Linux's keep-alive sysctls count whole seconds");
  }
  set("net.ipv4.tcp_keepalive_time", whole(std::max<std::int64_t>(1, seconds(p.keepalive_idle))));
  set("net.ipv4.tcp_keepalive_intvl", whole(std::max<std::int64_t>(1, seconds(p.keepalive_interval))));
  set("net.ipv4.tcp_keepalive_probes", whole(p.keepalive_probes));

  handled.insert("user_timeout");
  if (p.user_timeout) s.user_timeout_ms = static_cast<int>(p.user_timeout->count() / 1'000'000);

  handled.insert({"send_buffer", "recv_buffer", "mss"});
  // Linux doubles what SO_SNDBUF/SO_RCVBUF set (sock_setsockopt(): room for its bookkeeping), so
  // the value given is the one the model means.
  if (p.send_buffer != linux.send_buffer) s.send_buffer = static_cast<int>(p.send_buffer);
  if (p.recv_buffer != linux.recv_buffer) s.recv_buffer = static_cast<int>(p.recv_buffer);
  // The MSS Linux announces is the device's MTU less 40 (tcp_mss_to_mtu()).
  if (p.mss != linux.mss) s.mtu = p.mss + 40;

  if (ports) set("net.ipv4.ip_local_port_range", whole(ports->first) + "\t" + whole(ports->second));

  // TIME-WAIT's length comes from time_wait_length, or 2 MSL: one fact, reported once.
  handled.insert({"time_wait_length", "msl"});
  if (p.time_wait() != linux.time_wait()) {
    const std::string name = p.time_wait_length ? "time_wait_length" : "msl";
    unmapped(name, "Linux's TIME-WAIT lasts TCP_TIMEWAIT_LEN (60 s), a compile-time constant");
  }
  // Everything else is a behaviour Linux has no switch for.
  // The kernel's tick clock is its own: its HZ is CONFIG_HZ, and the run records its phase (the
  // trace's meta "jiffies_at_start" and "tick_offset_ns") for the model to take over.
  handled.insert({"jiffies_at_start", "tick_offset"});
  handled.insert("hz");
  if (p.hz != linux.hz) unmapped("hz", "the kernel's tick rate is its CONFIG_HZ; the trace's meta \"hz\" names it");

  for (const auto& [name, value] : mine) {
    if (handled.contains(name) || value == theirs.at(name)) continue;
    unmapped(name, "Linux has no switch for this (it behaves as the linux profile's " + theirs.at(name) + ")");
  }
  return s;
}

}  // namespace tcpsim::live
