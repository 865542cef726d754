// Fingerprints: a scenario's run reduced to its canonical trace, one line per record that tells
// the story (time, endpoint, segment summary with its fate, state changes), and a hash of it.
// Causes, timers, app calls and notes are left out, so rewording a cause or adding a timer
// record does not change a fingerprint; a different exchange does.
//
// A scenario's "fingerprint" field holds the hash; `tcpsim check --bless` rewrites it and also
// writes the canonical trace next to the scenario (NAME.trace), so that a later mismatch can
// print the first line that differs, expected against found.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace tcpsim::scenario {

std::vector<std::string> canonical_trace(const trace::Trace& t);
// "fnv1a64:0123456789abcdef" over the canonical lines, each followed by '\n'.
std::string fingerprint_of(const std::vector<std::string>& canonical);

struct FingerprintCheck {
  bool matches = true;
  std::string message;  // on a mismatch: the first differing line, when the .trace file exists
  std::optional<std::size_t> line;  // 1-based line of the canonical trace
};
FingerprintCheck compare_fingerprint(const std::string& expected, const std::vector<std::string>& canonical,
                                     const std::filesystem::path& golden);

// The golden canonical trace of a scenario file: "dir/name.json" -> "dir/name.trace".
std::filesystem::path golden_path(const std::filesystem::path& scenario_file);

// Rewrites the top-level "fingerprint" field of a scenario file in place (adding it before the
// top-level closing brace if absent), keeping the rest of the text as it is, then loads the file
// again to check it. False, with the reason in `error`, if the file does not load before or after
// (the original text is then put back) or cannot be written.
bool write_fingerprint(const std::filesystem::path& scenario_file, const std::string& fingerprint, std::string* error);

}  // namespace tcpsim::scenario
