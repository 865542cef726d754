// A segment that reaches its host and is thrown away there by the TCP (a full SYN queue, an
// unacceptable segment) is drawn as dropped, with the TCP's reason, not as delivered.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "sim/diagram/layout.hpp"
#include "sim/diagram/svg.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/facts.hpp"

using namespace tcpsim;

namespace {
std::unique_ptr<scenario::World> run(const char* rel) {
  auto loaded = scenario::load_file(std::string(TCPSIM_SOURCE_DIR "/scenarios/") + rel);
  REQUIRE(loaded.ok());
  auto w = std::make_unique<scenario::World>(*loaded.scenario);
  w->run();
  return w;
}
}  // namespace

TEST_CASE("SYNs dropped at a full SYN queue are drawn dropped at the listener, with the queue as the reason",
          "[layout][discard]") {
  const auto w = run("attacks/syn-queue-full-drop.json");
  const trace::TraceFacts facts(w->trace());
  const auto layout = diagram::build_layout(w->trace(), {});
  std::size_t discarded = 0;
  for (const auto& a : layout.arrows) {
    const auto* f = facts.segment(a.segment);
    REQUIRE(f != nullptr);
    if (f->discard_record == trace::kNoRecord) {
      CHECK_FALSE(a.discarded);
      continue;
    }
    ++discarded;
    CHECK(f->fate == trace::Fate::Delivered);  // the network delivered it ...
    CHECK(a.fate == diagram::Fate::Lost);       // ... the picture says it went no further
    CHECK(a.discarded);
    CHECK_THAT(a.reason, Catch::StartsWith("discarded: listen queue full"));
  }
  CHECK(discarded > 0);
  // Before the discard is revealed the arrow is just in flight or delivered.
  const auto it = std::find_if(layout.arrows.begin(), layout.arrows.end(), [](const auto& a) { return a.discarded; });
  REQUIRE(it != layout.arrows.end());
  diagram::Options early;
  early.cursor = facts.segment(it->segment)->discard_record;
  const auto before = diagram::build_layout(w->trace(), early);
  const auto same = std::find_if(before.arrows.begin(), before.arrows.end(), [&](const auto& a) { return a.segment == it->segment; });
  REQUIRE(same != before.arrows.end());
  CHECK_FALSE(same->discarded);
}

TEST_CASE("A segment the TCP finds unacceptable is drawn dropped where it arrived, with the rule", "[layout][discard]") {
  const auto w = run("rfc9293-figures/old-duplicate-syn.json");
  const auto layout = diagram::build_layout(w->trace(), {});
  const auto it = std::find_if(layout.arrows.begin(), layout.arrows.end(), [](const auto& a) { return a.discarded; });
  REQUIRE(it != layout.arrows.end());
  CHECK_THAT(it->label.text, Catch::StartsWith("SYN,ACK seq=0 ack=91(abs)"));
  CHECK_THAT(it->reason, Catch::Contains("unacceptable ACK in SYN-SENT"));
}

TEST_CASE("A discarded segment reaches its receiver's lifeline and ends in a bar, not a cross marked lost",
          "[layout][discard][svg]") {
  // Figure 8: A receives the SYN,ACK that acknowledges the old SYN and answers it with a RST; a
  // cross half-way would tell a student A never got it.
  const auto w = run("rfc9293-figures/old-duplicate-syn.json");
  const auto layout = diagram::build_layout(w->trace(), {});
  const auto it = std::find_if(layout.arrows.begin(), layout.arrows.end(), [](const auto& a) { return a.discarded; });
  REQUIRE(it != layout.arrows.end());
  REQUIRE(it->to_lane != diagram::kNone);
  CHECK(it->to.x == layout.lanes[it->to_lane].x);
  CHECK_THAT(it->reason_label.text, Catch::StartsWith("discarded: "));
  std::ostringstream svg;
  diagram::write_svg(svg, layout);
  const std::string text = svg.str();
  const auto group = text.find("<g data-record=\"" + std::to_string(it->record) + "\">");
  REQUIRE(group != std::string::npos);
  const std::string g = text.substr(group, text.find("</g>", group) - group);
  CHECK_THAT(g, Catch::Contains("data-kind=\"arrow discarded\"") && Catch::Contains("data-kind=\"bar\""));
  CHECK_THAT(g, !Catch::Contains("data-kind=\"cross\""));
}
