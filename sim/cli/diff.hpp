// `tcpsim diff A B`: the check of the model against the kernel (or of any two runs), as a test
// engineer reads it: what each side is, the verdict, the first divergence with the rows before
// it, each endpoint's state path on both sides, the two ladders side by side (compare.hpp's), and
// a summary line.
//
// A and B are each a trace (.jsonl: one a live run recorded on kernel sockets, whose metadata
// names the kernel, or one `tcpsim run --trace` wrote) or a scenario (.json: run with the model).
// The events are aligned as `tcpsim compare` aligns them (trace::Comparison). Times within the
// tolerance are the same: 35 ms by default, room for a kernel's timer ticks (4 ms at HZ 250) and
// the scheduling of the processes that drive its sockets. Windows are compared only with
// --windows: a kernel sizes and scales them from its memory, the model from its profile.
// Exit codes: 0 the sides agree, 1 they differ, 2 bad input.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

namespace tcpsim::cli {

struct DiffArgs {
  std::string a;
  std::string b;
  std::string tolerance = "35ms";  // a duration, or "0" for exact times
  bool windows = false;            // compare advertised windows too
  std::size_t context = 3;         // rows shown before the first divergence
};

int cmd_diff(const DiffArgs& args, std::ostream& out, std::ostream& err);

}  // namespace tcpsim::cli
