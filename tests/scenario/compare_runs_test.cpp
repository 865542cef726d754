// trace::Comparison on real runs of bundled scenarios: another profile, another seed, a segment
// dropped, and a trace read back from JSON Lines.
#include <catch2/catch.hpp>

#include <sstream>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/compare.hpp"
#include "sim/trace/jsonl.hpp"
#include "sim/trace/jsonl_read.hpp"

using namespace tcpsim;

namespace {

scenario::Scenario load(const std::string& rel) {
  auto r = scenario::load_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + rel);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

// A finished run and its facts.
struct Ran {
  std::unique_ptr<scenario::World> world;
  std::unique_ptr<trace::TraceFacts> facts;
  explicit Ran(scenario::Scenario s, std::optional<std::uint64_t> seed = std::nullopt) {
    scenario::RunOptions o;
    o.seed = seed;
    world = std::make_unique<scenario::World>(std::move(s), o);
    world->run();
    facts = std::make_unique<trace::TraceFacts>(world->trace());
  }
  trace::CompareSide side(const std::string& name) const { return {&world->trace(), facts.get(), name}; }
};

scenario::Scenario with_profile(const scenario::Scenario& s, scenario::Profile p) {
  std::string error;
  auto edited = scenario::with_tcp(s, p, {}, &error);
  INFO(error);
  REQUIRE(edited);
  return std::move(*edited);
}

}  // namespace

TEST_CASE("A run compared with itself agrees", "[compare]") {
  const Ran a(load("close/three-segment-close.json")), b(load("close/three-segment-close.json"));
  const trace::Comparison c(a.side("A"), b.side("B"));
  CHECK(c.equal());
  CHECK(c.summary().starts_with("the runs agree: "));
}

TEST_CASE("Removing the fault rule of lost-final-ack: the dropped ACK differs in fate, B's FIN retransmission is only in A",
          "[compare]") {
  const scenario::Scenario dropped = load("loss/lost-final-ack.json");
  scenario::Scenario clean = dropped;
  clean.faults.clear();
  const Ran a(dropped), b(clean);
  const trace::Comparison c(a.side("A"), b.side("B"));
  REQUIRE_FALSE(c.equal());
  const trace::CompareRow& first = c.rows()[c.first_difference()];
  CHECK(first.kind == trace::RowKind::Differs);
  CHECK(first.segment);
  CHECK(first.differences == trace::kDiffFate);
  CHECK(c.event_text(first, true) == "A sends ACK seq=2 ack=2 (lost: fault rule 0)");
  INFO(c.summary());
  CHECK(c.summary().starts_with("first difference at t=0.170000 s: A: A sends ACK seq=2 ack=2 (lost: fault rule 0); "
                                "B: A sends ACK seq=2 ack=2 [fate lost: fault rule 0 vs delivered]"));
  // B's FIN sent again, and A's second ACK: only where the first ACK was lost.
  std::vector<std::string> only_a;
  for (const auto& r : c.rows())
    if (r.kind == trace::RowKind::OnlyA && r.segment) only_a.push_back(c.event_text(r, true));
  CHECK(only_a == std::vector<std::string>{"B sends rtx FIN,ACK seq=1 ack=2 (discarded on arrival)", "A sends ACK seq=2 ack=2"});
  CHECK(c.count(trace::RowKind::OnlyB) == 0);
}

TEST_CASE("lost-final-ack under rfc9293 and linux: the same segments, the retransmission earlier and TIME-WAIT longer under linux",
          "[compare]") {
  const scenario::Scenario rfc = load("loss/lost-final-ack.json");
  const Ran a(rfc), b(with_profile(rfc, scenario::Profile::Linux));
  const trace::Comparison c(a.side("rfc9293"), b.side("linux"), {sim::Duration::ms(1)});
  REQUIRE_FALSE(c.equal());
  // Every segment has its counterpart; what differs is when (RTO 1 s vs 200 ms) or the window.
  for (const auto& r : c.rows()) {
    if (!r.segment) continue;
    INFO(c.event_text(r, true) << " | " << c.event_text(r, false) << " | " << c.difference_text(r));
    CHECK((r.kind == trace::RowKind::Same || r.kind == trace::RowKind::Differs));
    CHECK((r.differences & (trace::kDiffFlags | trace::kDiffSeq | trace::kDiffAck | trace::kDiffLen)) == 0);
  }
  bool rtx_earlier = false;
  for (const auto& r : c.rows())
    if (r.segment && c.event_text(r, true).starts_with("B sends rtx FIN,ACK seq=1 ack=2") && (r.differences & trace::kDiffTime))
      rtx_earlier = a.world->trace().records()[r.a].time > b.world->trace().records()[r.b].time;
  INFO(c.summary());
  CHECK(rtx_earlier);
  // Linux holds TIME-WAIT for its fixed 60 s, whatever the scenario's MSL.
  CHECK(c.rows().back().differences == trace::kDiffTime);
  CHECK(c.event_text(c.rows().back(), false) == "A:1000 enters CLOSED");
}

TEST_CASE("Another seed picks other ISNs; relative numbers still match segment for segment", "[compare]") {
  const scenario::Scenario s = load("close/three-segment-close.json");
  const Ran a(s, 1), b(s, 2);
  const trace::Comparison c(a.side("seed 1"), b.side("seed 2"));
  std::size_t segments = 0;
  for (const auto& r : c.rows()) {
    INFO(c.difference_text(r));
    CHECK((r.kind == trace::RowKind::Same || r.kind == trace::RowKind::Differs));
    CHECK((r.differences & (trace::kDiffFlags | trace::kDiffSeq | trace::kDiffAck)) == 0);
    segments += r.segment ? 1 : 0;
  }
  CHECK(segments == a.world->trace().segments().sent);
}

TEST_CASE("A trace read back from JSON Lines compares equal with the run that wrote it", "[compare]") {
  const Ran a(load("loss/lost-final-ack.json"));
  std::ostringstream out;
  trace::JsonlSink sink(out);
  for (const auto& r : a.world->trace().records()) sink.write(r, a.world->trace());
  std::istringstream in(out.str());
  auto back = trace::read_jsonl(in, "lost-final-ack.jsonl");
  REQUIRE(back.trace);
  const trace::TraceFacts facts(*back.trace);
  const trace::Comparison c(a.side("run"), {&*back.trace, &facts, "file"});
  CHECK(c.equal());
  CHECK(c.rows().size() > 10);
}
