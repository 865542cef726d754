// One run of a scenario, kept whole: the window runs the world to the end once (fast) and every
// view reads its trace through a cursor. A what-if edit makes a new Run from an edited scenario;
// the one before stays available for comparison.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "gui/connections.hpp"
#include "models/tcp/connection.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/facts.hpp"

namespace tcpsim::gui {

struct Run {
  scenario::Scenario scenario;
  std::unique_ptr<scenario::World> world;  // null if it could not be built
  std::string error;                       // what the world threw while building or running
  std::optional<scenario::BoundHit> bound;  // set when the run stopped at a bound before its end
  AddressBook book;
  Connections connections;
  // Fates, retransmissions and numbering of the whole trace, as every view reads them.
  std::unique_ptr<trace::TraceFacts> facts;

  const trace::Trace* trace() const { return world ? &world->trace() : nullptr; }
  std::size_t size() const { return world ? world->trace().records().size() : 0; }
};

// The record bound of a run in the window when the scenario sets none ("limits": {"records"}).
inline constexpr std::size_t kMaxRecords = scenario::kDefaultRecordBound;

// Builds the world and runs it to the end, or to one of its bounds (Run::bound then says which).
// Never throws: an exception becomes Run::error, and the records emitted before it stay readable.
std::unique_ptr<Run> run_scenario(const scenario::Scenario& s, std::size_t max_records = kMaxRecords);
// "stopped at the record bound: ...; raise it with "limits": {"records": N} in the scenario, ..."
std::string bound_text(const scenario::BoundHit& hit);

// A fresh world of `s` stepped until its trace holds at least `records` records (the event that
// emitted record records-1 has been executed entirely), or until it ends. Deterministic, so its
// hosts are in the state the trace describes at that cursor. Null if building it throws.
std::unique_ptr<scenario::World> replay_to(const scenario::Scenario& s, std::size_t records);

// The first record where two runs differ (compared as their JSON Lines objects), or nullopt
// when one trace is a prefix of the other and they have the same length. A what-if edit leaves
// everything before the edited segment unchanged, so this is where its effect starts.
std::optional<std::size_t> first_divergence(const trace::Trace& a, const trace::Trace& b);

// A replayed world kept between cursor moves: moving forward steps it on, moving back rebuilds
// it (deterministic, so it reaches the same state). `owner` identifies the run it replays.
class Replay {
 public:
  // The world of `run` once the records before `cursor` have been emitted; null if it cannot
  // be built.
  scenario::World* at(const Run& run, std::size_t cursor);
  void reset() { world_.reset(); owner_ = nullptr; }

 private:
  std::unique_ptr<scenario::World> world_;
  const Run* owner_ = nullptr;
  std::size_t serves_from_ = 0;  // the world is the one after each cursor in [serves_from_, records]
};

// The STATUS of the connection `key` in `world` (looked up by its 4-tuple), if its host still
// has it.
std::optional<tcp::Status> find_status(const scenario::World& world, const ConnKey& key);

}  // namespace tcpsim::gui
