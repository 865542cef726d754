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
}

TEST_CASE("expect_block copies a file's expectations as they are, and nothing from other text", "[writer]") {
  CHECK(scenario::expect_block(R"({"name": "x", "expect": {"final": {"a": "CLOSED"}}})") == R"({"final":{"a":"CLOSED"}})");
  CHECK(scenario::expect_block(R"({"name": "x"})").empty());
  CHECK(scenario::expect_block("not json").empty());
}
