// Every input under tests/fuzz/regressions (crashes and undefined behaviour the fuzzer or the
// hardening issue found) goes through the loader as a file: it must either load, and then build
// a world that runs, or be rejected with errors that each name the file, a line and a column.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;

TEST_CASE("Every fuzz regression input loads cleanly or fails with file:line:col errors", "[loader][fuzz]") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / "tests" / "fuzz" / "regressions"))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    LoadResult r;
    REQUIRE_NOTHROW(r = load_file(file));
    if (r.ok()) {
      RunOptions options;
      options.until = sim::Duration::s(60);
      options.keep_records = false;
      REQUIRE_NOTHROW([&] {
        World world(std::move(*r.scenario), options);
        for (int i = 0; i < 2000 && world.step(); ++i) {
        }
      }());
      continue;
    }
    REQUIRE_FALSE(r.errors.empty());
    for (const Diagnostic& d : r.errors) {
      if (d.file.empty()) continue;  // "... and N more errors"
      INFO(d.to_string());
      CHECK(d.file == file.string());
      CHECK(d.line > 0);
      CHECK(d.column > 0);
    }
  }
}
