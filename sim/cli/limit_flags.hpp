// --max-time, --max-events and --max-records: the bounds of a run (sim/scenario/limits.hpp) set
// on the command line, shared by `tcpsim run` and `tcpsim check`.
#pragma once

#include <ostream>
#include <string>

#include "sim/scenario/limits.hpp"

namespace CLI {
class App;
}

namespace tcpsim::cli {

// The flags as written; empty when not given.
struct LimitFlags {
  std::string time, events, records;
};

void add_limit_flags(CLI::App& command, LimitFlags& flags);

// Checks each flag given and stores it in `out`. On a bad value prints
// "<command>: --max-events: expected ..., found "x"" to err and returns false (exit 2).
bool parse_limit_flags(const LimitFlags& flags, const char* command, scenario::Limits& out, std::ostream& err);

}  // namespace tcpsim::cli
