// libFuzzer harness for the scenario loader and, for what it accepts, the world built from it.
//
// Each input is scenario text. The loader must never crash or hang, and every error it reports
// must name a line and column (only the whole-file errors and the "... and N more errors" entry
// have none). An input that loads is built into a World, which must not throw (the loader is the
// only gate), and run for a bounded number of events so that each input stays fast.
//
// Build and run: ./build.sh fuzz [seconds] (README.md "Testing").

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

namespace {

using namespace tcpsim;

constexpr int kMaxEvents = 2000;
// Groups of millions of members are valid, but building them is not the loader's business and
// would take seconds per input.
constexpr std::uint64_t kMaxGroupMembers = 2000;

[[noreturn]] void fail(const char* what, const scenario::Diagnostic& d) {
  std::fprintf(stderr, "%s: %s\n", what, d.to_string().c_str());
  std::abort();
}

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  scenario::LoadResult loaded = scenario::load_string(text, "fuzz.json");
  if (!loaded.ok()) {
    if (loaded.errors.empty()) {
      std::fprintf(stderr, "the loader rejected the input without saying why\n");
      std::abort();
    }
    for (const scenario::Diagnostic& d : loaded.errors) {
      if (d.file.empty()) continue;  // "... and N more errors"
      const bool whole_file = blank(text) || text.size() > scenario::kMaxScenarioBytes;
      if (d.line <= 0 && !whole_file) fail("an error without line:column", d);
    }
    return 0;
  }
  std::uint64_t members = 0;
  for (const scenario::HostGroup& g : loaded.scenario->groups) members += g.count;
  if (members > kMaxGroupMembers) return 0;

  scenario::RunOptions options;
  options.until = sim::Duration::s(60);
  options.keep_records = false;
  scenario::World world(std::move(*loaded.scenario), options);
  for (int i = 0; i < kMaxEvents && world.step(); ++i) {
  }
  return 0;
}
