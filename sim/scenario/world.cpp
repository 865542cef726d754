#include "sim/scenario/world.hpp"

#include <stdexcept>

namespace tcpsim::scenario {
namespace {
sim::Time stop_time_of(const std::optional<sim::Duration>& d) {
  return d ? sim::Time::zero() + *d : sim::Time::max();
}
}  // namespace

const char* to_string(Profile p) {
  switch (p) {
    case Profile::Rfc9293: return "rfc9293";
    case Profile::Linux: return "linux";
  }
  return "?";
}

World::World(Scenario scenario, const RunOptions& options)
    : scenario_(std::move(scenario)),
      seed_(options.seed.value_or(scenario_.seed)),
      stop_(stop_time_of(options.until ? options.until : scenario_.until)),
      streams_(seed_) {
  trace_.set_keep_records(options.keep_records);
  net_ = std::make_unique<net::Network>(sched_, trace_, streams_);
  for (const auto& n : scenario_.nodes) net_->add_node(n);
  for (const auto& l : scenario_.links) net_->add_link(l);
  for (const auto& f : scenario_.faults) net_->add_fault(f);

  const HostTcp rfc9293_host{};  // for nodes a scenario built in code gave no HostTcp
  for (std::size_t i = 0; i < scenario_.nodes.size(); ++i) {
    const HostTcp& tcp = i < scenario_.tcp.size() ? scenario_.tcp[i] : rfc9293_host;
    if (scenario_.nodes[i].router || !tcp.enabled) continue;
    add_tcp(*net_->find(scenario_.nodes[i].name), std::make_shared<const tcp::TcpParams>(tcp.params), tcp, true);
  }
  for (const AppConfig& a : scenario_.apps) {
    const auto id = net_->find(a.host);
    if (!id || !apps(*id)) throw std::invalid_argument("app on \"" + a.host + "\": not a host running TCP");
    app_hosts_[*id]->add(a.script);
  }
  for (auto& h : app_hosts_)
    if (h) h->start();
  for (const HostGroup& g : scenario_.groups) build_group(g);

  // Scenario events. Each callback captures the world and an index (the scheduler stores
  // callbacks inline and small).
  for (std::size_t i = 0; i < scenario_.injections.size(); ++i) {
    const auto& inj = scenario_.injections[i];
    const auto via = net_->find(inj.via);
    if (!via) throw std::invalid_argument("injection " + std::to_string(i) + ": unknown node \"" + inj.via + "\"");
    injection_via_.push_back(*via);
    sched_.schedule_at(inj.at, [this, i] {
      net_->send(injection_via_[i], scenario_.injections[i].segment, {}, /*injected=*/true);
    });
  }
  for (std::size_t i = 0; i < scenario_.notes.size(); ++i)
    sched_.schedule_at(scenario_.notes[i].at,
                       [this, i] { trace_.emit(sched_.now(), trace::Note{scenario_.notes[i].text}); });
}

void World::add_tcp(net::NodeId id, std::shared_ptr<const tcp::TcpParams> params, const HostTcp& tcp, bool apps) {
  if (id >= stacks_.size()) {
    stacks_.resize(id + 1);
    app_hosts_.resize(id + 1);
  }
  stacks_[id] = std::make_unique<tcp::TcpStack>(sched_, trace_, *net_, id, std::move(params), streams_);
  if (tcp.ephemeral_ports) stacks_[id]->set_ephemeral_range(tcp.ephemeral_ports->first, tcp.ephemeral_ports->second);
  if (apps) app_hosts_[id] = std::make_unique<app::AppHost>(sched_, *stacks_[id]);
}

void World::build_group(const HostGroup& g) {
  sim::Rng rng = streams_.stream("group/" + g.name);
  const auto params = std::make_shared<const tcp::TcpParams>(g.tcp.params);  // one copy for the group
  for (std::uint32_t i = 1; i <= g.count; ++i) {
    const std::string name = g.member(i);
    const net::NodeId id = net_->add_node({name, net::Ipv4{g.first_ip.value + (i - 1)}, false});
    net_->add_link({name, g.link_to, g.link, g.link});
    if (!g.tcp.enabled) continue;
    add_tcp(id, params, g.tcp, g.script != nullptr);
    if (!g.script) continue;
    app_hosts_[id]->add(g.script);
    const auto spread = static_cast<std::uint64_t>(g.start_spread.count());
    app_hosts_[id]->start(sim::Duration::ns(spread > 0 ? static_cast<std::int64_t>(rng.uniform_int(0, spread - 1)) : 0));
  }
}

World::~World() = default;

void World::run() {
  if (finished_) return;
  sched_.run(stop_);
  finish();
}

bool World::step() {
  if (finished_) return false;
  const auto next = sched_.next_time();
  if (!next || *next > stop_) {
    finish();
    return false;
  }
  sched_.step();
  return true;
}

void World::finish() {
  finished_ = true;
  trace_.finish();
}

}  // namespace tcpsim::scenario
