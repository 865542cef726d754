// `tcpsim check --kernel [DIR|FILE...]`: every `linux`-profile scenario played on the real kernel
// and on the model, and the two traces compared: per scenario "agrees" or "differs at #n" with
// both sides' events there, or why the kernel cannot play it; then `kernel agreement: K/N`.
//
// Each kernel run is a child process `tcpsim run --kernel` of its own (so a crash or a kill of one run
// cannot leave another's namespaces behind), in its own port slot, up to --jobs at a time: the
// runs wait on real time, not on the processor. Scenarios that inject crafted segments run one at
// a time, since their fixed 4-tuples would be the same in two concurrent runs.
#pragma once

#include <ostream>
#include <string>

#include "sim/cli/check.hpp"

namespace tcpsim::cli {

int cmd_check_kernel(const CheckArgs& a, std::ostream& out, std::ostream& err);

}  // namespace tcpsim::cli
