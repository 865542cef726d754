// `tcpsim compare A B`: two runs as two ladders side by side, row by aligned row
// (trace::Comparison), differing rows marked and explained, then the first difference.
//
// A and B are each a scenario (.json: run here) or a JSON Lines trace (.jsonl: read back, as
// `tcpsim run --trace` writes it). B may be left out when --seed-b or --profile-b says how to
// run A's scenario again. Exit codes: 0 the runs agree, 1 they differ, 2 bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "sim/trace/compare.hpp"

namespace tcpsim::cli {

struct CompareArgs {
  std::string a;
  std::string b;                        // "": A's scenario again, changed by the options below
  std::optional<std::uint64_t> seed_b;  // run B's scenario with this seed
  std::string profile_b;                // run B's scenario under this profile ("rfc9293", "linux")
  std::string tolerance;                // times closer than this are the same ("35ms")
};

int cmd_compare(const CompareArgs& args, std::ostream& out, std::ostream& err);

// The two ladders and the summary. Each side's hosts are the ones its trace names, in the order
// they first send, receive or change state.
void print_comparison(std::ostream& out, const trace::Comparison& c);

}  // namespace tcpsim::cli
