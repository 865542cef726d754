// The `tcpsim` command line. Kept in a library so tests call it with their own streams.
//
// Exit codes (documented in README.md and `tcpsim --help`):
//   0  ok
//   1  a scenario's expectations failed
//   2  bad input: unreadable or invalid scenario, bad command-line usage
//   3  internal error (a bug: please report it with the scenario)
#pragma once

#include <ostream>

namespace tcpsim::cli {

enum ExitCode : int { kOk = 0, kExpectationFailed = 1, kBadInput = 2, kInternalError = 3 };

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tcpsim::cli
