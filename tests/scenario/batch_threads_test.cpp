// run_batch with worker threads: nothing may escape while a worker is joinable (that would call
// std::terminate), and a case that throws becomes that case's ERROR.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "sim/scenario/batch.hpp"

using namespace tcpsim::scenario;
namespace fs = std::filesystem;

namespace {
std::vector<BatchInput> three_bundled() {
  const fs::path root = fs::path(TCPSIM_SOURCE_DIR) / "scenarios";
  std::vector<std::string> missing;
  auto inputs = collect_scenarios({root / "loss/lost-final-ack.json", root / "loss/lost-syn.json",
                                   root / "reset/connection-refused.json"},
                                  missing);
  REQUIRE(missing.empty());
  REQUIRE(inputs.size() == 3);
  return inputs;
}
}  // namespace

TEST_CASE("An exception from the progress callback leaves run_batch after its workers are joined",
          "[batch]") {
  BatchOptions opt;
  opt.jobs = 2;
  int calls = 0;
  CHECK_THROWS_WITH(run_batch(three_bundled(), opt, {},
                              [&calls](const CaseResult&) {
                                ++calls;
                                throw std::runtime_error("report failed");
                              }),
                    "report failed");
  CHECK(calls == 1);  // not called again once it has failed
}

TEST_CASE("A case that throws in a worker becomes ERROR with an internal error, the others run", "[batch]") {
  // A failing case asks for its ladder; the printer given here throws.
  const fs::path dir = fs::temp_directory_path() / "tcpsim-batch-threads";
  fs::create_directories(dir);
  const fs::path failing = dir / "failing.json";
  std::ofstream(failing) << R"({"name": "failing",
    "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2"}],
    "links": [{"between": ["A", "B"], "delay": "10ms"}],
    "apps": [{"host": "A", "steps": [{"at": "0s", "do": "connect", "to": "B:81"}]}],
    "expect": {"apps": {"A": {"connect": "ETIMEDOUT"}}}})";
  std::vector<BatchInput> inputs = three_bundled();
  inputs.push_back({failing, "failing"});
  BatchOptions opt;
  opt.jobs = 2;
  const auto results = run_batch(inputs, opt, [](const World&) -> std::string { throw std::runtime_error("boom"); });
  REQUIRE(results.size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(results[i].id);
    CHECK(results[i].outcome == Outcome::Pass);
    CHECK_FALSE(results[i].internal_error);
  }
  CHECK(results[3].outcome == Outcome::Error);
  CHECK(results[3].internal_error);
  CHECK(results[3].error == "internal error: boom");

  // A bound given to the batch applies to every case.
  opt.limits.events = 2;
  for (const auto& r : run_batch(inputs, opt, {})) {
    INFO(r.id);
    CHECK(r.outcome == Outcome::Limit);
    REQUIRE(r.bound);
    CHECK(r.bound->bound == Bound::Events);
  }
}
