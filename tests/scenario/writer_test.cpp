// The scenario writer is the loader's inverse: every bundled scenario, written and loaded back,
// writes the same text again and runs to the same trace.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/jsonl.hpp"

using namespace tcpsim;

TEST_CASE("Every bundled scenario survives the writer: same text again, same trace", "[writer]") {
  std::size_t n = 0;
  std::size_t questions = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(TCPSIM_SOURCE_DIR "/scenarios")) {
    if (e.path().extension() != ".json") continue;
    INFO(e.path().string());
    auto a = scenario::load_file(e.path());
    REQUIRE(a.ok());
    const std::string text = scenario::write_scenario(*a.scenario);
    auto b = scenario::load_string(text, "written.json");
    INFO(text);
    REQUIRE(b.ok());
    CHECK(scenario::write_scenario(*b.scenario) == text);
    REQUIRE(b.scenario->questions.size() == a.scenario->questions.size());
    for (std::size_t i = 0; i < a.scenario->questions.size(); ++i) {
      const auto& qa = a.scenario->questions[i];
      const auto& qb = b.scenario->questions[i];
      CHECK(qb.before_json == qa.before_json);
      CHECK(qb.ask == qa.ask);
      CHECK(qb.choices == qa.choices);
      CHECK(qb.answer == qa.answer);
      CHECK(qb.explain == qa.explain);
    }
    questions += a.scenario->questions.size();
    if (a.scenario->name == "churn-1000") continue;  // large: the text check suffices
    scenario::World wa(*a.scenario), wb(*b.scenario);
    wa.run();
    wb.run();
    REQUIRE(wb.trace().records().size() == wa.trace().records().size());
    for (std::size_t i = 0; i < wa.trace().records().size(); ++i)
      REQUIRE(trace::to_json(wb.trace().records()[i], wb.trace()) == trace::to_json(wa.trace().records()[i], wa.trace()));
    ++n;
  }
  CHECK(n > 80);
  CHECK(questions >= 7);  // the teaching scenarios' questions went through too
}

TEST_CASE("expect_block copies a file's expectations as they are, and nothing from other text", "[writer]") {
  CHECK(scenario::expect_block(R"({"name": "x", "expect": {"final": {"a": "CLOSED"}}})") == R"({"final":{"a":"CLOSED"}})");
  CHECK(scenario::expect_block(R"({"name": "x"})").empty());
  CHECK(scenario::expect_block("not json").empty());
}

TEST_CASE("with_tcp sets a TCP parameter on every TCP host through the loader, and names a bad value", "[writer]") {
  auto a = scenario::load_file(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json");
  REQUIRE(a.ok());
  std::string error;
  const auto b = scenario::with_tcp(*a.scenario, scenario::Profile::Rfc9293, {{"msl", "\"2s\""}, {"syn_retries", "3"}}, &error);
  INFO(error);
  REQUIRE(b);
  for (const auto& t : b->tcp) {
    if (!t.enabled) continue;
    CHECK(t.params.msl == sim::Duration::s(2));
    CHECK(t.params.syn_retries.count == 3);
  }
  // A bare word is a string, as in a file: 2s is the duration "2s".
  CHECK(scenario::with_tcp(*a.scenario, scenario::Profile::Rfc9293, {{"msl", "2s"}}, &error));
  // The profile switches every host that follows the scenario's.
  const auto lin = scenario::with_tcp(*a.scenario, scenario::Profile::Linux, {}, &error);
  REQUIRE(lin);
  CHECK(lin->profile == scenario::Profile::Linux);
  for (const auto& t : lin->tcp)
    if (t.enabled) CHECK(t.params.profile == "linux");
  // The loader's own message, at the field.
  CHECK_FALSE(scenario::with_tcp(*a.scenario, scenario::Profile::Rfc9293, {{"msl", "soon"}}, &error));
  CHECK_THAT(error, Catch::StartsWith("/hosts/0/tcp/msl: "));
  CHECK_FALSE(scenario::with_tcp(*a.scenario, scenario::Profile::Rfc9293, {{"rto_min", "\"2m\""}, {"rto_max", "\"1s\""}}, &error));
  CHECK_THAT(error, Catch::Contains("rto_min"));
  // The parameter list is the loader's.
  const auto texts = scenario::tcp_param_texts(a.scenario->tcp[0].params);
  REQUIRE(!texts.empty());
  CHECK(texts.front().first == "msl");
}

TEST_CASE("take_tick_phase moves the linux hosts' timers onto the kernel's ticks", "[writer]") {
  auto loaded = scenario::load_file(TCPSIM_SOURCE_DIR "/scenarios/linux-profile/connect-timeout-linux.json");
  REQUIRE(loaded.ok());
  // The times the client's SYNs leave at.
  const auto syn_times = [](scenario::Scenario s) {
    scenario::World w(std::move(s), {});
    w.run();
    std::vector<std::int64_t> t;
    for (const auto& r : w.trace().records())
      if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && s->seg.flags.syn) t.push_back(r.time.since_start().count());
    return t;
  };
  const auto at_edge = syn_times(*loaded.scenario);
  REQUIRE(at_edge.size() == 11);
  CHECK(at_edge[1] == 1'024'000'000);  // time 0 on a tick edge: the 1 s RTO is 256 ticks

  // Time 0 lies 3 ms into its tick: every tick edge is 1 ms past a multiple of 4 ms.
  scenario::Scenario shifted = *loaded.scenario;
  CHECK(scenario::take_tick_phase(shifted, {250, 4'302'735'837, sim::Duration::ms(3)}) == 2);
  const auto on_ticks = syn_times(shifted);
  REQUIRE(on_ticks.size() == 11);
  for (std::size_t i = 1; i < on_ticks.size(); ++i) {
    INFO("SYN " << i + 1 << " at " << on_ticks[i] << " ns");
    CHECK(on_ticks[i] % 4'000'000 == 1'000'000);
  }
  // The 1 s RTO, armed at jiffies J = 4302735837, expires at J + 250; level 1 of the wheel rounds
  // that up to a multiple of 8 ticks strictly above it, J + 251: 251 ticks less the 3 ms of tick 0.
  CHECK(on_ticks[1] == 1'001'000'000);

  // Hosts that tick at another rate (the rfc9293 profile has no tick clock) keep their own.
  scenario::Scenario rfc = *loaded.scenario;
  for (auto& t : rfc.tcp) t.params.hz = 0;
  CHECK(scenario::take_tick_phase(rfc, {250, 1, sim::Duration::ms(3)}) == 0);
}

TEST_CASE("take_kernel_conditions lengthens every link by the relay's lateness and says what it took", "[writer]") {
  auto loaded = scenario::load_file(TCPSIM_SOURCE_DIR "/scenarios/linux-profile/normal-close-linux.json");
  REQUIRE(loaded.ok());
  scenario::Scenario s = *loaded.scenario;
  REQUIRE(s.links.size() == 1);
  const sim::Duration before = s.links[0].a_to_b.delay;
  trace::Trace kernel;
  kernel.set_meta("source", "kernel");
  kernel.set_meta("hz", "250 (config)");
  kernel.set_meta("jiffies_at_start", "4302795228");
  kernel.set_meta("tick_offset_ns", "3196831");
  kernel.set_meta("relay", "8 packets written, late by median 97 us, p99 216 us, max 216 us");
  CHECK(scenario::take_kernel_conditions(s, kernel) ==
        ", the kernel's tick phase (jiffies 4302795228 + 3.197 ms), links +97 us (the relay's median lateness)");
  CHECK(s.links[0].a_to_b.delay == before + sim::Duration::us(97));
  CHECK(s.links[0].b_to_a.delay == before + sim::Duration::us(97));
  // The model's own trace says nothing: nothing is taken.
  scenario::Scenario untouched = *loaded.scenario;
  CHECK(scenario::take_kernel_conditions(untouched, trace::Trace{}).empty());
  CHECK(untouched.links[0].a_to_b.delay == before);
  // Host groups' links too; a zero lateness changes nothing.
  auto flood = scenario::load_file(TCPSIM_SOURCE_DIR "/scenarios/performance/churn-1000.json");
  REQUIRE(flood.ok());
  scenario::Scenario g = *flood.scenario;
  REQUIRE_FALSE(g.groups.empty());
  const sim::Duration group_before = g.groups[0].link.delay;
  CHECK(scenario::lengthen_links(g, sim::Duration::zero()) == 0);
  CHECK(scenario::lengthen_links(g, sim::Duration::us(50)) == 2 * g.links.size() + g.groups.size());
  CHECK(g.groups[0].link.delay == group_before + sim::Duration::us(50));
}
