// trace::build_load over a whole scenario: the SYN flood fills the listen queue, then the TCP
// throws the further SYNs away.
#include <catch2/catch.hpp>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/load.hpp"

using namespace tcpsim;

TEST_CASE("The SYN flood fills the SYN queue to its backlog, then SYNs are discarded on arrival", "[load]") {
  auto loaded = scenario::load_file(TCPSIM_SOURCE_DIR "/scenarios/attacks/syn-flood-backlog-overflow.json");
  REQUIRE(loaded.ok());
  scenario::World w(*loaded.scenario);
  w.run();
  const trace::TraceFacts facts(w.trace());
  const trace::Load load = trace::build_load(w.trace(), facts);
  REQUIRE(load.listeners.size() == 1);
  const auto& l = load.listeners[0];
  CHECK(l.local.to_string() == "10.0.0.2:80");
  CHECK(l.backlog == 16);
  CHECK(l.syn_peak == 16);
  // The first bucket in which the queue is full, and the first in which a SYN is discarded.
  std::size_t full = load.buckets, discarded = load.buckets;
  for (std::size_t i = 0; i < load.buckets; ++i) {
    if (full == load.buckets && l.syn_queue[i].peak == 16) full = i;
    if (discarded == load.buckets && load.segments[i].discarded > 0) discarded = i;
  }
  REQUIRE(full < load.buckets);
  REQUIRE(discarded < load.buckets);
  CHECK(full <= discarded);
  std::uint32_t total_discarded = 0, no_route = 0;
  for (const auto& s : load.segments) {
    total_discarded += s.discarded;
    no_route += s.dropped[static_cast<std::size_t>(trace::DropReason::NoRoute)];
  }
  CHECK(total_discarded >= 24);  // the 24 spoofed SYNs past the 16th, and the client's SYNs
  CHECK(no_route > 0);           // the SYN,ACKs to addresses nobody owns
  CHECK(load.states[l.syn_queue.size() / 2][trace::state_index("SYN_RECEIVED")] == 16);
}
