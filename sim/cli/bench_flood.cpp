#include "sim/cli/bench_flood.hpp"

#include <chrono>
#include <cstdio>

#include "sim/cli/bench_churn.hpp"
#include "sim/kernel/random.hpp"
#include "sim/scenario/world.hpp"

namespace tcpsim::cli {

using sim::Duration;

namespace {

scenario::Scenario flood_scenario(const FloodParams& p) {
  scenario::Scenario s;
  s.name = "flood";
  s.seed = p.seed;
  s.profile = scenario::Profile::Linux;
  tcp::TcpParams server_params = tcp::TcpParams::linux_profile();
  server_params.syn_cookies = p.syn_cookies;
  s.nodes.push_back({"server", *net::Ipv4::parse("10.0.0.1"), false});
  s.tcp.push_back({true, server_params, std::nullopt});
  // The attacker's host runs no TCP: it only forwards what it forges onto its link.
  s.nodes.push_back({"attacker", *net::Ipv4::parse("10.0.0.2"), false});
  s.tcp.push_back({false, {}, std::nullopt});
  net::LinkParams fast;
  fast.delay = Duration::ms(5);
  s.links.push_back({"attacker", "server", fast, fast});

  app::Script server;
  app::Step listen{.action = app::Step::Do::Listen, .at = Duration::zero()};
  listen.port = 80;
  listen.backlog = p.backlog;
  server.steps = {listen, app::Step{.action = app::Step::Do::Close, .on = app::Event::Eof}};
  s.apps.push_back({"server", "server", server});

  net::LinkParams link;
  link.delay = Duration::ms(10);
  scenario::HostGroup g = client_group(p.clients, tcp::TcpParams::linux_profile(), link, 100,
                                       Duration::ns(static_cast<std::int64_t>(p.seconds * 1e9 * 5 / 6)));
  s.groups.push_back(std::move(g));
  s.until = Duration::ns(static_cast<std::int64_t>(p.seconds * 1e9));
  return s;
}

// Injects one spoofed SYN every 1/rate seconds until `end`; one pending event at a time.
struct Flooder {
  scenario::World& world;
  net::NodeId via;
  net::Ipv4 target;
  Duration gap;
  sim::Time end;
  sim::Rng rng;
  std::uint64_t sent = 0;

  void fire() {
    net::Segment syn;
    syn.src = net::Ipv4{0xC6120000u | static_cast<std::uint32_t>(rng.uniform_int(1, 0x1FFFE))};  // 198.18.0.0/15
    syn.dst = target;
    syn.sport = static_cast<std::uint16_t>(rng.uniform_int(1024, 65535));
    syn.dport = 80;
    syn.seq = net::SeqNum{static_cast<std::uint32_t>(rng.next_u64())};
    syn.flags.syn = true;
    syn.window = 65535;
    syn.options.mss = 1460;
    world.network().send(via, syn, {}, /*injected=*/true);
    ++sent;
    const sim::Time next = world.scheduler().now() + gap;
    if (next < end) world.scheduler().schedule_at(next, [this] { fire(); });
  }
};

}  // namespace

FloodResult run_flood(const FloodParams& p) {
  FloodResult r;
  scenario::RunOptions opt;
  opt.keep_records = false;
  opt.limits = scenario::Limits::none();  // a benchmark sizes its run itself
  scenario::World world(flood_scenario(p), opt);
  const auto server = *world.network().find("server");
  Flooder f{world, *world.network().find("attacker"), *world.network().node(server).ip,
            Duration::ns(static_cast<std::int64_t>(1e9 / static_cast<double>(p.rate))), world.stop_time(),
            sim::RandomStreams(p.seed).stream("flood")};
  world.scheduler().schedule_at(sim::Time::zero() + Duration::ms(1), [&f] { f.fire(); });
  const auto t0 = std::chrono::steady_clock::now();
  world.run();
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.events = world.scheduler().executed();
  r.spoofed = f.sent;
  for (std::uint32_t i = 1; i <= p.clients; ++i) {
    const auto id = world.network().find("c" + std::to_string(i));
    if (id && world.apps(*id) && (*world.apps(*id))[0].connected()) ++r.connected;
  }
  r.peak_rss_bytes = peak_rss_bytes();
  return r;
}

void print_flood(std::ostream& out, const FloodParams& p, const FloodResult& r, bool json) {
  char buf[768];
  if (json) {
    std::snprintf(buf, sizeof buf,
                  "{\"workload\": \"flood\", \"rate\": %llu, \"seconds\": %g, \"clients\": %u, \"backlog\": %u, "
                  "\"syn_cookies\": %s, \"spoofed_syns\": %llu, \"connected\": %u, \"success_rate\": %.4f, "
                  "\"wall_seconds\": %.3f, \"events\": %llu, \"events_per_second\": %.0f, \"faster_than_real_time\": %.1f, "
                  "\"peak_rss_bytes\": %llu}\n",
                  static_cast<unsigned long long>(p.rate), p.seconds, p.clients, p.backlog, p.syn_cookies ? "true" : "false",
                  static_cast<unsigned long long>(r.spoofed), r.connected, r.success_rate(p), r.wall_seconds,
                  static_cast<unsigned long long>(r.events), r.wall_seconds > 0 ? r.events / r.wall_seconds : 0,
                  r.speedup(p), static_cast<unsigned long long>(r.peak_rss_bytes));
    out << buf;
    return;
  }
  std::snprintf(buf, sizeof buf,
                "flood: %llu spoofed SYN/s for %g s against backlog %u, SYN cookies %s, %u legitimate clients\n"
                "  %llu spoofed SYNs, %u of %u clients connected (%.1f%%)\n"
                "  %.3f s wall (%.1fx faster than real time), %llu events, %.2f M events/s, peak RSS %.1f MB\n",
                static_cast<unsigned long long>(p.rate), p.seconds, p.backlog, p.syn_cookies ? "on" : "off", p.clients,
                static_cast<unsigned long long>(r.spoofed), r.connected, p.clients, 100 * r.success_rate(p),
                r.wall_seconds, r.speedup(p), static_cast<unsigned long long>(r.events),
                r.wall_seconds > 0 ? r.events / r.wall_seconds / 1e6 : 0, r.peak_rss_bytes / 1e6);
  out << buf;
}

}  // namespace tcpsim::cli
