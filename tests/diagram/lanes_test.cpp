// Lifelines on a crowded host: spoofed sources and a listener's children from one address range
// share one group lane, which Options::expand opens into one lane per member; the listener's lane
// is named by its listening socket.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include "sim/diagram/lanes.hpp"
#include "sim/diagram/layout.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using diagram::Layout;
using diagram::Options;

namespace {
std::unique_ptr<scenario::World> run(const std::string& rel) {
  auto loaded = scenario::load_file(std::string(TCPSIM_SOURCE_DIR "/scenarios/") + rel);
  REQUIRE(loaded.ok());
  auto w = std::make_unique<scenario::World>(*loaded.scenario);
  w->run();
  return w;
}
const diagram::Lane* labelled(const Layout& l, const std::string& text) {
  const auto it = std::find_if(l.lanes.begin(), l.lanes.end(), [&](const auto& x) { return x.label.text == text; });
  return it == l.lanes.end() ? nullptr : &*it;
}
void every_arrow_has_lanes(const Layout& l) {
  for (const auto& a : l.arrows) {
    CHECK(a.from_lane < l.lanes.size());
    CHECK(a.to_lane < l.lanes.size());
  }
}
}  // namespace

TEST_CASE("The SYN floods lay out on a handful of lanes", "[layout][lanes]") {
  for (const char* file : {"attacks/syn-flood-backlog-overflow.json", "attacks/syn-flood-clients-time-out.json",
                           "attacks/syn-flood-syn-cookies.json", "attacks/syn-queue-full-drop.json"}) {
    INFO(file);
    const auto w = run(file);
    const Layout l = diagram::build_layout(w->trace(), Options{});
    CHECK(l.lanes.size() <= 8);
    every_arrow_has_lanes(l);
  }
}

TEST_CASE("The spoofed sources share one lane named by their range and count; the listener is named by its socket",
          "[layout][lanes]") {
  const auto w = run("attacks/syn-flood-backlog-overflow.json");
  const Layout l = diagram::build_layout(w->trace(), Options{});
  // client; server:80 listen, its child of the client, its children of the spoofed range; attacker
  CHECK(l.lanes.size() == 5);
  const auto* sources = labelled(l, "198.51.100.x \u00d740");
  REQUIRE(sources != nullptr);
  CHECK(sources->members == 40);
  CHECK_FALSE(sources->group.empty());
  const auto* children = labelled(l, "10.0.0.2:80 <> 198.51.100.x \u00d740");
  REQUIRE(children != nullptr);
  CHECK(children->members == 40);
  const auto* listener = labelled(l, "10.0.0.2:80 listen");
  REQUIRE(listener != nullptr);
  CHECK(listener < children);
  // The LISTEN state is drawn on the listener's lane, not on a child's.
  const auto listen = std::find_if(l.states.begin(), l.states.end(), [](const auto& s) { return s.to == "LISTEN"; });
  REQUIRE(listen != l.states.end());
  CHECK(&l.lanes[listen->lane] == listener);
  // Every injected SYN leaves the sources' lane.
  std::size_t injected = 0;
  for (const auto& a : l.arrows) {
    if (!a.injected) continue;
    ++injected;
    CHECK(&l.lanes[a.from_lane] == sources);
  }
  CHECK(injected == 40);
  every_arrow_has_lanes(l);
}

TEST_CASE("Expanding a group draws one lane per source", "[layout][lanes]") {
  const auto w = run("attacks/syn-flood-backlog-overflow.json");
  const Layout folded = diagram::build_layout(w->trace(), Options{});
  const auto* sources = labelled(folded, "198.51.100.x \u00d740");
  REQUIRE(sources != nullptr);
  Options o;
  o.expand.insert(sources->group);
  const Layout l = diagram::build_layout(w->trace(), o);
  std::size_t spoofed = 0;
  for (const auto& lane : l.lanes)
    if (lane.label.text.starts_with("198.51.100.")) ++spoofed;
  CHECK(spoofed == 40);
  CHECK(labelled(l, "10.0.0.2:80 <> 198.51.100.x \u00d740") != nullptr);  // the other group stays folded
  std::size_t injected = 0;
  for (const auto& a : l.arrows) {
    if (!a.injected) continue;
    ++injected;
    CHECK(l.lanes[a.from_lane].label.text.starts_with("198.51.100."));
  }
  CHECK(injected == 40);
  every_arrow_has_lanes(l);
}

TEST_CASE("A thousand clients share one lane per address range; the listener is named by its socket",
          "[layout][lanes]") {
  const auto w = run("performance/churn-1000.json");
  const Layout l = diagram::build_layout(w->trace(), Options{});
  CHECK(l.lanes.size() <= 10);
  const auto* listener = labelled(l, "10.0.0.1:80 listen");
  REQUIRE(listener != nullptr);
  // The clients 10.64.0.1 .. 10.64.3.232 (consecutive): four ranges, each one lane of all its hosts.
  std::size_t clients = 0, client_lanes = 0;
  for (const auto& lane : l.lanes) {
    if (!lane.group.starts_with("hosts/")) continue;
    ++client_lanes;
    clients += lane.members;
    CHECK(lane.label.text.starts_with("10.64."));
    CHECK(lane.last_node != trace::kNoNode);
    CHECK(lane.last_node != lane.node);
  }
  CHECK(client_lanes == 4);
  CHECK(clients == 1000);
  CHECK(labelled(l, "10.64.0.x \u00d7255") != nullptr);
  // The server's children by their clients' range.
  CHECK(labelled(l, "10.0.0.1:80 <> 10.64.0.x \u00d7255") != nullptr);
  // The host names over the client lanes say how many hosts they hold.
  std::size_t hosts_in_headers = 0;
  for (const auto& h : l.hosts)
    if (const auto at = h.label.text.find(" hosts)"); at != std::string::npos) {
      const auto open = h.label.text.rfind('(', at);
      hosts_in_headers += std::stoul(h.label.text.substr(open + 1, at - open - 1));
    }
  CHECK(hosts_in_headers == 1000);
  // Every segment of a client leaves a client lane and reaches one of the server's.
  std::size_t from_clients = 0;
  for (const auto& a : l.arrows) {
    REQUIRE(a.from_lane < l.lanes.size());
    REQUIRE(a.to_lane < l.lanes.size());
    const bool client = l.lanes[a.from_lane].group.starts_with("hosts/");
    from_clients += client ? 1 : 0;
    CHECK(client != l.lanes[a.to_lane].group.starts_with("hosts/"));
  }
  CHECK(from_clients > 4000);
  // The connection states of the clients are drawn on their lanes.
  CHECK(std::count_if(l.states.begin(), l.states.end(), [&](const auto& s) {
          return l.lanes[s.lane].group.starts_with("hosts/") && s.to == "TIME_WAIT";
        }) == 1000);
}

TEST_CASE("Expanding a range of client hosts draws one lane per host, which fold again", "[layout][lanes]") {
  const auto w = run("performance/churn-1000.json");
  const Layout folded = diagram::build_layout(w->trace(), Options{});
  const auto* range = labelled(folded, "10.64.3.x \u00d7233");
  REQUIRE(range != nullptr);
  Options o;
  o.expand.insert(range->group);
  const Layout l = diagram::build_layout(w->trace(), o);
  CHECK(l.lanes.size() == folded.lanes.size() + 232);
  std::size_t hosts = 0;
  for (const auto& lane : l.lanes)
    if (lane.group == range->group) {
      ++hosts;
      CHECK(lane.label.text.starts_with("10.64.3."));
      CHECK(lane.members == 0);
    }
  CHECK(hosts == 233);
  every_arrow_has_lanes(l);
}
