// Loading a scenario file: JSON text -> validated Scenario, or a list of clear errors.
//
// Every error names the file, the line and column of the offending value (of the key for an
// unknown field, of the enclosing object's '{' for a missing field), its JSON pointer, what was
// expected and what was found. All errors are collected (the first kMaxErrors in file order are
// kept, then one "... and N more errors" entry), so one run shows everything to fix. The format
// is documented in scenarios/README.md. No JSON type appears here or past the loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace tcpsim::scenario {

struct Diagnostic {
  std::string file;     // as given to the loader; "" for the "... and N more errors" entry
  int line = 0;         // 1-based; 0 when the error is about the whole file
  int column = 0;       // 1-based, in characters
  std::string pointer;  // RFC 6901 JSON pointer ("/links/0/delay"); "" for the document itself
  std::string message;  // what was expected and what was found

  // "file:line:col: error: /links/0/delay: <message>"; parts that are unset are left out.
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set only when there are no errors
  std::vector<Diagnostic> errors;    // in file order
  bool ok() const { return scenario.has_value() && errors.empty(); }
};

inline constexpr std::size_t kMaxErrors = 20;                      // shown; the rest are counted
inline constexpr std::uintmax_t kMaxScenarioBytes = 4 * 1024 * 1024;  // larger files are rejected unread

// Reads and validates a scenario file. Never throws for bad input; every problem is a Diagnostic.
LoadResult load_file(const std::filesystem::path& path);

// Validates scenario text; `display_name` stands for the file name in diagnostics and becomes
// Scenario::source.
LoadResult load_string(std::string_view json_text, std::string display_name);

}  // namespace tcpsim::scenario
