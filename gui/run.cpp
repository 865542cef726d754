#include "gui/run.hpp"

#include <exception>

#include "sim/trace/jsonl.hpp"

namespace tcpsim::gui {

std::unique_ptr<Run> run_scenario(const scenario::Scenario& s, std::size_t max_records) {
  auto run = std::make_unique<Run>();
  run->scenario = s;
  run->book = address_book(s);
  try {
    // Every world is bounded (a scenario without "until" whose timers never stop would otherwise
    // hang the window); the window keeps at most `max_records` unless the scenario says otherwise.
    scenario::RunOptions options;
    if (!s.limits.records) options.limits.records = max_records;
    run->world = std::make_unique<scenario::World>(s, options);
    // World::run() in steps, as the replays do.
    while (run->world->step()) {
    }
    run->bound = run->world->bound_hit();
  } catch (const std::exception& e) {
    run->error = e.what();
  }
  if (run->world) {
    run->connections = scan_connections(run->world->trace(), run->book);
    run->facts = std::make_unique<trace::TraceFacts>(run->world->trace());
  }
  return run;
}

std::string bound_text(const scenario::BoundHit& hit) { return hit.what() + "; " + hit.how_to_raise(false); }

std::unique_ptr<scenario::World> replay_to(const scenario::Scenario& s, std::size_t records) {
  try {
    auto world = std::make_unique<scenario::World>(s);
    while (world->trace().records().size() < records && world->step()) {
    }
    return world;
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::optional<std::size_t> first_divergence(const trace::Trace& a, const trace::Trace& b) {
  const auto& ra = a.records();
  const auto& rb = b.records();
  const std::size_t n = std::min(ra.size(), rb.size());
  for (std::size_t i = 0; i < n; ++i)
    if (trace::to_json(ra[i], a) != trace::to_json(rb[i], b)) return i;
  if (ra.size() != rb.size()) return n;
  return std::nullopt;
}

scenario::World* Replay::at(const Run& run, std::size_t cursor) {
  // An event emits several records: the world after it serves every cursor within them.
  if (owner_ != &run || !world_ || cursor < serves_from_) {
    world_ = replay_to(run.scenario, cursor);
    owner_ = &run;
    serves_from_ = cursor;
    return world_.get();
  }
  if (world_->trace().records().size() >= cursor) return world_.get();
  try {
    while (world_->trace().records().size() < cursor) {
      serves_from_ = world_->trace().records().size() + 1;
      if (!world_->step()) break;
    }
  } catch (const std::exception&) {
    world_.reset();
  }
  return world_.get();
}

std::optional<tcp::Status> find_status(const scenario::World& world, const ConnKey& key) {
  const tcp::TcpStack* stack = world.stack(key.node);
  if (stack == nullptr) return std::nullopt;
  return stack->status(key.conn);
}

}  // namespace tcpsim::gui
