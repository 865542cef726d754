// Label placement on every bundled scenario: each arrow label on its own arrow, no two text boxes
// overlapping, crossing arrows told apart, notes beside their host or wrapped where a 1280 px
// window shows them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/diagram/layout.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using diagram::Layout;
using diagram::Options;
using diagram::TimeAxis;

namespace {

// The width a 1280x800 main window gives the sequence view's viewport (the left column of the
// window, less the vertical scroll bar): 773 px.
constexpr double kWindowW = 770;

std::vector<std::string> bundled_scenarios() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(TCPSIM_SOURCE_DIR "/scenarios"))
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<scenario::World> run(const std::string& path) {
  auto loaded = scenario::load_file(path);
  REQUIRE(loaded.scenario);
  auto w = std::make_unique<scenario::World>(*loaded.scenario);
  w->run();
  return w;
}

std::unique_ptr<scenario::World> run_named(const std::string& rel) { return run(TCPSIM_SOURCE_DIR "/scenarios/" + rel); }

double distance_to_segment(diagram::Point p, diagram::Point a, diagram::Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0;
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

diagram::Point centre(const diagram::Box& b) { return {b.x + b.w / 2, b.y + b.h / 2}; }

// Pairs of overlapping shown text boxes (a sweep over y: fine for big layouts).
std::size_t overlapping_pairs(const Layout& l) {
  auto boxes = l.label_boxes();
  std::sort(boxes.begin(), boxes.end(), [](const auto& a, const auto& b) { return a.y < b.y; });
  std::size_t n = 0;
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size() && boxes[j].y < boxes[i].bottom(); ++j)
      if (boxes[i].overlaps(boxes[j])) ++n;
  return n;
}

// Two arrows whose lines cross (not merely touch at a shared end).
bool cross(const diagram::Arrow& a, const diagram::Arrow& b) {
  auto side = [](diagram::Point p, diagram::Point q, diagram::Point r) {
    return (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  };
  const double d1 = side(a.from, a.to, b.from), d2 = side(a.from, a.to, b.to);
  const double d3 = side(b.from, b.to, a.from), d4 = side(b.from, b.to, a.to);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

}  // namespace

TEST_CASE("On every bundled scenario each arrow label lies on its own arrow and no two text boxes overlap",
          "[layout][labels][scenarios]") {
  const auto paths = bundled_scenarios();
  REQUIRE(paths.size() > 50);
  std::size_t labels = 0, hidden = 0;
  for (const auto& path : paths) {
    const auto w = run(path);
    for (const TimeAxis axis : {TimeAxis::Compressed, TimeAxis::EventStep, TimeAxis::Linear}) {
      Options o;
      o.axis = axis;
      const Layout l = diagram::build_layout(w->trace(), o, {w->scenario().name, {}});
      INFO(path << " on the " << diagram::to_string(axis) << " axis");
      CHECK(overlapping_pairs(l) == 0);
      std::size_t hidden_here = 0;
      for (const auto& a : l.arrows) {
        if (axis != TimeAxis::Linear) ++labels;
        if (!a.label.shown()) {
          // The linear axis may send many segments at one y: no room is a fact there.
          if (axis != TimeAxis::Linear) ++hidden;
          ++hidden_here;
          continue;
        }
        INFO(a.label.text);
        CHECK(distance_to_segment(a.label.anchor, a.from, a.to) < 3);
        CHECK(a.label.box.contains(a.label.anchor));
      }
      if (hidden_here > 0) WARN(path << " " << diagram::to_string(axis) << ": " << hidden_here << " of " << l.arrows.size() << " hidden");
    }
  }
  // Hiding is the last resort: a handful in crowded bursts at most (event-step and compressed).
  INFO(hidden << " of " << labels << " arrow labels hidden");
  CHECK(hidden * 50 <= labels);
}

TEST_CASE("The labels of crossing arrows each sit nearer to their own arrow than to the one it crosses",
          "[layout][labels][crossing]") {
  for (const char* rel : {"rfc9293-figures/old-duplicate-syn.json", "rfc9293-figures/simultaneous-open.json",
                          "rfc9293-figures/simultaneous-close.json"}) {
    const auto w = run_named(rel);
    for (const TimeAxis axis : {TimeAxis::Compressed, TimeAxis::EventStep}) {
      Options o;
      o.axis = axis;
      const Layout l = diagram::build_layout(w->trace(), o, {w->scenario().name, {}});
      INFO(rel << " on the " << diagram::to_string(axis) << " axis");
      std::size_t crossings = 0;
      for (std::size_t i = 0; i < l.arrows.size(); ++i)
        for (std::size_t j = 0; j < l.arrows.size(); ++j) {
          const auto& a = l.arrows[i];
          const auto& b = l.arrows[j];
          if (i == j || !cross(a, b)) continue;
          ++crossings;
          INFO(a.label.text << " crosses " << b.label.text);
          REQUIRE(a.label.shown());
          const auto c = centre(a.label.box);
          CHECK(distance_to_segment(c, a.from, a.to) + 4 < distance_to_segment(c, b.from, b.to));
        }
      CHECK(crossings >= 2);
    }
  }
}

TEST_CASE("Every note of every bundled scenario fits a 1280 px window", "[layout][notes][scenarios]") {
  for (const auto& path : bundled_scenarios()) {
    const auto w = run(path);
    const Layout l = diagram::build_layout(w->trace(), Options{}, {w->scenario().name, {}});
    for (const auto& a : l.annotations) {
      if (a.kind != diagram::AnnotationKind::Note || !a.label.shown()) continue;
      // A host's note stays beside its lane, even a lane that lies beyond the window.
      if (a.lane != diagram::kNone && l.lanes[a.lane].x > kWindowW) continue;
      INFO(path << ": " << a.label.text);
      CHECK(a.label.box.x >= 0);
      CHECK(a.label.box.right() <= kWindowW);
    }
  }
}

TEST_CASE("A host's note is written beside that host's lane", "[layout][notes]") {
  const auto w = run_named("rfc9293-figures/old-duplicate-syn.json");
  const Layout l = diagram::build_layout(w->trace(), Options{}, {w->scenario().name, {}});
  const auto& rs = w->trace().records();
  std::size_t host_notes = 0, scenario_notes = 0;
  for (const auto& a : l.annotations) {
    if (a.kind != diagram::AnnotationKind::Note) continue;
    const auto& note = std::get<trace::Note>(rs[a.record].body);
    REQUIRE(a.label.shown());
    if (note.node == trace::kNoNode) {
      ++scenario_notes;  // (counted for the message below)
      continue;
    }
    ++host_notes;
    INFO(a.label.text);
    REQUIRE(a.lane != diagram::kNone);
    CHECK(l.lanes[a.lane].node == note.node);
    // Nearer to its own lane than to any other.
    const auto c = centre(a.label.box);
    for (std::size_t k = 0; k < l.lanes.size(); ++k)
      if (l.lanes[k].node != note.node) CHECK(std::abs(c.x - l.lanes[a.lane].x) < std::abs(c.x - l.lanes[k].x));
  }
  INFO(scenario_notes << " scenario notes");
  CHECK(host_notes >= 1);
}

TEST_CASE("A note never covers the arrow it comments on: the lost final ACK and its label stay in view",
          "[layout][notes]") {
  // "A's ACK of B's FIN is lost" is emitted beside the very ACK it speaks of; on a white ground
  // over that arrow it hid the lost ACK and pushed its label out.
  const auto w = run_named("loss/lost-final-ack.json");
  const Layout l = diagram::build_layout(w->trace(), Options{}, {w->scenario().name, {}});
  const auto lost = std::find_if(l.arrows.begin(), l.arrows.end(), [](const auto& a) { return a.fate == diagram::Fate::Lost; });
  REQUIRE(lost != l.arrows.end());
  CHECK(lost->label.shown());
  std::size_t notes = 0;
  for (const auto& a : l.annotations) {
    if (a.kind != diagram::AnnotationKind::Note) continue;
    ++notes;
    REQUIRE(a.label.shown());
    INFO(a.label.text);
    const auto& b = a.label.box;
    for (const auto& arrow : l.arrows) {
      // The box's corners and centre are farther than zero from every arrow: no line runs through it.
      const bool through = arrow.y_max() >= b.y && arrow.y_min() <= b.bottom() &&
                           distance_to_segment(centre(b), arrow.from, arrow.to) < b.h / 2 &&
                           std::min(arrow.from.x, arrow.to.x) <= b.right() && std::max(arrow.from.x, arrow.to.x) >= b.x;
      CHECK_FALSE(through);
    }
  }
  CHECK(notes >= 1);
}
