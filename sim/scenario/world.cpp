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
      bounds_(Bounds::resolve(options.limits, scenario_.limits)),
      time_bound_(sim::Time::zero() + bounds_.time),
      streams_(seed_) {
  trace_.set_keep_records(options.keep_records);
  trace_.set_record_limit(bounds_.records, [this] { sched_.stop(); });
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
  if (next_step() == Next::Go) {
    const std::uint64_t done = sched_.executed();
    const std::uint64_t budget = bounds_.events > done ? bounds_.events - done : 0;
    // The horizon is the stop time, or the time bound when that comes first: then the scheduler
    // never dequeues an event past the bound and now() stays at the last event.
    if (stop_ <= time_bound_) sched_.run(stop_, budget);
    else sched_.run_within(time_bound_, budget);
    next_step();  // sets bound_hit_ if the run stopped at a bound
  }
  // A complete run ends at its stop time, as it always has (run(stop, 0) executes nothing).
  if (!bound_hit_ && stop_ != sim::Time::max()) sched_.run(stop_, 0);
  finish();
}

bool World::step() {
  if (finished_) return false;
  if (next_step() != Next::Go) {
    finish();
    return false;
  }
  sched_.step();
  return true;
}

World::Next World::next_step() {
  const auto next = sched_.next_time();
  if (!next || *next > stop_) return Next::Over;
  const std::uint64_t kept = trace_.records().size();
  std::optional<Bound> hit;
  if (kept >= bounds_.records) hit = Bound::Records;
  else if (sched_.executed() >= bounds_.events) hit = Bound::Events;
  else if (*next > time_bound_) hit = Bound::Time;
  if (!hit) return Next::Go;
  bound_hit_ = BoundHit{*hit, bounds_, sched_.executed(), kept, sched_.now(), std::nullopt};
  if (*hit == Bound::Time) bound_hit_->next = *next;
  return Next::Bounded;
}

void World::finish() {
  finished_ = true;
  trace_.finish();
}

}  // namespace tcpsim::scenario
