// One run of a scenario, kept whole: the window runs the world to the end once (fast) and every
// view reads its trace through a cursor. A what-if edit makes a new Run from an edited scenario;
// the one before stays available for comparison.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "gui/connections.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/world.hpp"

namespace tcpsim::gui {

struct Run {
  scenario::Scenario scenario;
  std::unique_ptr<scenario::World> world;  // null if it could not be built
  std::string error;                       // what the world threw while building or running
  AddressBook book;
  Connections connections;

  const trace::Trace* trace() const { return world ? &world->trace() : nullptr; }
  std::size_t size() const { return world ? world->trace().records().size() : 0; }
};

// Builds the world and runs it to the end. Never throws: an exception becomes Run::error, and
// the records emitted before it stay readable.
std::unique_ptr<Run> run_scenario(const scenario::Scenario& s);

// A fresh world of `s` stepped until its trace holds at least `records` records (the event that
// emitted record records-1 has been executed entirely), or until it ends. Deterministic, so its
// hosts are in the state the trace describes at that cursor. Null if building it throws.
std::unique_ptr<scenario::World> replay_to(const scenario::Scenario& s, std::size_t records);

}  // namespace tcpsim::gui
