#include "gui/run.hpp"

#include <exception>

namespace tcpsim::gui {

std::unique_ptr<Run> run_scenario(const scenario::Scenario& s) {
  auto run = std::make_unique<Run>();
  run->scenario = s;
  run->book = address_book(s);
  try {
    run->world = std::make_unique<scenario::World>(s);
    run->world->run();
  } catch (const std::exception& e) {
    run->error = e.what();
  }
  if (run->world) run->connections = scan_connections(run->world->trace(), run->book);
  return run;
}

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

}  // namespace tcpsim::gui
