#include "sim/cli/bench_churn.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "sim/scenario/world.hpp"

namespace tcpsim::cli {

using sim::Duration;

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

  scenario::HostGroup g;
  g.name = "c";
  g.first_ip = *net::Ipv4::parse("10.64.0.1");
  g.count = p.clients;
  g.tcp.params = tcp::TcpParams::rfc9293();
  g.link_to = "server";
  g.link.delay = Duration::ms(10);
  g.link.bandwidth_bps = 100'000'000;
  if (p.loss > 0) {
    g.link.loss.kind = net::LossModel::Kind::Bernoulli;
    g.link.loss.rate = p.loss;
  }
  app::Script client;
  app::Step connect{.action = app::Step::Do::Connect, .at = Duration::zero()};
  connect.remote = {*net::Ipv4::parse("10.0.0.1"), 80};
  app::Step send{.action = app::Step::Do::Send, .on = app::Event::Connected};
  send.bytes = 1000;
  app::Step close{.action = app::Step::Do::Close};
  client.steps = {connect, send, close};
  g.script = std::make_shared<const app::Script>(client);
  g.start_spread = Duration::s(1);
  s.groups.push_back(std::move(g));
  return s;
}

std::uint64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

ChurnResult run_churn(const ChurnParams& p) {
  ChurnResult r;
  const auto t0 = std::chrono::steady_clock::now();
  scenario::RunOptions opt;
  opt.keep_records = p.keep_records;
  scenario::World world(churn_scenario(p), opt);
  const auto t1 = std::chrono::steady_clock::now();
  world.run();
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
  return r;
}

void print_churn(std::ostream& out, const ChurnParams& p, const ChurnResult& r, bool json) {
  char buf[1024];
  if (json) {
    std::snprintf(buf, sizeof buf,
                  "{\"workload\": \"churn\", \"clients\": %u, \"loss\": %g, \"keep_records\": %s, \"wall_seconds\": %.3f, "
                  "\"build_seconds\": %.3f, \"events\": %llu, \"events_per_second\": %.0f, \"peak_rss_bytes\": %llu, "
                  "\"rss_bytes_per_client\": %.0f, \"sim_seconds\": %.3f, \"segments\": %llu, \"bytes_received\": %llu, "
                  "\"bytes_expected\": %llu, \"correct\": %s}\n",
                  p.clients, p.loss, p.keep_records ? "true" : "false", r.wall_seconds, r.build_seconds,
                  static_cast<unsigned long long>(r.events), r.events_per_second(),
                  static_cast<unsigned long long>(r.peak_rss_bytes), static_cast<double>(r.peak_rss_bytes) / p.clients,
                  r.sim_seconds, static_cast<unsigned long long>(r.segments),
                  static_cast<unsigned long long>(r.bytes_received), static_cast<unsigned long long>(r.bytes_expected),
                  r.correct() ? "true" : "false");
    out << buf;
    return;
  }
  std::snprintf(buf, sizeof buf,
                "churn: %u clients, loss %g, trace %s\n"
                "  build %.3f s, run %.3f s wall, %llu events, %.2f M events/s\n"
                "  peak RSS %.1f MB (%.0f bytes per client), virtual time %.3f s, %llu segments\n"
                "  check: %llu of %llu bytes received, %llu sockets open at the end: %s\n",
                p.clients, p.loss, p.keep_records ? "kept" : "counters only", r.build_seconds, r.wall_seconds,
                static_cast<unsigned long long>(r.events), r.events_per_second() / 1e6, r.peak_rss_bytes / 1e6,
                static_cast<double>(r.peak_rss_bytes) / p.clients, r.sim_seconds,
                static_cast<unsigned long long>(r.segments), static_cast<unsigned long long>(r.bytes_received),
                static_cast<unsigned long long>(r.bytes_expected), static_cast<unsigned long long>(r.open_connections),
                r.correct() ? "ok" : "FAILED");
  out << buf;
}

}  // namespace tcpsim::cli
