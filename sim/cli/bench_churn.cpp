#include "sim/cli/bench_churn.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <string>

#include "sim/scenario/world.hpp"

namespace tcpsim::cli {

using sim::Duration;

scenario::HostGroup client_group(std::uint32_t count, const tcp::TcpParams& params, const net::LinkParams& link,
                                 std::uint64_t bytes, Duration spread) {
  scenario::HostGroup g;
  g.name = "c";
  g.first_ip = *net::Ipv4::parse("10.64.0.1");
  g.count = count;
  g.tcp.params = params;
  g.link_to = "server";
  g.link = link;
  app::Script client;
  app::Step connect{.action = app::Step::Do::Connect, .at = Duration::zero()};
  connect.remote = {*net::Ipv4::parse("10.0.0.1"), 80};
  app::Step send{.action = app::Step::Do::Send, .on = app::Event::Connected};
  send.bytes = bytes;
  client.steps = {connect, send, app::Step{.action = app::Step::Do::Close}};
  g.script = std::make_shared<const app::Script>(client);
  g.start_spread = spread;
  return g;
}

scenario::Scenario churn_scenario(const ChurnParams& p) {
  scenario::Scenario s;
  s.name = "churn";
  s.description = "N clients connect within the first second, send 1000 bytes each and close; the server reads to EOF and closes.";
  s.seed = p.seed;
  s.nodes.push_back({"server", *net::Ipv4::parse("10.0.0.1"), false});
  scenario::HostTcp server_tcp;
  server_tcp.params = tcp::TcpParams::rfc9293();
  s.tcp.push_back(server_tcp);

  app::Script server;
  app::Step listen{.action = app::Step::Do::Listen, .at = Duration::zero()};
  listen.port = 80;
  listen.backlog = 65535;
  app::Step close_on_eof{.action = app::Step::Do::Close, .on = app::Event::Eof};
  server.steps = {listen, close_on_eof};
  s.apps.push_back({"server", "server", server});

  net::LinkParams link;
  link.delay = Duration::ms(10);
  link.bandwidth_bps = 100'000'000;
  if (p.loss > 0) {
    link.loss.kind = net::LossModel::Kind::Bernoulli;
    link.loss.rate = p.loss;
  }
  scenario::HostGroup g = client_group(p.clients, tcp::TcpParams::rfc9293(), link, 1000, Duration::s(1));
  s.groups.push_back(std::move(g));
  return s;
}

std::uint64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

namespace {

std::size_t heap_in_use() { return mallinfo2().uordblks; }

// Heap per client when `scenario` is run to `at`, over the heap right after the world was built.
double heap_per_client_at(scenario::World& world, sim::Time at, std::uint32_t clients) {
  const std::size_t base = heap_in_use();
  std::size_t sampled = base;
  world.scheduler().schedule_at(at, [&sampled] { sampled = heap_in_use(); });
  world.run();
  return sampled > base ? static_cast<double>(sampled - base) / clients : 0.0;
}

}  // namespace

ChurnResult run_churn(const ChurnParams& p) {
  ChurnResult r;
  const auto t0 = std::chrono::steady_clock::now();
  scenario::RunOptions opt;
  opt.keep_records = p.keep_records;
  opt.limits = scenario::Limits::none();  // a benchmark sizes its run itself (10^6 clients: 14M events)
  scenario::World world(churn_scenario(p), opt);
  const auto t1 = std::chrono::steady_clock::now();
  const std::size_t base = heap_in_use();
  std::size_t at_100s = base;
  world.scheduler().schedule_at(sim::Time::zero() + Duration::s(100), [&at_100s] { at_100s = heap_in_use(); });
  world.run();
  r.heap_per_time_wait = at_100s > base ? static_cast<double>(at_100s - base) / p.clients : 0.0;
  const auto t2 = std::chrono::steady_clock::now();
  r.build_seconds = std::chrono::duration<double>(t1 - t0).count();
  r.wall_seconds = std::chrono::duration<double>(t2 - t1).count();
  r.events = world.scheduler().executed();
  r.sim_seconds = world.scheduler().now().seconds();
  r.peak_rss_bytes = peak_rss_bytes();
  r.bytes_expected = std::uint64_t{p.clients} * 1000;
  const auto server = *world.network().find("server");
  r.bytes_received = (*world.apps(server))[0].bytes_received();
  r.open_connections = world.stack(server)->socket_count();
  for (std::uint32_t i = 1; i <= p.clients; ++i)
    r.open_connections += world.stack(server + i)->socket_count();
  r.segments = world.trace().segments().sent;
  // After the timed run and its peak RSS reading, so neither includes this second world.
  if (p.established_probe) {
    // Clients that connect and stay: two ESTABLISHED TCBs per connection at t = 2 s.
    scenario::Scenario hold = churn_scenario(p);
    app::Script connect_only = *hold.groups[0].script;
    connect_only.steps.resize(1);
    hold.groups[0].script = std::make_shared<const app::Script>(connect_only);
    hold.until = Duration::s(2);
    scenario::RunOptions opt;
    opt.keep_records = false;
    opt.limits = scenario::Limits::none();
    scenario::World world(std::move(hold), opt);
    r.heap_per_established = heap_per_client_at(world, sim::Time::zero() + Duration::ms(1999), p.clients) / 2;
  }
  return r;
}

void print_churn(std::ostream& out, const ChurnParams& p, const ChurnResult& r, bool json) {
  char buf[1024];
  if (json) {
    std::snprintf(buf, sizeof buf,
                  "{\"workload\": \"churn\", \"clients\": %u, \"loss\": %g, \"keep_records\": %s, \"wall_seconds\": %.3f, "
                  "\"build_seconds\": %.3f, \"events\": %llu, \"events_per_second\": %.0f, \"peak_rss_bytes\": %llu, "
                  "\"rss_bytes_per_client\": %.0f, \"sim_seconds\": %.3f, \"segments\": %llu, \"bytes_received\": %llu, "
                  "\"bytes_expected\": %llu, \"heap_bytes_per_established_tcb\": %.0f, \"heap_bytes_per_time_wait_client\": %.0f, \"correct\": %s}\n",
                  p.clients, p.loss, p.keep_records ? "true" : "false", r.wall_seconds, r.build_seconds,
                  static_cast<unsigned long long>(r.events), r.events_per_second(),
                  static_cast<unsigned long long>(r.peak_rss_bytes), static_cast<double>(r.peak_rss_bytes) / p.clients,
                  r.sim_seconds, static_cast<unsigned long long>(r.segments),
                  static_cast<unsigned long long>(r.bytes_received), static_cast<unsigned long long>(r.bytes_expected),
                  r.heap_per_established, r.heap_per_time_wait, r.correct() ? "true" : "false");
    out << buf;
    return;
  }
  std::snprintf(buf, sizeof buf,
                "churn: %u clients, loss %g, trace %s\n"
                "  build %.3f s, run %.3f s wall, %llu events, %.2f M events/s\n"
                "  peak RSS %.1f MB (%.0f bytes per client), virtual time %.3f s, %llu segments\n"
                "  heap per ESTABLISHED TCB %.0f bytes, per client in TIME-WAIT %.0f bytes (TCB, stack, app, links)\n"
                "  check: %llu of %llu bytes received, %llu sockets open at the end: %s\n",
                p.clients, p.loss, p.keep_records ? "kept" : "counters only", r.build_seconds, r.wall_seconds,
                static_cast<unsigned long long>(r.events), r.events_per_second() / 1e6, r.peak_rss_bytes / 1e6,
                static_cast<double>(r.peak_rss_bytes) / p.clients, r.sim_seconds,
                static_cast<unsigned long long>(r.segments), r.heap_per_established, r.heap_per_time_wait,
                static_cast<unsigned long long>(r.bytes_received),
                static_cast<unsigned long long>(r.bytes_expected), static_cast<unsigned long long>(r.open_connections),
                r.correct() ? "ok" : "FAILED");
  out << buf;
}

}  // namespace tcpsim::cli
