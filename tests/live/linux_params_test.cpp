#include <algorithm>
#include <catch2/catch.hpp>

#include "sim/live/linux_params.hpp"

using namespace tcpsim;
using sim::Duration;

namespace {

std::string sysctl(const live::LinuxSetup& s, const std::string& name) {
  const auto it = std::find_if(s.sysctls.begin(), s.sysctls.end(), [&](const live::Sysctl& c) { return c.name == name; });
  return it == s.sysctls.end() ? "(unset)" : it->value;
}

}  // namespace

TEST_CASE("The linux profile maps onto Linux's own defaults with nothing left over") {
  const auto s = live::linux_setup(tcp::TcpParams::linux_profile());
  CHECK(s.unmapped.empty());
  CHECK(sysctl(s, "net.ipv4.tcp_syn_retries") == "6");
  CHECK(sysctl(s, "net.ipv4.tcp_syn_linear_timeouts") == "4");
  CHECK(sysctl(s, "net.ipv4.tcp_synack_retries") == "5");
  CHECK(sysctl(s, "net.ipv4.tcp_retries2") == "15");
  CHECK(sysctl(s, "net.ipv4.tcp_orphan_retries") == "0");
  CHECK(sysctl(s, "net.ipv4.tcp_fin_timeout") == "60");
  CHECK(sysctl(s, "net.ipv4.tcp_rto_min_us") == "200000");
  CHECK(sysctl(s, "net.ipv4.tcp_rto_max_ms") == "120000");
  CHECK(sysctl(s, "net.ipv4.tcp_pingpong_thresh") == "1");
  CHECK(sysctl(s, "net.ipv4.tcp_syncookies") == "1");
  CHECK(sysctl(s, "net.core.somaxconn") == "4096");
  CHECK(sysctl(s, "net.ipv4.ip_local_port_range") == "(unset)");
  CHECK_FALSE(s.send_buffer);
  CHECK_FALSE(s.mtu);
}

TEST_CASE("A scenario's Linux parameters become the namespace's sysctls and socket options") {
  auto p = tcp::TcpParams::linux_profile();
  p.syn_retries.count = 2;  // fewer than the linear ones: Linux needs one exponential retry
  p.synack_retries.count = 1;
  p.fin_wait_2_timeout = Duration::s(5);
  p.syn_cookies = false;
  p.somaxconn = 8;
  p.user_timeout = Duration::ms(1500);
  p.recv_buffer = 4096;
  p.mss = 536;
  const auto s = live::linux_setup(p, std::pair<std::uint16_t, std::uint16_t>{40000, 40099});
  CHECK(sysctl(s, "net.ipv4.tcp_syn_retries") == "1");
  CHECK(sysctl(s, "net.ipv4.tcp_syn_linear_timeouts") == "1");
  CHECK(sysctl(s, "net.ipv4.tcp_synack_retries") == "1");
  CHECK(sysctl(s, "net.ipv4.tcp_fin_timeout") == "5");
  CHECK(sysctl(s, "net.ipv4.tcp_syncookies") == "0");
  CHECK(sysctl(s, "net.core.somaxconn") == "8");
  CHECK(sysctl(s, "net.ipv4.ip_local_port_range") == "40000\t40099");
  CHECK(s.user_timeout_ms == 1500);
  CHECK(s.recv_buffer == 4096);
  CHECK(s.mtu == 576);
  REQUIRE(s.unmapped.size() == 1);
  CHECK(s.unmapped[0] ==
        "syn_linear_timeouts = 4: Linux needs at least one exponential SYN retry after the linear ones; 1 linear "
        "retries are used");
}

TEST_CASE("A parameter Linux has no knob for is reported with its value, not dropped") {
  auto p = tcp::TcpParams::linux_profile();
  p.time_wait_length = Duration::s(2);
  p.rfc5961 = false;
  p.fin_wait_2_timeout = std::nullopt;
  p.r2.duration = Duration::s(10);
  const auto s = live::linux_setup(p);
  CHECK(s.unmapped == std::vector<std::string>{
                          "r2 = {\"count\": 15, \"duration\": \"10s\"}: Linux bounds data retransmissions by count "
                          "(tcp_retries2), or by TCP_USER_TIMEOUT",
                          "fin_wait_2_timeout = null: Linux always ends an orphaned FIN-WAIT-2 after tcp_fin_timeout",
                          "time_wait_length = \"2s\": Linux's TIME-WAIT lasts TCP_TIMEWAIT_LEN (60 s), a compile-time constant",
                          "rfc5961 = false: Linux has no switch for this (it behaves as the linux profile's true)"});
}

TEST_CASE("Under the rfc9293 profile every behaviour Linux does not share is listed") {
  const auto s = live::linux_setup(tcp::TcpParams::rfc9293());
  CHECK(s.unmapped.size() > 10);
  const auto has = [&](const std::string& prefix) {
    return std::any_of(s.unmapped.begin(), s.unmapped.end(), [&](const std::string& u) { return u.rfind(prefix, 0) == 0; });
  };
  CHECK(has("msl = \"2min\": Linux's TIME-WAIT lasts TCP_TIMEWAIT_LEN"));
  CHECK(has("rto_style = \"rfc6298\""));
  CHECK(has("fin_wait_2_timeout = null"));
}
